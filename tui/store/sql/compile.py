"""An `IncidentQuery` as SQL: WHERE clauses and ORDER BY terms over the `incidents` table.

Stored values are lenient (`P1`, `Blocker`, `investigating`, `technicalDebt`...), so a
CASE expression over every known spelling gives each stored value its rank (unknown values
last). Enum sorts order by the rank and enum filters compare it with the wanted ranks, which
lets the planner answer them from indexes led by the same expression (migrations 0001 and
0002 build those from `rank_sql`): the text must stay identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, column, exists, false, func, literal_column, not_, or_, select, table, true

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
from ...domain.spellings import ALIASES, spellings
from .schema import config_items, checks, evidences, hypotheses, incidents, people, responders, teams

FTS_MIN_TERM = 3
"""The trigram index cannot find shorter terms; those fall back to LIKE."""


# -- Lenient enum spellings (tui.domain.spellings) as rank expressions ------------------------

def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def rank_sql(field: str, column_sql: str) -> str:
    """CASE expression giving a stored value's rank (UNKNOWN_RANK when unknown), as SQL text.

    Literal text, not bound parameters: an expression index only serves a query whose
    expression is identical.
    """
    aliases = ALIASES[field]
    arms: list[str] = []
    for value in sorted(set(aliases.values()), key=lambda v: v.rank):
        lowered, exact = spellings(aliases, value)
        arms.append(f"WHEN lower({column_sql}) IN ({_sql_list(lowered)}) THEN {value.rank}")
        if exact:
            arms.append(f"WHEN {column_sql} IN ({_sql_list(exact)}) THEN {value.rank}")
    return f"CASE {' '.join(arms)} ELSE {UNKNOWN_RANK} END"


def rank(field: str) -> ColumnElement[int]:
    return literal_column(rank_sql(field, f"incidents.{field}"))


def _enum_match(field: str, clause: EnumClause) -> ColumnElement[bool]:
    """The stored value's rank is (not) one of the wanted ranks.

    One IN list with a value per wanted rank, not one per spelling, is what lets the planner
    search the rank index with a fair row estimate. A negation becomes the complement among
    all ranks (UNKNOWN_RANK included: the CASE is never NULL), so it too is a search.
    """
    wanted = {value.rank for value in clause.values}
    if clause.negated:
        wanted = ({value.rank for value in ALIASES[field].values()} | {UNKNOWN_RANK}) - wanted
    return rank(field).in_(sorted(wanted))


# -- People and links ------------------------------------------------------------------------

def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped (escape character: backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column, text: str) -> ColumnElement[bool]:
    return column.ilike(like_pattern(text), escape="\\")


def _person_named(name: str) -> ColumnElement[bool]:
    return or_(contains(people.c.name, name), contains(people.c.email, name))


def _role_match(column, name: str, me: Callable[[], UUID]) -> ColumnElement[bool]:
    """Never NULL, so that NOT (negation) keeps incidents where the role is unassigned."""
    if name == ME:
        return and_(column.is_not(None), column == me())
    if name == NOBODY:
        return column.is_(None)
    return exists().where(people.c.id == column, _person_named(name))


def _responder_match(name: str, me: Callable[[], UUID]) -> ColumnElement[bool]:
    active = and_(responders.c.incident_id == incidents.c.id, responders.c.deleted_at.is_(None))
    if name == ME:
        return exists().where(active, responders.c.person_id == me())
    if name == NOBODY:
        return not_(exists().where(active))
    named = (select(responders.c.id)
             .select_from(responders.outerjoin(people, people.c.id == responders.c.person_id)
                          .outerjoin(teams, teams.c.id == responders.c.team_id))
             .where(active, or_(_person_named(name), contains(teams.c.name, name))))
    return named.exists()


_ROLE_COLUMNS = {
    PersonField.COMMANDER: incidents.c.commander_id,
    PersonField.COMMUNICATOR: incidents.c.communicator_id,
    PersonField.CREATOR: incidents.c.created_by,
}


def _person_clause(clause: PersonClause, me: Callable[[], UUID]) -> ColumnElement[bool]:
    if clause.field is PersonField.RESPONDER:
        matches = [_responder_match(name, me) for name in clause.names]
    else:
        matches = [_role_match(_ROLE_COLUMNS[clause.field], name, me) for name in clause.names]
    match = or_(*matches)
    return not_(match) if clause.negated else match


_LINKS = {
    LinkField.CONFIG: (evidences.c.config_id, config_items),
    LinkField.CHECK: (evidences.c.check_id, checks),
}


def _linked(field: LinkField):
    """Evidence rows of the incident's hypotheses that point at a config item / check."""
    link, _ = _LINKS[field]
    return (select(evidences.c.id)
            .select_from(hypotheses.join(evidences, evidences.c.hypothesis_id == hypotheses.c.id))
            .where(hypotheses.c.incident_id == incidents.c.id, link.is_not(None)))


