"""What every list view (the incident board, configs, checks) does: a filter bar, one page of
rows around the cursor, a detail pane, live updates and an offline banner.

A `ListSource` (one per view) says how to parse the filter, fetch a page and a detail, and name
a row; the view's table draws the rows and its detail pane the detail. Everything else is here.

Every backend call runs in a thread worker that posts a message; the handlers own the state and
drop answers to questions no longer asked. The table holds one page around the cursor; moving
past its edge asks the backend for the page that holds the new row.

Live: every `refresh_seconds` the screen asks the backend what changed since its mark (cheap
when nothing did). When something did, it reloads what it shows. Every page load first asks
the same question and takes the answer with the page, so the mark only moves with a page
shown after it: no change is lost to an answer dropped as stale, and the screen's own writes
(which reload the page) are not reloaded twice. Ages tick: once the clock's minute turns, the
rows and the detail whose age reads differently are redrawn (nothing is fetched).

Offline: when a call finds the store unreachable (`Unavailable`: a server down, slow or
restarting), a banner says so and since when, the rows shown stay (dimmed: they may be stale),
and the screen asks again with growing pauses. The first answer hides the banner and reloads
what is shown, so what changed meanwhile appears.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, Self, TypeVar, cast
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState

from ..actions import ACTIONS_BY_ID, Group, bindings
from ..domain.catalog import CatalogKind
from ..domain.clock import utcnow
from ..domain.format import age, clean
from ..domain.query import Window
from ..store.base import Backend, Changes, Page, Superseded, Unavailable
from ..widgets.detail import key_for
from ..widgets.filter_bar import FilterBar
from ..widgets.footer import SteadyFooter
from ..widgets.row_table import RowTable
from .dialog import describe_error

if TYPE_CHECKING:
    from ..app import IncidentApp

PAGE_SIZE = 100
"""Rows held at once: a few screens of margin around the cursor, never the whole result."""
PAST_ANY_END = 2**62
"""A row index beyond any result: where `G` aims when the count is only a lower bound ("10,000+")."""
DETAIL_QUIET_SECONDS = 0.12
"""While the cursor keeps moving, load the detail at most this often (the last one always)."""
AGE_TICK_SECONDS = 1.0
"""How often the screen checks whether the clock's minute turned (then ages are redrawn)."""
NEARBY_DETAILS = 16
"""Details kept of the rows the cursor was on or is next to, so a step shows one at once."""
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0
"""While the store is unreachable it is asked again after 0.5 s, then twice as long each time up to
5 s: a restart is noticed within seconds, and a server that is down is not hammered."""


class ListQuery(Protocol):
    """What the screen needs of a parsed filter: its sort, and the same filter sorted otherwise."""

    @property
    def sort(self) -> Any: ...

    def sorted_by(self, sort: Any) -> Self: ...


class ListRow(Protocol):
    @property
    def id(self) -> UUID: ...


Query = TypeVar("Query", bound=ListQuery)
Row = TypeVar("Row", bound=ListRow)
Detail = TypeVar("Detail")


class ListSource(Generic[Query, Row, Detail]):
    """What a list screen needs to know of its rows: one subclass per view."""

    noun: str = "rows"
    """What the rows are, in messages: "no incidents match this filter"."""
    place: str = "the list"
    """The view, in messages: "Connected again; the board is up to date."."""
    default_filter: str = ""
    placeholder: str = ""
    """An example filter, shown in the empty filter bar."""
    sortable: tuple[Any, ...] = ()
    """The sort keys `s` cycles through, in order."""

    def parse(self, text: str) -> Query:
        """Filter text to a query; raises the grammar's FilterError on bad input."""
        raise NotImplementedError

    def default_sort(self) -> Any:
        raise NotImplementedError

    def describe_sort(self, sort: Any) -> str:
        raise NotImplementedError

    def page(self, backend: Backend, query: Query, window: Window) -> Page[Row]:
        raise NotImplementedError

    def detail(self, backend: Backend, id: UUID) -> Detail:
        raise NotImplementedError

    def detail_id(self, detail: Detail) -> UUID:
        raise NotImplementedError

    def name(self, row: Row) -> str:
        """A row as named in messages (an incident's INC-12)."""
        raise NotImplementedError

    def readable(self, row: Row) -> bool:
        """False for a row whose detail cannot be read either (the pane says why instead)."""
        return True

    def changed(self, changes: Changes) -> frozenset[UUID] | None:
        """The rows of this view that `changes` names; None when any row may have changed."""
        return None if changes.everything else changes.incident_ids

    def row_of(self, detail: Detail) -> Row | None:
        """The row of a freshly loaded detail, so the list never contradicts the pane (None: keep it)."""
        return None

    def still_listed(self, backend: Backend, query: Query, id: UUID) -> bool:
        """Whether row `id`, missing from the page around its old place, still matches `query` (it moved
        in the sort rather than leave the filter); False where a view cannot tell."""
        return False


