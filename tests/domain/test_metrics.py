"""MTTA, MTTR and the per-day series from fixed tallies; the window's first day; durations as text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from tui.domain.enums import Severity
from tui.domain.metrics import (
    DayTally,
    Metrics,
    daily_means,
    duration_text,
    mean_time_to_acknowledge,
    mean_time_to_resolve,
    opened_per_day,
    ranked,
    window_start,
)

TALLIES = (
    DayTally(day=date(2026, 11, 18), opened=3, acknowledged=2, acknowledge_seconds=600 + 1800,
             resolved=1, resolve_seconds=7200),
    DayTally(day=date(2026, 11, 20), opened=2, acknowledged=1, acknowledge_seconds=300,
             resolved=2, resolve_seconds=3600 + 10800),
    DayTally(day=date(2026, 11, 19), opened=1),  # neither acknowledged nor resolved: counts in neither mean
)


def test_mtta_is_the_mean_over_the_acknowledged_incidents_of_every_day():
    assert mean_time_to_acknowledge(TALLIES) == timedelta(seconds=(600 + 1800 + 300) / 3)


def test_mttr_is_the_mean_over_the_resolved_incidents_of_every_day():
    assert mean_time_to_resolve(TALLIES) == timedelta(seconds=(7200 + 3600 + 10800) / 3)


def test_no_acknowledged_or_resolved_incident_has_no_mean():
    assert mean_time_to_acknowledge([]) is None
    assert mean_time_to_resolve([DayTally(day=date(2026, 11, 1), opened=4)]) is None


def test_the_window_starts_at_midnight_utc_and_ends_with_today():
    now = datetime(2026, 11, 20, 1, 30, tzinfo=timezone(timedelta(hours=5)))  # still the 19th in UTC
    assert window_start(now, 7) == datetime(2026, 11, 13, tzinfo=UTC)
    assert window_start(now, 1) == datetime(2026, 11, 19, tzinfo=UTC)


def test_opened_per_day_fills_days_without_incidents_and_ignores_days_outside():
    since = datetime(2026, 11, 17, tzinfo=UTC)
    outside = DayTally(day=date(2026, 11, 1), opened=9)
    assert opened_per_day((*TALLIES, outside), since, 5) == [0, 3, 1, 2, 0]


def test_daily_means_are_per_day_of_the_window():
    since = datetime(2026, 11, 18, tzinfo=UTC)
    assert daily_means(TALLIES, since, 3) == [(600 + 1800) / 2, 0.0, 300.0]
    assert daily_means(TALLIES, since, 3, resolve=True) == [7200.0, 0.0, (3600 + 10800) / 2]


def test_durations_read_in_two_units_at_most():
    assert [duration_text(timedelta(seconds=s)) for s in (0, 45, 60, 3599, 3660, 86400 + 4 * 3600 + 59)] == \
        ["0s", "45s", "1m", "59m", "1h 01m", "1d 4h"]
    assert duration_text(None) == "—"
    assert duration_text(timedelta(seconds=-5)) == "0s"


def test_counts_in_the_enums_order_then_unknown_values():
    counts = {Severity.LOW: 2, "sev-x": 1, Severity.CRITICAL: 3, "blah": 4}
    assert ranked(counts, Severity) == [(Severity.CRITICAL, 3), (Severity.HIGH, 0), (Severity.MEDIUM, 0),
                                        (Severity.LOW, 2), (Severity.INFO, 0), ("blah", 4), ("sev-x", 1)]


def test_metrics_travel_as_json_with_every_spelling_folded():
    metrics = Metrics(days=7, since=datetime(2026, 11, 14, tzinfo=UTC), active_by_severity={"P1": 2, "odd": 1},
                      active_by_type={"technicalDebt": 1}, tallies=TALLIES)
    again = Metrics.model_validate_json(metrics.model_dump_json())
    assert again == metrics
    assert again.active_by_severity[Severity.CRITICAL] == 2 and again.active == 3
