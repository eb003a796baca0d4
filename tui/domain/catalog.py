"""What the Configs and Checks views' filter bars ask for: the board's grammar (tui.domain.grammar)
over config items and health checks.

    configs:  type:Kubernetes::Pod class:Pod health:unhealthy,warning status:!Running label:team=payments checkout
    checks:   type:http status:unhealthy label:team=payments "api health"

`type:`, `class:` and `status:` (of a config item) match part of the stored text; `health:` (and, for a
check, `status:`) one of healthy, warning, unhealthy, unknown; `label:k=v` a label's value (`label:k`:
has the label); words and quoted phrases part of the name. `!` negates a clause, commas separate values
(any of them matches), `sort:` orders, as on the board.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from .enums import Health, parse_health
from .grammar import Clause, FilterError, Value, choices, clause_names, lex, shown, sort_key


class CatalogKind(str, Enum):
    CONFIGS = "configs"
    CHECKS = "checks"


class CatalogSortKey(str, Enum):
    NAME = "name"
    TYPE = "type"
    CLASS = "class"
    HEALTH = "health"
    STATUS = "status"


@dataclass(frozen=True)
class CatalogSort:
    """By name, A→Z, unless the user asks otherwise."""

    key: CatalogSortKey = CatalogSortKey.NAME
    descending: bool = False


@dataclass(frozen=True)
class TextClause:
    """`type:pod,deployment`: the stored text holds one of these (case-insensitive)."""

    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class HealthClause:
    values: frozenset[Health]
    negated: bool = False


@dataclass(frozen=True)
class LabelClause:
    """`label:team=payments,tier`: a label has one of these values (None: the label is there at all)."""

    pairs: tuple[tuple[str, str | None], ...]
    negated: bool = False


@dataclass(frozen=True)
class CatalogQuery:
    """A filter over config items or health checks (which fields apply depends on the view)."""

    type: TextClause | None = None
    config_class: TextClause | None = None
    status: TextClause | None = None
    """A config item's status text (a check's status is its health)."""
    health: HealthClause | None = None
    labels: tuple[LabelClause, ...] = ()
    text: tuple[str, ...] = ()
    """Words and phrases, all of which must occur in the name."""
    sort: CatalogSort = field(default_factory=CatalogSort)

    def sorted_by(self, sort: CatalogSort) -> CatalogQuery:
        return replace(self, sort=sort)


HEALTH_WORDS = tuple(health.value for health in Health)
_FIELDS = {
    CatalogKind.CONFIGS: ("type", "class", "health", "status", "label", "sort"),
    CatalogKind.CHECKS: ("type", "status", "health", "label", "sort"),
}
_SORTS = {
    CatalogKind.CONFIGS: {key.value: key for key in CatalogSortKey},
    CatalogKind.CHECKS: {"name": CatalogSortKey.NAME, "type": CatalogSortKey.TYPE, "status": CatalogSortKey.HEALTH,
                         "health": CatalogSortKey.HEALTH},
}
SORTABLE = {
    CatalogKind.CONFIGS: tuple(CatalogSortKey),
    CatalogKind.CHECKS: (CatalogSortKey.NAME, CatalogSortKey.TYPE, CatalogSortKey.HEALTH),
}
"""The keys each view's `s` cycles through."""


def _health(value: Value) -> Health:
    health = parse_health(value.text)
    if health is Health.UNKNOWN and value.text.strip().lower() != Health.UNKNOWN.value:
        raise FilterError(f'"{shown(value)}" is not a health; use {choices(HEALTH_WORDS)}', value.position)
    return health


def _label(value: Value) -> tuple[str, str | None]:
    key, equals, wanted = value.text.partition("=")
    if not key.strip():
        raise FilterError("a label needs a name before =, like label:team=payments", value.position)
    return key.strip(), wanted.strip() if equals else None


def _clause(kind: CatalogKind, clause: Clause) -> dict[str, Any]:
    """The query fields one clause sets."""
    name = clause.name
    if name in ("health", "status") and (name == "health" or kind is CatalogKind.CHECKS):
        return {"health": HealthClause(frozenset(_health(v) for v in clause.values), clause.negated)}
    if name in ("type", "class", "status"):
        attribute = {"type": "type", "class": "config_class", "status": "status"}[name]
        return {attribute: TextClause(clause_names(clause), clause.negated)}
    if name == "label":
        return {"labels": (LabelClause(tuple(_label(v) for v in clause.values), clause.negated),)}
    key, descending = sort_key(clause, _SORTS[kind], example="name")
    return {"sort": CatalogSort(key, descending)}


def parse_catalog_filter(kind: CatalogKind, text: str) -> CatalogQuery:
    """Parse a Configs or Checks filter bar; raises FilterError, and only FilterError, on bad input."""
    query = CatalogQuery()
    seen: set[str] = set()
    for term in lex(text):
        if isinstance(term, Value):
            query = replace(query, text=query.text + (term.text,)) if term.text else query
            continue
        if term.name not in _FIELDS[kind]:
            raise FilterError(f'unknown field "{term.field}"; fields for {kind.value}: {choices(_FIELDS[kind])} '
                              '(put text that contains a colon in double quotes)', term.position)
        made = _clause(kind, term)
        attribute = next(iter(made))
        if attribute == "labels":
            made["labels"] = query.labels + made["labels"]
        elif attribute in seen:
            raise FilterError(f"{term.name} given twice; list every value in one clause, like {term.name}:a,b",
                              term.position)
        seen.add(attribute)
        query = replace(query, **made)
    return query
