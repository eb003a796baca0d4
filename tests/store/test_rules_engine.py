"""The rule engine with a controllable clock (tui.domain.clock), on every backend: SQLite,
PostgreSQL and the API backend over a real `serve` on each (tests/store/backends.py).

Each test reports check results as a monitor would, moves the clock, runs the rules' timer
(`run_rules`, what `serve`'s timer and `incidents rules run` call) and asserts what is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW
from tests.store.backends import Target, _backend, _seeder, _target, _target_url  # noqa: F401 (fixtures)
from tui.domain import clock
from tui.domain.checks import report
from tui.domain.enums import Status
from tui.domain.models import Identity
from tui.domain.query import IncidentQuery, Window
from tui.domain.rules import parse_rule_file
from tui.store.base import Backend, BackendError, NotFound
from tui.store.sql.schema import evidences, incident_rules
from tui.store.sql.schema import incidents as incidents_table

RULE = """\
apiVersion: mission-control.flanksource.com/v1
kind: IncidentRule
metadata: {{name: "{name}"}}
spec:
  priority: {priority}
  checks: [{{name: "{glob}", labels: {{team: payments}}}}]
  template: {{title: "{{{{ check.name }}}} is down ({name})", severity: High}}
  responders: {{email: [{{to: payments-oncall@example.com, subject: "{{{{ check.name }}}}"}}]}}
  breakOnMatch: {brk}
  autoResolve: {{timeout: 10m}}
  autoClose: {{timeout: 24h}}
