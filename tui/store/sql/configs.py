"""The Configs and Checks views on the SQL backend: a `CatalogQuery` as SQL, pages and details.

Config items and checks meet incidents only through evidence (incident ← hypotheses ← evidences
→ config item / check), as in Mission Control; "open incidents" counts the active ones. Health is
stored as free text (`healthy`, `OK`, `passing`...): it is matched and sorted through the same
spellings `parse_health` reads (tui.domain.enums.HEALTH_ALIASES).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    Text,
    case,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    type_coerce,
)

from ...domain import clock
from ...domain.catalog import CatalogQuery, CatalogSortKey, HealthClause, LabelClause, TextClause
from ...domain.enums import ACTIVE_STATUSES, HEALTH_ALIASES, Health
from ...domain.models import CheckDetail, CheckResult, CheckRow, ConfigDetail, ConfigRow, LinkedIncident
from ...domain.query import EnumClause, IncidentQuery, Window
from ..base import NotFound, Page
from . import compile as sql
from .database import SqlDatabase
from .schema import NIL_UUID, check_statuses, checks, config_items, evidences, hypotheses, incidents

RECENT_RESULTS = 10
"""How many of a check's latest results its detail shows."""
HEALTH_ORDER = (Health.UNHEALTHY, Health.WARNING, Health.HEALTHY, Health.UNKNOWN)
"""Health sorts worst first (its rank is its place here): what needs looking at comes to the top."""
SORT_COLUMNS = {CatalogSortKey.NAME: "name_lower", CatalogSortKey.TYPE: "type_lower",
                CatalogSortKey.CLASS: "class_lower", CatalogSortKey.STATUS: "status_lower",
                CatalogSortKey.HEALTH: "health_rank"}
"""The computed column each sort orders by (then by name_lower and id)."""
TEXT_COLUMNS = {"type": "type_lower", "config_class": "class_lower", "status": "status_lower"}
"""The computed column each text clause of a CatalogQuery looks in."""
ACTIVE = IncidentQuery(status=EnumClause(ACTIVE_STATUSES))

Missing = frozenset[tuple[str, str]]
"""(table, column) pairs a database we did not create lacks (SqlDatabase.missing_columns)."""


def _column(table: Table, name: str, missing: Missing) -> ColumnElement[Any]:
    """A stored column, or NULL where the database lacks it."""
    return null() if (table.name, name) in missing else table.c[name]


def _folded(column: ColumnElement[Any]) -> ColumnElement[str]:
    return type_coerce(func.lower(func.coalesce(column, "")), Text)


def health_rank(column: ColumnElement[Any]) -> ColumnElement[int]:
    arms = [(_folded(column).in_([alias for alias, h in HEALTH_ALIASES.items() if h is health]), rank)
            for rank, health in enumerate(HEALTH_ORDER) if health is not Health.UNKNOWN]
    return type_coerce(case(*arms, else_=HEALTH_ORDER.index(Health.UNKNOWN)), Integer)


def _linked_incidents() -> Any:
    return evidences.join(hypotheses, hypotheses.c.id == evidences.c.hypothesis_id).join(
        incidents, incidents.c.id == hypotheses.c.incident_id)


def _active_incidents(link: ColumnElement[UUID], target: ColumnElement[UUID]) -> ColumnElement[int]:
    """How many active incidents have evidence pointing at `target` through `link`."""
    # A status filter names no person and no text: `me`, the dialect and the index go unused.
    active = sql.where_clauses(ACTIVE, me=lambda: NIL_UUID, now=clock.utcnow(), dialect="", fts=False)
    return type_coerce(select(func.count(func.distinct(incidents.c.id))).select_from(_linked_incidents())
                       .where(link == target, *active).scalar_subquery(), Integer)


def _latest_result(name: str, missing: Missing) -> ColumnElement[Any]:
    """A column of the check's latest result (NULL where the database keeps no results)."""
    if (check_statuses.name, "time") in missing:
        return null()
    return (select(_column(check_statuses, name, missing)).where(check_statuses.c.check_id == checks.c.id)
            .order_by(check_statuses.c.time.desc()).limit(1).scalar_subquery())


@functools.cache
def catalog_columns(table: Table, missing: Missing) -> dict[str, ColumnElement[Any]]:
    """The computed columns of `config_items` or `checks` the views filter and sort by; `incidents
    serve` serves them too, so the API backend filters and sorts exactly as this one.

    Built once per table and database shape (building them costs more than running a page's query);
    nothing in them depends on the time or the user. Callers must not change the dict."""
    def column(name: str) -> ColumnElement[Any]:
        return _column(table, name, missing)

    shared = {"name_lower": _folded(table.c.name), "type_lower": _folded(column("type"))}
    if table is config_items:
        return shared | {"class_lower": _folded(column("config_class")), "status_lower": _folded(column("status")),
                         "health_rank": health_rank(column("health")),
                         "open_incidents": _active_incidents(evidences.c.config_id, table.c.id)}
    return shared | {"health_rank": health_rank(column("status")),
                     "open_incidents": _active_incidents(evidences.c.check_id, table.c.id),
                     "last_run": type_coerce(_latest_result("time", missing), check_statuses.c.time.type),
                     "last_message": type_coerce(_latest_result("message", missing), Text)}


def _negated(match: ColumnElement[bool], negated: bool) -> ColumnElement[bool]:
    return not_(match) if negated else match


def _text_match(column: ColumnElement[Any], clause: TextClause) -> ColumnElement[bool]:
    return _negated(or_(*(sql.contains(column, value) for value in clause.values)), clause.negated)


def _health_match(rank: ColumnElement[int], clause: HealthClause) -> ColumnElement[bool]:
    return _negated(rank.in_([HEALTH_ORDER.index(health) for health in clause.values]), clause.negated)


