"""Rows another tool wrote in forms we would not write, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal_column, text, update

from tests.conftest import FIXED_NOW, TESTER, sqlite_url
from tui.cli.listing import print_json_rows, print_rows
from tui.domain.enums import Status
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.store.base import Conflict, Unreadable
from tui.store.sql import open_sql_backend
from tui.store.sql.schema import incidents

from .seeder import Seeder

ODD_TIMESTAMPS = {
    "sqlite CURRENT_TIMESTAMP": "2026-11-20 11:00:00",
    "ISO with Z": "2026-11-20T11:00:00Z",
    "ISO with an offset": "2026-11-20T13:00:00+02:00",
    "a date only": "2026-11-20",
}


def raw_incident(backend, title: str):
    return Seeder(backend.engine, backend.whoami().id).raw_incident(title)


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


# -- Rows we cannot read are shown, marked, and leave the others alone ---------------------------

def copy_of(backend, source, incident_id: str, **columns) -> None:
    """A copy of incident `source` under `incident_id`, with some columns overwritten by raw SQL."""
    with backend.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO incidents (id, incident_id, title, created_by, severity, description, type, status, "
            "created_at, updated_at) SELECT :new_id, :incident_id, title, created_by, severity, description, "
            "type, status, created_at, updated_at FROM incidents WHERE id = :source"),
            {"new_id": uuid4().hex if backend.dialect == "sqlite" else uuid4(), "incident_id": incident_id,
             "source": source.hex if backend.dialect == "sqlite" else source})
        sets = ", ".join(f"{name} = {value}" for name, value in columns.items())
        conn.execute(text(f"UPDATE incidents SET {sets} WHERE incident_id = :incident_id"),
                     {"incident_id": incident_id})


def board(backend):
    return {row.incident_id: row for row in backend.list_incidents(parse_filter(""), Window(0, 50)).rows}


SQLITE_ODD_ROWS = {
    "BAD-1": {"created_at": "'yesterday-ish'"},
    "BAD-2": {"id": "'not-a-uuid'"},
    "BAD-3": {"title": "x'ff00fe'"},
    "BAD-4": {"updated_at": "'2026-13-45 99:99:99'"},
}


@pytest.fixture
def sqlite_backend(tmp_path: Path, frozen_clock):
    opened = open_sql_backend(sqlite_url(tmp_path / "odd.db"), TESTER)
    yield opened
    opened.close()


@pytest.fixture
def pg_backend(pg_server, pg_migrated_template, frozen_clock):
    opened = open_sql_backend(pg_server.url(pg_server.create_database("odd", template=pg_migrated_template)),
                              TESTER)
    yield opened
    opened.close()


def test_unreadable_sqlite_rows_are_marked_and_the_rest_of_the_board_is_unaffected(sqlite_backend):
    backend = sqlite_backend  # these values cannot be stored in PostgreSQL's typed columns
    good = [raw_incident(backend, f"fine {n}") for n in range(3)]
    for incident_id, columns in SQLITE_ODD_ROWS.items():
        copy_of(backend, good[0], incident_id, **columns)
    rows = board(backend)
    assert len(rows) == 7
    assert all(not row.problems for id, row in rows.items() if id.startswith("RAW-"))
    assert rows["BAD-1"].problems == ("The creation time 'yesterday-ish' is not a time.",)
    assert rows["BAD-1"].created_at is None and rows["BAD-1"].title == "fine 0"
    assert rows["BAD-2"].problems == ("The id 'not-a-uuid' is not a UUID.",)
    assert rows["BAD-3"].problems == ("The title is binary data (3 bytes), not text.",)
    assert rows["BAD-3"].title.startswith("\N{REPLACEMENT CHARACTER}")
    assert rows["BAD-4"].problems == ("The last update time '2026-13-45 99:99:99' is not a time.",)
    # The detail of an unreadable incident is a sentence, not a crash.
    with pytest.raises(Unreadable) as unreadable:
        backend.get_incident(rows["BAD-1"].id)
    assert str(unreadable.value) == ("BAD-1 cannot be shown in full or changed here: "
                                     "The creation time 'yesterday-ish' is not a time.")
    with pytest.raises(Unreadable):  # nor is a change to one
        backend.transition(rows["BAD-4"].id, Status.MITIGATED, None, FIXED_NOW)


@pytest.mark.postgres
def test_infinite_timestamps_on_postgresql_are_an_unreadable_row(pg_backend):
    backend = pg_backend  # SQLite has no infinity timestamps (see the SQLite rows above)
    good = [raw_incident(backend, f"fine {n}") for n in range(2)]
    copy_of(backend, good[0], "BAD-1", created_at="'infinity'", updated_at="'-infinity'")
    copy_of(backend, good[0], "BAD-2", resolved="'infinity'")
    rows = board(backend)
    assert len(rows) == 4
    assert rows["BAD-1"].problems == ("The creation time 'infinity' is not a time.",
                                      "The last update time '-infinity' is not a time.")
    assert not rows["BAD-2"].problems  # the board does not show `resolved`...
    with pytest.raises(Unreadable) as unreadable:  # ...the detail does
        backend.get_incident(rows["BAD-2"].id)
    assert str(unreadable.value) == ("BAD-2 cannot be shown in full or changed here: "
                                     "The resolved time 'infinity' is not a time.")
    assert sum(backend.count_by_severity(parse_filter("")).values()) == 4


# -- Whatever another tool stores, listing and the detail give rows or sentences ----------------

STORED_TEXT = st.one_of(
    st.text(max_size=60), st.binary(max_size=12), st.integers(-(2**63), 2**63 - 1), st.just("x" * 2_000),
    st.sampled_from(["[SEV1]", "[/x]", "P1", "Blocker", "investigating", "technicalDebt", "\x1b]0;pwned\x07",
                     "a\x00b", "\x9b2J", "\u202eevil"]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: STORED_TEXT for name in ("title", "description", "severity", "status",
                                                                    "type")}))
def test_any_stored_values_list_and_show_without_an_error_or_a_control_character(sqlite_backend, capsys, values):
    backend = sqlite_backend
    id = raw_incident(backend, "odd values")
    path = backend.location
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE incidents SET title = ?, description = ?, severity = ?, status = ?, type = ? "
                     "WHERE id = ?", (*values.values(), id.hex))
    try:
        page = backend.list_incidents(parse_filter(""), Window(0, 1_000))  # unknown values sort last
        row = next(row for row in page.rows if row.incident_id == board_id(backend, id))
        try:
            detail = backend.get_incident(row.id)
        except Unreadable as error:  # the board reads fewer fields: its row may look fine
            assert str(error).startswith(f"{row.incident_id} cannot be shown") and str(error).endswith(".")
        else:
            assert not row.problems and detail.incident.title == row.title
        print_rows(page.count, page.offset, page.rows)
        print_json_rows(page.count, page.offset, page.rows)
        printed = capsys.readouterr()
        assert not [ch for ch in printed.out + printed.err if unicodedata.category(ch) == "Cc" and ch != "\n"]
    finally:
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM incidents WHERE id = ?", (id.hex,))


def board_id(backend, id) -> str:
    with backend.engine.connect() as conn:
        return conn.execute(text("SELECT incident_id FROM incidents WHERE id = :id"), {"id": id.hex}).scalar_one()
