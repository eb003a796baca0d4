"""`changes_since`: what another writer changed, told cheaply, on SQLite and PostgreSQL.

The writer is a second backend on its own engine (its own connections), as another terminal
would be; tests/ui/test_live.py has the board follow a write from another process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Table, event, update

from tests.conftest import FIXED_NOW
from tests.store.seeder import Seeder
from tests.store.test_backend import new
from tui.domain.enums import Status
from tui.domain.models import Identity, IncidentEdit, ResponderDraft, ResponderKind
from tui.store.base import Changes
from tui.store.sql import SqlBackend, open_sql_backend
from tui.store.sql.changes import LOOK_BACK
from tui.store.sql.schema import comments, people


def other_user(backend_url: str) -> SqlBackend:
    return open_sql_backend(backend_url, Identity(name="Second Responder", email="second@example.com"))


def insert_rows(backend: SqlBackend, table: Table, **values: Any) -> UUID:
    return Seeder(backend.engine, backend.whoami().id).insert_rows(table, **values)


@pytest.fixture
def writer(backend_url: str, backend: SqlBackend):
    second = other_user(backend_url)
    yield second
    second.close()


def look(backend: SqlBackend, mark: object) -> Changes:
    return backend.changes_since(mark)


def test_a_first_look_reports_nothing_and_so_does_a_quiet_store(backend, writer):
    new(writer, "before the board opened")
    first = look(backend, None)
    assert (first.incident_ids, first.everything) == (frozenset(), False)
    again = look(backend, first.mark)
    assert not again.any


def test_nothing_changed_costs_no_query_on_sqlite(demo_backend):
    """PostgreSQL has no data_version: there the indexed watermark query runs every time."""
    backend = demo_backend
    mark = look(backend, None).mark
    statements: list[str] = []
    event.listen(backend.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert not look(backend, mark).any
    assert statements == []


WRITES: dict[str, Callable[[SqlBackend, object], object]] = {
    "edit": lambda w, i: w.update_incident(i.id, IncidentEdit(title="renamed"), i.updated_at),
    "transition": lambda w, i: w.transition(i.id, Status.MITIGATED, None, i.updated_at),
    "acknowledge": lambda w, i: w.acknowledge(i.id, i.updated_at),
    "responder": lambda w, i: w.add_responder(i.id, ResponderDraft(kind=ResponderKind.PERSON,
                                                                    person_id=w.whoami().id)),
    "comment": lambda w, i: w.add_comment(i.id, "looking at it"),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_change_by_another_writer_names_its_incident(backend, writer, write):
    other = new(writer, "neighbour")
    incident = new(writer, "changed elsewhere")
    mark = look(backend, None).mark
    WRITES[write](writer, incident)
    changes = look(backend, mark)
    assert changes.incident_ids == {incident.id}
    assert other.id not in changes.incident_ids
    assert not look(backend, changes.mark).any  # told once


def test_new_incidents_and_removed_responders_are_changes(backend, writer):
    mark = look(backend, None).mark
    created = new(writer, "brand new")
    changes = look(backend, mark)
    assert created.id in changes.incident_ids
    responder = writer.add_responder(created.id, ResponderDraft(kind=ResponderKind.PERSON,
                                                                person_id=writer.whoami().id))
    mark = look(backend, changes.mark).mark
    writer.remove_responder(responder.id)
    assert look(backend, mark).incident_ids == {created.id}


def test_a_writer_whose_clock_is_behind_is_still_seen(backend, writer):
    """Its comment is stamped before changes already reported (within LOOK_BACK): it is not missed."""
    incident = new(writer, "skewed")
    mark = look(backend, None).mark
    writer.add_comment(incident.id, "from a clock in time")
    mark = look(backend, mark).mark
    late = FIXED_NOW - LOOK_BACK / 2
    insert_rows(writer, comments, comment="from a clock behind", incident_id=incident.id,
                created_by=writer.whoami().id, created_at=late, updated_at=late)
    assert look(backend, mark).incident_ids == {incident.id}


def test_changes_through_this_backend_are_reported_too(backend):
    mark = look(backend, None).mark
    created = new(backend, "mine")
    assert look(backend, mark).incident_ids == {created.id}


def test_a_commit_that_names_no_incident(backend, writer, backend_url):
    """A person renamed shows on the board (commander names); SQLite sees a commit and says it
    cannot tell which; PostgreSQL looks only at the incident tables."""
    new(writer, "led by someone")
    mark = look(backend, None).mark
    with writer.engine.begin() as conn:
        conn.execute(update(people).where(people.c.id == writer.whoami().id).values(name="Renamed"))
    changes = look(backend, mark)
    assert changes.incident_ids == frozenset()
    assert changes.everything is backend_url.startswith("sqlite")


def test_an_empty_store_then_a_first_incident(backend, writer):
    mark = look(backend, None).mark
    assert not look(backend, mark).any
    created = new(writer, "the first one")
    assert look(backend, mark).incident_ids == {created.id}


def test_old_changes_outside_the_look_back_are_not_reported_again(backend, writer):
    incident = new(writer, "old news")
    mark = look(backend, None).mark
    later = FIXED_NOW + LOOK_BACK * 2
    insert_rows(writer, comments, comment="much later", incident_id=incident.id, created_by=writer.whoami().id,
                created_at=later, updated_at=later)
    changes = look(backend, mark)
    assert changes.incident_ids == {incident.id}
    assert all(stamp > later - LOOK_BACK - timedelta(seconds=1) for *_, stamp in changes.mark.seen)
