"""Writers starting at the same instant: each check-then-write holds (issue 9, "Races and ordering").

Every writer here has its own backend (engine, connection), as separate processes would; a
barrier lets them all go at once. Run on SQLite (BEGIN IMMEDIATE) and PostgreSQL (row locks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import uuid4

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import TESTER
from tui.domain import clock, lifecycle, plan
from tui.domain.enums import HypothesisStatus, Status
from tui.domain.lifecycle import ReadOnlyIncident
from tui.domain.models import (
    EvidenceDraft,
    HypothesisDraft,
    HypothesisEdit,
    Identity,
    IncidentDraft,
    ResponderDraft,
    ResponderKind,
)
from tui.store.base import BackendError, Conflict, NotFound
from tui.store.sql import SqlBackend, open_sql_backend
from tui.store.sql.schema import (
    comments,
    config_items,
    evidences,
    hypotheses,
    incident_histories,
    people,
    responders,
)

WRITERS = 8
T = TypeVar("T")


def at_once(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """`work(i)` in `count` threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def accepted_once(results: list[Any], refusal: type[BaseException], says: str = "") -> None:
    """Exactly one writer got through; every other was refused with `refusal` (saying `says`)."""
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(results) - len(refused) == 1
    assert all(isinstance(r, refusal) and says in str(r) for r in refused), refused


@pytest.fixture
def writers(backend_url: str):
    """WRITERS backends on one database, each signed in as someone else."""
    opened = [open_sql_backend(backend_url, Identity(name=f"Writer {i}", email=f"writer{i}@example.com"))
              for i in range(WRITERS)]
    yield opened
    for backend in opened:
        backend.close()


def count(backend: SqlBackend, table: Any, *where: Any) -> int:
    with backend.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def history_types(backend: SqlBackend, incident_id: Any, type: str) -> int:
    return count(backend, incident_histories, incident_histories.c.incident_id == incident_id,
                 incident_histories.c.type == type)


def test_simultaneous_adds_of_one_responder_accept_one(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="many hands"))
    dana = writers[1].whoami().id
    draft = ResponderDraft(kind=ResponderKind.PERSON, person_id=dana)
    results = at_once(WRITERS, lambda i: writers[i].add_responder(incident.id, draft))
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(results) - len(refused) == 1
    assert all(isinstance(r, BackendError) and "already responding" in str(r) for r in refused), refused
    assert count(first, responders, responders.c.incident_id == incident.id, responders.c.deleted_at.is_(None)) == 1
    assert history_types(first, incident.id, lifecycle.HISTORY_RESPONDER_CREATED) == 1


def test_simultaneous_removes_of_one_responder_record_one_removal(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="too many hands"))
    responder = first.add_responder(incident.id, ResponderDraft(kind=ResponderKind.PERSON,
                                                                person_id=writers[1].whoami().id))
    results = at_once(WRITERS, lambda i: writers[i].remove_responder(responder.id))
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(results) - len(refused) == 1
    assert all(isinstance(r, NotFound) for r in refused), refused
    assert history_types(first, incident.id, lifecycle.HISTORY_RESPONDER_REMOVED) == 1


def test_simultaneous_links_of_one_config_accept_one(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="linked from every terminal"))
    with first.engine.begin() as conn:
        config = uuid4()
        conn.execute(insert(config_items).values(id=config, name="payments-db", type="Database", config_class="DB"))
    results = at_once(WRITERS, lambda i: writers[i].add_evidence(incident.id, EvidenceDraft(config_id=config)))
    accepted_once(results, BackendError, "already linked")
    assert count(first, evidences, evidences.c.config_id == config) == 1
    assert count(first, hypotheses, hypotheses.c.incident_id == incident.id) == 1  # one root, not one each
    assert history_types(first, incident.id, plan.HISTORY_EVIDENCE_CREATED) == 1


def test_simultaneous_unlinks_record_one_removal(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="unlinked from every terminal"))
    link = first.add_evidence(incident.id, EvidenceDraft(text="a note to unlink"))
    accepted_once(at_once(WRITERS, lambda i: writers[i].remove_evidence(link)), NotFound)
    assert history_types(first, incident.id, plan.HISTORY_EVIDENCE_REMOVED) == 1


def test_simultaneous_edits_of_one_hypothesis_keep_one(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="everyone has a theory"))
    factor = first.add_hypothesis(incident.id, HypothesisDraft(title="cause"))
    seen = next(h for h in first.get_incident(incident.id).hypotheses if h.id == factor)
    statuses = list(HypothesisStatus)
    results = at_once(WRITERS, lambda i: writers[i].update_hypothesis(
        factor, HypothesisEdit(title=f"theory {i}", status=statuses[i % len(statuses)]), seen.updated_at))
    accepted_once(results, Conflict)
    winner = next(i for i, r in enumerate(results) if not isinstance(r, BaseException))
    stored = next(h for h in first.get_incident(incident.id).hypotheses if h.id == factor)
    assert (stored.title, stored.status) == (f"theory {winner}", statuses[winner % len(statuses)])


