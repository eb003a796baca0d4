"""The board's keys beyond moving and one-incident actions: the `:` line, previous/next, selecting
several incidents and acting on all of them, saved views, a read-only board, and the bell.

`BoardKeys` is a mixin for the Board screen, before `IncidentActions` (its bulk versions of the
incident actions fall back to theirs when nothing is selected). The host provides what
`IncidentActions` needs and `table`, `filter_bar`, `go_to(index)`, `apply_filter_text(text, keep_id)`
and `_intended_index()`.

Its message handlers go by name (`on_jump_found`), not `@on`: Textual collects decorated handlers
only from classes it creates, and this mixin is a plain class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from rich.text import Text
from textual import events, work
from textual.message import Message
from textual.screen import Screen

from ..actions import ACTIONS, ACTIONS_BY_ID, WRITES, Group, configured_keys, effective_keys
from ..commands import Command
from ..domain import lifecycle
from ..domain.clock import utcnow
from ..domain.enums import CANONICAL_STATUSES, Severity, Status, label
from ..domain.format import clean
from ..domain.grammar import format_query
from ..domain.models import Incident, IncidentEdit, IncidentRow, Person, ResponderDraft
from ..domain.query import IncidentQuery
from ..saved_views import SavedView, numbered, read_saved, write_saved
from ..store.base import Changes, Page
from ..typeahead import keys_may_flow
from .bulk import BulkAction, Outcome, changeable, confirmation, refusal, summary
from .command_keys import CommandKeys
from .dialog import describe_error
from .incident_actions import IncidentActions
from .name_view import NameViewDialog
from .people_picker import PeoplePicker
from .picker import PickerDialog
from .responder_form import ResponderForm

if TYPE_CHECKING:
    from ..app import IncidentApp

T = TypeVar("T")

ANNOUNCED = (Severity.CRITICAL, Severity.HIGH)
"""A new incident of these severities rings the bell (if asked for) and is flashed."""
ARRIVAL_SLACK = timedelta(seconds=5)
"""Incidents created this long before the board opened still count as arriving (clocks differ)."""
ONE_AT_A_TIME = ("comment", "edit", "assign_communicator", "remove_responder")
"""Incident actions that act on one incident, never on a selection."""


class SelectedLoaded(Message):
    def __init__(self, incidents: list[Incident], then: Callable[[list[Incident]], None]) -> None:
        super().__init__()
        self.incidents, self.then = incidents, then


class ViewsRead(Message):
    def __init__(self, saved: dict[str, str]) -> None:
        super().__init__()
        self.saved = saved


class ViewSaved(Message):
    def __init__(self, saved: dict[str, str]) -> None:
        super().__init__()
        self.saved = saved


class KeysFailed(Message):
    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


class BoardKeys(CommandKeys, IncidentActions):
    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)  # the list screen's own options
        self.selection: dict[UUID, IncidentRow] = {}
        """Selected incidents, in the order they were selected."""
        self.saved: dict[str, str] = {}
        """Views saved from the board (the config file's come from the app)."""
        self._opened_at = utcnow() - ARRIVAL_SLACK
        self._announced: set[UUID] = set()
        self._asking = 0
        """Questions to the backend a key is waiting for (the selected incidents, an id): typed keys wait."""

    @property
    def keys_waiting(self) -> bool:
        return self._asking > 0 or self.resolving

    if TYPE_CHECKING:
        from ..widgets.filter_bar import FilterBar
        from ..widgets.incident_table import IncidentTable

        _step: int

        @property
        def incident_query(self) -> IncidentQuery: ...

        @property
        def table(self) -> IncidentTable: ...
        @property
        def filter_bar(self) -> FilterBar: ...
        def go_to(self, index: int) -> None: ...
        def apply_filter_text(self, text: str, keep_id: UUID | None = None) -> bool: ...
        def _intended_index(self) -> int: ...
        def _update_status(self) -> None: ...
        def _load(self, target: int, keep_id: UUID | None = None, *, pin: bool = False,
                  fresh_detail: UUID | None = None) -> None: ...

    @property
    def incidents_app(self) -> IncidentApp:
        return cast("IncidentApp", self.app)

    def keys_mounted(self) -> None:
        """Called by the host once mounted: saved views are read off the UI thread."""
        self._read_views(self.incidents_app.views_file)

    # -- read-only ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On a read-only board the write actions are not offered (footer, help, palette)."""
        if action in WRITES and self.incidents_app.read_only:
            return False
        return True

    def on_key(self, event: events.Key) -> None:
        """...and their keys say why nothing happens, rather than doing nothing."""
        if not self.incidents_app.read_only:
            return
        writes = [action for action in ACTIONS if action.writes and action.group in (Group.INCIDENT,)]
        pressed = next((action for action in writes if event.key in effective_keys(self.app, action)), None)
        if pressed is not None:
            event.stop()
            event.prevent_default()
            self._tell(f"This board is read-only (--read-only, or read_only in the config file): "
                       f"{pressed.description.rstrip('…').lower()} is not possible here.", severity="warning")

    # -- previous / next ----------------------------------------------------------------------

    def action_step(self, step: int) -> None:
        """The next or previous incident, wherever the focus is (the detail pane keeps it)."""
        self._step = step
        self.go_to(self._intended_index() + step)

    # -- selecting several --------------------------------------------------------------------

    def action_toggle_selection(self) -> None:
        row = self.table.current
        if row is None:
            return
        if row.id in self.selection:
            del self.selection[row.id]
        else:
            self.selection[row.id] = row
        self._selection_changed()

    def action_select_step(self, step: int) -> None:
        row = self.table.current
        if row is not None:
            self.selection[row.id] = row
            self._selection_changed()
        self.action_step(step)

    def drop_selection(self) -> bool:
        """Drop the selection (esc); False if there was none."""
        if not self.selection:
            return False
        self.selection.clear()
        self._selection_changed()
        return True

    def _selection_changed(self) -> None:
        self.table.show_selected(set(self.selection))
        self._update_status()

    def selection_status(self) -> str:
        if not self.selection:
            return ""
        back = configured_keys(self.app, ACTIONS_BY_ID["board.back"]).split(",")[0]
        return f"{len(self.selection)} selected ({back} clears)"

    # -- acting on every selected incident ----------------------------------------------------

    def action_acknowledge(self) -> None:
        if not self.selection:
            return super().action_acknowledge()
        backend = self.backend
        self._bulk(lambda incidents: self._confirm(BulkAction(
            "Acknowledge {n} incidents?", "acknowledged",
            check=lambda incident, now: lifecycle.acknowledge(incident, None, now),
            write=lambda incident, _note: backend.acknowledge(incident.id, incident.updated_at)), incidents))

    def action_transition(self, to: str) -> None:
        if not self.selection:
            return super().action_transition(to)
        self._bulk(lambda incidents: self._confirm(self._move_all(Status(to)), incidents))

    def action_transition_with_note(self) -> None:
        if not self.selection:
            return super().action_transition_with_note()
        self._ask_then_confirm(
            lambda n: PickerDialog(f"Move {n} incidents to", lambda: list(CANONICAL_STATUSES), status_choice,
                                   lambda status: status),
            self._move_all)

    def _move_all(self, to: Status) -> BulkAction:
        backend = self.backend
        return BulkAction(
            f"Move {{n}} incidents to {to.label.lower()}?", lifecycle.verb(to),
            check=lambda incident, now: lifecycle.transition(incident, to, now),
            write=lambda incident, note: backend.transition(incident.id, to, note, incident.updated_at),
            with_note=True)

    def action_assign_commander(self) -> None:
        if not self.selection:
            return super().action_assign_commander()
        backend = self.backend

        def make_commander(person: Person) -> BulkAction:
            edit = IncidentEdit(commander_id=person.id)
            return BulkAction(f"Make {clean(person.display)} commander of {{n}} incidents?",
                              f"commanded by {clean(person.display)}", check=editable,
                              write=lambda incident, _note: backend.update_incident(incident.id, edit,
                                                                                    incident.updated_at))

        self._ask_then_confirm(lambda n: PeoplePicker(f"Commander of {n} incidents", backend.list_people,
                                                      lambda person: person), make_commander)

    def action_add_responder(self) -> None:
        if not self.selection:
            return super().action_add_responder()
        backend = self.backend

        def add_to_all(draft: ResponderDraft) -> BulkAction:
            return BulkAction("Add the responder to {n} incidents?", "given the responder", check=editable,
                              write=lambda incident, _note: backend.add_responder(incident.id, draft))

        self._ask_then_confirm(lambda n: ResponderForm(f"Add a responder to {n} incidents", backend.list_people,
                                                       backend.list_teams, lambda draft: draft), add_to_all)

    def _ask_then_confirm(self, ask: Callable[[int], Screen[T | None]], action_for: Callable[[T], BulkAction]) -> None:
        """Fetch the selected incidents, ask what to do (`ask(how_many)`: a picker or a form that
        returns its answer), then confirm `action_for(answer)` for all of them."""
        def asked(incidents: list[Incident]) -> None:
            def answered(answer: T | None) -> None:
                if answer is not None:
                    self._confirm(action_for(answer), incidents)

            self.app.push_screen(ask(len(incidents)), callback=answered)

        self._bulk(asked)

    def _one_at_a_time(self, name: str) -> bool:
        """True (and the user told) if `name` is pressed while several incidents are selected."""
        if not self.selection:
            return False
        action = next(action for action in ACTIONS if action.action == name)
        back = configured_keys(self.app, ACTIONS_BY_ID["board.back"]).split(",")[0]
        self._tell(f"{action.description} works on one incident: {back} clears the selection of "
                   f"{len(self.selection)}.", severity="warning")
        return True

    def action_comment(self) -> None:
        if not self._one_at_a_time("comment"):
            super().action_comment()

    def action_edit(self) -> None:
        if not self._one_at_a_time("edit"):
            super().action_edit()

    def action_assign_communicator(self) -> None:
        if not self._one_at_a_time("assign_communicator"):
            super().action_assign_communicator()

    def action_remove_responder(self) -> None:
        if not self._one_at_a_time("remove_responder"):
            super().action_remove_responder()

    def _bulk(self, then: Callable[[list[Incident]], None]) -> None:
        """Fetch the selected incidents as stored now, then go on with them (on the UI thread)."""
        self._asking += 1
        self._fetch_selected(list(self.selection), then)

    @work(thread=True, exit_on_error=False, group="bulk")
    def _fetch_selected(self, ids: list[UUID], then: Callable[[list[Incident]], None]) -> None:
        try:
            incidents = [self.backend.get_incident(id).incident for id in ids]
        except Exception as error:  # noqa: BLE001 - told as a sentence, see describe_error
            self.post_message(KeysFailed(describe_error(error)))
            return
        self.post_message(SelectedLoaded(incidents, then))

    def on_selected_loaded(self, message: SelectedLoaded) -> None:
        self._answered()
        message.then(message.incidents)

    def on_keys_failed(self, message: KeysFailed) -> None:
        self._answered()
        self._tell(message.sentence, severity="error")

    def _answered(self) -> None:
        self._asking = max(self._asking - 1, 0)
        keys_may_flow(self)

    def _confirm(self, action: BulkAction, incidents: Sequence[Incident]) -> None:
        if not changeable(action, incidents):
            self._tell(f"None of the {len(incidents)} selected incidents can be {action.done}: "
                       f"{lifecycle_reasons(action, incidents)}", severity="warning", timeout=10)
            return
        self.app.push_screen(confirmation(action, incidents), callback=self._bulk_done)

    def _bulk_done(self, outcomes: list[Outcome] | None) -> None:
        if outcomes is None:
            return
        failed = {outcome.incident_id for outcome in outcomes if not outcome.done}
        self.selection = {id: row for id, row in self.selection.items() if row.incident_id in failed}
        self._selection_changed()
        self.refresh_board()
        self._tell(summary(outcomes), severity="warning" if failed else "information", timeout=10 if failed else 4)

    # -- the command line (tui.screens.command_keys) on the board -----------------------------

    def show_found(self, incident_id: str, id: UUID) -> None:
        if self.apply_filter_text(incident_id, keep_id=id):
            self._tell(f"{incident_id}: the filter shows it; / changes the filter, 1-9 recall a saved view.",
                       timeout=4)

    def view_names(self) -> list[str]:
        return [view.name for view in self.views()]

    def run_view_command(self, command: Command) -> None:
        if command.kind == "view":
            self._recall_named(command.argument)
        else:
            self._save_view(command.argument)

    # -- saved views --------------------------------------------------------------------------

    def views(self) -> list[SavedView]:
        return numbered(self.incidents_app.config_views, self.saved)

    @work(thread=True, exit_on_error=False, group="views")
    def _read_views(self, path: Path | None) -> None:
        self.post_message(ViewsRead(read_saved(path) if path is not None else {}))

    def on_views_read(self, message: ViewsRead) -> None:
        self.saved = message.saved

    def action_recall_view(self, number: int) -> None:
        views = self.views()
        if number > len(views):
            key = configured_keys(self.app, ACTIONS_BY_ID["board.save_view"]).split(",")[0]
            self._tell(f"No saved view {number}: {key} saves the current filter and sort as one "
                       f"({len(views)} saved).", severity="warning")
            return
        self._show_view(views[number - 1])

    def _recall_named(self, name: str) -> None:
        view = next((view for view in self.views() if view.name.lower() == name.lower()), None)
        if view is None:
            names = ", ".join(view.name for view in self.views()) or "none yet"
            self._tell(f"No saved view named {clean(name)!r}; saved: {clean(names)}.", severity="warning")
            return
        self._show_view(view)

    def _show_view(self, view: SavedView) -> None:
        if self.apply_filter_text(view.filter):
            self._tell(f"View: {clean(view.name)}", timeout=2)

    def action_save_view(self) -> None:
        self.app.push_screen(NameViewDialog(format_query(self.incident_query), self._save_view_now),
                             callback=self._view_saved)

    @work(thread=True, exit_on_error=False, group="views")
    def _save_view(self, name: str) -> None:
        try:
            self.post_message(ViewSaved(self._save_view_now(name)))
        except OSError as error:
            self.post_message(KeysFailed(f"The view could not be saved: {error.strerror or error}."))

    def on_view_saved(self, message: ViewSaved) -> None:
        self._view_saved(message.saved)

    def _save_view_now(self, name: str) -> dict[str, str]:
        """Store the current filter and sort as view `name` (in a worker: it writes a file; a name
        already saved is saved again, at the end)."""
        path = self.incidents_app.views_file
        saved = {key: text for key, text in (read_saved(path) if path else self.saved).items() if key != name}
        saved[name] = format_query(self.incident_query)
        if path is not None:
            write_saved(path, saved)
        return saved

    def _view_saved(self, saved: dict[str, str] | None) -> None:
        if saved is None:
            return
        self.saved = saved
        name = next(reversed(saved))
        number = next((n for n, view in enumerate(self.views(), 1) if view.name == name), None)
        where = f"; {number} recalls it" if number else " (only nine have a number key: :view NAME recalls it)"
        self._tell(f"Saved view {clean(name)!r}{where}.", timeout=4)

    # -- new Critical and High incidents ------------------------------------------------------

    def announce_arrivals(self, page: Page, changes: Changes) -> None:
        """A new Critical or High incident on the page just shown: flash its row and, if the settings
        ask for it, ring the terminal bell (once per incident, and not for those already there)."""
        if not changes.any:
            return
        arrived = [row for row in page.rows
                   if row.severity in ANNOUNCED and row.id not in self._announced
                   and (changes.everything or row.id in changes.incident_ids)
                   and row.created_at is not None and row.created_at >= self._opened_at]
        if not arrived:
            return
        self._announced.update(row.id for row in arrived)
        self.table.flash(row.id for row in arrived)
        if self.incidents_app.ring_bell:
            self.app.bell()
        names = ", ".join(f"{clean(row.incident_id)} ({label(row.severity)})" for row in arrived)
        self._tell(f"New: {names}", severity="warning", timeout=6)


def status_choice(status: Status) -> Text:
    return Text.assemble((status.label, "bold"), "  ", (status.description, "dim"))


def editable(incident: Incident, _now: object) -> None:
    """A bulk check: the incident may be changed at all (not closed or cancelled)."""
    lifecycle.ensure_editable(incident)


def lifecycle_reasons(action: BulkAction, incidents: Sequence[Incident]) -> str:
    now = utcnow()
    return " ".join(f"{clean(incident.incident_id)}: {refusal(action, incident, now)}" for incident in incidents)
