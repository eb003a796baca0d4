"""The SQL backend: Mission Control's tables on SQLite or PostgreSQL.

Every write is one transaction guarded by compare-and-set on `incidents.updated_at`;
lifecycle rules come from tui.domain.lifecycle; times come from tui.domain.clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Label,
    Row,
    Select,
    Table,
    and_,
    exc,
    func,
    insert,
    literal_column,
    not_,
    null,
    select,
    update,
)

from ...domain import clock, lifecycle
from ...domain.enums import Severity, Status
from ...domain.metrics import Metrics
from ...domain.models import (
    SYSTEM_PERSON_NAME,
    Check,
    ConfigItem,
    EvidenceDraft,
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
from ...domain.query import IncidentQuery, Window
from ..base import BackendError, Changes, Conflict, Count, NotFound, Page, Unreadable
from . import compile as sql
from . import metrics
from .changes import ChangeWatcher
from .configs import CatalogReads
from .database import SqlDatabase, person_of
from .plan import PlanBackend, PlanWrites, evidence_values, read_plan, root_values
from .rules import RuleMethods
from .schema import (
    check_statuses,
    checks,
    comments,
    config_items,
    evidences,
    hypotheses,
    incident_histories,
    incident_id_sequence,
    incidents,
    people,
    responders,
    teams,
)

DEEP_OFFSET = 1_000
"""A page this far down is read from whichever end of the result is nearer (see list_incidents)."""
COUNT_CAP = 10_000
"""A first page's count stops here (shown "10,000+"): counting every one of a million matches would
cost many times the page. A window that reaches past it is counted exactly, so the board can always
move on beyond a capped count."""
ROW_BY_ROW_COUNT_CAP = 1_000
"""The cap when a term is matched row by row (one or two letters): its count reads rows, not an index
(at 1,000,000 incidents `db` read 83,000 of them to count to 10,000: 160 ms)."""
WALK_FROM = 1_000
"""With this many matches or more a free-text page walks the sort index (compile.TextPlan.WALK)."""
STREAMED_ROWS = 500
"""Rows `iter_incidents` reads from the driver at a time."""
RESPONDERS_SHOWN = 5
"""Responder names a board row carries (Mission Control's list shows up to 5 avatars)."""
_SEPARATOR = "\x1f"
_TICK = timedelta(microseconds=1)
T = TypeVar("T")


class SqlBackend(CatalogReads, RuleMethods, PlanBackend):
    """tui.store.base.Backend over SQLAlchemy Core, acting as the person who signed in.

    Open it with `open_sql_backend`; every write goes through a `Writer` naming that person.
    """

    def __init__(self, database: SqlDatabase, me: Person) -> None:
        self.database = database
        self.engine = database.engine
        self.location = database.location
        self.managed = database.managed
        """True for a database we created and migrate; False for a Mission Control one."""
        self.dialect = database.dialect
        self.read_only = database.read_only
        """True for a SQLite file we may not write: browsing works, every write raises ReadOnly."""
        self._me = me
        self._changes = ChangeWatcher(database.engine, database.location, database.missing_columns)
        self._page_reads: set[Any] = set()
        """The SQLite connections running a board page now (see `_newest_page_read`)."""
        self._page_lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------

    def _read(self) -> AbstractContextManager[Connection]:
        return self.database.read()

    def _write(self) -> AbstractContextManager[Connection]:
        return self.database.write()

    def _act(self, write: Callable[[Writer], T]) -> T:
        """`write` in one transaction as the signed-in person, run again if PostgreSQL asks to."""
        return self.database.transaction(lambda conn: write(Writer(self.database, conn, self._me)))

    def _column(self, table: Table, name: str) -> ColumnElement[Any]:
        return self.database.column(table, name)

    def changes_since(self, mark: object | None) -> Changes:
        return self._changes.changes_since(mark)

    def close(self) -> None:
        self._changes.close()
        self.database.close()

    # -- people ---------------------------------------------------------------------------

    def whoami(self) -> Person:
        return self._me

    def list_people(self) -> list[Person]:
        system = and_(people.c.name == SYSTEM_PERSON_NAME, people.c.email.is_(None))
        with self._read() as conn:
            rows = conn.execute(select(people).where(people.c.deleted_at.is_(None), not_(system))
                                .order_by(func.lower(people.c.name)))
            return [person_of(row) for row in rows]

    def list_teams(self) -> list[Team]:
        with self._read() as conn:
            rows = conn.execute(select(teams.c.id, teams.c.name, teams.c.icon)
                                .where(teams.c.deleted_at.is_(None)).order_by(func.lower(teams.c.name)))
            return [Team.model_validate(row._mapping) for row in rows]

    def search_configs(self, text: str, limit: int = 50) -> list[ConfigItem]:
        columns = (config_items.c.id, config_items.c.name, config_items.c.type,
                   self._column(config_items, "health").label("health"),
                   self._column(config_items, "status").label("status"))
        with self._read() as conn:
            rows = conn.execute(self._named(config_items, columns, text, limit))
            return [ConfigItem.model_validate(row._mapping) for row in rows]

    def search_checks(self, text: str, limit: int = 50) -> list[Check]:
        with self._read() as conn:
            rows = conn.execute(self._named(checks, self._check_columns(), text, limit))
            return [Check.model_validate(row._mapping) for row in rows]

    def _named(self, table: Table, columns: Iterable[ColumnElement[Any]], text: str, limit: int) -> Select[Any]:
        query = (select(*columns).where(table.c.name.is_not(None),
                                        self._column(table, "deleted_at").is_(None))
                 .order_by(func.lower(table.c.name)).limit(limit))
        return query.where(sql.contains(table.c.name, text.strip())) if text.strip() else query

    def _check_columns(self) -> tuple[ColumnElement[Any], ...]:
        last_message: ColumnElement[Any] = null()
        if ("check_statuses", "message") not in self.database.missing_columns:
            last_message = (select(check_statuses.c.message).where(check_statuses.c.check_id == checks.c.id)
                            .order_by(check_statuses.c.time.desc()).limit(1).scalar_subquery())
        return (checks.c.id, checks.c.name, self._column(checks, "type").label("type"),
                checks.c.status.label("health"), last_message.label("last_message"))

    # -- the board ------------------------------------------------------------------------

    def _where(self, query: IncidentQuery, text_plan: sql.TextPlan = sql.TextPlan.DRIVE) -> list[ColumnElement[bool]]:
        return sql.where_clauses(query, me=lambda: self.whoami().id, now=clock.utcnow(),
                                 dialect=self.dialect, fts=self.database.fts, text_plan=text_plan)

    def list_incidents(self, query: IncidentQuery, window: Window) -> Page[IncidentRow]:
        offset, limit = max(window.offset, 0), max(window.limit, 0)
        with self._read() as conn, self._newest_page_read(conn):
            # The first pages carry a count that stops at COUNT_CAP; a window reaching past it, or a deep
            # page (G, the last rows), gets the exact one, and a deep page is read from whichever end of
            # the result is nearer: the index walk then skips `total - offset` rows instead of `offset`.
            cap = self._count_cap(query)
            deep = offset >= DEEP_OFFSET or offset + limit > cap
            count = self._count(conn, query, cap=None if deep else cap)
            where = self._where(query, sql.TextPlan.WALK if count.value >= WALK_FROM else sql.TextPlan.DRIVE)
            if deep and offset >= count.value:  # past the end (G over a capped count aims there): no rows
                found = []
            elif deep and offset > count.value // 2:
                end = min(offset + limit, count.value)
                found = self._page(conn, query, where, count.value - end, max(end - offset, 0), from_end=True)
            else:
                found = self._page(conn, query, where, offset, limit)
        return Page(rows=tuple(_board_row(row) for row in found), total=count.value, exact=count.exact,
                    offset=window.offset)

    @contextmanager
    def _newest_page_read(self, conn: Connection) -> Iterator[None]:
        """A board page asked for while another is still being read replaces it: the older one's
        SQLite query is interrupted (it raises Superseded), so a slow filter the user has already
        typed past stops using the CPU the new one needs. PostgreSQL queries run to their end."""
        if conn.dialect.name != "sqlite":
            yield
            return
        raw = conn.connection.dbapi_connection
        with self._page_lock:
            for older in self._page_reads:
                older.interrupt()
            self._page_reads.add(raw)
        try:
            yield
        finally:
            with self._page_lock:
                self._page_reads.discard(raw)

    def _count_cap(self, query: IncidentQuery) -> int:
        row_by_row = sql.matched_row_by_row(query, dialect=self.dialect, fts=self.database.fts)
        return min(COUNT_CAP, ROW_BY_ROW_COUNT_CAP) if row_by_row else COUNT_CAP

    def _count(self, conn: Connection, query: IncidentQuery, *, cap: int | None) -> Count:
        """How many incidents match, counting no further than `cap` (then: at least `cap`)."""
        found: int = conn.execute(self.count_query(query, cap)).scalar_one()
        return Count(cap, exact=False) if cap is not None and found > cap else Count(found)

    def count_query(self, query: IncidentQuery, cap: int | None) -> Select[Any]:
        """The count of `_count`, `cap + 1` at most. The free-text match is joined in, so that it
        streams and a capped count reads only what it counts."""
        source = sql.text_source(query, incidents, dialect=self.dialect, fts=self.database.fts)
        matching: Select[Any] = select(literal_column("1")).select_from(source).where(
            *self._where(query, sql.TextPlan.JOINED))
        if cap is not None:
            matching = matching.limit(cap + 1)
        return select(func.count()).select_from(matching.subquery())

    def _page(self, conn: Connection, query: IncidentQuery, where: list[ColumnElement[bool]], offset: int, limit: int,
              *, from_end: bool = False) -> list[Row[Any]]:
        return list(conn.execute(self._page_query(query, where, offset, limit, from_end=from_end)))

    def _page_query(self, query: IncidentQuery, where: list[ColumnElement[bool]], offset: int, limit: int,
                    *, from_end: bool = False) -> Select[Any]:
        """The board rows `offset`..`offset + limit` in the query's order; `from_end`: counted from the
        end of the result instead."""
        terms = sql.order_terms(query)
        # The page's ids first, then the row details for those ids only.
        page = self.page_ids(query, where, offset, limit, from_end=from_end).subquery("page")
        return (select(*_BOARD_COLUMNS)
                .select_from(page.join(incidents, incidents.c.id == page.c.page_id))
                .order_by(*(term.clause(page.c[f"k{i}"]) for i, term in enumerate(terms))))

    @staticmethod
    def page_ids(query: IncidentQuery, where: list[ColumnElement[bool]], offset: int, limit: int,
                 *, from_end: bool = False) -> Select[Any]:
        """The ids of a page and their sort keys (`k0`, `k1`…): the part of a page whose plan grows with
        the number of incidents (tests/store/test_plans.py checks it reads an index in order)."""
        terms = sql.order_terms(query)
        inner = [term.reversed() for term in terms] if from_end else terms
        keys = [term.expression.label(f"k{i}") for i, term in enumerate(terms)]
        return (select(incidents.c.id.label("page_id"), *keys).select_from(sql.board_source(query))
                .where(*where).order_by(*(term.clause() for term in inner)).limit(limit).offset(offset))

    def iter_incidents(self, query: IncidentQuery, window: Window) -> Iterator[IncidentRow]:
        where = self._where(query)
        page = self._page_query(query, where, max(window.offset, 0), max(window.limit, 0))
        with self._read() as conn:
            for row in conn.execution_options(yield_per=STREAMED_ROWS).execute(page):
                yield _board_row(row)

    def count_by_severity(self, query: IncidentQuery) -> dict[Severity | str, int]:
        with self._read() as conn:
            return metrics.count_by(conn, "severity", self._where(query))

    def metrics(self, days: int) -> Metrics:
        return metrics.incident_metrics(self.database, days)

    def find_incident(self, incident_id: str) -> UUID:
        wanted = incident_id.strip().upper()
        wanted = f"INC-{wanted}" if wanted.isdigit() else wanted
        with self._read() as conn:
            found: UUID | None = conn.execute(select(incidents.c.id)
                                              .where(incidents.c.incident_id == wanted)).scalar()
        if found is None:
            raise NotFound(f"There is no incident {incident_id.strip()}.")
        return found

    # -- one incident ---------------------------------------------------------------------

    def get_incident(self, id: UUID) -> IncidentDetail:
        with self._read() as conn:
            incident = _load(conn, id)
            roles = _people_by_id(conn, {incident.created_by, incident.commander_id, incident.communicator_id})
            configs, checks = self._linked_configs(conn, id), self._linked_checks(conn, id)
            return IncidentDetail(
                incident=incident,
                creator=roles.get(incident.created_by) or _unknown_person(incident.created_by),
                commander=roles.get(incident.commander_id),
                communicator=roles.get(incident.communicator_id),
                responders=tuple(_responder(row) for row in conn.execute(_responders_of(id))),
                configs=tuple(configs),
                checks=tuple(checks),
                timeline=tuple(_timeline(conn, id)),
                hypotheses=read_plan(conn, self.database, id, configs, checks),
            )

    def _linked_configs(self, conn: Connection, id: UUID) -> list[ConfigItem]:
        query = (select(config_items.c.id, config_items.c.name, config_items.c.type,
                        self._column(config_items, "health").label("health"),
                        self._column(config_items, "status").label("status"))
                 .where(config_items.c.id.in_(_linked_ids(evidences.c.config_id, id)))
                 .order_by(config_items.c.name))
        return [ConfigItem.model_validate({**row._mapping, "name": row.name or str(row.id)})
                for row in conn.execute(query)]

    def _linked_checks(self, conn: Connection, id: UUID) -> list[Check]:
        query = (select(*self._check_columns()).where(checks.c.id.in_(_linked_ids(evidences.c.check_id, id)))
                 .order_by(checks.c.name))
        return [Check.model_validate(row._mapping) for row in conn.execute(query)]

    # -- writes: each one transaction, credited to the person who signed in ----------------

    def create_incident(self, draft: IncidentDraft) -> Incident:
        return self._act(lambda writer: writer.create_incident(draft))

    def update_incident(self, id: UUID, edit: IncidentEdit, expected_updated_at: datetime) -> Incident:
        return self._act(lambda writer: writer.update_incident(id, edit, expected_updated_at))

    def transition(self, id: UUID, to: Status, note: str | None, expected_updated_at: datetime) -> Incident:
        return self._act(lambda writer: writer.transition(id, to, note, expected_updated_at))

    def acknowledge(self, id: UUID, expected_updated_at: datetime) -> Incident:
        return self._act(lambda writer: writer.acknowledge(id, expected_updated_at))

    def add_responder(self, incident_id: UUID, draft: ResponderDraft) -> Responder:
        return self._act(lambda writer: writer.add_responder(incident_id, draft))

    def remove_responder(self, responder_id: UUID) -> None:
        self._act(lambda writer: writer.remove_responder(responder_id))

    def add_comment(self, incident_id: UUID, text: str) -> None:
        self._act(lambda writer: writer.add_comment(incident_id, text))


class Writer(PlanWrites):
    """The writes of one transaction, each credited to `actor`: the person who signed in, a
    request's token holder, or System for the rule engine. Lifecycle rules apply to all.

    A write that depends on an incident's state locks its row first (`lock`), so writers to one
    incident take turns; its times are the database's, read after that lock (`now`)."""

    def __init__(self, database: SqlDatabase, conn: Connection, actor: Person) -> None:
        self.database, self.conn, self.actor = database, conn, actor
        self._now: datetime | None = None

    def now(self) -> datetime:
        """The transaction's time of record (one for all it writes); call it after taking locks."""
        if self._now is None:
            self._now = self.database.now(self.conn)
        return self._now

    def lock(self, id: UUID) -> Incident:
        """The incident as stored, its row locked until commit (PostgreSQL; SQLite's BEGIN
        IMMEDIATE already holds the whole database)."""
        return _load(self.conn, id, lock=True)

    def create_incident(self, draft: IncidentDraft, *, id: UUID | None = None, root: bool = True) -> Incident:
        """A new open incident; `id` if the caller chose one. With `root` (as the web UI does in a
        second request) a root hypothesis, which the draft's configs and checks are linked to."""
        conn, me, now = self.conn, self.actor, self.now()
        id = id or uuid4()
        values = {"id": id, "title": draft.title, "description": draft.description,
                  "severity": draft.severity.value, "type": draft.type.value, "status": Status.OPEN.value,
                  "created_by": me.id, "commander_id": draft.commander_id,
                  "communicator_id": draft.communicator_id, "created_at": now, "updated_at": now}
        if self.database.dialect == "sqlite":  # PostgreSQL fills it from incident_id_sequence
            values["incident_id"] = f"INC-{_next_number(conn)}"
        with _numbers_ran_out(self.database.location):
            conn.execute(insert(incidents).values(values))
        if root:
            self._root_hypothesis(id, draft, now)
        self._record(id, now, lifecycle.HISTORY_CREATED, draft.title)
        return _load(conn, id)

    def _root_hypothesis(self, incident_id: UUID, draft: IncidentDraft, now: datetime) -> None:
        root = root_values(incident_id, draft.title, self.actor, now)
        self.conn.execute(insert(hypotheses).values(root))
        links = [EvidenceDraft(config_id=config_id) for config_id in dict.fromkeys(draft.config_ids)]
        links += [EvidenceDraft(check_id=check_id) for check_id in dict.fromkeys(draft.check_ids)]
        if links:
            self.conn.execute(insert(evidences), [evidence_values(link, root["id"], self.actor, now)
                                                  for link in links])

    def update_incident(self, id: UUID, edit: IncidentEdit, expected_updated_at: datetime) -> Incident:
        conn, current = self.conn, self._current(id, expected_updated_at)
        now = self.now()
        lifecycle.ensure_editable(current)
        changes = {field: value.value if isinstance(value, Enum) else value
                   for field, value in edit.changes().items()
                   if getattr(current, field) != value}
        if not changes:
            return current
        _compare_and_set(conn, current, expected_updated_at, changes, now)
        self._record(id, now, lifecycle.HISTORY_UPDATED, _describe_changes(conn, changes))
        return _load(conn, id)

    def transition(self, id: UUID, to: Status, note: str | None, expected_updated_at: datetime) -> Incident:
        conn, current = self.conn, self._current(id, expected_updated_at)
        now = self.now()
        change = lifecycle.transition(current, to, now)
        _compare_and_set(conn, current, expected_updated_at, change.values, now)
        self._record(id, now, change.history_type, change.history_description)
        if note and note.strip():
            _comment(conn, id, self.actor, now, note.strip())
        return _load(conn, id)

    def acknowledge(self, id: UUID, expected_updated_at: datetime) -> Incident:
        conn, current = self.conn, self._current(id, expected_updated_at)
        now = self.now()
        change = lifecycle.acknowledge(current, self.actor.id, now)
        _compare_and_set(conn, current, expected_updated_at, change.values, now)
        self._record(id, now, change.history_type, change.history_description)
        return _load(conn, id)

    def add_responder(self, incident_id: UUID, draft: ResponderDraft, *, id: UUID | None = None) -> Responder:
        conn, incident = self.conn, self.lock(incident_id)
        now = self.now()
        lifecycle.ensure_editable(incident)
        _refuse_duplicate(conn, incident, draft)
        responder_id = id or uuid4()
        kind_type = {ResponderKind.PERSON: "person", ResponderKind.TEAM: "team"}.get(draft.kind, "system")
        conn.execute(insert(responders).values(
            id=responder_id, incident_id=incident_id, type=kind_type, person_id=draft.person_id,
            team_id=draft.team_id, created_by=self.actor.id, created_at=now, updated_at=now,
            properties={"responderType": draft.external_type or draft.kind.value, **draft.properties}))
        responder = _responder(conn.execute(_responders_of(incident_id, responder_id)).one())
        self._record(incident_id, now, lifecycle.HISTORY_RESPONDER_CREATED, responder.name,
                     responder_id=responder_id)
        return responder

    def remove_responder(self, responder_id: UUID) -> None:
        conn = self.conn
        incident_id = conn.execute(select(responders.c.incident_id).where(responders.c.id == responder_id)).scalar()
        if incident_id is not None:
            lifecycle.ensure_editable(self.lock(incident_id))
        row = conn.execute(_responders_of(None, responder_id)).first()  # read again: another may have removed it
        if row is None:
            raise NotFound("That responder is no longer on the incident.")
        responder, now = _responder(row), self.now()
        conn.execute(update(responders).where(responders.c.id == responder_id)
                     .values(deleted_at=now, updated_at=now))
        self._record(responder.incident_id, now, lifecycle.HISTORY_RESPONDER_REMOVED, responder.name,
                     responder_id=responder_id)

    def add_comment(self, incident_id: UUID, text: str) -> UUID:
        """The new comment's id."""
        if not text.strip():
            raise BackendError("A comment needs some text.")
        lifecycle.ensure_editable(self.lock(incident_id))  # "closed and read-only": a close committed first
        return _comment(self.conn, incident_id, self.actor, self.now(), text.strip())

    def note(self, incident_id: UUID, type: str, description: str) -> None:
        """A timeline row of the caller's own `type` (the rule engine's `incident.rule`)."""
        self._record(incident_id, self.now(), type, description)

    def _current(self, id: UUID, expected_updated_at: datetime) -> Incident:
        """The incident as stored now, locked; Conflict if it changed since the caller read it."""
        incident = self.lock(id)
        if incident.updated_at != expected_updated_at:
            raise _conflict(incident)
        return incident

    def _record(self, incident_id: UUID, now: datetime, type: str, description: str,
                **about: UUID | None) -> None:
        """The history row for a change, unless the database's own trigger wrote it: then that
        row is credited to the actor (Mission Control's triggers credit the incident's creator).
        `about`: the rows it is about (responder_id, hypothesis_id, evidence_id)."""
        if type not in self.database.history_by_triggers:
            _history(self.conn, incident_id, self.actor, now, type, description, **about)
            return
        written_now = literal_column("incident_histories.xmin") == literal_column("pg_current_xact_id()::xid")
        self.conn.execute(update(incident_histories)
                          .where(incident_histories.c.incident_id == incident_id, incident_histories.c.type == type,
                                 incident_histories.c.created_by != self.actor.id, written_now)
                          .values(created_by=self.actor.id))


# -- queries and row mapping ------------------------------------------------------------------

def _linked_ids(column: ColumnElement[UUID], incident_id: UUID) -> Select[Any]:
    return (select(column).select_from(hypotheses.join(evidences, evidences.c.hypothesis_id == hypotheses.c.id))
            .where(hypotheses.c.incident_id == incident_id, column.is_not(None)))


def _linked_count(column: ColumnElement[UUID]) -> ColumnElement[int]:
    return (select(func.count(func.distinct(column)))
            .select_from(hypotheses.join(evidences, evidences.c.hypothesis_id == hypotheses.c.id))
            .where(hypotheses.c.incident_id == incidents.c.id).scalar_subquery())


def _responder_name() -> ColumnElement[str]:
    kind = responders.c.properties
    return func.coalesce(people.c.name, teams.c.name, kind[("responderType", "value")].as_string(),
                         kind["responderType"].as_string(), responders.c.type)


def _responder_names() -> ColumnElement[str]:
    first = (select(_responder_name().label("name"))
             .select_from(responders.outerjoin(people, people.c.id == responders.c.person_id)
                          .outerjoin(teams, teams.c.id == responders.c.team_id))
             .where(responders.c.incident_id == incidents.c.id, responders.c.deleted_at.is_(None))
             .order_by(responders.c.created_at).limit(RESPONDERS_SHOWN)
             .correlate(incidents).subquery("first_responders"))
    return select(func.aggregate_strings(first.c.name, _SEPARATOR)).scalar_subquery()


_BOARD_COLUMNS = (
    incidents.c.id, incidents.c.incident_id, incidents.c.title, incidents.c.severity, incidents.c.status,
    incidents.c.type, incidents.c.created_at, incidents.c.updated_at,
    select(people.c.name).where(people.c.id == incidents.c.commander_id).scalar_subquery().label("commander"),
    _responder_names().label("responders"),
    _linked_count(evidences.c.config_id).label("config_count"),
    _linked_count(evidences.c.check_id).label("check_count"),
)


def _board_row(row: Row[Any]) -> IncidentRow:
    names = tuple(row.responders.split(_SEPARATOR)) if isinstance(row.responders, str) else ()
    return read_row({**row._mapping, "responders": names})


def _unknown_person(id: UUID) -> Person:
    return Person(id=id, name="(unknown person)")


def _people_by_id(conn: Connection, ids: set[UUID | None]) -> Mapping[UUID | None, Person]:
    """Keyed by id; looking up an unassigned role (None) finds nobody."""
    wanted = [id for id in ids if id is not None]
    rows: Iterable[Row[Any]] = conn.execute(select(people).where(people.c.id.in_(wanted))) if wanted else []
    return {row.id: person_of(row) for row in rows}


def _load(conn: Connection, id: UUID, *, lock: bool = False) -> Incident:
    query = select(incidents).where(incidents.c.id == id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("That incident no longer exists.")
    try:
        return Incident.model_validate(row._mapping)
    except ValidationError as error:
        raise Unreadable(row.incident_id, error) from None


def _responders_of(incident_id: UUID | None, responder_id: UUID | None = None) -> Select[Any]:
    """Active responders with their person or team, oldest first."""
    query = (select(responders.c.id, responders.c.incident_id, responders.c.type, responders.c.external_id,
                    responders.c.properties, responders.c.acknowledged, responders.c.created_at,
                    people.c.id.label("person_id"), people.c.name.label("person_name"),
                    people.c.email.label("person_email"), people.c.avatar.label("person_avatar"),
                    teams.c.id.label("team_id"), teams.c.name.label("team_name"), teams.c.icon.label("team_icon"))
             .select_from(responders.outerjoin(people, people.c.id == responders.c.person_id)
                          .outerjoin(teams, teams.c.id == responders.c.team_id))
             .where(responders.c.deleted_at.is_(None))
             .order_by(responders.c.created_at, responders.c.id))
    if incident_id is not None:
        query = query.where(responders.c.incident_id == incident_id)
    if responder_id is not None:
        query = query.where(responders.c.id == responder_id)
    return query


def _responder_type(properties: dict[str, Any]) -> str | None:
    """`properties.responderType`: a plain string, or the web UI's {value, label} object."""
    kind = properties.get("responderType")
    if isinstance(kind, dict):
        kind = kind.get("value")
    return str(kind) if kind else None


def _responder(row: Row[Any]) -> Responder:
    properties = dict(row.properties) if isinstance(row.properties, dict) else {}
    external_type = _responder_type(properties)
    properties.pop("responderType", None)
    person = (Person(id=row.person_id, name=row.person_name, email=row.person_email, avatar=row.person_avatar)
              if row.person_id is not None else None)
    team = Team(id=row.team_id, name=row.team_name, icon=row.team_icon) if row.team_id is not None else None
    kind = ResponderKind.PERSON if person else ResponderKind.TEAM if team else ResponderKind.EXTERNAL
    if external_type in (ResponderKind.PERSON.value, ResponderKind.TEAM.value):
        external_type = None
    if kind is ResponderKind.EXTERNAL and external_type is None:
        external_type = row.type  # old rows name the system in `type` (Jira, Slack...)
    return Responder(id=row.id, incident_id=row.incident_id, kind=kind, person=person, team=team,
                     external_type=external_type, external_id=row.external_id, properties=properties,
                     acknowledged=row.acknowledged, created_at=row.created_at)


def _actor_columns() -> tuple[Label[Any], ...]:
    return (people.c.id.label("actor_id"), people.c.name.label("actor_name"),
            people.c.email.label("actor_email"), people.c.avatar.label("actor_avatar"))


def _actor(row: Row[Any], fallback: UUID) -> Person:
    if row.actor_id is None:
        return _unknown_person(fallback)
    return Person(id=row.actor_id, name=row.actor_name, email=row.actor_email, avatar=row.actor_avatar)


def _timeline(conn: Connection, id: UUID) -> list[TimelineEntry]:
    """History rows and comments, oldest first, each credited to the person who acted."""
    history = conn.execute(
        select(incident_histories.c.created_by, incident_histories.c.created_at, incident_histories.c.type,
               incident_histories.c.description, *_actor_columns())
        .select_from(incident_histories.outerjoin(people, people.c.id == incident_histories.c.created_by))
        .where(incident_histories.c.incident_id == id))
    said = conn.execute(
        select(comments.c.created_by, comments.c.created_at, comments.c.comment, *_actor_columns())
        .select_from(comments.outerjoin(people, people.c.id == comments.c.created_by))
        .where(comments.c.incident_id == id))
    entries = [(row.created_at, 0, TimelineEntry(kind=TimelineKind.HISTORY, actor=_actor(row, row.created_by),
                                                  at=row.created_at, type=row.type, text=row.description or ""))
               for row in history]
    entries += [(row.created_at, 1, TimelineEntry(kind=TimelineKind.COMMENT, actor=_actor(row, row.created_by),
                                                   at=row.created_at, text=row.comment))
                for row in said]
    return [entry for *_, entry in sorted(entries, key=lambda item: item[:2])]


# -- write helpers ----------------------------------------------------------------------------

def _next_number(conn: Connection) -> int:
    """The next INC-<n> on SQLite; the write transaction holds the lock until commit."""
    counter = incident_id_sequence.c.last_value
    number: int = conn.execute(update(incident_id_sequence).values(last_value=counter + 1)
                               .returning(counter)).scalar_one()
    return number


@contextmanager
def _numbers_ran_out(location: str) -> Iterator[None]:
    """Mission Control's `incident_id varchar(10)` holds INC-999999 at most; our schema widens it
    (migration 0006), theirs is never migrated, so there a create past it is told in a sentence."""
    try:
        yield
    except exc.DataError as error:
        if getattr(error.orig, "sqlstate", None) != _STRING_TOO_LONG:
            raise
        raise BackendError(
            f"The database at {location} cannot number another incident: its incidents.incident_id column "
            "(Mission Control's varchar(10)) holds INC-999999 at most. Nothing was created; widen that column "
            "(ALTER TABLE incidents ALTER COLUMN incident_id TYPE text) to create more.") from None


_STRING_TOO_LONG = "22001"


def _conflict(incident: Incident) -> Conflict:
    return Conflict(f"{incident.incident_id} was changed by someone else since you loaded it; "
                    "refreshed, try again.")


def _compare_and_set(conn: Connection, current: Incident, expected_updated_at: datetime,
                     values: dict[str, Any], now: datetime) -> None:
    # updated_at always moves forward, even within one clock tick, so every change is seen;
    # writing it also puts it in our stored form.
    stamp = max(now, current.updated_at + _TICK)
    guard = incidents.c.id == current.id
    if conn.dialect.name != "sqlite":
        # PostgreSQL compares timestamptz as instants. SQLite would compare the stored text
        # (another tool may write `2026-11-20 12:00:00` or `...T12:00:00Z`), so there the
        # instants `_current` compared stand: BEGIN IMMEDIATE holds the write lock since.
        guard = and_(guard, incidents.c.updated_at == expected_updated_at)
    result = conn.execute(update(incidents).where(guard).values({**values, "updated_at": stamp}))
    if result.rowcount == 0:
        raise _conflict(current)


def _history(conn: Connection, incident_id: UUID, actor: Person, now: datetime, type: str, description: str,
             **about: UUID | None) -> None:
    """`about`: the ids of the rows the change is about (responder_id, comment_id, hypothesis_id, evidence_id)."""
    conn.execute(insert(incident_histories).values(
        id=uuid4(), incident_id=incident_id, created_by=actor.id, type=type, description=description,
        created_at=now, updated_at=now, **about))


def _comment(conn: Connection, incident_id: UUID, actor: Person, now: datetime, text: str) -> UUID:
    root = conn.execute(select(hypotheses.c.id).where(hypotheses.c.incident_id == incident_id,
                                                      hypotheses.c.type == "root")
                        .order_by(hypotheses.c.created_at).limit(1)).scalar()
    id = uuid4()
    conn.execute(insert(comments).values(id=id, created_by=actor.id, comment=text, incident_id=incident_id,
                                         hypothesis_id=root, created_at=now, updated_at=now))
    return id


def _describe_changes(conn: Connection, changes: dict[str, Any]) -> str:
    """`severity: High, commander: Alice Example` (descriptions are too long to repeat)."""
    names = _people_by_id(conn, {changes.get("commander_id"), changes.get("communicator_id")})
    parts = []
    for field, value in changes.items():
        label = field.removesuffix("_id")
        if field == "description":
            parts.append("description")
        elif field in ("commander_id", "communicator_id"):
            parts.append(f"{label}: {names[value].name if value in names else value or 'nobody'}")
        else:
            parts.append(f"{label}: {value}")
    return ", ".join(parts)


def _refuse_duplicate(conn: Connection, incident: Incident, draft: ResponderDraft) -> None:
    if draft.kind is ResponderKind.EXTERNAL:
        return
    same = (responders.c.person_id == draft.person_id if draft.kind is ResponderKind.PERSON
            else and_(responders.c.team_id == draft.team_id, responders.c.person_id.is_(None)))
    row = conn.execute(_responders_of(incident.id).where(same)).first()
    if row is not None:
        raise BackendError(f"{_responder(row).name} is already responding to {incident.incident_id}.")

