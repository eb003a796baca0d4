"""Engines for SQLite and PostgreSQL, and database errors turned into sentences."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from ..base import BackendError, ReadOnly, Superseded, Unavailable

if TYPE_CHECKING:
    import sqlite3

    import psycopg
    from psycopg.abc import Buffer
    from psycopg.adapt import Loader
    from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 5000
"""How long a SQLite writer waits for another process's write to finish."""

IMMEDIATE = "sqlite_begin_immediate"
"""Execution option: begin SQLite transactions with BEGIN IMMEDIATE (writes)."""


def describe(url: URL) -> str:
    """Where the database is, for messages: a file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or "(in memory)"
    return url.render_as_string(hide_password=True)


def make_engine(url: URL, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """An engine for `url`; a read-only SQLite file is opened with `mode=ro`, so SQLite itself
    refuses every write and nothing (WAL switch, statistics) is attempted."""
    if url.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", _configure_psycopg)
        return engine
    if read_only and url.database:
        query = {"mode": "ro", "uri": "true"} | ({"immutable": "1"} if immutable else {})
        url = url.set(database=f"file:{quote(url.database)}", query=query)
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_read_only if read_only else _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; None for PostgreSQL, memory or a `file:` URI."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return None if url.database.startswith("file:") else Path(url.database).expanduser()


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # We issue BEGIN ourselves (see _begin_sqlite): the driver's implicit, deferred BEGIN
    # makes two writers deadlock instead of waiting for each other.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: switching to WAL waits for others too
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _configure_psycopg(dbapi_connection: psycopg.Connection[Any], _record: ConnectionPoolEntry) -> None:
    from psycopg.types.datetime import TimestampLoader, TimestamptzLoader

    for name, loader in (("timestamptz", TimestamptzLoader), ("timestamp", TimestampLoader)):
        dbapi_connection.adapters.register_loader(name, _lenient_loader(loader))


def _lenient_loader(base: type[Loader]) -> type[Loader]:
    """`infinity`, or a year past 9999, is a valid PostgreSQL timestamp but no Python datetime:
    it is read as its text, and the row it is in is reported unreadable instead of failing the query."""

    class Lenient(base):  # type: ignore[misc,valid-type]  # mypy cannot follow a base class given as an argument
        def load(self, data: Buffer) -> Any:
            try:
                return super().load(data)
            except Exception:  # psycopg.DataError; any other failure to convert is the same case
                return bytes(data).decode("utf-8", "replace")

    return Lenient


def _configure_sqlite_read_only(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # as above; no journal mode change, it is a write
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def writable(path: Path) -> bool:
    """Whether SQLite could write `path` and its journal beside it. The permission bits count even
    for root (who could write anyway): a file made read-only is meant to stay as it is."""
    def may_write(target: Path) -> bool:
        return os.access(target, os.W_OK) and bool(target.stat().st_mode & 0o222)

    return may_write(path) and may_write(path.parent)


def _begin_sqlite(connection: Connection) -> None:
    # Writers take the write lock up front, so a read-then-write transaction never fails
    # half way because another process wrote in between.
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def read_only_sentence(location: str) -> str:
    return f"The database at {location} is read-only here, so nothing can be changed; it can still be browsed."


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        shown = _PASSWORD.sub(r"\1***@", url)  # the message may be read over a shoulder
        raise Unavailable(f"{shown!r} is not a database URL; use sqlite:///path/to/file.db "
                          "or postgresql+psycopg://user@host/dbname.") from None


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def reason(error: exc.SQLAlchemyError) -> str:
    """The driver's own first line, without SQL, parameters or traceback."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0].rstrip(".") if text else type(original).__name__


class Contended(Unavailable):
    """PostgreSQL gave up a transaction for another's sake (serialisation failure, deadlock):
    running it again is expected to work."""


_RETRYABLE = frozenset({"40001", "40P01"})
_DISK_FULL = "53100"


def _no_room(location: str) -> bool:
    """Whether the file system holding a SQLite file is (nearly) full: SQLite reports a write that
    found no room as an I/O error when it was extending its shared-memory or log file."""
    try:
        return shutil.disk_usage(Path(location).parent).free < _ROOM_NEEDED
    except OSError:  # not a path (a PostgreSQL URL), or gone
        return False


_ROOM_NEEDED = 1 << 20


def _read_only_mount(location: str) -> bool:
    """Whether a SQLite file's file system is mounted read-only (SQLite then cannot even open a WAL
    database, which needs its shared-memory file)."""
    try:
        return bool(os.statvfs(Path(location).parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


@contextmanager
def database_errors(location: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver errors into BackendErrors with a sentence."""
    try:
        yield
    except exc.IntegrityError as error:
        raise BackendError(f"The database refused the change: {reason(error)}.") from None
    except exc.OperationalError as error:
        why, state = reason(error), getattr(error.orig, "sqlstate", None)
        if state in _RETRYABLE:
            raise Contended(f"The database at {location} was busy with other writers; try again.") from None
        if "disk is full" in why or state == _DISK_FULL or ("disk I/O error" in why and _no_room(location)):
            raise Unavailable(f"The disk holding the database at {location} is full, so nothing was changed; "
                              "free some space and try again.") from None
        if why == "interrupted":  # sqlite3.Connection.interrupt(): see SqlBackend.list_incidents
            raise Superseded("A newer request replaced this one.") from None
        if "readonly" in why or "read-only" in why:
            raise ReadOnly(read_only_sentence(location)) from None
        if "unable to open" in why and _read_only_mount(location):
            raise Unavailable(f"The file system holding the database at {location} is mounted read-only, so the "
                              "database cannot be used now; it can again once that is writable.") from None
        if "locked" in why or "busy" in why:
            raise Unavailable(f"The database at {location} is busy with another writer; try again.") from None
        raise Unavailable(f"Cannot use the database at {location}: {why}.") from None
    except exc.SQLAlchemyError as error:
        raise Unavailable(f"The database at {location} failed: {reason(error)}.") from None
