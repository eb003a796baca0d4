"""Every stored spelling of each lenient enum value, for backends that match stored text.

A backend that cannot call `parse_severity` on each row (SQL, PostgREST) compares the
stored text with these lists instead: the SQL backend in CASE rank expressions, the API
backend in `in.(…)` filters against a server without rank columns.
"""

from __future__ import annotations

from collections.abc import Mapping

from .enums import SEVERITY_ALIASES, STATUS_ALIASES, IncidentType, Severity, Status

Lenient = Severity | Status | IncidentType
TYPE_ALIASES: dict[str, IncidentType] = {t.value: t for t in IncidentType}
ALIASES: dict[str, Mapping[str, Lenient]] = {
    "severity": SEVERITY_ALIASES, "status": STATUS_ALIASES, "type": TYPE_ALIASES,
}
"""The lenient enum fields of an incident, each with its lower-cased spellings."""


def spellings(aliases: Mapping[str, Lenient], wanted: Lenient) -> tuple[list[str], list[str]]:
    """Stored spellings that parse to `wanted`: (compare lower-cased, compare exactly).

    `technical_debt` is also stored as `technical debt`, `technical-debt` (any case) and
    `technicalDebt` / `TechnicalDebt` (exactly: `technicaldebt` does not parse).
    """
    lowered: set[str] = set()
    exact: set[str] = set()
    for key, value in aliases.items():
        if value is not wanted:
            continue
        lowered.add(key)
        if "_" in key:
            lowered |= {key.replace("_", " "), key.replace("_", "-")}
            first, *rest = key.split("_")
            camel = first + "".join(word.capitalize() for word in rest)
            exact |= {camel, camel[0].upper() + camel[1:]}
    return sorted(lowered), sorted(exact)
