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

# (table, the column naming the row's incident, the row's change stamp)
SOURCES = (
    ("incidents", "id", "updated_at"),
    ("responders", "incident_id", "updated_at"),
    ("comments", "incident_id", "updated_at"),
    ("incident_histories", "incident_id", "created_at"),
)

_Seen = tuple[str, str, datetime]


@dataclass(frozen=True)
class Mark:
    watermark: datetime | None
    seen: frozenset[_Seen]


@dataclass(frozen=True)
class _Stamped:
    source: str
    id: str
    incident_id: UUID
    stamp: datetime


class ChangeWatcher:
    """Four small requests a look (one per table), each answering only rows stamped lately."""

    def __init__(self, get: Callable[[str, Params], list[dict[str, Any]]]) -> None:
        self._get = get

    def changes_since(self, mark: object | None) -> Changes:
        if not isinstance(mark, Mark):
            return Changes(self._first_mark())
        rows = self._stamped_since(mark.watermark)
        fresh = {row.incident_id for row in rows if (row.source, row.id, row.stamp) not in mark.seen}
        return Changes(_next_mark(mark.watermark, rows), frozenset(fresh))

    def _first_mark(self) -> Mark:
        newest = []
        for table, _, stamp in SOURCES:
            rows = self._get(table, [("select", stamp), (stamp, "not.is.null"),
                                     ("order", f"{stamp}.desc"), ("limit", "1")])
            newest += [_instant(rows[0][stamp])] if rows else []
        watermark = max(newest, default=None)
        return _next_mark(watermark, self._stamped_since(watermark) if watermark else [])

    def _stamped_since(self, watermark: datetime | None) -> list[_Stamped]:
        found: list[_Stamped] = []
        for table, incident, stamp in SOURCES:
            params: list[tuple[str, str]] = [("select", f"id,{incident},{stamp}"), ("order", f"{stamp}.asc,id.asc")]
            if watermark is not None:
                params.append((stamp, f"gte.{(watermark - LOOK_BACK).isoformat()}"))
            offset = 0
            while True:
                rows = self._get(table, [*params, ("limit", str(ROW_CAP)), ("offset", str(offset))])
                found += [_stamped(table, row, incident, stamp) for row in rows if row.get(stamp) and row.get(incident)]
                offset += len(rows)
                if len(rows) < ROW_CAP:
                    break
        return found


def _instant(value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise Unavailable(f"The server sent {str(value)[:40]!r} as a time.") from None


def _stamped(table: str, row: dict[str, Any], incident: str, stamp: str) -> _Stamped:
    return _Stamped(table, str(row["id"]), UUID(str(row[incident])), _instant(row[stamp]))


def _next_mark(watermark: datetime | None, rows: list[_Stamped]) -> Mark:
    watermark = max([row.stamp for row in rows] + ([watermark] if watermark else []), default=None)
    if watermark is None:
        return Mark(None, frozenset())
    margin = watermark - LOOK_BACK
    return Mark(watermark, frozenset((row.source, row.id, row.stamp) for row in rows if row.stamp >= margin))