"""


def rule(name: str = "checkout-down", *, priority: int = 1, glob: str = "checkout-*", brk: bool = True) -> str:
    return RULE.format(name=name, priority=priority, glob=glob, brk=str(brk).lower())


def apply(backend: Backend, *documents: str) -> None:
    backend.apply_rules(parse_rule_file("---\n".join(documents)))


def fail(backend: Backend, name: str = "checkout-api", **labels: str):
    return backend.report_check(report(name=name, status="unhealthy", message="502s from the gateway",
                                       labels=labels or {"team": "payments"}, create=True))


def recover(backend: Backend, name: str = "checkout-api"):
    return backend.report_check(report(name=name, status="healthy", message="ok"))


def at(minutes: float) -> datetime:
    moment = FIXED_NOW + timedelta(minutes=minutes)
    clock.freeze(moment)
    return moment


def incidents(backend: Backend):
    return [backend.get_incident(row.id) for row in backend.list_incidents(IncidentQuery(), Window(0, 100)).rows]


def only(backend: Backend):
    found = incidents(backend)
    assert len(found) == 1, [detail.incident.title for detail in found]
    return found[0]


def test_a_failing_check_a_rule_watches_opens_an_incident_by_system_linked_to_it(backend):
    apply(backend, rule())
    outcome = fail(backend)
    assert outcome.created and outcome.changed and len(outcome.opened) == 1
    detail = only(backend)
    assert detail.creator.is_system
    assert detail.incident.status is Status.OPEN and detail.incident.title == "checkout-api is down (checkout-down)"
    assert detail.incident.severity.value == "High"
    assert [check.name for check in detail.checks] == ["checkout-api"]
    assert [check.health.value for check in detail.checks] == ["unhealthy"]
    assert [(r.external_type, r.properties["subject"]) for r in detail.responders] == [("email", "checkout-api")]
    assert any(entry.text == "Opened by rule checkout-down: checkout-api is unhealthy" and entry.actor.is_system
               for entry in detail.timeline)


def test_the_incident_remembers_its_rule_and_the_check_is_its_definition_of_done(backend, target: Target):
    apply(backend, rule())
    fail(backend)
    with target.database.engine.connect() as conn:
        rule_id = conn.execute(select(incidents_table.c.incident_rule_id)).scalar_one()
        assert conn.execute(select(incident_rules.c.name).where(incident_rules.c.id == rule_id)).scalar_one() \
            == "checkout-down"
        assert conn.execute(select(evidences.c.definition_of_done, evidences.c.type)).all() == [(True, "check")]


def test_no_rule_matches_no_incident(backend):
    apply(backend, rule())
    fail(backend, "search-api")                       # the name does not match checkout-*
    fail(backend, "checkout-web", team="growth")      # the label does not match
    backend.report_check(report(name="checkout-db", status="healthy", create=True))  # not failing
    assert incidents(backend) == []


def test_repeated_failures_open_one_incident_while_it_is_active(backend):
    apply(backend, rule())
    fail(backend)
    at(1)
    assert fail(backend).opened == ()
    at(2)
    recover(backend)
    at(3)
    assert fail(backend).opened == ()                 # it failed again before autoResolve: still the one
    assert len(incidents(backend)) == 1


def test_break_on_match_stops_at_the_first_rule_by_priority(backend):
    apply(backend, rule("second", priority=2, glob="*"), rule("first", priority=1, brk=True))
    fail(backend)
    assert only(backend).incident.title == "checkout-api is down (first)"


def test_without_break_on_match_every_matching_rule_opens_its_own(backend):
    apply(backend, rule("second", priority=2, glob="*", brk=False), rule("first", priority=1, brk=False))
    outcome = fail(backend)
    assert len(outcome.opened) == 2
    titles = sorted(detail.incident.title for detail in incidents(backend))
    assert titles == ["checkout-api is down (first)", "checkout-api is down (second)"]


def test_healthy_for_the_timeout_resolves_then_closes_by_system(backend):
    apply(backend, rule())
    fail(backend)
    at(1)
    recover(backend)
    at(10.5)
    assert backend.run_rules() == []                  # healthy for 9.5 minutes only
    at(11)
    assert backend.run_rules() == [f"{only(backend).incident.incident_id}: Resolved by rule checkout-down: "
                                   "checkout-api has been healthy for 10m"]
    detail = only(backend)
    assert detail.incident.status is Status.RESOLVED
    assert [entry.actor.is_system for entry in detail.timeline if entry.text == "resolved"] == [True]
    at(11 + 24 * 60 - 1)
    assert backend.run_rules() == []
    at(11 + 24 * 60)
    assert len(backend.run_rules()) == 1
    assert only(backend).incident.status is Status.CLOSED
    assert backend.run_rules() == []                  # idempotent: nothing left to do


def test_a_check_that_flaps_inside_the_timeout_does_not_resolve(backend):
    apply(backend, rule())
    fail(backend)
    for minute in range(1, 30, 4):                    # healthy 2 minutes, failing 2 minutes, ...
        at(minute)
        recover(backend)
        at(minute + 2)
        fail(backend)
        backend.run_rules()
    assert only(backend).incident.status is Status.OPEN
    at(40)
    recover(backend)
    at(50)
    backend.run_rules()
    assert only(backend).incident.status is Status.RESOLVED


def test_a_failure_after_system_resolved_reopens_that_incident(backend):
    apply(backend, rule())
    fail(backend)
    at(1)
    recover(backend)
    at(12)
    backend.run_rules()
    at(13)
    outcome = fail(backend)
    assert outcome.opened == () and len(outcome.reopened) == 1
    detail = only(backend)
    assert detail.incident.status is Status.OPEN
    assert detail.timeline[-1].text == "Reopened by rule checkout-down: checkout-api failed again"


def test_what_a_person_resolved_is_not_reopened_a_new_incident_opens(backend):
    apply(backend, rule())
    fail(backend)
    first = only(backend).incident
    at(1)
    backend.transition(first.id, Status.RESOLVED, "fixed the gateway", first.updated_at)
    recover(backend)
    at(2)
    assert len(fail(backend).opened) == 1
    statuses = sorted(detail.incident.status.value for detail in incidents(backend))
    assert statuses == ["open", "resolved"]


def test_what_a_person_reopened_stays_open_until_the_check_fails_and_recovers_again(backend):
    apply(backend, rule())
    fail(backend)
    at(1)
    recover(backend)
    at(12)
    backend.run_rules()                               # resolved by System
    resolved = only(backend).incident
    at(13)
    backend.transition(resolved.id, Status.OPEN, "not fixed, the queue is still backed up", resolved.updated_at)
    at(60)
    assert backend.run_rules() == []                  # healthy all along, but a person said it is not over
    assert only(backend).incident.status is Status.OPEN
    at(61)
    fail(backend)
    at(62)
    recover(backend)
    at(72)
    assert len(backend.run_rules()) == 1
    assert only(backend).incident.status is Status.RESOLVED


def test_a_person_who_closed_it_wins_over_the_rule(backend):
    apply(backend, rule())
    fail(backend)
    opened = only(backend).incident
    at(1)
    resolved = backend.transition(opened.id, Status.RESOLVED, None, opened.updated_at)
    backend.transition(resolved.id, Status.CLOSED, None, resolved.updated_at)
    at(2)
    recover(backend)
    at(30)
    assert backend.run_rules() == []
    assert only(backend).incident.status is Status.CLOSED


def test_a_restart_in_between_neither_loses_nor_doubles(backend, target: Target):
    apply(backend, rule())
    fail(backend)
    at(1)
    recover(backend)
    backend.close()                                   # the process stops...
    at(20)
    again = target.open(Identity(name="After Restart", email="after.restart@example.com"))   # ...and starts again
    assert len(again.run_rules()) == 1
    assert again.run_rules() == []
    assert fail(again).reopened and len(incidents(again)) == 1


def test_rules_apply_is_idempotent_by_name_and_delete_is_soft(backend):
    documents = parse_rule_file("---\n".join([rule("a"), rule("b", priority=0)]))
    assert [(a.name, a.change) for a in backend.apply_rules(documents)] == [("a", "created"), ("b", "created")]
    assert [a.change for a in backend.apply_rules(documents)] == ["unchanged", "unchanged"]
    assert [stored.name for stored in backend.list_rules()] == ["b", "a"]    # by priority
    changed = parse_rule_file(rule("a", priority=5))
    assert [a.change for a in backend.apply_rules(changed)] == ["updated"]
    backend.delete_rule("a")
    assert [stored.name for stored in backend.list_rules()] == ["b"]
    with pytest.raises(NotFound, match="no incident rule named 'a'"):
        backend.delete_rule("a")
    assert [a.change for a in backend.apply_rules(changed)] == ["created"]   # a deleted rule comes back
    assert backend.list_rules()[1].document().spec.priority == 5


def test_a_rule_naming_an_unknown_commander_is_refused_and_nothing_is_stored(backend):
    bad = rule("good") + "---\n" + rule("bad").replace("severity: High", "severity: High, commander_id: nobody@x.io")
    with pytest.raises(BackendError, match=r"bad: spec.template.commander_id: there is no person 'nobody@x.io'"):
        backend.apply_rules(parse_rule_file(bad))
    assert backend.list_rules() == []


def test_an_unknown_check_is_refused_unless_created(backend):
    with pytest.raises(NotFound, match="There is no health check 'nope'"):
        backend.report_check(report(name="nope", status="healthy"))
    outcome = backend.report_check(report(name="nope", status="healthy", labels={"env": "prod"}, create=True))
    assert outcome.created
    [check] = backend.search_checks("nope")
    assert check.health.value == "healthy" and check.last_message == ""


def test_a_rule_applied_to_a_check_already_failing_acts_on_its_next_result(backend):
    fail(backend)                                     # no rule yet: nothing
    apply(backend, rule())
    assert len(fail(backend).opened) == 1             # still failing: the rule opens its incident


def test_resolved_by_a_person_while_still_failing_stays_quiet_until_the_check_fails_again(backend):
    apply(backend, rule())
    fail(backend)
    opened = only(backend).incident
    at(1)
    backend.transition(opened.id, Status.RESOLVED, "a known outage upstream", opened.updated_at)
    at(2)
    assert fail(backend).opened == ()                 # the same failure goes on
    at(3)
    recover(backend)
    at(4)
    assert len(fail(backend).opened) == 1             # a new failure: a new incident


def test_the_template_names_the_commander_by_email(backend):
    email = backend.whoami().email
    apply(backend, rule().replace("severity: High", f"severity: High, commander_id: {email}"))
    fail(backend)
    commander = only(backend).commander
    assert commander is not None and commander.email == email
