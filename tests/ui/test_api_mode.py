"""The real app on an ApiBackend, against a real `incidents serve` app on loopback (uvicorn in a
thread) over a copy of the demo database. What the board shows is checked against the
database itself; the server is stopped and started again on its port while the TUI runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from textual.widgets import Static, TextArea

from tests.live_server import RESPONDER, Running, free_port, role_tokens
from tests.ui.test_live import another_process_writes, shown_within
from tui.app import IncidentApp
from tui.domain.enums import Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.models import Identity
from tui.domain.query import Window
from tui.screens.board import Board
from tui.server import create_app
from tui.server.tokens import revoke_token
from tui.store.api import ApiBackend, open_api_backend
from tui.store.sql import SqlBackend, SqlDatabase, open_sql_backend, open_sql_database
from tui.widgets.detail import IncidentDetailPane
from tui.widgets.incident_table import IncidentTable

WITHIN = 15.0
"""Generous for a loaded machine: the server's start is part of it."""


@dataclass
class Live:
    """The served database, its server (which a test may stop and start on the same port) and
    a SQL backend on the same database, to check what was stored and to write as a teammate."""

    url: str
    database: SqlDatabase
    """The server's."""
    tokens: dict[str, str]
    store: SqlBackend
    plain_postgrest: bool = False
    port: int = field(default_factory=free_port)
    running: Running | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.running = Running(create_app(self.database, plain_postgrest=self.plain_postgrest), self.port)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
        self.running = None

    def client(self, role: str) -> ApiBackend:
        return open_api_backend(self.base_url, self.tokens[role])


@contextmanager
def serving(url: str, *, plain_postgrest: bool = False) -> Iterator[Live]:
    database = open_sql_database(url)
    store = open_sql_backend(url, Identity(name="Teammate"))
    live = Live(url, database, role_tokens(database), store, plain_postgrest)
    live.start()
    try:
        yield live
    finally:
        live.stop()
        store.close()
        database.close()


@pytest.fixture
def live(demo_url: str) -> Iterator[Live]:
    with serving(demo_url) as state:
        yield state


@pytest.fixture
def remote(live: Live) -> Iterator[ApiBackend]:
    backend = live.client("responder")
    yield backend
    backend.close()


def app_on(backend: ApiBackend, live: Live) -> IncidentApp:
    return IncidentApp(backend, refresh_seconds=0.2, where=live.base_url)


def board_of(app: IncidentApp) -> Board:
    board = app.screen_stack[0]
    assert isinstance(board, Board)
    return board


def titles(app: IncidentApp) -> list[str]:
    return [row.title for row in board_of(app).query_one(IncidentTable).page.rows]


def banner(app: IncidentApp) -> str:
    widget = board_of(app).query_one("#offline", Static)
    return str(widget.render()) if widget.display else ""


