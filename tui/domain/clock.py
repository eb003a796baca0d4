"""The one place that reads the time, so tests and snapshots can hold it still."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Hold `utcnow()` at `at` (aware UTC); None lets time run again."""
    global _frozen
    _frozen = at


def frozen() -> datetime | None:
    """The time `freeze` holds, or None while time runs."""
    return _frozen
