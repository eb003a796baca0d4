"""The lifecycle table, checked against DESIGN §1 for every pair of statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tui.domain.enums import Status
from tui.domain.lifecycle import (
    HISTORY_ACKNOWLEDGED,
    HISTORY_STATUS_UPDATED,
    InvalidTransition,
    LifecycleError,
    ReadOnlyIncident,
    acknowledge,
    allowed_transitions,
    ensure_editable,
    needs_confirmation,
    transition,
)
from tui.domain.models import Incident

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(hours=3)
UNKNOWN = "bogus"

# DESIGN §1, written out again so the test does not just read the table it checks.
# Mission Control's `investigating` and `new` behave as open; an unknown status may only be reopened.
OPEN_TARGETS = {Status.MITIGATED, Status.RESOLVED, Status.CANCELLED}
EXPECTED: dict[Status | str, set[Status]] = {
    Status.OPEN: OPEN_TARGETS,
    Status.INVESTIGATING: OPEN_TARGETS,
    Status.NEW: OPEN_TARGETS,
    Status.MITIGATED: {Status.RESOLVED, Status.OPEN, Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.OPEN},
    Status.CLOSED: {Status.OPEN},
    Status.CANCELLED: {Status.OPEN},
    UNKNOWN: {Status.OPEN},
}
PAIRS = [(current, to) for current in EXPECTED for to in Status]


def make_incident(status: Status | str = Status.OPEN, **changes: object) -> Incident:
    values: dict[str, object] = dict(
        id=uuid4(), incident_id="INC-7", title="Checkout latency", severity="High", status=status,
        type="performance", created_by=uuid4(), created_at=EARLIER, updated_at=EARLIER,
    )
    return Incident(**(values | changes))


def name(value: Status | str) -> str:
    return value.value if isinstance(value, Status) else value


def test_every_status_is_in_the_expected_table():
    assert set(EXPECTED) == set(Status) | {UNKNOWN}


@pytest.mark.parametrize(("current", "to"), PAIRS, ids=[f"{name(c)}->{t.value}" for c, t in PAIRS])
def test_transition_allowed_exactly_as_designed(current, to):
    incident = make_incident(current)
    assert (to in allowed_transitions(incident)) == (to in EXPECTED[current])
    if to in EXPECTED[current]:
        change = transition(incident, to, NOW)
        assert change.values["status"] == to.value
        assert change.history_type == HISTORY_STATUS_UPDATED
    else:
        with pytest.raises(InvalidTransition) as raised:
            transition(incident, to, NOW)
        message = str(raised.value)
        assert "incident cannot be" in message
        assert name(current) in message
        for target in EXPECTED[current]:
            assert target.value in message.split("can go to:")[1]


@pytest.mark.parametrize(("current", "to", "message"), [
    (Status.OPEN, Status.CLOSED,
     "An open incident cannot be closed; from open it can go to: mitigated, resolved, cancelled."),
    (Status.CLOSED, Status.RESOLVED, "A closed incident cannot be resolved; from closed it can go to: open."),
    (Status.RESOLVED, Status.MITIGATED,
     "A resolved incident cannot be mitigated; from resolved it can go to: open, closed."),
    (Status.OPEN, Status.INVESTIGATING,
     "An open incident cannot be set to investigating; from open it can go to: mitigated, resolved, cancelled."),
    (UNKNOWN, Status.RESOLVED, "A bogus incident cannot be resolved; from bogus it can go to: open."),
])
def test_refusal_says_what_is_allowed(current, to, message):
    with pytest.raises(InvalidTransition, match="^" + message.replace(".", r"\.") + "$"):
        transition(make_incident(current), to, NOW)


def test_refusal_is_a_lifecycle_error_carrying_both_statuses():
    with pytest.raises(LifecycleError) as raised:
        transition(make_incident(Status.CLOSED), Status.MITIGATED, NOW)
    assert (raised.value.current, raised.value.to) == (Status.CLOSED, Status.MITIGATED)


def test_resolving_sets_resolved_only():
    change = transition(make_incident(Status.MITIGATED), Status.RESOLVED, NOW)
    assert change.values == {"status": "resolved", "updated_at": NOW, "resolved": NOW}
    assert change.history_description == "resolved"


@pytest.mark.parametrize(("current", "to"), [(Status.RESOLVED, Status.CLOSED), (Status.OPEN, Status.CANCELLED),
                                             (Status.MITIGATED, Status.CANCELLED)])
def test_closing_or_cancelling_sets_closed(current, to):
    change = transition(make_incident(current), to, NOW)
    assert change.values == {"status": to.value, "updated_at": NOW, "closed": NOW}


@pytest.mark.parametrize("current", [Status.MITIGATED, Status.RESOLVED, Status.CLOSED, Status.CANCELLED, UNKNOWN])
def test_reopening_clears_resolved_and_closed(current):
    incident = make_incident(current, resolved=EARLIER, closed=EARLIER)
    change = transition(incident, Status.OPEN, NOW)
    assert change.values == {"status": "open", "updated_at": NOW, "resolved": None, "closed": None}


def test_mitigating_touches_no_timestamp_but_updated_at():
    change = transition(make_incident(Status.INVESTIGATING), Status.MITIGATED, NOW)
    assert change.values == {"status": "mitigated", "updated_at": NOW}


def test_acknowledging_a_fresh_incident_sets_acknowledged_and_makes_the_actor_commander():
    actor = uuid4()
    change = acknowledge(make_incident(), actor, NOW)
    assert change.values == {"updated_at": NOW, "acknowledged": NOW, "commander_id": actor}
    assert change.history_type == HISTORY_ACKNOWLEDGED


def test_acknowledging_keeps_an_existing_commander():
    commander = uuid4()
    change = acknowledge(make_incident(commander_id=commander), uuid4(), NOW)
    assert change.values == {"updated_at": NOW, "acknowledged": NOW}


def test_acknowledged_is_set_only_once():
    actor = uuid4()
    change = acknowledge(make_incident(acknowledged=EARLIER), actor, NOW)
    assert change.values == {"updated_at": NOW, "commander_id": actor}


def test_acknowledging_twice_is_refused_with_when():
    incident = make_incident(acknowledged=EARLIER, commander_id=uuid4())
    with pytest.raises(LifecycleError, match=r"INC-7 was already acknowledged at 2026-11-20 09:00 UTC"):
        acknowledge(incident, uuid4(), NOW)


@pytest.mark.parametrize("current", [Status.CLOSED, Status.CANCELLED])
def test_final_incidents_are_read_only(current):
    incident = make_incident(current)
    with pytest.raises(ReadOnlyIncident, match=f"This incident is {current.value} and read-only; reopen it"):
        acknowledge(incident, uuid4(), NOW)
    with pytest.raises(ReadOnlyIncident):
        ensure_editable(incident)


@pytest.mark.parametrize("current", [*(s for s in Status if not s.is_final), UNKNOWN])
def test_other_incidents_are_editable(current):
    ensure_editable(make_incident(current))


CONFIRMED = {
    (Status.RESOLVED, Status.CLOSED),
    (Status.OPEN, Status.CANCELLED),
    (Status.INVESTIGATING, Status.CANCELLED),
    (Status.NEW, Status.CANCELLED),
    (Status.MITIGATED, Status.CANCELLED),
    (Status.CLOSED, Status.OPEN),
}


@pytest.mark.parametrize(("current", "to"), PAIRS, ids=[f"{name(c)}->{t.value}" for c, t in PAIRS])
def test_needs_confirmation_only_for_closing_cancelling_and_reopening_closed(current, to):
    assert needs_confirmation(current, to) == ((current, to) in CONFIRMED)


def test_needs_confirmation_reads_stored_spellings():
    assert needs_confirmation("Resolved", Status.CLOSED)
    assert not needs_confirmation("Cancelled", Status.OPEN)
