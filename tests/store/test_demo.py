"""The demo data: deterministic, covering every value the app shows, and consistent like real data."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.domain.enums import CANONICAL_STATUSES, IncidentType, Severity, Status
from tui.domain.lifecycle import ALLOWED
from tui.domain.models import EXTERNAL_RESPONDER_FIELDS
from tui.store.demo import DETAILED_INCIDENTS, TABLE_ORDER, DemoData, generate_demo, iter_demo

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# (table, column) -> table whose id it references
FOREIGN_KEYS = {
    ("teams", "created_by"): "people",
    ("team_members", "team_id"): "teams",
    ("team_members", "person_id"): "people",
    ("check_statuses", "check_id"): "checks",
    ("incidents", "created_by"): "people",
    ("incidents", "commander_id"): "people",
    ("incidents", "communicator_id"): "people",
    ("responders", "incident_id"): "incidents",
    ("responders", "person_id"): "people",
    ("responders", "team_id"): "teams",
    ("responders", "created_by"): "people",
    ("hypotheses", "incident_id"): "incidents",
    ("hypotheses", "created_by"): "people",
    ("hypotheses", "parent_id"): "hypotheses",
    ("evidences", "hypothesis_id"): "hypotheses",
    ("evidences", "config_id"): "config_items",
    ("evidences", "check_id"): "checks",
    ("evidences", "created_by"): "people",
    ("comments", "incident_id"): "incidents",
    ("comments", "hypothesis_id"): "hypotheses",
    ("comments", "created_by"): "people",
    ("incident_histories", "incident_id"): "incidents",
    ("incident_histories", "created_by"): "people",
    ("incident_histories", "responder_id"): "responders",
    ("incident_histories", "hypothesis_id"): "hypotheses",
}
NOT_NULL = {
    "people": {"id", "name", "created_at"},
    "teams": {"id", "name", "created_by", "created_at", "updated_at"},
    "team_members": {"team_id", "person_id", "source"},
    "config_items": {"id", "agent_id", "config_class", "type", "name", "is_pushed", "created_at", "inserted_at"},
    "checks": {"id", "canary_id", "agent_id", "type", "name", "is_pushed", "status"},
    "check_statuses": {"check_id", "time", "created_at", "is_pushed"},
    "incidents": {"id", "incident_id", "title", "created_by", "severity", "description", "type", "status",
                  "created_at", "updated_at"},
    "responders": {"id", "incident_id", "type", "created_by", "created_at", "updated_at"},
    "hypotheses": {"id", "created_by", "incident_id", "type", "title", "status", "created_at", "updated_at"},
    "evidences": {"id", "description", "hypothesis_id", "created_by", "type", "created_at", "updated_at"},
    "comments": {"id", "created_by", "comment", "incident_id", "created_at", "updated_at"},
    "incident_histories": {"id", "incident_id", "created_by", "type", "created_at", "updated_at"},
}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(now=NOW)


def by_id(rows: list[dict]) -> dict[uuid.UUID, dict]:
    return {row["id"]: row for row in rows}


def children(rows: list[dict], key: str = "incident_id") -> dict[uuid.UUID, list[dict]]:
    grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def assert_consistent(data: DemoData) -> None:
    """Every foreign key resolves, NOT NULL columns are filled, rows of a table share one column set,
    and nobody responds to one incident twice."""
    ids = {table: {row["id"] for row in data[table]} for table in TABLE_ORDER if data[table] and "id" in data[table][0]}
    for (table, column), target in FOREIGN_KEYS.items():
        dangling = [row[column] for row in data[table] if row[column] is not None and row[column] not in ids[target]]
        assert not dangling, f"{table}.{column} -> {target}: {dangling[:3]}"
    for table, rows in data.tables().items():
        assert len({frozenset(row) for row in rows}) <= 1, f"{table} rows have different columns"
        for row in rows:
            assert all(row[column] is not None for column in NOT_NULL[table]), (table, row)
        if rows and "id" in rows[0]:
            assert len(ids[table]) == len(rows), f"duplicate ids in {table}"
    for kind in ("person_id", "team_id"):  # unique among active responders (migration 0005)
        active = [(row["incident_id"], row[kind]) for row in data.responders
                  if row[kind] is not None and row["deleted_at"] is None]
        assert len(set(active)) == len(active), f"an incident has one {kind} as a responder twice"


# -- determinism ----------------------------------------------------------------------------

def test_same_seed_and_now_give_identical_rows(demo: DemoData) -> None:
    assert repr(generate_demo(now=NOW).tables()) == repr(demo.tables())


def test_another_seed_or_now_gives_other_data(demo: DemoData) -> None:
    assert generate_demo(seed=8, now=NOW).incidents != demo.incidents
    later = generate_demo(now=NOW + timedelta(days=1))
    assert later.incidents[0]["created_at"] == demo.incidents[0]["created_at"] + timedelta(days=1)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        generate_demo(now=datetime(2026, 11, 20, 12))


def test_parts_add_up_to_the_whole() -> None:
    whole = generate_demo(incidents=45, now=NOW)
    parts = list(iter_demo(incidents=45, now=NOW, batch=20))
    assert [len(p.incidents) for p in parts] == [20, 20, 5]
    assert parts[0].people and not parts[1].people  # the catalog comes once, first
    for table in TABLE_ORDER:
        assert [row for part in parts for row in part[table]] == whole[table]


# -- coverage -------------------------------------------------------------------------------

def test_incidents_cover_every_severity_type_and_status(demo: DemoData) -> None:
    incidents = demo.incidents
    assert len(incidents) >= 300
    assert {i["severity"] for i in incidents} == {s.value for s in Severity}
    assert {i["type"] for i in incidents} == {t.value for t in IncidentType}
    assert {i["status"] for i in incidents} == {s.value for s in CANONICAL_STATUSES}


def test_status_mix_is_realistic(demo: DemoData) -> None:
    counts = Counter(i["status"] for i in demo.incidents)
    share = {status: count / len(demo.incidents) for status, count in counts.items()}
    assert 0.12 <= share["open"] <= 0.30
    assert 0.04 <= share["mitigated"] <= 0.18
    assert share["resolved"] + share["closed"] >= 0.5
    assert 0 < share["cancelled"] <= 0.12


def test_recent_incidents_are_more_likely_active(demo: DemoData) -> None:
    def active_share(rows: list[dict]) -> float:
        return sum(r["status"] in ("open", "mitigated") for r in rows) / len(rows)

    newest, oldest = demo.incidents[-60:], demo.incidents[: len(demo.incidents) // 2]
    assert active_share(newest) > 2 * active_share(oldest)


def test_incidents_span_five_months_numbered_in_creation_order(demo: DemoData) -> None:
    incidents = demo.incidents
    assert [i["incident_id"] for i in incidents] == [f"INC-{n}" for n in range(1, len(incidents) + 1)]
    created = [i["created_at"] for i in incidents]
    assert created == sorted(created)
    assert NOW - timedelta(days=151) < created[0] < NOW - timedelta(days=120)
    assert created[-1] < NOW


def test_titles_are_varied_and_some_have_square_brackets(demo: DemoData) -> None:
    titles = [i["title"] for i in demo.incidents]
    assert len(set(titles)) > 0.6 * len(titles)  # some incidents recur, most do not
    assert sum("[" in t for t in titles) >= 5
    assert any(t.startswith("[SEV1] ") for t in titles)
    assert all(len(i["description"].split(". ")) >= 2 for i in demo.incidents)


def test_people_teams_configs_and_checks(demo: DemoData) -> None:
    people = [p for p in demo.people if p["email"] is not None]
    assert len(people) >= 15
    assert len({p["email"] for p in people}) == len(people)
    system = by_id(demo.people)[demo.system_person_id]
    assert (system["name"], system["email"]) == ("System", None)
    assert {"SRE", "Platform", "Payments", "Data", "Security"} <= {t["name"] for t in demo.teams}
    members = children(demo.team_members, "team_id")
    assert all(members[t["id"]] for t in demo.teams)

    assert len(demo.config_items) >= 30
    types = {c["type"] for c in demo.config_items}
    assert {"Kubernetes::Deployment", "Kubernetes::StatefulSet", "AWS::RDS::DBInstance",
            "AWS::ELBv2::LoadBalancer", "Kafka::Topic", "RabbitMQ::Queue"} <= types
    assert {c["health"] for c in demo.config_items} == {"healthy", "warning", "unhealthy", "unknown"}

    assert len(demo.checks) >= 20
    assert {"http", "tcp", "postgres", "kubernetes", "dns"} <= {c["type"] for c in demo.checks}
    assert {c["status"] for c in demo.checks} == {"healthy", "unhealthy"}


def test_configs_and_checks_carry_labels_to_filter_by(demo: DemoData) -> None:
    """The Configs and Checks views' label: filter has something to find: teams, tiers, canaries."""
    config_labels = [c["labels"] for c in demo.config_items]
    assert {"payments", "platform", "data", "security"} <= {labels["team"] for labels in config_labels}
    assert {"backend", "data", "edge", "platform"} <= {labels["tier"] for labels in config_labels}
    check_labels = [c["labels"] for c in demo.checks]
    assert all(labels["target"] and labels["canary"] for labels in check_labels)
    teams = Counter(labels.get("team") for labels in check_labels)
    assert teams["payments"] >= 2 and len(teams) >= 4


