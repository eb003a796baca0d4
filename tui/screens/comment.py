"""Add a comment to an incident's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import Button, Static, TextArea

from .dialog import EDITOR_BINDINGS, Dialog, R


class CommentDialog(Dialog[R]):
    """A multi-line comment; ctrl+s (or enter on Save) posts it, an empty one is refused."""

    BINDINGS = EDITOR_BINDINGS

    DEFAULT_CSS = """
    CommentDialog #comment { height: 8; }
    CommentDialog #save { margin-top: 1; }
    """

    def __init__(self, title: str, intro: Text | str, submit: Callable[[str], R]) -> None:
        super().__init__(title, hint="ctrl+s or Save posts · tab moves · esc cancels")
        self.intro = intro if isinstance(intro, Text) else Text(intro)
        self.submit_comment = submit

    def compose_dialog(self):
        yield Static(self.intro)
        yield TextArea(id="comment", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield Button("Save", id="save", variant="primary", compact=True)

    def typed(self) -> dict[str, Any]:
        text = self.query_one("#comment", TextArea).text
        return {"text": text} if text.strip() else {}

    def retype(self, draft: dict[str, Any]) -> None:
        comment = self.query_one("#comment", TextArea)
        comment.load_text(draft["text"])
        comment.move_cursor(comment.document.end)

    def action_save(self) -> None:
        text = self.query_one("#comment", TextArea).text.strip()
        if not text:
            self.show_error("A comment needs some text; esc to leave without commenting.")
            return
        self.submit(lambda: self.submit_comment(text))
