"""A database whose own triggers write history (Mission Control's): nothing recorded twice,
and every row credited to the person who acted, not the incident's creator (NOTES §1.6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import TESTER
from tui.domain.enums import Status
from tui.domain.lifecycle import (
    HISTORY_ACKNOWLEDGED,
    HISTORY_CREATED,
    HISTORY_RESPONDER_CREATED,
    HISTORY_STATUS_UPDATED,
    HISTORY_UPDATED,
)
from tui.domain.models import Identity, IncidentDraft, IncidentEdit, ResponderDraft, ResponderKind
from tui.store.sql import open_sql_backend, open_sql_database
from tui.store.sql.schema import incident_histories

pytestmark = pytest.mark.postgres


def history(backend, incident_id):
    with backend.engine.connect() as conn:
        rows = conn.execute(select(incident_histories.c.type, incident_histories.c.created_by)
                            .where(incident_histories.c.incident_id == incident_id)
                            .order_by(incident_histories.c.created_at, incident_histories.c.type))
        return sorted(rows.all())


def test_the_triggers_are_detected(mission_control_pg_url):
    database = open_sql_database(mission_control_pg_url)
    try:
        assert database.history_by_triggers == {HISTORY_CREATED, HISTORY_STATUS_UPDATED,
                                                HISTORY_RESPONDER_CREATED, "responder.commented"}
    finally:
        database.close()


def test_our_own_databases_have_none(backend):
    assert backend.database.history_by_triggers == frozenset()


def test_each_change_is_recorded_once_and_credited_to_the_actor(mission_control_pg_url):
    creator = open_sql_backend(mission_control_pg_url, TESTER)
    other = open_sql_backend(mission_control_pg_url, Identity(name="Second Responder", email="second@example.com"))
    try:
        made = creator.create_incident(IncidentDraft(title="db down"))
        moved = other.transition(made.id, Status.MITIGATED, None, made.updated_at)
        edited = other.update_incident(moved.id, IncidentEdit(title="db down hard"), moved.updated_at)
        other.acknowledge(edited.id, edited.updated_at)
        other.add_responder(made.id, ResponderDraft(kind=ResponderKind.PERSON, person_id=creator.whoami().id))
        me, them = creator.whoami().id, other.whoami().id
        assert history(creator, made.id) == sorted([
            (HISTORY_ACKNOWLEDGED, them), (HISTORY_CREATED, me), (HISTORY_UPDATED, them),
            (HISTORY_STATUS_UPDATED, them), (HISTORY_RESPONDER_CREATED, them)])
        timeline = other.get_incident(made.id).timeline
        assert [entry.actor.name for entry in timeline if entry.type == HISTORY_STATUS_UPDATED] == ["Second Responder"]
    finally:
        creator.close()
        other.close()
