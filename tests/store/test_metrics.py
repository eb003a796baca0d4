"""`Backend.metrics` on all four backends: counts, the longest open, and MTTA/MTTR per day from the
stored times, or from the history where another tool never set them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import FIXED_NOW
from tests.store.backends import _backend, _seeder, _target, _target_url  # noqa: F401 (fixtures)
from tui.domain import lifecycle
from tui.domain.enums import IncidentType, Severity
from tui.domain.metrics import mean_time_to_acknowledge, mean_time_to_resolve, opened_per_day
from tui.domain.models import Identity
from tui.server.tokens import Role
from tui.store.base import Forbidden
from tui.store.sql.schema import incident_histories

HOUR = timedelta(hours=1)


@pytest.fixture
def stored(seeder):
    """Six incidents as other tools wrote them, at known times before FIXED_NOW (2026-11-20 12:00 UTC)."""
    def incident(title, age, **values):
        return seeder.raw_incident(title, age=age, **values)

    def history(incident_id, kind, at, description=""):
        seeder.insert_rows(incident_histories, incident_id=incident_id, created_by=seeder.me, type=kind,
                           description=description, created_at=at, updated_at=at)

    ids = {
        "acked": incident("acked", HOUR, severity="Critical", acknowledged=FIXED_NOW - HOUR / 2),
        "acked in history": incident("acked in history", 26 * HOUR, severity="P2", status="mitigated"),
        "resolved": incident("resolved", 72 * HOUR, severity="Low", status="resolved",
                             acknowledged=FIXED_NOW - 72 * HOUR + timedelta(minutes=10),
                             resolved=FIXED_NOW - 70 * HOUR),
        "resolved in history": incident("resolved in history", 48 * HOUR, status="closed", type="technicalDebt"),
        "old": incident("old", timedelta(days=40), severity="Info", type="cost"),
        "odd": incident("odd", timedelta(days=5), severity="sev-weird", type="security"),
    }
    history(ids["acked in history"], lifecycle.HISTORY_ACKNOWLEDGED, FIXED_NOW - 25 * HOUR)
    history(ids["resolved in history"], lifecycle.HISTORY_STATUS_UPDATED, FIXED_NOW - 45 * HOUR, "mitigated")
    history(ids["resolved in history"], lifecycle.HISTORY_STATUS_UPDATED, FIXED_NOW - 44 * HOUR, "resolved")
    history(ids["resolved in history"], lifecycle.HISTORY_STATUS_UPDATED, FIXED_NOW - 43 * HOUR, "closed")
    return ids


def test_active_incidents_by_severity_and_type(backend, stored):
    metrics = backend.metrics(7)
    assert metrics.active_by_severity == {Severity.CRITICAL: 1, Severity.HIGH: 1, Severity.MEDIUM: 0,
                                          Severity.LOW: 0, Severity.INFO: 1, "sev-weird": 1}
    assert metrics.active_by_type[IncidentType.AVAILABILITY] == 2
    assert metrics.active_by_type[IncidentType.COST] == 1
    assert metrics.active_by_type[IncidentType.SECURITY] == 1
    assert metrics.active_by_type[IncidentType.TECHNICAL_DEBT] == 0  # closed: not active
    assert metrics.active == 4


def test_longest_open_are_the_oldest_active(backend, stored):
    longest = backend.metrics(7).longest_open
    assert [incident.title for incident in longest] == ["old", "odd", "acked in history", "acked"]
    assert longest[0].created_at == FIXED_NOW - timedelta(days=40)
    assert longest[2].severity is Severity.HIGH  # stored as P2


def test_mtta_and_mttr_over_the_incidents_opened_in_the_window(backend, stored):
    metrics = backend.metrics(7)
    assert metrics.since.isoformat() == "2026-11-14T00:00:00+00:00"
    # Acknowledged after 30 min (stored), 1 h (history) and 10 min (stored); "old" is outside the window.
    assert mean_time_to_acknowledge(metrics.tallies) == timedelta(minutes=(30 + 60 + 10) / 3)
    # Resolved after 2 h (stored) and 4 h (the first "resolved" in its history).
    assert mean_time_to_resolve(metrics.tallies) == timedelta(hours=3)
    assert opened_per_day(metrics.tallies, metrics.since, metrics.days) == [0, 1, 0, 1, 1, 1, 1]
    today = next(tally for tally in metrics.tallies if tally.day == date(2026, 11, 20))
    assert (today.opened, today.acknowledged, today.acknowledge_seconds, today.resolved) == (1, 1, 1800, 0)


def test_a_longer_window_takes_in_older_incidents(backend, stored):
    metrics = backend.metrics(90)
    assert sum(tally.opened for tally in metrics.tallies) == 6
    assert len(opened_per_day(metrics.tallies, metrics.since, 90)) == 90


def test_no_incidents_no_means(backend):
    metrics = backend.metrics(30)
    assert metrics.active == 0 and metrics.tallies == () and metrics.longest_open == ()
    assert mean_time_to_acknowledge(metrics.tallies) is None


def test_a_viewer_may_not_see_incident_metrics(target, stored):
    if not target.api:
        pytest.skip("roles are the server's")
    viewer = target.open(Identity(name="Wall Screen", email="wall@example.com"), role=Role.VIEWER)
    with pytest.raises(Forbidden):
        viewer.metrics(7)
