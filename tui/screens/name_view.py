"""Name the board's current filter and sort as a saved view."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Input, Static

from .dialog import Dialog, R


class NameViewDialog(Dialog[R]):
    """One line: the name. Enter (or ctrl+s) saves; a name already saved is replaced."""

    def __init__(self, filter_text: str, store: Callable[[str], R]) -> None:
        super().__init__("Save this view", hint="enter save · esc cancel")
        self.filter_text = filter_text
        self.store = store

    def compose_dialog(self):
        shown = self.filter_text or '"" (every incident, default sort)'
        yield Static(Text.assemble("Filter and sort: ", (shown, "bold")))
        yield Static("Name", classes="field-label")
        yield Input(placeholder="e.g. my criticals", id="view-name")

    def action_save(self) -> None:
        name = " ".join(self.query_one("#view-name", Input).value.split())
        if not name:
            self.show_error("A saved view needs a name; esc to leave without saving.")
            return
        self.submit(lambda: self.store(name))
