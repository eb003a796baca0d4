"""The API backend: tui.store.base.Backend over a PostgREST-style server (Mission Control's, or
`incidents serve`), acting as the token's person.

Reads are lenient as the SQL backend's (tui.domain.models.read_row, Unreadable). Writes go
to our server's /rpc functions, each one transaction there; against a plain PostgREST (no
/rpc) they become conditional PATCHes and POSTs, and a write of several requests that fails
half-way says what was done.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
from pydantic import ValidationError

from ...domain import clock, lifecycle
from ...domain.enums import Severity, Status, parse_severity
from ...domain.metrics import Metrics
from ...domain.models import (
    Check,
    ConfigItem,
    Incident,
    IncidentDetail,
    IncidentDraft,
    IncidentEdit,
    IncidentRow,
    Person,
    Responder,
    ResponderDraft,
    ResponderKind,
    Team,
    TimelineEntry,
    TimelineKind,
    read_row,
)
from ...domain.query import ME, EnumClause, IncidentQuery, LinkField, Window
from ...domain.wire import query_to_json
from ..base import BackendError, Changes, Conflict, NotFound, Page, Unavailable, Unreadable
from . import compile as api
from .catalog import CatalogReads
from .changes import ChangeWatcher
from .http import Http, Params
from .metrics import fetch_metrics
from .plan import CHECK_ITEM, HYPOTHESES, HYPOTHESES_ORDER, PlanApi, read_plan
from .rules import RuleRequests

log = logging.getLogger("incidents.api")

ROW_CAP = 2000
"""Rows asked for in one request at most: Mission Control's PostgREST answers no more (NOTES §6.1)."""
RESPONDERS_SHOWN = 5
PERSON = "id,name,email,avatar"
RESPONDER = (f"id,incident_id,type,external_id,properties,acknowledged,created_at,person:person_id({PERSON}),"
             "team:team_id(id,name,icon)")
BOARD = ("id,incident_id,title,severity,status,type,created_at,updated_at,commander:commander_id(name),"
         "responders(created_at,type,properties,person:person_id(name),team:team_id(name)),"
         "hypotheses(evidences(config_id,check_id))")
_BOARD_EMBEDS = [("responders.deleted_at", "is.null"), ("responders.order", "created_at.asc,id.asc"),
                 ("responders.limit", str(RESPONDERS_SHOWN))]
NOTICE_PLAIN = ("The server has no rank columns (a plain PostgREST): severity, status and type sort by their "
                "stored text, and filters compare every known spelling.")
NOTICE_NO_AGGREGATES = "The server has no aggregates: severity counts take one request per severity."
NOTICE_NO_RPC = ("The server has no /rpc functions (a plain PostgREST): a change of several steps is made in "
                 "several requests, and one that fails half-way says what was done.")


