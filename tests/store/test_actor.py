"""Every write names its actor: the person signed in, a server request's token holder, System."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import TESTER
from tui.domain.enums import Status
from tui.domain.grammar import parse_filter
from tui.domain.models import SYSTEM_PERSON_NAME, IncidentDraft, Person
from tui.domain.query import Window
from tui.store.sql import Writer
from tui.store.sql.database import person_of
from tui.store.sql.schema import people


def test_signing_in_happens_at_open_and_whoami_only_reads(backend):
    with backend.engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(people).where(people.c.email == TESTER.email))
        assert found.scalar_one() == 1
    assert backend.whoami() == backend.whoami()
    assert backend.whoami().email == TESTER.email


def test_a_writer_credits_the_actor_it_is_given(backend):
    with backend.engine.connect() as conn:
        system = person_of(conn.execute(select(people).where(people.c.name == SYSTEM_PERSON_NAME)).one())
    with backend.database.write() as conn:
        made = Writer(backend.database, conn, system).create_incident(IncidentDraft(title="check failed"))
    moved = backend.transition(made.id, Status.MITIGATED, "looking", made.updated_at)
    detail = backend.get_incident(moved.id)
    assert detail.creator == system and made.created_by == system.id
    assert [(entry.type, entry.actor.name) for entry in detail.timeline] == [
        ("incident.created", SYSTEM_PERSON_NAME), ("incident.status_updated", TESTER.name), (None, TESTER.name)]


def test_a_writer_rolls_back_with_its_transaction(backend):
    nobody = Person(id=backend.whoami().id, name="x")
    try:
        with backend.database.write() as conn:
            Writer(backend.database, conn, nobody).create_incident(IncidentDraft(title="never kept"))
            raise RuntimeError("the request failed later")
    except RuntimeError:
        pass
    assert backend.list_incidents(parse_filter(""), Window()).total == 0
