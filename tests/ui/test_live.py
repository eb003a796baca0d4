"""The board is live: what others write shows without a key, ages tick, `L` pauses.

"Another process" is a real one: a Python subprocess writing to the same database (SQLite
file or the throwaway PostgreSQL) through its own backend, as a second terminal would.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import FIXED_NOW
from tests.ui.test_board import apply_filter
from tui.app import IncidentApp
from tui.domain import clock
from tui.domain.enums import Severity
from tui.domain.format import age
from tui.domain.models import Identity, IncidentDraft
from tui.screens.board import Board
from tui.store.sql import SqlBackend, open_sql_backend
from tui.widgets.incident_table import IncidentTable
from tui.widgets.severity_strip import SeverityStrip

ROOT = Path(__file__).resolve().parents[2]
LIVE_WITHIN = 2.0
"""The issue's promise: a change made elsewhere shows within 2 seconds, no key pressed."""

WRITER = r"""
import sys
from uuid import UUID
from tui.domain.enums import Severity, Status
from tui.domain.models import Identity, IncidentDraft
from tui.store.sql import open_sql_backend

url, *commands = sys.argv[1:]
backend = open_sql_backend(url, Identity(name="Another Terminal"))
try:
    for command in commands:
        verb, incident, text = command.split(":", 2)
        if verb == "create":
            backend.create_incident(IncidentDraft(title=text, severity=Severity.CRITICAL))
        elif verb == "comment":
            backend.add_comment(UUID(incident), text)
        elif verb in ("mitigate", "resolve"):
            current = backend.get_incident(UUID(incident)).incident
            to = Status.MITIGATED if verb == "mitigate" else Status.RESOLVED
            backend.transition(current.id, to, None, current.updated_at)
finally:
    backend.close()
"""


async def another_process_writes(url: str, *commands: str) -> None:
    """Runs WRITER in a fresh interpreter; `commands` are `verb:incident-uuid:text`."""
    await asyncio.to_thread(subprocess.run, [sys.executable, "-c", WRITER, url, *commands], check=True,
                            cwd=ROOT, capture_output=True)


async def shown_within(pilot: Pilot, condition: Callable[[], bool], seconds: float = LIVE_WITHIN) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not shown within {seconds} s"
        await pilot.pause(0.05)


def board_of(app: IncidentApp) -> Board:
    assert isinstance(app.screen, Board)
    return app.screen


def titles(app: IncidentApp) -> list[str]:
    return [row.title for row in app.screen.query_one(IncidentTable).page.rows]


def strip_text(app: IncidentApp) -> str:
    return str(app.screen.query_one(SeverityStrip).render())


def detail_text(board: Board) -> str:
    return "\n".join(line.text for line in board.detail_pane._lines)


def painted_row(table: IncidentTable, position: int) -> str:
    """The line last drawn for the row at `position` of the page (what the terminal shows)."""
    row = table.page.rows[position]
    return table._strips[table._line_key(row, position == table.cursor_row)].strip.text


