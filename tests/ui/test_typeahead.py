"""Keys typed in one burst (as over SSH) go where the user meant them, never to the board."""

from __future__ import annotations

import threading

from textual.widgets import TextArea

from tui.domain.enums import Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentEdit, TimelineKind
from tui.domain.query import Window
from tui.screens.board import Board
from tui.screens.comment import CommentDialog
from tui.screens.confirm import ConfirmDialog
from tui.screens.people_picker import PeoplePicker
from tui.store.base import BackendError

from .conftest import burst
from .test_actions import SIZE, board, notices, select_incident, stored


def statuses(app) -> dict:
    """Every incident's stored status, to show a burst transitioned nothing."""
    page = app.backend.list_incidents(parse_filter('""'), Window(0, 10_000))
    return {row.id: row.status for row in page.rows}


async def test_a_filter_typed_in_one_burst_filters_and_changes_nothing(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = statuses(demo_app)
        await burst(pilot, "/", *"sev:high", "enter")  # "/" selects the old filter: typing replaces it
        await settle(pilot)
        assert statuses(demo_app) == before
        screen = board(demo_app)
        assert screen.filter_bar.applied_text == "sev:high"
        rows = screen.table.page.rows
        assert rows and {row.severity for row in rows} == {Severity.HIGH}
        assert screen.table.has_focus


async def test_slash_r_types_r_into_the_filter(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = statuses(demo_app)
        await burst(pilot, "/", "r", "m", "x", "s")
        await settle(pilot)
        assert statuses(demo_app) == before
        filter_input = board(demo_app).filter_bar.filter_input
        assert filter_input.has_focus and filter_input.value == "rmxs"


async def test_keys_after_enter_in_the_filter_go_to_the_board(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "/", "ctrl+u", *"sev:high", "enter", "j")
        await settle(pilot)
        screen = board(demo_app)
        assert screen.filter_bar.filter_input.value == "sev:high"
        assert screen.table.has_focus and screen.table.index == 1


async def test_cmr_opens_the_comment_box_with_mr_in_it(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await burst(pilot, "c", "m", "r")
        await settle(pilot)
        assert isinstance(demo_app.screen, CommentDialog)
        assert demo_app.screen.query_one("#comment", TextArea).text == "mr"
        assert stored(demo_app, incident).incident.status is Status.OPEN
        await burst(pilot, *" looking", "ctrl+s")
        await settle(pilot)
        last = stored(demo_app, incident).timeline[-1]
        assert (last.kind, last.text) == (TimelineKind.COMMENT, "mr looking")
        assert stored(demo_app, incident).incident.status is Status.OPEN


async def test_e_then_a_burst_types_into_the_title(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await burst(pilot, "e", "ctrl+u", *"mrx typed fast", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        after = stored(demo_app, incident).incident
        assert after.title == "mrx typed fast" and after.status is Status.OPEN


async def test_keys_after_saving_a_dialog_wait_for_it_to_close(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await burst(pilot, "c", *"on it", "ctrl+s", "m")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert any(entry.text == "on it" for entry in after.timeline)
        assert after.incident.status is Status.MITIGATED


async def test_a_quick_move_then_mitigate_acts_on_the_new_row(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press("/", "ctrl+u", *"status:open", "enter")
        await settle(pilot)
        rows = board(demo_app).table.page.rows
        first, second = rows[0], rows[1]
        await burst(pilot, "j", "m")
        await settle(pilot)
        assert demo_app.backend.get_incident(second.id).incident.status is Status.MITIGATED
        assert demo_app.backend.get_incident(first.id).incident.status is Status.OPEN
        assert "Nothing done" not in notices(demo_app) and "No incident selected" not in notices(demo_app)


def slow_people(app, monkeypatch, *, fail: bool = False) -> threading.Event:
    """The backend answers `list_people` (or fails to) only once the returned event is set."""
    arrive = threading.Event()
    list_people = app.backend.list_people

    def when_let(*args, **kwargs):
        arrive.wait(timeout=30)
        if fail:
            raise BackendError("The people list is unavailable.")
        return list_people(*args, **kwargs)

    monkeypatch.setattr(app.backend, "list_people", when_let)
    return arrive


async def test_an_action_waiting_for_its_incident_does_nothing_if_it_changed_meanwhile(demo_app, settle,
                                                                                       monkeypatch):
    async with demo_app.run_test(size=SIZE) as pilot:
        await pilot.press("/", "ctrl+u", *"status:open", "enter")
        await settle(pilot)
        second = board(demo_app).table.page.rows[1]
        arrive = threading.Event()
        get_incident = demo_app.backend.get_incident

        def slow_detail(incident_id):
            arrive.wait(timeout=30)
            return get_incident(incident_id)

        monkeypatch.setattr(demo_app.backend, "get_incident", slow_detail)
        await burst(pilot, "j", "m")
        await pilot.pause(0.2)
        # Someone else edits the incident after its row was shown, before its details arrive.
        demo_app.backend.update_incident(second.id, IncidentEdit(severity=Severity.LOW), second.updated_at)
        arrive.set()
        await settle(pilot)
        assert demo_app.backend.get_incident(second.id).incident.status is Status.OPEN
        assert f"Nothing done: {second.incident_id} changed since its row was shown" in notices(demo_app)


async def test_an_enter_typed_before_the_people_arrive_picks_once_they_do(demo_app, settle, monkeypatch):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        arrive = slow_people(demo_app, monkeypatch)
        await burst(pilot, "p", *"priya", "enter", "m")
        await pilot.pause(0.2)
        picker = demo_app.screen
        assert isinstance(picker, PeoplePicker)
        assert "Still loading" in str(picker.query_one("#dialog-error").render())
        arrive.set()
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        after = stored(demo_app, incident)
        assert after.commander.name == "Priya Raman"
        assert after.incident.status is Status.MITIGATED, notices(demo_app)  # m came after the pick


async def test_esc_leaves_a_picker_whose_people_never_came(demo_app, settle, monkeypatch):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        before = stored(demo_app, incident)
        arrive = slow_people(demo_app, monkeypatch, fail=True)
        await burst(pilot, "p", "enter", "escape")
        await pilot.pause(0.2)
        assert isinstance(demo_app.screen, PeoplePicker)  # esc waits behind the pending pick
        arrive.set()
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert stored(demo_app, incident) == before


async def test_keys_after_q_are_swallowed(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = statuses(demo_app)
        await burst(pilot, "q", "m", "c", "r")
        assert statuses(demo_app) == before
        assert not isinstance(demo_app.screen, CommentDialog)


async def test_an_enter_typed_with_x_does_not_answer_the_close_question(demo_app, settle):
    """A confirmation guards a destructive step: it must be seen before it is answered."""
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:resolved")
        await burst(pilot, "x", "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        assert "were ignored" in demo_app.screen.error_text.plain
        assert stored(demo_app, incident).incident.status is Status.RESOLVED
        await pilot.press("enter")  # seen, then answered
        await settle(pilot)
        assert stored(demo_app, incident).incident.status is Status.CLOSED


async def test_typing_in_the_edit_form_adds_to_the_title(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        title = stored(demo_app, incident).incident.title
        await burst(pilot, "e", *" (db)", "ctrl+s")
        await settle(pilot)
        assert stored(demo_app, incident).incident.title == title + " (db)"