def _link_clause(clause: LinkClause) -> ColumnElement[bool]:
    link, target = _LINKS[clause.field]
    matches = []
    for name in clause.names:
        if name.lower() == NOBODY:
            matches.append(not_(_linked(clause.field).exists()))
        else:
            named = _linked(clause.field).join(target, target.c.id == link).where(contains(target.c.name, name))
            matches.append(named.exists())
    match = or_(*matches)
    return not_(match) if clause.negated else match


def _age_clause(clause: AgeClause, now: datetime) -> ColumnElement[bool]:
    since = now - clause.age
    return incidents.c.created_at >= since if clause.newer else incidents.c.created_at < since


# -- Free text -------------------------------------------------------------------------------

def fts_phrase(term: str) -> str:
    """A term as an FTS5 phrase: quoted, so `*`, `:`, `-` and brackets are plain text."""
    return '"' + term.replace('"', '""') + '"'


_FTS = table("incidents_fts", column("rowid"))
"""SQLite's FTS5 index over incident_id, title and description (rowid = incidents.rowid)."""

PG_SEARCH_DOCUMENT = "(incidents.incident_id || ' ' || incidents.title || ' ' || incidents.description)"
"""The expression the PostgreSQL trigram index is built on (see the migration)."""


def _text_clauses(terms: tuple[str, ...], dialect: str, fts: bool) -> list[ColumnElement[bool]]:
    if dialect == "postgresql":
        document = literal_column(PG_SEARCH_DOCUMENT)
        return [contains(document, term) for term in terms]
    indexed = [term for term in terms if fts and len(term) >= FTS_MIN_TERM]
    clauses = [or_(contains(incidents.c.incident_id, term), contains(incidents.c.title, term),
                   contains(incidents.c.description, term))
               for term in terms if term not in indexed]
    if indexed:
        matching = select(_FTS.c.rowid).where(literal_column("incidents_fts").op("MATCH")(
            " AND ".join(map(fts_phrase, indexed))))
        clauses.append(literal_column("incidents.rowid").in_(matching))
    return clauses


# -- The whole query -------------------------------------------------------------------------

def where_clauses(query: IncidentQuery, *, me: Callable[[], UUID], now: datetime, dialect: str,
                  fts: bool) -> list[ColumnElement[bool]]:
    """Conditions on `incidents` that all must hold; `me()` is only called for `@me`."""
    clauses: list[ColumnElement[bool]] = []
    for field in ("status", "severity", "type"):
        clause = getattr(query, field)
        if clause is not None:
            clauses.append(_enum_match(field, clause) if clause.values else (true() if clause.negated else false()))
    clauses += [_person_clause(clause, me) for clause in query.people]
    clauses += [_link_clause(clause) for clause in query.links]
    clauses += [_age_clause(clause, now) for clause in query.age]
    clauses += _text_clauses(tuple(t for t in query.text if t.strip()), dialect, fts)
    return clauses


@dataclass(frozen=True)
class OrderTerm:
    expression: ColumnElement
    descending: bool = False

    def reversed(self) -> OrderTerm:
        return OrderTerm(self.expression, not self.descending)

    def clause(self, expression: ColumnElement | None = None):
        ordered = self.expression if expression is None else expression
        return ordered.desc() if self.descending else ordered.asc()


def commander_name() -> ColumnElement[str]:
    return (select(func.lower(people.c.name)).where(people.c.id == incidents.c.commander_id)
            .scalar_subquery())


def _primary(key: SortKey) -> list[OrderTerm]:
    return {
        SortKey.STATUS: [OrderTerm(rank("status"))],
        SortKey.TYPE: [OrderTerm(rank("type"))],
        SortKey.TITLE: [OrderTerm(func.lower(incidents.c.title))],
        # Unassigned after every name (and first when reversed).
        SortKey.COMMANDER: [OrderTerm(commander_name().is_(None)), OrderTerm(commander_name())],
        # INC-9 before INC-10: shorter ids are smaller numbers.
        SortKey.ID: [OrderTerm(func.length(incidents.c.incident_id)), OrderTerm(incidents.c.incident_id)],
        SortKey.AGE: [OrderTerm(incidents.c.created_at, descending=True)],
        SortKey.UPDATED: [OrderTerm(incidents.c.updated_at, descending=True)],
    }[key]


def order_terms(query: IncidentQuery) -> list[OrderTerm]:
    """The sort, then highest severity, newest, and the id so pages never overlap.

    Descending reverses every term: the default order then walks the board index backwards.
    A severity rank the filter pins to one value orders nothing and is left out: with it,
    SQLite (3.40) sorts the rows the board index has just found in that very order.
    """
    sort = query.sort
    severity = [] if _one_rank(query.severity) else [OrderTerm(rank("severity"))]
    terms = severity if sort.key is SortKey.SEVERITY else _primary(sort.key) + severity
    if sort.key is not SortKey.AGE:
        terms.append(OrderTerm(incidents.c.created_at, descending=True))
    terms.append(OrderTerm(incidents.c.id))
    return [term.reversed() for term in terms] if sort.descending else terms


def _one_rank(clause: EnumClause | None) -> bool:
    return clause is not None and not clause.negated and len(clause.values) == 1
