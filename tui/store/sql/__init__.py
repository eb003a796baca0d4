"""The SQL backend: SQLite by default, PostgreSQL for a team, Mission Control's schema.

    backend = open_sql_backend("sqlite:///incidents.db", Identity(name="Alice"))
    seed_demo(backend)                      # optional: the demo data set
    database = open_sql_database(url)      # no one signed in: each write names its actor,
    with database.write() as conn:          # e.g. the server, for a request's token holder
        Writer(database, conn, person).transition(...)

A database we create is migrated with our Alembic migrations; a Mission Control database
(it has `incidents` but no `alembic_version`) is opened as it is and never migrated.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from ...domain.models import Identity
from ..base import ReadOnly, Unavailable
from . import migrate
from .backend import SqlBackend, Writer
from .connection import IMMEDIATE, database_errors, describe, make_engine, parse_url, sqlite_file, writable
from .database import SqlDatabase, advisory_lock, recorded_by_triggers
from .schema import metadata
from .seed import seed_demo

__all__ = ["MissingDatabase", "SqlBackend", "SqlDatabase", "Writer", "open_sql_backend", "open_sql_database",
           "seed_demo"]


class MissingDatabase(Unavailable):
    """A SQLite file (or its directory) that does not exist, and we were not asked to create it."""


def open_sql_backend(url: str, identity: Identity, *, create: bool = True) -> SqlBackend:
    """Open the database at `url` and sign in as `identity` (found, or created as a person)."""
    database = open_sql_database(url, create=create)
    try:
        return SqlBackend(database, database.sign_in(identity))
    except BaseException:
        database.engine.dispose()
        raise


def open_sql_database(url: str, *, create: bool = True) -> SqlDatabase:
    """Open (migrating if it is new or ours) the database at `url`.

    A missing SQLite file is created, directories and all, only when `create` is true."""
    parsed = parse_url(url)
    location = describe(parsed)
    path = sqlite_file(parsed)
    _ensure_file(path, create)
    read_only = path is not None and path.exists() and not writable(path)
    try:
        return _open(parsed, location, read_only=read_only)
    except ReadOnly:
        if not read_only:
            raise
    # A WAL database in a directory we may not write, without its -shm file: SQLite cannot even
    # read it read-only, only as immutable (it then assumes nobody changes the file while it is
    # open; a writer would have had to create that -shm file in the same directory).
    return _open(parsed, location, read_only=read_only, immutable=True)


def _open(parsed: URL, location: str, *, read_only: bool, immutable: bool = False) -> SqlDatabase:
    try:
        engine = make_engine(parsed, read_only=read_only, immutable=immutable)
    except Exception as error:  # unknown dialect or driver: SQLAlchemy raises several kinds
        raise Unavailable(f"Cannot open the database at {location}: {error}.") from None
    try:
        with database_errors(location):
            managed = _check_schema(engine, location) if read_only else _prepare(engine, location)
            missing = frozenset() if managed else _missing_columns(engine, location)
            with engine.connect() as conn:
                by_triggers = recorded_by_triggers(conn)
    except BaseException:
        engine.dispose()
        raise
    return SqlDatabase(engine, location, managed, missing, by_triggers, read_only)


def _ensure_file(path: Path | None, create: bool) -> None:
    if path is None or path.exists():
        return
    if not create:
        where = "" if path.parent.is_dir() else f" (the directory {path.parent} does not exist either)"
        raise MissingDatabase(f"There is no database at {path}{where}.")
    try:
        create_private_file(path)
    except OSError as error:
        raise Unavailable(f"Cannot create the database at {path}: {error.strerror}.") from None


def create_private_file(path: Path) -> None:
    """An empty file only its owner may read and write (0600), in directories made 0700 where they
    are missing: a database holds who did what, and SQLite gives its -wal and -shm files the same mode."""
    for directory in reversed([path.parent, *path.parent.parents]):
        if not directory.exists():
            directory.mkdir(mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process made it first; SQLite sets it up once


def _prepare(engine: Engine, location: str) -> bool:
    """Migrate a new database or one of ours; True if it is ours."""
    tables = set(inspect(engine).get_table_names())
    if "incidents" in tables and "alembic_version" not in tables:
        return False  # Mission Control's own database: never migrated
    if "alembic_version" in tables:
        with engine.connect() as conn:
            if migrate.current_revision(conn) == migrate.head():
                return True  # the common start: nothing to migrate, and Alembic not even imported
    from alembic.util import CommandError

    with engine.execution_options(**{IMMEDIATE: True}).begin() as conn:
        advisory_lock(conn, "migrate", "")  # processes starting together on a new database take turns
        try:
            migrate.upgrade(conn)
        except CommandError as error:  # a revision we do not know: made by a newer incident-tui
            raise Unavailable(f"The database at {location} has a schema this version of incident-tui "
                              f"does not know ({error}); upgrade incident-tui.") from None
    return True


def _check_schema(engine: Engine, location: str) -> bool:
    """What `_prepare` decides, for a database we may not write: True if it is ours and current."""
    tables = set(inspect(engine).get_table_names())
    if "incidents" in tables and "alembic_version" not in tables:
        return False
    with engine.connect() as conn:
        current = migrate.current_revision(conn) if tables else None
    if current != migrate.head():
        raise Unavailable(_needs_a_write(location, current))
    return True


def _needs_a_write(location: str, current: str | None) -> str:
    """Refused rather than read: the code reads the newest schema, and an older one lacks its columns,
    indexes and free-text tables; guessing around them would show a board that is silently wrong."""
    state = ("empty" if current is None
             else f"at an older schema (revision {current}; this incident-tui reads {migrate.head()})")
    return (f"The database at {location} is read-only for you and {state}; setting it up is a write. Ask whoever "
            "may write it to open it once with incidents (which upgrades it), or copy it to a place you may "
            "write and open the copy.")


# Tables we need in a Mission Control database; columns beyond these read as NULL if absent.
_REQUIRED = ("people", "teams", "incidents", "responders", "hypotheses", "evidences", "comments",
             "incident_histories", "config_items", "checks")


def _missing_columns(engine: Engine, location: str) -> frozenset[tuple[str, str]]:
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    absent = [name for name in _REQUIRED if name not in present]
    if absent:
        raise Unavailable(f"The database at {location} is not an incident database: "
                          f"it has no {', '.join(absent)} table.")
    missing: set[tuple[str, str]] = set()
    for table in metadata.sorted_tables:
        found = {c["name"] for c in inspector.get_columns(table.name)} if table.name in present else set()
        missing |= {(table.name, column.name) for column in table.columns if column.name not in found}
    return frozenset(missing)