class ApiBackend(CatalogReads, RuleRequests, PlanApi):
    """Open it with `open_api_backend`. `notices` holds a sentence for each way the server is less
    than ours (no rank columns, no aggregates, no /rpc), for the UI to show once."""

    def __init__(self, http: Http, me: Person) -> None:
        self._http = http
        self.url = http.url
        self._me = me
        self.notices: list[str] = []
        self._known_dialect: api.Dialect | None = None
        self._aggregates: bool | None = None
        self._has_rpc = True
        self._board_functions = True
        """Until the server says it has none of tui.server.board's functions (a plain PostgREST)."""
        self._changes = ChangeWatcher(self._get, self._served_changes)

    def __repr__(self) -> str:
        return f"ApiBackend({self.url!r}, as {self._me.name!r})"

    def _notice(self, sentence: str) -> None:
        if sentence not in self.notices:
            self.notices.append(sentence)
            log.info("%s: %s", self.url, sentence)

    @property
    def _dialect(self) -> api.Dialect:
        """Found out on the first query (a token that may not read incidents still opens)."""
        if self._known_dialect is None:
            answer = self._http.read("/db/incidents", [("select", ",".join(("id", *api.SORT_COLUMNS))),
                                                      ("limit", "0")], accept=frozenset({400}))
            self._known_dialect = api.Dialect(sort_columns=answer.status_code != 400)
            if not self._known_dialect.sort_columns:
                self._notice(NOTICE_PLAIN)
        return self._known_dialect

    # -- plumbing -------------------------------------------------------------------------

    def _json(self, response: httpx.Response) -> Any:
        return Http.json(response, self.url)

    def _get(self, table: str, params: Params) -> list[dict[str, Any]]:
        rows = self._json(self._http.read(f"/db/{table}", params))
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise Unavailable(f"The server at {self.url} answered {table} with something other than rows.")
        return rows

    def _all(self, table: str, params: Params) -> list[dict[str, Any]]:
        """Every matching row, ROW_CAP at a time (the params must order the rows)."""
        rows: list[dict[str, Any]] = []
        while True:
            page = self._get(table, [*params, ("limit", str(ROW_CAP)), ("offset", str(len(rows)))])
            rows += page
            if len(page) < ROW_CAP:
                return rows

    def changes_since(self, mark: object | None) -> Changes:
        return self._changes.changes_since(mark)

    def close(self) -> None:
        self._http.close()

    # -- people and catalog -----------------------------------------------------------------

    def whoami(self) -> Person:
        return self._me

    def list_people(self) -> list[Person]:
        rows = self._all("people", [("select", PERSON), ("deleted_at", "is.null"), ("order", "name.asc,id.asc")])
        found = [person for person in map(_person, rows) if person is not None and not person.is_system]
        return sorted(found, key=lambda person: person.name.lower())

    def list_teams(self) -> list[Team]:
        rows = self._all("teams", [("select", "id,name,icon"), ("deleted_at", "is.null"), ("order", "name.asc,id.asc")])
        teams = [Team.model_validate(row) for row in rows if row.get("name") is not None]
        return sorted(teams, key=lambda team: team.name.lower())

    def search_configs(self, text: str, limit: int = 50) -> list[ConfigItem]:
        rows = self._named("config_items", "id,name,type,health,status", text, limit)
        return [ConfigItem.model_validate(row) for row in rows]

    def search_checks(self, text: str, limit: int = 50) -> list[Check]:
        rows = self._named("checks", CHECK_ITEM, text, limit, [_LAST_STATUS])
        return [_check(row) for row in rows]

    def _named(self, table: str, select: str, text: str, limit: int,
               extra: Params = ()) -> list[dict[str, Any]]:
        named = api.contains("name", text.strip()) if text.strip() else "name.not.is.null"
        rows = self._get(table, [("select", select), ("deleted_at", "is.null"), *api.where([named]),
                                 ("order", "name.asc,id.asc"), ("limit", str(max(0, min(limit, ROW_CAP)))), *extra])
        return sorted(rows, key=lambda row: str(row["name"]).lower())

    # -- the board ------------------------------------------------------------------------

    def _conditions(self, query: IncidentQuery) -> list[str]:
        lookups = api.Lookups(me=lambda: self._me.id, people_named=self._people_named,
                              responding=self._responding, linked=self._linked)
        return api.conditions(query, self._dialect, lookups, clock.utcnow())

    def _where(self, query: IncidentQuery) -> list[tuple[str, str]]:
        return api.where(self._conditions(query))

    def list_incidents(self, query: IncidentQuery, window: Window) -> Page[IncidentRow]:
        served = self._served_page(query, window)
        if served is not None:
            return served
        where = self._where(query)
        total = self._count("incidents", where)
        offset = max(window.offset, 0)
        end = min(offset + max(window.limit, 0), total)
        if offset > total // 2 and query.exact_id is None:  # a deep page (G): the server skips total - end rows
            backwards = self._rows(query, where, Window(total - end, max(end - offset, 0)), backwards=True)
            return Page(rows=tuple(reversed(list(backwards))), total=total, offset=window.offset)
        rows = tuple(self._exact_id_first(query, where, Window(offset, max(end - offset, 0))))
        return Page(rows=rows, total=total, offset=window.offset)

    def _exact_id_first(self, query: IncidentQuery, where: Params, window: Window) -> Iterator[IncidentRow]:
        """`INC-31` typed in the filter lists INC-31 first, as the SQL backend orders it. PostgREST orders
        by columns only, so that incident is asked for on its own and the rest of the result follows it,
        one row further on (any PostgREST can answer both)."""
        typed = query.exact_id
        exact = [] if typed is None else list(self._rows(query, [*where, ("incident_id", f"eq.{typed}")], Window(0, 1)))
        if not exact:
            return self._rows(query, where, window)
        rest = [*where, ("incident_id", f"neq.{typed}")]
        if window.offset > 0:
            return self._rows(query, rest, Window(window.offset - 1, window.limit))
        return itertools.chain(exact[: window.limit], self._rows(query, rest, Window(0, window.limit - 1)))

    def _served(self, function: str, params: Params) -> Any:
        """The answer of one of our server's board functions (tui.server.board), or None from a server
        without them (a plain PostgREST: the board then asks in PostgREST's own terms)."""
        if not self._board_functions:
            return None
        answer = self._http.read(f"/db/rpc/{function}", params, accept=frozenset({404}))
        if answer.status_code == 404:
            self._board_functions = False
            log.info("%s has no board functions: the board asks with PostgREST filters", self.url)
            return None
        return self._json(answer)

    def _served_page(self, query: IncidentQuery, window: Window) -> Page[IncidentRow] | None:
        """The page and its count in one request, answered as the SQL backend answers it."""
        body = self._served("incidents_page", [("query", query_to_json(query)), ("offset", str(max(window.offset, 0))),
                                               ("limit", str(min(max(window.limit, 0), ROW_CAP)))])
        if body is None:
            return None
        try:
            rows, total, exact = body["rows"], int(body["total"]), body.get("exact", True) is not False
            return Page(rows=tuple(read_row(row) for row in rows), total=total, offset=window.offset, exact=exact)
        except (KeyError, TypeError, ValueError):
            raise Unavailable(f"The server at {self.url} answered the board's page with something else.") from None

    def _served_changes(self, watermark: datetime | None, first: bool) -> list[dict[str, Any]] | None:
        """A look for changes in one request (tui.store.api.changes.Served)."""
        params = [("first", "true")] if first else [("since", watermark.isoformat())] if watermark else []
        body = self._served("changes_stamped", params)
        if body is None:
            return None
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise Unavailable(f"The server at {self.url} answered a look for changes with something else.")
        return rows

    def iter_incidents(self, query: IncidentQuery, window: Window) -> Iterator[IncidentRow]:
        """Our server's pages, ROW_CAP rows each (its filters, `config:` too); elsewhere `_rows`."""
        offset, end = max(window.offset, 0), max(window.offset, 0) + max(window.limit, 0)
        while offset < end:
            asked = min(end - offset, ROW_CAP)
            page = self._served_page(query, Window(offset, asked))
            if page is None:
                yield from self._exact_id_first(query, self._where(query), Window(offset, end - offset))
                return
            yield from page.rows
            if len(page.rows) < asked:
                return
            offset += asked

    def _rows(self, query: IncidentQuery, where: Params, window: Window, *,
              backwards: bool = False) -> Iterator[IncidentRow]:
        """The window's rows, ROW_CAP at a time (the most a Mission Control PostgREST answers);
        `backwards`: counted from the end of the result, last row first."""
        offset, wanted, read = max(window.offset, 0), max(window.limit, 0), 0
        base = [("select", BOARD), *where, ("order", api.order(query, self._dialect, backwards=backwards)),
                *_BOARD_EMBEDS]
        while read < wanted:
            asked = min(wanted - read, ROW_CAP)
            page = self._get("incidents", [*base, ("limit", str(asked)), ("offset", str(offset + read))])
            yield from map(_board_row, page)
            read += len(page)
            if len(page) < asked:
                return

    def _count(self, table: str, params: Params) -> int:
        """How many rows match: `Prefer: count=exact` and the total in Content-Range."""
        answer = self._http.read(f"/db/{table}", [("select", "id"), *params, ("limit", "1")], method="HEAD",
                                 prefer="count=exact", accept=frozenset({416}))
        total = answer.headers.get("content-range", "").rpartition("/")[2]
        if not total.isdigit():
            raise Unavailable(f"The server at {self.url} did not count the rows (no total in Content-Range).")
        return int(total)

    def count_by_severity(self, query: IncidentQuery) -> dict[Severity | str, int]:
        counts: dict[Severity | str, int] = dict.fromkeys(Severity, 0)
        served = self._served("incidents_by_severity", [("query", query_to_json(query))])
        if served is not None:
            return _add_counts(counts, served, self.url)
        where = self._where(query)
        if self._aggregates is not False:
            answer = self._http.read("/db/incidents", [("select", "severity,count()"), *where],
                                     accept=frozenset({400}))
            self._aggregates = answer.status_code != 400
            if self._aggregates:
                for group in self._json(answer):
                    severity = parse_severity(group.get("severity"))
                    counts[severity] = counts.get(severity, 0) + int(group.get("count") or 0)
                return counts
            self._notice(NOTICE_NO_AGGREGATES)
        return self._count_each_severity(query, counts)

    def _count_each_severity(self, query: IncidentQuery,
                             counts: dict[Severity | str, int]) -> dict[Severity | str, int]:
        """Without aggregates: a count per Severity, and the stored text of the rest."""
        conditions = self._conditions(query)
        known = EnumClause(frozenset(Severity))
        for severity in Severity:
            one = api.conditions(IncidentQuery(severity=EnumClause(frozenset({severity}))), self._dialect,
                                 _NO_LOOKUPS, clock.utcnow())
            counts[severity] = self._count("incidents", api.where(conditions + one))
        rest = api.conditions(IncidentQuery(severity=EnumClause(known.values, negated=True)), self._dialect,
                              _NO_LOOKUPS, clock.utcnow())
        for row in self._all("incidents", [("select", "id,severity"), *api.where(conditions + rest),
                                           ("order", "id.asc")]):
            stored = parse_severity(row.get("severity"))
            counts[stored] = counts.get(stored, 0) + 1
        return counts

    def find_incident(self, incident_id: str) -> UUID:
        wanted = incident_id.strip().upper()
        wanted = f"INC-{wanted}" if wanted.isdigit() else wanted
        rows = self._get("incidents", [("select", "id"), ("incident_id", f"eq.{wanted}"), ("limit", "1")])
        if not rows:
            raise NotFound(f"There is no incident {incident_id.strip()}.")
        return UUID(str(rows[0]["id"]))

    # -- lookups the filters need -----------------------------------------------------------------

    def _people_named(self, name: str) -> set[UUID]:
        named = api.either([api.contains("name", name), api.contains("email", name)])
        rows = self._all("people", [("select", "id"), *api.where([named]), ("order", "id.asc")])
        return {UUID(str(row["id"])) for row in rows}

    def _responding(self, name: str | None) -> set[UUID]:
        params: list[tuple[str, str]] = [("select", "incident_id"), ("deleted_at", "is.null"), ("order", "id.asc")]
        if name == ME:
            params.append(("person_id", f"eq.{self._me.id}"))
        elif name is not None:
            teams = self._all("teams", [("select", "id"), *api.where([api.contains("name", name)]),
                                        ("order", "id.asc")])
            people = self._people_named(name)
            team_ids = {str(row["id"]) for row in teams}
            if not people and not team_ids:
                return set()
            either = [api.in_list("person_id", people), api.in_list("team_id", team_ids)]
            params += api.where([api.either(either)])
        return {UUID(str(row["incident_id"])) for row in self._all("responders", params)}

    def _linked(self, field: LinkField, name: str | None) -> set[UUID]:
        column, table = ("config_id", "config_items") if field is LinkField.CONFIG else ("check_id", "checks")
        condition = f"{column}.not.is.null"
        if name is not None:
            targets = self._all(table, [("select", "id"), *api.where([api.contains("name", name)]),
                                        ("order", "id.asc")])
            if not targets:
                return set()
            condition = api.in_list(column, {row["id"] for row in targets})
        rows = self._all("evidences", [("select", "hypothesis:hypothesis_id(incident_id)"),
                                       *api.where([condition]), ("order", "id.asc")])
        return {UUID(str(row["hypothesis"]["incident_id"])) for row in rows if row.get("hypothesis")}

    # -- one incident ---------------------------------------------------------------------

    def get_incident(self, id: UUID) -> IncidentDetail:
        select = (f"*,creator:created_by({PERSON}),commander:commander_id({PERSON}),"
                  f"communicator:communicator_id({PERSON}),responders({RESPONDER}),"
                  f"{HYPOTHESES},"
                  f"incident_histories(created_by,created_at,type,description,actor:created_by({PERSON})),"
                  f"comments(created_by,created_at,comment,actor:created_by({PERSON}))")
        rows = self._get("incidents", [("select", select), ("id", f"eq.{id}"),
                                       ("responders.deleted_at", "is.null"),
                                       ("responders.order", "created_at.asc,id.asc"),
                                       ("incident_histories.order", "created_at.asc"),
                                       ("comments.order", "created_at.asc"), *HYPOTHESES_ORDER])
        if not rows:
            raise NotFound("That incident no longer exists.")
        row = rows[0]
        incident = _incident(row)
        configs, checks = _linked_items(row)
        return IncidentDetail(
            incident=incident,
            creator=_person(row.get("creator")) or _unknown_person(incident.created_by),
            commander=_person(row.get("commander")),
            communicator=_person(row.get("communicator")),
            responders=tuple(_responder(item) for item in row.get("responders") or ()),
            configs=tuple(configs),
            checks=tuple(checks),
            timeline=tuple(_timeline(row)),
            hypotheses=read_plan(row, configs, checks),
        )

    def metrics(self, days: int) -> Metrics:
        return fetch_metrics(self._http, days)

    # -- writes: our server's /rpc functions, else the plain PostgREST way --------------------------

    def _rpc(self, name: str, body: dict[str, Any], select: str = "*") -> dict[str, Any] | None:
        """The row an /rpc function wrote; None when the server has no /rpc (then we do without)."""
        if not self._has_rpc:
            return None
        answer = self._http.write("POST", f"/db/rpc/{name}", [("select", select)], body, prefer=None,
                                  accept=frozenset({404}))
        if answer.status_code == 404:
            found = _json_or_none(answer)
            if not (isinstance(found, dict) and found.get("code") == "PGRST202"):
                self._http.check(answer, frozenset())
            self._has_rpc = False
            self._notice(NOTICE_NO_RPC)
            return None
        row = self._json(answer)
        if not isinstance(row, dict):
            raise Unavailable(f"The server at {self.url} answered /rpc/{name} with something other than a row.")
        return row

    def create_incident(self, draft: IncidentDraft) -> Incident:
        row = self._rpc("incident_create", draft.model_dump(mode="json"))
        return _incident(row) if row is not None else self._create_plainly(draft)

    def update_incident(self, id: UUID, edit: IncidentEdit, expected_updated_at: datetime) -> Incident:
        changes = {field: value for field, value in edit.model_dump(mode="json").items()
                   if field in edit.changes()}
        row = self._rpc("incident_update", {"id": str(id), "changes": changes,
                                             "expected_updated_at": expected_updated_at.isoformat()})
        if row is not None:
            return _incident(row)
        current = self._current(id, expected_updated_at)
        lifecycle.ensure_editable(current)
        changed = {field: value for field, value in changes.items()
                   if _json_value(getattr(current, field)) != value}
        return self._patch(current, expected_updated_at, changed) if changed else current

    def transition(self, id: UUID, to: Status, note: str | None, expected_updated_at: datetime) -> Incident:
        row = self._rpc("incident_transition", {"id": str(id), "to": to.value, "note": note,
                                                 "expected_updated_at": expected_updated_at.isoformat()})
        if row is not None:
            return _incident(row)
        current = self._current(id, expected_updated_at)
        change = lifecycle.transition(current, to, clock.utcnow())
        moved = self._patch(current, expected_updated_at, _json_values(change.values))
        if note and note.strip():
            self._second_step(f"{moved.incident_id} is now {to.value}, but its note was not saved",
                              lambda: self._comment_plainly(moved, note.strip()))
        return moved

    def acknowledge(self, id: UUID, expected_updated_at: datetime) -> Incident:
        row = self._rpc("incident_acknowledge", {"id": str(id), "expected_updated_at": expected_updated_at.isoformat()})
        if row is not None:
            return _incident(row)
        current = self._current(id, expected_updated_at)
        change = lifecycle.acknowledge(current, self._me.id, clock.utcnow())
        return self._patch(current, expected_updated_at, _json_values(change.values))

    def add_responder(self, incident_id: UUID, draft: ResponderDraft) -> Responder:
        row = self._rpc("responder_add", {"incident_id": str(incident_id), **draft.model_dump(mode="json")},
                        select=RESPONDER)
        if row is not None:
            return _responder(row)
        lifecycle.ensure_editable(self._incident(incident_id))
        kind_type = {ResponderKind.PERSON: "person", ResponderKind.TEAM: "team"}.get(draft.kind, "system")
        body: dict[str, Any] = {"id": str(uuid4()), "incident_id": str(incident_id), "type": kind_type,
                "person_id": _text_or_none(draft.person_id), "team_id": _text_or_none(draft.team_id),
                "created_by": str(self._me.id),
                "properties": {"responderType": draft.external_type or draft.kind.value, **draft.properties}}
        written = self._json(self._http.write("POST", "/db/responders", [("select", RESPONDER)], body))
        return _responder(written[0] if isinstance(written, list) and written else written)

    def remove_responder(self, responder_id: UUID) -> None:
        if self._rpc("responder_remove", {"id": str(responder_id)}, select="id") is not None:
            return
        rows = self._get("responders", [("select", "incident_id"), ("id", f"eq.{responder_id}"),
                                        ("deleted_at", "is.null")])
        if not rows:
            raise NotFound("That responder is no longer on the incident.")
        lifecycle.ensure_editable(self._incident(UUID(str(rows[0]["incident_id"]))))
        self._http.write("PATCH", "/db/responders", [("id", f"eq.{responder_id}")],
                         {"deleted_at": clock.utcnow().isoformat(), "updated_at": "now()"},
                         prefer=None)

    def add_comment(self, incident_id: UUID, text: str) -> None:
        if not text.strip():
            raise BackendError("A comment needs some text.")
        if self._rpc("comment_add", {"incident_id": str(incident_id), "text": text}, select="id") is not None:
            return
        incident = self._incident(incident_id)
        lifecycle.ensure_editable(incident)
        self._comment_plainly(incident, text.strip())

    # -- the plain PostgREST way ------------------------------------------------------------------

    def _incident(self, id: UUID) -> Incident:
        rows = self._get("incidents", [("select", "*"), ("id", f"eq.{id}")])
        if not rows:
            raise NotFound("That incident no longer exists.")
        return _incident(rows[0])

    def _current(self, id: UUID, expected_updated_at: datetime) -> Incident:
        incident = self._incident(id)
        if incident.updated_at != expected_updated_at:
            raise _conflict(incident)
        return incident

    def _patch(self, current: Incident, expected_updated_at: datetime, values: dict[str, Any]) -> Incident:
        """A PATCH conditional on the `updated_at` the user saw: no row back means someone else won."""
        answer = self._http.write("PATCH", "/db/incidents",
                                  [("id", f"eq.{current.id}"), ("updated_at", f"eq.{expected_updated_at.isoformat()}"),
                                   ("select", "*")],
                                  {**values, "updated_at": "now()"})  # the server's clock, as MC's UI sends it
        rows = self._json(answer)
        if not rows:
            raise _conflict(current)
        return _incident(rows[0])

    def _create_plainly(self, draft: IncidentDraft) -> Incident:
        id, now = uuid4(), clock.utcnow().isoformat()
        body = {"id": str(id), "title": draft.title, "description": draft.description,
                "severity": draft.severity.value, "type": draft.type.value, "status": Status.OPEN.value,
                "created_by": str(self._me.id), "commander_id": _text_or_none(draft.commander_id),
                "communicator_id": _text_or_none(draft.communicator_id), "created_at": "now()",
                "updated_at": "now()"}
        rows = self._json(self._http.write("POST", "/db/incidents", [("select", "*")], body))
        created = _incident(rows[0] if isinstance(rows, list) else rows)
        self._second_step(f"{created.incident_id} was created, but not its root hypothesis and links",
                          lambda: self._root_hypothesis(created, draft, now))
        return created

    def _root_hypothesis(self, incident: Incident, draft: IncidentDraft, now: str) -> None:
        root, me = str(uuid4()), str(self._me.id)
        self._http.write("POST", "/db/hypotheses", (), {
            "id": root, "created_by": me, "incident_id": str(incident.id), "type": "root", "title": draft.title,
            "status": "possible"}, prefer=None)
        links: list[dict[str, Any]] = [
            {"config_id": str(config), "check_id": None, "type": "config", "description": "Config item",
             "evidence": None} for config in dict.fromkeys(draft.config_ids)]
        links += [{"config_id": None, "check_id": str(check), "type": "check", "description": "Health check",
                   "evidence": {"check_id": str(check)}} for check in dict.fromkeys(draft.check_ids)]
        if links:
            self._http.write("POST", "/db/evidences", (), [
                {**link, "id": str(uuid4()), "hypothesis_id": root, "created_by": me} for link in links], prefer=None)

    def _comment_plainly(self, incident: Incident, text: str) -> None:
        roots = self._get("hypotheses", [("select", "id"), ("incident_id", f"eq.{incident.id}"),
                                         ("type", "eq.root"), ("order", "created_at.asc"), ("limit", "1")])
        self._http.write("POST", "/db/comments", (), {
            "created_by": str(self._me.id), "incident_id": str(incident.id), "comment": text,
            "hypothesis_id": roots[0]["id"] if roots else None}, prefer=None)

    @staticmethod
    def _second_step(done: str, step: Any) -> None:
        """A later request of a write the server does not make atomic: its failure says what stands."""
        try:
            step()
        except (BackendError, lifecycle.LifecycleError) as error:
            raise BackendError(f"{done}: {error}") from None


