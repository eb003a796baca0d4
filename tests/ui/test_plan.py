"""Links and the action plan from the keyboard, on the demo data, each step checked in the store."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from textual.widgets import Checkbox, Input

from tests.ui.test_actions import ME, board, dialog_error, notices, pane_text, select_incident, stored
from tui.app import IncidentApp
from tui.domain import plan
from tui.domain.enums import Health, HypothesisStatus, HypothesisType
from tui.domain.grammar import parse_filter
from tui.domain.models import EvidenceDraft, Hypothesis, HypothesisDraft, HypothesisEdit, Identity, Incident
from tui.domain.query import Window
from tui.screens.action_plan import ActionPlanScreen
from tui.screens.picker import PickerDialog
from tui.screens.plan_forms import EvidenceForm, HypothesisForm, LinkDialog
from tui.store.sql import open_sql_backend

SIZE = (120, 40)


async def select_undone(pilot, settle) -> Incident:
    """An open incident with no definition of done yet (rule-made ones have their check's)."""
    app = pilot.app
    rows = app.backend.list_incidents(parse_filter("status:open"), Window(0, 50)).rows
    row = next(row for row in rows if not plan.done_evidences(app.backend.get_incident(row.id)))
    return await select_incident(pilot, settle, row.incident_id)


def unlinked_config(app: IncidentApp, incident: Incident, name: str) -> None:
    assert name not in [c.name for c in stored(app, incident).configs]


async def open_links(pilot, settle) -> LinkDialog:
    await pilot.press("l")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, LinkDialog)
    return dialog


async def toggle_in(pilot, settle, chooser: str, name: str) -> None:
    """Search one of a dialog's choosers for `name` and press enter on the (first) result."""
    pilot.app.screen.query_one(f"#{chooser} Input", Input).focus()
    await pilot.press(*name)
    await settle(pilot)
    await pilot.press("enter")