def test_check_statuses_end_in_the_checks_current_state(demo: DemoData) -> None:
    results = children(demo.check_statuses, "check_id")
    for check in demo.checks:
        rows = results[check["id"]]
        assert len(rows) >= 3
        times = [r["time"] for r in rows]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in times)
        assert times == sorted(set(times))  # oldest first, one per (check_id, time)
        assert rows[-1]["status"] is (check["status"] == "healthy")
        assert all((r["error"] is None) is r["status"] for r in rows)


# -- integrity ------------------------------------------------------------------------------

def test_references_resolve_and_required_columns_are_filled(demo: DemoData) -> None:
    assert_consistent(demo)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), incidents=st.integers(0, 40))
def test_any_seed_gives_consistent_data(seed: int, incidents: int) -> None:
    data = generate_demo(incidents=incidents, seed=seed, now=NOW)
    assert len(data.incidents) == incidents
    assert_consistent(data)


def test_values_are_typed_like_the_database(demo: DemoData) -> None:
    for table, rows in demo.tables().items():
        for row in rows:
            for column, value in row.items():
                if column == "id" or column.endswith("_id") and column not in ("incident_id", "external_id"):
                    assert value is None or isinstance(value, uuid.UUID), (table, column, value)
                if isinstance(value, datetime):
                    assert value.utcoffset() == timedelta(0) and value.microsecond == 0, (table, column)
    assert all(isinstance(r["properties"], dict) for r in demo.responders if r["type"] == "system")


