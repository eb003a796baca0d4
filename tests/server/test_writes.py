"""Writes through the API: the lifecycle enforced whatever the client sends, history credited to
the token's person, conditional PATCH as conflict detection, /rpc atomic writes, POST/DELETE."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import FIXED_NOW
from tests.live_server import ADMIN, RESPONDER
from tests.server.conftest import first_open_incident

REPRESENTATION = {"Prefer": "return=representation"}


def history(client, incident_id):
    return client.get("/db/incident_histories", params={
        "incident_id": f"eq.{incident_id}", "select": "type,description,created_by(name)",
        "order": "created_at.desc"}).json()


def test_a_transition_the_lifecycle_forbids_is_400_and_changes_nothing(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        answer = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"status": "closed"},
                              headers=REPRESENTATION)
        assert answer.status_code == 400
        assert answer.json()["message"] == ("An open incident cannot be closed; from open it can go to: "
                                            "mitigated, resolved, cancelled.")
        assert client.get("/db/incidents", params={"id": f"eq.{incident['id']}"}).json() == [incident]
        unknown = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"status": "bogus"})
        assert unknown.status_code == 400 and "status" in unknown.json()["message"]


def test_an_allowed_transition_sets_timestamps_and_credits_the_token_holder(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        answer = client.patch("/db/incidents",
                              params={"id": f"eq.{incident['id']}", "select": "status,resolved,closed"},
                              json={"status": "resolved", "resolved": "2020-01-01T00:00:00Z"}, headers=REPRESENTATION)
        assert answer.status_code == 200, answer.text
        assert answer.json() == [{"status": "resolved", "resolved": FIXED_NOW.isoformat(), "closed": None}]
        latest = history(client, incident["id"])[0]
        assert latest == {"type": "incident.status_updated", "description": "resolved",
                          "created_by": {"name": RESPONDER.name}}
        closed = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"status": "closed"},
                              headers=REPRESENTATION).json()[0]
        assert closed["closed"] == FIXED_NOW.isoformat()
        readonly = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"title": "renamed"})
        assert readonly.status_code == 400 and "read-only" in readonly.json()["message"]
        reopened = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"},
                                json={"status": "open", "title": "renamed"}, headers=REPRESENTATION).json()[0]
        assert (reopened["status"], reopened["title"], reopened["resolved"], reopened["closed"]) == \
            ("open", "renamed", None, None)


def test_edits_write_canonical_values_and_a_history_row(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        changed = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"},
                               json={"severity": "p1", "type": "technicalDebt"}, headers=REPRESENTATION).json()[0]
        assert (changed["severity"], changed["type"]) == ("Critical", "technical_debt")
        assert history(client, incident["id"])[0]["type"] == "incident.updated"
        bad = client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"severity": "loud"})
        assert bad.status_code == 400 and "severity" in bad.json()["message"]
        assert client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"},
                            json={"incident_id": "INC-0"}).status_code == 400
        assert client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"},
                            json={"nope": 1}).json()["code"] == "PGRST204"


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=-5)])
def test_a_conditional_patch_matches_only_the_version_the_client_saw(server, offset):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        seen = datetime.fromisoformat(incident["updated_at"]).astimezone(timezone(offset)).isoformat()
        where = {"id": f"eq.{incident['id']}", "updated_at": f"eq.{seen}"}
        first = client.patch("/db/incidents", params=where, json={"status": "mitigated"}, headers=REPRESENTATION)
        assert first.status_code == 200 and len(first.json()) == 1  # same instant, whatever the offset
        second = client.patch("/db/incidents", params=where, json={"status": "resolved"}, headers=REPRESENTATION)
        assert second.status_code == 200 and second.json() == []  # someone changed it: no row back
        assert client.get("/db/incidents", params={"id": f"eq.{incident['id']}"}).json()[0]["status"] == "mitigated"


def test_patch_and_delete_need_a_filter(admin):
    assert admin.patch("/db/incidents", json={"title": "all of them"}).status_code == 400
    assert admin.delete("/db/comments").status_code == 400


def test_post_creates_an_incident_as_mission_controls_web_ui_does(server):
    with server.client("responder") as client:
        me = client.get("/auth/whoami").json()["id"]
        someone_else = client.get("/db/people", params={"email": f"eq.{ADMIN.email}"}).json()[0]["id"]
        body = {"id": "0b0e7c59-6f5f-4a5c-9c1e-1d2f3a4b5c6d", "title": "API down", "description": "",
                "type": "availability", "severity": "low", "status": "open", "created_by": me,
                "commander_id": me, "communicator_id": me, "created_at": "now()", "updated_at": "now()"}
        answer = client.post("/db/incidents", params={"select": "*"}, json=body, headers=REPRESENTATION)
        assert answer.status_code == 201, answer.text
        created = answer.json()[0]
        assert created["id"] == body["id"] and created["incident_id"].startswith("INC-")
        assert (created["severity"], created["created_by"]) == ("Low", me)  # canonical, credited to the token
        assert history(client, created["id"]) == [{"type": "incident.created", "description": "API down",
                                                   "created_by": {"name": RESPONDER.name}}]
        assert client.post("/db/incidents", json={**body, "id": None, "status": "closed"}).status_code == 400
        assert client.post("/db/incidents", json={**body, "id": None, "created_by": someone_else}).status_code == 400
        assert client.post("/db/incidents", json={"title": ""}).status_code == 400


def test_responders_and_comments_through_the_tables(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        me = client.get("/auth/whoami").json()["id"]
        added = client.post("/db/responders", params={"select": "*"}, headers=REPRESENTATION, json={
            "type": "system", "incident_id": incident["id"], "created_by": me,
            "properties": {"responderType": {"value": "jira", "label": "Jira"}, "project": "OPS", "issueType": "Bug",
                           "summary": "db down"}})
        assert added.status_code == 201, added.text
        responder = added.json()[0]
        assert responder["properties"] == {"responderType": "jira", "project": "OPS", "issueType": "Bug",
                                           "summary": "db down"}
        incomplete = client.post("/db/responders", json={"type": "system", "incident_id": incident["id"],
                                                         "properties": {"responderType": "jira"}})
        assert incomplete.status_code == 400 and "Summary is required" in incomplete.json()["message"]
        assert history(client, incident["id"])[0]["type"] == "responder.created"
        before = len(history(client, incident["id"]))
        removed = client.patch("/db/responders", params={"id": f"eq.{responder['id']}"},
                               json={"deleted_at": "now()"}, headers=REPRESENTATION).json()[0]
        assert removed["deleted_at"] is not None
        after = history(client, incident["id"])  # same instant (the clock is frozen): compare as sets
        assert len(after) == before + 1 and {"type": "responder.removed", "description": "jira",
                                             "created_by": {"name": RESPONDER.name}} in after
        comment = client.post("/db/comments", headers=REPRESENTATION, json={
            "incident_id": incident["id"], "comment": "looking"}).json()[0]
        assert comment["created_by"] == me
        assert client.delete("/db/comments", params={"id": f"eq.{comment['id']}"}).status_code == 204
        assert client.get("/db/comments", params={"id": f"eq.{comment['id']}"}).json() == []


def test_rpc_writes_are_atomic_and_answer_the_row(server):
    with server.client("responder") as client:
        made = client.post("/rpc/incident_create", json={"title": "disk full", "severity": "High",
                                                         "type": "availability"})
        assert made.status_code == 200, made.text
        incident = made.json()
        assert (incident["title"], incident["status"], incident["severity"]) == ("disk full", "open", "High")
        moved = client.post("/rpc/incident_transition", json={
            "id": incident["id"], "to": "mitigated", "note": "failed over",
            "expected_updated_at": incident["updated_at"]})
        assert moved.status_code == 200 and moved.json()["status"] == "mitigated"
        stale = client.post("/rpc/incident_transition", json={
            "id": incident["id"], "to": "resolved", "note": "lost", "expected_updated_at": incident["updated_at"]})
        assert stale.status_code == 409
        comments = client.get("/db/comments", params={"incident_id": f"eq.{incident['id']}"}).json()
        assert [c["comment"] for c in comments] == ["failed over"]  # the stale note was not kept either
        bad = client.post("/rpc/incident_transition", json={
            "id": incident["id"], "to": "closed", "expected_updated_at": moved.json()["updated_at"]})
        assert bad.status_code == 400 and bad.json()["code"] == "P0001"
        acked = client.post("/rpc/incident_acknowledge", json={
            "id": incident["id"], "expected_updated_at": moved.json()["updated_at"]}).json()
        me = client.get("/auth/whoami").json()["id"]
        assert acked["acknowledged"] is not None and acked["commander_id"] == me
        edited = client.post("/rpc/incident_update", json={
            "id": incident["id"], "changes": {"title": "disk really full"}, "expected_updated_at": acked["updated_at"]})
        assert edited.json()["title"] == "disk really full"
        responder = client.post("/rpc/responder_add", json={"incident_id": incident["id"], "kind": "person",
                                                            "person_id": me}).json()
        assert responder["person_id"] == me
        assert client.post("/rpc/responder_remove", json={"id": responder["id"]}).json()["deleted_at"] is not None
        comment = client.post("/rpc/comment_add", json={"incident_id": incident["id"], "text": "done"}).json()
        assert comment["comment"] == "done" and comment["created_by"] == me
        assert client.post("/rpc/nothing", json={}).status_code == 404
        assert client.post("/rpc/comment_add", json={"incident_id": incident["id"]}).status_code == 400
        assert client.post("/rpc/comment_add", content=b"{not json").status_code == 400
