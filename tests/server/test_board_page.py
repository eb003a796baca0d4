"""`/rpc/incidents_page` on a real `incidents serve`: the board's query as JSON (tui.domain.wire),
answered as the token's person (`commander:@me` is theirs); bad arguments a 400 sentence, a viewer a 403."""

from __future__ import annotations

import pytest

from tests.live_server import ADMIN
from tests.server.conftest import first_open_incident
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentRow
from tui.domain.wire import query_to_json


def test_a_page_and_its_count_in_one_answer(server):
    with server.client("responder") as client:
        answer = client.get("/rpc/incidents_page", params={"query": query_to_json(parse_filter("status:active")),
                                                           "offset": "2", "limit": "3"})
        every = client.get("/db/incidents", params={"select": "id", "status": "in.(open,mitigated)"},
                           headers={"Prefer": "count=exact"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = [IncidentRow.model_validate(row) for row in body["rows"]]
    assert len(rows) == 3 and body["offset"] == 2
    assert body["total"] == int(every.headers["content-range"].rpartition("/")[2]) > 3


def test_me_is_the_token_s_person(server):
    with server.client("admin") as client:
        admin = client.get("/db/people", params={"select": "id", "email": f"eq.{ADMIN.email}"}).json()[0]["id"]
        incident = first_open_incident(client)
        client.patch("/db/incidents", params={"id": f"eq.{incident['id']}"}, json={"commander_id": admin})
        mine = client.post("/db/rpc/incidents_page", json={"query": query_to_json(parse_filter("commander:@me"))})
    assert [row["id"] for row in mine.json()["rows"]] == [incident["id"]]


@pytest.mark.parametrize(("arguments", "sentence"), [
    ({"query": "{not json"}, "The query is not one the board could ask"),
    ({"query": '{"status": {"values": ["sideways"]}}'}, "The query is not one the board could ask"),
    ({"query": '{"age": [{"newer": true, "age": "P99999999D"}]}'}, "an age is negative or too long ago"),
    ({"query": '{"links": [{"field": "config", "names": []}]}'}, "a people or link clause names nobody"),
    ({"limit": "100000"}, "limit must be a whole number from 0 to 2000"),
    ({"offset": "-1"}, "offset must be a whole number"),
])
def test_bad_arguments_are_a_400_sentence(server, arguments, sentence):
    with server.client("responder") as client:
        answer = client.get("/rpc/incidents_page", params=arguments)
    assert answer.status_code == 400 and sentence in answer.json()["message"]


def test_a_viewer_may_not_read_the_board(server):
    with server.client("viewer") as client:
        assert client.get("/rpc/incidents_page").status_code == 403
