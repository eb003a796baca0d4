"""The metrics screen's data from a server: our `incidents serve` computes it from aggregates
(`GET /rpc/incident_metrics?days=30`); a plain PostgREST, such as Mission Control's, has no such function."""

from __future__ import annotations

from pydantic import ValidationError

from ...domain.metrics import Metrics
from ..base import BackendError, Unavailable
from .http import Http

FUNCTION = "/db/rpc/incident_metrics"


def fetch_metrics(http: Http, days: int) -> Metrics:
    answer = http.read(FUNCTION, [("days", str(days))], accept=frozenset({404}))  # a read: retried
    if answer.status_code == 404:
        raise BackendError(f"The server at {http.url} does not compute metrics (it is not incidents serve, "
                           "or an older one); open the database itself to see them.")
    try:
        return Metrics.model_validate(Http.json(answer, http.url))
    except ValidationError:
        raise Unavailable(f"The server at {http.url} answered the metrics with something else.") from None