# -- row mapping ----------------------------------------------------------------------------------

_LAST_STATUS = ("check_statuses.order", "time.desc")
_NO_LOOKUPS = api.Lookups(me=lambda: UUID(int=0), people_named=lambda _: set(), responding=lambda _: set(),
                          linked=lambda *_: set())
"""For the severity-only queries of `_count_each_severity` (they name no people or links)."""


def _add_counts(counts: dict[Severity | str, int], served: Any, url: str) -> dict[Severity | str, int]:
    """Our server's severity counts (keyed by stored text) added to `counts`."""
    try:
        for stored, count in served.items():
            severity = parse_severity(stored)
            counts[severity] = counts.get(severity, 0) + int(count)
    except (AttributeError, TypeError, ValueError):
        raise Unavailable(f"The server at {url} answered the severity counts with something else.") from None
    return counts


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _conflict(incident: Incident) -> Conflict:
    return Conflict(f"{incident.incident_id} was changed by someone else since you loaded it; "
                    "refreshed, try again.")


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return getattr(value, "value", value)


def _json_values(values: dict[str, Any]) -> dict[str, Any]:
    return {field: _json_value(value) for field, value in values.items()}


def _unknown_person(id: UUID) -> Person:
    return Person(id=id, name="(unknown person)")


def _person(value: object) -> Person | None:
    """A person embedded in a row; one without a readable id or name is shown as unknown."""
    if not isinstance(value, dict):
        return None
    try:
        return Person.model_validate(value)
    except ValidationError:
        try:
            return _unknown_person(UUID(str(value.get("id"))))
        except ValueError:
            return None