def test_each_incident_has_a_root_hypothesis_and_most_link_configs_or_checks(demo: DemoData) -> None:
    hypotheses = children(demo.hypotheses)
    evidences = children(demo.evidences, "hypothesis_id")
    linked = 0
    for incident in demo.incidents:
        [root] = [h for h in hypotheses[incident["id"]] if h["parent_id"] is None]
        assert (root["type"], root["status"], root["title"]) == ("root", "possible", incident["title"])
        assert root["created_by"] == incident["created_by"]
        links = evidences[root["id"]]
        linked += bool(links)
        for evidence in links:
            target = {"config": "config_id", "check": "check_id"}[evidence["type"]]
            other = "check_id" if target == "config_id" else "config_id"
            assert evidence[target] is not None and evidence[other] is None
            assert evidence["done"] is False  # written explicitly (NOTES §2.6)
        assert len(links) <= 3
    assert linked >= 0.8 * len(demo.incidents)


def test_system_incidents_name_and_link_the_failing_check(demo: DemoData) -> None:
    checks = by_id(demo.checks)
    roots = {h["incident_id"]: h["id"] for h in demo.hypotheses if h["type"] == "root"}
    evidences = children(demo.evidences, "hypothesis_id")
    by_system = [i for i in demo.incidents if i["created_by"] == demo.system_person_id]
    assert len(by_system) >= 5
    for incident in by_system:
        linked_checks = [checks[e["check_id"]]["name"] for e in evidences[roots[incident["id"]]] if e["check_id"]]
        assert len(linked_checks) == 1 and linked_checks[0] in incident["title"]
        if incident["status"] in ("open", "mitigated"):
            assert checks[next(e["check_id"] for e in evidences[roots[incident["id"]]] if e["check_id"])]["status"] \
                == "unhealthy"
        # done when the check is healthy again, as the rule engine marked it
        assert [e["type"] for e in evidences[roots[incident["id"]]] if e["definition_of_done"]] == ["check"]


