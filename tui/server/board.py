"""The board's reads as functions, each one request instead of several:

    GET /rpc/incidents_page?query=<json>&offset=0&limit=50   {"rows": [...], "total": n, "exact": true, "offset": 0}
    GET /rpc/incidents_by_severity?query=<json>              {"Critical": n, "High": n, ...}
    GET /rpc/changes_stamped?since=<time>|first=true         {"rows": [{"source", "id", "owner", "stamp"}]}

The client sends the query itself (tui.domain.wire), and the server answers it with the SQL
backend's own `list_incidents`, acting as the token's person (`commander:@me`): the same indexes,
the same order, a deep page (`G`) read from the nearer end of the result, `config:`/`check:`
driven from the matching items, and the page and its count in one round trip; `exact` false when
the backend stopped counting at `total` (tui.store.base.Count: shown as "10,000+"). A plain PostgREST
has no such function; the API backend then spells the query out in filters (tui.store.api.compile).

`changes_stamped` answers what the API backend's change watcher otherwise asks table by table
(tui.store.api.changes: seven requests a look): the rows stamped since LOOK_BACK before `since`
(every stamped row without it), or, with `first=true`, before the newest stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.models import Person
from ..domain.query import IncidentQuery, Window
from ..domain.wire import BadQuery, query_from_json
from ..store.sql import SqlBackend, SqlDatabase
from ..store.sql.changes import ChangeWatcher
from .errors import bad_body
from .query import MAX_ROWS
from .values import parse_instant, to_json


def _whole_number(arguments: dict[str, Any], name: str, default: int, most: int) -> int:
    value = arguments.get(name, default)
    if isinstance(value, str) and value.isascii() and value.isdigit():  # from a query string
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise bad_body(f"{name} must be a whole number from 0 to {most}")
    return value


def _query(arguments: dict[str, Any]) -> IncidentQuery:
    text = arguments.get("query", "{}")
    try:
        return query_from_json(text if isinstance(text, str) else "")
    except BadQuery as error:
        raise bad_body(str(error)) from None


def _page(database: SqlDatabase, person: Person, arguments: dict[str, Any]) -> Any:
    query = _query(arguments)
    window = Window(_whole_number(arguments, "offset", 0, 2**62), _whole_number(arguments, "limit", 50, MAX_ROWS))
    page = SqlBackend(database, person).list_incidents(query, window)
    return {"rows": [row.model_dump(mode="json") for row in page.rows], "total": page.total,
            "exact": page.exact, "offset": page.offset}


def _by_severity(database: SqlDatabase, person: Person, arguments: dict[str, Any]) -> Any:
    counts = SqlBackend(database, person).count_by_severity(_query(arguments))
    return {getattr(severity, "value", severity): count for severity, count in counts.items()}


def _changes(database: SqlDatabase, _person: Person, arguments: dict[str, Any]) -> Any:
    since = arguments.get("since")
    if since is not None and not isinstance(since, str):
        raise bad_body("since must be a time, as in 2026-12-03T17:00:00+00:00")
    watcher = ChangeWatcher(database.engine, database.location, database.missing_columns)
    rows = watcher.stamped_rows(parse_instant(since) if since else None, first=arguments.get("first") in ("true", True))
    return {"rows": [{"source": row.source, "id": to_json(row.id), "owner": to_json(row.incident_id),
                      "stamp": to_json(row.stamp)} for row in rows]}


READS: dict[str, Callable[[SqlDatabase, Person, dict[str, Any]], Any]] = {
    "incidents_page": _page, "incidents_by_severity": _by_severity, "changes_stamped": _changes}
"""Name -> the answer as JSON values, computed as the token's person (who must be allowed to read incidents)."""