def _label_match(labels: ColumnElement[Any] | None, clause: LabelClause) -> ColumnElement[bool]:
    """Never NULL: an item without the label matches no value of it, so NOT keeps it."""
    if labels is None:  # a database without labels: no item has any
        return literal(clause.negated)
    matches = []
    for key, wanted in clause.pairs:
        value = labels[key].as_string()
        matches.append(value.is_not(None) if wanted is None else func.lower(value) == wanted.lower())
    return _negated(func.coalesce(or_(*matches), false()), clause.negated)


class CatalogReads:
    """The Configs and Checks views' reads; mixed into SqlBackend, which provides `database`."""

    database: SqlDatabase

    def _computed(self, table: Table) -> dict[str, ColumnElement[Any]]:
        return catalog_columns(table, self.database.missing_columns)

    def _catalog_where(self, table: Table, query: CatalogQuery) -> list[ColumnElement[bool]]:
        computed = self._computed(table)
        where: list[ColumnElement[bool]] = [self.database.column(table, "deleted_at").is_(None)]
        fields = {"type": query.type, "config_class": query.config_class, "status": query.status}
        where += [_text_match(computed[TEXT_COLUMNS[name]], clause) for name, clause in fields.items()
                  if clause is not None]
        if query.health is not None:
            where.append(_health_match(computed["health_rank"], query.health))
        labels = None if (table.name, "labels") in self.database.missing_columns else table.c.labels
        where += [_label_match(labels, clause) for clause in query.labels]
        where += [sql.contains(func.coalesce(table.c.name, ""), term) for term in query.text]
        return where

    def _catalog_page(self, table: Table, columns: Sequence[ColumnElement[Any]], query: CatalogQuery,
                      window: Window, read: Callable[[Any], Any]) -> Page[Any]:
        where, computed = self._catalog_where(table, query), self._computed(table)
        first = computed[SORT_COLUMNS[query.sort.key]]
        order = [first.desc() if query.sort.descending else first.asc(), computed["name_lower"].asc(), table.c.id]
        rows = (select(*columns).where(*where).order_by(*order)
                .limit(max(window.limit, 0)).offset(max(window.offset, 0)))
        with self.database.read() as conn:
            found = conn.execute(rows).all()
            total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        return Page(rows=tuple(read(row) for row in found), total=total, offset=window.offset)

    # -- config items --------------------------------------------------------------------------

    def _config_columns(self) -> list[ColumnElement[Any]]:
        column = self.database.column
        return [config_items.c.id, config_items.c.name,
                *(column(config_items, name).label(name) for name in ("type", "config_class", "health", "status",
                                                                      "labels")),
                self._computed(config_items)["open_incidents"].label("open_incidents")]

    def list_configs(self, query: CatalogQuery, window: Window) -> Page[ConfigRow]:
        return self._catalog_page(config_items, self._config_columns(), query, window, _config_row)

    def get_config(self, id: UUID) -> ConfigDetail:
        with self.database.read() as conn:
            row = _one(conn, config_items, self._config_columns(), id, "config item")
            return ConfigDetail(config=_config_row(row), incidents=_incidents_of(conn, evidences.c.config_id, id))

    # -- health checks -------------------------------------------------------------------------

    def _check_row_columns(self) -> list[ColumnElement[Any]]:
        computed = self._computed(checks)
        return [checks.c.id, checks.c.name, self.database.column(checks, "type").label("type"),
                self.database.column(checks, "status").label("health"),
                self.database.column(checks, "labels").label("labels"),
                *(computed[name].label(name) for name in ("last_run", "last_message", "open_incidents"))]

    def list_checks(self, query: CatalogQuery, window: Window) -> Page[CheckRow]:
        return self._catalog_page(checks, self._check_row_columns(), query, window, _check_row)

    def get_check(self, id: UUID) -> CheckDetail:
        with self.database.read() as conn:
            row = _one(conn, checks, self._check_row_columns(), id, "health check")
            return CheckDetail(check=_check_row(row), incidents=_incidents_of(conn, evidences.c.check_id, id),
                               results=tuple(self._results(conn, id)))

    def _results(self, conn: Connection, id: UUID) -> Iterable[CheckResult]:
        if (check_statuses.name, "time") in self.database.missing_columns:
            return ()  # a database that keeps no results
        message = self.database.column(check_statuses, "message")
        rows = conn.execute(select(check_statuses.c.time, check_statuses.c.status, message.label("message"))
                            .where(check_statuses.c.check_id == id)
                            .order_by(check_statuses.c.time.desc()).limit(RECENT_RESULTS))
        return (CheckResult(time=row.time, passed=row.status, message=row.message) for row in rows)


def _one(conn: Connection, table: Table, columns: Sequence[ColumnElement[Any]], id: UUID, what: str) -> Any:
    row = conn.execute(select(*columns).where(table.c.id == id)).first()
    if row is None:
        raise NotFound(f"That {what} is not in the store any more.")
    return row


def _config_row(row: Any) -> ConfigRow:
    return ConfigRow.model_validate({**row._mapping, "name": row.name or str(row.id)})


def _check_row(row: Any) -> CheckRow:
    return CheckRow.model_validate(row._mapping)


def _incidents_of(conn: Connection, link: ColumnElement[UUID], id: UUID) -> tuple[LinkedIncident, ...]:
    query: Select[Any] = (select(incidents.c.id, incidents.c.incident_id, incidents.c.title, incidents.c.severity,
                                 incidents.c.status, incidents.c.created_at).distinct()
                          .select_from(_linked_incidents()).where(link == id)
                          .order_by(incidents.c.created_at.desc()))
    return tuple(LinkedIncident.model_validate(row._mapping) for row in conn.execute(query))