def test_some_incidents_have_a_small_action_plan_with_a_definition_of_done(demo: DemoData) -> None:
    nodes = by_id(demo.hypotheses)
    below = [h for h in demo.hypotheses if h["parent_id"] is not None]
    planned = {h["incident_id"] for h in below}
    assert 20 <= len(planned) <= 100
    for node in below:
        parent = nodes[node["parent_id"]]
        assert parent["incident_id"] == node["incident_id"]
        assert (parent["type"], node["type"]) in {("root", "factor"), ("factor", "solution")}
        assert node["status"] in ("proven", "likely", "possible")
    notes = [e for e in demo.evidences if e["type"] == "comment"]
    assert {nodes[e["hypothesis_id"]]["type"] for e in notes} == {"factor"}
    assert all(e["evidence"]["comment"] for e in notes)
    created = {h["hypothesis_id"] for h in demo.incident_histories if h["type"] == "hypothesis.created"}
    assert created == {h["id"] for h in below}
    done_marked = {nodes[e["hypothesis_id"]]["incident_id"] for e in demo.evidences if e["definition_of_done"]}
    assert len(done_marked & planned) >= 0.8 * len(planned)


# -- people on incidents ----------------------------------------------------------------------

def test_roles_and_timestamps_follow_the_status(demo: DemoData) -> None:
    for incident in demo.incidents:
        status = incident["status"]
        created, updated = incident["created_at"], incident["updated_at"]
        assert created <= updated <= NOW
        for column in ("acknowledged", "resolved", "closed"):
            assert incident[column] is None or created < incident[column] <= updated
        assert (incident["resolved"] is not None) == (status in ("resolved", "closed"))
        assert (incident["closed"] is not None) == (status in ("closed", "cancelled"))
        if status != "open":
            assert incident["commander_id"] is not None
        if incident["acknowledged"] is not None:
            assert incident["commander_id"] is not None
    incidents = demo.incidents
    assert any(i["commander_id"] is None for i in incidents)
    assert sum(i["communicator_id"] is not None for i in incidents) > len(incidents) / 3
    settled = [i for i in incidents if i["status"] != "open"]
    assert sum(i["acknowledged"] is not None for i in settled) > 0.8 * len(settled)
    assert sum(i["commander_id"] != i["created_by"] for i in incidents) > len(incidents) / 3


