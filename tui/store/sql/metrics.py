"""The metrics screen's numbers as a few aggregate queries: nothing here reads every incident.

- active incidents grouped by stored severity and by stored type (folded into the enums by rank,
  as the filter folds them);
- the longest-open active incidents (the created_at index, a handful of rows);
- per day of the window (UTC), over the incidents opened that day: how many, how many were
  acknowledged and resolved, and the seconds that took in all. Where `acknowledged` or `resolved`
  is not set (Mission Control never sets them) the first such row in the history stands in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Float, and_, case, cast, extract, func, literal_column, select

from ...domain import clock, lifecycle
from ...domain.enums import ACTIVE_STATUSES, IncidentType, Severity, Status
from ...domain.metrics import LONGEST_OPEN, DayTally, Metrics, window_start
from ...domain.models import LinkedIncident
from ...domain.query import EnumClause, IncidentQuery
from . import compile as sql
from .database import SqlDatabase
from .schema import incident_histories, incidents

ACTIVE = IncidentQuery(status=EnumClause(ACTIVE_STATUSES))
_BY_RANK: dict[str, dict[int, Severity | IncidentType]] = {
    "severity": {severity.rank: severity for severity in Severity},
    "type": {kind.rank: kind for kind in IncidentType},
}


def incident_metrics(database: SqlDatabase, days: int) -> Metrics:
    now = clock.utcnow()
    since = window_start(now, days)
    active = sql.where_clauses(ACTIVE, me=lambda: UUID(int=0), now=now, dialect=database.dialect,
                               fts=database.fts)  # (no @me in it)
    with database.read() as conn:
        return Metrics(days=days, since=since,
                       active_by_severity=count_by(conn, "severity", active),
                       active_by_type=count_by(conn, "type", active),
                       tallies=_tallies(conn, database, since),
                       longest_open=_longest_open(conn, active))


def count_by(conn: Connection, field: str, where: list[ColumnElement[bool]]) -> dict[Any, int]:
    """Incidents per value of `field` (severity or type) where `where` holds; every enum member is a key
    (0 when none), an unknown stored value only when it occurs, verbatim. Grouped by the stored text, with
    the rank beside it folding `P1`, `critical`… into one member exactly as the filter would."""
    column = incidents.c[field]
    counts: dict[Any, int] = dict.fromkeys(_BY_RANK[field].values(), 0)
    for stored, rank, count in conn.execute(select(column, sql.rank(field), func.count())
                                            .where(*where).group_by(column)):
        value = _BY_RANK[field].get(rank, stored)
        counts[value] = counts.get(value, 0) + count
    return counts


def _longest_open(conn: Connection, where: list[ColumnElement[bool]]) -> tuple[LinkedIncident, ...]:
    rows = conn.execute(select(incidents.c.id, incidents.c.incident_id, incidents.c.title, incidents.c.severity,
                               incidents.c.status, incidents.c.created_at)
                        .where(*where).order_by(incidents.c.created_at.asc(), incidents.c.id).limit(LONGEST_OPEN))
    return tuple(LinkedIncident.model_validate(row._mapping) for row in rows
                 if isinstance(row.created_at, datetime))  # a time another tool stored unreadably: left out


def _tallies(conn: Connection, database: SqlDatabase, since: datetime) -> tuple[DayTally, ...]:
    created = incidents.c.created_at
    acknowledged = func.coalesce(database.column(incidents, "acknowledged"),
                                 _first_history(lifecycle.HISTORY_ACKNOWLEDGED))
    resolved = func.coalesce(database.column(incidents, "resolved"),
                             _first_history(lifecycle.HISTORY_STATUS_UPDATED, Status.RESOLVED.value))
    cohort = select(_day(created, database.dialect).label("day"),
                    _seconds(created, acknowledged, database.dialect).label("to_ack"),
                    _seconds(created, resolved, database.dialect).label("to_resolve")
                    ).where(created >= since).subquery("cohort")
    grouped = (select(cohort.c.day, func.count(), func.count(cohort.c.to_ack), func.sum(cohort.c.to_ack),
                      func.count(cohort.c.to_resolve), func.sum(cohort.c.to_resolve))
               .group_by(cohort.c.day))
    return tuple(DayTally(day=_date(day), opened=opened, acknowledged=acked, acknowledge_seconds=ack_s or 0.0,
                          resolved=resolved_count, resolve_seconds=resolve_s or 0.0)
                 for day, opened, acked, ack_s, resolved_count, resolve_s in conn.execute(grouped)
                 if day is not None)


def _first_history(kind: str, description: str | None = None) -> ColumnElement[Any]:
    """When the incident's history first records `kind` (with `description`, e.g. the status reached)."""
    conditions = [incident_histories.c.incident_id == incidents.c.id, incident_histories.c.type == kind]
    if description is not None:
        conditions.append(func.lower(incident_histories.c.description) == description)
    return select(func.min(incident_histories.c.created_at)).where(and_(*conditions)).scalar_subquery()


def _day(moment: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """The UTC day of a stored time, as `YYYY-MM-DD` text (SQLite keeps UTC times as text already)."""
    if dialect == "sqlite":
        return func.date(moment)
    return func.to_char(func.timezone("UTC", moment), literal_column("'YYYY-MM-DD'"))


def _seconds(start: ColumnElement[Any], end: ColumnElement[Any], dialect: str) -> ColumnElement[float]:
    """Seconds from `start` to `end` (NULL without `end`; 0 for an end before the start: clock skew)."""
    span: ColumnElement[float]
    if dialect == "sqlite":
        span = func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)  # julianday: ~10 µs off
    else:
        span = cast(extract("epoch", end - start), Float)
    return case((span < 0, 0.0), else_=span)


def _date(day: str | date) -> date:
    return day if isinstance(day, date) else date.fromisoformat(str(day))
