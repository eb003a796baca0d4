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
from tui.screens.board import Board
from tui.store.base import Backend

from .databases import open_board_backend
from .harness import SIZE, BareApp, bare_ready, send_key, wait_for

COUNTS = frozenset({"counts"})
"""The severity strip's worker: waited for only where the strip is part of the measure."""
Source = Path | Callable[[], Backend]
"""A SQLite file to open, or a function opening any backend (an API client, say)."""
FILTERS = ("sev:critical", "status:open type:security", '"replication"', "commander:@me")


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


async def filter_latencies(source: Source, runs: int) -> list[float]:
    """Enter in the filter bar until the new page and its first detail are painted."""
    samples = []
    async with open_board(source) as (app, board, pilot):
        for run in range(runs):
            text = FILTERS[run % len(FILTERS)]
            wanted = parse_filter(text).sorted_by(board.incident_query.sort)
            await pilot.press("/", "backspace", *text)  # "/" selects the old text, backspace clears it
            await quiet(app, board)
            started = time.perf_counter()
            send_key(app, "enter")
            shown = await wait_for(app, lambda wanted=wanted: board.incident_query == wanted and board._pending is None
                                   and detail_matches_cursor(board))
            samples.append(ms(started, shown))
    return samples


async def _step(app: App, board: Board, key: str = "j") -> float:
    await quiet(app, board)
    target = board.table.index + 1
    started = time.perf_counter()
    send_key(app, key)
    moved = await wait_for(app, lambda: board.table.index == target and board._pending is None
                           and detail_matches_cursor(board))
    return ms(started, moved)


async def cursor_latencies(path: Path, steps: int) -> list[float]:
    """j within the page held, until the cursor and the detail pane show the next incident."""
    async with open_board(path) as (app, board, _):
        return [await _step(app, board) for _ in range(steps)]


async def page_edge_latencies(path: Path, steps: int) -> list[float]:
    """j on the last row the table holds: the board fetches the next page."""
    samples = []
    async with open_board(path) as (app, board, _):
        for _ in range(steps):
            table = board.table
            board.go_to(table.page_offset + len(table.page.rows) - 1)
            samples.append(await _step(app, board))
    return samples


async def bare_cursor_latencies(steps: int) -> list[float]:
    samples = []
    app = BareApp()
    async with app.run_test(size=SIZE):
        await wait_for(app, lambda: bare_ready(app))
        table = app.query_one(DataTable)
        for _ in range(steps):
            target = table.cursor_row + 1
            started = time.perf_counter()
            send_key(app, "down")
            samples.append(ms(started, await wait_for(app, lambda target=target: table.cursor_row == target)))
    return samples


async def transition_latencies(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """m / o on the first incident: (until its row and detail show the stored status,
    until the severity counts are fresh too)."""
    shown, idle = [], []
    async with open_board(path) as (app, board, _):
        incident = board.table.current
        for _ in range(runs):
            target = Status.OPEN if board.table.current.status is Status.MITIGATED else Status.MITIGATED
            await quiet(app, board)
            started = time.perf_counter()
            send_key(app, "o" if target is Status.OPEN else "m")
            stored = _shows_status(board, incident.id, target)
            shown.append(ms(started, await wait_for(app, stored, ignore=COUNTS)))
            idle.append(ms(started, await wait_for(app, stored)))
    return shown, idle


def _shows_status(board: Board, incident_id, status: Status) -> Callable[[], bool]:
    def check() -> bool:
        row, detail = board.table.current, board.selected_detail()
        return (board._pending is None and row is not None and row.id == incident_id and row.status is status
                and detail is not None and detail.incident.status is status)
    return check
