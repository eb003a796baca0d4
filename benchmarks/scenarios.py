"""The measurements, each on an app running headless at 160x48, in this process.

Every function returns latencies in milliseconds; only the measured span is timed,
never the setup between samples (typing the filter text, waiting for timers to expire).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from tui.app import IncidentApp
from tui.domain.enums import Status
from tui.domain.grammar import parse_filter
from tui.domain.query import DEFAULT_FILTER, Sort
from tui.screens.board import Board
from tui.store.base import Backend

from .databases import open_board_backend
from .harness import SIZE, BareApp, at_rest, bare_ready, send_key, wait_for

COUNTS = frozenset({"counts"})
"""The severity strip's worker: waited for only where the strip is part of the measure."""
Source = Path | Callable[[], Backend]
"""A SQLite file to open, or a function opening any backend (PostgreSQL, an API client)."""


def board_of(app: App) -> Board | None:
    screen = app.screen
    return screen if isinstance(screen, Board) else None


def rows_shown(app: App) -> bool:
    board = board_of(app)
    return board is not None and board._pending is None and bool(board.table.page.rows)


def detail_matches_cursor(board: Board) -> bool:
    return board.table.current is None or board.selected_detail() is not None


def board_ready(app: App) -> bool:
    """The first page is shown with the detail of its first row."""
    return rows_shown(app) and detail_matches_cursor(board_of(app))


def ms(start: float, end: float) -> float:
    return (end - start) * 1000


# -- Time to first interactive board ---------------------------------------------------------

async def bare_startup() -> float:
    started = time.perf_counter()
    app = BareApp()
    async with app.run_test(size=SIZE):
        return ms(started, await wait_for(app, lambda: bare_ready(app)))


def open_source(source: Source) -> Backend:
    return open_board_backend(source) if isinstance(source, Path) else source()


async def board_startup(source: Source) -> tuple[float, float]:
    """(first page painted, idle with detail and severity counts), both from opening the backend."""
    started = time.perf_counter()
    backend = open_source(source)
    try:
        app = IncidentApp(backend)
        async with app.run_test(size=SIZE):
            rows = await wait_for(app, lambda: rows_shown(app), ignore=COUNTS | {"detail"})
            idle = await wait_for(app, lambda: board_ready(app))
            return ms(started, rows), ms(started, idle)
    finally:
        backend.close()


async def startups(source: Source, runs: int) -> AsyncIterator[float]:
    """First interactive board (page, detail and severity counts), `runs` times after a warm-up start
    (the database's pages, the process's first-use costs)."""
    await board_startup(source)
    for _ in range(runs):
        yield (await board_startup(source))[1]


# -- Working on an open board ----------------------------------------------------------------

@asynccontextmanager
async def open_board(source: Source) -> AsyncIterator[tuple[IncidentApp, Board, Pilot]]:
    backend = open_source(source)
    try:
        app = IncidentApp(backend)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(app, lambda: board_ready(app))
            yield app, board_of(app), pilot
    finally:
        backend.close()


async def quiet(app: App, board: Board) -> None:
    """Wait out the detail pane's pacing timer too, so the next sample starts from rest."""
    await wait_for(app, lambda: not board.busy)


# -- Floors: the bare app doing the same kind of work, measured the same way ---------------------

async def bare_step_latencies(samples: int) -> list[float]:
    """A DataTable cursor step taken from rest (not back to back, which measures the frame period)."""
    app = BareApp()
    async with app.run_test(size=SIZE):
        await wait_for(app, lambda: bare_ready(app))
        table = app.query_one(DataTable)
        results = []
        for n in range(samples):
            key = "down" if n % 40 < 20 else "up"
            target = table.cursor_row + (1 if key == "down" else -1)
            results.append(await _timed(app, key, lambda target=target: table.cursor_row == target))
        return results


async def bare_replace_latencies(samples: int) -> list[float]:
    """A DataTable replacing its 50 rows, from rest: the floor of a filter or a sort."""
    app = BareApp()
    async with app.run_test(size=SIZE):
        await wait_for(app, lambda: bare_ready(app))
        results = []
        for _ in range(samples):
            wanted = app.generation + 1
            results.append(await _timed(app, "r", lambda wanted=wanted: app.generation == wanted))
        return results


async def _timed(app: App, key: str, done: Callable[[], bool], *, ignore: frozenset[str] = frozenset()) -> float:
    """From rest: `key`, until `done()` holds and the app has repainted."""
    await at_rest(app)
    started = time.perf_counter()
    send_key(app, key)
    return ms(started, await wait_for(app, done, ignore=ignore))


