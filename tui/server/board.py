"""The board's page as one read function: `GET /rpc/incidents_page?query=<json>&offset=0&limit=50`
answers `{"rows": [...], "total": n, "offset": 0}`.

The client sends the query itself (tui.domain.wire), and the server answers it with the SQL
backend's own `list_incidents`, acting as the token's person (`commander:@me`): the same indexes,
the same order, a deep page (`G`) read from the nearer end of the result, `config:`/`check:`
driven from the matching items, and the page and its count in one round trip. A plain PostgREST
has no such function; the API backend then spells the query out in filters (tui.store.api.compile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.models import Person
from ..domain.query import Window
from ..domain.wire import BadQuery, query_from_json
from ..store.sql import SqlBackend, SqlDatabase
from .errors import bad_body
from .query import MAX_ROWS


def _whole_number(arguments: dict[str, Any], name: str, default: int, most: int) -> int:
    value = arguments.get(name, default)
    if isinstance(value, str) and value.isascii() and value.isdigit():  # from a query string
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise bad_body(f"{name} must be a whole number from 0 to {most}")
    return value


def _page(database: SqlDatabase, person: Person, arguments: dict[str, Any]) -> Any:
    text = arguments.get("query", "{}")
    try:
        query = query_from_json(text if isinstance(text, str) else "")
    except BadQuery as error:
        raise bad_body(str(error)) from None
    window = Window(_whole_number(arguments, "offset", 0, 2**62), _whole_number(arguments, "limit", 50, MAX_ROWS))
    page = SqlBackend(database, person).list_incidents(query, window)
    return {"rows": [row.model_dump(mode="json") for row in page.rows], "total": page.total,
            "offset": page.offset}


READS: dict[str, Callable[[SqlDatabase, Person, dict[str, Any]], Any]] = {"incidents_page": _page}
"""Name -> the answer as JSON values, computed as the token's person (who must be allowed to read incidents)."""
