"""What the rule engine does with an incident a rule opened, decided from stored facts alone
(pure: the caller reads the facts, passes the time, and writes what this returns).

Deciding from stored facts is what makes the engine idempotent and restart-safe: running it
twice, or after a restart, finds the same facts and decides the same thing once done.

- An unhealthy check opens an incident per matching rule, unless that rule's last incident for
  the check is still active (or, for a check that was already failing, exists at all); one System
  resolved (and nobody touched since) is reopened instead of opening another.
- autoResolve: the check has been healthy for the timeout since its last transition → resolved.
  A check that flaps starts the timeout again (its transition time moves).
- autoClose: resolved for the timeout → closed.
- A person's transition wins: after a person reopens the incident it is not resolved until
  the check fails and recovers after that reopening; a rule never reopens what a person
  resolved, closed or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from .enums import Health, Status, parse_status
from .rules import RuleSpec

TIMER_SECONDS = 10.0
"""How often `serve` (and `incidents rules run --every`, the TUI on a database) runs the timeouts by
default: timeouts are minutes, so a resolution is at most this late."""


class Action(str, Enum):
    OPEN = "open"
    """Open a new incident for the check."""
    REOPEN = "reopen"
    RESOLVE = "resolve"
    CLOSE = "close"


@dataclass(frozen=True)
class RuleIncident:
    """The latest incident one rule opened for one check, as stored."""

    status: Status | str
    resolved_at: datetime | None
    last_status_by_person: bool
    """Whether the latest status change was made by a person (not System)."""
    reopened_by_person_at: datetime | None
    """When a person last moved it back to open (None: never)."""


@dataclass(frozen=True)
class CheckNow:
    status: Health
    changed_at: datetime | None
    """When the check last changed status (Mission Control's `last_transition_time`)."""


def _active(status: Status | str) -> bool:
    parsed = parse_status(status)
    return not isinstance(parsed, Status) or parsed.effective in (Status.OPEN, Status.MITIGATED)


def on_failure(latest: RuleIncident | None, *, turned_unhealthy: bool) -> Action | None:
    """An unhealthy result of a check a rule watches: open, reopen, or nothing.

    The rule's first incident for the check opens on any unhealthy result (a rule applied to a check
    that is already failing acts on its next result); after that only a check that turned unhealthy
    again opens or reopens one, so a person who resolved an incident while the check still fails is
    not answered with a new incident at every result."""
    if latest is None:
        return Action.OPEN
    if _active(latest.status) or not turned_unhealthy:
        return None
    if parse_status(latest.status) is Status.RESOLVED and not latest.last_status_by_person:
        return Action.REOPEN
    return Action.OPEN


def on_time(spec: RuleSpec, incident: RuleIncident, check: CheckNow, now: datetime) -> Action | None:
    """autoResolve or autoClose, if one is due now."""
    status = parse_status(incident.status)
    if spec.auto_resolve is not None and _active(incident.status) and _recovered(incident, check):
        assert check.changed_at is not None  # _recovered
        if now - check.changed_at >= spec.auto_resolve.timeout:
            return Action.RESOLVE
    if spec.auto_close is not None and status is Status.RESOLVED and incident.resolved_at is not None:
        if now - incident.resolved_at >= spec.auto_close.timeout:
            return Action.CLOSE
    return None


def _recovered(incident: RuleIncident, check: CheckNow) -> bool:
    """Healthy now, and (if a person reopened the incident) recovered since that reopening."""
    if check.status is not Health.HEALTHY or check.changed_at is None:
        return False
    return incident.reopened_by_person_at is None or check.changed_at > incident.reopened_by_person_at
