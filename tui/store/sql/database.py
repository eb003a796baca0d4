"""One opened SQL database: its engine, what we know about its schema, and who signs in.

Shared by the UI's SqlBackend (bound to the person who signed in) and the HTTP server
(acting for each request's token). Nothing here holds a person: every write names its actor.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy import ColumnElement, Connection, Engine, Row, Table, exc, func, null, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ...domain import clock
from ...domain.models import Identity, Person
from ..base import BackendError, ReadOnly, Unavailable
from .connection import IMMEDIATE, Contended, database_errors, read_only_sentence, sqlite_file
from .schema import people

T = TypeVar("T")

ATTEMPTS = 5
"""How often a write PostgreSQL gave up for another writer's sake (deadlock, serialisation) is tried."""

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
    _file: tuple[int, int] | None = field(init=False, repr=False, default=None)
    """The SQLite file's (device, inode) when opened: a write to a deleted or replaced file would vanish."""

    def __post_init__(self) -> None:
        self._writer = self.engine.execution_options(**{IMMEDIATE: True})
        path = sqlite_file(self.engine.url)
        if path is not None:
            found = os.stat(path)
            self._file = (found.st_dev, found.st_ino)

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
        self._ensure_same_file()
        with database_errors(self.location), self._writer.begin() as conn:
            yield conn
            self._ensure_same_file()  # before the commit, which would otherwise go nowhere

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in one write transaction, run again (a few times) when PostgreSQL gave it up for
        another writer's sake: a deadlock or serialisation failure says nothing about the write."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.write() as conn:
                    return work(conn)
            except Contended:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
        raise AssertionError("unreachable")

    def _ensure_same_file(self) -> None:
        if self._file is None:
            return
        path = sqlite_file(self.engine.url)
        try:
            found = os.stat(path) if path is not None else None
        except OSError:
            found = None
        if found is None or (found.st_dev, found.st_ino) != self._file:
            raise Unavailable(f"The database file {self.location} was deleted or replaced while in use, so nothing "
                              "was changed; restore it, or restart incident-tui to open what is there now.")

    def now(self, conn: Connection) -> datetime:
        """The time of record for a write: the database server's clock, read inside the transaction
        (after its locks are taken), so every client records one order whatever its own clock says.
        SQLite's clock is this machine's. A test's frozen clock (tui.domain.clock) wins."""
        frozen = clock.frozen()
        if frozen is not None:
            return frozen
        if conn.dialect.name == "postgresql":
            stamp: datetime = conn.execute(select(func.clock_timestamp())).scalar_one()
            return stamp.astimezone(UTC)
        return datetime.now(UTC)

    def column(self, table: Table, name: str) -> ColumnElement[Any]:
        """A column that a Mission Control database we did not create may lack: NULL then."""
        return null() if (table.name, name) in self.missing_columns else table.c[name]

    def sign_in(self, identity: Identity) -> Person:
        """The person `identity` names, found by email, else by name; created if there is none
        (in a read-only database: someone who has done nothing here yet, not stored)."""
        if self.read_only:
            with self.read() as conn:
                return find_person(conn, identity) or Person(id=uuid4(), name=identity.name, email=identity.email)
        return self.transaction(lambda conn: find_person(conn, identity) or _create_person(self, conn, identity))

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


def _create_person(database: SqlDatabase, conn: Connection, identity: Identity) -> Person:
    """Get-or-create, safe when many processes sign the same person in at once: on PostgreSQL a lock
    on the identity serialises them (people without an email have no unique column to conflict on),
    and an email another tool stored meanwhile is a conflict to skip, not an error."""
    if conn.dialect.name == "postgresql":
        advisory_lock(conn, "sign-in", (identity.email or "").lower() or identity.name)
        found = find_person(conn, identity)
        if found is not None:
            return found
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(people).values(id=uuid4(), name=identity.name, email=identity.email,
                                               created_at=database.now(conn)).on_conflict_do_nothing())
    found = find_person(conn, identity)
    if found is None:
        raise BackendError(f"{identity.name} could not be signed in: the database refused the new person.")
    return found


def advisory_lock(conn: Connection, purpose: str, key: str) -> None:
    """On PostgreSQL, wait for and hold until commit the lock named by `purpose` and `key` (64 bits
    of their hash): for work with no row to lock yet. SQLite's writers hold the whole file anyway."""
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"incident-tui {purpose}: {key}".encode()).digest()
    conn.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))
