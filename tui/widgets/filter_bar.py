"""The filter bar: one line of filter text, parsed only when the user presses enter.

Each list view gives its own parser and example; every parser raises the grammar's `FilterError`
with a sentence and a position.

A mistake is shown in a message line under the bar (with the cursor put where the problem
is) and nothing is applied, so the board keeps showing its last good result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from ..domain.grammar import FilterError
from ..typeahead import keys_may_flow


class FilterInput(Input):
    """The filter line. Enter marks it as applying at once, before its Submitted message travels
    to the board, so keys typed after enter wait for the board to take them (tui.typeahead)."""

    applying = False

    async def action_submit(self) -> None:
        self.applying = True
        await super().action_submit()


class FilterBar(Vertical):
    class Applied(Message):
        """The user applied filter text that parses."""

        def __init__(self, text: str, query: Any) -> None:
            super().__init__()
            self.text = text
            self.query = query

    def __init__(self, text: str, *, parse: Callable[[str], Any], placeholder: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.applied_text = text
        self.parse = parse
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-line"):
            yield Label("/", id="filter-prompt")
            yield FilterInput(self.applied_text, placeholder=self.placeholder, compact=True, id="filter-input")
        yield Static(id="filter-message")

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one("#filter-input", FilterInput)

    @property
    def applying(self) -> bool:
        """Enter was pressed and the board has not taken the result yet (never before the line is
        composed: keys typed ahead ask as soon as a view is pushed)."""
        typed = self.query(FilterInput)
        return bool(typed) and typed.first().applying

    def settled(self) -> None:
        """The board took what enter applied (or there was nothing to take): typed keys go on."""
        self.filter_input.applying = False
        keys_may_flow(self)

    @property
    def editing(self) -> bool:
        return self.filter_input.has_focus

    def edit(self) -> None:
        self.filter_input.focus()
        self.filter_input.select_all()

    def revert(self) -> None:
        """Leave the bar as it was last applied."""
        self.filter_input.value = self.applied_text
        self.show_error(None)

    def apply(self, text: str) -> Any:
        """Parse `text`; on success remember it and return the query, else show why and return None."""
        try:
            query = self.parse(text)
        except FilterError as error:
            self.show_error(error)
            return None
        self.applied_text = text
        self.show_error(None)
        return query

    def show_error(self, error: FilterError | None) -> None:
        message = self.query_one("#filter-message", Static)
        if error is None:
            message.display = False  # and its old text stays: updating a hidden line costs a layout
            return
        message.display = True
        message.update(Text.assemble(("✗ ", "bold"), error.message, (f"  (column {error.position + 1})", "dim")))
        self.filter_input.cursor_position = error.position

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = self.apply(event.value)
        if query is None:
            self.settled()
        else:
            self.post_message(self.Applied(event.value, query))
