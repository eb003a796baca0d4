"""The filter-bar language: text in, `IncidentQuery` out, and back again.

    sev:critical,high status:open,mitigated type:!cost commander:@me
    config:payments-db check:api-health age:<24h "connection reset" sort:-age

Whitespace separates terms. `field:value[,value...]` is a clause; a `!` before the values
negates it. Values and free-text phrases may be double-quoted (`\\"` and `\\\\` escape).
Any other word is free text; every word and phrase must occur in the id, title or
description. Every mistake raises `FilterError` with a sentence a user can act on and
the position to point at; nothing else escapes `parse_filter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import Enum
from typing import Any, TypeVar, cast

from .enums import (
    ACTIVE_STATUSES,
    CANONICAL_STATUSES,
    IncidentType,
    Severity,
    Status,
    parse_severity,
    parse_status,
    parse_type,
)
from .format import one_line
from .query import (
    MAX_AGE,
    ME,
    NOBODY,
    AgeClause,
    EnumClause,
    EnumValues,
    IncidentQuery,
    LinkClause,
    LinkField,
    PersonClause,
    PersonField,
    Sort,
    SortKey,
)

K = TypeVar("K", bound=Enum)


class FilterError(Exception):
    """Filter text that does not parse.

    `message` is the sentence to show next to the filter bar, `position` the 0-based offset
    of the problem (to put the cursor on); `str()` gives both, for the command line.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (column {position + 1})")
        self.message = message
        self.position = position


# -- Lexing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    text: str
    position: int


@dataclass(frozen=True)
class Clause:
    field: str
    """As typed; `name` is its lower-cased form."""
    position: int
    negated: bool
    values: tuple[Value, ...]

    @property
    def name(self) -> str:
        return self.field.lower()


Term = Value | Clause
_VALUE_END = frozenset(',"')


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_term_end(self) -> bool:
        return self.pos >= len(self.text) or self.text[self.pos].isspace()

    def terms(self) -> list[Term]:
        found: list[Term] = []
        while True:
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(self.text):
                return found
            found.append(self.term())

    def term(self) -> Term:
        start = self.pos
        if self.peek() == '"':
            return self.quoted()
        word = self.run_until(lambda ch: ch.isspace() or ch in ':"')
        if self.peek() != ":":
            return Value(word, start)
        if not word:
            raise FilterError('a ":" needs a field name before it, like status:open; '
                              'put text that contains a colon in double quotes', start)
        self.pos += 1  # the colon
        negated = self.peek() == "!"
        if negated:
            self.pos += 1
        return Clause(word, start, negated, self.values(word))

    def values(self, field: str) -> tuple[Value, ...]:
        found = [self.value(field)]
        while self.peek() == ",":
            self.pos += 1
            found.append(self.value(field))
        if not self.at_term_end():
            raise FilterError(f"expected a comma or a space after the value; separate values with commas "
                              f'and quote values with spaces, like {field}:"two words",other', self.pos)
        return tuple(found)

    def value(self, field: str) -> Value:
        start = self.pos
        if self.peek() == '"':
            return self.quoted()
        text = self.run_until(lambda ch: ch.isspace() or ch in _VALUE_END)
        if not text:
            raise FilterError(f"{field} is missing a value; "
                              f"write values after the colon, separated by commas", start)
        return Value(text, start)

    def quoted(self) -> Value:
        start = self.pos
        self.pos += 1  # the opening quote
        chars: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == '"':
                self.pos += 1
                return Value("".join(chars), start)
            if ch == "\\" and self.text[self.pos + 1:self.pos + 2] in ('"', "\\"):
                self.pos += 1
                ch = self.text[self.pos]
            chars.append(ch)
            self.pos += 1
        raise FilterError('this quote is never closed; add a closing "', start)

    def run_until(self, stop: Callable[[str], bool]) -> str:
        start = self.pos
        while self.pos < len(self.text) and not stop(self.text[self.pos]):
            self.pos += 1
        return self.text[start:self.pos]


# -- Fields ----------------------------------------------------------------------------

ACTIVE = "active"


def shown(value: Value) -> str:
    """A value as quoted back in a message: short, and on one line."""
    return one_line(value.text, 30)


def choices(values: Iterable[str]) -> str:
    return ", ".join(values)


_STATUS_WORDS = (ACTIVE, *(s.value for s in Status))
_SEVERITY_WORDS = tuple(s.value.lower() for s in Severity)
_TYPE_WORDS = tuple(t.value for t in IncidentType)


