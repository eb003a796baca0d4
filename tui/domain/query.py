"""What the user asked the board for: filters parsed from the filter bar, a sort and a window.

The filter text is parsed once (see `grammar.parse_filter`) into an `IncidentQuery`; each
backend compiles it to its own language (SQL, PostgREST parameters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum

from .enums import IncidentType, Severity, Status


class PersonField(str, Enum):
    """Filters whose values name people (by name or email, or `@me`)."""

    COMMANDER = "commander"
    COMMUNICATOR = "communicator"
    CREATOR = "creator"
    RESPONDER = "responder"


class LinkField(str, Enum):
    """Filters whose values name linked config items or health checks."""

    CONFIG = "config"
    CHECK = "check"


ME = "@me"
"""A person value meaning the current user; backends resolve it with `whoami()`."""

NOBODY = "none"
"""A person value meaning the role is unassigned (`commander:none`)."""


EnumValues = frozenset[Status] | frozenset[Severity] | frozenset[IncidentType]


@dataclass(frozen=True)
class EnumClause:
    """`status:open,mitigated` / `sev:!low`: the incident's value is (not) one of these."""

    values: EnumValues
    negated: bool = False


@dataclass(frozen=True)
class PersonClause:
    field: PersonField
    names: tuple[str, ...]
    """Case-insensitive substrings of a name or email, `@me` or `none`."""
    negated: bool = False


@dataclass(frozen=True)
class LinkClause:
    field: LinkField
    names: tuple[str, ...]
    """Case-insensitive substrings of a config item's or check's name."""
    negated: bool = False


@dataclass(frozen=True)
class AgeClause:
    """`age:<24h` is newer than 24 hours; `age:>7d` older than 7 days."""

    newer: bool
    age: timedelta


MAX_AGE = timedelta(days=1000 * 366)
"""The longest age a filter may name: a thousand years back is still a time (99,999,999 days is not)."""


class SortKey(str, Enum):
    ID = "id"
    SEVERITY = "severity"
    STATUS = "status"
    TYPE = "type"
    TITLE = "title"
    COMMANDER = "commander"
    AGE = "age"
    UPDATED = "updated"


@dataclass(frozen=True)
class Sort:
    """The default board order is highest severity first, then newest."""

    key: SortKey = SortKey.SEVERITY
    descending: bool = False
    """For SEVERITY, ascending means highest first (its rank); for AGE, ascending means newest."""


@dataclass(frozen=True)
class IncidentQuery:
    status: EnumClause | None = None
    severity: EnumClause | None = None
    type: EnumClause | None = None
    people: tuple[PersonClause, ...] = ()
    links: tuple[LinkClause, ...] = ()
    age: tuple[AgeClause, ...] = ()
    text: tuple[str, ...] = ()
    """Words and quoted phrases, all of which must occur in the id, title or description."""
    sort: Sort = field(default_factory=Sort)

    def sorted_by(self, sort: Sort) -> IncidentQuery:
        return replace(self, sort=sort)

    @property
    def exact_id(self) -> str | None:
        """An incident's id typed as a word of the filter (`INC-31`, any case), canonical: every
        backend lists that incident first, before INC-310 … INC-319 and those that mention it."""
        typed = next((found for term in self.text if (found := _EXACT_ID.fullmatch(term.strip()))), None)
        return f"INC-{typed[1]}" if typed else None


_EXACT_ID = re.compile(r"inc-(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """Which rows of the result the board shows."""

    offset: int = 0
    limit: int = 100


DEFAULT_FILTER = "status:active"
"""The board opens on active incidents (open, mitigated and the legacy variants)."""
