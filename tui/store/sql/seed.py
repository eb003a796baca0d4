"""Fill an empty database with tui.store.demo's data, fast (bulk inserts in FK order)."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, text, update

from ...domain import clock
from ...domain.models import SYSTEM_PERSON_NAME
from ..base import BackendError
from ..demo import generate_demo
from .backend import SqlBackend
from .schema import incident_id_sequence, incidents, metadata, people

CHUNK = 5_000


def seed_demo(backend: SqlBackend, *, incidents: int = 320, seed: int = 7, now: datetime | None = None) -> None:
    """Insert the demo data set into `backend`'s database, which must hold no incidents yet."""
    data = generate_demo(incidents=incidents, seed=seed, now=now or clock.utcnow())
    tables = data.tables()
    with backend._write() as conn:
        _refuse_non_empty(conn, backend.location)
        _replace_system_person(conn, tables["people"])
        with _fts_paused(conn, backend.dialect == "sqlite" and backend.managed):
            for name, rows in tables.items():
                _insert(conn, name, rows)
        _continue_numbering_after(conn, backend.dialect, tables["incidents"])
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
    columns = set(table.c.keys())
    batches = iter(rows)
    while batch := list(islice(batches, CHUNK)):
        conn.execute(insert(table), [{k: v for k, v in row.items() if k in columns} for row in batch])


class _fts_paused:
    """Index the text once after the bulk insert instead of row by row in a trigger."""

    def __init__(self, conn: Connection, enabled: bool) -> None:
        self.conn, self.enabled = conn, enabled
        self.trigger_sql = ""
        """The insert trigger's CREATE statement, to put it back (when enabled)."""

    def __enter__(self) -> None:
        if self.enabled:
            self.trigger_sql = self.conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'incidents_fts_insert'")).scalar_one()
            self.conn.execute(text("DROP TRIGGER incidents_fts_insert"))

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.enabled and error is None:
            self.conn.execute(text("INSERT INTO incidents_fts (incidents_fts) VALUES ('rebuild')"))
            self.conn.execute(text(self.trigger_sql))


def _continue_numbering_after(conn: Connection, dialect: str, rows: list[dict[str, Any]]) -> None:
    numbers = [int(row["incident_id"][4:]) for row in rows if row["incident_id"][4:].isdigit()]
    if not numbers:
        return
    if dialect == "postgresql":
        conn.execute(text("SELECT setval('incident_id_sequence', :n)"), {"n": max(numbers)})
    else:
        conn.execute(update(incident_id_sequence).values(last_value=max(numbers)))
