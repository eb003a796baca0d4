"""One opened SQL database: its engine, what we know about its schema, and who signs in.

Shared by the UI's SqlBackend (bound to the person who signed in) and the HTTP server
(acting for each request's token). Nothing here holds a person: every write names its actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from sqlalchemy import ColumnElement, Connection, Engine, Row, Table, exc, func, insert, null, select, text

from ...domain import clock
from ...domain.models import Identity, Person
from ..base import ReadOnly
from .connection import IMMEDIATE, database_errors, read_only_sentence
from .schema import people

CLOSE_WAIT_MS = 100
"""How long closing waits for another process's write before skipping `PRAGMA optimize`."""

HISTORY_SOURCES = ("incidents", "responders", "comments", "hypotheses", "evidences")
"""Tables whose changes Mission Control's triggers record in incident_histories (NOTES §1.6)."""

_TRIGGERS = text("""
    SELECT p.prosrc FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relname = ANY(:tables)
      AND c.relnamespace = to_regnamespace(current_schema())::oid
""")
_HISTORY_TYPE = re.compile(r"'([a-z_]+\.[a-z_]+)'")


def recorded_by_triggers(conn: Connection) -> frozenset[str]:
    """History types the database's own triggers write (a real Mission Control PostgreSQL).

    Read from the enabled triggers on the history source tables whose function inserts into
    incident_histories: the quoted `kind.event` literals in the function body.
    """
    if conn.dialect.name != "postgresql":
        return frozenset()
    found: set[str] = set()
    for (source,) in conn.execute(_TRIGGERS, {"tables": list(HISTORY_SOURCES)}):
        if source and "incident_histories" in source:
            found |= set(_HISTORY_TYPE.findall(source))
    return frozenset(found)


@dataclass
class SqlDatabase:
    """An engine and the facts about its schema that reads and writes depend on."""

    engine: Engine
    location: str
    managed: bool
    """True for a database we created and migrate; False for a Mission Control one."""
    missing_columns: frozenset[tuple[str, str]] = frozenset()
    history_by_triggers: frozenset[str] = frozenset()
    """History types the database writes itself; we write only the others."""
    read_only: bool = False
    """True for a SQLite file we may not write: reads work, every write raises ReadOnly."""
    _writer: Engine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writer = self.engine.execution_options(**{IMMEDIATE: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def fts(self) -> bool:
        return self.managed and self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with database_errors(self.location), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction; on SQLite it holds the write lock from the start."""
        if self.read_only:
            raise ReadOnly(read_only_sentence(self.location))
        with database_errors(self.location), self._writer.begin() as conn:
            yield conn

    def column(self, table: Table, name: str) -> ColumnElement[Any]:
        """A column that a Mission Control database we did not create may lack: NULL then."""
        return null() if (table.name, name) in self.missing_columns else table.c[name]

    def sign_in(self, identity: Identity) -> Person:
        """The person `identity` names, found by email, else by name; created if there is none
        (in a read-only database: someone who has done nothing here yet, not stored)."""
        if self.read_only:
            with self.read() as conn:
                return find_person(conn, identity) or Person(id=uuid4(), name=identity.name, email=identity.email)
        with self.write() as conn:
            return find_person(conn, identity) or _create_person(conn, identity)

    def close(self) -> None:
        """Never fails: the work is done by then, and the statistics can wait for next time."""
        if self.dialect == "sqlite" and not self.read_only:  # keep the planner's statistics fresh
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={CLOSE_WAIT_MS}")
                    conn.exec_driver_sql("PRAGMA optimize")
            except exc.SQLAlchemyError:
                pass  # another process is writing, or the file is read-only
        self.engine.dispose()


def person_of(row: Row[Any]) -> Person:
    return Person(id=row.id, name=row.name, email=row.email, avatar=row.avatar)


def find_person(conn: Connection, identity: Identity) -> Person | None:
    alive = people.c.deleted_at.is_(None)
    if identity.email:
        row = conn.execute(select(people).where(alive, func.lower(people.c.email) == identity.email.lower())).first()
        if row is not None:
            return person_of(row)
    row = conn.execute(select(people).where(alive, people.c.name == identity.name)
                       .order_by(people.c.email.is_(None), people.c.created_at)).first()
    return person_of(row) if row is not None else None


def _create_person(conn: Connection, identity: Identity) -> Person:
    person = Person(id=uuid4(), name=identity.name, email=identity.email)
    conn.execute(insert(people).values(id=person.id, name=person.name, email=person.email,
                                       created_at=clock.utcnow()))
    return person
