"""Check results on a real `incidents serve` (SQLite and PostgreSQL): the Alertmanager webhook,
POST /db/check_statuses and the /rpc functions; and (hypothesis) whatever body is posted to the
webhook, the server answers without a 5xx and a body it refuses stores nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FIXED_NOW
from tests.domain.test_properties import HOSTILE_TEXT
from tests.store.test_rules_engine import rule
from tui.domain import clock
from tui.domain.rules import parse_rule_file
from tui.store.sql import schema

STORED = [schema.checks, schema.check_statuses, schema.incidents, schema.hypotheses, schema.evidences,
          schema.responders, schema.incident_histories, schema.incident_rules]


def alert(status: str = "firing", fingerprint: str = "f1", **labels: str) -> dict[str, Any]:
    return {"status": status, "labels": {"alertname": "CheckoutDown", "team": "payments", **labels},
            "annotations": {"summary": "502s from checkout"}, "startsAt": "2026-11-20T11:59:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": fingerprint}


def webhook(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    return {"version": "4", "groupKey": '{}:{alertname="CheckoutDown"}', "status": status, "receiver": "incidents",
            "groupLabels": {"alertname": "CheckoutDown"}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager", "truncatedAlerts": 0, "alerts": list(alerts)}


def fingerprint(database) -> str:
    digest = hashlib.sha256()
    with database.read() as conn:
        for table in STORED:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def apply(admin, text: str) -> None:
    documents = [d.model_dump(mode="json", by_alias=True) for d in parse_rule_file(text)]
    answer = admin.post("/rpc/rules_apply", json={"documents": documents})
    assert answer.status_code == 200, answer.text


def rule_incidents(admin) -> list[dict[str, Any]]:
    answer = admin.get("/db/incidents", params={"incident_rule_id": "not.is.null",
                                                "select": "id,status,title,creator:created_by(name),"
                                                          "hypotheses(evidences(check_id,definition_of_done))"})
    return answer.json()


def test_a_firing_group_opens_one_incident_by_system_and_resolving_heals_the_check(server, admin):
    apply(admin, rule(glob="checkout-*"))
    group = webhook(alert(fingerprint="a", check="checkout-api", instance="1"),
                    alert(fingerprint="b", check="checkout-api", instance="2"),
                    alert(fingerprint="a", check="checkout-api", instance="1"))      # the same alert twice
    answer = admin.post("/webhooks/alertmanager", json=group)
    assert answer.status_code == 200, answer.text
    [outcome] = answer.json()["checks"]
    assert outcome["name"] == "checkout-api" and outcome["status"] == "unhealthy" and len(outcome["opened"]) == 1
    assert admin.post("/webhooks/alertmanager", json=group).json()["checks"][0]["opened"] == []   # repeated
    [incident] = rule_incidents(admin)
    assert incident["creator"]["name"] == "System" and incident["status"] == "open"
    [check] = admin.get("/db/checks", params={"name": "eq.checkout-api", "select": "id,type,status,labels"}).json()
    assert check["type"] == "alertmanager" and check["status"] == "unhealthy"
    assert check["labels"]["alertname"] == "CheckoutDown"
    assert incident["hypotheses"][0]["evidences"] == [{"check_id": check["id"], "definition_of_done": True}]
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    resolved = webhook(alert("resolved", fingerprint="a", check="checkout-api"),
                       alert("resolved", fingerprint="b", check="checkout-api"), status="resolved")
    assert admin.post("/webhooks/alertmanager", json=resolved).json()["checks"][0]["status"] == "healthy"
    clock.freeze(FIXED_NOW + timedelta(minutes=12))
    assert len(admin.post("/rpc/rules_run", json={}).json()["done"]) == 1
    assert rule_incidents(admin)[0]["status"] == "resolved"


def test_a_group_naming_two_checks_reports_each_and_a_check_label_wins_over_alertname(admin):
    answer = admin.post("/webhooks/alertmanager", json=webhook(alert(fingerprint="x"),
                                                               alert(fingerprint="y", check="web-home")))
    assert sorted(item["name"] for item in answer.json()["checks"]) == ["CheckoutDown", "web-home"]


def test_the_webhook_needs_a_token_that_may_open_incidents(server):
    with server.client(None) as anonymous:
        assert anonymous.post("/webhooks/alertmanager", json=webhook(alert())).status_code == 401
    with server.client("viewer") as viewer:
        answer = viewer.post("/webhooks/alertmanager", json=webhook(alert()))
    assert answer.status_code == 403 and answer.headers["X-Rbac-Object"] == "incident"
    with server.client("responder") as responder:
        assert responder.post("/webhooks/alertmanager", json=webhook(alert())).status_code == 200


def test_posting_a_check_status_updates_the_check_and_runs_the_rules(server, admin):
    apply(admin, rule(glob="payments-*").replace("labels: {team: payments}", "labels: {}"))
    [check] = admin.get("/db/checks", params={"name": "eq.payments-api-health", "select": "id"}).json()
    answer = admin.post("/db/check_statuses", json={"check_id": check["id"], "status": True, "message": "ok"},
                        headers={"Prefer": "return=representation"})
    assert answer.status_code == 201, answer.text
    assert answer.json()[0]["message"] == "ok"
    clock.freeze(FIXED_NOW + timedelta(seconds=1))
    admin.post("/db/check_statuses", json={"check_id": check["id"], "status": False, "message": "timeout"})
    assert admin.get("/db/checks", params={"id": f"eq.{check['id']}", "select": "status"}).json() == [
        {"status": "unhealthy"}]
    assert [item["title"] for item in rule_incidents(admin)] == ["payments-api-health is down (checkout-down)"]
    refused = admin.post("/db/check_statuses", json={"check_id": check["id"], "status": True,
                                                     "time": "2020-01-01T00:00:00Z"})
    assert refused.status_code == 400 and "time is set by the server" in refused.json()["message"]


def test_rules_are_read_through_db_and_changed_only_through_rpc_by_admins(server, admin):
    apply(admin, rule())
    assert [row["name"] for row in admin.get("/db/incident_rules").json()] == ["checkout-down"]
    answer = admin.post("/db/incident_rules", json={"name": "x", "spec": {"nonsense": 1}})
    assert answer.status_code == 405 and "rules_apply" in answer.json()["hint"]
    with server.client("responder") as responder:
        assert responder.post("/rpc/rule_delete", json={"name": "checkout-down"}).status_code == 403
        assert responder.get("/db/incident_rules").status_code == 200
    bad = admin.post("/rpc/rules_apply", json={"documents": [{"apiVersion": "mission-control.flanksource.com/v1",
                                                              "kind": "IncidentRule", "metadata": {"name": "b"},
                                                              "spec": {"autoClose": {"timeout": "soon"}}}]})
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("document 1 (b): spec.autoClose.timeout: 'soon' is not a duration")


# -- hostile bodies -------------------------------------------------------------------------------

STATUSES = st.one_of(st.sampled_from(["firing", "resolved"]), HOSTILE_TEXT)
LABELS = st.dictionaries(st.one_of(st.sampled_from(["alertname", "check", "team"]), HOSTILE_TEXT), HOSTILE_TEXT,
                         max_size=4)
ALERTS = st.fixed_dictionaries({"status": STATUSES, "labels": LABELS},
                               optional={"annotations": st.dictionaries(st.sampled_from(["summary", "x"]),
                                                                        HOSTILE_TEXT, max_size=2),
                                         "fingerprint": st.one_of(st.sampled_from(["f1", "f2"]), HOSTILE_TEXT),
                                         "startsAt": HOSTILE_TEXT})
ODD = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT, st.lists(st.integers(),
                                                                                             max_size=2))
BODIES = st.one_of(
    st.fixed_dictionaries({"version": st.sampled_from(["4", "3", 4]), "status": STATUSES,
                           "alerts": st.lists(st.one_of(ALERTS, ODD), max_size=4)},
                          optional={"groupKey": st.one_of(HOSTILE_TEXT, ODD), "receiver": ODD}),
    ODD,
    st.dictionaries(HOSTILE_TEXT, ODD, max_size=3),
)
HOSTILE = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@HOSTILE
@given(body=BODIES)
def test_any_webhook_body_is_stored_whole_or_refused_with_nothing_stored(server, admin, body):
    before = fingerprint(server.database)
    answer = admin.post("/webhooks/alertmanager", content=json.dumps(body),  # escapes lone surrogates too
                        headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        message = answer.json()["message"]
        assert message and "Traceback" not in message
        assert fingerprint(server.database) == before
    else:
        names = {item["name"] for item in answer.json()["checks"]}
        found = admin.get("/db/checks", params={"select": "name"}).json()
        assert names <= {row["name"] for row in found}


@HOSTILE
@given(raw=st.one_of(st.binary(max_size=40), st.sampled_from([b"[" * 5000, b'{"version": "4", "alerts": [' * 600,
                                                              b"\xff\xfe", b'{"version": NaN}'])))
def test_bodies_that_are_not_json_are_refused(server, admin, raw):
    before = fingerprint(server.database)
    answer = admin.post("/webhooks/alertmanager", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert fingerprint(server.database) == before
