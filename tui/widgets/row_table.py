"""A line-drawn table that holds one page of a list's result, never all of it.

The list screen asks the backend for a window around the cursor; this widget shows that window,
knows which absolute rows it holds (`page_offset`, `total`) and says whether a row is loaded.
Cells are `rich.text.Text` built from cleaned data, so `[SEV1]` stays as typed. A view's table
(incidents, configs, checks) gives its `COLUMNS` and what of a row reads differently as the
clock moves (`clock_text`: an age).

Each row is rendered once into a `Strip` (one line of segments) and kept until its row, its
clock text as shown, the column layout or the styles change; a frame draws only the rows in view
from those strips. `tick()` redraws the rows whose clock text reads differently as the clock moves.
(A DataTable rendered every visible cell through rich for each new page: tens of milliseconds.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import themes
from ..domain.clock import utcnow
from ..store.base import Page
from ..themes import Looks
from .line_view import set_content_size

CHANGED_SECONDS = 2.0
"""How long a row changed elsewhere stays marked."""
FLASHES = 6
FLASH_SECONDS = 0.35
"""A row flashed (a new Critical or High incident) blinks FLASHES times this fast, then stays marked as changed."""
SELECTED_MARK = "●"
MIN_TITLE_WIDTH = 22
CELL_PADDING = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None
    """At most this many cells (as many as the widest cell shown needs); None for the title, which
    takes the width the others leave."""
    cell: Callable[[Any, datetime, Looks], Text]
    """The cell of a row at a time, in the theme's severity, status and health styles."""
    sort: Enum | None = None
    drop: int = 0
    """When the terminal is narrow, columns with the highest `drop` go first; 0 never goes."""


def cell_widths(columns: Sequence[Column], row: Any, now: datetime, looks: Looks) -> tuple[int, ...]:
    """How many cells each column but the title takes for `row`."""
    return tuple(column.cell(row, now, looks).cell_len for column in columns if column.width is not None)


def content_widths(columns: Sequence[Column], rows_widths: Iterable[tuple[int, ...]], sort: Any) -> dict[str, int]:
    """How wide each column but the title needs to be for its heading and rows of these `cell_widths`."""
    sized = [column for column in columns if column.width is not None]
    needs = [_header(column, sort).cell_len for column in sized]
    for widths in rows_widths:
        needs = [max(need, width) for need, width in zip(needs, widths, strict=True)]
    return {column.key: need for column, need in zip(sized, needs, strict=True)}


def columns_for(columns: Sequence[Column], width: int,
                needs: Mapping[str, int] | None = None) -> tuple[tuple[Column, int], ...]:
    """The columns that fit `width` cells, each with its width; the title gets the rest.

    A column is as wide as `needs` says (its widest cell and heading, see `content_widths`), at most
    its `Column.width`; without `needs`, each gets its most."""
    shown = [replace(c, width=min(c.width, needs.get(c.key, c.width)) if needs else c.width)
             if c.width is not None else c for c in columns]
    while True:
        used = sum(c.width + 2 * CELL_PADDING for c in shown if c.width is not None) + 2 * CELL_PADDING
        droppable = [c for c in shown if c.drop]
        if width - used >= MIN_TITLE_WIDTH or not droppable:
            break
        shown.remove(max(droppable, key=lambda c: c.drop))
    return tuple((c, c.width if c.width is not None else max(width - used, MIN_TITLE_WIDTH)) for c in shown)


def _header(column: Column, sort: Any) -> Text:
    if sort is None or column.sort is not sort.key:
        return Text(column.label)
    return Text.assemble(column.label, (" ▼" if sort.descending else " ▲", "bold"))


def _fit(text: Text, width: int) -> tuple[str, Text, str]:
    """`text` cut (in place: every cell is made for the line it is drawn in) with an ellipsis where it
    asks for one, and the gaps before and after it that make it exactly `width` cells."""
    text.truncate(width, overflow=text.overflow or "crop")
    gap = " " * (width - text.cell_len)  # unstyled, so a struck-through status strikes only its word
    return (gap, text, "") if text.justify == "right" else ("", text, gap)


@lru_cache(maxsize=64)
def _column_meta(number: int) -> Style:
    """The style marking a cell with its column number (made once: a style with meta is costly to make)."""
    return Style.from_meta({"column": number})


