"""Severity, status, type and health, with the product's meanings and lenient parsing.

Mission Control stores these as free text and every component of it writes different
spellings (see the reference NOTES §2). We read every known variant, keep what we do not
know verbatim (it sorts last and is shown as stored), and write only canonical values.
"""

from __future__ import annotations

import re
from enum import Enum


class Severity(str, Enum):
    """Ordered highest first; the value is the canonical (Title-case) stored form."""

    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"
    INFO = "Info"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    @property
    def label(self) -> str:
        return self.value

    @property
    def description(self) -> str:
        return _SEVERITY_DESCRIPTIONS[self]


_SEVERITY_ORDER = list(Severity)
_SEVERITY_DESCRIPTIONS = {
    Severity.CRITICAL: "Major disruption, caused or threatened",
    Severity.HIGH: "Substantial impact, not critical",
    Severity.MEDIUM: "Some disruption, manageable without significant diversion of resources",
    Severity.LOW: "Minimal impact",
    Severity.INFO: "No impact, recorded for information",
}

# Every spelling found in Mission Control data, lower-cased. Blocker is the seed table's
# second level (alias P2), so it reads as High; legacy integers count up to critical.
SEVERITY_ALIASES: dict[str, Severity] = {
    "critical": Severity.CRITICAL, "crit": Severity.CRITICAL, "p1": Severity.CRITICAL,
    "sev1": Severity.CRITICAL, "4": Severity.CRITICAL,
    "high": Severity.HIGH, "blocker": Severity.HIGH, "p2": Severity.HIGH,
    "sev2": Severity.HIGH, "3": Severity.HIGH, "2": Severity.HIGH,
    "medium": Severity.MEDIUM, "med": Severity.MEDIUM, "p3": Severity.MEDIUM,
    "sev3": Severity.MEDIUM, "warning": Severity.MEDIUM, "1": Severity.MEDIUM,
    "low": Severity.LOW, "p4": Severity.LOW, "sev4": Severity.LOW, "0": Severity.LOW,
    "info": Severity.INFO, "informational": Severity.INFO, "p5": Severity.INFO,
}


class Status(str, Enum):
    """Lifecycle states; the value is the canonical (lowercase) stored form.

    INVESTIGATING and NEW are Mission Control variants: read, treated as open, never written.
    """

    OPEN = "open"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    INVESTIGATING = "investigating"
    NEW = "new"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def description(self) -> str:
        return _STATUS_DESCRIPTIONS[self]

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        """Closed and cancelled incidents are read-only except for reopening."""
        return self in (Status.CLOSED, Status.CANCELLED)

    @property
    def effective(self) -> Status:
        """The canonical state a legacy variant behaves as."""
        return Status.OPEN if self in (Status.INVESTIGATING, Status.NEW) else self

    @property
    def rank(self) -> int:
        return _STATUS_ORDER.index(self)


CANONICAL_STATUSES = (Status.OPEN, Status.MITIGATED, Status.RESOLVED, Status.CLOSED, Status.CANCELLED)
ACTIVE_STATUSES = frozenset({Status.OPEN, Status.MITIGATED, Status.INVESTIGATING, Status.NEW})
_STATUS_ORDER = [Status.NEW, Status.OPEN, Status.INVESTIGATING, Status.MITIGATED,
                 Status.RESOLVED, Status.CLOSED, Status.CANCELLED]
_STATUS_DESCRIPTIONS = {
    Status.OPEN: "Reported, awaiting investigation",
    Status.MITIGATED: "Temporary measures taken, further action needed",
    Status.RESOLVED: "Root cause addressed",
    Status.CLOSED: "Fully resolved, nothing more to do",
    Status.CANCELLED: "Closed without resolution: false alarm, duplicate",
    Status.INVESTIGATING: "Being investigated (Mission Control variant of open)",
    Status.NEW: "Just reported (Mission Control variant of open)",
}
STATUS_ALIASES: dict[str, Status] = {s.value: s for s in Status} | {"canceled": Status.CANCELLED}


class IncidentType(str, Enum):
    AVAILABILITY = "availability"
    COST = "cost"
    PERFORMANCE = "performance"
    SECURITY = "security"
    TECHNICAL_DEBT = "technical_debt"
    COMPLIANCE = "compliance"
    INTEGRATION = "integration"
    RELIABILITY = "reliability"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def description(self) -> str:
        return _TYPE_DESCRIPTIONS[self]

    @property
    def rank(self) -> int:
        return list(IncidentType).index(self)