# -- The board ---------------------------------------------------------------------------------

async def _apply_filter(app: App, board: Board, pilot: Pilot, text: str, *, timed: bool) -> float:
    wanted = parse_filter(text)
    if wanted.sort == Sort():  # as the board does: a sort typed in the filter wins, else its own stays
        wanted = wanted.sorted_by(board.incident_query.sort)
    await pilot.press("/", "backspace", *text)  # "/" selects the old text, backspace clears it
    await quiet(app, board)
    await at_rest(app)
    started = time.perf_counter()
    send_key(app, "enter")
    shown = await wait_for(app, lambda: board.incident_query == wanted and board._pending is None
                           and detail_matches_cursor(board))
    return ms(started, shown) if timed else 0.0


async def filter_latencies(source: Source, text: str, samples: int, *,
                           reset: str = DEFAULT_FILTER) -> AsyncIterator[float]:
    """Enter in the filter bar until the new page and its first detail are painted, each sample
    from the default board (applied first, not timed)."""
    async with open_board(source) as (app, board, pilot):
        for _ in range(samples):
            await _apply_filter(app, board, pilot, reset, timed=False)
            yield await _apply_filter(app, board, pilot, text, timed=True)


async def bottom_latencies(source: Source, samples: int) -> AsyncIterator[float]:
    """G: to the last row of the default board (its page and detail painted), then g back (not timed)."""
    async with open_board(source) as (app, board, _):
        for _ in range(samples):
            yield await _timed(app, "G", lambda: _at_the_last_row(board))
            await _timed(app, "g", lambda: _settled_at(board, 0))


def _at_the_last_row(board: Board) -> bool:
    """The total read when the cursor got there: a capped count ("10,000+") is made exact by G."""
    return (board.table.index or 0) > 0 and _settled_at(board, board.table.total - 1)


def _settled_at(board: Board, index: int) -> bool:
    return board.table.index == index and board._pending is None and detail_matches_cursor(board)


async def step_latencies(source: Source, samples: int, key: str = "j") -> AsyncIterator[float]:
    """`key` (j, pagedown) from rest within the rows held, until cursor and detail show the incident."""
    async with open_board(source) as (app, board, _):
        for n in range(samples):
            if n and n % 20 == 0:
                board.go_to(0)
                await quiet(app, board)
            before = board.table.index
            yield await _timed(app, key, lambda before=before: board.table.index > before
                               and board._pending is None and detail_matches_cursor(board))


async def page_edge_latencies(source: Source, samples: int) -> AsyncIterator[float]:
    """j on the last row the table holds: the board fetches the next page."""
    async with open_board(source) as (app, board, _):
        for _ in range(samples):
            table = board.table
            board.go_to(table.page_offset + len(table.page.rows) - 1)
            await quiet(app, board)
            target = table.index + 1
            yield await _timed(app, "j", lambda target=target: _settled_at(board, target))


async def open_detail_latencies(source: Source, samples: int) -> AsyncIterator[float]:
    """enter: into the detail pane (focused and painted), then esc back (not timed)."""
    async with open_board(source) as (app, board, _):
        pane = board.detail_pane
        for _ in range(samples):
            yield await _timed(app, "enter", lambda: pane.has_focus_within)
            await _timed(app, "escape", lambda: not pane.has_focus_within)


async def transition_latencies(source: Source, samples: int) -> AsyncIterator[tuple[float, float]]:
    """m / o on the first incident from rest: (until its row and detail show the stored status,
    until the severity counts are fresh too)."""
    async with open_board(source) as (app, board, _):
        incident = board.table.current
        for _ in range(samples):
            target = Status.OPEN if board.table.current.status is Status.MITIGATED else Status.MITIGATED
            await quiet(app, board)
            await at_rest(app)
            started = time.perf_counter()
            send_key(app, "o" if target is Status.OPEN else "m")
            stored = _shows_status(board, incident.id, target)
            shown = ms(started, await wait_for(app, stored, ignore=COUNTS))
            yield shown, ms(started, await wait_for(app, stored))


def _shows_status(board: Board, incident_id, status: Status) -> Callable[[], bool]:
    def check() -> bool:
        row, detail = board.table.current, board.selected_detail()
        return (board._pending is None and row is not None and row.id == incident_id and row.status is status
                and detail is not None and detail.incident.status is status)
    return check
