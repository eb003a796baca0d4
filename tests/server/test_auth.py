"""Every request is authenticated and authorised: 401 without a valid token, 403 (PostgREST-style
JSON and X-Rbac-* headers) for a role that may not; / and /health answer anyone."""

from __future__ import annotations

import base64

import pytest

from tests.live_server import RESPONDER, VIEWER
from tui.server.tokens import PREFIX, list_tokens, revoke_token


def test_health_needs_no_token(server):
    with server.client(None) as anyone:
        for path in ("/", "/health"):
            answer = anyone.get(path)
            assert answer.status_code == 200 and answer.json() == {"status": "ok"}


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer itui_nope", "Bearer not-even-close",
                                           "Token abc", "Basic !!!"])
def test_no_valid_token_is_401(server, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with server.client(None, **headers) as anyone:
        for path in ("/db/incidents", "/db/people", "/auth/whoami"):
            answer = anyone.get(path)
            assert answer.status_code == 401, path
            assert answer.json()["code"] in ("PGRST301", "PGRST302") and "WWW-Authenticate" in answer.headers


def test_a_wrong_secret_for_a_real_token_id_is_401(server):
    forged = server.tokens["admin"][:-4] + "AAAA"
    with server.client(None, Authorization=f"Bearer {forged}") as client:
        assert client.get("/db/incidents").status_code == 401


def test_basic_auth_takes_the_token_as_password(server):
    credential = base64.b64encode(f"token:{server.tokens['responder']}".encode()).decode()
    with server.client(None, Authorization=f"Basic {credential}") as client:
        assert client.get("/db/incidents", params={"limit": "1"}).status_code == 200


def test_whoami_is_the_tokens_person(server):
    with server.client("responder") as client:
        me = client.get("/auth/whoami").json()
    assert (me["name"], me["email"], me["role"]) == (RESPONDER.name, RESPONDER.email, "responder")
    assert me["payload"]["user"]["id"] == me["id"]


def test_a_viewer_cannot_read_or_write_incidents(server):
    with server.client("viewer") as viewer, server.client("admin") as admin:
        incident = admin.get("/db/incidents", params={"limit": "1"}).json()[0]
        me = viewer.get("/auth/whoami").json()
        for method, path, body in [("GET", "/db/incidents", None), ("GET", "/db/incident_summary", None),
                                   ("GET", "/db/responders", None),
                                   ("PATCH", f"/db/incidents?id=eq.{incident['id']}", {"title": "mine now"}),
                                   ("POST", "/db/comments", {"incident_id": incident["id"], "comment": "hi"}),
                                   ("DELETE", f"/db/comments?incident_id=eq.{incident['id']}", None),
                                   ("POST", "/rpc/comment_add", {"incident_id": incident["id"], "text": "hi"})]:
            answer = viewer.request(method, path, json=body)
            assert answer.status_code == 403, (method, path)
            assert answer.json()["code"] == "42501" and answer.json()["message"]
            assert answer.headers["X-Rbac-Object"] == "incident"
            assert answer.headers["X-Rbac-Subject"] == me["id"]
            assert answer.headers["X-Rbac-Action"] in ("read", "create", "update", "delete")
        assert viewer.get("/db/people", params={"limit": "1"}).status_code == 200  # the directory is readable
        after = admin.get("/db/incidents", params={"id": f"eq.{incident['id']}"}).json()[0]
        assert after == incident


def test_a_viewer_cannot_read_incidents_embedded_in_what_it_may_read(server):
    """Found by the role fuzzer: embeds (and !inner filters) in people or config items showed
    a viewer the incidents, evidence and hypotheses it may not read."""
    with server.client("viewer") as viewer:
        for table, select in [("people", "id,name,x:incidents!commander_id(id,title)"),
                              ("config_items", "id,name,incidents_by_config(id,title)"),
                              ("config_items", "id,evidences!inner(id)"),
                              ("checks", "id,evidences(hypothesis_id(incident_id(title)))")]:
            answer = viewer.get(f"/db/{table}", params={"select": select})
            assert answer.status_code == 403, (table, select, answer.text[:200])
            assert answer.headers["X-Rbac-Object"] == "incident" and answer.headers["X-Rbac-Action"] == "read"
        assert viewer.get("/db/config_items", params={"select": "id,name", "limit": "1"}).status_code == 200


def test_only_admins_write_people(server):
    with server.client("responder") as responder:
        answer = responder.post("/db/people", json={"name": "Mallory"})
        assert answer.status_code == 403 and answer.headers["X-Rbac-Object"] == "people"
    with server.client("admin") as admin:
        assert admin.post("/db/people", json={"name": "Mallory"}).status_code == 201


def test_a_revoked_token_stops_working_at_once(server):
    with server.client("responder") as client:
        assert client.get("/db/incidents", params={"limit": "1"}).status_code == 200
        revoke_token(server.database, "responder")
        assert client.get("/db/incidents", params={"limit": "1"}).status_code == 401
    assert "responder" not in [token.name for token in list_tokens(server.database)]


def test_tokens_are_stored_hashed(server):
    with server.database.read() as conn:
        stored = " ".join(str(value) for row in conn.exec_driver_sql("SELECT * FROM api_tokens") for value in row)
    for token in server.tokens.values():
        # itui_<id>_<secret>: the secret (urlsafe base64, which may hold "_" itself) is all after the id.
        secret = token.removeprefix(PREFIX).partition("_")[2]
        assert len(secret) >= 40 and secret not in stored
    assert VIEWER.email in [token.person.email for token in list_tokens(server.database)]