_TYPE_DESCRIPTIONS = {
    IncidentType.AVAILABILITY: "Availability of services or resources",
    IncidentType.COST: "Unexpected cost or resource usage",
    IncidentType.PERFORMANCE: "Performance of services or resources",
    IncidentType.SECURITY: "Security breaches or vulnerabilities",
    IncidentType.TECHNICAL_DEBT: "Accumulated unaddressed technical issues",
    IncidentType.COMPLIANCE: "Regulatory non-compliance",
    IncidentType.INTEGRATION: "Integrated systems or services",
    IncidentType.RELIABILITY: "Consistent, dependable performance over time",
}


class Health(str, Enum):
    """Health of a config item or a health check."""

    HEALTHY = "healthy"
    WARNING = "warning"
    UNHEALTHY = "unhealthy"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


HEALTH_ALIASES: dict[str, Health] = {h.value: h for h in Health} | {
    "ok": Health.HEALTHY, "passing": Health.HEALTHY, "pass": Health.HEALTHY,
    "warn": Health.WARNING, "degraded": Health.WARNING,
    "failing": Health.UNHEALTHY, "fail": Health.UNHEALTHY, "error": Health.UNHEALTHY,
}


class HypothesisType(str, Enum):
    """A node of the action plan: the root (the incident itself), a contributing factor, a solution.
    The only enum Mission Control's database enforces (a CHECK constraint)."""

    ROOT = "root"
    FACTOR = "factor"
    SOLUTION = "solution"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class HypothesisStatus(str, Enum):
    """How sure the team is of a hypothesis, most likely first (Mission Control's HypothesisStatus)."""

    PROVEN = "proven"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    IMPROBABLE = "improbable"
    DISPROVEN = "disproven"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def for_it(self) -> bool:
        """Thumbs up in Mission Control's UI (proven, likely, possible); the rest thumbs down."""
        return self in (HypothesisStatus.PROVEN, HypothesisStatus.LIKELY, HypothesisStatus.POSSIBLE)


def _key(raw: object) -> str:
    """Fold case, spaces, dashes and camelCase so `technicalDebt` == `Technical Debt`."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", str(raw).strip())
    return re.sub(r"[\s\-]+", "_", text).lower()


def parse_severity(raw: object) -> Severity | str:
    """A Severity for every known spelling; anything else verbatim."""
    if isinstance(raw, Severity):
        return raw
    return SEVERITY_ALIASES.get(_key(raw), str(raw))


def parse_status(raw: object) -> Status | str:
    if isinstance(raw, Status):
        return raw
    return STATUS_ALIASES.get(_key(raw), str(raw))


def parse_type(raw: object) -> IncidentType | str:
    if isinstance(raw, IncidentType):
        return raw
    try:
        return IncidentType(_key(raw))
    except ValueError:
        return str(raw)


def parse_health(raw: object) -> Health:
    """Health is display-only, so anything unknown is simply unknown."""
    if isinstance(raw, Health):
        return raw
    return HEALTH_ALIASES.get(_key(raw or ""), Health.UNKNOWN)


def parse_hypothesis_type(raw: object) -> HypothesisType | str:
    if isinstance(raw, HypothesisType):
        return raw
    try:
        return HypothesisType(_key(raw))
    except ValueError:
        return str(raw)


def parse_hypothesis_status(raw: object) -> HypothesisStatus | str:
    if isinstance(raw, HypothesisStatus):
        return raw
    try:
        return HypothesisStatus(_key(raw))
    except ValueError:
        return str(raw)


Ranked = Severity | Status | IncidentType
"""The enums the board sorts and filters by rank."""


def label(value: Severity | Status | IncidentType | Health | HypothesisType | HypothesisStatus | str) -> str:
    """How a leniently-parsed value is shown: its label, or the stored text verbatim."""
    known = Severity | Status | IncidentType | Health | HypothesisType | HypothesisStatus
    return value.label if isinstance(value, known) else value


UNKNOWN_RANK = 99  # unknown values sort after every known one


def rank(value: Severity | Status | IncidentType | str) -> int:
    return UNKNOWN_RANK if not isinstance(value, Enum) else value.rank
