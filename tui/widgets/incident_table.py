"""The incident list: a DataTable that holds one page of the result, never all of it.

The board asks the backend for a window around the cursor; this widget shows that window,
knows which absolute rows it holds (`page_offset`, `total`) and says whether a row is loaded.
Cells are `rich.text.Text` built from cleaned data, so `[SEV1]` stays as typed.
Severity and status are coloured and also spelled out, so they read without colour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from ..domain import format as fmt
from ..domain.clock import utcnow
from ..domain.enums import IncidentType, Severity, Status, label
from ..domain.query import Sort, SortKey
from ..store.base import Page
from ..domain.models import IncidentRow

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on #b3261e",
    Severity.HIGH: "bold #ff8700",
    Severity.MEDIUM: "#d7af00",
    Severity.LOW: "#5f87d7",
    Severity.INFO: "dim",
}
SEVERITY_SHORT = {Severity.CRITICAL: "CRIT", Severity.HIGH: "HIGH", Severity.MEDIUM: "MED",
                  Severity.LOW: "LOW", Severity.INFO: "INFO"}
STATUS_STYLE = {
    Status.OPEN: "bold #ff5f5f",
    Status.INVESTIGATING: "bold #ff5f5f",
    Status.NEW: "bold #ff5f5f",
    Status.MITIGATED: "#d7af00",
    Status.RESOLVED: "#5faf5f",
    Status.CLOSED: "dim",
    Status.CANCELLED: "dim strike",
}
UNKNOWN_STYLE = "italic"
"""Values no known spelling parses to are shown verbatim, in italics."""


def severity_text(severity: Severity | str, *, short: bool = True) -> Text:
    if not isinstance(severity, Severity):
        return Text(fmt.clean(str(severity)), style=UNKNOWN_STYLE)
    return Text(SEVERITY_SHORT[severity] if short else severity.label, style=SEVERITY_STYLE[severity])


def status_text(status: Status | str) -> Text:
    if not isinstance(status, Status):
        return Text(fmt.clean(str(status)), style=UNKNOWN_STYLE)
    return Text(status.label, style=STATUS_STYLE[status])


def _type_text(value: IncidentType | str) -> Text:
    return Text(fmt.clean(label(value)), style="" if isinstance(value, IncidentType) else UNKNOWN_STYLE,
                no_wrap=True, overflow="ellipsis")


def _person_text(name: str | None) -> Text:
    return Text(fmt.clean(name), no_wrap=True, overflow="ellipsis") if name else Text("—", style="dim")


def _responders_text(names: tuple[str, ...]) -> Text:
    if not names:
        return Text("—", style="dim")
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    return Text(fmt.clean(names[0]), no_wrap=True, overflow="ellipsis").append(more, style="dim")


def _links_text(row: IncidentRow) -> Text:
    parts = [f"{row.config_count}c" if row.config_count else "", f"{row.check_count}k" if row.check_count else ""]
    return Text(" ".join(p for p in parts if p))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None
    """None for the title, which takes the width the others leave."""
    cell: Callable[[IncidentRow, datetime], Text]
    sort: SortKey | None = None
    drop: int = 0
    """When the terminal is narrow, columns with the highest `drop` go first; 0 never goes."""


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 7, lambda r, _: Text(fmt.clean(r.incident_id), style="dim"), SortKey.ID),
    Column("sev", "Sev", 4, lambda r, _: severity_text(r.severity), SortKey.SEVERITY),
    Column("status", "Status", 9, lambda r, _: status_text(r.status), SortKey.STATUS),
    Column("type", "Type", 12, lambda r, _: _type_text(r.type), SortKey.TYPE, drop=2),
    Column("title", "Title", None, lambda r, _: Text(fmt.clean(r.title), no_wrap=True, overflow="ellipsis"),
           SortKey.TITLE),
    Column("commander", "Commander", 13, lambda r, _: _person_text(r.commander), SortKey.COMMANDER, drop=1),
    Column("responders", "Responders", 13, lambda r, _: _responders_text(r.responders), drop=4),
    Column("links", "Links", 5, lambda r, _: _links_text(r), drop=3),
    Column("age", "Age", 4, lambda r, now: Text(fmt.age(r.created_at, now), justify="right"), SortKey.AGE),
)
SORTABLE = tuple(column.sort for column in COLUMNS if column.sort is not None)
SORT_BY_COLUMN = {column.key: column.sort for column in COLUMNS if column.sort is not None}
MIN_TITLE_WIDTH = 22
CELL_PADDING = 1


def columns_for(width: int, id_width: int = 7) -> tuple[tuple[Column, int], ...]:
    """The columns that fit `width` cells, each with its width; the title gets the rest.

    The id column is as wide as the longest id shown (INC-7 .. INC-1000000)."""
    shown = [replace(c, width=max(c.width or 0, id_width)) if c.key == "id" else c for c in COLUMNS]
    while True:
        used = sum(c.width + 2 * CELL_PADDING for c in shown if c.width is not None) + 2 * CELL_PADDING
        droppable = [c for c in shown if c.drop]
        if width - used >= MIN_TITLE_WIDTH or not droppable:
            break
        shown.remove(max(droppable, key=lambda c: c.drop))
    return tuple((c, c.width if c.width is not None else max(width - used, MIN_TITLE_WIDTH)) for c in shown)


_DIRECTIONS = {
    SortKey.SEVERITY: ("highest first", "lowest first"),
    SortKey.STATUS: ("open first", "cancelled first"),
    SortKey.TYPE: ("availability first", "reliability first"),
    SortKey.ID: ("lowest number first", "highest number first"),
    SortKey.AGE: ("newest first", "oldest first"),
    SortKey.UPDATED: ("latest change first", "oldest change first"),
}


def sort_description(sort: Sort) -> str:
    """In words, since ▲ alone does not say whether "up" means critical or info."""
    ascending, descending = _DIRECTIONS.get(sort.key, ("A→Z", "Z→A"))
    return f"{sort.key.value}, {descending if sort.descending else ascending}"


def _header(column: Column, sort: Sort) -> Text:
    if column.sort is not sort.key:
        return Text(column.label)
    return Text.assemble(column.label, (" ▼" if sort.descending else " ▲", "bold"))


class IncidentTable(DataTable, inherit_bindings=False):
    """One page of incidents; the board's bindings move the cursor and fetch other pages."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", cell_padding=CELL_PADDING, id=id)
        self.page = Page(rows=(), total=0)
        self.order = Sort()
        self._layout: tuple[tuple[Column, int], ...] = ()

    @property
    def page_offset(self) -> int:
        return self.page.offset

    @property
    def total(self) -> int:
        return self.page.total

    @property
    def index(self) -> int | None:
        """Absolute position of the cursor in the whole result (None when empty)."""
        return self.page_offset + self.cursor_row if self.page.rows else None

    @property
    def current(self) -> IncidentRow | None:
        return self.page.rows[self.cursor_row] if self.page.rows else None

    def holds(self, index: int) -> bool:
        return self.page_offset <= index < self.page_offset + len(self.page.rows)

    def index_of(self, incident_id: UUID) -> int | None:
        for position, row in enumerate(self.page.rows):
            if row.id == incident_id:
                return self.page_offset + position
        return None

    def row_at(self, index: int) -> IncidentRow:
        return self.page.rows[index - self.page_offset]

    def replace_row(self, row: IncidentRow) -> None:
        """Show fresher data for an incident this page holds (no-op if it holds none or nothing changed)."""
        index = self.index_of(row.id)
        if index is None or self.row_at(index) == row:
            return
        rows = list(self.page.rows)
        rows[index - self.page_offset] = row
        self.page = replace(self.page, rows=tuple(rows))
        self._refill_row(index - self.page_offset, row, utcnow())

    def _refill_row(self, position: int, row: IncidentRow, now: datetime) -> None:
        """New cells for one row, repainting only that row.

        `DataTable.update_cell` bumps a counter that is part of every cached rendering's key, so
        changing one row re-renders every visible cell through rich (tens of milliseconds). Here
        the row's cells change in place and only that row's cached renderings are dropped."""
        key = RowKey(str(row.id))
        cells = self._data[key]
        for column, _ in self._layout:
            cells[ColumnKey(column.key)] = column.cell(row, now)
        for cache in (self._cell_render_cache, self._row_render_cache):
            for cached in [cached for cached in cache.keys() if cached[0] == key]:
                cache.discard(cached)
        self._row_renderable_cache.discard((self._update_count, position))
        self._line_cache.clear()
        self.refresh_row(position)

    def move_to(self, index: int) -> None:
        self.move_cursor(row=index - self.page_offset, animate=False)

    def scroll_to_cursor(self) -> None:
        self.move_cursor(row=self.cursor_row, animate=False)

    def show_page(self, page: Page, sort: Sort, index: int) -> None:
        """Replace the rows with `page` and put the cursor on absolute row `index`."""
        held = self.page
        self.page, self.order = page, sort
        if self._holds_same_incidents(held):
            now = utcnow()
            for position, (old, new) in enumerate(zip(held.rows, page.rows)):
                if old != new:
                    self._refill_row(position, new, now)
        else:
            self._render_rows()
        if page.rows:
            self.move_to(min(max(index, self.page_offset), self.page_offset + len(page.rows) - 1))

    def _holds_same_incidents(self, held: Page) -> bool:
        """A refresh of the page shown (same rows in the same places): only changed rows need redrawing."""
        return (held.offset == self.page.offset and [row.id for row in held.rows] == [row.id for row in self.page.rows]
                and columns_for(self._content_width(), self._id_width()) == self._layout
                and all(_header(column, self.order) == self.columns[ColumnKey(column.key)].label
                        for column, _ in self._layout))

    def _content_width(self) -> int:
        # Always leave room for the vertical scrollbar, so a long page never adds a horizontal one.
        return self.content_region.width - self.styles.scrollbar_size_vertical

    def _render_rows(self) -> None:
        cursor = self.cursor_row
        self._layout = columns_for(self._content_width(), self._id_width())
        self.clear(columns=True)
        for column, width in self._layout:
            self.add_column(_header(column, self.order), width=width, key=column.key)
        now = utcnow()
        for row in self.page.rows:
            self.add_row(*(column.cell(row, now) for column, _ in self._layout), key=str(row.id))
        if self.page.rows:
            self.move_cursor(row=min(cursor, len(self.page.rows) - 1), animate=False)

    def _id_width(self) -> int:
        return max((fmt.cell_width(fmt.clean(row.incident_id)) for row in self.page.rows), default=0)

    def on_resize(self) -> None:
        if columns_for(self._content_width(), self._id_width()) != self._layout:
            self._render_rows()
