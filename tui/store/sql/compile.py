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
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    UnaryExpression,
    and_,
    column,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)

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
from .casefold import case_forms, glob_contains, regex_contains
from .schema import checks, config_items, evidences, hypotheses, incidents, people, responders, teams

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


def contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    return column.ilike(like_pattern(text), escape="\\")


def _person_named(name: str) -> ColumnElement[bool]:
    return or_(contains(people.c.name, name), contains(people.c.email, name))


def _role_match(column: ColumnElement[UUID], name: str, me: Callable[[], UUID], negated: bool) -> ColumnElement[bool]:
    """Never NULL when `negated`, so that NOT keeps incidents where the role is unassigned. (Only then:
    beside `IS NOT NULL`, SQLite walks every assigned incident instead of searching the people's.)

    A name is looked up among the people first (a handful), then the role's index finds their
    incidents: no lookup per incident."""
    if name == NOBODY:
        return column.is_(None)
    match = column == me() if name == ME else column.in_(select(people.c.id).where(_person_named(name)))
    return and_(column.is_not(None), match) if negated else match


def _responding(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Ids of incidents with an active responder meeting `conditions` (person and team joined)."""
    return (select(responders.c.incident_id)
            .select_from(responders.outerjoin(people, people.c.id == responders.c.person_id)
                         .outerjoin(teams, teams.c.id == responders.c.team_id))
            .where(responders.c.deleted_at.is_(None), *conditions))


def _responder_match(name: str, me: Callable[[], UUID]) -> ColumnElement[bool]:
    if name == ME:
        return incidents.c.id.in_(_responding(responders.c.person_id == me()))
    if name == NOBODY:
        return incidents.c.id.not_in(_responding())
    return incidents.c.id.in_(_responding(or_(_person_named(name), contains(teams.c.name, name))))


_ROLE_COLUMNS = {
    PersonField.COMMANDER: incidents.c.commander_id,
    PersonField.COMMUNICATOR: incidents.c.communicator_id,
    PersonField.CREATOR: incidents.c.created_by,
}


def _person_clause(clause: PersonClause, me: Callable[[], UUID]) -> ColumnElement[bool]:
    if clause.field is PersonField.RESPONDER:
        matches = [_responder_match(name, me) for name in clause.names]
    else:
        matches = [_role_match(_ROLE_COLUMNS[clause.field], name, me, clause.negated) for name in clause.names]
    match = or_(*matches)
    return not_(match) if clause.negated else match


_LINKS = {
    LinkField.CONFIG: (evidences.c.config_id, config_items),
    LinkField.CHECK: (evidences.c.check_id, checks),
}


def _linked(field: LinkField, *conditions: ColumnElement[bool]) -> Select[Any]:
    """Ids of incidents whose hypotheses hold evidence pointing at a config item / check meeting
    `conditions`: driven from the few matching items through the evidence index, not probed per incident."""
    link, target = _LINKS[field]
    return (select(hypotheses.c.incident_id)
            .select_from(target.join(evidences, link == target.c.id)
                         .join(hypotheses, hypotheses.c.id == evidences.c.hypothesis_id))
            .where(*conditions))


def _link_clause(clause: LinkClause, incident_id: ColumnElement[UUID]) -> ColumnElement[bool]:
    _, target = _LINKS[clause.field]
    matches = [incident_id.not_in(_linked(clause.field)) if name.lower() == NOBODY
               else incident_id.in_(_linked(clause.field, contains(target.c.name, name)))
               for name in clause.names]
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


class TextPlan(Enum):
    """How SQLite is to use the FTS5 match of a query's terms (PostgreSQL plans for itself)."""

    DRIVE = "drive"
    """From the match: its rows are fetched by rowid, then sorted (few matches)."""
    WALK = "walk"
    """Along the board's sort index, keeping the rows in the match, until the page is full (many
    matches: the page fills within a few rows, and sorting every match would cost far more)."""
    JOINED = "joined"
    """`incidents_fts` is joined in (see `text_source`) and matched in the WHERE clause: the match
    streams, so a count that stops early (`LIMIT`) reads only as much of it as it counts."""


def _fts_terms(terms: tuple[str, ...], dialect: str, fts: bool) -> list[str]:
    return [term for term in terms if fts and dialect != "postgresql" and len(term) >= FTS_MIN_TERM]


def matched_row_by_row(query: IncidentQuery, *, dialect: str, fts: bool) -> bool:
    """True when a term is too short for the trigram index (or SQLite has no FTS5 table): each row
    is then read and matched, so counting its matches costs a read of every row that many."""
    terms = _terms(query)
    indexed = _fts_terms(terms, dialect, fts) if dialect != "postgresql" else [
        term for term in terms if len(term) >= FTS_MIN_TERM]
    return len(indexed) < len(terms)


def text_source(query: IncidentQuery, source: FromClause, *, dialect: str, fts: bool) -> FromClause:
    """`source` with `incidents_fts` joined in when the query has terms the FTS5 index answers
    (for TextPlan.JOINED)."""
    if not _fts_terms(_terms(query), dialect, fts):
        return source
    return _FTS.join(source, incidents_rowid() == _FTS.c.rowid)


def incidents_rowid() -> ColumnElement[int]:
    return literal_column("incidents.rowid")


def _terms(query: IncidentQuery) -> tuple[str, ...]:
    return tuple(term for term in query.text if term.strip())


def _text_clauses(terms: tuple[str, ...], dialect: str, fts: bool, plan: TextPlan) -> list[ColumnElement[bool]]:
    """Each term in the id, title or description, in any case: LIKE folds ASCII only, so a term
    with other letters is matched with a pattern of their case forms (see `casefold`); FTS5's
    trigram index folds them itself."""
    if dialect == "postgresql":
        document: ColumnElement[str] = literal_column(PG_SEARCH_DOCUMENT)
        return [contains(document, term) if term.isascii()
                else document.op("~*", is_comparison=True)(regex_contains(term)) for term in terms]
    indexed = _fts_terms(terms, dialect, fts)
    clauses = [or_(*(_sqlite_contains(column, term) for column in
                     (incidents.c.incident_id, incidents.c.title, incidents.c.description)))
               for term in terms if term not in indexed]
    if indexed:
        match = literal_column("incidents_fts").op("MATCH")(" AND ".join(map(fts_phrase, indexed)))
        if plan is TextPlan.JOINED:
            clauses.append(match)
        else:
            # Unary plus: the same rowid, but one SQLite will not look rows up by, so it walks the sort index.
            rowid = literal_column("+incidents.rowid") if plan is TextPlan.WALK else incidents_rowid()
            clauses.append(rowid.in_(select(_FTS.c.rowid).where(match)))
    return clauses


CASE_FORMS_LIMIT = 16
"""A term with more ways to write it in other cases is matched with one GLOB pattern (slower)."""


def _sqlite_contains(column: ColumnElement[str], term: str) -> ColumnElement[bool]:
    """SQLite's LIKE ignores the case of ASCII letters by itself (no lower() of every row); a term
    with other letters is found as each of its case forms, or with a GLOB of them if too many."""
    if term.isascii():
        return column.like(like_pattern(term), escape="\\")
    forms = case_forms(term, CASE_FORMS_LIMIT)
    if forms is None:
        return column.op("GLOB", is_comparison=True)(glob_contains(term))
    return or_(*(func.instr(column, form) > 0 for form in forms))


# -- The whole query -------------------------------------------------------------------------

def _incident_id(dialect: str, plan: TextPlan) -> ColumnElement[UUID]:
    """`incidents.id`, for a test against a list of matching ids; with TextPlan.WALK on SQLite behind a
    unary plus (see `_text_clauses`), so that many matches are kept while walking the sort index rather
    than looked up one by one and sorted."""
    return literal_column("+incidents.id") if plan is TextPlan.WALK and dialect == "sqlite" else incidents.c.id


def where_clauses(query: IncidentQuery, *, me: Callable[[], UUID], now: datetime, dialect: str,
                  fts: bool, text_plan: TextPlan = TextPlan.DRIVE) -> list[ColumnElement[bool]]:
    """Conditions on `incidents` that all must hold; `me()` is only called for `@me`."""
    clauses: list[ColumnElement[bool]] = []
    for field in ("status", "severity", "type"):
        clause = getattr(query, field)
        if clause is not None:
            clauses.append(_enum_match(field, clause) if clause.values else (true() if clause.negated else false()))
    clauses += [_person_clause(clause, me) for clause in query.people]
    clauses += [_link_clause(clause, _incident_id(dialect, text_plan)) for clause in query.links]
    clauses += [_age_clause(clause, now) for clause in query.age]
    clauses += _text_clauses(_terms(query), dialect, fts, text_plan)
    return clauses


@dataclass(frozen=True)
class OrderTerm:
    expression: ColumnElement[Any]
    descending: bool = False

    def reversed(self) -> OrderTerm:
        return OrderTerm(self.expression, not self.descending)

    def clause(self, expression: ColumnElement[Any] | None = None) -> UnaryExpression[Any]:
        ordered = self.expression if expression is None else expression
        return ordered.desc() if self.descending else ordered.asc()


COMMANDER = people.alias("commander")
"""The commander's person, joined once for the commander sort (see `board_source`)."""


def board_source(query: IncidentQuery) -> FromClause:
    """What the board's page is selected from: `incidents`, and for the commander sort its commander
    joined in, so the name is read by one join rather than a lookup per row in a subquery."""
    if query.sort.key is SortKey.COMMANDER:
        return incidents.outerjoin(COMMANDER, COMMANDER.c.id == incidents.c.commander_id)
    return incidents


def commander_name() -> ColumnElement[str]:
    return (select(func.lower(people.c.name)).where(people.c.id == incidents.c.commander_id)
            .scalar_subquery())


def _primary(key: SortKey) -> list[OrderTerm]:
    return {
        SortKey.STATUS: [OrderTerm(rank("status"))],
        SortKey.TYPE: [OrderTerm(rank("type"))],
        SortKey.TITLE: [OrderTerm(func.lower(incidents.c.title))],
        # Unassigned after every name (and first when reversed).
        SortKey.COMMANDER: [OrderTerm(COMMANDER.c.name.is_(None)), OrderTerm(func.lower(COMMANDER.c.name))],
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
    return exact_id_first(query) + ([term.reversed() for term in terms] if sort.descending else terms)


def exact_id_first(query: IncidentQuery) -> list[OrderTerm]:
    """`INC-31` typed in the filter: that incident before INC-310 … and those that mention it, in
    either direction (false sorts before true). Only then: the term keeps the board index from
    ordering the rows, which costs a sort of the matches of an id's text."""
    typed = query.exact_id
    return [] if typed is None else [OrderTerm(incidents.c.incident_id != typed)]


def _one_rank(clause: EnumClause | None) -> bool:
    return clause is not None and not clause.negated and len(clause.values) == 1