def _name_of(value: object) -> str | None:
    return value.get("name") if isinstance(value, dict) and isinstance(value.get("name"), str) else None


def _responder_label(item: dict[str, Any]) -> str:
    """As the SQL backend names a responder on the board: person, team, responderType, type."""
    kind = item.get("properties") if isinstance(item.get("properties"), dict) else {}
    assert isinstance(kind, dict)
    external = kind.get("responderType")
    if isinstance(external, dict):
        external = external.get("value")
    return str(_name_of(item.get("person")) or _name_of(item.get("team")) or external or item.get("type") or "")


def _board_row(row: dict[str, Any]) -> IncidentRow:
    responders = [item for item in row.get("responders") or () if isinstance(item, dict)]
    configs, checks = _links_of(row)
    return read_row({**{key: value for key, value in row.items() if key not in ("hypotheses", "commander")},
                     "commander": _name_of(row.get("commander")),
                     "responders": tuple(_responder_label(item) for item in responders[:RESPONDERS_SHOWN]),
                     "config_count": len(configs), "check_count": len(checks)})


def _linked_items(row: dict[str, Any]) -> tuple[list[ConfigItem], list[Check]]:
    """The config items and checks embedded in the incident's evidence, each once, by name."""
    configs: dict[str, ConfigItem] = {}
    checks: dict[str, Check] = {}
    for hypothesis in row.get("hypotheses") or ():
        for evidence in (hypothesis or {}).get("evidences") or ():
            config, check = evidence.get("config_item"), evidence.get("check_item")
            if isinstance(config, dict):
                configs[str(config["id"])] = ConfigItem.model_validate({**config, "name": config.get("name")
                                                                        or str(config["id"])})
            if isinstance(check, dict):
                checks[str(check["id"])] = _check(check)
    return (sorted(configs.values(), key=lambda item: item.name),
            sorted(checks.values(), key=lambda item: item.name))


