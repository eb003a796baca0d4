"""The `:` line at the foot of the board (k9s): one command, enter runs it, esc closes it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.suggester import SuggestFromList
from textual.widgets import Input

from ..actions import bindings_of
from ..commands import completions


class CommandLine(Input):
    """Hidden until `:`; tab (or →) takes the completion it offers."""

    BINDINGS = bindings_of("command.complete")
    DEFAULT_CSS = """
    CommandLine { display: none; }
    CommandLine.-open { display: block; }
    """

    def __init__(self, help_text: str) -> None:
        super().__init__(placeholder=help_text, compact=True, id="command-line",
                         suggester=SuggestFromList(completions([]), case_sensitive=False))

    def open(self) -> None:
        self.value = ""
        self.add_class("-open")
        self.focus()

    def close(self) -> None:
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def offer_views(self, names: Sequence[str]) -> None:
        self.suggester = SuggestFromList(completions(list(names)), case_sensitive=False)

    def action_complete(self) -> None:
        self.cursor_position = len(self.value)
        self.action_cursor_right()  # at the end of the text, Input takes the suggestion