def _statuses(value: Value) -> frozenset[Status]:
    if value.text.strip().lower() == ACTIVE:
        return ACTIVE_STATUSES
    status = parse_status(value.text)
    if not isinstance(status, Status):
        raise FilterError(f'"{shown(value)}" is not a status; use {choices(_STATUS_WORDS)}', value.position)
    return frozenset({status})


def _severities(value: Value) -> frozenset[Severity]:
    severity = parse_severity(value.text)
    if not isinstance(severity, Severity):
        raise FilterError(f'"{shown(value)}" is not a severity; use {choices(_SEVERITY_WORDS)} '
                          "(or p1..p5, blocker)", value.position)
    return frozenset({severity})


def _types(value: Value) -> frozenset[IncidentType]:
    kind = parse_type(value.text)
    if not isinstance(kind, IncidentType):
        raise FilterError(f'"{shown(value)}" is not an incident type; use {choices(_TYPE_WORDS)}', value.position)
    return frozenset({kind})


_ENUM_FIELDS: dict[str, tuple[str, Callable[[Value], EnumValues]]] = {
    "status": ("status", _statuses),
    "sev": ("severity", _severities),
    "severity": ("severity", _severities),
    "type": ("type", _types),
}
_PEOPLE_FIELDS = {f.value: f for f in PersonField}
_LINK_FIELDS = {f.value: f for f in LinkField}
FIELDS = ("status", "sev", "type", *_PEOPLE_FIELDS, *_LINK_FIELDS, "age", "sort")
"""Field names in the order help and error messages list them (`severity` also works)."""

_AGE = re.compile(r"(<=?|>=?)(\d+)([mhdw])", re.ASCII | re.IGNORECASE)
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SORT_ALIASES = {key.value: key for key in SortKey} | {"sev": SortKey.SEVERITY, "created": SortKey.AGE}


def _enum_clause(clause: Clause) -> EnumClause:
    _, parse = _ENUM_FIELDS[clause.name]
    # One field's parser makes every set, so their union holds one enum.
    values = cast(EnumValues, frozenset().union(*(parse(v) for v in clause.values)))
    return EnumClause(values, clause.negated)


def clause_names(clause: Clause) -> tuple[str, ...]:
    names = tuple(v.text.strip() for v in clause.values)
    for value, name in zip(clause.values, names, strict=True):
        if not name:
            raise FilterError(f"{clause.name} has an empty name", value.position)
    return names


def _person_clause(clause: Clause) -> PersonClause:
    special = {ME: ME, NOBODY: NOBODY}
    names = tuple(special.get(name.lower(), name) for name in clause_names(clause))
    return PersonClause(_PEOPLE_FIELDS[clause.name], names, clause.negated)


def _link_clause(clause: Clause) -> LinkClause:
    return LinkClause(_LINK_FIELDS[clause.name], clause_names(clause), clause.negated)


def _age_clause(clause: Clause) -> AgeClause:
    if len(clause.values) > 1:
        raise FilterError("age takes one value; for a range write two clauses, like age:>1h age:<24h",
                          clause.values[1].position)
    value = clause.values[0]
    match = _AGE.fullmatch(value.text.strip())
    if match is None:
        raise FilterError(f'"{shown(value)}" is not an age; write < (newer than) or > (older than), '
                          "a number and a unit m, h, d or w, like age:<24h or age:>7d", value.position)
    operator, amount, unit = match.groups()
    try:
        age = timedelta(**{_AGE_UNITS[unit.lower()]: int(amount)})
    except (OverflowError, ValueError):  # beyond timedelta, or too many digits for int()
        age = MAX_AGE + timedelta(days=1)
    if age > MAX_AGE:  # `now - age` would be before year 1
        raise FilterError(f'"{shown(value)}" is too long ago; use a smaller age', value.position)
    # `age:!<24h` (not newer than 24h) is `age:>24h`.
    return AgeClause(newer=operator.startswith("<") != clause.negated, age=age)


def sort_key(clause: Clause, aliases: Mapping[str, K], example: str) -> tuple[K, bool]:
    """`sort:-age`: the key `aliases` names, and whether it is reversed (`example`: a key for messages)."""
    keys = choices(aliases)
    if clause.negated or len(clause.values) > 1:
        raise FilterError(f"sort takes one key, with - in front to reverse it, like sort:-{example}; keys: {keys}",
                          clause.position)
    value = clause.values[0]
    text = value.text.strip().lower()
    key = aliases.get(text.removeprefix("-"))
    if key is None:
        raise FilterError(f'"{shown(value)}" is not a sort key; use {keys} (with - in front to reverse)',
                          value.position)
    return key, text.startswith("-")