def messages(app: IncidentApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_the_board_filter_detail_and_a_transition_over_the_server(live: Live, remote: ApiBackend, settle):
    app = app_on(remote, live)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        board = board_of(app)
        table = board.table
        active = live.store.list_incidents(parse_filter("status:active"), Window(0, 100))
        assert table.total == active.total
        assert [row.id for row in table.page.rows] == [row.id for row in active.rows]
        assert f"incidents · {live.base_url}" in str(board.query_one("#app-title").render())

        await pilot.press("/", "backspace", *"sev:critical status:open", "enter")
        await settle(pilot)
        critical = live.store.list_incidents(parse_filter("sev:critical status:open"), Window(0, 100))
        assert table.total == critical.total > 0
        assert {row.severity for row in table.page.rows} == {Severity.CRITICAL}
        chosen = table.current
        detail = board.selected_detail()
        assert detail is not None and detail.incident.id == chosen.id
        shown = " ".join(line.text.strip() for line in board.query_one(IncidentDetailPane)._lines)
        assert shown.startswith(f"{chosen.incident_id}  {chosen.title.split()[0]}")

        await pilot.press("m")
        await settle(pilot)
    stored = live.store.get_incident(chosen.id)
    assert stored.incident.status is Status.MITIGATED
    moved = [entry for entry in stored.timeline if entry.type == "incident.status_updated"]
    assert moved and moved[-1].actor.name == RESPONDER.name  # credited to the token's person


async def test_a_viewer_is_told_it_may_not_read_incidents(live: Live, settle):
    viewer = live.client("viewer")
    app = app_on(viewer, live)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert titles(app) == []
            assert any("may not read incident" in message for message in messages(app))
            status = str(board_of(app).query_one("#status").render())
            assert status.startswith("not loaded: This token may not read incident")
            await pilot.press("m")
            await settle(pilot)
            assert any("No incident selected" in message for message in messages(app))
            assert not any(live.tokens["viewer"] in message for message in messages(app))
    finally:
        viewer.close()


async def comment_refused(app: IncidentApp, pilot, settle, text: str) -> str:
    """Type `text` in a comment, save: the dialog stays with the text and shows the error."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert app.screen.query_one("#comment", TextArea).text == text
    return str(app.screen.query_one("#dialog-error", Static).render())


def comments(live: Live, incident_id) -> list[str]:
    return [entry.text for entry in live.store.get_incident(incident_id).timeline if entry.type is None]


async def test_a_revoked_token_refuses_the_write_and_the_comment_is_kept(live: Live, remote: ApiBackend, settle):
    app = app_on(remote, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        incident = board_of(app).selected_incident()
        before = comments(live, incident.id)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#comment", TextArea).insert("paged the database team")
        revoke_token(live.database, "responder")
        error = await comment_refused(app, pilot, settle, "paged the database team")
        assert "refused the token" in error and live.tokens["responder"] not in error
    assert comments(live, incident.id) == before


async def test_a_write_while_the_server_is_down_is_kept_and_saved_once_it_is_back(
        live: Live, remote: ApiBackend, settle):
    app = app_on(remote, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        incident = board_of(app).selected_incident()
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#comment", TextArea).insert("failing over to the replica")
        live.stop()
        error = await comment_refused(app, pilot, settle, "failing over to the replica")
        assert f"Cannot reach the server at {live.base_url}" in error
        live.start()  # on the same port
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, Board)  # stored: the dialog closed
    assert comments(live, incident.id)[-1] == "failing over to the replica"


async def test_the_server_stops_a_banner_shows_it_comes_back_and_the_board_catches_up(
        live: Live, remote: ApiBackend, settle):
    app = app_on(remote, live)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        board = board_of(app)
        before = titles(app)
        live.stop()
        await shown_within(pilot, lambda: board.offline, WITHIN)
        assert f"Cannot reach the server at {live.base_url}" in banner(app) and "Retrying" in banner(app)
        assert titles(app) == before  # the last rows stay, dimmed

        # A teammate on the database itself (another process, the real clock) while the server is away.
        await another_process_writes(live.url, "create::Raised while the server was away")
        live.start()  # on the same port
        await shown_within(pilot, lambda: not board.offline and "Raised while the server was away" in titles(app),
                           WITHIN)
        assert banner(app) == ""
        (created,) = [row for row in board.table.page.rows if row.title == "Raised while the server was away"]
        assert created.id in board.table._changed  # marked as changed, for a moment
        assert "Connected again; the board is up to date." in messages(app)
        assert not any(live.tokens["responder"] in message for message in messages(app))


async def test_what_a_plain_postgrest_lacks_is_told_once(demo_url: str, settle):
    with serving(demo_url, plain_postgrest=True) as plain:
        backend = plain.client("responder")
        app = app_on(backend, plain)
        try:
            async with app.run_test(size=(120, 30)) as pilot:
                await settle(pilot)
                assert titles(app)  # the board works, on the fallbacks
                await pilot.press("j", "j")
                await settle(pilot)
                told = [message for message in messages(app) if "plain PostgREST" in message]
                assert told and len(told) == len(set(told))
                assert any("no rank columns" in message for message in told)
        finally:
            backend.close()
