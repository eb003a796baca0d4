"""Read-only /rpc functions: answers computed from aggregates, for clients that cannot ask the
database themselves (`GET /rpc/incident_metrics?days=30`, or POST with `{"days": 30}`: the metrics screen's data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.metrics import DEFAULT_WINDOW, WINDOWS
from ..domain.models import Person
from ..store.sql import SqlDatabase
from ..store.sql.metrics import incident_metrics
from .errors import bad_body

MAX_DAYS = max(WINDOWS) * 4


def _metrics(database: SqlDatabase, _person: Person, body: dict[str, Any]) -> Any:
    days = body.get("days", DEFAULT_WINDOW)
    if isinstance(days, str) and days.isascii() and days.isdigit():  # from a query string
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise bad_body(f"days must be a whole number of days from 1 to {MAX_DAYS}")
    return incident_metrics(database, days).model_dump(mode="json")


READS: dict[str, Callable[[SqlDatabase, Person, dict[str, Any]], Any]] = {"incident_metrics": _metrics}
"""Name -> the answer, as JSON values (the same for every person); the caller must be allowed to read incidents."""
