"""Incident metrics: what is active now, and how fast incidents were acknowledged and resolved.

A backend answers with aggregates only (`Metrics`): counts of active incidents by severity and by
type, the few longest open, and per day of the window a `DayTally` of the incidents opened that
day. MTTA and MTTR are over those incidents (a cohort: the ones opened in the window), from their
`acknowledged` and `resolved` times, or where another tool never set those (Mission Control does
not), from the first acknowledgement and first resolution in their history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import TypeVar

from .models import LenientSeverity, LenientType, LinkedIncident, Model

WINDOWS = (7, 30, 90)
"""The windows the metrics screen offers, in days."""
DEFAULT_WINDOW = 30
LONGEST_OPEN = 10
"""How many of the longest-open active incidents the metrics carry (a short terminal shows fewer)."""

E = TypeVar("E", bound=Enum)


class DayTally(Model):
    """The incidents opened on one day (UTC), and how long those acknowledged or resolved took."""

    day: date
    opened: int = 0
    acknowledged: int = 0
    acknowledge_seconds: float = 0.0
    """Summed over the `acknowledged` ones: seconds from opening to the first acknowledgement."""
    resolved: int = 0
    resolve_seconds: float = 0.0
    """Summed over the `resolved` ones: seconds from opening to the first resolution."""


class Metrics(Model):
    days: int
    since: datetime
    """The first moment the window counts: midnight UTC, `days - 1` days before the day it was made."""
    active_by_severity: dict[LenientSeverity, int]
    active_by_type: dict[LenientType, int]
    tallies: tuple[DayTally, ...] = ()
    """Days with at least one incident opened, in any order."""
    longest_open: tuple[LinkedIncident, ...] = ()
    """Active incidents, oldest first."""

    @property
    def active(self) -> int:
        return sum(self.active_by_severity.values())


def window_start(now: datetime, days: int) -> datetime:
    """Midnight UTC at the start of a window of `days` days that ends with today (`now`'s day)."""
    today = now.astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=max(days, 1) - 1), time(), UTC)


def mean_time_to_acknowledge(tallies: Iterable[DayTally]) -> timedelta | None:
    """MTTA over the tallied incidents that were acknowledged; None if none was."""
    return _mean((t.acknowledge_seconds, t.acknowledged) for t in tallies)


def mean_time_to_resolve(tallies: Iterable[DayTally]) -> timedelta | None:
    """MTTR over the tallied incidents that were resolved; None if none was."""
    return _mean((t.resolve_seconds, t.resolved) for t in tallies)


def _mean(sums: Iterable[tuple[float, int]]) -> timedelta | None:
    total, count = 0.0, 0
    for seconds, number in sums:
        total, count = total + seconds, count + number
    return timedelta(seconds=round(total / count)) if count else None  # whole seconds: finer is noise


def opened_per_day(tallies: Iterable[DayTally], since: datetime, days: int) -> list[int]:
    """How many incidents were opened each day of the window, oldest day first, 0 where none."""
    opened = {tally.day: tally.opened for tally in tallies}
    first = since.astimezone(UTC).date()
    return [opened.get(first + timedelta(days=offset), 0) for offset in range(days)]


def daily_means(tallies: Iterable[DayTally], since: datetime, days: int, *, resolve: bool = False) -> list[float]:
    """Per day of the window, oldest first: the mean seconds to acknowledge (or to resolve) the
    incidents opened that day; 0 where none was."""
    by_day = {tally.day: (tally.resolve_seconds, tally.resolved) if resolve
              else (tally.acknowledge_seconds, tally.acknowledged) for tally in tallies}
    first = since.astimezone(UTC).date()
    means = []
    for offset in range(days):
        seconds, count = by_day.get(first + timedelta(days=offset), (0.0, 0))
        means.append(seconds / count if count else 0.0)
    return means


def duration_text(duration: timedelta | None) -> str:
    """`—`, `45s`, `12m`, `3h 05m`, `2d 4h`: two units at most, the larger first."""
    if duration is None:
        return "—"
    seconds = max(int(duration.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{seconds}s"


def ranked(counts: Mapping[E | str, int], order: Iterable[E]) -> list[tuple[E | str, int]]:
    """Counts in the enum's order (every member, 0 where none), then unknown stored values, most first."""
    known: list[E | str] = list(order)
    rest = sorted(((value, count) for value, count in counts.items() if value not in known),
                  key=lambda item: (-item[1], str(item[0])))
    return [(value, counts.get(value, 0)) for value in known] + rest