@dataclass(frozen=True, eq=False)
class PageRequest:
    """A question to the backend; an answer is used only if it is still the latest question."""

    query: Any
    target: int
    """Absolute row the cursor should land on."""
    keep_id: UUID | None = None
    """Land on this row instead, if the page holds it."""
    pin: bool = False
    """If `keep_id` no longer matches the filter, keep showing it (see `ListScreen._pinned`)."""
    fresh_detail: UUID | None = None
    """The detail of this row is shown and fresh: fetched again only if it changed."""

    @property
    def window(self) -> Window:
        return Window(offset=max(0, self.target - PAGE_SIZE // 2), limit=PAGE_SIZE)


class PageLoaded(Message):
    def __init__(self, request: PageRequest, page: Page, since: object | None, changes: Changes) -> None:
        super().__init__()
        self.request, self.page = request, page
        self.since, self.changes = since, changes
        """What changed since the mark `since`, asked just before the page (so the page shows it)."""


class KeptMoved(Message):
    """The row `request` kept is not on its page but still matches: it moved far in the sort."""

    def __init__(self, request: PageRequest) -> None:
        super().__init__()
        self.request = request


class ChangesFound(Message):
    def __init__(self, since: object | None, changes: Changes) -> None:
        super().__init__()
        self.since, self.changes = since, changes


class DetailLoaded(Message):
    def __init__(self, detail: Any) -> None:
        super().__init__()
        self.detail = detail


def landing_id(request: PageRequest, page: Page) -> UUID | None:
    """The row the cursor will be on once `page` answers `request` (see `ListScreen._show_page`)."""
    if request.keep_id is not None and (request.pin or any(row.id == request.keep_id for row in page.rows)):
        return request.keep_id
    if not page.rows:
        return None
    return page.rows[min(max(request.target - page.offset, 0), len(page.rows) - 1)].id


def detail_wanted(request: PageRequest, changed: frozenset[UUID] | None, landing: UUID | None) -> bool:
    """Whether the page's worker fetches the detail the cursor lands on (`changed`: see `ListSource.changed`)."""
    if landing is None:
        return False
    return landing != request.fresh_detail or changed is None or landing in changed


def _changed_rows(page: Page, held: dict[UUID, Any], changed: frozenset[UUID] | None) -> list[UUID]:
    """The rows of `page` to mark as changed elsewhere: those named, else those that differ from `held`."""
    if changed is None:
        return [row.id for row in page.rows if row.id in held and held[row.id] != row]
    return [row.id for row in page.rows if row.id in changed]


class ListScreen(Screen, Generic[Query, Row, Detail]):
    """The shared list view. A view gives its `source` and makes its table and detail pane.

    The table is a `RowTable` holding one `Page`; see `make_detail_pane` for what the pane does."""

    BINDINGS = bindings(Group.BOARD, Group.VIEWS)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    WORKER_GROUPS: ClassVar[tuple[str, ...]] = ("page", "detail", "live")
    """The groups of this screen's backend workers: a failure in one is told, never a traceback."""

    source: ListSource[Query, Row, Detail]

    def __init__(self, initial_filter: str | None = None, *, keep_id: UUID | None = None,
                 refresh_seconds: float = 1.0,
                 retry: tuple[float, float] = (RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS)) -> None:
        super().__init__()
        self.initial_filter = self.source.default_filter if initial_filter is None else initial_filter
        self._first_row = keep_id
        """The row the cursor opens on, if the first page holds it (a jump from another view)."""
        self.refresh_seconds = refresh_seconds
        """How often to look for changes made elsewhere; 0: never."""
        self._retry_first, self._retry_max = retry
        self.live_paused = False
        self._mark: object | None = None
        """Where the backend's changes were last taken into what the screen shows."""
        self._looking = False
        """A look for changes is on its way."""
        self._look_failed = False
        """The last look failed (and the user was told; not again until one works)."""
        self._offline_since: float | None = None
        """When (monotonic) the store was first found unreachable; None while it answers."""
        self._offline_reason = ""
        self._notices_told = 0
        """How many of the backend's notices (what a server lacks, found out as it is used) were shown."""
        self._load_error = ""
        """Why the last page could not be loaded (a refusal, say): the status line says it."""
        self._retry_delay = self._retry_first
        self._retry_timer: Timer | None = None
        self._minute: datetime | None = None
        self._summarised_with: PageRequest | None = None
        """A page whose load fetched the summary too (so the changes it brings need no new one)."""
        self.list_query: Query = self.source.parse(self.source.default_filter)
        self._pending: PageRequest | None = None
        self._pinned: UUID | None = None
        self._pinned_moved = False
        """The pinned row still matches the filter: it moved in the sort beyond the page (not left)."""
        """A row an action (or another user) just moved out of the filter. It stays under the
        cursor until the cursor moves, so a quick `m` then `r` never lands on its neighbour."""
        self._detail: Detail | None = None
        self._wanted_detail: UUID | None = None
        self._requested_detail: UUID | None = None
        self._detail_timer: Timer | None = None
        self._nearby: OrderedDict[UUID, Detail] = OrderedDict()
        """Recently fetched details, newest last: shown at once when the cursor lands on one, while
        a fresh copy is fetched (so the pane is never older than the keystroke for long)."""
        self._step = 0
        """The direction the cursor last moved by key: the detail one row further that way is fetched
        ahead (none before the first move, so start-up fetches only what it shows)."""
        self._status = ""

    # -- What a view provides ----------------------------------------------------------------

    def make_table(self) -> RowTable:
        """The view's table, with id "rows"."""
        raise NotImplementedError

    def make_detail_pane(self) -> Any:
        """The view's detail pane, with id "detail": `show(detail | None)`, `show_unreadable(row)`, `tick()`,
        `prepare(detail)` (a detail fetched ahead, to be shown soon)."""
        raise NotImplementedError

    def compose_topbar(self) -> ComposeResult:
        """What the top line shows beside the title."""
        yield from ()

    def compose_bottom(self) -> ComposeResult:
        """What a view shows between its status line and the footer (the board: its `:` line)."""
        yield from ()

    def status_prefix(self) -> str:
        """What a view says first in its status line (the board: how many incidents are selected)."""
        return ""

    def changes_shown(self, page: Page, changes: Changes) -> None:
        """A page just shown brings changes made elsewhere (the board announces new incidents)."""

    def load_applied(self, query: Query) -> None:
        """Load the first page for a filter just applied (the board lands on an exact id typed in it)."""
        self._load(0)

    def fetch_summary(self) -> None:
        """Reload what the view shows of the whole store (the board's severity counts); none here."""

    def after_page(self) -> None:
        """A page (and the row under the cursor) was just shown."""

    def after_detail(self) -> None:
        """The detail under the cursor was just shown."""

    def after_failure(self) -> None:
        """A page or detail could not be loaded."""

    # -- Shared with the view -----------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        return cast("IncidentApp", self.app).backend

    def _tell(self, message: str, *, severity: SeverityLevel = "information", timeout: float | None = None) -> None:
        """Notify with the text as typed: stored data is never markup."""
        self.notify(clean(message), severity=severity, timeout=timeout, markup=False)

    def loaded_detail(self) -> Detail | None:
        """The loaded detail of the row under the cursor (None while it is loading)."""
        row = self.table.current
        if row is None or self._detail is None or self.source.detail_id(self._detail) != row.id:
            return None
        return self._detail

    def _reload(self, keep_id: UUID | None, *, pin: bool) -> None:
        current = self.table.current
        keep_id = keep_id or (current.id if current else None)
        # The detail may have changed even if the row did not: until the fresh one is here, an
        # action waits for it rather than act on what may be stale.
        self._detail = self._requested_detail = None
        self._nearby.clear()
        self._load(self._intended_index(), keep_id, pin=pin)
        self.fetch_summary()
        self._summarised_with = self._pending

    @property
    def accepting_keys(self) -> bool:
        """Typed keys wait while the filter is being applied (see tui.typeahead)."""
        return not any(bar.applying for bar in self.query(FilterBar))  # none yet while composing

    @property
    def busy(self) -> bool:
        """A page is on its way or the detail may still be re-fetched (tests wait for this)."""
        return self._pending is not None or self._detail_timer is not None

    # -- Layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The breakpoint class now rather than on the first resize: the first layout is then the
        # right one, and start-up saves a second layout and the frame it costs.
        width = self.app.size.width
        self.add_class([name for start, name in self.HORIZONTAL_BREAKPOINTS if width >= start][-1])
        with Horizontal(id="topbar"):
            where = self.app.sub_title
            yield Label(f"{self.app.title} · {clean(where)}" if where else self.app.title, id="app-title")
            yield from self.compose_topbar()
        yield FilterBar(self.initial_filter, parse=self.source.parse, placeholder=self.source.placeholder, id="filter")
        yield Static(id="offline")
        with Container(id="body"):
            self.table = self.make_table()
            self.detail_pane = self.make_detail_pane()
            yield self.table
            yield self.detail_pane
        yield Static(id="status")
        yield from self.compose_bottom()
        yield SteadyFooter()

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        query = self.filter_bar.apply(self.initial_filter)
        if query is None:  # a bad filter from the command line: say so, show the default
            query = self.source.parse(self.source.default_filter)
        self.list_query = query
        self.table.focus()
        self._load(0, self._first_row)
        self.fetch_summary()
        if self.refresh_seconds > 0:
            # Not `_auto_refresh`: that name is Textual's own attribute on every widget.
            self.set_interval(self.refresh_seconds, self._look_for_changes)
        self._minute = utcnow().replace(second=0, microsecond=0)
        self.set_interval(AGE_TICK_SECONDS, self._tick_ages)

    # -- Live updates ------------------------------------------------------------------------

    def _look_for_changes(self) -> None:
        # Not while a page is on its way (it brings the changes with it), nor under a dialog.
        if (self.live_paused or self._looking or self._pending is not None or not self.is_current
                or self._offline_since is not None):  # then the retry timer asks
            return
        self._looking = True
        self._fetch_changes(self._mark)

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def _fetch_changes(self, since: object | None) -> None:
        self.post_message(ChangesFound(since, self.backend.changes_since(since)))

    @on(ChangesFound)
    def _changes_found(self, message: ChangesFound) -> None:
        self._looking = self._look_failed = False
        if self._offline_since is not None:
            self._back_online()
            return
        if message.since is self._mark and self._pending is None and message.changes.any:
            current, shown = self.table.current, self.loaded_detail()
            self._load(self._intended_index(), current.id if current else None, pin=True,
                       fresh_detail=self.source.detail_id(shown) if shown is not None else None)

    def _take_changes(self, request: PageRequest, changes: Changes) -> None:
        """What changed is in the page just shown for `request`: forget stale details, resummarise."""
        changed = self.source.changed(changes)
        for changed_id in self._nearby.copy() if changed is None else changed:
            self._nearby.pop(changed_id, None)
        if self._detail is not None and (changed is None or self.source.detail_id(self._detail) in changed):
            self._detail = None  # until the fresh one is here, an action waits for it
        if request is not self._summarised_with:
            self.fetch_summary()

    def action_toggle_live(self) -> None:
        if self.refresh_seconds <= 0:
            self.notify("Live updates are off: refresh_seconds is 0 in the config file.", markup=False)
            return
        self.live_paused = not self.live_paused
        self._update_status()
        if not self.live_paused:
            self._look_for_changes()

    # -- Offline ------------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return self._offline_since is not None

    def _unreachable(self, error: Unavailable, *, retried: bool) -> None:
        """The store did not answer: show the banner and keep asking (`retried`: a retry failed)."""
        if self._offline_since is None:
            self._offline_since, self._retry_delay = time.monotonic(), self._retry_first
            self.add_class("-offline")
        elif retried:
            self._retry_delay = min(self._retry_delay * 2, self._retry_max)
        self._offline_reason = clean(str(error))
        self._show_offline()
        if self._retry_timer is None and not self._looking:
            self._retry_timer = self.set_timer(self._retry_delay, self._retry)

    def _retry(self) -> None:
        self._retry_timer = None
        self._looking = True
        self._fetch_changes(self._mark)

    def _show_offline(self) -> None:
        if self._offline_since is None:
            return
        since = age(timedelta(seconds=time.monotonic() - self._offline_since))
        self.query_one("#offline", Static).update(
            f"⚠ {self._offline_reason.rstrip('.')}. Retrying… (no answer for {since}; "
            f"the {self.source.noun} below may be out of date)")

    def _back_online(self) -> None:
        """The store answers again: everything shown may have changed meanwhile, so reload it."""
        self._offline_since = None
        self.remove_class("-offline")
        self._nearby.clear()
        self._detail = self._requested_detail = None
        current = self.table.current
        self._load(self._intended_index(), current.id if current else None, pin=True)
        self.fetch_summary()
        self._tell(f"Connected again; {self.source.place} is up to date.", timeout=3)

    def _tick_ages(self) -> None:
        self._show_offline()
        minute = utcnow().replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute = minute
            self.table.tick()
            self.detail_pane.tick()

    # -- Loading pages -----------------------------------------------------------------------

    def _intended_index(self) -> int:
        """Where the cursor is, or is about to be once the page being loaded arrives."""
        if self._pending is not None:
            return self._pending.target
        return self.table.index or 0

    def _load(self, target: int, keep_id: UUID | None = None, *, pin: bool = False,
              fresh_detail: UUID | None = None) -> None:
        self._pinned, self._pinned_moved = None, False
        self._pending = PageRequest(self.list_query, max(target, 0), keep_id, pin, fresh_detail)
        self._update_status()
        self._fetch_page(self._pending, self._mark)

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _fetch_page(self, request: PageRequest, since: object | None) -> None:
        changes = self.backend.changes_since(since)
        page = self.source.page(self.backend, request.query, request.window)
        self.post_message(PageLoaded(request, page, since, changes))
        kept = request.keep_id  # after the page: the board shows it first, then says why its row is kept
        if (request.pin and kept is not None and all(row.id != kept for row in page.rows)
                and self.source.still_listed(self.backend, request.query, kept)):
            self.post_message(KeptMoved(request))
        # The detail the page lands on, in the same thread: no round trip through the UI for it.
        landing = landing_id(request, page)
        if landing is not None and detail_wanted(request, self.source.changed(changes), landing) and all(
                self.source.readable(row) for row in page.rows if row.id == landing):
            self.post_message(DetailLoaded(self.source.detail(self.backend, landing)))

    @on(PageLoaded)
    def _show_page(self, message: PageLoaded) -> None:
        request, page = message.request, message.page
        if request is not self._pending:
            return
        if not page.rows and page.total and request.window.offset:
            # Rows went away since the total was known: ask again for the end of the result.
            self._load(page.total - 1, request.keep_id)
            return
        self._pending = None
        self._load_error = ""
        held = {row.id: row for row in self.table.page.rows}
        changes = message.changes
        if message.since is self._mark:
            self._mark = changes.mark
            if changes.any:
                self._take_changes(request, changes)
        self._requested_detail = landing_id(request, page)  # on its way from the page's worker, or fresh
        index = next((page.offset + i for i, row in enumerate(page.rows) if row.id == request.keep_id), None)
        if (index is None and request.pin and request.keep_id is not None
                and self.table.index_of(request.keep_id) is not None):
            self._pinned = request.keep_id  # keep the old page; the detail fetch refreshes the row
        else:
            self.table.show_page(page, request.query.sort, request.target if index is None else index)
        if changes.any:
            self.table.mark_changed(_changed_rows(page, held, self.source.changed(changes)))
            self.changes_shown(page, changes)
        self._cursor_moved()
        self.after_page()
        self._tell_notices()

    @on(KeptMoved)
    def _kept_moved(self, message: KeptMoved) -> None:
        if self._pinned is not None and self._pinned == message.request.keep_id and self._pending is None:
            self._pinned_moved = True
            self._update_status()

    def _tell_notices(self) -> None:
        """Once each: a remote backend says what the server lacks (not part of the protocol: optional)."""
        notices = getattr(self.backend, "notices", ())
        for notice in notices[self._notices_told:]:
            self._tell(notice, severity="warning", timeout=10)
        self._notices_told = len(notices)

    def go_to(self, index: int) -> None:
        total = self.table.total
        if not total:
            return
        index = min(max(index, 0), total - 1)
        if self._pending is None and self._pinned is None and self.table.holds(index):
            self.table.move_to(index)
            # Now rather than on the table's RowHighlighted message: the screen repaints as soon as
            # the key is handled, and the row and its detail (when known) belong in the same frame.
            self._cursor_moved()
        elif self._pinned is not None and self.table.holds(index):
            # Leaving a pinned row: reload without it, landing on the row the user aimed at.
            self._load(index, self.table.row_at(index).id)
        else:
            self._load(index)

    # -- The cursor and the detail -----------------------------------------------------------

    @on(RowTable.RowClicked, "#rows")
    def _row_clicked(self, event: RowTable.RowClicked) -> None:
        self.table.focus()
        self.go_to(event.index)

    def _cursor_moved(self) -> None:
        self._update_status()
        row = self.table.current
        if row is None:
            self._detail = self._wanted_detail = self._requested_detail = None
            self.detail_pane.show(None)
            return
        if not self.source.readable(row):  # its detail cannot be read either: say what is wrong instead
            self._detail = self._wanted_detail = None
            self.detail_pane.show_unreadable(row)
            return
        known = self._nearby.get(row.id)
        if known is not None and row.id != self._wanted_detail:
            self._detail = known
            self.detail_pane.show(known)
        self._wanted_detail = row.id
        if self._detail_timer is None:
            self._request_detail()

    def _request_detail(self) -> None:
        """Fetch the wanted detail now, then stay quiet briefly so fast scrolling costs one fetch.
        A detail prefetched is not fetched again (a change made elsewhere drops it from `_nearby`):
        only the next one ahead is."""
        wanted = self._wanted_detail
        if wanted is not None and wanted != self._requested_detail:
            self._requested_detail = wanted
            known, ahead = wanted in self._nearby, self._row_ahead()
            if known and ahead is None:
                return
            self._fetch_detail(None if known else wanted, ahead)
            self._detail_timer = self.set_timer(DETAIL_QUIET_SECONDS, self._quiet_over)

    def _row_ahead(self) -> UUID | None:
        """The row one step further in the direction the cursor moves, if held and not yet known."""
        index = self.table.index
        if index is None or not self._step or not self.table.holds(index + self._step):
            return None
        ahead = self.table.row_at(index + self._step)
        return None if ahead.id in self._nearby or not self.source.readable(ahead) else ahead.id

    def _quiet_over(self) -> None:
        self._detail_timer = None
        self._request_detail()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _fetch_detail(self, row_id: UUID | None, ahead: UUID | None) -> None:
        if row_id is not None:
            self.post_message(DetailLoaded(self.source.detail(self.backend, row_id)))
        if ahead is not None:
            self.post_message(DetailLoaded(self.source.detail(self.backend, ahead)))

    @on(DetailLoaded)
    def _show_detail(self, message: DetailLoaded) -> None:
        detail = message.detail
        self._remember(detail)
        if self.source.detail_id(detail) != self._wanted_detail:
            self.detail_pane.prepare(detail)  # a neighbour, fetched ahead: its lines made while idle
        else:
            self._detail = detail
            self.detail_pane.show(detail)
            row = self.source.row_of(detail)
            if row is not None:
                self.table.replace_row(row)
            self.after_detail()

    def show_written(self, detail: Detail, *, left_filter: bool, moves: bool) -> None:
        """A detail made from what a write returned, shown at once in the pane and its row; it is fetched
        again in the background for what else the write stored (a timeline line). `left_filter`: the row
        no longer matches the filter, so it stays pinned under the cursor. `moves`: the write changed
        what the rows are sorted by, so the page is loaded again too (the cursor follows the row)."""
        detail_id = self.source.detail_id(detail)
        self._remember(detail)
        self._detail, self._wanted_detail, self._requested_detail = detail, detail_id, detail_id
        self.detail_pane.show(detail)
        row = self.source.row_of(detail)
        if row is not None:
            self.table.replace_row(row)
        if moves:
            self._load(self._intended_index(), detail_id, pin=True, fresh_detail=detail_id)
            return
        if left_filter:
            self._pinned = detail_id
        self._update_status()
        self._fetch_detail(detail_id, None)

    def _remember(self, detail: Detail) -> None:
        detail_id = self.source.detail_id(detail)
        self._nearby[detail_id] = detail
        self._nearby.move_to_end(detail_id)
        while len(self._nearby) > NEARBY_DETAILS:
            self._nearby.popitem(last=False)

    # -- Status line -------------------------------------------------------------------------

    def _update_status(self) -> None:
        table, index = self.table, self.table.index
        if self._pending is not None and not table.page.rows:
            text = "loading…"
        elif self._load_error and not table.page.rows:
            text = f"not loaded: {self._load_error}"
        elif not table.total or index is None:  # no rows, but a count that saw rows inserted after the page
            text = f"no {self.source.noun} match this filter"
        else:
            text = f"row {index + 1:,} of {table.page.count}"
        if self._pinned is not None and table.current is not None:
            name = clean(self.source.name(table.current))
            went = f"moved in the sort, off this page (/ {name} finds it" if self._pinned_moved else "left the filter ("
            text = f"{name} {went}; ctrl+r drops it) · {text}"
        if prefix := self.status_prefix():
            text = f"{prefix} · {text}"
        if self.live_paused:
            text = f"live updates paused ({key_for(self, ACTIONS_BY_ID['board.live'])} resumes) · {text}"
        status = f"{text} · sorted by {self.source.describe_sort(self.list_query.sort)}"
        if status != self._status:
            self._status = status
            self.query_one("#status", Static).update(status, layout=False)  # one line, always: no re-layout

    # -- Filter ------------------------------------------------------------------------------

    @on(FilterBar.Applied)
    def _filter_applied(self, message: FilterBar.Applied) -> None:
        # A sort typed in the filter wins; otherwise the sort chosen with s / S stays.
        typed = message.query.sort
        self.list_query = message.query.sorted_by(
            typed if typed != self.source.default_sort() else self.list_query.sort)
        self.table.focus()
        self.filter_bar.settled()
        self.load_applied(message.query)

    # -- List actions (keys come from tui.actions) --------------------------------------------

    def action_focus_filter(self) -> None:
        self.filter_bar.edit()

    def action_back(self) -> None:
        """Undo what is open (the filter being edited, the detail); with nothing open, return to the
        view this one was opened from."""
        opened_from = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        # Whatever has the focus: a view just pushed or popped to may not have given it to its table
        # yet when a key typed ahead arrives, and that esc must not be spent on focusing it.
        nothing_open = not (self.filter_bar.editing or self.detail_open
                            or self.detail_pane.has_focus_within)
        if isinstance(opened_from, ListScreen) and nothing_open:
            self.app.pop_screen()
            return
        if self.filter_bar.editing:
            self.filter_bar.revert()
        self._set_detail_open(False)
        self.table.focus()

    def action_show_configs(self) -> None:
        cast("IncidentApp", self.app).show_view(CatalogKind.CONFIGS)

    def action_show_checks(self) -> None:
        cast("IncidentApp", self.app).show_view(CatalogKind.CHECKS)

    def action_cursor_down(self) -> None:
        self._step = 1
        self.go_to(self._intended_index() + 1)

    def action_cursor_up(self) -> None:
        self._step = -1
        self.go_to(self._intended_index() - 1)

    def _screenful(self) -> int:
        return max(self.table.scrollable_content_region.height - 1, 1)

    def action_page_down(self) -> None:
        self.go_to(self._intended_index() + self._screenful())

    def action_page_up(self) -> None:
        self.go_to(self._intended_index() - self._screenful())

    def action_cursor_top(self) -> None:
        self.go_to(0)

    def action_cursor_bottom(self) -> None:
        if self.table.page.exact:
            self.go_to(self.table.total - 1)
        else:  # past a capped count: the empty answer carries the exact total, and _show_page asks for its end
            self._load(PAST_ANY_END)

    @property
    def detail_open(self) -> bool:
        """The pane was opened (enter, tab): on a narrow terminal it is shown under the list."""
        return self.detail_pane.has_class("-open")

    def _set_detail_open(self, is_open: bool) -> None:
        # A class on the pane, not on the screen: a class on the screen restyles every widget on it.
        self.detail_pane.set_class(is_open, "-open")
        # The list got shorter or taller: keep the selected row in sight.
        self.call_after_refresh(self.table.scroll_to_cursor)

    def action_open_detail(self) -> None:
        self._set_detail_open(True)
        self.detail_pane.focus()

    def action_toggle_detail(self) -> None:
        if self.has_class("-wide"):
            (self.table if self.detail_pane.has_focus else self.detail_pane).focus()
            return
        self._set_detail_open(not self.detail_open)
        if not self.detail_open:
            self.table.focus()

    def action_cycle_sort(self) -> None:
        keys = list(self.source.sortable)
        current = self.list_query.sort.key
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self._sort_by(replace(self.source.default_sort(), key=following))

    def action_reverse_sort(self) -> None:
        sort = self.list_query.sort
        self._sort_by(replace(sort, descending=not sort.descending))

    @on(RowTable.HeaderClicked, "#rows")
    def _header_clicked(self, event: RowTable.HeaderClicked) -> None:
        """A click on a column header sorts by it; a second click reverses."""
        key = event.column.sort
        if key is None:
            return
        sort = self.list_query.sort
        self._sort_by(replace(sort, descending=not sort.descending) if key is sort.key
                      else replace(self.source.default_sort(), key=key))

    def _sort_by(self, sort: Any) -> None:
        self.list_query = self.list_query.sorted_by(sort)
        self._load(0)

    def action_refresh(self) -> None:
        self._reload(None, pin=False)

    # -- Errors ------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed backend call is a notification, never a traceback; the screen keeps what it shows."""
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.group not in self.WORKER_GROUPS:
            return
        if isinstance(worker.error, Superseded):  # another screen's newer page replaced this one's
            if not worker.is_cancelled and worker.group == "page" and self._pending is not None:
                self._fetch_page(self._pending, self._mark)  # still wanted here: ask again
            return
        error = cast(BaseException, worker.error)  # a worker in the ERROR state holds its error
        if worker.group == "live":
            self._looking = False
        if worker.group == "page":
            self._pending = None
            if not isinstance(error, Unavailable):
                self._load_error = describe_error(error)
            self._update_status()
        if worker.group != "live":
            self.after_failure()
        if isinstance(error, Unavailable):  # the banner says it, once, and stays until it answers
            self._unreachable(error, retried=worker.group == "live")
            return
        if worker.group == "live":
            if self._look_failed:
                return  # told already; the next look tries again
            self._look_failed = True
        title = ("Live updates cannot reach the store" if worker.group == "live"
                 else f"Could not load {self.source.noun}")
        self.notify(describe_error(error), title=title, severity="error", markup=False)
