"""The metrics screen's data from a server: our `incidents serve` computes it from aggregates
(`POST /rpc/incident_metrics`); a plain PostgREST, such as Mission Control's, has no such function."""

from __future__ import annotations

from pydantic import ValidationError

from ...domain.metrics import Metrics
from ..base import BackendError, Unavailable
from .http import Http

FUNCTION = "/db/rpc/incident_metrics"


def fetch_metrics(http: Http, days: int) -> Metrics:
    answer = http.write("POST", FUNCTION, body={"days": days}, prefer=None, accept=frozenset({404}))
    if answer.status_code == 404:
        raise BackendError(f"The server at {http.url} does not compute metrics (it is not incidents serve, "
                           "or an older one); open the database itself to see them.")
    try:
        return Metrics.model_validate(Http.json(answer, http.url))
    except ValidationError:
        raise Unavailable(f"The server at {http.url} answered the metrics with something else.") from None
