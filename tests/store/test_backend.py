"""The Backend contract, on SQLite, PostgreSQL and the API backend over a real server on each
(the `backend` fixture, tests/store/backends.py).

Rows a Mission Control database may hold (P1, Blocker, investigating, technicalDebt,
{value,label} responder types...) are inserted raw by the seeder, into the database the
backend reads, as another client would write them.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW, TESTER
from tests.store.backends import Target, _backend, _seeder, _target, _target_url  # noqa: F401 (fixtures)
from tui.domain import clock
from tui.domain.enums import Health, IncidentType, Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.lifecycle import (
    HISTORY_CREATED,
    HISTORY_RESPONDER_CREATED,
    HISTORY_RESPONDER_REMOVED,
    HISTORY_STATUS_UPDATED,
    HISTORY_UPDATED,
    InvalidTransition,
    LifecycleError,
    ReadOnlyIncident,
)
from tui.domain.models import (
    Identity,
    IncidentDraft,
    IncidentEdit,
    ResponderDraft,
    ResponderKind,
    TimelineKind,
)
from tui.domain.query import Window
from tui.store.base import Backend, BackendError, Conflict, NotFound, Unavailable
from tui.store.sql import open_sql_backend
from tui.store.sql.schema import hypotheses, incident_histories, incidents, people, responders


def listed(backend: Backend, text: str = "", window: Window = Window()) -> list[str]:
    """Titles the board shows for a filter, in order."""
    return [row.title for row in backend.list_incidents(parse_filter(text), window).rows]


def new(backend: Backend, title: str, **fields: Any):
    return backend.create_incident(IncidentDraft(title=title, **fields))


def other_user(target: Target, name: str = "Second Responder") -> Backend:
    return target.open(Identity(name=name, email=f"{name.split()[0].lower()}@example.com"))


# -- Who I am, people, teams, catalog -------------------------------------------------------

def test_it_is_a_backend(backend):
    assert isinstance(backend, Backend)


def test_whoami_is_created_once_and_found_by_email_then_name(backend, target):
    me = backend.whoami()
    assert (me.name, me.email) == (TESTER.name, TESTER.email)
    assert backend.whoami() == me
    renamed = open_sql_backend(target.url, Identity(name="Renamed Tester", email=TESTER.email.upper()))
    by_name = open_sql_backend(target.url, Identity(name=TESTER.name))
    try:
        assert renamed.whoami().id == me.id
        assert by_name.whoami().id == me.id
    finally:
        renamed.close()
        by_name.close()


def test_people_exclude_system_and_are_sorted(backend, seeder):
    seeder.add_person("zoe example", "zoe@example.com")
    seeder.add_person("Adam Example", "adam@example.com")
    gone = seeder.add_person("Gone Person", "gone@example.com")
    with seeder.engine.begin() as conn:
        conn.execute(people.update().where(people.c.id == gone).values(deleted_at=FIXED_NOW))
    backend.whoami()
    assert [p.name for p in backend.list_people()] == ["Adam Example", "Oncall Tester", "zoe example"]


def test_teams_are_sorted(backend, seeder):
    seeder.add_team("SRE")
    seeder.add_team("payments")
    assert [t.name for t in backend.list_teams()] == ["payments", "SRE"]


def test_search_configs_and_checks_by_name(backend, seeder):
    seeder.add_config("payments-db", health="warning")
    seeder.add_config("payments-api")
    seeder.add_config("orders-db")
    seeder.add_check("api-health", status="unhealthy")
    seeder.add_check("db_50%_check")
    assert [c.name for c in backend.search_configs("PAYMENTS")] == ["payments-api", "payments-db"]
    assert backend.search_configs("payments-db")[0].health is Health.WARNING
    assert len(backend.search_configs("", limit=2)) == 2
    assert backend.search_checks("api")[0].health is Health.UNHEALTHY
    assert [c.name for c in backend.search_checks("50%")] == ["db_50%_check"]
    assert backend.search_checks("5_%") == []  # LIKE wildcards are plain text


# -- Creating and reading --------------------------------------------------------------------

def test_create_writes_canonical_values_links_and_history(backend, seeder):
    config, check = seeder.add_config("payments-db", "warning"), seeder.add_check("api-health", "unhealthy")
    commander = seeder.add_person("Cora Commander", "cora@example.com")
    created = new(backend, "  Checkout down  ", description="500s", severity=Severity.CRITICAL,
                  type=IncidentType.TECHNICAL_DEBT, commander_id=commander, config_ids=(config,),
                  check_ids=(check, check))
    row = seeder.raw_row(incidents, created.id)
    assert (row.title, row.severity, row.type, row.status) == ("Checkout down", "Critical", "technical_debt", "open")
    assert created.incident_id == "INC-1" and new(backend, "second").incident_id == "INC-2"
    assert created.created_by == backend.whoami().id
    assert created.created_at == created.updated_at == FIXED_NOW
    detail = backend.get_incident(created.id)
    assert detail.creator == backend.whoami() and detail.commander.name == "Cora Commander"
    assert [(c.name, c.health) for c in detail.configs] == [("payments-db", Health.WARNING)]
    assert [(c.name, c.health) for c in detail.checks] == [("api-health", Health.UNHEALTHY)]
    assert [(e.type, e.actor.name) for e in detail.timeline] == [(HISTORY_CREATED, TESTER.name)]
    with seeder.engine.connect() as conn:
        root = conn.execute(select(hypotheses).where(hypotheses.c.incident_id == created.id)).one()
    assert (root.type, root.title) == ("root", "Checkout down")


def test_find_incident_by_human_id(backend):
    created = [new(backend, f"incident {n}") for n in range(3)]
    assert backend.find_incident("INC-2") == created[1].id
    assert backend.find_incident(" inc-3 ") == created[2].id
    assert backend.find_incident("1") == created[0].id
    with pytest.raises(NotFound, match="INC-99"):
        backend.find_incident("INC-99")


def test_get_unknown_incident_is_not_found(backend):
    with pytest.raises(NotFound):
        backend.get_incident(uuid4())


def test_board_row_carries_commander_responders_and_link_counts(backend, seeder):
    commander = seeder.add_person("Cora Commander")
    incident = seeder.raw_incident("linked", commander_id=commander)
    seeder.link(incident, config=seeder.add_config("a"))
    seeder.link(incident, config=seeder.add_config("b"))
    seeder.link(incident, check=seeder.add_check("c"))
    for number in range(7):
        clock.freeze(FIXED_NOW + timedelta(minutes=number))
        backend.add_responder(incident, ResponderDraft(kind=ResponderKind.PERSON,
                                                       person_id=seeder.add_person(f"Responder {number}")))
    (row,) = backend.list_incidents(parse_filter(""), Window()).rows
    assert row.commander == "Cora Commander"
    assert row.responders == tuple(f"Responder {n}" for n in range(5))
    assert (row.config_count, row.check_count) == (2, 1)


def test_detail_reads_mission_control_responders(backend, seeder):
    incident = seeder.raw_incident()
    me = backend.whoami().id
    minutes = itertools.count()

    def base() -> dict[str, Any]:
        at = FIXED_NOW + timedelta(minutes=next(minutes))
        return {"incident_id": incident, "created_by": me, "created_at": at, "updated_at": at}

    seeder.insert_rows(responders, type="system", external_id="OPS-7",
                properties={"responderType": {"value": "jira", "label": "Jira"}, "project": "OPS"}, **base())
    seeder.insert_rows(responders, type="Slack", properties=None, **base())
    seeder.insert_rows(responders, type="person", person_id=seeder.add_person("Gone"),
                deleted_at=FIXED_NOW, **base())
    seeder.insert_rows(responders, type="system", team_id=seeder.add_team("SRE"),
                properties={"responderType": "jira"}, **base())
    found = backend.get_incident(incident).responders
    assert [(r.kind, r.name, r.external_type) for r in found] == [
        (ResponderKind.EXTERNAL, "jira", "jira"),
        (ResponderKind.EXTERNAL, "Slack", "Slack"),
        (ResponderKind.TEAM, "SRE", "jira"),
    ]
    assert found[0].properties == {"project": "OPS"} and found[0].external_id == "OPS-7"


# -- The board: paging, filters, sorting --------------------------------------------------------

def test_pages_and_total(backend, seeder):
    for n in range(7):
        seeder.raw_incident(f"incident {n}", age=timedelta(minutes=n))
    first = backend.list_incidents(parse_filter(""), Window(0, 3))
    last = backend.list_incidents(parse_filter(""), Window(6, 3))
    assert (first.total, last.total, len(first.rows), len(last.rows), last.offset) == (7, 7, 3, 1, 6)
    pages = [listed(backend, "", Window(offset, 3)) for offset in (0, 3, 6)]
    assert sum(pages, []) == [f"incident {n}" for n in range(7)]


@pytest.fixture
def lenient(backend, seeder):
    """Incidents holding every kind of stored spelling, newest first by title number."""
    rows = [("P1", "open", "availability"), ("critical", "investigating", "technicalDebt"),
            ("CRITICAL", "new", "Technical Debt"), ("4", "mitigated", "technical_debt"),
            ("Blocker", "resolved", "cost"), ("High", "closed", "Security"), ("p3", "canceled", "reliability"),
            ("weird", "paused", "mystery"), ("Info", "OPEN", "performance")]
    for number, (severity, status, type) in enumerate(rows):
        seeder.raw_incident(f"{number} {severity}/{status}/{type}", age=timedelta(hours=number),
                     severity=severity, status=status, type=type)
    return backend


def numbers(backend: Backend, text: str) -> list[int]:
    return [int(title.split()[0]) for title in listed(backend, text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("sev:critical", [0, 1, 2, 3]),
    ("sev:high", [4, 5]),
    ("sev:p3,info", [6, 8]),
    ("sev:!critical", [4, 5, 6, 8, 7]),
    ("status:open", [0, 8]),
    ("status:active", [0, 1, 2, 3, 8]),
    ("status:cancelled", [6]),
    ("status:!active", [4, 5, 6, 7]),
    ("type:technical_debt", [1, 2, 3]),
    ("type:!technical_debt,availability", [4, 5, 6, 8, 7]),
])
def test_enum_filters_match_every_stored_spelling(lenient, text, expected):
    assert numbers(lenient, text) == expected


def test_unknown_values_sort_last_and_reversing_puts_them_first(lenient):
    assert numbers(lenient, "") == [0, 1, 2, 3, 4, 5, 6, 8, 7]
    assert numbers(lenient, "sort:-severity") == [7, 8, 6, 5, 4, 3, 2, 1, 0]
    assert numbers(lenient, "sort:status")[-1] == 7
    assert numbers(lenient, "sort:type")[-1] == 7
    rows = lenient.list_incidents(parse_filter("sev:!critical,high,medium,low,info"), Window()).rows
    assert [(r.severity, r.status, r.type) for r in rows] == [("weird", "paused", "mystery")]


@pytest.mark.parametrize(("text", "expected"), [
    ("", {Severity.CRITICAL: 4, Severity.HIGH: 2, Severity.MEDIUM: 1, Severity.INFO: 1, "weird": 1}),
    ("status:active", {Severity.CRITICAL: 4, Severity.INFO: 1}),
    ("status:!active sort:-title", {Severity.HIGH: 2, Severity.MEDIUM: 1, "weird": 1}),
    ("sev:!critical type:!cost", {Severity.HIGH: 1, Severity.MEDIUM: 1, Severity.INFO: 1, "weird": 1}),
    ('"no such words"', {}),
])
def test_count_by_severity_folds_every_spelling(lenient, text, expected):
    zeros = dict.fromkeys(Severity, 0)
    assert lenient.count_by_severity(parse_filter(text)) == {**zeros, **expected}


def test_count_by_severity_keeps_unknown_values_verbatim_and_agrees_with_the_filters(lenient, seeder):
    seeder.raw_incident("shouting", severity="WEIRD", status="open")
    seeder.raw_incident("lowercase", severity="high", status="mitigated")
    counts = lenient.count_by_severity(parse_filter("status:active"))
    assert counts == {Severity.CRITICAL: 4, Severity.HIGH: 1, Severity.MEDIUM: 0, Severity.LOW: 0,
                      Severity.INFO: 1, "WEIRD": 1}
    for severity in Severity:
        page = lenient.list_incidents(parse_filter(f"status:active sev:{severity.value}"), Window(0, 1))
        assert page.total == counts[severity], severity


def test_sort_keys_in_both_directions(backend, seeder):
    alice, bob = seeder.add_person("Alice"), seeder.add_person("bob")
    seeder.raw_incident("b title", age=timedelta(hours=3), commander_id=bob, severity="Low",
                 status="resolved", type="cost")
    seeder.raw_incident("A title", age=timedelta(hours=2), severity="High", status="open", type="security")
    seeder.raw_incident("c title", age=timedelta(hours=1), commander_id=alice, severity="Info",
                 status="mitigated", type="availability")
    expectations = {
        "sort:title": ["A title", "b title", "c title"],
        "sort:age": ["c title", "A title", "b title"],
        "sort:severity": ["A title", "b title", "c title"],
        "sort:status": ["A title", "c title", "b title"],
        "sort:type": ["c title", "b title", "A title"],
        "sort:commander": ["c title", "b title", "A title"],  # unassigned last
        "sort:id": ["b title", "A title", "c title"],
    }
    for text, order in expectations.items():
        assert listed(backend, text) == order, text
        assert listed(backend, text.replace(":", ":-")) == order[::-1], text
    with seeder.engine.begin() as conn:
        conn.execute(incidents.update().where(incidents.c.title == "b title")
                     .values(updated_at=FIXED_NOW))
    assert listed(backend, "sort:updated")[0] == "b title"


def test_ids_sort_as_numbers(backend):
    for _ in range(11):
        new(backend, "same")
    assert [r.incident_id for r in backend.list_incidents(parse_filter("sort:id"), Window(8, 5)).rows] == \
        ["INC-9", "INC-10", "INC-11"]


def test_people_filters(backend, target, seeder):
    me = backend.whoami().id
    cora = seeder.add_person("Cora Commander", "cora@ops.example.com")
    seeder.raw_incident("cora leads", commander_id=cora, communicator_id=me)
    seeder.raw_incident("i lead", commander_id=me)
    seeder.raw_incident("nobody leads", created_by=cora)
    assert listed(backend, "commander:cora") == ["cora leads"]
    assert listed(backend, "commander:OPS.EXAMPLE") == ["cora leads"]
    assert listed(backend, "commander:@me") == ["i lead"]
    assert listed(backend, "commander:none") == ["nobody leads"]
    assert listed(backend, "commander:!none") == ["cora leads", "i lead"]
    assert listed(backend, "commander:!@me") == ["cora leads", "nobody leads"]
    assert listed(backend, "commander:@me,cora") == ["cora leads", "i lead"]
    assert listed(backend, "communicator:@me") == ["cora leads"]
    assert listed(backend, "creator:cora") == ["nobody leads"]
    assert listed(backend, "creator:!cora") == ["cora leads", "i lead"]


def test_responder_filters(backend, seeder):
    dana = seeder.add_person("Dana Responder", "dana@example.com")
    sre = seeder.add_team("Site Reliability")
    person_on, team_on, removed, alone = (seeder.raw_incident(title)
                                          for title in ("dana", "team", "removed", "alone"))
    backend.add_responder(person_on, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))
    backend.add_responder(team_on, ResponderDraft(kind=ResponderKind.TEAM, team_id=sre))
    gone = backend.add_responder(removed, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))
    backend.remove_responder(gone.id)
    backend.add_responder(alone, ResponderDraft(kind=ResponderKind.PERSON, person_id=backend.whoami().id))
    assert listed(backend, "responder:dana") == ["dana"]
    assert listed(backend, "responder:reliability") == ["team"]
    assert listed(backend, "responder:@me") == ["alone"]
    assert listed(backend, "responder:none") == ["removed"]
    assert listed(backend, "responder:!dana") == ["team", "removed", "alone"]


def test_link_filters(backend, seeder):
    payments, orders = seeder.add_config("payments-db"), seeder.add_config("orders-db")
    api = seeder.add_check("api-health")
    both, one = seeder.raw_incident("both"), seeder.raw_incident("one")
    seeder.raw_incident("none")
    seeder.link(both, config=payments)
    seeder.link(both, check=api)
    seeder.link(one, config=orders)
    assert listed(backend, "config:PAYMENTS") == ["both"]
    assert listed(backend, "config:db") == ["both", "one"]
    assert listed(backend, "config:!payments") == ["one", "none"]
    assert listed(backend, "config:none") == ["none"]
    assert listed(backend, "check:api") == ["both"]
    assert listed(backend, "check:none") == ["one", "none"]
    assert listed(backend, "config:orders check:api") == []


def test_age_filters(backend, seeder):
    seeder.raw_incident("minutes", age=timedelta(minutes=30))
    seeder.raw_incident("days", age=timedelta(days=3))
    seeder.raw_incident("weeks", age=timedelta(days=20))
    assert listed(backend, "age:<1h") == ["minutes"]
    assert listed(backend, "age:>2d") == ["days", "weeks"]
    assert listed(backend, "age:>1d age:<7d") == ["days"]
    clock.freeze(FIXED_NOW + timedelta(days=2))
    assert listed(backend, "age:<1d") == []


def test_free_text_searches_id_title_and_description(backend):
    new(backend, "Payments API returns 500", description="Connection reset by peer on checkout")
    new(backend, "[SEV1] db down", description="primary: disk full")
    new(backend, "Quote \"it's\" * weird", description="a:b [x] 100%")
    assert listed(backend, "payments") == ["Payments API returns 500"]
    assert listed(backend, '"connection reset"') == ["Payments API returns 500"]
    assert listed(backend, "reset connection") == ["Payments API returns 500"]
    assert listed(backend, "INC-2") == ["[SEV1] db down"]
    assert listed(backend, '"[SEV1]"') == ["[SEV1] db down"]
    assert listed(backend, '"primary:"') == ["[SEV1] db down"]
    assert listed(backend, "db") == ["[SEV1] db down"]  # too short for trigrams: LIKE
    assert listed(backend, '"it\'s"') == ['Quote "it\'s" * weird']
    assert listed(backend, '"\\"it"') == ['Quote "it\'s" * weird']
    assert listed(backend, '"*"') == ['Quote "it\'s" * weird']
    assert listed(backend, '"100%"') == ['Quote "it\'s" * weird']
    assert listed(backend, '"a:b [x]"') == ['Quote "it\'s" * weird']
    assert listed(backend, "NOT OR AND") == []
    assert listed(backend, "payments nothing-like-this") == []


def test_free_text_follows_edits(backend):
    created = new(backend, "old words")
    backend.update_incident(created.id, IncidentEdit(title="fresh wording"), created.updated_at)
    assert listed(backend, "fresh") == ["fresh wording"]
    assert listed(backend, "old") == []


def test_filters_combine(backend, seeder):
    cora = seeder.add_person("Cora")
    seeder.raw_incident("match", severity="P1", commander_id=cora, description="disk full")
    seeder.raw_incident("wrong severity", severity="low", commander_id=cora, description="disk full")
    seeder.raw_incident("wrong text", severity="critical", commander_id=cora)
    assert listed(backend, 'sev:critical commander:cora status:active "disk full"') == ["match"]
    page = backend.list_incidents(parse_filter("sev:critical,low"), Window(0, 1))
    assert (page.total, len(page.rows)) == (3, 1)


# -- Changing incidents -------------------------------------------------------------------------

def test_update_changes_fields_and_records_history(backend, seeder):
    created = new(backend, "title")
    cora = seeder.add_person("Cora Commander")
    clock.freeze(FIXED_NOW + timedelta(minutes=5))
    updated = backend.update_incident(created.id, IncidentEdit(
        title="better title", severity=Severity.HIGH, type=IncidentType.COST, commander_id=cora),
        created.updated_at)
    assert (updated.title, updated.severity, updated.type, updated.commander_id) == \
        ("better title", Severity.HIGH, IncidentType.COST, cora)
    assert updated.updated_at == FIXED_NOW + timedelta(minutes=5)
    assert seeder.raw_row(incidents, created.id).severity == "High"
    history = backend.get_incident(created.id).timeline[-1]
    assert (history.type, history.actor.name) == (HISTORY_UPDATED, TESTER.name)
    assert "commander: Cora Commander" in history.text and "severity: High" in history.text
    assert backend.update_incident(created.id, IncidentEdit(title="better title"), updated.updated_at) == updated


def test_transitions_set_and_clear_timestamps(backend, seeder):
    incident = new(backend, "lifecycle")
    steps = [(Status.MITIGATED, None, None), (Status.RESOLVED, "resolved", None),
             (Status.CLOSED, "resolved", "closed"), (Status.OPEN, None, None),
             (Status.CANCELLED, None, "closed")]
    for minute, (to, resolved, closed) in enumerate(steps, start=1):
        now = FIXED_NOW + timedelta(minutes=minute)
        clock.freeze(now)
        incident = backend.transition(incident.id, to, None, incident.updated_at)
        assert incident.status is to
        assert incident.updated_at == now
        assert (incident.resolved is not None, incident.closed is not None) == (bool(resolved), bool(closed))
        if closed:
            assert incident.closed == now
    assert seeder.raw_row(incidents, incident.id).status == "cancelled"


def test_transition_is_credited_to_the_actor_and_keeps_the_note(backend, target):
    created = new(backend, "who did it")
    other = other_user(target)
    try:
        clock.freeze(FIXED_NOW + timedelta(minutes=1))
        other.transition(created.id, Status.MITIGATED, "  rolled back the deploy ", created.updated_at)
    finally:
        other.close()
    timeline = backend.get_incident(created.id).timeline
    assert [(e.kind, e.type, e.actor.name, e.text) for e in timeline] == [
        (TimelineKind.HISTORY, HISTORY_CREATED, TESTER.name, "who did it"),
        (TimelineKind.HISTORY, HISTORY_STATUS_UPDATED, "Second Responder", "mitigated"),
        (TimelineKind.COMMENT, None, "Second Responder", "rolled back the deploy"),
    ]


def test_transition_not_allowed_says_why(backend):
    created = new(backend, "open")
    with pytest.raises(InvalidTransition, match="cannot be closed"):
        backend.transition(created.id, Status.CLOSED, None, created.updated_at)
    assert backend.get_incident(created.id).incident.status is Status.OPEN


def test_legacy_status_behaves_as_open(backend, seeder):
    incident = seeder.raw_incident("legacy", status="investigating")
    stored = backend.get_incident(incident).incident
    moved = backend.transition(incident, Status.MITIGATED, None, stored.updated_at)
    assert moved.status is Status.MITIGATED


def test_acknowledge_sets_time_and_commander_once(backend, seeder):
    created = new(backend, "ack me")
    acked = backend.acknowledge(created.id, created.updated_at)
    assert acked.acknowledged == FIXED_NOW and acked.commander_id == backend.whoami().id
    with pytest.raises(LifecycleError, match="already acknowledged"):
        backend.acknowledge(created.id, acked.updated_at)
    cora = seeder.add_person("Cora")
    led = new(backend, "has a commander", commander_id=cora)
    assert backend.acknowledge(led.id, led.updated_at).commander_id == cora


def test_roles_can_be_unassigned_but_other_fields_are_left_alone(backend, seeder):
    cora = seeder.add_person("Cora Commander")
    incident = new(backend, "staffed")
    staffed = backend.update_incident(incident.id, IncidentEdit(commander_id=cora), incident.updated_at)
    cleared = backend.update_incident(incident.id, IncidentEdit(commander_id=None), staffed.updated_at)
    assert cleared.commander_id is None and cleared.title == "staffed"
    assert backend.get_incident(incident.id).timeline[-1].text == "commander: nobody"


def test_updated_at_moves_even_when_the_clock_does_not(backend):
    created = new(backend, "busy")
    first = backend.update_incident(created.id, IncidentEdit(title="one"), created.updated_at)
    second = backend.update_incident(created.id, IncidentEdit(title="two"), first.updated_at)
    assert created.updated_at < first.updated_at < second.updated_at
    with pytest.raises(Conflict):
        backend.update_incident(created.id, IncidentEdit(title="three"), first.updated_at)


def test_stale_writes_conflict(backend, target):
    created = new(backend, "contested")
    other = other_user(target)
    try:
        clock.freeze(FIXED_NOW + timedelta(seconds=1))
        other.update_incident(created.id, IncidentEdit(severity=Severity.LOW), created.updated_at)
    finally:
        other.close()
    message = "INC-1 was changed by someone else since you loaded it; refreshed, try again."
    for write in (lambda: backend.update_incident(created.id, IncidentEdit(title="mine"), created.updated_at),
                  lambda: backend.transition(created.id, Status.MITIGATED, None, created.updated_at),
                  lambda: backend.acknowledge(created.id, created.updated_at)):
        with pytest.raises(Conflict) as raised:
            write()
        assert str(raised.value) == message
    assert backend.get_incident(created.id).incident.title == "contested"


EMAIL_RESPONDER = ResponderDraft(kind=ResponderKind.EXTERNAL, external_type="email",
                                 properties={"to": "sre@example.com", "subject": "please look"})


def test_writes_to_a_missing_incident_are_not_found(backend):
    missing = uuid4()
    for write in (lambda: backend.update_incident(missing, IncidentEdit(title="x"), FIXED_NOW),
                  lambda: backend.transition(missing, Status.MITIGATED, None, FIXED_NOW),
                  lambda: backend.acknowledge(missing, FIXED_NOW),
                  lambda: backend.add_comment(missing, "hello"),
                  lambda: backend.add_responder(missing, EMAIL_RESPONDER),
                  lambda: backend.remove_responder(missing)):
        with pytest.raises(NotFound):
            write()


@pytest.mark.parametrize("final", [Status.CLOSED, Status.CANCELLED])
def test_closed_and_cancelled_incidents_are_read_only_until_reopened(backend, final):
    incident = new(backend, "finished")
    if final is Status.CLOSED:
        incident = backend.transition(incident.id, Status.RESOLVED, None, incident.updated_at)
    responder = backend.add_responder(incident.id, EMAIL_RESPONDER)
    incident = backend.transition(incident.id, final, None, incident.updated_at)
    for write in (lambda: backend.update_incident(incident.id, IncidentEdit(title="x"), incident.updated_at),
                  lambda: backend.acknowledge(incident.id, incident.updated_at),
                  lambda: backend.add_comment(incident.id, "late"),
                  lambda: backend.add_responder(incident.id, EMAIL_RESPONDER),
                  lambda: backend.remove_responder(responder.id)):
        with pytest.raises(ReadOnlyIncident, match="read-only"):
            write()
    with pytest.raises(InvalidTransition):
        backend.transition(incident.id, Status.MITIGATED, None, incident.updated_at)
    reopened = backend.transition(incident.id, Status.OPEN, "false alarm after all", incident.updated_at)
    assert (reopened.status, reopened.closed, reopened.resolved) == (Status.OPEN, None, None)


# -- Responders and comments ------------------------------------------------------------------

def test_add_responders_of_every_kind(backend, seeder):
    incident = new(backend, "needs help")
    dana, sre = seeder.add_person("Dana"), seeder.add_team("SRE")
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    person = backend.add_responder(incident.id, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))
    clock.freeze(FIXED_NOW + timedelta(minutes=2))
    team = backend.add_responder(incident.id, ResponderDraft(kind=ResponderKind.TEAM, team_id=sre))
    clock.freeze(FIXED_NOW + timedelta(minutes=3))
    jira = backend.add_responder(incident.id, ResponderDraft(
        kind=ResponderKind.EXTERNAL, external_type="jira",
        properties={"project": "OPS", "issueType": "Bug", "summary": "help"}))
    assert [(r.kind, r.name) for r in (person, team, jira)] == [
        (ResponderKind.PERSON, "Dana"), (ResponderKind.TEAM, "SRE"), (ResponderKind.EXTERNAL, "jira")]
    stored = seeder.raw_row(responders, jira.id)
    assert stored.type == "system"
    assert stored.properties == {"responderType": "jira", "project": "OPS", "issueType": "Bug", "summary": "help"}
    assert stored.created_by == backend.whoami().id
    detail = backend.get_incident(incident.id)
    assert [r.id for r in detail.responders] == [person.id, team.id, jira.id]
    assert [(e.type, e.text) for e in detail.timeline if e.type == HISTORY_RESPONDER_CREATED] == [
        (HISTORY_RESPONDER_CREATED, "Dana"), (HISTORY_RESPONDER_CREATED, "SRE"),
        (HISTORY_RESPONDER_CREATED, "jira")]
    with pytest.raises(BackendError, match="Dana is already responding to INC-1"):
        backend.add_responder(incident.id, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))


def test_remove_responder_soft_deletes(backend, seeder):
    incident = new(backend, "too many cooks")
    dana = seeder.add_person("Dana")
    responder = backend.add_responder(incident.id, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    backend.remove_responder(responder.id)
    assert seeder.raw_row(responders, responder.id).deleted_at == FIXED_NOW + timedelta(minutes=1)
    detail = backend.get_incident(incident.id)
    assert detail.responders == ()
    assert (detail.timeline[-1].type, detail.timeline[-1].text) == (HISTORY_RESPONDER_REMOVED, "Dana")
    with pytest.raises(NotFound):
        backend.remove_responder(responder.id)
    backend.add_responder(incident.id, ResponderDraft(kind=ResponderKind.PERSON, person_id=dana))


def test_comments_join_the_timeline_in_order(backend, seeder):
    incident = new(backend, "chatty")
    clock.freeze(FIXED_NOW + timedelta(minutes=2))
    backend.add_comment(incident.id, "  second  ")
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    backend.add_comment(incident.id, "first")
    timeline = backend.get_incident(incident.id).timeline
    assert [(e.kind, e.text) for e in timeline] == [
        (TimelineKind.HISTORY, "chatty"), (TimelineKind.COMMENT, "first"), (TimelineKind.COMMENT, "second")]
    assert all(e.actor.name == TESTER.name for e in timeline)
    with pytest.raises(BackendError, match="needs some text"):
        backend.add_comment(incident.id, "   ")
    with seeder.engine.connect() as conn:
        assert conn.execute(select(incident_histories.c.type)
                            .where(incident_histories.c.incident_id == incident.id)).scalars().all() == \
            [HISTORY_CREATED]


def test_stored_timestamps_are_aware_utc(backend):
    created = new(backend, "tz")
    stored = backend.get_incident(created.id).incident
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(0)
    assert isinstance(stored.updated_at, datetime) and stored.updated_at == created.updated_at


# -- Errors are sentences -----------------------------------------------------------------------

def test_unreachable_database_is_unavailable():
    with pytest.raises(Unavailable) as raised:
        open_sql_backend("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", TESTER)
    message = str(raised.value)
    assert message.startswith("Cannot use the database at postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "Traceback" not in message and "\n" not in message


def test_bad_urls_are_unavailable(tmp_path):
    with pytest.raises(Unavailable, match="not a database URL"):
        open_sql_backend("not a url", TESTER)
    with pytest.raises(Unavailable, match="Cannot open the database"):
        open_sql_backend("nosuchdb://x/y", TESTER)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Unavailable):
        open_sql_backend(f"sqlite:///{blocker}/sub/incidents.db", TESTER)


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite" * 100)
    with pytest.raises(Unavailable, match="junk.db"):
        open_sql_backend(f"sqlite:///{junk}", TESTER)


# -- Live updates -------------------------------------------------------------------------------

def test_changes_since_names_the_incidents_another_user_changed(backend, target):
    first, second = new(backend, "watched"), new(backend, "left alone")
    mark = backend.changes_since(None).mark
    other = other_user(target)
    try:
        clock.freeze(FIXED_NOW + timedelta(minutes=1))
        other.add_comment(first.id, "seen from elsewhere")
    finally:
        other.close()
    changes = backend.changes_since(mark)
    assert first.id in changes.incident_ids and second.id not in changes.incident_ids
    assert not backend.changes_since(changes.mark).incident_ids


def test_iter_incidents_streams_the_rows_of_the_same_window(backend, seeder):
    """`incidents list` of a million rows reads them a part at a time (issue 7): the same rows, in the
    same order, as list_incidents for the window."""
    for n in range(30):
        seeder.raw_incident(f"streamed {n}", age=timedelta(minutes=n), severity=("High", "Low", "P1")[n % 3])
    query = parse_filter("sort:age")
    for window in (Window(0, 100), Window(3, 10), Window(29, 5), Window(40, 5)):
        assert list(backend.iter_incidents(query, window)) == list(backend.list_incidents(query, window).rows)


def test_an_exact_id_in_the_filter_comes_first_on_every_page_and_in_either_direction(backend):
    exact_id_comes_first(backend)


def exact_id_comes_first(backend: Backend) -> None:
    """Also run on a plain PostgREST (tests/store/test_api_backend.py), where the API backend asks for it apart."""
    for number in range(1, 13):  # INC-1 … INC-12: "INC-1" also matches INC-10, INC-11 and INC-12
        new(backend, f"incident {number}", severity=Severity.LOW if number == 1 else Severity.CRITICAL)
    ids = lambda text, window=Window(): [row.incident_id for row in  # noqa: E731
                                         backend.list_incidents(parse_filter(text), window).rows]
    assert ids("INC-1")[0] == "INC-1" and sorted(ids("INC-1")) == ["INC-1", "INC-10", "INC-11", "INC-12"]
    assert ids("inc-1 sort:-severity")[0] == "INC-1"  # reversed: it stays first
    assert ids("INC-1 sort:id", Window(1, 2)) == ["INC-10", "INC-11"]  # the rest, one row further on
    assert ids("INC-1", Window(0, 1)) == ["INC-1"]
    assert backend.list_incidents(parse_filter("INC-1"), Window(0, 1)).total == 4
    assert [row.incident_id for row in backend.iter_incidents(parse_filter("INC-1 sort:id"), Window(0, 10))] == \
        ["INC-1", "INC-10", "INC-11", "INC-12"]  # what `incidents list` prints
    assert ids("INC-1 sev:critical sort:id") == ["INC-10", "INC-11", "INC-12"]  # the rest of the filter holds
