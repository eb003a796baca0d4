"""The Configs and Checks views over HTTP: a `CatalogQuery` as PostgREST parameters.

Filters and sorts use the computed columns `incidents serve` gives `config_items` and `checks`
(tui.store.sql.configs.catalog_columns: lower-cased texts, the health rank, open incidents, a
check's last result), so they match and order exactly as the SQL backend does; labels are read
with PostgREST's JSON arrow (`labels->>team`). Linked incidents come from `incidents_by_config`
and `incidents_by_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from ...domain.catalog import CatalogQuery, HealthClause, LabelClause, TextClause
from ...domain.models import CheckDetail, CheckResult, CheckRow, ConfigDetail, ConfigRow, LinkedIncident
from ...domain.query import Window
from ..base import BackendError, NotFound, Page
from ..sql.configs import HEALTH_ORDER, RECENT_RESULTS, SORT_COLUMNS, TEXT_COLUMNS
from . import compile as api
from .http import Params

CONFIG = "id,name,type,config_class,health,status,labels,open_incidents"
CHECK = "id,name,type,health:status,labels,last_run,last_message,open_incidents"
LINKED = "id,title,severity,status,created_at,incidents(incident_id)"


def _text(column: str, clause: TextClause) -> str:
    match = api.either([api.contains(column, value) for value in clause.values])
    return api.negate(match) if clause.negated else match


def _health(clause: HealthClause) -> str:
    return api.in_list("health_rank", [HEALTH_ORDER.index(health) for health in clause.values], clause.negated)


def _label(clause: LabelClause) -> str:
    """Never NULL, as in SQL: a missing label matches no value, so NOT keeps the item."""
    if clause.negated:
        return f"and({','.join(_label_absent(key, value) for key, value in clause.pairs)})"
    return api.either([f"labels->>{key}.not.is.null" if value is None
                       else f"labels->>{key}.ilike.{api.quoted(api.like_text(value))}" for key, value in clause.pairs])


def _label_absent(key: str, value: str | None) -> str:
    if value is None:
        return f"labels->>{key}.is.null"
    return f"or(labels->>{key}.is.null,labels->>{key}.not.ilike.{api.quoted(api.like_text(value))})"


def conditions(query: CatalogQuery) -> list[str]:
    found = ["deleted_at.is.null"]
    clauses = {"type": query.type, "config_class": query.config_class, "status": query.status}
    found += [_text(TEXT_COLUMNS[name], clause) for name, clause in clauses.items() if clause is not None]
    found += [_health(query.health)] if query.health is not None else []
    found += [_label(clause) for clause in query.labels]
    found += [api.contains("name", term) for term in query.text]
    return found


def order(query: CatalogQuery) -> str:
    first = f"{SORT_COLUMNS[query.sort.key]}.{'desc' if query.sort.descending else 'asc'}"
    return f"{first},name_lower.asc,id.asc"


NOT_SERVED = ("The server at {url} does not serve what the Configs and Checks views ask for (a plain "
              "PostgREST or Mission Control has no computed columns such as {table}.open_incidents): these "
              "views need `incidents serve`.")


class CatalogReads:
    """The Configs and Checks views' reads; mixed into ApiBackend, which provides these."""

    url: str
    _get: Callable[[str, Params], list[dict[str, Any]]]
    _count: Callable[[str, Params], int]

    def _catalog_page(self, table: str, select: str, query: CatalogQuery, window: Window) -> list[dict[str, Any]]:
        try:
            return self._get(table, [("select", select), *api.where(conditions(query)), ("order", order(query)),
                                     ("limit", str(max(window.limit, 0))), ("offset", str(max(window.offset, 0)))])
        except BackendError as error:
            if "does not exist" not in str(error):
                raise
            raise BackendError(NOT_SERVED.format(url=self.url, table=table)) from None

    def list_configs(self, query: CatalogQuery, window: Window) -> Page[ConfigRow]:
        rows = self._catalog_page("config_items", CONFIG, query, window)
        total = self._count("config_items", api.where(conditions(query)))
        return Page(rows=tuple(_config(row) for row in rows), total=total, offset=window.offset)

    def list_checks(self, query: CatalogQuery, window: Window) -> Page[CheckRow]:
        rows = self._catalog_page("checks", CHECK, query, window)
        total = self._count("checks", api.where(conditions(query)))
        return Page(rows=tuple(CheckRow.model_validate(row) for row in rows), total=total, offset=window.offset)

    def _one(self, table: str, select: str, id: UUID, what: str) -> dict[str, Any]:
        rows = self._get(table, [("select", select), ("id", f"eq.{id}")])
        if not rows:
            raise NotFound(f"That {what} is not in the store any more.")
        return rows[0]

    def _linked_incidents(self, view: str, column: str, id: UUID) -> tuple[LinkedIncident, ...]:
        rows = self._get(view, [("select", LINKED), (column, f"eq.{id}"), ("order", "created_at.desc,id.asc")])
        return tuple(LinkedIncident.model_validate({**row, "incident_id": (row.get("incidents") or {}).get(
            "incident_id")}) for row in rows)

    def get_config(self, id: UUID) -> ConfigDetail:
        row = self._one("config_items", CONFIG, id, "config item")
        linked = self._linked_incidents("incidents_by_config", "config_id", id)
        return ConfigDetail(config=_config(row), incidents=linked)

    def get_check(self, id: UUID) -> CheckDetail:
        row = self._one("checks", CHECK, id, "health check")
        results = self._get("check_statuses", [("select", "time,passed:status,message"), ("check_id", f"eq.{id}"),
                                               ("order", "time.desc"), ("limit", str(RECENT_RESULTS))])
        return CheckDetail(check=CheckRow.model_validate(row),
                           incidents=self._linked_incidents("incidents_by_check", "check_id", id),
                           results=tuple(CheckResult.model_validate(result) for result in results))


def _config(row: dict[str, Any]) -> ConfigRow:
    return ConfigRow.model_validate({**row, "name": row.get("name") or str(row["id"])})