async def test_another_process_writes_and_the_open_board_follows(backend: SqlBackend, backend_url, settle):
    for title in ("Queue backlog", "Disk filling", "Cert expiring"):
        backend.create_incident(IncidentDraft(title=title, severity=Severity.HIGH))
    app = IncidentApp(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        board, table = board_of(app), app.screen.query_one(IncidentTable)
        await pilot.press("j")
        await settle(pilot)
        chosen = table.current
        assert "Critical 0" in strip_text(app)

        await another_process_writes(backend_url, "create::Checkout down",
                                     f"comment:{chosen.id}:rolled back the deploy",
                                     f"mitigate:{table.page.rows[2].id}:")

        await shown_within(pilot, lambda: "Checkout down" in titles(app)
                           and "rolled back the deploy" in detail_text(board)
                           and "Critical 1" in strip_text(app)
                           and table.page.rows[3].status.value == "mitigated")
        assert titles(app)[0] == "Checkout down"  # critical sorts first: a row appeared above the cursor
        assert table.current.id == chosen.id and table.index == 2
        assert board.selected_detail().incident.id == chosen.id
        assert "Another Terminal commented" in detail_text(board)


async def test_the_cursor_and_the_scroll_stay_when_rows_appear_above(demo_app, demo_url, settle, monkeypatch):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = demo_app.screen.query_one(IncidentTable)
        await pilot.press(*"j" * 40, *"k" * 10)  # scrolled down, the cursor mid-screen
        await settle(pilot)
        chosen, index, top, total = table.current.id, table.index, table.scroll_y, table.total
        assert top > 0
        fetched = []  # the details the board loads from now on
        get_incident = demo_app.backend.get_incident
        monkeypatch.setattr(demo_app.backend, "get_incident", lambda id: fetched.append(id) or get_incident(id))

        teammate = open_sql_backend(demo_url, Identity(name="Teammate"))
        try:
            created = [teammate.create_incident(IncidentDraft(title=f"New outage {n}", severity=Severity.CRITICAL))
                       for n in range(2)]
        finally:
            teammate.close()

        await shown_within(pilot, lambda: table.total == total + 2)
        assert table.current.id == chosen and table.index == index + 2
        assert table.scroll_y == top  # the cursor's incident moved down two lines, still in view
        assert {incident.id for incident in created} <= set(table._changed)  # marked for a moment
        await settle(pilot)
        assert chosen not in fetched  # its detail did not change: not fetched again
        assert board_of(demo_app).selected_detail().incident.id == chosen


async def test_pause_stops_live_updates_and_resuming_shows_what_was_missed(demo_app, demo_url, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        await pilot.press("L")
        assert board.live_paused
        assert str(board.query_one("#status").render()).startswith("live updates paused (L resumes)")

        await another_process_writes(demo_url, "create::Paused meanwhile")
        await pilot.pause(2 * board.refresh_seconds + 0.5)
        assert "Paused meanwhile" not in titles(demo_app)

        await pilot.press("L")
        assert not board.live_paused
        await shown_within(pilot, lambda: "Paused meanwhile" in titles(demo_app))
        assert "paused" not in str(board.query_one("#status").render())


async def test_no_refresh_seconds_means_no_live_updates(demo_backend, demo_url, settle):
    app = IncidentApp(demo_backend, refresh_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await another_process_writes(demo_url, "create::Nobody looks")
        await pilot.pause(1.5)
        assert "Nobody looks" not in titles(app)
        await pilot.press("L")
        assert any("Live updates are off" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Nobody looks" in titles(app)


async def test_ages_tick_on_the_board_and_in_the_detail_without_a_key(demo_app, settle):
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        board, table = board_of(demo_app), demo_app.screen.query_one(IncidentTable)
        row = table.current
        assert painted_row(table, table.cursor_row).rstrip().endswith(age(row.created_at, FIXED_NOW))
        assert f"({age(row.created_at, FIXED_NOW)} ago)" in detail_text(board)

        later = FIXED_NOW + timedelta(days=3)
        clock.freeze(later)
        then = age(row.created_at, later)
        assert then != age(row.created_at, FIXED_NOW)
        await shown_within(pilot, lambda: painted_row(table, table.cursor_row).rstrip().endswith(then)
                           and f"({then} ago)" in detail_text(board))
        other = table.page.rows[1]
        assert painted_row(table, 1).rstrip().endswith(age(other.created_at, later))


async def test_an_incident_resolved_elsewhere_stays_under_the_cursor(demo_app, demo_url, settle):
    """It left the `status:active` filter, but a key pressed now must not land on its neighbour."""
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        board, table = board_of(demo_app), demo_app.screen.query_one(IncidentTable)
        await pilot.press("j", "j")
        await settle(pilot)
        chosen = table.current

        await another_process_writes(demo_url, f"resolve:{chosen.id}:")

        await shown_within(pilot, lambda: table.current.status.value == "resolved")
        assert table.current.id == chosen.id
        assert f"{chosen.incident_id} left the filter" in str(board.query_one("#status").render())


async def test_an_incident_moved_far_in_the_sort_elsewhere_is_not_said_to_have_left_the_filter(
        demo_app, demo_url, settle):
    """Defect (a): its severity lowered elsewhere, it sorts more than half a page (50 rows) further down
    while still matching the filter (all 320 incidents): it stays under the cursor, said to have moved."""
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        board, table = board_of(demo_app), demo_app.screen.query_one(IncidentTable)
        await apply_filter(pilot, settle, "")
        await pilot.press("j", "j")
        await settle(pilot)
        chosen = table.current
        assert chosen.severity is Severity.CRITICAL
        with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as conn:  # as another program would
            conn.execute("UPDATE incidents SET severity = 'Info', updated_at = ? WHERE id = ?",
                         ((FIXED_NOW + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f"), chosen.id.hex))

        await shown_within(pilot, lambda: table.current.severity is Severity.INFO, seconds=4)
        assert table.current.id == chosen.id
        await shown_within(pilot, lambda: "moved in the sort" in str(board.query_one("#status").render()))
        status = str(board.query_one("#status").render())
        assert f"{chosen.incident_id} moved in the sort" in status and "left the filter" not in status
        assert f"/ {chosen.incident_id} finds it" in status
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "moved" not in str(board.query_one("#status").render())
        await apply_filter(pilot, settle, chosen.incident_id)  # the exact id first: found where it went
        assert table.current.id == chosen.id and table.current.severity is Severity.INFO
