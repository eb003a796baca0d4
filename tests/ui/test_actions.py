"""Every incident action, driven from the keyboard on the demo data, checked in the store."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Input, Select, TextArea

from tui.app import IncidentApp
from tui.domain import plan
from tui.domain.enums import IncidentType, Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.lifecycle import HISTORY_ACKNOWLEDGED, HISTORY_STATUS_UPDATED, HISTORY_UPDATED
from tui.domain.models import Incident, IncidentDetail, IncidentDraft, IncidentEdit, ResponderKind, TimelineKind
from tui.domain.query import Window
from tui.screens.board import Board
from tui.screens.comment import CommentDialog
from tui.screens.confirm import ConfirmDialog
from tui.screens.incident_form import IncidentForm
from tui.screens.people_picker import PeoplePicker
from tui.screens.responder_form import ResponderForm
from tui.screens.transition import TransitionDialog
from tui.widgets.detail import IncidentDetailPane

ME = "Oncall Tester"
SIZE = (120, 40)


# -- helpers ------------------------------------------------------------------------------------

async def select_incident(pilot, settle, query: str) -> Incident:
    """Put the cursor on the first incident matching `query`, found by its id in the filter bar
    so that it stays on the board whatever its status becomes."""
    app = pilot.app
    await settle(pilot)
    row = app.backend.list_incidents(parse_filter(query), Window(0, 1)).rows[0]
    await pilot.press("/", "backspace", *f'"{row.incident_id}"', "enter")
    await settle(pilot)
    incident = board(app).selected_incident()
    assert incident is not None and incident.id == row.id
    return incident


def board(app: IncidentApp) -> Board:
    screen = app.screen_stack[0] if not isinstance(app.screen, Board) else app.screen
    assert isinstance(screen, Board)
    return screen


def stored(app: IncidentApp, incident: Incident) -> IncidentDetail:
    return app.backend.get_incident(incident.id)


def pane_text(app: IncidentApp) -> str:
    """What the detail pane shows, as plain text."""
    pane = board(app).query_one(IncidentDetailPane)
    assert pane.detail is not None
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(pane.body)
    return console.export_text()


def notices(app: IncidentApp) -> str:
    return "\n".join(str(notification.message) for notification in app._notifications)


def dialog_error(app: IncidentApp) -> str:
    return str(app.screen.query_one("#dialog-error").render())


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press(*text)


async def choose(pilot, selector: str, label: str) -> None:
    """Open a Select from the keyboard and pick the option whose label starts with `label`."""
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await pilot.press("enter", *label, "enter")
    await pilot.pause()


# -- acknowledge and the lifecycle -----------------------------------------------------------------

async def test_acknowledge_sets_time_makes_me_commander_and_credits_me(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open commander:none")
        assert incident.acknowledged is None or incident.commander_id is None
        await pilot.press("a")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.acknowledged is not None
        assert after.commander is not None and after.commander.name == ME
        last = after.timeline[-1]
        assert (last.type, last.actor.name) == (HISTORY_ACKNOWLEDGED, ME)
        assert f"{ME} acknowledged" in pane_text(demo_app)
        assert f"{incident.incident_id} acknowledged; you are its commander" in notices(demo_app)


async def test_mitigate_then_resolve_records_who_did_it(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("m")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.MITIGATED
        last = after.timeline[-1]
        assert (last.type, last.text, last.actor.name) == (HISTORY_STATUS_UPDATED, "mitigated", ME)
        assert f"{ME} marked it mitigated" in pane_text(demo_app)
        assert f"{incident.incident_id} mitigated" in notices(demo_app)

        await pilot.press("r")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.RESOLVED and after.incident.resolved is not None


async def test_close_asks_first_and_esc_changes_nothing(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:resolved")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        assert "read-only" in str(demo_app.screen.query_one("#consequence").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert stored(demo_app, incident).incident == incident

        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        after = stored(demo_app, incident).incident
        assert after.status is Status.CLOSED and after.closed is not None
        assert "read-only — press o to reopen" in pane_text(demo_app)


async def test_cancel_asks_first_and_keeps_the_note(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:mitigated")
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        await pilot.press(*"duplicate of an older alert", "enter")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.CANCELLED and after.incident.closed is not None
        comment = after.timeline[-1]
        assert (comment.kind, comment.text, comment.actor.name) == (TimelineKind.COMMENT,
                                                                    "duplicate of an older alert", ME)


async def test_reopening_a_closed_incident_asks_first(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:closed")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        after = stored(demo_app, incident).incident
        assert after.status is Status.OPEN and after.closed is None and after.resolved is None
        assert f"{incident.incident_id} reopened" in notices(demo_app)


async def test_transition_with_a_note_keeps_the_note_in_the_timeline(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(demo_app.screen, TransitionDialog)
        await pilot.press("r", *"root cause: bad deploy, rolled back", "enter")  # r jumps to resolve
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.incident.status is Status.RESOLVED
        note = after.timeline[-1]
        assert (note.kind, note.text, note.actor.name) == (TimelineKind.COMMENT,
                                                           "root cause: bad deploy, rolled back", ME)
        assert "“root cause: bad deploy, rolled back”" in pane_text(demo_app)


async def test_a_disallowed_transition_says_why_and_changes_nothing(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("x")  # close: only a resolved incident can be closed
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)
        assert "An open incident cannot be closed; from open it can go to: mitigated, resolved, cancelled." \
            in notices(demo_app)
        assert stored(demo_app, incident).incident == incident


async def test_a_closed_incident_is_read_only(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:closed")
        before = stored(demo_app, incident)
        for key in ("e", "c", "a", "m", "p", "plus", "minus"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(demo_app.screen, Board), key
        assert f"{incident.incident_id} is closed and read-only; press o to reopen it first." in notices(demo_app)
        assert stored(demo_app, incident) == before


# -- people and responders -----------------------------------------------------------------------------

async def test_assign_commander_and_communicator_with_the_picker(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(demo_app.screen, PeoplePicker)
        await pilot.press(*"priya", "enter")
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*"mei lin", "enter")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert after.commander is not None and after.commander.name == "Priya Raman"
        assert after.communicator is not None and after.communicator.name == "Mei Lin"
        edits = [entry for entry in after.timeline if entry.type == HISTORY_UPDATED]
        assert edits and all(entry.actor.name == ME for entry in edits[-2:])
        assert "Mei Lin is now communicator" in notices(demo_app)


async def test_unassign_the_commander_by_picking_nobody(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open commander:priya")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert stored(demo_app, incident).commander is None
        assert f"{incident.incident_id} has no commander now" in notices(demo_app)


async def test_add_person_team_and_jira_responders_then_remove_one(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        already = {responder.name for responder in stored(demo_app, incident).responders}
        person = next(p.name for p in demo_app.backend.list_people() if p.name not in already)
        team = next(t.name for t in demo_app.backend.list_teams() if t.name not in already)

        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(demo_app.screen, ResponderForm)
        await choose(pilot, "#person", person)
        await pilot.press("ctrl+s")
        await settle(pilot)

        await pilot.press("plus")
        await settle(pilot)
        await choose(pilot, "#kind", "Team")
        await choose(pilot, "#team", team)
        await pilot.press("ctrl+s")
        await settle(pilot)

        await pilot.press("plus")
        await settle(pilot)
        await choose(pilot, "#kind", "External")
        await choose(pilot, "#external-type", "Jira")
        await type_into(pilot, "#prop-project", "OPS")
        await pilot.press("tab", *"Bug", "tab", *"Checkout API down", "ctrl+s")
        await settle(pilot)

        responders = stored(demo_app, incident).responders
        by_kind = {(r.kind, r.name) for r in responders}
        assert {(ResponderKind.PERSON, person), (ResponderKind.TEAM, team)} <= by_kind
        jira = next(r for r in responders if r.external_type == "jira")
        assert {key: jira.properties[key] for key in ("project", "issueType", "summary")} == {
            "project": "OPS", "issueType": "Bug", "summary": "Checkout API down"}
        assert "Checkout API down" in pane_text(demo_app)

        await pilot.press("minus")
        await settle(pilot)
        await pilot.press(*team.lower(), "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        left = {(r.kind, r.name) for r in stored(demo_app, incident).responders}
        assert (ResponderKind.TEAM, team) not in left and (ResponderKind.PERSON, person) in left


async def test_an_external_responder_without_a_type_is_refused_in_the_form(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        before = stored(demo_app, incident).responders
        await pilot.press("plus")
        await settle(pilot)
        await choose(pilot, "#kind", "External")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ResponderForm)
        assert dialog_error(demo_app) == "An external responder needs a type, e.g. jira or email."
        assert stored(demo_app, incident).responders == before


# -- comments, creating and editing -----------------------------------------------------------------

async def test_comment_refuses_empty_text_then_posts(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(demo_app.screen, CommentDialog)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, CommentDialog)
        assert "A comment needs some text" in dialog_error(demo_app)
        await pilot.press(*"[SEV1] looking at it [/x]", "ctrl+s")
        await settle(pilot)
        last = stored(demo_app, incident).timeline[-1]
        assert (last.kind, last.text, last.actor.name) == (TimelineKind.COMMENT, "[SEV1] looking at it [/x]", ME)
        assert "“[SEV1] looking at it [/x]”" in pane_text(demo_app)


async def test_create_incident_with_links_after_a_missing_title(demo_app, settle):
    config = demo_app.backend.search_configs("")[0]
    check = demo_app.backend.search_checks("")[0]
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = demo_app.screen
        assert isinstance(form, IncidentForm)
        await type_into(pilot, "#description", "Card payments fail at the last step.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_app.screen is form
        assert "A title is required" in str(form.query_one("#title-error").render())
        assert form.query_one("#description", TextArea).text == "Card payments fail at the last step."

        await type_into(pilot, "#title", "[SEV1] Checkout down [/x]")
        await choose(pilot, "#severity", "High")
        await choose(pilot, "#type", "Integration")
        await type_into(pilot, "#config_ids Input", config.name)
        await settle(pilot)
        await pilot.press("enter")
        await type_into(pilot, "#check_ids Input", check.name)
        await settle(pilot)
        await pilot.press("enter", "ctrl+s")
        await settle(pilot)

        assert isinstance(demo_app.screen, Board)
        created = board(demo_app).selected_detail()
        assert created is not None
        incident = created.incident
        assert (incident.title, incident.severity, incident.type, incident.status) == (
            "[SEV1] Checkout down [/x]", Severity.HIGH, IncidentType.INTEGRATION, Status.OPEN)
        assert incident.description == "Card payments fail at the last step."
        detail = stored(demo_app, incident)
        assert [c.id for c in detail.configs] == [config.id] and [c.id for c in detail.checks] == [check.id]
        assert set(plan.root_links(detail)) == {config.id, check.id}  # evidence on the root, as `l` links
        assert detail.creator.name == ME
        text = pane_text(demo_app)
        assert "[SEV1] Checkout down [/x]" in text and config.name in text and check.name in text
        assert f"{incident.incident_id} created" in notices(demo_app)


async def test_edit_title_severity_type_and_description(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open sev:high type:availability")
        await pilot.press("e")
        await settle(pilot)
        form = demo_app.screen
        assert isinstance(form, IncidentForm)
        assert form.query_one("#title", Input).value == incident.title
        assert form.query_one("#severity", Select).value is Severity.HIGH
        await type_into(pilot, "#title", "")
        await pilot.press("end", "ctrl+u", *"Payments API erroring")
        await choose(pilot, "#severity", "Low")
        await choose(pilot, "#type", "Security")
        form.query_one("#description", TextArea).focus()
        await pilot.press(*" Updated by on-call.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = stored(demo_app, incident)
        assert (after.incident.title, after.incident.severity, after.incident.type) == (
            "Payments API erroring", Severity.LOW, IncidentType.SECURITY)
        assert after.incident.description == incident.description + " Updated by on-call."
        last = after.timeline[-1]
        assert (last.type, last.actor.name) == (HISTORY_UPDATED, ME)


# -- concurrent edits ---------------------------------------------------------------------------------

async def test_a_conflicting_edit_is_explained_and_nothing_typed_is_lost(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open sev:critical")
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#title", "")
        await pilot.press("end", "ctrl+u", *"Typed while someone else edited")
        # Someone else changes the incident meanwhile.
        demo_app.backend.update_incident(incident.id, IncidentEdit(severity=Severity.LOW), incident.updated_at)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, IncidentForm)
        assert "changed by someone else" in dialog_error(demo_app)
        assert demo_app.screen.query_one("#title", Input).value == "Typed while someone else edited"
        assert stored(demo_app, incident).incident.title == incident.title

        await pilot.press("ctrl+s")  # saving again applies it on top of the newer version
        await settle(pilot)
        after = stored(demo_app, incident).incident
        assert (after.title, after.severity) == ("Typed while someone else edited", Severity.LOW)


async def test_a_conflicting_quick_transition_is_refused_with_a_message(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        demo_app.backend.update_incident(incident.id, IncidentEdit(title="Renamed elsewhere"), incident.updated_at)
        await pilot.press("m")
        await settle(pilot)
        assert "changed by someone else" in notices(demo_app)
        assert stored(demo_app, incident).incident.status is Status.OPEN
        await pilot.press("m")  # the board reloaded the newer version: now it works
        await settle(pilot)
        assert stored(demo_app, incident).incident.status is Status.MITIGATED


async def test_the_detail_pane_offers_the_keys_as_remapped(demo_backend, settle):
    app = IncidentApp(backend=demo_backend, keymap={"incident.mitigate": "ctrl+t"})
    async with app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        assert "^t mitigate" in pane_text(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert stored(app, incident).incident.status is Status.MITIGATED


async def test_the_detail_pane_shows_data_verbatim_without_control_characters(demo_app, settle):
    title = "[SEV1] db down [/x] \x1b[31mred\x1b[0m \x07bell"
    created = demo_app.backend.create_incident(IncidentDraft(title=title, description="[bold]not bold[/bold]"))
    async with demo_app.run_test(size=SIZE) as pilot:
        await select_incident(pilot, settle, f'"{created.incident_id}"')
        text = pane_text(demo_app)
        assert "[SEV1] db down [/x] red \N{REPLACEMENT CHARACTER}bell" in text
        assert "[bold]not bold[/bold]" in text and "\x1b" not in text
        assert "System (automatic)" not in text and f"Creator       {ME}" in text
