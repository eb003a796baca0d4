"""The incident board: the shared list view (tui.screens.list_screen) over incidents, with the
severity strip and every incident action (tui.screens.incident_actions).

What the board adds to the list: an action acts on the incident under the cursor once its detail
is loaded (`when_selected`), a row another tool stored unreadably is shown but never changed, and
the strip counts the active incidents by severity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, cast
from uuid import UUID

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message

from ..actions import Group, bindings
from ..domain.catalog import CatalogKind
from ..domain.enums import ACTIVE_STATUSES, Severity
from ..domain.format import clean
from ..domain.grammar import parse_filter, quote
from ..domain.models import Incident, IncidentDetail, IncidentRow
from ..domain.query import DEFAULT_FILTER, EnumClause, IncidentQuery, Sort, SortKey, Window
from ..store.base import Backend, Changes, Page, Unavailable
from ..typeahead import keys_may_flow
from ..widgets.detail import IncidentDetailPane
from ..widgets.incident_table import SORTABLE, IncidentTable, sort_description
from ..widgets.severity_strip import SeverityStrip
from .board_keys import BoardKeys
from .incident_actions import IncidentActionFailed, on_the_selected_incident
from .incident_links import IncidentLinks
from .list_screen import PAGE_SIZE, RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS, ListScreen, ListSource
from .picker import PickerDialog

if TYPE_CHECKING:
    from ..app import IncidentApp

__all__ = ["PAGE_SIZE", "RETRY_FIRST_SECONDS", "RETRY_MAX_SECONDS", "Board"]  # the list screen's, read here


class CountsLoaded(Message):
    def __init__(self, counts: dict[Severity | str, int]) -> None:
        super().__init__()
        self.counts = counts


def board_row(detail: IncidentDetail) -> IncidentRow:
    """The board line of a freshly loaded incident, so the list never contradicts the detail pane."""
    incident = detail.incident
    return IncidentRow(
        id=incident.id, incident_id=incident.incident_id, title=incident.title, severity=incident.severity,
        status=incident.status, type=incident.type, commander=detail.commander.name if detail.commander else None,
        responders=tuple(responder.name for responder in detail.responders), config_count=len(detail.configs),
        check_count=len(detail.checks), created_at=incident.created_at, updated_at=incident.updated_at)


@dataclass(frozen=True)
class Link:
    """A config item or check linked to the incident under the cursor, as the jump offers it."""

    kind: CatalogKind
    id: UUID
    name: str

    def describe(self) -> Text:
        kind = "config" if self.kind is CatalogKind.CONFIGS else "check"
        return Text.assemble((f"{kind:<7}", "dim"), clean(self.name))


class IncidentSource(ListSource[IncidentQuery, IncidentRow, IncidentDetail]):
    noun = "incidents"
    place = "the board"
    default_filter = DEFAULT_FILTER
    placeholder = 'e.g. sev:critical,high status:open commander:@me age:<24h "connection reset"   ("" shows all)'
    sortable = SORTABLE

    def parse(self, text: str) -> IncidentQuery:
        return parse_filter(text)

    def default_sort(self) -> Sort:
        return Sort()

    def describe_sort(self, sort: Sort) -> str:
        return sort_description(sort)

    def page(self, backend: Backend, query: IncidentQuery, window: Window) -> Page[IncidentRow]:
        return backend.list_incidents(query, window)

    def detail(self, backend: Backend, id: UUID) -> IncidentDetail:
        return backend.get_incident(id)

    def detail_id(self, detail: IncidentDetail) -> UUID:
        return detail.incident.id

    def name(self, row: IncidentRow) -> str:
        return row.incident_id

    def readable(self, row: IncidentRow) -> bool:
        return not row.problems

    def row_of(self, detail: IncidentDetail) -> IncidentRow:
        return board_row(detail)

    def still_listed(self, backend: Backend, query: IncidentQuery, id: UUID) -> bool:
        # Its id as the filter's first word: the exact id comes first if the incident matches the rest.
        incident_id = backend.get_incident(id).incident.incident_id
        rows = backend.list_incidents(replace(query, text=(incident_id, *query.text)), Window(0, 1)).rows
        return bool(rows) and rows[0].id == id


ACTIVE = IncidentQuery(status=EnumClause(ACTIVE_STATUSES))
MOVED_BY_A_STATUS_CHANGE = frozenset({SortKey.STATUS, SortKey.UPDATED})
"""Sorts whose order a status change can change: the page is loaded again after one."""


class Board(BoardKeys, IncidentLinks, ListScreen[IncidentQuery, IncidentRow, IncidentDetail]):
    BINDINGS = bindings(Group.INCIDENT, Group.COMMANDS, Group.SAVED)
    WORKER_GROUPS: ClassVar[tuple[str, ...]] = (*ListScreen.WORKER_GROUPS, "counts")
    source = IncidentSource()

    def __init__(self, initial_filter: str = DEFAULT_FILTER, *, refresh_seconds: float = 1.0) -> None:
        # The retry pauses are read from this module when the board is made, so a test can shorten them.
        super().__init__(initial_filter, refresh_seconds=refresh_seconds,
                         retry=(RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS))
        self._waiting_action: tuple[IncidentRow | None, Callable[[], None]] | None = None
        """An incident action whose key was pressed before its incident had loaded, with the row
        then under the cursor (None while a page was on its way): see `when_selected`."""

    table: IncidentTable
    detail_pane: IncidentDetailPane

    def make_table(self) -> IncidentTable:
        return IncidentTable(id="rows")

    def make_detail_pane(self) -> IncidentDetailPane:
        return IncidentDetailPane(id="detail")

    def compose_topbar(self) -> ComposeResult:
        yield SeverityStrip(id="strip")

    def compose_bottom(self) -> ComposeResult:
        yield self.make_command_line()

    def on_mount(self) -> None:
        # ListScreen's on_mount runs too (Textual calls each class's handler along the MRO).
        self.keys_mounted()

    @property
    def incident_query(self) -> IncidentQuery:
        return self.list_query

    # -- The contract with IncidentActions ---------------------------------------------------

    def selected_detail(self) -> IncidentDetail | None:
        """The loaded detail of the incident under the cursor (None while it is loading)."""
        return self.loaded_detail()

    def selected_incident(self) -> Incident | None:
        detail = self.selected_detail()
        return detail.incident if detail else None

    def _selected(self) -> Incident | None:
        row = self.table.current
        if row is not None and row.problems:
            self._tell(f"{clean(row.incident_id)} cannot be read, so it cannot be changed here; "
                       "its detail says why.", severity="warning")
            return None
        return super()._selected()

    def when_selected(self, act: Callable[[], None]) -> None:
        """Run `act` on the incident under the cursor now, or once its details have loaded.

        Until then typed keys wait (tui.typeahead), so they act in the order they were typed. If
        the incident changed after its row was shown, or the cursor went elsewhere, `act` does
        not run: the user is told, and presses the key again knowing what it will act on.
        """
        current = self.table.current
        if self._pending is None and (current is None or current.problems or self.selected_detail()):
            act()
            return
        self._waiting_action = (current if self._pending is None else None, act)
        self._run_waiting_action()

    def _run_waiting_action(self) -> None:
        if self._waiting_action is None or self._pending is not None:
            return
        current, detail = self.table.current, self.selected_detail()
        if current is not None and not current.problems and detail is None:
            return  # its details are on their way
        (seen, act), self._waiting_action = self._waiting_action, None
        keys_may_flow(self)
        if seen is not None and (current is None or seen.id != current.id):
            self._tell(f"Nothing done: the cursor left {seen.incident_id} before it loaded.", severity="warning")
        elif seen is not None and detail is not None and seen.updated_at != detail.incident.updated_at:
            self._tell(f"Nothing done: {seen.incident_id} changed since its row was shown. Check it, "
                       "then press the key again.", severity="warning")
        else:
            act()

    def _drop_waiting_action(self) -> None:
        if self._waiting_action is not None:
            self._waiting_action = None
            keys_may_flow(self)

    # A page or detail shown may be what a waiting action waited for; a failed load ends the wait.
    after_page = after_detail = _run_waiting_action
    after_failure = _drop_waiting_action

    def refresh_board(self, keep_id: UUID | None = None, written: Incident | None = None) -> None:
        """Reload the page, counts and detail, keeping the cursor on `keep_id` (default: the current one),
        even if that incident no longer matches the filter. With `written` (an incident as a status change
        stored it), show it instead where it can be (see `_show_written`)."""
        if written is None or not self._show_written(written):
            self._reload(keep_id, pin=True)

    def _show_written(self, incident: Incident) -> bool:
        """The incident under the cursor as the backend returned it after a status change: its row, the
        pane and the severity counts change in place, and only its detail is fetched again (a new timeline
        line). False, and nothing done, when the board is not showing that incident's loaded detail."""
        row, detail = self.table.current, self.loaded_detail()
        if self._pending is not None or row is None or detail is None or row.id != incident.id:
            return False
        self._recount(detail.incident, incident)
        status = self.list_query.status
        left_filter = status is not None and (incident.status in status.values) == status.negated
        self.show_written(detail.model_copy(update={"incident": incident}), left_filter=left_filter,
                          moves=self.list_query.sort.key in MOVED_BY_A_STATUS_CHANGE)
        return True

    def _recount(self, before: Incident, after: Incident) -> None:
        """The severity strip after a status change, counted on from what it showed (it counts active incidents)."""
        strip = self.query_one(SeverityStrip)
        was, now = before.status in ACTIVE_STATUSES, after.status in ACTIVE_STATUSES
        if strip.counts is None or was == now:
            return
        counts = dict(strip.counts)
        counts[after.severity] = max(counts.get(after.severity, 0) + (1 if now else -1), 0)
        strip.show_counts(counts)

    @property
    def accepting_keys(self) -> bool:
        """Typed keys wait while the filter is being applied or an action waits for its incident
        (see tui.typeahead)."""
        return super().accepting_keys and self._waiting_action is None and not self.keys_waiting

    # -- What the keys of tui.screens.board_keys need of the board -------------------------------

    def status_prefix(self) -> str:
        return self.selection_status()

    def changes_shown(self, page: Page, changes: Changes) -> None:
        self.announce_arrivals(page, changes)

    def load_applied(self, query: IncidentQuery) -> None:
        self._load(0)  # an exact id typed in the filter is the first row (IncidentQuery.exact_id)

    def apply_filter_text(self, text: str, keep_id: UUID | None = None) -> bool:
        """Show `text` (a saved view, a jump) in the filter bar and apply it, its sort included, with the
        cursor on `keep_id` if the first page holds it. False (and the bar says why) if it does not parse."""
        self.filter_bar.filter_input.value = text
        query = self.filter_bar.apply(text)
        if query is None:
            return False
        self.list_query = query
        self.table.focus()
        self._load(0, keep_id)
        return True

    def action_back(self) -> None:
        if not (self.close_command_line() or self.drop_selection()):
            super().action_back()

    # -- Jumps to the linked config items and checks -------------------------------------------

    @on_the_selected_incident
    def action_jump_to_link(self) -> None:
        detail = self.selected_detail()
        if detail is None:
            return
        links = [Link(CatalogKind.CONFIGS, item.id, item.name) for item in detail.configs]
        links += [Link(CatalogKind.CHECKS, item.id, item.name) for item in detail.checks]
        if len(links) == 1:
            self._jump(links[0])
        elif links:
            self.app.push_screen(PickerDialog(f"Open a link of {clean(detail.incident.incident_id)}",
                                              lambda: links, Link.describe, lambda link: link),
                                 callback=self._jump)
        else:
            self._tell(f"{detail.incident.incident_id} has no linked config items or health checks.",
                       severity="warning")

    def _jump(self, link: Link | None) -> None:
        if link is not None:  # None: the picker was cancelled
            cast("IncidentApp", self.app).show_view(link.kind, quote(link.name), keep_id=link.id)

    def on_incident_action_failed(self, message: IncidentActionFailed) -> None:
        # Textual calls IncidentActions' handler too (it dispatches along the MRO): it tells the error.
        if isinstance(message.error, Unavailable):
            self._unreachable(message.error, retried=False)

    # -- Severity counts ---------------------------------------------------------------------

    def fetch_summary(self) -> None:
        self._fetch_counts()

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _fetch_counts(self) -> None:
        self.post_message(CountsLoaded(self.backend.count_by_severity(ACTIVE)))

    @on(CountsLoaded)
    def _show_counts(self, message: CountsLoaded) -> None:
        self.query_one(SeverityStrip).show_counts(message.counts)
        self._tell_notices()