def test_responders_of_every_kind(demo: DemoData) -> None:
    responders = demo.responders
    assert {r["type"] for r in responders} == {"person", "team", "system"}
    for responder in responders:
        kind = responder["type"]
        assert (responder["person_id"] is not None) == (kind == "person")
        assert (responder["team_id"] is not None) == (kind == "team")
        if kind == "system":
            properties = responder["properties"]
            responder_type = properties["responderType"]
            assert isinstance(responder_type, str)
            assert set(properties) == {"responderType", *EXTERNAL_RESPONDER_FIELDS[responder_type]}
            if responder_type == "jira":
                assert re.fullmatch(r"OPS-\d+", responder["external_id"])
    externals = {r["properties"]["responderType"] for r in responders if r["type"] == "system"}
    assert {"jira", "email", "service_now", "ms_planner"} <= externals
    assert any(r["acknowledged"] is not None for r in responders)
    for incident_responders in children(responders).values():
        assert [r["index"] for r in incident_responders] == list(range(len(incident_responders)))


def test_comments_by_people_on_many_incidents(demo: DemoData) -> None:
    comments = children(demo.comments)
    assert len(comments) > 0.4 * len(demo.incidents)
    assert all(1 <= len(rows) <= 4 for rows in comments.values())
    assert all(len({c["comment"] for c in rows}) == len(rows) for rows in comments.values())
    assert all(c["created_by"] != demo.system_person_id for c in demo.comments)
    incidents = by_id(demo.incidents)
    for comment in demo.comments:
        incident = incidents[comment["incident_id"]]
        assert incident["created_at"] < comment["created_at"] <= NOW
        if incident["closed"] is not None:
            assert comment["created_at"] < incident["closed"]


# -- history ------------------------------------------------------------------------------------

def test_history_tells_each_incidents_story_in_order(demo: DemoData) -> None:
    histories = children(demo.incident_histories)
    responders = children(demo.responders)
    for incident in demo.incidents:
        rows = histories[incident["id"]]
        times = [h["created_at"] for h in rows]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert rows[0]["type"] == "incident.created" and rows[0]["created_at"] == incident["created_at"]
        assert rows[0]["created_by"] == incident["created_by"]
        assert all(incident["created_at"] <= t <= NOW for t in times)
        steps = [h["description"] for h in rows if h["type"] == "incident.status_updated"]
        status = Status.OPEN
        for step in steps:
            assert Status(step) in ALLOWED[status], (incident["incident_id"], steps)
            status = Status(step)
        assert status.value == incident["status"]
        acknowledged = [h for h in rows if h["type"] == "incident.acknowledged"]
        expected = [incident["acknowledged"]] if incident["acknowledged"] else []
        assert [h["created_at"] for h in acknowledged] == expected
        added = [h["responder_id"] for h in rows if h["type"] == "responder.created"]
        assert added == [r["id"] for r in responders[incident["id"]]]


def test_history_credits_the_actor_not_always_the_creator(demo: DemoData) -> None:
    incidents = by_id(demo.incidents)
    steps = [h for h in demo.incident_histories if h["type"] == "incident.status_updated"]
    by_others = [h for h in steps if h["created_by"] != incidents[h["incident_id"]]["created_by"]]
    assert len(by_others) > 0.4 * len(steps)
    acks = [h for h in demo.incident_histories if h["type"] == "incident.acknowledged"]
    assert all(h["created_by"] == incidents[h["incident_id"]]["commander_id"] for h in acks)


# -- benchmark sizes ------------------------------------------------------------------------------

def test_large_sets_keep_children_only_for_the_newest_incidents() -> None:
    count = DETAILED_INCIDENTS + 1_000
    data = generate_demo(incidents=count, now=NOW)
    assert len(data.incidents) == len([h for h in data.hypotheses if h["type"] == "root"]) == count
    detailed = {i["id"] for i in data.incidents[-DETAILED_INCIDENTS:]}
    for table in ("responders", "comments", "incident_histories"):
        assert {row["incident_id"] for row in data[table]} <= detailed
    old = data.incidents[:1_000]
    assert any(i["resolved"] is not None for i in old)  # timestamps are still set on old incidents
    assert_consistent(data)
