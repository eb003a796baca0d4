"""Nothing is lost by accident: a picker opens on the current person, esc keeps a draft, a bad
external responder is refused field by field, a conflict shows both sides, removal asks first."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Select, TextArea

from tui.domain.enums import Severity, Status
from tui.domain.models import IncidentEdit, Responder, ResponderDraft, ResponderKind
from tui.screens.board import Board
from tui.screens.comment import CommentDialog
from tui.screens.confirm import ConfirmDialog
from tui.screens.incident_form import IncidentForm, LinkChooser
from tui.screens.people_picker import PeoplePicker
from tui.screens.picker import PickerDialog
from tui.screens.responder_form import ResponderForm
from tui.screens.transition import TransitionDialog

from .test_actions import SIZE, choose, dialog_error, notices, select_incident, stored, type_into


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


async def add_external_responder(pilot, settle, system: str) -> None:
    """Open the responder form on an external system of this name."""
    await pilot.press("plus")
    await settle(pilot)
    await choose(pilot, "#kind", "External")
    await choose(pilot, "#external-type", system)


def field_message(app, name: str) -> str:
    return str(app.screen.query_one(f"#prop-{name}-error").render())


async def test_a_bad_external_responder_is_refused_field_by_field(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        before = stored(demo_app, incident).responders
        await add_external_responder(pilot, settle, "Jira")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ResponderForm)
        assert field_message(demo_app, "project") == "Project is required."
        assert field_message(demo_app, "issueType") == "Issue type is required."
        assert field_message(demo_app, "description") == ""
        assert "see the messages under them" in dialog_error(demo_app)

        await choose(pilot, "#external-type", "Email")
        await type_into(pilot, "#prop-to", "not-an-email")
        await pilot.press("tab", *"Payments down", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ResponderForm)
        assert field_message(demo_app, "to").startswith("“not-an-email” is not an email address")
        assert field_message(demo_app, "subject") == ""
        assert stored(demo_app, incident).responders == before

        await type_into(pilot, "#prop-to", "")
        await pilot.press("end", "ctrl+u", *"payments-oncall@example.com", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        email = [r for r in stored(demo_app, incident).responders if r.external_type == "email"]
        assert [r.properties["to"] for r in email if r not in before] == ["payments-oncall@example.com"]


async def test_a_conflicting_edit_shows_theirs_and_yours(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open sev:critical")
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#title", "")
        await pilot.press("end", "ctrl+u", *"Typed while someone else edited")
        demo_app.backend.update_incident(incident.id, IncidentEdit(severity=Severity.LOW, title="Their title"),
                                         incident.updated_at)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, IncidentForm)
        message = dialog_error(demo_app)
        assert f"{incident.incident_id} was changed by someone else since you opened it:" in message
        assert "Title: theirs “Their title”, yours “Typed while someone else edited”" in message
        assert "Severity: theirs Low (it was Critical)" in message
        assert "Commander:" not in message and "Type:" not in message
        assert stored(demo_app, incident).incident.title == "Their title"


async def test_a_conflicting_move_shows_the_status_theirs_and_yours(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open commander:priya")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("r", *"rolled back")
        someone = next(p for p in demo_app.backend.list_people() if p.name == "Mei Lin")
        demo_app.backend.update_incident(incident.id, IncidentEdit(commander_id=someone.id), incident.updated_at)
        await pilot.press("enter")
        await settle(pilot)
        message = dialog_error(demo_app)
        assert "Status: theirs Open, yours Resolved" in message
        assert "Commander: theirs Mei Lin (it was Priya Raman)" in message
        await pilot.press("enter")  # knowing both, move it anyway
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.RESOLVED and after.commander.name == "Mei Lin"


def add_one_of_each_kind(backend, incident) -> dict[ResponderKind, Responder]:
    taken = {responder.name for responder in stored_detail(backend, incident).responders}
    person = next(p for p in backend.list_people() if p.name not in taken)
    team = next(t for t in backend.list_teams() if t.name not in taken)
    drafts = {
        ResponderKind.PERSON: ResponderDraft(kind=ResponderKind.PERSON, person_id=person.id),
        ResponderKind.TEAM: ResponderDraft(kind=ResponderKind.TEAM, team_id=team.id),
        ResponderKind.EXTERNAL: ResponderDraft(kind=ResponderKind.EXTERNAL, external_type="email", properties={
            "to": "dba-oncall@example.com", "subject": "replica lag"}),
    }
    return {kind: backend.add_responder(incident.id, draft) for kind, draft in drafts.items()}


def stored_detail(backend, incident):
    return backend.get_incident(incident.id)


@pytest.mark.parametrize("kind", list(ResponderKind))
@pytest.mark.parametrize("via", ["key", "palette"])
async def test_every_responder_is_removed_only_after_a_confirmation(demo_app, settle, kind, via):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        responder = add_one_of_each_kind(demo_app.backend, incident)[kind]
        await pilot.press("ctrl+r")
        await settle(pilot)
        search = "replica lag" if kind is ResponderKind.EXTERNAL else responder.name.lower()
        for attempt in ("esc", "confirm"):
            if via == "key":
                await pilot.press("minus")
            else:
                await pilot.press("ctrl+p", *"remove responder")
                await pilot.pause(0.3)
                await pilot.press("enter")
            await settle(pilot)
            assert isinstance(demo_app.screen, PickerDialog)
            await pilot.press(*search, "enter")
            await settle(pilot)
            assert isinstance(demo_app.screen, ConfirmDialog), attempt
            assert responder.id in {r.id for r in stored(demo_app, incident).responders}
            await pilot.press("escape" if attempt == "esc" else "enter")
            await settle(pilot)
            assert isinstance(demo_app.screen, Board)
        assert responder.id not in {r.id for r in stored(demo_app, incident).responders}


# -- drafts: esc keeps what was typed -----------------------------------------------------------

async def test_esc_keeps_a_comment_for_that_incident_until_it_is_posted(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"rolling back the 14:05 deploy", "escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert all(entry.text != "rolling back the 14:05 deploy" for entry in stored(demo_app, incident).timeline)

        other = await select_incident(pilot, settle, "status:mitigated")
        await pilot.press("c")
        await settle(pilot)
        assert demo_app.screen.query_one("#comment", TextArea).text == ""  # another incident, no draft
        await pilot.press("escape")

        await select_incident(pilot, settle, f'"{incident.incident_id}"')
        await pilot.press("c")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, CommentDialog)
        assert dialog.query_one("#comment", TextArea).text == "rolling back the 14:05 deploy"
        assert dialog.query_one("#dialog").border_subtitle == "your unsaved draft"
        await pilot.press(*", done", "ctrl+s")
        await settle(pilot)
        assert stored(demo_app, incident).timeline[-1].text == "rolling back the 14:05 deploy, done"

        await pilot.press("c")  # posted: the draft is gone
        await settle(pilot)
        assert demo_app.screen.query_one("#comment", TextArea).text == ""
        assert other.id != incident.id


async def test_esc_keeps_the_note_and_target_of_a_move(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("r", *"bad deploy", "escape")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        dialog = demo_app.screen
        assert isinstance(dialog, TransitionDialog)
        assert dialog.query_one("#note", Input).value == "bad deploy" and dialog.chosen() is Status.RESOLVED
        await pilot.press("enter")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.RESOLVED and after.timeline[-1].text == "bad deploy"


async def test_esc_keeps_the_note_of_a_confirmation(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:mitigated")
        await pilot.press("X")
        await settle(pilot)
        await pilot.press(*"duplicate of INC-12", "escape")
        await settle(pilot)
        assert stored(demo_app, incident).incident.status is Status.MITIGATED
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        assert demo_app.screen.query_one("#note", Input).value == "duplicate of INC-12"


async def test_esc_keeps_an_edit_and_a_new_incident(demo_app, settle):
    config = demo_app.backend.search_configs("")[0]
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open sev:high")
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#title", "")
        await pilot.press("end", "ctrl+u", *"Payments API erroring")
        await choose(pilot, "#severity", "Critical")
        await pilot.press("escape")
        await settle(pilot)
        assert stored(demo_app, incident).incident.title == incident.title

        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#title", "Card payments failing")
        await choose(pilot, "#commander_id", "Priya")
        await type_into(pilot, "#config_ids Input", config.name)
        await settle(pilot)
        await pilot.press("enter", "escape")
        await settle(pilot)

        await pilot.press("e")
        await settle(pilot)
        form = demo_app.screen
        assert form.query_one("#title", Input).value == "Payments API erroring"
        assert form.query_one("#severity", Select).value is Severity.CRITICAL
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = stored(demo_app, incident).incident
        assert (after.title, after.severity) == ("Payments API erroring", Severity.CRITICAL)

        await pilot.press("n")
        await settle(pilot)
        form = demo_app.screen
        assert form.query_one("#title", Input).value == "Card payments failing"
        commander = form.query_one("#commander_id", Select).value
        assert commander == next(p.id for p in demo_app.backend.list_people() if p.name == "Priya Raman")
        assert form.query_one("#config_ids", LinkChooser).chosen_ids == (config.id,)


async def test_esc_keeps_an_external_responder_being_typed(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        before = stored(demo_app, incident).responders
        await add_external_responder(pilot, settle, "Email")
        await type_into(pilot, "#prop-to", "dba-oncall@example.com")
        await pilot.press("tab", *"replica lag", "escape")
        await settle(pilot)
        assert stored(demo_app, incident).responders == before
        await pilot.press("plus")
        await settle(pilot)
        form = demo_app.screen
        assert form.query_one("#kind", Select).value is ResponderKind.EXTERNAL
        assert form.query_one("#external-type", Select).value == "email"
        assert form.query_one("#prop-to", Input).value == "dba-oncall@example.com"
        assert form.query_one("#prop-subject", Input).value == "replica lag"
        await pilot.press("ctrl+s")
        await settle(pilot)
        added = [r for r in stored(demo_app, incident).responders if r not in before]
        assert [(r.external_type, r.properties["to"]) for r in added] == [("email", "dba-oncall@example.com")]
