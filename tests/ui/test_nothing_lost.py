"""Nothing is lost by accident: a picker opens on the current person, esc keeps a draft, a bad
external responder is refused field by field, a conflict shows both sides, removal asks first."""

from __future__ import annotations

from textual.widgets import OptionList

from tui.screens.board import Board
from tui.screens.people_picker import PeoplePicker

from .test_actions import SIZE, notices, select_incident, stored


async def test_p_then_enter_keeps_the_commander(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open commander:priya")
        before = stored(demo_app, incident)
        await pilot.press("p")
        await settle(pilot)
        picker = demo_app.screen
        assert isinstance(picker, PeoplePicker)
        choices = picker.query_one("#choices", OptionList)
        assert "Priya Raman" in str(choices.get_option_at_index(choices.highlighted).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        after = stored(demo_app, incident)
        assert after.commander is not None and after.commander.name == "Priya Raman"
        assert after.incident.updated_at == before.incident.updated_at and after.timeline == before.timeline
        assert f"{incident.incident_id}: Priya Raman stays commander" in notices(demo_app)


async def test_enter_keeps_the_communicator_and_nobody_is_picked_on_purpose(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open commander:priya")
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*"mei lin", "enter")
        await settle(pilot)
        assert stored(demo_app, incident).communicator.name == "Mei Lin"
        await pilot.press("P", "enter")  # the highlight starts on Mei Lin
        await settle(pilot)
        assert stored(demo_app, incident).communicator.name == "Mei Lin"
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert stored(demo_app, incident).communicator is None
