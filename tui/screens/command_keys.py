"""The `:` line (k9s) on any list view, the board and the Configs and Checks views alike: `:INC-12`,
`:configs`, `:checks`, `:q` and `:help` work everywhere; `:view NAME` and `:save NAME` are the board's.

`CommandKeys` is a mixin for a list screen: the host composes `make_command_line()`, closes the line
on esc (`close_command_line()`), and says what a found incident is to show (`show_found`). Its message
handlers go by name (`on_jump_found`): Textual collects decorated handlers only from classes it creates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from uuid import UUID

from textual import work
from textual.message import Message
from textual.widgets import Input

from ..actions import ACTIONS_BY_ID, Group
from ..commands import SCREENS, Command, command_help, parse_command
from ..domain.format import clean
from ..typeahead import keys_may_flow
from ..widgets.command_line import CommandLine
from .dialog import describe_error

if TYPE_CHECKING:  # mypy checks the mixin against the screen it is mixed into
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from ..app import IncidentApp
    from ..store.base import Backend

    _Host = Screen
else:
    _Host = object


class JumpFound(Message):
    def __init__(self, incident_id: str, id: UUID | None, error: str = "") -> None:
        super().__init__()
        self.incident_id, self.id, self.error = incident_id, id, error


class CommandKeys(_Host):
    _resolving = 0
    """Ids typed on the line still being looked up: typed keys wait for them (tui.typeahead)."""

    if TYPE_CHECKING:  # provided by the host screen
        @property
        def backend(self) -> Backend: ...
        def _tell(self, message: str, *, severity: SeverityLevel = "information",
                  timeout: float | None = None) -> None: ...

    # -- what the host decides ----------------------------------------------------------------

    def show_found(self, incident_id: str, id: UUID) -> None:
        """`:INC-12` found it: elsewhere than the board, the board over this view, filtered to it
        (the exact id comes first, so the cursor is on it; esc comes back)."""
        cast("IncidentApp", self.app).show_board(incident_id)

    def view_names(self) -> list[str]:
        return []

    def run_view_command(self, command: Command) -> None:
        self._tell("Saved views are the board's: esc goes back to it, then :view NAME or :save NAME.",
                   severity="warning")

    # -- the line -----------------------------------------------------------------------------

    @property
    def command_line(self) -> CommandLine:
        return self.query_one(CommandLine)

    def make_command_line(self) -> CommandLine:
        known = {id for id in SCREENS.values() if id in ACTIONS_BY_ID}
        return CommandLine(command_help(known) + " · tab completes · esc closes")

    def action_command_line(self) -> None:
        self.command_line.offer_views(self.view_names())
        self.command_line.open()

    def close_command_line(self) -> bool:
        """Close the `:` line (esc); False if it was not open."""
        if not self.command_line.is_open:
            return False
        self.command_line.close()
        self.query_one("#rows").focus()  # the view's table
        return True

    @property
    def resolving(self) -> bool:
        return self._resolving > 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "command-line":
            return
        event.stop()
        self.close_command_line()
        self.run_command(event.value)

    def run_command(self, line: str) -> None:
        command = parse_command(line)
        if command.kind == "quit":
            self.app.call_later(self.app.action_quit)
        elif command.kind == "jump":
            self._resolving += 1
            self._resolve(command.argument)
        elif command.kind == "screen" and SCREENS[command.argument] in ACTIONS_BY_ID:
            action = ACTIONS_BY_ID[SCREENS[command.argument]]
            target = self.app if action.group is Group.APP else self
            self.app.call_later(self.app.run_action, action.action, target)
        elif command.kind in ("view", "save"):
            self.run_view_command(command)
        elif command.kind == "help":
            self._tell("Commands: " + self.command_line.placeholder, timeout=10)
        else:
            self._tell(f"Unknown command :{clean(command.argument)}. Commands: {self.command_line.placeholder}",
                       severity="warning", timeout=10)

    @work(thread=True, exit_on_error=False, group="jump")
    def _resolve(self, incident_id: str) -> None:
        try:
            found = self.backend.find_incident(incident_id)
        except Exception as error:  # noqa: BLE001 - told as a sentence (NotFound says which)
            self.post_message(JumpFound(incident_id, None, describe_error(error)))
            return
        self.post_message(JumpFound(incident_id, found))

    def on_jump_found(self, message: JumpFound) -> None:
        self._resolving = max(self._resolving - 1, 0)
        keys_may_flow(self)
        if message.id is None:
            self._tell(message.error or f"No incident {message.incident_id}.", severity="warning")
        else:
            self.show_found(message.incident_id, message.id)
