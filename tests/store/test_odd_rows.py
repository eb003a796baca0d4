"""Rows another tool wrote in forms we would not write, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import literal_column, text, update

from tests.conftest import TESTER, sqlite_url
from tui.domain.enums import Status
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.store.base import Conflict
from tui.store.sql import open_sql_backend
from tui.store.sql.schema import incidents

from .test_backend import raw_incident

ODD_TIMESTAMPS = {
    "sqlite CURRENT_TIMESTAMP": "2026-11-20 11:00:00",
    "ISO with Z": "2026-11-20T11:00:00Z",
    "ISO with an offset": "2026-11-20T13:00:00+02:00",
    "a date only": "2026-11-20",
}


def store_updated_at(backend, id, stored: str) -> None:
    """Write `stored` as the database's own literal, the way another program's SQL would."""
    with backend.engine.begin() as conn:
        conn.execute(update(incidents).where(incidents.c.id == id)
                     .values(updated_at=literal_column("'" + stored + "'")))


def stored_text(backend, id) -> str:
    with backend.engine.connect() as conn:
        return conn.execute(text("SELECT CAST(updated_at AS TEXT) FROM incidents WHERE incident_id = "
                                 "(SELECT incident_id FROM incidents WHERE title = 'odd stamp')")).scalar_one()


@pytest.mark.parametrize("stored", ODD_TIMESTAMPS.values(), ids=ODD_TIMESTAMPS.keys())
def test_an_incident_stamped_in_another_form_can_be_changed(backend, stored):
    id = raw_incident(backend, "odd stamp")
    store_updated_at(backend, id, stored)
    read = backend.get_incident(id).incident
    changed = backend.transition(id, Status.MITIGATED, None, read.updated_at)
    assert changed.status is Status.MITIGATED and changed.updated_at > read.updated_at
    # Our write puts the stamp in our own form, which reads back as the same instant.
    assert backend.get_incident(id).incident.updated_at == changed.updated_at
    if backend.dialect == "sqlite":
        assert stored_text(backend, id) == changed.updated_at.strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize("stored", ODD_TIMESTAMPS.values(), ids=ODD_TIMESTAMPS.keys())
def test_a_conflict_is_still_detected_on_an_odd_stamp(backend, stored):
    id = raw_incident(backend, "odd stamp")
    store_updated_at(backend, id, stored)
    read = backend.get_incident(id).incident
    with pytest.raises(Conflict):
        backend.transition(id, Status.MITIGATED, None, read.updated_at - timedelta(seconds=1))
    with pytest.raises(Conflict):
        backend.acknowledge(id, read.updated_at + timedelta(seconds=1))
    assert backend.get_incident(id).incident.status == Status.OPEN


def test_closing_never_fails_while_another_process_holds_the_write_lock(tmp_path: Path, frozen_clock):
    path = tmp_path / "busy.db"
    backend = open_sql_backend(sqlite_url(path), TESTER)
    backend.list_incidents(parse_filter(""), Window(0, 5))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        backend.close()
    finally:
        holder.rollback()
        holder.close()
