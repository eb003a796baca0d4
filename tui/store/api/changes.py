"""`changes_since` over HTTP: rows stamped since a watermark, table by table, never a reload.

As in the SQL backend (tui.store.sql.changes): responders and comments do not bump their
incident's `updated_at`, so each table is asked by its own stamp; the watermark is the newest
stamp the server has shown (never this machine's clock), and each look reaches LOOK_BACK
before it, so a writer whose clock is behind, or a slow commit, is still seen. Rows of that
margin already reported are known by (table, id, stamp) and not reported again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ..base import Changes, Unavailable
from .http import Params

LOOK_BACK = timedelta(seconds=60)
ROW_CAP = 2000

# (table, the row's id, the column naming the row's incident (or config item, or check), its change stamp)
SOURCES = (
    ("incidents", "id", "id", "updated_at"),
    ("responders", "id", "incident_id", "updated_at"),
    ("comments", "id", "incident_id", "updated_at"),
    ("incident_histories", "id", "incident_id", "created_at"),
    ("config_items", "id", "id", "updated_at"),
    ("checks", "id", "id", "updated_at"),
    ("check_statuses", "check_id", "check_id", "created_at"),
)
CATALOG_SOURCES = frozenset({"config_items", "checks", "check_statuses"})
"""Their rows belong to a config item or check (`Changes.catalog_ids`), not to an incident."""

_Seen = tuple[str, str, datetime]


@dataclass(frozen=True)
class Mark:
    watermark: datetime | None
    seen: frozenset[_Seen]


@dataclass(frozen=True)
class _Stamped:
    source: str
    id: str
    owner: UUID
    """The incident, config item or check the row belongs to."""
    stamp: datetime


Served = Callable[[datetime | None, bool], list[dict[str, Any]] | None]
"""Our server's answer to a whole look at once (tui.server.board's changes_stamped): the rows stamped
since LOOK_BACK before the watermark (or, when the flag is set, before the newest stamp); None from
a server without it."""


class ChangeWatcher:
    """One request a look on our server; elsewhere seven small ones (one per table), each answering
    only rows stamped lately."""

    def __init__(self, get: Callable[[str, Params], list[dict[str, Any]]], served: Served) -> None:
        self._get = get
        self._served = served

    def changes_since(self, mark: object | None) -> Changes:
        if not isinstance(mark, Mark):
            return Changes(self._first_mark())
        rows = self._stamped_since(mark.watermark)
        fresh = [row for row in rows if (row.source, row.id, row.stamp) not in mark.seen]
        return Changes(_next_mark(mark.watermark, rows),
                       frozenset(row.owner for row in fresh if row.source not in CATALOG_SOURCES),
                       catalog_ids=frozenset(row.owner for row in fresh if row.source in CATALOG_SOURCES))

    def _first_mark(self) -> Mark:
        served = self._served(None, True)
        if served is not None:
            return _next_mark(None, _from_served(served))
        newest = []
        for table, _, _, stamp in SOURCES:
            rows = self._get(table, [("select", stamp), (stamp, "not.is.null"),
                                     ("order", f"{stamp}.desc"), ("limit", "1")])
            newest += [_instant(rows[0][stamp])] if rows else []
        watermark = max(newest, default=None)
        return _next_mark(watermark, self._stamped_since(watermark) if watermark else [])

    def _stamped_since(self, watermark: datetime | None) -> list[_Stamped]:
        served = self._served(watermark, False)
        if served is not None:
            return _from_served(served)
        found: list[_Stamped] = []
        for table, id, owner, stamp in SOURCES:
            select = ",".join(dict.fromkeys((id, owner, stamp)))
            params: list[tuple[str, str]] = [("select", select), ("order", f"{stamp}.asc,{id}.asc")]
            if watermark is not None:
                params.append((stamp, f"gte.{(watermark - LOOK_BACK).isoformat()}"))
            offset = 0
            while True:
                rows = self._get(table, [*params, ("limit", str(ROW_CAP)), ("offset", str(offset))])
                found += [_stamped(table, row, id, owner, stamp) for row in rows if row.get(stamp) and row.get(owner)]
                offset += len(rows)
                if len(rows) < ROW_CAP:
                    break
        return found


def _instant(value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise Unavailable(f"The server sent {str(value)[:40]!r} as a time.") from None


def _from_served(rows: list[dict[str, Any]]) -> list[_Stamped]:
    try:
        return [_stamped(str(row["source"]), row, "id", "owner", "stamp") for row in rows]
    except (KeyError, TypeError, ValueError):
        raise Unavailable("The server answered a look for changes with something other than stamped rows.") from None


def _stamped(table: str, row: dict[str, Any], id: str, owner: str, stamp: str) -> _Stamped:
    return _Stamped(table, str(row[id]), UUID(str(row[owner])), _instant(row[stamp]))


def _next_mark(watermark: datetime | None, rows: list[_Stamped]) -> Mark:
    watermark = max([row.stamp for row in rows] + ([watermark] if watermark else []), default=None)
    if watermark is None:
        return Mark(None, frozenset())
    margin = watermark - LOOK_BACK
    return Mark(watermark, frozenset((row.source, row.id, row.stamp) for row in rows if row.stamp >= margin))
