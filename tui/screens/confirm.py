"""Asking before a destructive step: what will happen, an optional note, enter or esc."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import Input, Static

from ..actions import bindings_of
from .dialog import EDITOR_BINDINGS, Dialog, R


class ConfirmDialog(Dialog[R]):
    """Says what will happen; enter does it (with the note, if one was typed), esc does not."""

    BINDINGS = [*bindings_of("dialog.confirm"), *EDITOR_BINDINGS]
    ASKS_FIRST = True

    def __init__(self, title: str, consequence: Text | str, submit: Callable[[str | None], R], *,
                 confirm_label: str = "confirm", with_note: bool = True) -> None:
        super().__init__(title, hint=f"enter {confirm_label} · esc go back")
        self.consequence = consequence if isinstance(consequence, Text) else Text(consequence)
        self.submit_with_note = submit
        self.with_note = with_note

    def compose_dialog(self):
        yield Static(self.consequence, id="consequence")
        if self.with_note:
            yield Static("Note for the timeline (optional)", classes="field-label")
            yield Input(placeholder="why, what was done…", id="note")

    def typed(self) -> dict[str, Any]:
        note = self.query_one("#note", Input).value if self.with_note else ""
        return {"note": note} if note.strip() else {}

    def retype(self, draft: dict[str, Any]) -> None:
        self.query_one("#note", Input).value = draft["note"]

    def action_save(self) -> None:
        note = self.query_one("#note", Input).value.strip() if self.with_note else ""
        self.submit(lambda: self.submit_with_note(note or None))