def _links_of(row: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Config item and check ids linked through the incident's hypotheses' evidences."""
    configs: set[str] = set()
    checks: set[str] = set()
    for hypothesis in row.get("hypotheses") or ():
        for evidence in (hypothesis or {}).get("evidences") or ():
            if evidence.get("config_id"):
                configs.add(str(evidence["config_id"]))
            if evidence.get("check_id"):
                checks.add(str(evidence["check_id"]))
    return configs, checks


_EMBEDS = ("creator", "commander", "communicator", "responders", "hypotheses", "incident_histories", "comments")


def _incident(row: dict[str, Any]) -> Incident:
    try:
        return Incident.model_validate({key: value for key, value in row.items() if key not in _EMBEDS})
    except ValidationError as error:
        raise Unreadable(row.get("incident_id") or row.get("id"), error) from None


def _responder(item: dict[str, Any]) -> Responder:
    properties = dict(item["properties"]) if isinstance(item.get("properties"), dict) else {}
    external_type = properties.pop("responderType", None)
    if isinstance(external_type, dict):
        external_type = external_type.get("value")
    external_type = str(external_type) if external_type else None
    person = _person(item.get("person"))
    team_row = item.get("team")
    team = Team.model_validate(team_row) if isinstance(team_row, dict) else None
    kind = ResponderKind.PERSON if person else ResponderKind.TEAM if team else ResponderKind.EXTERNAL
    if external_type in (ResponderKind.PERSON.value, ResponderKind.TEAM.value):
        external_type = None
    if kind is ResponderKind.EXTERNAL and external_type is None:
        external_type = item.get("type")  # old rows name the system in `type` (Jira, Slack...)
    return Responder.model_validate({**item, "kind": kind, "person": person, "team": team,
                                     "external_type": external_type, "properties": properties})


def _check(row: dict[str, Any]) -> Check:
    statuses = row.get("check_statuses") or []
    last = statuses[0].get("message") if statuses and isinstance(statuses[0], dict) else None
    return Check.model_validate({"id": row["id"], "name": row["name"], "type": row.get("type"),
                                 "health": row.get("status"), "last_message": last})


def _timeline(row: dict[str, Any]) -> Iterator[TimelineEntry]:
    """History rows and comments, oldest first (history before a comment of the same instant)."""
    entries: list[tuple[datetime, int, TimelineEntry]] = []
    for item in row.get("incident_histories") or ():
        entry = TimelineEntry(kind=TimelineKind.HISTORY, actor=_actor(item), at=item["created_at"],
                              type=item.get("type"), text=item.get("description") or "")
        entries.append((entry.at, 0, entry))
    for item in row.get("comments") or ():
        entry = TimelineEntry(kind=TimelineKind.COMMENT, actor=_actor(item), at=item["created_at"],
                              text=item.get("comment") or "")
        entries.append((entry.at, 1, entry))
    for *_, entry in sorted(entries, key=lambda item: item[:2]):
        yield entry


def _actor(item: dict[str, Any]) -> Person:
    return _person(item.get("actor")) or _unknown_person(UUID(str(item.get("created_by") or UUID(int=0))))

