"""`/rpc/incident_metrics` on a real `incidents serve`: GET with a query string as PostgREST takes a
read-only function, POST with a body, bad arguments a 400 sentence, a viewer a 403."""

from __future__ import annotations

import pytest

from tui.domain.metrics import Metrics


@pytest.mark.parametrize("call", ["get", "post"])
def test_metrics_by_get_or_post(server, call):
    with server.client("responder") as client:
        answer = (client.get("/rpc/incident_metrics", params={"days": "7"}) if call == "get"
                  else client.post("/db/rpc/incident_metrics", json={"days": 7}))
    assert answer.status_code == 200, answer.text
    metrics = Metrics.model_validate(answer.json())
    assert metrics.days == 7 and metrics.active == sum(answer.json()["active_by_severity"].values()) > 0


@pytest.mark.parametrize("days", ["0", "-3", "seven", "100000"])
def test_a_bad_window_is_a_400_sentence(server, days):
    with server.client("responder") as client:
        answer = client.get("/rpc/incident_metrics", params={"days": days})
    assert answer.status_code == 400 and "days must be a whole number of days" in answer.json()["message"]


def test_a_viewer_may_not_read_incident_metrics(server):
    with server.client("viewer") as client:
        assert client.get("/rpc/incident_metrics").status_code == 403


def test_a_write_function_is_not_called_by_get(server):
    with server.client("admin") as client:
        assert client.get("/rpc/incident_create", params={"title": "x"}).status_code == 405
