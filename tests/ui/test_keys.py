"""Keys as a terminal user meets them: remapped everywhere they are shown, the `:` line, previous/next,
several incidents at once, saved views, a read-only wall screen and the bell for new Critical ones."""

from __future__ import annotations

import json

from textual.command import CommandList
from textual.widgets import Input, TextArea
from textual.widgets._footer import FooterKey

from tui.actions import ACTIONS, TAKEN_BY_TERMINALS
from tui.app import IncidentApp
from tui.domain.enums import Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft, IncidentEdit
from tui.domain.query import Window
from tui.screens.board import Board
from tui.screens.catalog import ChecksScreen, ConfigsScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.help import HelpScreen
from tui.widgets.command_line import CommandLine
from tui.widgets.detail import IncidentDetailPane

from .test_actions import SIZE, notices, pane_text, select_incident
from .test_board import _keys_by_action, apply_filter, palette_prompts, status_line, table_of


def footer_keys(app: IncidentApp) -> dict[str, str]:
    """The footer's keys by description (the palette's key has its own place at the end)."""
    return {str(key.description) or "": str(key.key_display) for key in app.screen.query(FooterKey)
            if not key.disabled}


def test_every_default_key_a_multiplexer_takes_has_a_free_one_beside_it():
    for action in ACTIONS:
        keys = [key.strip() for key in action.keys.split(",")]
        if any(key in TAKEN_BY_TERMINALS for key in keys):
            assert [key for key in keys if key not in TAKEN_BY_TERMINALS], (action.id, keys)


async def test_a_remapped_key_shows_in_the_footer_help_and_palette(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"incident.acknowledge": "A", "app.palette": "f9"})
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = footer_keys(app)
        assert shown["Ack"] == "A" and "palette" not in shown.get("Commands", "")
        assert [key.key_display for key in app.screen.query(FooterKey) if key.has_class("-command-palette")] == ["f9"]
        assert "ctrl+p" not in app.screen.active_bindings
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = _keys_by_action(app.screen.table)
        assert keys["Ack"] == "A" and keys["Commands"] == "f9"
        await pilot.press("escape")
        await pilot.press("f9", *"ack")
        await pilot.pause(0.3)
        results = app.screen.query_one(CommandList)
        helps = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert any(text.startswith("Ack") and "key A" in text for text in helps), helps


# -- the : line ------------------------------------------------------------------------------------

async def command(pilot, settle, line: str) -> None:
    await pilot.press("colon", *line, "enter")
    await settle(pilot)


