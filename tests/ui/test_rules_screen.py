"""The Rules screen, driven with Pilot on the demo database: `R` from the board (or the palette)
lists the rules by priority, the selected rule's YAML below, a rule another tool stored badly
marked; esc goes back to the board. On a local database the app is the rules' timer."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import insert
from textual.widgets import DataTable, Static

from tests.conftest import FIXED_NOW
from tests.store.test_rules_engine import rule
from tui.app import IncidentApp
from tui.domain import clock
from tui.domain.checks import report
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.domain.rules import parse_rule_file
from tui.screens.board import Board
from tui.screens.rules import RulesScreen
from tui.store.sql.schema import incident_rules

SIZE = (100, 30)


def cells(table: DataTable, row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


async def test_r_lists_the_rules_by_priority_and_shows_the_selected_ones_yaml(demo_backend, settle):
    demo_backend.apply_rules(parse_rule_file(rule("late", priority=7) + "---\n" + rule("[SEV1] first", priority=1)))
    with demo_backend.engine.begin() as conn:  # as another tool might store one
        conn.execute(insert(incident_rules).values(id=uuid4(), name="odd", spec={"autoClose": "sometime"},
                                                   created_by=demo_backend.whoami().id))
    app = IncidentApp(demo_backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        table = app.screen.query_one("#rules-table", DataTable)
        assert [cells(table, row)[0] for row in range(table.row_count)] == ["odd", "[SEV1] first", "late"]
        assert cells(table, 1) == ["[SEV1] first", "1", "checkout-*", "High · stops", "after 10m", "after 24h"]
        assert cells(table, 0)[2] == "⚠ cannot be used"
        detail = app.screen.query_one("#rules-detail", Static)
        assert "spec.autoClose: Input should be a valid dictionary" in str(detail.render())
        await pilot.press("j")
        await settle(pilot)
        assert "name: '[SEV1] first'" in str(detail.render()) and "timeout: 10m" in str(detail.render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Board)


async def test_the_palette_opens_the_rules_and_an_empty_list_says_how_to_add_one(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Rules")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, RulesScreen)
        assert "incidents rules apply FILE.yaml" in str(demo_app.screen.query_one("#rules-detail", Static).render())


async def test_on_a_local_database_the_app_runs_the_rules_timeouts(demo_backend, settle):
    demo_backend.apply_rules(parse_rule_file(rule()))
    demo_backend.report_check(report(name="checkout-api", status="unhealthy", labels={"team": "payments"},
                                     create=True))
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    demo_backend.report_check(report(name="checkout-api", status="healthy"))
    clock.freeze(FIXED_NOW + timedelta(minutes=30))
    app = IncidentApp(demo_backend)
    async with app.run_test(size=SIZE) as pilot:
        app.run_rule_timeouts()                       # what the app's interval timer calls
        await settle(pilot)
    rows = demo_backend.list_incidents(parse_filter("check:checkout-api status:resolved"), Window(0, 5)).rows
    assert len(rows) == 1
