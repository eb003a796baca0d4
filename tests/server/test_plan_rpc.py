"""The action plan's /rpc functions over HTTP: what a client that is not ours meets (bad arguments,
a viewer's token, a second link), and the history credited to the token's person."""

from __future__ import annotations

from tests.live_server import RESPONDER
from tests.server.conftest import first_open_incident
from tests.server.test_writes import history


def test_linking_through_rpc_credits_the_token_holder_and_refuses_a_second_link(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        config = client.get("/db/config_items", params={"select": "id,name", "name": "eq.kafka"}).json()[0]
        body = {"incident_id": incident["id"], "config_id": config["id"], "definition_of_done": True}
        linked = client.post("/rpc/evidence_add", json=body, params={"select": "id,type,definition_of_done,done"})
        assert linked.status_code == 200, linked.text
        assert {k: v for k, v in linked.json().items() if k != "id"} == {"type": "config", "definition_of_done": True,
                                                                        "done": False}
        assert history(client, incident["id"])[0] == {"type": "evidence.created",
                                                       "description": "config item kafka (definition of done)",
                                                       "created_by": {"name": RESPONDER.name}}
        again = client.post("/rpc/evidence_add", json=body)
        assert again.status_code == 400 and "already linked" in again.json()["message"]
        removed = client.post("/rpc/evidence_remove", json={"id": linked.json()["id"]}, params={"select": "type"})
        assert removed.status_code == 200 and removed.json() == {"type": "root"}  # the hypothesis it was under
        gone = client.post("/rpc/evidence_remove", json={"id": linked.json()["id"]})
        assert gone.status_code == 404 and "no longer on the incident" in gone.json()["message"]


def test_bad_plan_arguments_are_400_and_a_viewer_is_403(server):
    with server.client("responder") as client:
        incident = first_open_incident(client)
        missing = client.post("/rpc/hypothesis_add", json={"title": "no incident"})
        assert missing.status_code == 400 and "incident_id" in missing.json()["message"]
        unknown = client.post("/rpc/hypothesis_add", json={"incident_id": incident["id"], "title": "x",
                                                           "type": "maybe"})
        assert unknown.status_code == 400 and "type" in unknown.json()["message"]
        nothing = client.post("/rpc/evidence_add", json={"incident_id": incident["id"]})
        assert nothing.status_code == 400 and "one config item, one health check, or some text" in \
            nothing.json()["message"]
    with server.client("viewer") as client:
        denied = client.post("/rpc/hypothesis_add", json={"incident_id": incident["id"], "title": "viewer's idea"})
        assert denied.status_code == 403