def test_comments_racing_a_close_are_refused_once_it_closed(writers):
    first = writers[0]
    incident = first.create_incident(IncidentDraft(title="closing time"))
    resolved = first.transition(incident.id, Status.RESOLVED, None, incident.updated_at)

    def work(i: int) -> list[str | BaseException]:
        if i == 0:
            first.transition(resolved.id, Status.CLOSED, None, resolved.updated_at)
            return []
        outcomes: list[str | BaseException] = []
        for n in range(6):
            text = f"writer {i} comment {n}"
            try:
                writers[i].add_comment(incident.id, text)
                outcomes.append(text)
            except ReadOnlyIncident as error:
                outcomes.append(error)
        return outcomes

    results = at_once(WRITERS, work)
    assert not [r for r in results if isinstance(r, BaseException)]
    accepted = {text for outcome in results for text in outcome if isinstance(text, str)}  # type: ignore[union-attr]
    refused = [error for outcome in results for error in outcome if isinstance(error, BaseException)]  # type: ignore[union-attr]
    assert all("closed and read-only" in str(error) for error in refused)
    with first.engine.connect() as conn:
        stored = dict(conn.execute(select(comments.c.comment, comments.c.created_at)
                                   .where(comments.c.incident_id == incident.id)).all())
        closed_at = conn.execute(select(incident_histories.c.created_at).where(
            incident_histories.c.incident_id == incident.id,
            incident_histories.c.type == lifecycle.HISTORY_STATUS_UPDATED,
            incident_histories.c.description == Status.CLOSED.value)).scalar_one()
    assert set(stored) == accepted
    assert all(at < closed_at for at in stored.values())
    timeline = first.get_incident(incident.id).timeline
    assert timeline[-1].type == lifecycle.HISTORY_STATUS_UPDATED and timeline[-1].text == Status.CLOSED.value


@pytest.mark.parametrize("email", ["same.person@example.com", None], ids=["email", "name-only"])
def test_first_start_of_many_processes_signs_in_one_person(backend_url, email):
    open_sql_backend(backend_url, TESTER).close()  # the database exists; the person does not yet
    identity = Identity(name="Same Person", email=email)
    results = at_once(24, lambda _: open_sql_backend(backend_url, identity))
    opened = [r for r in results if isinstance(r, SqlBackend)]
    try:
        assert len(opened) == 24, [r for r in results if isinstance(r, BaseException)]
        assert len({backend.whoami().id for backend in opened}) == 1
        assert count(opened[0], people, people.c.name == "Same Person") == 1
    finally:
        for backend in opened:
            backend.close()


def test_many_processes_starting_on_a_new_database_migrate_it_once(backend_url, request):
    if "postgresql" in backend_url:  # the template copy is migrated already: start from an empty one
        server = request.getfixturevalue("pg_server")
        backend_url = server.url(server.create_database("empty"))
    results = at_once(8, lambda i: open_sql_backend(backend_url, Identity(name=f"Starter {i}")))
    opened = [r for r in results if isinstance(r, SqlBackend)]
    try:
        assert len(opened) == 8, [r for r in results if isinstance(r, BaseException)]
        assert opened[0].create_incident(IncidentDraft(title="first")).incident_id == "INC-1"
    finally:
        for backend in opened:
            backend.close()


def test_times_of_record_come_from_the_database_not_the_clients(writers, monkeypatch):
    """Two clients whose clocks are 10 minutes apart: the history still replays to the stored status."""
    fast, slow = writers[0], writers[1]
    incident = fast.create_incident(IncidentDraft(title="clock skew"))
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(minutes=10))  # the first client's clock
    mitigated = fast.transition(incident.id, Status.MITIGATED, None, incident.updated_at)
    fast.add_comment(incident.id, "from the fast clock")
    monkeypatch.setattr(clock, "utcnow", real)  # the second client's, right
    resolved = slow.transition(incident.id, Status.RESOLVED, None, mitigated.updated_at)
    slow.add_comment(incident.id, "from the right clock")
    timeline = slow.get_incident(incident.id).timeline
    statuses = [entry.text for entry in timeline if entry.type == lifecycle.HISTORY_STATUS_UPDATED]
    assert statuses == [Status.MITIGATED.value, Status.RESOLVED.value]
    assert statuses[-1] == resolved.status.value
    assert [entry.text for entry in timeline if entry.kind.value == "comment"] == \
        ["from the fast clock", "from the right clock"]
    assert all(abs(entry.at - datetime.now(UTC)) < timedelta(minutes=1) for entry in timeline)
