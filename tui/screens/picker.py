"""Pick one item from a list that narrows as you type (people, responders)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..actions import bindings_of
from ..typeahead import keys_may_flow
from .dialog import Dialog, R, SubmitFailed

T = TypeVar("T")

CHOICE_MOVES = bindings_of("choices.next", "choices.previous")
"""↑/↓ move through the choices while the cursor stays in the box you type into."""


class PickerDialog(Dialog[R], Generic[T, R]):
    """Type to narrow, ↑/↓ to move, enter to pick; `submit(item)` runs on the pick."""

    BINDINGS = CHOICE_MOVES
    DEFAULT_CSS = """
    PickerDialog #choices { height: auto; max-height: 12; border: none; }
    """
    EMPTY = "nothing matches"

    def __init__(self, title: str, load: Callable[[], Sequence[T]], describe: Callable[[T], Text],
                 submit: Callable[[T], R], *, intro: Text | str = "") -> None:
        super().__init__(title, hint="type to narrow · ↑↓ move · enter pick · esc cancel")
        self.fetch = load
        self.describe = describe
        self.submit_pick = submit
        self.intro = intro
        self.items: list[T] = []
        self.shown: list[T] = []
        self.arrived = False
        self.pick_on_arrival = False
        """Enter was pressed before the choices arrived: pick once they have (typed keys wait)."""

    @property
    def accepting_keys(self) -> bool:
        return super().accepting_keys and not self.pick_on_arrival

    def compose_dialog(self):
        if self.intro:
            yield Static(self.intro if isinstance(self.intro, Text) else Text(self.intro))
        yield Input(placeholder="filter…", id="filter")
        yield OptionList(Option(Text("loading…"), disabled=True), id="choices")

    def on_mount(self) -> None:
        self.load("items", self.fetch)

    def loaded(self, tag: str, value: Sequence[T]) -> None:
        self.items = list(value)
        self.arrived = True
        self.narrow(self.query_one("#filter", Input).value)
        if self.pick_on_arrival:
            self.pick_on_arrival = False
            self.action_save()
            keys_may_flow(self)

    def on_submit_failed(self, message: SubmitFailed) -> None:
        self.pick_on_arrival = False  # the choices are not coming; Dialog shows why

    def on_input_changed(self, event: Input.Changed) -> None:
        self.narrow(event.value)

    def narrow(self, text: str) -> None:
        words = text.lower().split()
        self.shown = [item for item in self.items
                      if all(word in self.describe(item).plain.lower() for word in words)]
        choices = self.query_one("#choices", OptionList)
        choices.set_options([Option(self.describe(item)) for item in self.shown]
                            or [Option(Text(self.EMPTY, style="dim"), disabled=True)])
        choices.highlighted = self.first_choice() if self.shown else None

    def first_choice(self) -> int:
        """Where the highlight starts among the choices shown (enter right away picks it)."""
        return 0

    def action_move(self, step: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if self.shown:
            current = choices.highlighted or 0
            choices.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_save(self) -> None:
        if not self.arrived:
            self.pick_on_arrival = True
            self.show_error("Still loading the choices: enter picks once they are here.")
            return
        index = self.query_one("#choices", OptionList).highlighted
        if index is None or not self.shown:
            self.show_error("Nothing to pick: change the filter." if self.items else "The list is empty.")
            return
        item = self.shown[index]
        self.submit(lambda: self.submit_pick(item))
