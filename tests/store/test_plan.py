"""Links and the action plan, on every backend (SQLite, PostgreSQL, the API over each): what is
stored, what the detail reads back, the history rows, and the refusals (issue 8)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from tests.conftest import TESTER
from tests.store.backends import Target, _backend, _seeder, _target, _target_url  # noqa: F401 (fixtures)
from tests.store.seeder import Seeder
from tui.domain import plan
from tui.domain.enums import HypothesisStatus, HypothesisType, Status
from tui.domain.lifecycle import ReadOnlyIncident
from tui.domain.models import (
    EvidenceDraft,
    EvidenceEdit,
    HypothesisDraft,
    HypothesisEdit,
    Identity,
    IncidentDraft,
)
from tui.store.base import BackendError, Conflict, NotFound
from tui.store.sql.schema import checks, evidences, hypotheses, incident_histories


def stored(seeder: Seeder, table: Any, *where: Any) -> list[Any]:
    with seeder.engine.connect() as conn:
        return list(conn.execute(select(table).where(*where)))


def histories(seeder: Seeder, incident_id: UUID, type: str) -> list[Any]:
    return stored(seeder, incident_histories, incident_histories.c.incident_id == incident_id,
                  incident_histories.c.type == type)


def evidence_rows(seeder: Seeder, incident_id: UUID) -> list[Any]:
    with seeder.engine.connect() as conn:
        return list(conn.execute(select(evidences, hypotheses.c.type.label("hypothesis_type"))
                                 .join(hypotheses, hypotheses.c.id == evidences.c.hypothesis_id)
                                 .where(hypotheses.c.incident_id == incident_id).order_by(evidences.c.type)))


def test_linking_a_config_and_a_check_puts_evidence_on_the_root(backend, seeder):
    config, check = seeder.add_config("payments-db", "unhealthy"), seeder.add_check("checkout-api")
    incident = backend.create_incident(IncidentDraft(title="checkout slow"))
    backend.add_evidence(incident.id, EvidenceDraft(config_id=config))
    backend.add_evidence(incident.id, EvidenceDraft(check_id=check, definition_of_done=True))
    rows = evidence_rows(seeder, incident.id)
    assert [(r.type, r.hypothesis_type, r.description, r.config_id, r.check_id) for r in rows] == [
        ("check", "root", "Health check", None, check), ("config", "root", "Config item", config, None)]
    assert rows[0].evidence == {"check_id": str(check)} and rows[0].definition_of_done is True
    assert rows[0].done is False and rows[0].created_by == backend.whoami().id
    created = histories(seeder, incident.id, plan.HISTORY_EVIDENCE_CREATED)
    assert sorted(row.description for row in created) == ["config item payments-db",
                                                           "health check checkout-api (definition of done)"]
    assert {row.created_by for row in created} == {backend.whoami().id}
    detail = backend.get_incident(incident.id)
    assert [c.name for c in detail.configs] == ["payments-db"] and [c.name for c in detail.checks] == ["checkout-api"]
    (root,) = detail.hypotheses
    assert root.type is HypothesisType.ROOT and root.status is HypothesisStatus.POSSIBLE
    assert {(e.config.name if e.config else e.check.name, e.definition_of_done) for e in root.evidences} == {
        ("payments-db", False), ("checkout-api", True)}
    assert set(plan.root_links(detail)) == {config, check}


def test_a_second_link_of_one_config_is_refused(backend, seeder):
    config = seeder.add_config("payments-db")
    incident = backend.create_incident(IncidentDraft(title="twice", config_ids=(config,)))
    with pytest.raises(BackendError, match="already linked"):
        backend.add_evidence(incident.id, EvidenceDraft(config_id=config))
    assert len(evidence_rows(seeder, incident.id)) == 1


def test_linking_something_that_does_not_exist_is_not_found(backend):
    incident = backend.create_incident(IncidentDraft(title="ghost"))
    with pytest.raises(NotFound, match="no longer exists"):
        backend.add_evidence(incident.id, EvidenceDraft(check_id=uuid4()))


def test_unlinking_deletes_the_evidence_and_says_so_in_the_timeline(backend, seeder):
    config, check = seeder.add_config("payments-db"), seeder.add_check("checkout-api")
    incident = backend.create_incident(IncidentDraft(title="linked at creation", config_ids=(config,),
                                                     check_ids=(check,)))
    link = plan.root_links(backend.get_incident(incident.id))[config]
    # A history row naming the evidence, as Mission Control's trigger writes one: it must not stop the unlink.
    seeder.insert_rows(incident_histories, incident_id=incident.id, created_by=seeder.me, type="evidence.created",
                       evidence_id=link.id, hypothesis_id=link.hypothesis_id)
    backend.remove_evidence(link.id)
    assert [row.check_id for row in evidence_rows(seeder, incident.id)] == [check]
    (removed,) = histories(seeder, incident.id, plan.HISTORY_EVIDENCE_REMOVED)
    assert (removed.description, removed.created_by) == ("config item payments-db", backend.whoami().id)
    detail = backend.get_incident(incident.id)
    assert detail.configs == () and [c.name for c in detail.checks] == ["checkout-api"]
    assert [(e.actor.name, e.text) for e in detail.timeline if e.type == plan.HISTORY_EVIDENCE_REMOVED] == [
        (TESTER.name, "config item payments-db")]
    with pytest.raises(NotFound, match="no longer on the incident"):
        backend.remove_evidence(link.id)


def test_an_incident_stored_without_a_root_gets_one_when_something_is_linked(backend, seeder):
    incident = seeder.raw_incident("from another tool")
    config = seeder.add_config("orders-db")
    backend.add_evidence(incident, EvidenceDraft(config_id=config))
    (root,) = stored(seeder, hypotheses, hypotheses.c.incident_id == incident)
    assert (root.type, root.title, root.status) == ("root", "from another tool", "possible")


def test_factors_and_solutions_grow_the_tree(backend, seeder):
    incident = backend.create_incident(IncidentDraft(title="checkout down"))
    factor = backend.add_hypothesis(incident.id, HypothesisDraft(title="bad deploy", status=HypothesisStatus.LIKELY))
    deeper = backend.add_hypothesis(incident.id, HypothesisDraft(title="config typo", parent_id=factor))
    fix = backend.add_hypothesis(incident.id, HypothesisDraft(title="roll back", type=HypothesisType.SOLUTION,
                                                              parent_id=factor))
    row = stored(seeder, hypotheses, hypotheses.c.id == factor)[0]
    root = plan.root_of(backend.get_incident(incident.id).hypotheses)
    assert (row.type, row.status, row.parent_id, row.created_by) == ("factor", "likely", root.id, backend.whoami().id)
    (top,) = plan.tree(backend.get_incident(incident.id).hypotheses)
    assert top.hypothesis.id == root.id
    assert [(n.hypothesis.title, [c.hypothesis.id for c in n.children]) for n in top.children] == [
        ("bad deploy", [deeper, fix])]
    created = histories(seeder, incident.id, plan.HISTORY_HYPOTHESIS_CREATED)
    assert sorted(r.description for r in created) == ["factor: bad deploy (likely)", "factor: config typo (possible)",
                                                     "solution: roll back (possible)"]
    with pytest.raises(BackendError, match="Nothing goes under a solution"):
        backend.add_hypothesis(incident.id, HypothesisDraft(title="under a fix", parent_id=fix))
    with pytest.raises(BackendError, match="one root hypothesis"):
        backend.add_hypothesis(incident.id, HypothesisDraft(title="second root", type=HypothesisType.ROOT))
    assert len(stored(seeder, hypotheses, hypotheses.c.incident_id == incident.id)) == 4


def test_editing_a_hypothesis_is_compare_and_set(backend, target, seeder):
    incident = backend.create_incident(IncidentDraft(title="latency"))
    factor = backend.add_hypothesis(incident.id, HypothesisDraft(title="noisy neighbour"))
    seen = next(h for h in backend.get_incident(incident.id).hypotheses if h.id == factor)
    other = target.open(Identity(name="Second Responder", email="second@example.com"))
    other.update_hypothesis(factor, HypothesisEdit(status=HypothesisStatus.DISPROVEN), seen.updated_at)
    with pytest.raises(Conflict, match="changed by someone else"):
        backend.update_hypothesis(factor, HypothesisEdit(title="mine"), seen.updated_at)
    row = stored(seeder, hypotheses, hypotheses.c.id == factor)[0]
    assert (row.title, row.status) == ("noisy neighbour", "disproven")
    (status,) = histories(seeder, incident.id, plan.HISTORY_HYPOTHESIS_STATUS)
    assert status.description == "disproven" and status.hypothesis_id == factor
    assert status.created_by == other.whoami().id
    fresh = next(h for h in backend.get_incident(incident.id).hypotheses if h.id == factor)
    assert fresh.updated_at != seen.updated_at
    backend.update_hypothesis(factor, HypothesisEdit(title="mine", type=HypothesisType.SOLUTION), fresh.updated_at)
    row = stored(seeder, hypotheses, hypotheses.c.id == factor)[0]
    assert (row.title, row.type) == ("mine", "solution")
    (edited,) = histories(seeder, incident.id, plan.HISTORY_HYPOTHESIS_UPDATED)
    assert edited.description == "“noisy neighbour”, title: mine, type: Solution"


def test_moves_that_would_break_the_tree_are_refused(backend):
    incident = backend.create_incident(IncidentDraft(title="tree"))
    parent = backend.add_hypothesis(incident.id, HypothesisDraft(title="parent"))
    child = backend.add_hypothesis(incident.id, HypothesisDraft(title="child", parent_id=parent))
    nodes = {h.id: h for h in backend.get_incident(incident.id).hypotheses}
    root = plan.root_of(nodes.values())
    with pytest.raises(BackendError, match="cannot go under itself"):
        backend.update_hypothesis(parent, HypothesisEdit(parent_id=child), nodes[parent].updated_at)
    with pytest.raises(BackendError, match="has 1 node"):
        backend.update_hypothesis(parent, HypothesisEdit(type=HypothesisType.SOLUTION), nodes[parent].updated_at)
    with pytest.raises(BackendError, match="stays the root"):
        backend.update_hypothesis(root.id, HypothesisEdit(parent_id=parent), root.updated_at)
    backend.update_hypothesis(child, HypothesisEdit(parent_id=root.id), nodes[child].updated_at)
    moved = {h.id: h for h in backend.get_incident(incident.id).hypotheses}[child]
    assert moved.parent_id == root.id


def test_evidence_under_a_factor_and_the_definition_of_done(backend, seeder):
    config, check = seeder.add_config("payments-db", "healthy"), seeder.add_check("checkout-api", "healthy")
    incident = backend.create_incident(IncidentDraft(title="done when healthy", check_ids=(check,)))
    factor = backend.add_hypothesis(incident.id, HypothesisDraft(title="pool exhausted"))
    on_factor = backend.add_evidence(incident.id, EvidenceDraft(hypothesis_id=factor, config_id=config,
                                                                definition_of_done=True))
    note = backend.add_evidence(incident.id, EvidenceDraft(hypothesis_id=factor, text="  pool at 100/100\nretrying ",
                                                           log=True))
    check_link = plan.root_links(backend.get_incident(incident.id))[check]
    backend.update_evidence(check_link.id, EvidenceEdit(definition_of_done=True))
    assert plan.definition_of_done(backend.get_incident(incident.id)).sentence() == "Definition of done: holds (2 of 2)"
    backend.update_evidence(note, EvidenceEdit(definition_of_done=True))
    seeder.update_rows(checks, check, status="unhealthy")
    detail = backend.get_incident(incident.id)
    assert plan.definition_of_done(detail).sentence() == (
        "Definition of done: 1 of 3 hold (checkout-api is unhealthy; “pool at 100/100 retrying” is not marked done)")
    backend.update_evidence(note, EvidenceEdit(done=True))
    factor_node = next(h for h in backend.get_incident(incident.id).hypotheses if h.id == factor)
    assert sorted((e.type, e.text, e.done) for e in factor_node.evidences) == [
        ("config", "", False), ("log", "pool at 100/100\nretrying", True)]
    rows = {row.id: row for row in evidence_rows(seeder, incident.id)}
    assert rows[on_factor].hypothesis_id == factor and rows[note].evidence == {
        "lines": [{"message": "pool at 100/100"}, {"message": "retrying"}]}
    assert (rows[note].definition_of_done, rows[note].done) == (True, True)
    assert len(histories(seeder, incident.id, plan.HISTORY_DOD_ADDED)) == 2
    (done,) = histories(seeder, incident.id, plan.HISTORY_EVIDENCE_DONE)
    assert done.description == "log: pool at 100/100 retrying: done" and done.evidence_id == note
    backend.update_evidence(check_link.id, EvidenceEdit(definition_of_done=False))
    assert histories(seeder, incident.id, plan.HISTORY_DOD_REMOVED)[0].description == "health check checkout-api"


def test_a_closed_incident_refuses_plan_changes(backend, seeder):
    config = seeder.add_config("payments-db")
    incident = backend.create_incident(IncidentDraft(title="over", config_ids=(config,)))
    link = plan.root_links(backend.get_incident(incident.id))[config]
    closed = backend.transition(incident.id, Status.CANCELLED, None, incident.updated_at)
    assert closed.status is Status.CANCELLED
    for write in (lambda: backend.add_evidence(incident.id, EvidenceDraft(text="late")),
                  lambda: backend.remove_evidence(link.id),
                  lambda: backend.update_evidence(link.id, EvidenceEdit(definition_of_done=True)),
                  lambda: backend.add_hypothesis(incident.id, HypothesisDraft(title="late"))):
        with pytest.raises(ReadOnlyIncident):
            write()
    assert len(evidence_rows(seeder, incident.id)) == 1


def test_odd_stored_plans_read_leniently(backend, seeder):
    incident = seeder.raw_incident("odd plan")
    root = seeder.insert_rows(hypotheses, created_by=seeder.me, incident_id=incident, type="root", title="odd plan",
                              status="Probably")
    orphan = seeder.insert_rows(hypotheses, created_by=seeder.me, incident_id=incident, type="factor",
                                title="orphan", status="LIKELY")
    seeder.insert_rows(evidences, description="", hypothesis_id=orphan, created_by=seeder.me, type="topology",
                       evidence="not json we know", definition_of_done=None)
    detail = backend.get_incident(incident)
    by_id = {h.id: h for h in detail.hypotheses}
    assert by_id[root].status == "Probably" and by_id[orphan].status is HypothesisStatus.LIKELY
    (evidence,) = by_id[orphan].evidences
    assert (evidence.type, evidence.text, evidence.definition_of_done) == ("topology", "", False)
    assert [node.hypothesis.id for node in plan.tree(detail.hypotheses)] == [root, orphan]
