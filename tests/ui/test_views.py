"""The Configs and Checks views as an on-call engineer uses them: one key from the board, filtered,
paged, live, and the jumps between a config item or check and its incidents, each way and back."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.conftest import FIXED_NOW
from tests.store.seeder import Seeder
from tests.ui.conftest import burst
from tests.ui.test_api_mode import app_on, live, messages, remote, serving  # noqa: F401 (fixtures)
from tests.ui.test_board import apply_filter, palette_prompts, status_line
from tests.ui.test_live import ROOT, shown_within
from tui.app import IncidentApp
from tui.domain.catalog import CatalogKind, CatalogQuery, parse_catalog_filter
from tui.domain.enums import Health
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.screens.board import Board
from tui.screens.catalog import ChecksScreen, ConfigsScreen
from tui.screens.list_screen import PAGE_SIZE
from tui.screens.picker import PickerDialog

SIZE = (120, 30)


def shown_names(app: IncidentApp) -> list[str]:
    return [row.name for row in app.screen.table.page.rows]


async def test_configs_are_one_key_from_the_board_and_esc_comes_back(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = demo_app.screen
        await pilot.press("j", "j")
        await settle(pilot)
        on_board = board.table.current.id
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfigsScreen)
        everything = demo_app.backend.list_configs(CatalogQuery(), Window())
        assert shown_names(demo_app) == [row.name for row in everything.rows] and everything.total == 39
        assert status_line(demo_app).startswith("row 1 of 39 · sorted by name")
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(demo_app.screen, ChecksScreen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert demo_app.screen is board and board.table.current.id == on_board


async def test_the_configs_filter_narrows_and_explains_mistakes(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await apply_filter(pilot, settle, "health:unhealthy,warning label:team=payments")
        expected = demo_app.backend.list_configs(
            parse_catalog_filter(CatalogKind.CONFIGS, "health:unhealthy,warning label:team=payments"), Window())
        rows = demo_app.screen.table.page.rows
        assert [row.name for row in rows] == [row.name for row in expected.rows] and rows
        assert all(row.health in (Health.UNHEALTHY, Health.WARNING) and ("team", "payments") in row.labels
                   for row in rows)
        await apply_filter(pilot, settle, "sev:critical")
        message = demo_app.screen.query_one("#filter-message")
        assert message.display and 'unknown field "sev"; fields for configs: type, class' in str(message.render())
        assert [row.name for row in demo_app.screen.table.page.rows] == [row.name for row in expected.rows]


async def test_s_sorts_the_checks_by_the_next_column_and_S_reverses(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("s", "s")
        await settle(pilot)
        assert status_line(demo_app).endswith("sorted by health, worst first")
        healths = [row.health for row in demo_app.screen.table.page.rows]
        assert healths[0] is Health.UNHEALTHY and healths[-1] is Health.HEALTHY
        await pilot.press("S")
        await settle(pilot)
        assert status_line(demo_app).endswith("sorted by health, best first")
        assert demo_app.screen.table.page.rows[0].health is Health.HEALTHY


async def test_the_configs_view_pages_like_the_board(demo_app, demo_backend, settle):
    seeder = Seeder(demo_backend.engine, demo_backend.whoami().id)
    for number in range(2 * PAGE_SIZE):
        seeder.add_config(f"node-{number:03}", "healthy", type="Kubernetes::Node", config_class="Node")
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        table = demo_app.screen.table
        assert table.total == 39 + 2 * PAGE_SIZE and len(table.page.rows) <= PAGE_SIZE
        await pilot.press("G")
        await settle(pilot)
        assert table.index == table.total - 1 and table.page_offset > 0
        last = demo_app.backend.list_configs(CatalogQuery(), Window(table.total - 1, 1)).rows[0]
        assert table.current.name == last.name
        assert demo_app.screen.detail_pane.detail.config.id == last.id


@pytest.mark.parametrize(("key", "text", "field", "detail_of"), [
    ("C", "payments", "config", lambda backend, id: backend.get_config(id)),
    ("H", "status:unhealthy", "check", lambda backend, id: backend.get_check(id)),
], ids=["config", "check"])
async def test_an_item_shows_its_incidents_on_the_board_and_esc_comes_back(demo_app, settle, key, text, field,
                                                                            detail_of):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        await apply_filter(pilot, settle, text)
        await pilot.press("j")
        await settle(pilot)
        view = demo_app.screen
        item = view.table.current
        linked = detail_of(demo_app.backend, item.id).incidents
        assert linked and view.table.index == 1
        await pilot.press("i")
        await settle(pilot)
        board = demo_app.screen
        assert isinstance(board, Board) and board.filter_bar.applied_text == f"{field}:{item.name}"
        expected = demo_app.backend.list_incidents(parse_filter(f"{field}:{item.name}"), Window())
        assert [row.id for row in board.table.page.rows] == [row.id for row in expected.rows]
        assert {incident.id for incident in linked} <= {row.id for row in expected.rows}
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is view and view.table.current.id == item.id and view.table.index == 1
        assert view.filter_bar.applied_text == text


async def test_an_incident_jumps_to_its_linked_check_and_esc_comes_back(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, "check:kafka-broker-9092")
        board = demo_app.screen
        incident = board.selected_detail()
        assert incident is not None and incident.checks
        await pilot.press("enter")  # into the detail pane, where the linked checks are listed
        await settle(pilot)
        assert board.detail_pane.has_focus
        await pilot.press("f")
        await settle(pilot)
        if isinstance(demo_app.screen, PickerDialog):  # more than one link: pick the check
            await pilot.press(*"kafka-broker-9092", "enter")
            await settle(pilot)
        view = demo_app.screen
        assert isinstance(view, ChecksScreen)
        assert view.table.current.name == "kafka-broker-9092"
        assert view.detail_pane.detail.check.name == "kafka-broker-9092"
        assert incident.incident.incident_id in {linked.incident_id for linked in view.detail_pane.detail.incidents}
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is board and board.table.current.id == incident.incident.id
        assert board.filter_bar.applied_text == "check:kafka-broker-9092"


async def test_an_incident_without_links_says_so(demo_app, demo_backend, settle):
    from tui.domain.enums import Severity
    from tui.domain.models import IncidentDraft
    created = demo_backend.create_incident(IncidentDraft(title="Nothing linked here", severity=Severity.CRITICAL))
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, '"Nothing linked here"')
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert any(f"{created.incident_id} has no linked config items or health checks." in str(n.message)
                   for n in demo_app._notifications)


async def test_the_views_are_in_the_command_palette(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Checks" in await palette_prompts(pilot, "checks")
        await pilot.press("ctrl+p", *"configs")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfigsScreen)


WRITER = r"""
import sqlite3, sys
path, check, message, at = sys.argv[1:]
with sqlite3.connect(path) as db:  # as a monitoring tool writes a result: the row, then the check
    db.execute("INSERT INTO check_statuses (check_id, time, status, message, is_pushed, created_at) "
               "VALUES (?, ?, 0, ?, 0, ?)", (check, at, message, at))
    db.execute("UPDATE checks SET status = 'unhealthy', updated_at = ? WHERE id = ?", (at, check))