def _line(cells: list[tuple[Text, int]]) -> Text:
    """Cells side by side, each padded by CELL_PADDING on both sides.

    Each cell is marked with its column number (as a DataTable does), which also keeps a terminal
    or a screenshot from running one cell's text into the next."""
    pad = " " * CELL_PADDING
    line = Text(no_wrap=True, end="")
    for number, (cell, width) in enumerate(cells):
        start = len(line)
        before, fitted, after = _fit(cell, width)
        line.append(pad + before).append_text(fitted).append(after + pad)
        line.stylize(_column_meta(number), start)
    return line


class CachedLine(NamedTuple):
    row: Any
    clock: str
    strip: Strip


class Marks(NamedTuple):
    changed: bool
    selected: bool
    flash: bool

    def style(self, styles: LineStyles) -> Style:
        """The style of a row without the cursor: a blink wins, then the selection, then a change."""
        if self.flash:
            return styles.flash
        return styles.selected if self.selected else styles.changed if self.changed else styles.row


class LineStyles(NamedTuple):
    """What the table's lines are drawn in; they change with the focus and the theme."""

    row: Style
    header: Style
    cursor: Style
    changed: Style
    selected: Style
    flash: Style
    looks: Looks


class RowTable(ScrollView, can_focus=True, inherit_bindings=False):
    """One page of rows; the list screen's bindings move the cursor and fetch other pages.

    Line 0 is the header (it never scrolls); line y > 0 shows row `scroll_y + y - 1` of the page."""

    COMPONENT_CLASSES = {"row-table--header", "row-table--cursor", "row-table--changed", "row-table--selected",
                         "row-table--flash"}
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-table--header { background-tint: $foreground 5%; }
        }
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .row-table--changed { background: $warning 30%; text-style: bold; }
        & > .row-table--selected { background: $accent 25%; text-style: bold; }
        & > .row-table--flash { background: $error; color: $text; text-style: bold reverse; }
        &:ansi > .row-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class HeaderClicked(Message):
        def __init__(self, table: RowTable, column: Column) -> None:
            super().__init__()
            self.table, self.column = table, column

        @property
        def control(self) -> RowTable:
            return self.table

    class RowClicked(Message):
        def __init__(self, table: RowTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index
            """Absolute position of the row in the whole result."""

        @property
        def control(self) -> RowTable:
            return self.table

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    DEFAULT_ORDER: ClassVar[Any] = None
    """The sort shown in the header before the first page arrives."""

    def clock_text(self, row: Any, now: datetime) -> str:
        """What of `row` reads differently as the clock moves (its age); redrawn when it does."""
        return ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page: Page[Any] = Page(rows=(), total=0)
        self.order: Any = self.DEFAULT_ORDER
        self.cursor_row = 0
        """Position of the cursor in the page."""
        self.columns_shown: tuple[tuple[Column, int], ...] = ()
        self._strips: dict[tuple[UUID, bool, Marks, LineStyles], CachedLine] = {}
        """The rendered line of each row, with and without the cursor, marked as changed or not, in each
        style it was drawn in (focused or not: moving the focus to and from the filter bar redraws no row)."""
        self._changed: dict[UUID, float] = {}
        """Rows marked as changed elsewhere, until this time.monotonic()."""
        self.selected: frozenset[UUID] = frozenset()
        """Rows selected for an action on several at once (marked with SELECTED_MARK)."""
        self._flashing: dict[UUID, int] = {}
        """Rows blinking, with how many blinks are left."""
        self._header: Strip | None = None
        self._styles: LineStyles | None = None
        self._widths: dict[UUID, tuple[Any, str, tuple[int, ...]]] = {}
        """The cell widths of each row held, with the row and clock text they were measured for."""

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
    def current(self) -> Any | None:
        return self.page.rows[self.cursor_row] if self.page.rows else None

    def holds(self, index: int) -> bool:
        return self.page_offset <= index < self.page_offset + len(self.page.rows)

    def index_of(self, row_id: UUID) -> int | None:
        for position, row in enumerate(self.page.rows):
            if row.id == row_id:
                return self.page_offset + position
        return None

    def row_at(self, index: int) -> Any:
        return self.page.rows[index - self.page_offset]

    def header_labels(self) -> list[str]:
        """The column headings shown, with the sort arrow."""
        return [_header(column, self.order).plain for column, _ in self.columns_shown]

    # -- Changing what is shown ----------------------------------------------------------------

    def replace_row(self, row: Any) -> None:
        """Show fresher data for a row this page holds (no-op if it holds none or nothing changed)."""
        index = self.index_of(row.id)
        if index is None or self.row_at(index) == row:
            return
        rows = list(self.page.rows)
        rows[index - self.page_offset] = row
        self.page = replace(self.page, rows=tuple(rows))
        self._refresh_position(index - self.page_offset)

    def show_page(self, page: Page, sort: Any, index: int) -> None:
        """Replace the rows with `page` and put the cursor on absolute row `index`.

        Rows already drawn (the overlap with the page held, or all of it on a refresh) are not
        drawn again; a refresh of the same rows repaints only those that changed."""
        held = self.page
        self.page, self.order = page, sort
        self._header = None
        ids = {row.id for row in page.rows}
        self._strips = {key: cached for key, cached in self._strips.items() if key[0] in ids}
        relaid = self._update_layout()
        set_content_size(self, Size(self._content_width(), len(page.rows) + 1))
        position = min(max(index - page.offset, 0), len(page.rows) - 1) if page.rows else 0
        if not relaid and held.offset == page.offset and [r.id for r in held.rows] == [r.id for r in page.rows]:
            self.refresh(Region(0, 0, self.size.width, 1))  # the header: the sort may have turned
            for changed, (old, new) in enumerate(zip(held.rows, page.rows, strict=True)):
                if old != new:
                    self._refresh_position(changed)
            self.move_to(page.offset + position)
        else:
            self.cursor_row = position
            # The rows both pages hold stay where they were on screen: crossing a page edge scrolls
            # one line, as inside a page, and redraws one row, not a screenful.
            self.scroll_to_cursor(top=round(self.scroll_y) + held.offset - page.offset)
            self.refresh()

    def mark_changed(self, ids: Iterable[UUID]) -> None:
        """Mark these rows (those the page holds) for CHANGED_SECONDS: they changed elsewhere."""
        until = time.monotonic() + CHANGED_SECONDS
        marked = {row_id: index for row_id in ids if (index := self.index_of(row_id)) is not None}
        for row_id, index in marked.items():
            self._changed[row_id] = until
            self._refresh_position(index - self.page_offset)
        if marked:
            self.set_timer(CHANGED_SECONDS, self._unmark_expired)

    def show_selected(self, ids: Iterable[UUID]) -> None:
        """Mark these rows as selected (and no others)."""
        before, self.selected = self.selected, frozenset(ids)
        for row_id in before ^ self.selected:
            self._refresh_row(row_id)

    def flash(self, ids: Iterable[UUID]) -> None:
        """Blink these rows (those the page holds) a few times, then leave them marked as changed."""
        held = [row_id for row_id in ids if self.index_of(row_id) is not None]
        if not held:
            return
        self._flashing |= {row_id: FLASHES for row_id in held}
        self.mark_changed(held)
        self.set_timer(FLASH_SECONDS, self._blink)

    def _blink(self) -> None:
        for row_id, left in list(self._flashing.items()):
            if left <= 1:
                del self._flashing[row_id]
            else:
                self._flashing[row_id] = left - 1
            self._refresh_row(row_id)
        if self._flashing:
            self.set_timer(FLASH_SECONDS, self._blink)

    @property
    def flashing(self) -> frozenset[UUID]:
        """Rows drawn in the flash style right now (a blink is on at even counts)."""
        return frozenset(row_id for row_id, left in self._flashing.items() if left % 2 == 0)

    def _refresh_row(self, row_id: UUID) -> None:
        index = self.index_of(row_id)
        if index is not None:
            self._refresh_position(index - self.page_offset)

    def _unmark_expired(self) -> None:
        now = time.monotonic()
        for row_id, until in list(self._changed.items()):
            if until <= now:
                del self._changed[row_id]
                index = self.index_of(row_id)
                if index is not None:
                    self._refresh_position(index - self.page_offset)

    def tick(self) -> None:
        """Redraw the rows in view whose clock text reads differently now than when they were drawn."""
        now, top = utcnow(), round(self.scroll_y)
        for position in range(top, min(top + self.size.height - 1, len(self.page.rows))):
            row = self.page.rows[position]
            cached = self._strips.get(self._line_key(row, position == self.cursor_row))
            if cached is not None and cached.clock != self.clock_text(row, now):
                self._refresh_position(position)

    def move_to(self, index: int) -> None:
        old, self.cursor_row = self.cursor_row, index - self.page_offset
        if old != self.cursor_row:
            self._refresh_position(old)
            self._refresh_position(self.cursor_row)
        self.scroll_to_cursor()

    def scroll_to_cursor(self, top: int | None = None) -> None:
        """Scroll as little as keeps the cursor's row in view under the header (from `top`, the
        first row in view, if given)."""
        rows_in_view = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y) if top is None else max(top, 0)
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + rows_in_view:
            top = self.cursor_row - rows_in_view + 1
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def _refresh_position(self, position: int) -> None:
        """Redraw the line of the row at `position` in the page, if it is in view."""
        self.refresh(Region(0, position - round(self.scroll_y) + 1, self.size.width, 1))

    # -- Layout and styles ---------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _update_layout(self) -> bool:
        """Fit the columns to the width and the rows held; True (and every rendered line dropped) if
        they changed."""
        layout = columns_for(self.COLUMNS, self._content_width(),
                             content_widths(self.COLUMNS, self._rows_widths(), self.order))
        if layout == self.columns_shown:
            return False
        self.columns_shown = layout
        self._strips.clear()
        self._header = None
        return True

    def _rows_widths(self) -> list[tuple[int, ...]]:
        """The `cell_widths` of the rows held; a row held before (the overlap of two pages) is not measured again."""
        now, looks = utcnow(), self._line_styles().looks
        kept: dict[UUID, tuple[Any, str, tuple[int, ...]]] = {}
        for row in self.page.rows:
            clock = self.clock_text(row, now)
            measured = self._widths.get(row.id)
            if measured is None or measured[1] != clock or measured[0] != row:
                measured = (row, clock, cell_widths(self.COLUMNS, row, now, looks))
            kept[row.id] = measured
        self._widths = kept
        return [widths for _, _, widths in kept.values()]

    def on_resize(self) -> None:
        if self._update_layout():
            self.refresh()
        self.scroll_to_cursor()

    def notify_style_update(self) -> None:
        """Focus, theme and CSS changes may restyle every line."""
        super().notify_style_update()
        self._styles = None
        self._header = None

    def _line_styles(self) -> LineStyles:
        if self._styles is None:
            base = self.rich_style
            self._styles = LineStyles(base, base + self.get_component_rich_style("row-table--header"),
                                      base + self.get_component_rich_style("row-table--cursor"),
                                      base + self.get_component_rich_style("row-table--changed"),
                                      base + self.get_component_rich_style("row-table--selected"),
                                      base + self.get_component_rich_style("row-table--flash"),
                                      themes.looks(self.app.current_theme))
        return self._styles

    # -- Drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        if y == 0:
            return self._header_line(width)
        position = round(self.scroll_y) + y - 1
        if position >= len(self.page.rows):
            return Strip.blank(width, self.rich_style)
        return self._row_line(self.page.rows[position], position == self.cursor_row, width)

    def _header_line(self, width: int) -> Strip:
        if self._header is None or self._header.cell_length != width:
            line = _line([(_header(column, self.order), size) for column, size in self.columns_shown])
            self._header = self._strip(line, width, self._line_styles().header)
        return self._header

    def _line_key(self, row: Any, cursor: bool) -> tuple[UUID, bool, Marks, LineStyles]:
        marks = Marks(row.id in self._changed, row.id in self.selected, row.id in self.flashing)
        return (row.id, cursor, marks, self._line_styles())

    def _row_line(self, row: Any, cursor: bool, width: int) -> Strip:
        key = self._line_key(row, cursor)
        now = utcnow()
        clock = self.clock_text(row, now)
        cached = self._strips.get(key)
        if cached is not None and cached.row == row and cached.clock == clock and cached.strip.cell_length == width:
            return cached.strip
        marks, styles = key[2], key[3]
        line = _line([(column.cell(row, now, styles.looks), size) for column, size in self.columns_shown])
        if marks.selected:  # in the first cell's padding: readable without colour
            line = Text.assemble((SELECTED_MARK, "bold"), line[1:], no_wrap=True, end="")
        if cursor:
            # As in a DataTable: the cursor's colour wins over the cells' colours, not their backgrounds.
            strip = self._strip(line, width, styles.cursor, post_style=Style.from_color(styles.cursor.color))
        else:
            strip = self._strip(line, width, marks.style(styles))
        self._strips[key] = CachedLine(row, clock, strip)
        return strip

    def _strip(self, line: Text, width: int, style: Style, post_style: Style | None = None) -> Strip:
        segments = Segment.apply_style(line.render(self.app.console), style, post_style)
        return Strip(segments).adjust_cell_length(width, style)

    # -- Mouse ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
        elif (position := round(self.scroll_y) + event.y - 1) < len(self.page.rows):
            self.post_message(self.RowClicked(self, self.page_offset + position))

    def _column_at(self, x: int) -> Column | None:
        left = 0
        for column, width in self.columns_shown:
            left += width + 2 * CELL_PADDING
            if x < left:
                return column
        return None
