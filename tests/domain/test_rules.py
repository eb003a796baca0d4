"""Incident rules as YAML (Mission Control's CRD shape), matching, templates, and the engine's
decisions, without any storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.domain.engine import Action, CheckNow, RuleIncident, on_failure, on_time
from tui.domain.enums import Health, IncidentType, Severity, Status
from tui.domain.rules import (
    CheckFacts,
    Rule,
    RuleFileError,
    format_duration,
    matching_rules,
    opening,
    parse_duration,
    parse_rule_file,
    to_yaml,
)

ISSUE_EXAMPLE = """\
apiVersion: mission-control.flanksource.com/v1
kind: IncidentRule
metadata: {name: checkout-down}
spec:
  priority: 1
  checks: [{name: "checkout-*", labels: {team: payments}}]   # glob on name; labels must match
  filter: {status: [unhealthy]}
  template:
    title: "{{ check.name }} is {{ check.status }}"
    description: "{{ check.message }}"
    severity: High
    type: availability
  responders: {email: [{to: payments-oncall@example.com, subject: "…"}]}
  breakOnMatch: true
  autoResolve: {timeout: 10m}     # healthy this long: resolved by System
  autoClose: {timeout: 24h}       # resolved this long: closed by System
"""
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHECKOUT = CheckFacts("checkout-api", Health.UNHEALTHY, "502s", "http", {"team": "payments", "env": "prod"})


def header(name: str) -> str:
    return f"apiVersion: mission-control.flanksource.com/v1\nkind: IncidentRule\nmetadata: {{name: {name}}}\n"


def test_the_issue_example_reads_as_written():
    [document] = parse_rule_file(ISSUE_EXAMPLE)
    spec = document.spec
    assert document.name == "checkout-down" and spec.priority == 1 and spec.break_on_match
    assert spec.template.severity is Severity.HIGH and spec.template.type is IncidentType.AVAILABILITY
    assert spec.auto_resolve and spec.auto_resolve.timeout == timedelta(minutes=10)
    assert spec.auto_close and spec.auto_close.timeout == timedelta(hours=24)
    assert spec.responders == {"email": [{"to": "payments-oncall@example.com", "subject": "…"}]}


def test_what_is_stored_reads_back_the_same_and_dumps_as_yaml_again():
    [document] = parse_rule_file(ISSUE_EXAMPLE)
    assert document.stored_spec()["autoResolve"] == {"timeout": "10m"}
    assert parse_rule_file(to_yaml([document])) == [document]


@pytest.mark.parametrize("text, message", [
    ("a: [", "rules.yaml is not valid YAML: line 1, column 5: "),
    ("", "rules.yaml holds no rules"),
    ("- 1\n", "rules.yaml, document 1 is not a mapping"),
    ("kind: IncidentRule\n", "rules.yaml, document 1: apiVersion: Field required."),
    (header("a") + "spec: {}\n---\n" + header("b") + "spec: {autoResolve: {timeout: 10 minutes}}\n",
     "rules.yaml, document 2 (b): spec.autoResolve.timeout: '10 minutes' is not a duration; write it like 10m"),
    (header("a") + "spec: {prio: 1}\n", "document 1 (a): spec.prio: not a field of an incident rule"),
    (header("a") + "spec: {template: {severity: urgent}}\n",
     "spec.template.severity: 'urgent' is not a severity; use one of: Critical, High, Medium, Low, Info."),
    (header("a") + "spec: {template: {title: '{{ incident.id }}'}}\n",
     "spec.template.title: {{ incident.id }} is not a variable"),
    (header("a") + "spec: {responders: {pager: [{to: x}]}}\n", "spec.responders: 'pager' is not a responder type"),
    (header("a") + "spec: {responders: {email: [{to: not-an-address, subject: s}]}}\n",
     "spec.responders: email responder 1: “not-an-address” is not an email address"),
    (header("a") + "spec: {}\n---\n" + header("a") + "spec: {}\n",
     "document 2 (a): metadata.name: another document in this file has the same name."),
    ("apiVersion: v2\nkind: IncidentRule\nmetadata: {name: a}\nspec: {}\n",
     "document 1 (a): apiVersion: must be mission-control.flanksource.com/v1."),
])
def test_a_bad_rule_file_names_the_document_and_the_field(text, message):
    with pytest.raises(RuleFileError) as raised:
        parse_rule_file(text, "rules.yaml")
    assert message in str(raised.value)


@pytest.mark.parametrize("text, expected", [
    ("10m", timedelta(minutes=10)), ("1h30m", timedelta(minutes=90)), ("45s", timedelta(seconds=45)),
    ("1.5h", timedelta(minutes=90)), ("2d", timedelta(days=2)), ("250ms", timedelta(milliseconds=250)),
])
def test_durations_are_written_as_go_writes_them(text, expected):
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["", "10", "m", "10 m", "-5m", "0s", "1y", "10m5"])
def test_what_is_not_a_duration_says_so(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def rules(text: str) -> list[Rule]:
    return [Rule(id=None, name=document.name, spec=document.spec)  # type: ignore[arg-type]  # no row yet
            for document in parse_rule_file(text)]


def test_globs_labels_and_status_decide_a_match():
    [checkout] = rules(ISSUE_EXAMPLE)
    assert checkout.spec.watches(CHECKOUT)
    assert not checkout.spec.watches(CheckFacts("search-api", Health.UNHEALTHY, labels={"team": "payments"}))
    assert not checkout.spec.watches(CheckFacts("checkout-api", Health.UNHEALTHY, labels={"team": "growth"}))
    assert not checkout.spec.watches(CheckFacts("checkout-api", Health.HEALTHY, labels={"team": "payments"}))
    [everything] = rules(header("all") + "spec: {}\n")
    assert everything.spec.watches(CheckFacts("anything", Health.UNHEALTHY))


def test_rules_go_by_priority_and_break_on_match_ends_the_list():
    text = "---\n".join([header("late") + "spec: {priority: 9}\n",
                         header("early") + "spec: {priority: 1}\n",
                         header("stop") + "spec: {priority: 5, breakOnMatch: true}\n"])
    assert [rule.name for rule in matching_rules(rules(text), CHECKOUT)] == ["early", "stop"]


def test_the_template_renders_the_check_and_leaves_markup_as_text():
    templated = '"[SEV1] {{ check.labels.env }}: {{check.message}}"'
    [checkout] = rules(ISSUE_EXAMPLE.replace('"{{ check.message }}"', templated))
    made = opening(checkout.spec, CHECKOUT)
    assert made.title == "checkout-api is unhealthy"
    assert made.description == "[SEV1] prod: 502s"
    assert made.responders == [("email", {"to": "payments-oncall@example.com", "subject": "…"})]


# -- the engine's decisions --------------------------------------------------------------------

def incident(status: Status, *, by_person: bool = False, resolved: datetime | None = None,
             reopened: datetime | None = None) -> RuleIncident:
    return RuleIncident(status=status, resolved_at=resolved, last_status_by_person=by_person,
                        reopened_by_person_at=reopened)


def test_a_failure_opens_unless_one_is_active_and_reopens_only_what_system_resolved():
    assert on_failure(None, turned_unhealthy=True) is Action.OPEN
    assert on_failure(None, turned_unhealthy=False) is Action.OPEN     # already failing when the rule came
    assert on_failure(incident(Status.OPEN), turned_unhealthy=True) is None
    assert on_failure(incident(Status.MITIGATED, by_person=True), turned_unhealthy=True) is None
    assert on_failure(incident("investigating"), turned_unhealthy=True) is None  # type: ignore[arg-type]  # legacy
    assert on_failure(incident(Status.RESOLVED), turned_unhealthy=True) is Action.REOPEN
    assert on_failure(incident(Status.RESOLVED, by_person=True), turned_unhealthy=True) is Action.OPEN
    assert on_failure(incident(Status.CLOSED), turned_unhealthy=True) is Action.OPEN
    assert on_failure(incident(Status.CANCELLED, by_person=True), turned_unhealthy=True) is Action.OPEN


def test_a_check_still_failing_after_its_incident_ended_opens_nothing_until_it_fails_again():
    for ended in (incident(Status.RESOLVED), incident(Status.RESOLVED, by_person=True), incident(Status.CLOSED)):
        assert on_failure(ended, turned_unhealthy=False) is None


def test_timeouts_count_from_the_last_transition_and_a_persons_reopening():
    [spec] = [rule.spec for rule in rules(ISSUE_EXAMPLE)]
    healthy_since = NOW - timedelta(minutes=10)
    assert on_time(spec, incident(Status.OPEN), CheckNow(Health.HEALTHY, healthy_since), NOW) is Action.RESOLVE
    assert on_time(spec, incident(Status.OPEN), CheckNow(Health.HEALTHY, NOW - timedelta(minutes=9)), NOW) is None
    assert on_time(spec, incident(Status.OPEN), CheckNow(Health.UNHEALTHY, healthy_since), NOW) is None
    reopened = incident(Status.OPEN, by_person=True, reopened=healthy_since + timedelta(minutes=1))
    assert on_time(spec, reopened, CheckNow(Health.HEALTHY, healthy_since), NOW) is None
    resolved = incident(Status.RESOLVED, resolved=NOW - timedelta(hours=24))
    assert on_time(spec, resolved, CheckNow(Health.UNHEALTHY, NOW), NOW) is Action.CLOSE
    assert on_time(spec, incident(Status.CLOSED, resolved=NOW - timedelta(days=3)),
                   CheckNow(Health.HEALTHY, healthy_since), NOW) is None


def test_the_readme_example_is_a_rule_as_written():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("## Incident rules and check results"):]
    example = section[section.index("```yaml\n") + len("```yaml\n"):section.index("```\n", section.index("```yaml"))]
    [document] = parse_rule_file(example, "the README")
    assert document.name == "checkout-down" and document.spec.template.commander_id == "alice@example.com"
