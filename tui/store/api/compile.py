"""An `IncidentQuery` as PostgREST query parameters over `/db/incidents`.

All conditions go into one `and=(…)` tree, each value quoted, so any text survives
PostgREST's grammar. Two dialects:
- ours (`incidents serve`): the computed columns `severity_rank`, `status_rank`, `type_rank`,
  `title_lower`, `commander_name` and `incident_id_length` filter and sort exactly as the SQL
  backend does (tui.server.resources.SORT_COLUMNS);
- a plain PostgREST (Mission Control's): enum filters compare every known spelling
  (tui.domain.spellings) case-insensitively, and sorts use the stored text (unknown severities
  do not sort last, ids sort as text). The backend says so once in its notices.

People and links are not columns of `incidents`: the backend looks them up first (which
people match a name, which incidents have such a responder or link) and the query compares
ids, so it needs no embedded-resource filters a server may lack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ...domain.enums import UNKNOWN_RANK
from ...domain.query import (
    ME,
    NOBODY,
    AgeClause,
    EnumClause,
    IncidentQuery,
    LinkClause,
    LinkField,
    PersonClause,
    PersonField,
    SortKey,
)
from ...domain.spellings import ALIASES, Lenient, spellings

SORT_COLUMNS = ("severity_rank", "status_rank", "type_rank", "title_lower", "commander_name", "incident_id_length")
"""Computed columns of our server's `incidents` (a plain PostgREST has none)."""
FALSE = "id.is.null"
"""A condition no incident meets (every incident has an id)."""


@dataclass(frozen=True)
class Dialect:
    sort_columns: bool
    """The server has SORT_COLUMNS on `incidents`."""


@dataclass(frozen=True)
class Lookups:
    """What the query needs from the server beyond `incidents` (called only when the query needs it)."""

    me: Callable[[], UUID]
    people_named: Callable[[str], set[UUID]]
    """People whose name or email contains the text (case-insensitive)."""
    responding: Callable[[str | None], set[UUID]]
    """Incidents with an active responder (a person or team named like the text; None: any)."""
    linked: Callable[[LinkField, str | None], set[UUID]]
    """Incidents linked to a config item / check named like the text (None: to any)."""


# -- values --------------------------------------------------------------------------------

def quoted(value: object) -> str:
    """A value inside a logic tree: double-quoted, with `"` and `\\` escaped."""
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def like_text(text: str) -> str:
    """A pattern matching `text` literally: LIKE's `%`, `_` and `\\` escaped with a backslash,
    and `*` as `\\*` (our server's literal star; PostgREST reads it as a literal `%`)."""
    return "".join("\\" + char if char in "\\%_*" else char for char in text)


def contains(column: str, text: str) -> str:
    return f"{column}.ilike.{quoted('*' + like_text(text) + '*')}"


def in_list(column: str, values: Iterable[object], negated: bool = False) -> str:
    items = ",".join(quoted(value) for value in sorted(set(values), key=str))
    return f"{column}.{'not.' if negated else ''}in.({items})"


