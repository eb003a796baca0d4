"""The store stops answering: a banner, the last rows kept, retries; it answers again: all is back.

The store is a real PostgreSQL cluster of the test's own, stopped (as a crash would: open
connections are cut) and started again on the same port, with the TUI running throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from tests.conftest import TESTER, PgServer
from tests.ui.test_live import shown_within
from tui.app import IncidentApp
from tui.domain.enums import Severity
from tui.domain.models import Identity, IncidentDraft
from tui.screens import board as board_module
from tui.screens.board import Board
from tui.store.sql import SqlBackend, open_sql_backend
from tui.widgets.incident_table import IncidentTable

pytestmark = pytest.mark.postgres

WITHIN = 15.0
"""Generous for a loaded machine: a stop or a start of PostgreSQL takes a moment by itself."""


@pytest.fixture
def pg_url(own_pg_server: PgServer) -> str:
    return own_pg_server.url(own_pg_server.create_database("offline"))


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlBackend]:
    backend = open_sql_backend(pg_url, TESTER)
    for title in ("Queue backlog", "Disk filling", "Cert expiring"):
        backend.create_incident(IncidentDraft(title=title, severity=Severity.HIGH))
    yield backend
    backend.close()


async def until(pilot: Pilot, condition: Callable[[], bool], seconds: float = WITHIN) -> None:
    await shown_within(pilot, condition, seconds)


def board_of(app: IncidentApp) -> Board:
    board = app.screen_stack[0]
    assert isinstance(board, Board)
    return board


def banner(app: IncidentApp) -> str:
    widget = board_of(app).query_one("#offline", Static)
    return str(widget.render()) if widget.display else ""


def titles(app: IncidentApp) -> list[str]:
    return [row.title for row in board_of(app).query_one(IncidentTable).page.rows]


def messages(app: IncidentApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_a_stopped_database_shows_a_banner_and_the_board_recovers_by_itself(
        own_pg_server: PgServer, store: SqlBackend, pg_url: str, settle, monkeypatch) -> None:
    # Retries every 2 s here: a write made just after the restart lands before the board asks.
    monkeypatch.setattr(board_module, "RETRY_FIRST_SECONDS", 2.0)
    monkeypatch.setattr(board_module, "RETRY_MAX_SECONDS", 2.0)
    app = IncidentApp(store, refresh_seconds=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        board = board_of(app)
        before = titles(app)
        assert len(before) == 3 and banner(app) == ""

        own_pg_server.stop()
        await until(pilot, lambda: board.offline and "Retrying" in banner(app))
        assert f"127.0.0.1:{own_pg_server.port}" in banner(app)
        assert titles(app) == before  # the last rows stay, dimmed
        assert board.has_class("-offline")
        await pilot.pause(2.2)  # the banner is redrawn every second: it shows 1s at least by now
        assert any(f"no answer for {seconds}s;" in banner(app) for seconds in (1, 2, 3))
        await pilot.press("j")  # the cursor moves over what is held; nothing breaks
        await pilot.pause(0.5)
        assert board.offline and titles(app) == before
        assert not any("Traceback" in message for message in messages(app))

        own_pg_server.start()
        teammate = open_sql_backend(pg_url, Identity(name="Teammate"))
        try:
            teammate.create_incident(IncidentDraft(title="Written while the board was away",
                                                   severity=Severity.CRITICAL))
        finally:
            teammate.close()
        await until(pilot, lambda: not board.offline and "Written while the board was away" in titles(app))
        assert banner(app) == "" and not board.has_class("-offline")
        assert "Connected again; the board is up to date." in messages(app)

        # Live again: a change after the recovery shows as ever.
        other = open_sql_backend(pg_url, Identity(name="Teammate"))
        try:
            other.create_incident(IncidentDraft(title="After the recovery", severity=Severity.LOW))
        finally:
            other.close()
        await until(pilot, lambda: "After the recovery" in titles(app), seconds=5)


async def test_a_comment_saved_while_the_database_is_down_is_kept_and_saved_once_it_is_back(
        own_pg_server: PgServer, store: SqlBackend, settle) -> None:
    app = IncidentApp(store, refresh_seconds=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        incident = board_of(app).selected_incident()
        assert incident is not None
        await pilot.press("c")
        await settle(pilot)
        box = app.screen.query_one("#comment", TextArea)
        box.insert("restarted the primary, watching replication")

        own_pg_server.stop()
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(app.screen.query_one("#dialog-error", Static).render())
        assert f"127.0.0.1:{own_pg_server.port}" in error  # the sentence names the database
        assert app.screen.query_one("#comment", TextArea).text == "restarted the primary, watching replication"

        own_pg_server.start()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, Board)  # saved: the dialog closed
    comments = [entry for entry in store.get_incident(incident.id).timeline if entry.type is None]
    assert [entry.text for entry in comments] == ["restarted the primary, watching replication"]
