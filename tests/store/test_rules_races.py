"""Two (or eight) processes on one database running the rules at the same instant never both open
the same incident, create the same check twice or resolve twice (the engine's per-check lock:
advisory locks on PostgreSQL, BEGIN IMMEDIATE on SQLite). Each writer has its own engine and
connections, as separate `serve` processes would.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import FIXED_NOW
from tests.store.test_races import WRITERS, at_once, writers  # noqa: F401 (fixture)
from tests.store.test_rules_engine import rule
from tui.domain import clock, lifecycle
from tui.domain.checks import report
from tui.domain.rules import parse_rule_file
from tui.store.sql.schema import checks, incident_histories, incidents


def count(backend, table, *where) -> int:
    with backend.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_simultaneous_failures_of_a_new_check_create_it_once_and_open_one_incident(writers, frozen_clock):
    writers[0].apply_rules(parse_rule_file(rule()))
    failing = report(name="checkout-api", status="unhealthy", labels={"team": "payments"}, create=True)
    results = at_once(WRITERS, lambda i: writers[i].report_check(failing))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert count(writers[0], checks) == 1
    assert count(writers[0], incidents) == 1
    assert sum(len(r.opened) for r in results) == 1


def test_simultaneous_timers_resolve_once(writers, frozen_clock):
    writers[0].apply_rules(parse_rule_file(rule()))
    writers[0].report_check(report(name="checkout-api", status="unhealthy", labels={"team": "payments"}, create=True))
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    writers[0].report_check(report(name="checkout-api", status="healthy"))
    clock.freeze(FIXED_NOW + timedelta(minutes=20))
    results = at_once(WRITERS, lambda i: writers[i].run_rules())
    assert sum(len(r) for r in results if not isinstance(r, BaseException)) == 1, results
    assert count(writers[0], incident_histories, incident_histories.c.type == lifecycle.HISTORY_STATUS_UPDATED) == 1