def either(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"or({','.join(parts)})"


def negate(condition: str) -> str:
    """NOT of a condition that is never NULL (so NOT keeps what it does not match)."""
    if condition.startswith(("or(", "and(")):
        return "not." + condition
    column, operator, rest = condition.split(".", 2)
    if operator == "not":
        return f"{column}.{rest}"
    return f"{column}.not.{operator}.{rest}"


# -- enums ---------------------------------------------------------------------------------------

def _enum(field: str, clause: EnumClause, dialect: Dialect) -> str | None:
    if not clause.values:
        return None if clause.negated else FALSE
    if dialect.sort_columns:
        wanted = {value.rank for value in clause.values}
        if clause.negated:
            wanted = ({value.rank for value in ALIASES[field].values()} | {UNKNOWN_RANK}) - wanted
        return in_list(f"{field}_rank", wanted)
    match = either([part for value in clause.values for part in _spelled(field, value)])
    # A NULL or unknown value is "not critical" (its rank is UNKNOWN_RANK), as in SQL.
    return f"or({field}.is.null,{negate(match)})" if clause.negated else f"and({field}.not.is.null,{match})"


def _spelled(field: str, value: Lenient) -> list[str]:
    lowered, exact = spellings(ALIASES[field], value)
    parts = [f"{field}.ilike.{quoted(like_text(spelling))}" for spelling in lowered]
    return parts + ([in_list(field, exact)] if exact else [])


# -- people, links, age, text ---------------------------------------------------------------------

_ROLE_COLUMNS = {PersonField.COMMANDER: "commander_id", PersonField.COMMUNICATOR: "communicator_id",
                 PersonField.CREATOR: "created_by"}


def _role(column: str, name: str, lookups: Lookups) -> str:
    """Never NULL, so that a negation keeps incidents where the role is unassigned."""
    if name == NOBODY:
        return f"{column}.is.null"
    ids = {lookups.me()} if name == ME else lookups.people_named(name)
    return f"and({column}.not.is.null,{in_list(column, ids)})" if ids else FALSE


def _responder(name: str, lookups: Lookups) -> str:
    if name == NOBODY:
        return negate(in_list("id", lookups.responding(None)))
    return in_list("id", lookups.responding(name))


def _person(clause: PersonClause, lookups: Lookups) -> str:
    if clause.field is PersonField.RESPONDER:
        match = either([_responder(name, lookups) for name in clause.names])
    else:
        match = either([_role(_ROLE_COLUMNS[clause.field], name, lookups) for name in clause.names])
    return negate(match) if clause.negated else match


def _link(clause: LinkClause, lookups: Lookups) -> str:
    parts = []
    for name in clause.names:
        if name.lower() == NOBODY:
            parts.append(negate(in_list("id", lookups.linked(clause.field, None))))
        else:
            parts.append(in_list("id", lookups.linked(clause.field, name)))
    match = either(parts)
    return negate(match) if clause.negated else match


def _age(clause: AgeClause, now: datetime) -> str:
    since = (now - clause.age).isoformat()
    return f"created_at.{'gte' if clause.newer else 'lt'}.{quoted(since)}"


def _text(term: str) -> str:
    return f"or({','.join(contains(column, term) for column in ('incident_id', 'title', 'description'))})"


def conditions(query: IncidentQuery, dialect: Dialect, lookups: Lookups, now: datetime) -> list[str]:
    """Conditions on `incidents` that all must hold, as logic-tree items."""
    found: list[str | None] = []
    for field in ("status", "severity", "type"):
        clause = getattr(query, field)
        if clause is not None:
            found.append(_enum(field, clause, dialect))
    found += [_person(clause, lookups) for clause in query.people]
    found += [_link(clause, lookups) for clause in query.links]
    found += [_age(clause, now) for clause in query.age]
    found += [_text(term) for term in query.text if term.strip()]
    return [condition for condition in found if condition is not None]


def where(items: list[str]) -> list[tuple[str, str]]:
    """The conditions as query parameters (none, or one `and=(…)`)."""
    return [("and", f"({','.join(items)})")] if items else []


# -- order -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    column: str
    descending: bool = False

    def reversed(self) -> Term:
        return Term(self.column, not self.descending)

    def text(self) -> str:
        # PostgreSQL's default: NULLs last ascending, first descending (an unassigned commander is
        # after every name, and first when reversed), on every server.
        return f"{self.column}.desc.nullsfirst" if self.descending else f"{self.column}.asc.nullslast"


def _primary(key: SortKey, dialect: Dialect) -> list[Term]:
    if not dialect.sort_columns:
        plain = {SortKey.STATUS: "status", SortKey.TYPE: "type", SortKey.TITLE: "title",
                 SortKey.COMMANDER: "commander_id", SortKey.ID: "incident_id"}
        if key in plain:
            return [Term(plain[key])]
    return {
        SortKey.STATUS: [Term("status_rank")],
        SortKey.TYPE: [Term("type_rank")],
        SortKey.TITLE: [Term("title_lower")],
        SortKey.COMMANDER: [Term("commander_name")],
        SortKey.ID: [Term("incident_id_length"), Term("incident_id")],
        SortKey.AGE: [Term("created_at", descending=True)],
        SortKey.UPDATED: [Term("updated_at", descending=True)],
    }[key]


def order(query: IncidentQuery, dialect: Dialect, *, backwards: bool = False) -> str:
    """The sort, then highest severity, newest, and the id so pages never overlap (as in SQL);
    `backwards`: exactly the reverse (every term, NULLs included), to read a deep page from the end."""
    sort = query.sort
    severity = [Term("severity_rank" if dialect.sort_columns else "severity")]
    terms = severity if sort.key is SortKey.SEVERITY else _primary(sort.key, dialect) + severity
    if sort.key is not SortKey.AGE:
        terms.append(Term("created_at", descending=True))
    terms.append(Term("id"))
    if sort.descending != backwards:
        terms = [term.reversed() for term in terms]
    return ",".join(term.text() for term in terms)
