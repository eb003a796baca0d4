"""An `IncidentQuery` as JSON, so a client can hand the query itself to a server (`incidents serve`'s
/rpc/incidents_page) and the server answers it exactly as the SQL backend does: with the same
indexes, the same order and the same paging, instead of the client spelling it out in PostgREST
filters (and sending back the ids a `config:` filter matches)."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from .messages import sentences
from .query import IncidentQuery

_QUERY = TypeAdapter(IncidentQuery)


class BadQuery(ValueError):
    """The text is not a query; the message says why in sentences."""


def query_to_json(query: IncidentQuery) -> str:
    return _QUERY.dump_json(query).decode()


def query_from_json(text: str) -> IncidentQuery:
    try:
        return _QUERY.validate_json(text)
    except ValidationError as error:
        raise BadQuery(f"The query is not one the board could ask: {sentences(error.errors())}") from None