def _sort(clause: Clause) -> Sort:
    return Sort(*sort_key(clause, _SORT_ALIASES, example="age"))


# -- Parsing -------------------------------------------------------------------------------

def lex(text: str) -> list[Term]:
    """Filter text as clauses and free-text values; raises FilterError, and only FilterError."""
    _refuse_unprintable(text)
    return _Lexer(text).terms()


def parse_filter(text: str) -> IncidentQuery:
    """Parse filter-bar text; raises FilterError, and only FilterError, on bad input."""
    query = IncidentQuery()
    seen: set[str] = set()
    for term in lex(text):
        if isinstance(term, Value):
            if term.text:  # `""` asks for nothing
                query = replace(query, text=query.text + (term.text,))
            continue
        query = _apply(query, term, seen)
    return query


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (NUL matches nothing in SQL and breaks PostgreSQL) and the surrogates
Python uses for bytes that are not UTF-8 (an undecodable command-line argument)."""


def _refuse_unprintable(text: str) -> None:
    found = _UNPRINTABLE.search(text)
    if found is not None:
        what = "a byte that is not UTF-8 text" if found.group() >= "\ud800" else "a control character"
        raise FilterError(f"the filter holds {what}; type plain text", found.start())


def _apply(query: IncidentQuery, clause: Clause, seen: set[str]) -> IncidentQuery:
    name = clause.name
    if name in _ENUM_FIELDS or name == "sort":
        attribute = _ENUM_FIELDS[name][0] if name in _ENUM_FIELDS else "sort"
        if attribute in seen:
            raise FilterError(f"{attribute} given twice; list every value in one clause, "
                              f"like {name}:a,b", clause.position)
        seen.add(attribute)
        made: dict[str, Any] = {attribute: _enum_clause(clause) if name in _ENUM_FIELDS else _sort(clause)}
        return replace(query, **made)
    if name in _PEOPLE_FIELDS:
        return replace(query, people=query.people + (_person_clause(clause),))
    if name in _LINK_FIELDS:
        return replace(query, links=query.links + (_link_clause(clause),))
    if name == "age":
        return replace(query, age=query.age + (_age_clause(clause),))
    raise FilterError(f'unknown field "{clause.field}"; fields: {choices(FIELDS)} '
                      '(put text that contains a colon in double quotes)', clause.position)


# -- Formatting ----------------------------------------------------------------------------

_BARE = re.compile(r'[^\s",:!\\]+')
_BARE_VALUE = re.compile(r'[^\s",!\\][^\s",\\]*')


def quote(text: str) -> str:
    """`text` as a double-quoted filter value or phrase."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _word(text: str) -> str:
    return text if _BARE.fullmatch(text) else quote(text)


def _value(text: str) -> str:
    return text if _BARE_VALUE.fullmatch(text) and text.strip() == text else quote(text)


def _clause(field: str, negated: bool, values: list[str]) -> str:
    return f"{field}:{'!' if negated else ''}{','.join(_value(v) for v in values)}"


def _format_enum(field: str, clause: EnumClause, ranked: list[Enum]) -> str:
    if clause.values == ACTIVE_STATUSES:
        return _clause(field, clause.negated, [ACTIVE])
    words = [v.value.lower() for v in ranked if v in clause.values]
    return _clause(field, clause.negated, words)


def _format_age(clause: AgeClause) -> str:
    """The largest unit that gives a whole number of at least 2: 24h stays 24h, 48h is 2d."""
    minutes = int(clause.age.total_seconds() // 60)
    amount, unit = minutes, "m"
    for name, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0 and minutes // size >= 2:
            amount, unit = minutes // size, name
            break
    return f"age:{'<' if clause.newer else '>'}{amount}{unit}"


def format_query(query: IncidentQuery) -> str:
    """Canonical filter text for `query`: `parse_filter(format_query(q)) == q` for parsed queries."""
    parts: list[str] = []
    if query.status is not None:
        parts.append(_format_enum("status", query.status, [*CANONICAL_STATUSES, Status.INVESTIGATING, Status.NEW]))
    if query.severity is not None:
        parts.append(_format_enum("sev", query.severity, list(Severity)))
    if query.type is not None:
        parts.append(_format_enum("type", query.type, list(IncidentType)))
    parts += [_clause(c.field.value, c.negated, list(c.names)) for c in query.people]
    parts += [_clause(c.field.value, c.negated, list(c.names)) for c in query.links]
    parts += [_format_age(c) for c in query.age]
    parts += [_word(t) for t in query.text]
    if query.sort != Sort():
        parts.append(f"sort:{'-' if query.sort.descending else ''}{query.sort.key.value}")
    return " ".join(parts)
