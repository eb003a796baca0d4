"""A parsed PostgREST request as SQLAlchemy Core over the catalog's tables, and its rows as JSON.

Every value is a bound parameter; every table and column comes from the catalog. Embedded
resources are fetched with one query per embed (children of all parent rows at once, by
foreign key) and attached in Python, so the SQL is the same on SQLite and PostgreSQL;
`!inner` also adds an EXISTS to the parent's WHERE, so counts and pages agree with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from .errors import ApiError
from .grammar import Column, Condition, Count, Embed, Filter, Item, Logic, Options, Order, Request
from .resources import Catalog, Relationship, Resource
from .values import from_text, is_json, kind_of, to_json

MAX_ROWS = 2000
"""Rows per response at most, as Mission Control's PostgREST (PGRST_DB_MAX_ROWS)."""

_COMPARISONS = {"eq": "__eq__", "neq": "__ne__", "gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}


# -- filters -----------------------------------------------------------------------------------

def condition(resource: Resource, node: Filter) -> ColumnElement[bool]:
    if isinstance(node, Logic):
        parts = [condition(resource, child) for child in node.children]
        combined = (and_(true(), *parts) if node.operator == "and" else or_(false(), *parts))
        return not_(combined) if node.negated else combined
    column = resource.expression(node.column)
    clause = _operation(column, node)
    return not_(clause) if node.negated else clause


def _operation(column: ColumnElement, node: Condition) -> ColumnElement[bool]:
    value, kind = node.value, kind_of(column)
    if node.operator == "is" and value in ("true", "false") and kind != "boolean":
        raise ApiError(400, "42804", f"is.{value} needs a boolean column; {node.column} is {kind}")
    if node.operator in ("like", "ilike") and kind != "text":
        raise ApiError(400, "42883", f"{node.operator} needs a text column; {node.column} is {kind}")
    if node.operator == "is":
        return {"null": column.is_(None), "not_null": column.is_not(None), "unknown": column.is_(None),
                "true": column.is_(true()), "false": column.is_(false())}[str(value)]
    if is_json(column):
        raise ApiError(400, "42883", "JSON columns can only be filtered with is.null or not.is.null")
    if node.operator == "in":
        return column.in_([from_text(column, v) for v in value])
    if node.operator in ("like", "ilike"):
        pattern = from_text(column, like_pattern(str(value)))
        return (column.like(pattern, escape="\\") if node.operator == "like"
                else column.ilike(pattern, escape="\\"))
    assert isinstance(value, str)
    return getattr(column, _COMPARISONS[node.operator])(from_text(column, value))


def like_pattern(value: str) -> str:
    """PostgREST's pattern as SQL LIKE's: `*` is `%`; a backslash escapes the next character, as
    PostgreSQL's LIKE has it by default (SQLite's is told so). `\\*` is a literal `*` (PostgREST
    itself has no way to write one)."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "\\")
            out.append(following if following == "*" else "\\" + following)
        else:
            out.append("%" if char == "*" else char)
    return "".join(out)


def order_clauses(resource: Resource, terms: Sequence[Order]) -> list:
    """PostgreSQL's default null order (last ascending, first descending) on every database."""
    clauses = []
    for term in terms:
        expression = resource.expression(term.column)
        ordered = expression.desc() if term.descending else expression.asc()
        nulls = term.nulls or ("first" if term.descending else "last")
        clauses.append(ordered.nulls_first() if nulls == "first" else ordered.nulls_last())
    return clauses


# -- the select tree ----------------------------------------------------------------------------

@dataclass
class Plan:
    resource: Resource
    path: tuple[str, ...]
    columns: list[tuple[str, str]]  # (output key, column name)
    counts: list[Count]
    embeds: list[tuple[Embed, Relationship, Plan]]
    options: Options


class Planner:
    def __init__(self, catalog: Catalog, request: Request) -> None:
        self.catalog, self.request = catalog, request
        self.used: set[tuple[str, ...]] = {()}

    def plan(self, resource: Resource, items: Sequence[Item], path: tuple[str, ...] = ()) -> Plan:
        columns: list[tuple[str, str]] = []
        counts: list[Count] = []
        embeds: list[tuple[Embed, Relationship, Plan]] = []
        for item in items or ("*",):
            if item == "*":
                columns += [(name, name) for name in resource.columns()]
            elif isinstance(item, Column):
                resource.expression(item.name)
                columns.append((item.key, item.name))
            elif isinstance(item, Count):
                if item.column is not None:
                    resource.expression(item.column)
                counts.append(item)
            elif isinstance(item, Embed):
                relationship = self.catalog.relationship(resource, item.name, item.hint)
                if item.inner and relationship.target is resource:
                    raise ApiError(400, "PGRST100", f"!inner on {resource.name}'s own rows ({item.name}) is not "
                                                    "supported; filter on the parent's columns instead")
                child_path = self._path(path, item)
                embeds.append((item, relationship, self.plan(relationship.target, item.items, child_path)))
        if counts and embeds:
            raise ApiError(400, "PGRST100", "Aggregates cannot be combined with embedded resources here")
        return Plan(resource, path, columns, counts, embeds, self.request.options.get(path, Options()))

    def _path(self, path: tuple[str, ...], embed: Embed) -> tuple[str, ...]:
        for key in (embed.key, embed.name):
            if path + (key,) in self.request.options:
                self.used.add(path + (key,))
                return path + (key,)
        return path + (embed.key,)

    def check_paths(self) -> None:
        for path in self.request.options:
            if path not in self.used:
                raise ApiError(400, "PGRST108", f"'{'.'.join(path)}' is not an embedded resource in this request",
                               hint=f"Add {path[-1]} to the 'select' parameter")


def plan_request(catalog: Catalog, resource: Resource, request: Request) -> Plan:
    planner = Planner(catalog, request)
    plan = planner.plan(resource, request.items)
    planner.check_paths()
    return plan


def where_of(plan: Plan) -> list[ColumnElement[bool]]:
    """The plan's own filters, and EXISTS for each `!inner` embed (recursively)."""
    clauses = [condition(plan.resource, node) for node in plan.options.filters]
    for embed, relationship, child in plan.embeds:
        if embed.inner:
            source = plan.resource.column(relationship.source_column)
            target = child.resource.column(relationship.target_column)
            clauses.append(exists().where(target == source, *where_of(child)))
    return clauses


# -- running it ----------------------------------------------------------------------------------

def count_rows(conn: Connection, plan: Plan) -> int:
    query = select(func.count()).select_from(plan.resource.table).where(*where_of(plan))
    return conn.execute(query).scalar_one()


def read_rows(conn: Connection, plan: Plan, *, limit: int | None, offset: int,
              extra: Sequence[ColumnElement[bool]] = ()) -> list[dict[str, Any]]:
    if plan.counts:
        return _aggregate(conn, plan, limit, offset, extra)
    resource = plan.resource
    names = list(dict.fromkeys([name for _, name in plan.columns]
                               + [relationship.source_column for _, relationship, _ in plan.embeds]))
    labels = {name: f"c{i}" for i, name in enumerate(names)}
    query = (select(*(resource.expression(name).label(labels[name]) for name in names))
             .where(*where_of(plan), *extra)
             .order_by(*order_clauses(resource, plan.options.order)))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    found = [{name: row._mapping[labels[name]] for name in names} for row in conn.execute(query)]
    rows = [{key: to_json(raw[name]) for key, name in plan.columns} for raw in found]
    for embed, relationship, child in plan.embeds:
        keys = {raw[relationship.source_column] for raw in found} - {None}
        related = _related(conn, relationship, child, keys)
        for row, raw in zip(rows, found):
            matches = related.get(raw[relationship.source_column], [])
            if relationship.many:
                window = child.options
                end = None if window.limit is None else window.offset + window.limit
                row[embed.key] = matches[window.offset:end]
            else:
                row[embed.key] = matches[0] if matches else None
    return rows


def _related(conn: Connection, relationship: Relationship, child: Plan, keys: set[Any]) -> dict[Any, list[dict]]:
    """Rows of the embedded resource for all parents at once, grouped by the joining value."""
    if not keys:
        return {}
    join_column = relationship.target_column
    extended = Plan(child.resource, child.path, child.columns + [("\x00join", join_column)], child.counts,
                    child.embeds, child.options)
    target = child.resource.column(join_column)
    grouped: dict[Any, list[dict]] = defaultdict(list)
    for row in read_rows(conn, extended, limit=None, offset=0, extra=[target.in_(sorted(keys, key=str))]):
        value = row.pop("\x00join")
        grouped[_key(target, value)].append(row)
    return grouped


def _key(target: ColumnElement, value: Any) -> Any:
    """The joining value back as the parent holds it (rows are JSON by now: uuids are text)."""
    return from_text(target, value) if isinstance(value, str) else value


def _aggregate(conn: Connection, plan: Plan, limit: int | None, offset: int,
               extra: Sequence[ColumnElement[bool]]) -> list[dict[str, Any]]:
    resource = plan.resource
    groups = [(key, resource.expression(name)) for key, name in plan.columns]
    measures = [(count.key, func.count() if count.column is None else func.count(resource.expression(count.column)))
                for count in plan.counts]
    selected = groups + measures
    query = (select(*(expression.label(f"c{i}") for i, (_, expression) in enumerate(selected)))
             .where(*where_of(plan), *extra).group_by(*(expression for _, expression in groups))
             .order_by(*order_clauses(resource, plan.options.order)))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [{key: to_json(row[i]) for i, (key, _) in enumerate(selected)} for row in conn.execute(query)]
