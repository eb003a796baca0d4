"""An `IncidentQuery` as JSON, so a client can hand the query itself to a server (`incidents serve`'s
/rpc/incidents_page) and the server answers it exactly as the SQL backend does: with the same
indexes, the same order and the same paging, instead of the client spelling it out in PostgREST
filters (and sending back the ids a `config:` filter matches)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import TypeAdapter, ValidationError

from .messages import sentences
from .query import MAX_AGE, IncidentQuery

_QUERY = TypeAdapter(IncidentQuery)


class BadQuery(ValueError):
    """The text is not a query; the message says why in sentences."""


def query_to_json(query: IncidentQuery) -> str:
    return _QUERY.dump_json(query).decode()


def query_from_json(text: str) -> IncidentQuery:
    """The query, if the filter bar could have asked it (tui.domain.grammar); else BadQuery."""
    try:
        query = _QUERY.validate_json(text)
    except ValidationError as error:
        raise BadQuery(f"The query is not one the board could ask: {sentences(error.errors())}") from None
    if any(not clause.names for clause in query.people) or any(not clause.names for clause in query.links):
        raise BadQuery("The query is not one the board could ask: a people or link clause names nobody.")
    if any(not timedelta(0) <= clause.age <= MAX_AGE for clause in query.age):
        raise BadQuery("The query is not one the board could ask: an age is negative or too long ago.")
    return query
