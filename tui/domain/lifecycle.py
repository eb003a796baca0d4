"""What may happen to an incident: the lifecycle table and the changes it implies.

One table decides what the UI offers, what the backends accept and what the server
enforces. Legacy statuses (investigating, new) behave as open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from .enums import Status, label, parse_status
from .models import Incident

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.MITIGATED, Status.RESOLVED, Status.CANCELLED}),
    Status.MITIGATED: frozenset({Status.RESOLVED, Status.OPEN, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
    Status.CANCELLED: frozenset({Status.OPEN}),
}

# Transitions that end or undo work: the UI asks before doing them.
NEEDS_CONFIRMATION: frozenset[tuple[Status, Status]] = frozenset({
    (Status.RESOLVED, Status.CLOSED),
    (Status.OPEN, Status.CANCELLED),
    (Status.MITIGATED, Status.CANCELLED),
    (Status.CLOSED, Status.OPEN),
})

HISTORY_STATUS_UPDATED = "incident.status_updated"
HISTORY_ACKNOWLEDGED = "incident.acknowledged"
HISTORY_CREATED = "incident.created"
HISTORY_UPDATED = "incident.updated"
HISTORY_RESPONDER_CREATED = "responder.created"
HISTORY_RESPONDER_REMOVED = "responder.removed"
HISTORY_COMMENTED = "incident.commented"


class LifecycleError(Exception):
    """A change the lifecycle does not allow; the message says what is allowed instead."""


class InvalidTransition(LifecycleError):
    def __init__(self, current: Status | str, to: Status) -> None:
        self.current, self.to = current, to
        allowed = allowed_from(current)
        offer = ", ".join(s.label.lower() for s in sorted(allowed, key=lambda s: s.rank)) or "nothing"
        name = label(current).lower()
        article = "An" if name[:1] in tuple("aeiou") else "A"
        super().__init__(f"{article} {name} incident cannot be {verb(to)}; from {name} it can go to: {offer}.")


class ReadOnlyIncident(LifecycleError):
    def __init__(self, current: Status) -> None:
        super().__init__(f"This incident is {current.label.lower()} and read-only; reopen it to change it.")


def verb(to: Status, current: Status | str | None = None) -> str:
    """What a move did, in a sentence's words; from a status we do not know it is no reopening."""
    if to is Status.OPEN and current is not None and not knows(current):
        return "set to open"
    return {Status.OPEN: "reopened", Status.MITIGATED: "mitigated", Status.RESOLVED: "resolved",
            Status.CLOSED: "closed", Status.CANCELLED: "cancelled"}.get(to, f"set to {to.value}")


def knows(current: Status | str) -> bool:
    """A stored status the lifecycle has a place for (Mission Control's variants included)."""
    return isinstance(parse_status(current), Status)


def allowed_from(current: Status | str) -> frozenset[Status]:
    """Statuses an incident may move to. Unknown stored statuses may only be reopened."""
    status = parse_status(current)
    if not isinstance(status, Status):
        return frozenset({Status.OPEN})  # into the lifecycle: "set to open", not "reopen" (see verb)
    return ALLOWED[status.effective]


def allowed_transitions(incident: Incident) -> frozenset[Status]:
    return allowed_from(incident.status)


def needs_confirmation(current: Status | str, to: Status) -> bool:
    status = parse_status(current)
    effective = status.effective if isinstance(status, Status) else status
    return (effective, to) in NEEDS_CONFIRMATION


def is_read_only(incident: Incident) -> bool:
    return isinstance(incident.status, Status) and incident.status.is_final


def ensure_editable(incident: Incident) -> None:
    """Raise unless the incident may be edited (anything but a status change)."""
    if is_read_only(incident):
        raise ReadOnlyIncident(cast(Status, incident.status))  # is_read_only: a final Status


@dataclass(frozen=True)
class Change:
    """The columns a transition writes and the history row it records."""

    values: dict[str, Any]
    history_type: str
    history_description: str


def transition(incident: Incident, to: Status, now: datetime) -> Change:
    """Columns to write for moving `incident` to `to`; raises InvalidTransition.

    Sets `resolved` on entering resolved, `closed` on entering closed or cancelled, and
    clears both on reopening: Mission Control never sets them (NOTES §2.7).
    """
    if to not in allowed_transitions(incident):
        raise InvalidTransition(incident.status, to)
    values: dict[str, Any] = {"status": to.value, "updated_at": now}
    if to is Status.RESOLVED:
        values["resolved"] = now
    elif to in (Status.CLOSED, Status.CANCELLED):
        values["closed"] = now
    elif to is Status.OPEN:
        values["resolved"] = None
        values["closed"] = None
    return Change(values, HISTORY_STATUS_UPDATED, to.value)


def acknowledge(incident: Incident, actor_id: Any, now: datetime) -> Change:
    """Set `acknowledged` once; the acting person becomes commander if there is none."""
    ensure_editable(incident)
    if incident.acknowledged is not None and incident.commander_id is not None:
        raise LifecycleError(f"{incident.incident_id} was already acknowledged "
                             f"at {incident.acknowledged:%Y-%m-%d %H:%M} UTC.")
    values: dict[str, Any] = {"updated_at": now}
    if incident.acknowledged is None:
        values["acknowledged"] = now
    if incident.commander_id is None:
        values["commander_id"] = actor_id
    return Change(values, HISTORY_ACKNOWLEDGED, "acknowledged")
