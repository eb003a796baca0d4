"""What the API exposes: tables and views of tui.store.sql.schema, their columns, computed
columns and relationships. Every name in SQL comes from here, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, ColumnElement, ForeignKey, Integer, Table, Text, func, type_coerce

from ..store.sql import compile as sql
from ..store.sql import schema
from ..store.sql.configs import catalog_columns
from .errors import ApiError
from .grammar import JSON_ARROW
from .values import is_json

INCIDENT = "incident"
"""RBAC object of every incident table and view (as Mission Control maps them)."""


@dataclass(frozen=True)
class Resource:
    name: str
    table: Table
    rbac_object: str
    writable: bool = True
    computed: dict[str, ColumnElement] = field(default_factory=dict)
    """Columns computed from others (not in `*`, usable in select, order and filters)."""
    absent: frozenset[str] = frozenset()
    """Columns a database we did not create lacks (read as NULL, cannot be written)."""
    written_by: str | None = None
    """How a resource that is not writable through /db is changed (the hint of the 405)."""

    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in self.absent]

    def expression(self, name: str) -> ColumnElement:
        column, arrow, key = name.partition(JSON_ARROW)
        if arrow:  # `labels->>team`: one key of a JSON column, as text
            json = self.expression(column)
            if not is_json(json):
                raise ApiError(400, "42883", f"->> needs a JSON column; {self.name}.{column} is not one")
            return type_coerce(json[key].as_string(), Text)
        if name in self.computed:
            return self.computed[name]
        if name in self.table.c and name not in self.absent:
            return self.table.c[name]
        raise ApiError(400, "42703", f"column {self.name}.{name} does not exist")

    def column(self, name: str) -> Column:
        """A stored column (for writes and joins)."""
        if name not in self.table.c or name in self.absent:
            raise ApiError(400, "42703", f"column {self.name}.{name} does not exist")
        return self.table.c[name]


@dataclass(frozen=True)
class Relationship:
    """`source.source_column = target.target_column`; `many` when the source has many targets."""

    source: Resource
    target: Resource
    source_column: str
    target_column: str
    many: bool


_RANKS: dict[str, ColumnElement] = {f"{field}_rank": type_coerce(sql.rank(field), Integer)
                                    for field in ("severity", "status", "type")}
"""0 = highest / first, tui.domain.enums.UNKNOWN_RANK for a spelling no enum knows."""

SORT_COLUMNS: dict[str, ColumnElement] = {
    **_RANKS,
    "title_lower": func.lower(schema.incidents.c.title),
    "commander_name": type_coerce(sql.commander_name(), Text),
    "incident_id_length": func.length(schema.incidents.c.incident_id),
}
"""Computed columns of `incidents` that let a client filter and sort as the board does (the API
backend's dialect, tui.store.api.compile): enum ranks, the lower-cased title and commander name,
and the id's length (INC-9 before INC-10). A plain PostgREST has none of them."""

_TABLES: list[tuple[Table, str, bool]] = [
    (schema.incidents, INCIDENT, True),
    (schema.responders, INCIDENT, True),
    (schema.comments, INCIDENT, True),
    (schema.hypotheses, INCIDENT, True),
    (schema.evidences, INCIDENT, True),
    (schema.incident_histories, INCIDENT, True),
    (schema.incident_summary, INCIDENT, False),
    (schema.incidents_by_config, INCIDENT, False),
    (schema.incidents_by_check, INCIDENT, False),
    (schema.people, "people", True),
    (schema.teams, "database.public", True),
    (schema.team_members, "database.public", True),
    (schema.config_items, "catalog", True),
    (schema.checks, "canaries", True),
    (schema.check_statuses, "canaries", True),
    (schema.incident_rules, "incident_rules", False),
]
_WRITTEN_BY = {
    "incident_rules": 'Rules are checked first: POST /rpc/rules_apply {"documents": [...]}, /rpc/rule_delete {"name"}',
}
"""Resources changed only through functions that check what they are given."""

# Views have no foreign keys of their own; PostgREST infers these from their base tables.
_VIEW_LINKS = [
    ("incident_summary", "id", "incidents", "id"),
    ("incidents_by_config", "id", "incidents", "id"),
    ("incidents_by_config", "config_id", "config_items", "id"),
    ("incidents_by_check", "id", "incidents", "id"),
    ("incidents_by_check", "check_id", "checks", "id"),
]


class Catalog:
    """The resources of one database (columns it lacks are left out)."""

    def __init__(self, missing_columns: frozenset[tuple[str, str]] = frozenset(), *, sort_columns: bool = True) -> None:
        """Without `sort_columns`, `incidents`, `config_items` and `checks` have only their stored columns
        (as on a plain PostgREST)."""
        self.resources: dict[str, Resource] = {}
        for table, rbac_object, writable in _TABLES:
            absent = frozenset(column for name, column in missing_columns if name == table.name)
            computed = self._computed(table, missing_columns) if sort_columns else {}
            self.resources[table.name] = Resource(table.name, table, rbac_object, writable, computed, absent,
                                                  _WRITTEN_BY.get(table.name, "Views are read-only"))
        self._links = self._foreign_keys()

    @staticmethod
    def _computed(table: Table, missing_columns: frozenset[tuple[str, str]]) -> dict[str, ColumnElement]:
        if table is schema.incidents:
            return SORT_COLUMNS
        if table in (schema.config_items, schema.checks):
            return catalog_columns(table, missing_columns)
        return {}

    def get(self, name: str) -> Resource:
        if name not in self.resources:
            raise ApiError(404, "PGRST205", f"Could not find the table 'public.{name}' in the schema cache")
        return self.resources[name]

    def _foreign_keys(self) -> list[tuple[str, str, str, str]]:
        links = list(_VIEW_LINKS)
        for resource in self.resources.values():
            for fk in resource.table.foreign_keys:
                assert isinstance(fk, ForeignKey) and fk.parent is not None
                target = fk.column.table.name
                if target in self.resources and fk.parent.name not in resource.absent:
                    links.append((resource.name, fk.parent.name, target, fk.column.name))
        return links

    def relationship(self, source: Resource, name: str, hint: str | None) -> Relationship:
        """Resolve an embed as PostgREST does: a foreign-key column name (`commander_id(…)`)
        or a table name, disambiguated by a hint naming the foreign-key column."""
        candidates: list[Relationship] = []
        for table, column, target, target_column in self._links:
            if table == source.name and name in (column, target):
                if hint in (None, column, target):
                    candidates.append(Relationship(source, self.resources[target], column, target_column, False))
            if target == source.name and name == table and hint in (None, column):
                candidates.append(Relationship(source, self.resources[table], target_column, column, True))
        by_column = [c for c in candidates if not c.many and c.source_column == name]
        if by_column:
            candidates = by_column
        if not candidates:
            raise ApiError(400, "PGRST200", f"Could not find a relationship between '{source.name}' and '{name}' "
                                            "in the schema cache",
                           hint=f"Embed one of: {', '.join(self.embeddable(source))}")
        if len(candidates) > 1:
            names = ", ".join(f"{name}!{c.source_column if not c.many else c.target_column}" for c in candidates)
            raise ApiError(300, "PGRST201", f"Could not embed because more than one relationship was found for "
                                            f"'{source.name}' and '{name}'",
                           hint=f"Try changing '{name}' to one of: {names}")
        return candidates[0]

    def embeddable(self, source: Resource) -> list[str]:
        names = {column for table, column, _, _ in self._links if table == source.name}
        names |= {table for table, _, target, _ in self._links if target == source.name}
        return sorted(names)