async def test_colon_jumps_to_an_incident_by_its_id(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = demo_app.backend.list_incidents(*_closed_first()).rows[0]  # not on the active board
        await command(pilot, settle, target.incident_id.lower())
        assert table_of(demo_app).current.id == target.id
        assert demo_app.screen.query_one("#filter-input", Input).value == target.incident_id
        assert not demo_app.screen.query_one(CommandLine).is_open and table_of(demo_app).has_focus

        await command(pilot, settle, "INC-999999")
        assert "INC-999999" in notices(demo_app) and table_of(demo_app).current.id == target.id


def _closed_first():
    return parse_filter("status:closed"), Window(0, 1)


async def test_colon_opens_the_views_says_clearly_when_a_command_is_unknown_and_completes(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await command(pilot, settle, "frobnicate")
        assert "Unknown command :frobnicate. Commands: :INC-12 jumps to it" in notices(demo_app)
        await command(pilot, settle, "configs")
        assert isinstance(demo_app.screen, ConfigsScreen)
        await pilot.press("escape")
        await settle(pilot)
        await command(pilot, settle, "checks")
        assert isinstance(demo_app.screen, ChecksScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)

        await pilot.press("colon", "q", "u", "tab")
        assert demo_app.screen.query_one(CommandLine).value == "quit"
        await pilot.press("escape")
        assert not demo_app.screen.query_one(CommandLine).is_open
        await pilot.press("colon", "q", "enter")
        await pilot.pause(0.3)
        assert not demo_app.is_running


async def test_an_exact_id_typed_in_the_filter_comes_first(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table_of(demo_app).page.rows
        wanted = rows[5]
        mention = demo_app.backend.create_incident(IncidentDraft(
            title=f"Follow-up of {wanted.incident_id}", severity=Severity.CRITICAL))  # sorts above it
        await apply_filter(pilot, settle, wanted.incident_id)
        table = table_of(demo_app)
        assert mention.id in {row.id for row in table.page.rows}
        assert table.current.id == wanted.id and table.page.rows[0].id == wanted.id

        await apply_filter(pilot, settle, "inc-31")  # INC-31 before INC-310 … INC-319, whatever their severity
        ids = [row.incident_id for row in table_of(demo_app).page.rows]
        assert ids[0] == "INC-31" and {f"INC-31{n}" for n in range(10)} <= set(ids)
        assert table_of(demo_app).current.incident_id == "INC-31"


# -- previous / next ----------------------------------------------------------------------------------

async def test_previous_and_next_from_the_detail_pane(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(demo_app)
        first, second = table.row_at(0), table.row_at(1)
        await pilot.press("enter")  # into the details
        pane = demo_app.screen.query_one(IncidentDetailPane)
        assert pane.has_focus
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table.current.id == second.id and pane.detail.incident.id == second.id and pane.has_focus
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table.current.id == first.id and pane.detail.incident.id == first.id and pane.has_focus


# -- several incidents at once ---------------------------------------------------------------------

async def four_to_acknowledge(app: IncidentApp):
    """Three new open incidents and one cancelled, all with the word bulkcheck."""
    made = [app.backend.create_incident(IncidentDraft(title=f"bulkcheck {n}", severity=Severity.HIGH))
            for n in range(4)]
    cancelled = made[3]
    app.backend.transition(cancelled.id, Status.CANCELLED, None, cancelled.updated_at)
    return made


async def test_three_incidents_are_acknowledged_at_once_and_the_refused_one_is_named(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        made = await four_to_acknowledge(demo_app)
        await apply_filter(pilot, settle, "bulkcheck sort:id")
        await pilot.press("space", "j", "J", "J", "space")  # space selects, J selects and moves down
        await settle(pilot)
        board = demo_app.screen
        assert isinstance(board, Board) and len(board.selection) == 4
        assert status_line(demo_app).startswith("4 selected (esc clears)")

        await pilot.press("a")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, ConfirmDialog)
        listed = str(dialog.query_one("#consequence").render())
        assert "3 of 4 selected incidents will be acknowledged" in listed
        for incident in made:
            assert incident.incident_id in listed
        assert "skipped: This incident is cancelled and read-only" in listed

        await pilot.press("enter")
        await settle(pilot)
        for incident in made[:3]:
            assert demo_app.backend.get_incident(incident.id).incident.acknowledged is not None
        said = notices(demo_app)
        assert "3 of 4 changed." in said and f"{made[3].incident_id} not changed" in said
        assert set(board.selection) == {made[3].id}  # what was refused stays selected
        await pilot.press("escape")
        assert not board.selection


async def test_a_bulk_transition_reports_a_conflict_for_the_incident_changed_meanwhile(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        made = (await four_to_acknowledge(demo_app))[:3]
        await apply_filter(pilot, settle, "bulkcheck status:open sort:id")
        await pilot.press("J", "J", "J", "m")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        changed = demo_app.backend.get_incident(made[1].id).incident
        demo_app.backend.update_incident(changed.id, IncidentEdit(title="bulkcheck renamed"), changed.updated_at)
        await pilot.press(*"all mitigated", "enter")
        await settle(pilot)
        statuses = [demo_app.backend.get_incident(incident.id).incident.status for incident in made]
        assert statuses == [Status.MITIGATED, Status.OPEN, Status.MITIGATED]
        assert f"{made[1].incident_id} not changed: someone changed it after it was listed (conflict)" \
            in notices(demo_app)


async def test_a_commander_is_assigned_to_every_selected_incident(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        made = (await four_to_acknowledge(demo_app))[:3]
        person = next(p for p in demo_app.backend.list_people() if p.email)
        await apply_filter(pilot, settle, "bulkcheck status:open sort:id")
        await pilot.press("J", "J", "J", "p")
        await settle(pilot)
        await pilot.press(*person.email, "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        assert f"Make {person.display} commander of 3 incidents?" in demo_app.screen.dialog_title
        await pilot.press("enter")
        await settle(pilot)
        assert [demo_app.backend.get_incident(i.id).incident.commander_id for i in made] == [person.id] * 3
        assert "3 of 3 changed." in notices(demo_app)


async def test_comment_with_a_selection_says_it_works_on_one(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("J", "J", "c")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert "Comment works on one incident: esc clears the selection of 2." in notices(demo_app)


# -- saved views -------------------------------------------------------------------------------------

async def test_a_view_is_saved_by_name_and_recalled_with_its_number(demo_backend, settle, tmp_path):
    views = tmp_path / "state" / "views.json"
    app = IncidentApp(demo_backend, views={"Criticals": "sev:critical status:active"}, views_file=views)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, "sev:high status:open")
        await pilot.press("S")  # reversed sort: part of the view
        await settle(pilot)
        reversed_sort = app.screen.incident_query.sort
        await pilot.press("V", *"high open", "enter")
        await settle(pilot)
        assert json.loads(views.read_text()) == {"high open": "status:open sev:high sort:-severity"}
        assert "Saved view 'high open'; 2 recalls it." in notices(app)

        await pilot.press("1")
        await settle(pilot)
        assert app.screen.query_one("#filter-input", Input).value == "sev:critical status:active"
        assert {row.severity for row in table_of(app).page.rows} == {Severity.CRITICAL}
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.incident_query.sort == reversed_sort
        assert {row.status for row in table_of(app).page.rows} == {Status.OPEN}
        await pilot.press("3")
        assert "No saved view 3: V saves the current filter and sort as one (2 saved)." in notices(app)

    again = IncidentApp(demo_backend, views_file=views)  # saved views outlive the app
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await command(pilot, settle, "view high open")
        assert again.screen.query_one("#filter-input", Input).value == "status:open sev:high sort:-severity"


# -- read-only -------------------------------------------------------------------------------------

async def test_a_read_only_board_changes_nothing_and_says_why(demo_backend, settle):
    app = IncidentApp(demo_backend, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        incident = app.screen.selected_incident()
        assert "Ack" not in footer_keys(app) and "Mitigate" not in footer_keys(app)
        for key in ("a", "m", "n", "c", "plus"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, Board), key
        assert app.backend.get_incident(incident.id).incident == incident
        assert "Next  nothing here: this board is read-only" in pane_text(app)
        assert "This board is read-only (--read-only, or read_only in the config file): ack is not possible here." \
            in notices(app)
        assert "Mitigate" not in await palette_prompts(pilot, "mitigate")
        assert "Refresh" in await palette_prompts(pilot, "refresh")
        await pilot.press("question_mark")
        assert "Ack" not in _keys_by_action(app.screen.table) and "Down" in _keys_by_action(app.screen.table)


# -- new Critical and High incidents -----------------------------------------------------------------

async def test_a_new_critical_incident_rings_the_bell_and_flashes(demo_backend, settle):
    app = IncidentApp(demo_backend, refresh_seconds=0.2, bell=True)
    rung = []
    ring = app.bell
    app.bell = lambda: (rung.append(True), ring())[1]  # observe the real bell, which still rings
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not rung
        low = demo_backend.create_incident(IncidentDraft(title="low arrival", severity=Severity.LOW))
        await pilot.pause(1.0)
        await settle(pilot)
        assert not rung and low.id in {row.id for row in table_of(app).page.rows}
        critical = demo_backend.create_incident(IncidentDraft(title="db down", severity=Severity.CRITICAL))
        for _ in range(50):
            await pilot.pause(0.1)
            if rung:
                break
        await pilot.pause(0.1)  # the notification is a message of its own: let it arrive
        assert rung == [True]
        table = table_of(app)
        assert critical.id in table._flashing or critical.id in table.flashing
        assert f"New: {critical.incident_id} (Critical)" in notices(app)
        await pilot.pause(1.0)
        assert rung == [True]  # once per incident


async def test_without_the_setting_a_new_critical_incident_flashes_silently(demo_backend, settle):
    app = IncidentApp(demo_backend, refresh_seconds=0.2)
    rung = []
    app.bell = lambda: rung.append(True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        critical = demo_backend.create_incident(IncidentDraft(title="db down", severity=Severity.CRITICAL))
        for _ in range(50):
            await pilot.pause(0.1)
            if f"New: {critical.incident_id}" in notices(app):
                break
        assert f"New: {critical.incident_id} (Critical)" in notices(app) and not rung


async def test_without_a_terminal_to_hand_over_the_editor_key_keeps_the_text(demo_app, settle, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    async with demo_app.run_test(size=SIZE) as pilot:
        await select_incident(pilot, settle, "status:open")
        await pilot.press("c", *"kept", "f4")
        await settle(pilot)
        assert demo_app.screen.query_one("#comment", TextArea).text == "kept"
        assert "cannot be handed to an editor" in str(demo_app.screen.query_one("#dialog-error").render())
