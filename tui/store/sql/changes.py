"""Which incidents changed since the board last looked: cheap when nothing did.

SQLite: `PRAGMA data_version` on one connection kept for it answers "did anyone commit?"
without reading a table (the number is per connection: it moves when any *other*
connection, in this process or another, commits). Only when it moved, and on PostgreSQL at
every look (one index range scan per table), the rows stamped since the watermark are read
from the tables that show on the board or in the detail. Responders and comments do not bump
their incident's `updated_at`, so each table is searched by its own timestamp.

Clock skew: stamps are written by each writer's clock, which may be behind another writer's.
So the watermark is the newest stamp read from the database (never this machine's clock), and
each look reaches LOOK_BACK before it; rows of that margin already reported are known by
(table, id, stamp) and not reported again. A writer up to LOOK_BACK behind the others, or a
transaction committed up to LOOK_BACK after it took its stamp, is still seen. On SQLite a commit
that left no such row (a stamp older than that, a person renamed, a row deleted) is reported as
`everything`: the board then reloads what it shows, which costs one page, never the table.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Connection, Engine, PoolProxiedConnection, Row, func, literal, select, union_all

from ..base import Changes, Unavailable
from .connection import database_errors
from .schema import check_statuses, checks, comments, config_items, incident_histories, incidents, responders

LOOK_BACK = timedelta(seconds=60)
"""How far before the newest stamp seen each look reaches (see the module docstring)."""

# (name, the incident (or config item, or check) a row belongs to, the row's own id, its change stamp)
_SOURCES = (
    ("incidents", incidents.c.id, incidents.c.id, incidents.c.updated_at),
    ("responders", responders.c.incident_id, responders.c.id, responders.c.updated_at),
    ("comments", comments.c.incident_id, comments.c.id, comments.c.updated_at),
    ("incident_histories", incident_histories.c.incident_id, incident_histories.c.id,
     incident_histories.c.created_at),
    ("config_items", config_items.c.id, config_items.c.id, config_items.c.updated_at),
    ("checks", checks.c.id, checks.c.id, checks.c.updated_at),
    ("check_statuses", check_statuses.c.check_id, check_statuses.c.check_id, check_statuses.c.created_at),
)
CATALOG_SOURCES = frozenset({"config_items", "checks", "check_statuses"})
"""Their rows belong to a config item or check (`Changes.catalog_ids`), not to an incident."""

_Seen = tuple[str, UUID, datetime]


@dataclass(frozen=True)
class Mark:
    version: int | None
    """SQLite's data_version when the mark was taken (None on PostgreSQL)."""
    watermark: datetime | None
    """The newest stamp read so far (None: the tables were empty)."""
    seen: frozenset[_Seen]
    """Rows stamped within LOOK_BACK of the watermark, already reported."""


class ChangeWatcher:
    """`Backend.changes_since` for the SQL backend; safe to call from any one thread at a time."""

    def __init__(self, engine: Engine, location: str,
                 missing_columns: frozenset[tuple[str, str]] = frozenset()) -> None:
        self._engine = engine
        self._location = location
        self._sources = tuple(source for source in _SOURCES
                              if not {(c.table.name, c.name) for c in source[1:]} & missing_columns)
        """What a Mission Control database we did not create lacks is not looked at."""
        self._lock = threading.Lock()
        self._version_connection: PoolProxiedConnection | None = None
        """The one connection data_version is read on (SQLite only), opened on first use."""

    def changes_since(self, mark: object | None) -> Changes:
        with self._lock:
            version = self._data_version()
            if isinstance(mark, Mark) and version is not None and version == mark.version:
                return Changes(mark)
            with database_errors(self._location), self._engine.connect() as conn:
                if not isinstance(mark, Mark):
                    return Changes(self._first_mark(conn, version))
                rows = self._stamped_since(conn, mark.watermark)
        fresh = [row for row in rows if (row.source, row.id, row.stamp) not in mark.seen]
        incidents_changed = frozenset(row.incident_id for row in fresh if row.source not in CATALOG_SOURCES)
        catalog_changed = frozenset(row.incident_id for row in fresh if row.source in CATALOG_SOURCES)
        return Changes(_next_mark(version, mark.watermark, rows), incidents_changed, catalog_ids=catalog_changed,
                       everything=version is not None and not fresh)

    def _data_version(self) -> int | None:
        if self._engine.dialect.name != "sqlite":
            return None
        try:
            if self._version_connection is None:
                self._version_connection = self._engine.raw_connection()
            cursor = self._version_connection.cursor()
            try:
                cursor.execute("PRAGMA data_version")
                return cast(tuple[int], cursor.fetchone())[0]  # the pragma always answers one row
            finally:
                cursor.close()
        except self._engine.dialect.loaded_dbapi.Error as error:
            raise Unavailable(f"Cannot use the database at {self._location}: {error}.") from None

    def _first_mark(self, conn: Connection, version: int | None) -> Mark:
        watermark = self._newest(conn)
        return _next_mark(version, watermark, self._stamped_since(conn, watermark) if watermark else [])

    def _newest(self, conn: Connection) -> datetime | None:
        newest = [conn.execute(select(func.max(stamp))).scalar() for *_, stamp in self._sources]
        return max((stamp for stamp in newest if stamp is not None), default=None)

    def stamped_rows(self, watermark: datetime | None, *, first: bool = False) -> Sequence[Row[Any]]:
        """For a server's clients (tui.server.board): the rows (source, incident_id, id, stamp) stamped
        at or after LOOK_BACK before `watermark` (every stamped row if None); `first`: before the
        newest stamp instead (a first look)."""
        with database_errors(self._location), self._engine.connect() as conn:
            if first:
                watermark = self._newest(conn)
                if watermark is None:
                    return []
            return self._stamped_since(conn, watermark)

    def _stamped_since(self, conn: Connection, watermark: datetime | None) -> Sequence[Row[Any]]:
        """Rows of every source stamped at or after LOOK_BACK before `watermark` (all stamped rows if None)."""
        since = watermark - LOOK_BACK if watermark is not None else None
        parts = []
        for name, incident_id, row_id, stamp in self._sources:
            part = select(literal(name).label("source"), incident_id.label("incident_id"), row_id.label("id"),
                          stamp.label("stamp"))
            parts.append(part.where(stamp >= since) if since is not None else part.where(stamp.is_not(None)))
        return conn.execute(union_all(*parts)).all()

    def close(self) -> None:
        """Never fails (closing the backend never does)."""
        with self._lock:
            if self._version_connection is not None:
                try:
                    self._version_connection.close()
                except self._engine.dialect.loaded_dbapi.Error:
                    pass  # the connection is gone with the engine either way
                self._version_connection = None


def _next_mark(version: int | None, watermark: datetime | None, rows: Sequence[Row[Any]]) -> Mark:
    watermark = max([row.stamp for row in rows] + ([watermark] if watermark else []), default=None)
    if watermark is None:
        return Mark(version, None, frozenset())
    margin = watermark - LOOK_BACK
    return Mark(version, watermark, frozenset((row.source, row.id, row.stamp) for row in rows
                                              if row.stamp >= margin))
