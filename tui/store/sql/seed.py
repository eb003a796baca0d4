"""Fill an empty database with tui.store.demo's data, fast and in bounded memory.

The rows come in parts (`iter_demo`), each inserted table by table in FK order, so seeding
a million incidents holds one part at a time. Secondary indexes, and SQLite's free-text
trigger, are dropped for the load and built once at the end: building an index over sorted
keys is several times faster than maintaining it row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, text, update
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from ...domain import clock
from ...domain.models import SYSTEM_PERSON_NAME
from ..base import BackendError
from ..demo import iter_demo
from .backend import SqlBackend
from .schema import incident_id_sequence, incidents, metadata, people

CHUNK = 5_000
PART = 5_000
"""Incidents generated and inserted at a time."""
BULK_TABLES = ("incidents", "hypotheses", "evidences", "responders", "comments", "incident_histories")
"""The tables that grow with the number of incidents: their indexes are built after the load."""


def seed_demo(backend: SqlBackend, *, incidents: int = 320, seed: int = 7, now: datetime | None = None) -> None:
    """Insert the demo data set into `backend`'s database, which must hold no incidents yet."""
    parts = iter_demo(incidents=incidents, seed=seed, now=now or clock.utcnow(), batch=PART)
    last_number = 0
    with backend._write() as conn:
        _refuse_non_empty(conn, backend.location)
        with _indexes_paused(conn), _fts_paused(conn, backend.dialect == "sqlite" and backend.managed):
            for index, part in enumerate(parts):
                tables = part.tables()
                if index == 0:
                    _replace_system_person(conn, tables["people"])
                for name, rows in tables.items():
                    _insert(conn, name, rows)
                last_number = max([last_number, *_numbers(tables["incidents"])])
        _continue_numbering_after(conn, backend.dialect, last_number)
        # Statistics let the planner walk the board index instead of sorting every match.
        conn.execute(text("ANALYZE"))


def _refuse_non_empty(conn: Connection, location: str) -> None:
    count = conn.execute(select(func.count()).select_from(incidents)).scalar_one()
    if count:
        raise BackendError(f"The demo data goes into an empty database; {location} already has {count} incidents.")


def _replace_system_person(conn: Connection, demo_people: list[dict[str, Any]]) -> None:
    """The demo brings its own System person; drop the migration's one (nothing refers to it yet)."""
    if any(p["name"] == SYSTEM_PERSON_NAME and p.get("email") is None for p in demo_people):
        conn.execute(delete(people).where(and_(people.c.name == SYSTEM_PERSON_NAME, people.c.email.is_(None))))


def _insert(conn: Connection, name: str, rows: list[dict[str, Any]]) -> None:
    table = metadata.tables[name]
    if conn.dialect.name == "postgresql" and rows:
        _copy(conn, table, rows)
        return
    columns = set(table.c.keys())
    batches = iter(rows)
    while batch := list(islice(batches, CHUNK)):
        conn.execute(insert(table), [{k: v for k, v in row.items() if k in columns} for row in batch])


def _copy(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: several times faster than batched INSERTs (100,000 incidents took 66 s).

    Values go through each column's own bind processing (UTC timestamps, JSON as text), and a
    column a row leaves out gets its Python default, as an INSERT through SQLAlchemy would."""
    given = set().union(*(row.keys() for row in rows))
    defaults = {c.name: c.default.arg for c in table.c if isinstance(c.default, ScalarElementColumnDefault)}
    columns = [c for c in table.c if c.name in given or c.name in defaults]
    processors = [c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = (row.get(c.name, defaults.get(c.name)) for c in columns)
            copy.write_row([v if process is None or v is None else process(v)
                            for v, process in zip(values, processors, strict=True)])


_SQLITE_INDEXES = text("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                       "AND tbl_name IN ({})".format(", ".join(f"'{t}'" for t in BULK_TABLES)))
_PG_INDEXES = text("""
    SELECT i.indexdef FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.indexname)))
""")


@contextmanager
def _indexes_paused(conn: Connection) -> Iterator[None]:
    """The growing tables' secondary indexes dropped now and built again, from their own
    definitions, when the load is done (unique ones check the loaded rows then)."""
    if conn.dialect.name == "postgresql":
        definitions = list(conn.execute(_PG_INDEXES, {"tables": list(BULK_TABLES)}).scalars())
    else:
        definitions = list(conn.execute(_SQLITE_INDEXES).scalars())
    for definition in definitions:
        conn.execute(text(f"DROP INDEX {_index_name(definition)}"))
    yield
    for definition in definitions:
        conn.execute(text(definition))


def _index_name(definition: str) -> str:
    """`CREATE [UNIQUE] INDEX name ON ...` -> name (quoted names are ours: none)."""
    return definition.split(" ON ", 1)[0].split()[-1]


@contextmanager
def _fts_paused(conn: Connection, enabled: bool) -> Iterator[None]:
    """Index the text once after the bulk insert instead of row by row in a trigger."""
    if not enabled:
        yield
        return
    trigger_sql = conn.execute(text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'incidents_fts_insert'")).scalar_one()
    conn.execute(text("DROP TRIGGER incidents_fts_insert"))
    yield
    conn.execute(text("INSERT INTO incidents_fts (incidents_fts) VALUES ('rebuild')"))
    conn.execute(text(trigger_sql))


def _numbers(rows: list[dict[str, Any]]) -> list[int]:
    return [int(row["incident_id"][4:]) for row in rows if row["incident_id"][4:].isdigit()]


def _continue_numbering_after(conn: Connection, dialect: str, last_number: int) -> None:
    if not last_number:
        return
    if dialect == "postgresql":
        conn.execute(text("SELECT setval('incident_id_sequence', :n)"), {"n": last_number})
    else:
        conn.execute(update(incident_id_sequence).values(last_value=last_number))
