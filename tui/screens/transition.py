"""`t`: move an incident to any status allowed from here, with a note for the timeline.

Choosing the target in this dialog and pressing enter is the confirmation, so close,
cancel and reopen need no second question: the dialog says what each target means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..actions import bindings_of
from ..domain import lifecycle
from ..domain.enums import Status, label
from ..domain.format import clean
from ..domain.models import Incident
from ..widgets.detail import step_name
from .dialog import EDITOR_BINDINGS, Dialog, R


class TransitionDialog(Dialog[R]):
    """A list of the allowed targets (their keys jump to them) and an optional note."""

    BINDINGS = [*bindings_of("dialog.confirm"), *EDITOR_BINDINGS]
    DEFAULT_CSS = """
    TransitionDialog #targets { height: auto; max-height: 7; border: none; }
    """

    def __init__(self, incident: Incident, keys: dict[Status, str],
                 submit: Callable[[Status, str | None], R]) -> None:
        super().__init__(f"Move {clean(incident.incident_id)}",
                         hint="↑↓ or key choose · tab note · enter move · esc cancel")
        self.incident = incident
        self.targets = sorted(lifecycle.allowed_transitions(incident), key=lambda s: s.rank)
        self.keys = {keys[status]: status for status in self.targets}
        self.submit_move = submit

    def compose_dialog(self):
        yield Static(Text.assemble(
            (clean(self.incident.incident_id), "bold"), " ", clean(self.incident.title), "\n",
            "is ", (label(self.incident.status).lower(), "bold"), "; move it to:"))
        yield OptionList(*(self._option(status) for status in self.targets), id="targets")
        yield Static("Note for the timeline (optional)", classes="field-label")
        yield Input(placeholder="why, what was done…", id="note")

    def _option(self, status: Status) -> Option:
        key = next(k for k, s in self.keys.items() if s is status)
        name = step_name(self.incident.status, status)
        prompt = Text.assemble((f" {key} ", "bold reverse"), " ", (f"{name:<9}", "bold"), (status.description, "dim"))
        return Option(prompt, id=status.value)

    def on_mount(self) -> None:
        self.query_one("#targets", OptionList).highlighted = 0

    def on_key(self, event: events.Key) -> None:
        """A target's key (as on the board) jumps to it and moves on to the note."""
        if isinstance(self.focused, Input) or event.character not in self.keys:
            return
        event.stop()
        targets = self.query_one("#targets", OptionList)
        targets.highlighted = self.targets.index(self.keys[event.character])
        self.query_one("#note", Input).focus()

    def typed(self) -> dict[str, Any]:
        note = self.query_one("#note", Input).value
        return {"note": note, "target": self.chosen()} if note.strip() else {}

    def retype(self, draft: dict[str, Any]) -> None:
        self.query_one("#note", Input).value = draft["note"]
        if draft["target"] in self.targets:  # the incident may have moved on since
            self.query_one("#targets", OptionList).highlighted = self.targets.index(draft["target"])

    def chosen(self) -> Status | None:
        index = self.query_one("#targets", OptionList).highlighted
        return None if index is None else self.targets[index]

    def action_save(self) -> None:
        target = self.chosen()
        if target is None:
            self.show_error("Choose where to move it first.")
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.submit(lambda: self.submit_move(target, note))