async def test_link_a_config_from_the_detail_pane_then_unlink_it(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        unlinked_config(demo_app, incident, "ledger-service")
        await open_links(pilot, settle)
        await toggle_in(pilot, settle, "config_ids", "ledger-service")
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = stored(demo_app, incident)
        link = next(e for e in plan.root_links(detail).values() if e.config and e.config.name == "ledger-service")
        assert link.type == "config" and plan.root_of(detail.hypotheses).id == link.hypothesis_id
        assert "ledger-service" in pane_text(demo_app)

        await open_links(pilot, settle)
        await toggle_in(pilot, settle, "config_ids", "ledger-service")  # enter on a linked one unlinks it
        await pilot.press("ctrl+s")
        await settle(pilot)
        unlinked_config(demo_app, incident, "ledger-service")
        removed = [e for e in stored(demo_app, incident).timeline if e.type == plan.HISTORY_EVIDENCE_REMOVED]
        assert [(e.actor.name, e.text) for e in removed] == [(ME, "config item ledger-service")]
        assert "unlinked config item ledger-service" in pane_text(demo_app)
        assert "1 linked" in notices(demo_app) and "1 unlinked" in notices(demo_app)


def node(app: IncidentApp, incident: Incident, title: str) -> Hypothesis:
    return next(h for h in stored(app, incident).hypotheses if h.title == title)


async def highlight(pilot, title: str) -> None:
    """Move the plan's cursor (j) to the node titled `title`."""
    screen = pilot.app.screen
    assert isinstance(screen, ActionPlanScreen)
    for _ in range(40):
        line = screen.highlighted()
        if isinstance(line, Hypothesis) and line.title == title:
            return
        await pilot.press("j")
    raise AssertionError(f"no node {title!r} in the plan")


async def test_grow_the_plan_and_mark_its_definition_of_done(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(demo_app.screen, ActionPlanScreen)

        await pilot.press("a")  # the cursor starts on the root: a factor under it
        await settle(pilot)
        assert isinstance(demo_app.screen, HypothesisForm)
        await pilot.press(*"connection pool exhausted", "ctrl+s")
        await settle(pilot)
        factor = node(demo_app, incident, "connection pool exhausted")
        root = plan.root_of(stored(demo_app, incident).hypotheses)
        assert (factor.type, factor.status, factor.parent_id) == (HypothesisType.FACTOR, HypothesisStatus.POSSIBLE,
                                                                  root.id)

        await highlight(pilot, "connection pool exhausted")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(demo_app.screen, PickerDialog)
        await pilot.press(*"likely", "enter")
        await settle(pilot)
        assert node(demo_app, incident, "connection pool exhausted").status is HypothesisStatus.LIKELY

        await highlight(pilot, "connection pool exhausted")
        await pilot.press("v")
        await settle(pilot)
        form = demo_app.screen
        assert isinstance(form, EvidenceForm)
        await toggle_in(pilot, settle, "check_ids", "payments-api-health")
        form.query_one("#definition_of_done", Checkbox).focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        (evidence,) = node(demo_app, incident, "connection pool exhausted").evidences
        assert evidence.check is not None and evidence.check.name == "payments-api-health"
        assert evidence.definition_of_done and evidence.check.health is Health.HEALTHY

        await pilot.press("escape")
        await settle(pilot)
        assert board(demo_app) is demo_app.screen
        text = pane_text(demo_app)
        assert "connection pool exhausted  likely" in text and "payments-api-health healthy  ★ done-evidence" in text
        done = plan.definition_of_done(stored(demo_app, incident))
        assert done.sentence() in text and done.total == 2 and done.holding == 1  # the rule's check still fails


async def test_done_evidence_toggled_and_a_note_marked_done(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_undone(pilot, settle)
        note = demo_app.backend.add_evidence(incident.id, EvidenceDraft(text="customers confirm checkout works"))
        await pilot.press("ctrl+r", "h")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, ActionPlanScreen)
        for _ in range(40):
            if getattr(screen.highlighted(), "id", None) == note:
                break
            await pilot.press("j")
        await pilot.press("d")
        await settle(pilot)
        assert "0 of 1 hold" in str(screen.query_one("#plan-done").render())
        await pilot.press("D")
        await settle(pilot)
        (done,) = [e for h in stored(demo_app, incident).hypotheses for e in h.evidences if e.id == note]
        assert done.definition_of_done and done.done
        assert "holds (1 of 1)" in str(screen.query_one("#plan-done").render())


async def test_the_done_line_changes_when_a_check_turns_unhealthy_in_the_database(demo_backend, demo_url, settle):
    app = IncidentApp(demo_backend)  # live: the board looks for changes every second
    async with app.run_test(size=SIZE) as pilot:
        incident = await select_undone(pilot, settle)
        check = next(c for c in demo_backend.search_checks("search-api-query"))
        demo_backend.add_evidence(incident.id, EvidenceDraft(check_id=check.id, definition_of_done=True))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Definition of done: holds (1 of 1)" in pane_text(app)
        with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as conn:  # another program, same file
            conn.execute("UPDATE checks SET status = 'unhealthy' WHERE id = ?", (check.id.hex,))
        deadline = time.monotonic() + 10
        while "0 of 1 hold" not in pane_text(app) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert "Definition of done: 0 of 1 hold (search-api-query is unhealthy)" in pane_text(app)


async def test_a_closed_incident_says_so_instead_of_linking(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await select_incident(pilot, settle, "status:closed")
        await pilot.press("l")
        await settle(pilot)
        assert board(demo_app) is demo_app.screen
        assert "read-only" in notices(demo_app)


async def test_edit_a_node_after_someone_else_changed_it(demo_app, demo_url, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_undone(pilot, settle)
        backend = demo_app.backend
        first = backend.add_hypothesis(incident.id, HypothesisDraft(title="cache stampede"))
        backend.add_hypothesis(incident.id, HypothesisDraft(title="cold start"))
        await pilot.press("ctrl+r", "h")
        await settle(pilot)
        await highlight(pilot, "cold start")
        await pilot.press("e")
        await settle(pilot)
        form = demo_app.screen
        assert isinstance(form, HypothesisForm)
        title = form.query_one("#title", Input)
        title.value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "title" in dialog_error(demo_app).lower()  # nothing sent, the form stays
        title.value = "cold start after deploy"
        other = open_sql_backend(demo_url, Identity(name="Second Responder", email="second@example.com"))
        try:
            seen = node(demo_app, incident, "cold start")
            other.update_hypothesis(seen.id, HypothesisEdit(status=HypothesisStatus.UNLIKELY), seen.updated_at)
        finally:
            other.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_app.screen is form and "changed by someone else" in dialog_error(demo_app)
        await pilot.press("ctrl+s")  # again, knowingly, on top of their change
        await settle(pilot)
        edited = node(demo_app, incident, "cold start after deploy")
        assert edited.status is HypothesisStatus.UNLIKELY  # theirs kept, the title is mine
        assert isinstance(demo_app.screen, ActionPlanScreen)
        assert first in {h.id for h in stored(demo_app, incident).hypotheses}