"""


async def test_a_check_another_writer_fails_turns_unhealthy_without_a_key(demo_url, settle):
    from tui.domain.models import Identity
    from tui.store.sql import open_sql_backend
    backend = open_sql_backend(demo_url, Identity(name="Oncall Tester"))
    app = IncidentApp(backend, refresh_seconds=0.2)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("H")
            await settle(pilot)
            await apply_filter(pilot, settle, "bastion-ping")
            view = app.screen
            check = view.table.current
            assert check.health is Health.HEALTHY
            at = (FIXED_NOW + timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
            await asyncio.to_thread(subprocess.run, [sys.executable, "-c", WRITER, demo_url.removeprefix("sqlite:///"),
                                                     check.id.hex, "100% packet loss", at],
                                    check=True, cwd=ROOT, capture_output=True)
            await shown_within(pilot, lambda: view.table.current.health is Health.UNHEALTHY)
            await shown_within(pilot, lambda: view.detail_pane.detail.check.last_message == "100% packet loss")
            assert view.table.current.id == check.id
    finally:
        backend.close()


async def test_a_burst_into_the_views_and_back_ends_on_the_board(demo_app, settle):
    """Keys typed ahead through views opened and closed at once (as over SSH) land where they were typed."""
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await burst(pilot, "H", "tab", "i", "escape", "escape", "escape", "escape")
            await settle(pilot)
        assert isinstance(demo_app.screen, Board)


async def test_esc_goes_back_even_before_the_view_has_focused_its_table(demo_app, settle):
    """Why the burst above was flaky: an esc typed ahead can reach a view just pushed (or popped to)
    before its table has the focus; it was spent on focusing the table instead of going back."""
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        board = demo_app.screen
        await pilot.press("H")
        await settle(pilot)
        demo_app.screen.set_focus(None)  # as in the moment before the table takes it
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is board
        await pilot.press("H", "tab")  # the detail open under the list: esc closes it first
        await settle(pilot)
        demo_app.screen.set_focus(None)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, ChecksScreen) and not demo_app.screen.detail_open


async def test_the_views_over_a_server_filter_and_jump_as_locally(live, remote, settle):
    app = app_on(remote, live)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await apply_filter(pilot, settle, "label:team=payments health:!healthy")
        query = parse_catalog_filter(CatalogKind.CONFIGS, "label:team=payments health:!healthy")
        assert shown_names(app) == [row.name for row in live.store.list_configs(query, Window()).rows]
        assert shown_names(app)
        await pilot.press("i")
        await settle(pilot)
        name = app.screen_stack[-2].table.current.name
        stored = live.store.list_incidents(parse_filter(f"config:{name}"), Window())
        assert [row.id for row in app.screen.table.page.rows] == [row.id for row in stored.rows]


async def test_a_plain_postgrest_says_the_views_need_incidents_serve(demo_url, settle):
    with serving(demo_url, plain_postgrest=True) as plain:
        backend = plain.client("responder")
        try:
            app = app_on(backend, plain)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await pilot.press("H")
                await settle(pilot)
                assert isinstance(app.screen, ChecksScreen) and app.screen.table.total == 0
                told = " ".join(messages(app))
                assert "these views need `incidents serve`" in told and "Traceback" not in told
                assert "not loaded: The server at" in status_line(app)
        finally:
            backend.close()


async def test_the_command_line_and_the_copy_keys_work_in_the_configs_and_checks_views(
        demo_backend, settle, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)  # no browser here: b copies the link instead
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = IncidentApp(demo_backend, frontend_url="https://mc.example.com/")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        configs = app.screen
        item = configs.table.current
        await pilot.press("y")
        assert app.clipboard == item.name
        await pilot.press("Y")
        assert app.clipboard == f"https://mc.example.com/catalog/{item.id}"

        await pilot.press("colon", *"checks", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChecksScreen)
        check = app.screen.table.current
        await pilot.press("b")
        await settle(pilot)
        assert app.clipboard == f"https://mc.example.com/health?checkId={check.id}"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is configs

        await pilot.press("colon", *"view mine", "enter")  # the board's: said so, nothing else happens
        await settle(pilot)
        assert app.screen is configs and "Saved views are the board's" in messages(app)[-1]
        await pilot.press("colon", *"INC-12", "enter")  # the board over the view, on that incident
        await settle(pilot)
        assert isinstance(app.screen, Board) and app.screen.table.current.incident_id == "INC-12"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is configs
        await pilot.press("colon", *"INC-99999", "enter")
        await settle(pilot)
        assert app.screen is configs and "INC-99999" in messages(app)[-1]
        await pilot.press("colon", "escape")
        assert not configs.command_line.is_open and app.screen is configs
        await pilot.press("colon", "q", "enter")
        await pilot.pause(0.3)
        assert not app.is_running
