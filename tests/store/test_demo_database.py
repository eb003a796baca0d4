"""The seeded demo database, and the query plans the board relies on at scale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from tests.conftest import FIXED_NOW, TESTER
from tui.domain.enums import (
    ACTIVE_STATUSES,
    SEVERITY_ALIASES,
    STATUS_ALIASES,
    IncidentType,
    parse_severity,
    parse_status,
    parse_type,
)
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft
from tui.domain.query import DEFAULT_FILTER, EnumClause, IncidentQuery, Window
from tui.domain.spellings import TYPE_ALIASES, spellings
from tui.store.base import BackendError
from tui.store.sql import SqlBackend, open_sql_backend, seed_demo
from tui.store.sql import compile as sql
from tui.store.sql.schema import incidents


def test_demo_board_opens_on_active_incidents(demo_backend):
    page = demo_backend.list_incidents(parse_filter(DEFAULT_FILTER), Window(0, 20))
    assert 0 < len(page.rows) <= 20 < page.total
    assert all(row.status.is_active for row in page.rows)
    ranks = [row.severity.rank for row in page.rows]
    assert ranks == sorted(ranks)


def test_demo_numbering_continues_and_search_finds_seeded_text(demo_backend):
    created = demo_backend.create_incident(IncidentDraft(title="after the demo"))
    assert created.incident_id == "INC-321"
    assert created.created_at == FIXED_NOW
    assert demo_backend.list_incidents(parse_filter('"[SEV1]"'), Window()).total > 0


def test_seeding_twice_is_refused(demo_backend):
    with pytest.raises(BackendError, match="empty database"):
        seed_demo(demo_backend)


def test_demo_has_one_system_person(demo_backend):
    with demo_backend.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people WHERE name = 'System'")).scalar() == 1


@pytest.mark.parametrize(("aliases", "parse", "values"), [
    (SEVERITY_ALIASES, parse_severity, None),
    (STATUS_ALIASES, parse_status, None),
    (TYPE_ALIASES, parse_type, list(IncidentType)),
])
def test_spellings_are_exactly_what_the_domain_parses(aliases, parse, values):
    for value in values or set(aliases.values()):
        lowered, exact = spellings(aliases, value)
        for spelling in lowered:
            assert parse(spelling) is value and parse(spelling.upper()) is value, spelling
        for spelling in exact:
            assert parse(spelling) is value and parse(spelling.lower()) is not value, spelling


def test_default_board_is_read_straight_from_the_board_index(demo_backend):
    """Highest severity first, newest first: no sort step, whatever the number of incidents."""
    terms = sql.order_terms(parse_filter(""))
    page = select(incidents.c.id).order_by(*(t.clause() for t in terms)).limit(100)
    for descending in (False, True):
        statement = page if not descending else select(incidents.c.id).order_by(
            *(t.reversed().clause() for t in terms)).limit(100)
        compiled = statement.compile(demo_backend.engine, compile_kwargs={"literal_binds": True})
        with demo_backend.engine.connect() as conn:
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "incidents_board_idx" in plan and "TEMP B-TREE" not in plan, plan


def selects_sent(backend: SqlBackend, call: Callable[[SqlBackend], Any]) -> list[tuple[str, Any]]:
    """The SELECT statements, with their parameters, that `call(backend)` sends to the database."""
    sent: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(backend.engine, "before_cursor_execute", record)
    try:
        call(backend)
    finally:
        event.remove(backend.engine, "before_cursor_execute", record)
    return sent


def count_sent(sent: list[tuple[str, Any]]) -> tuple[str, Any]:
    """The count among them (list_incidents counts before its page: the count decides how to read it)."""
    return next((statement, parameters) for statement, parameters in sent if "count(" in statement.lower())


ACTIVE = IncidentQuery(status=EnumClause(ACTIVE_STATUSES))
BOARD_CALLS = {
    "default board": lambda backend: backend.list_incidents(parse_filter(DEFAULT_FILTER), Window(0, 100)),
    "severity strip": lambda backend: backend.count_by_severity(ACTIVE),
    "sev:critical,high status:open": lambda backend: backend.list_incidents(
        parse_filter("sev:critical,high status:open"), Window(0, 100)),
    "status:active sev:medium": lambda backend: backend.list_incidents(
        parse_filter("status:active sev:medium"), Window(0, 100)),
    "type:!cost": lambda backend: backend.list_incidents(parse_filter("type:!cost"), Window(0, 100)),
    "status:!closed,cancelled": lambda backend: backend.list_incidents(
        parse_filter("status:!closed,cancelled"), Window(0, 100)),
}


def _forget_statistics(backend: SqlBackend) -> None:
    with backend.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")


def _analyze(backend: SqlBackend) -> None:
    with backend.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


@pytest.mark.parametrize("statistics", [None, _analyze, _forget_statistics],
                         ids=["as-migrated", "analyzed", "no-statistics"])
@pytest.mark.parametrize("call", BOARD_CALLS.values(), ids=BOARD_CALLS.keys())
def test_board_queries_never_scan_the_incidents_table(demo_backend, call, statistics):
    """Enum filters are index searches and their counts come from a covering index alone.

    A page may walk the board index in order (`SCAN incidents USING ... INDEX`): it stops at
    the page's last row. A bare `SCAN incidents` reads every incident and is what must not happen.
    """
    if statistics is not None:
        statistics(demo_backend)
        demo_backend.engine.dispose()  # SQLite reads the statistics when a connection opens
    sent = selects_sent(demo_backend, call)
    with demo_backend.engine.connect() as conn:
        plans = [[row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                 for statement, parameters in sent]
    assert all(line.strip() != "SCAN incidents" for plan in plans for line in plan), plans
    count = plans[sent.index(count_sent(sent))]  # capped, it reads its rows in a subquery (CO-ROUTINE)
    reads = [line.strip() for line in count if " incidents " in f"{line} "]
    assert reads and all(line.startswith("SEARCH incidents USING COVERING INDEX") for line in reads), count


PG_ROWS = """
    INSERT INTO incidents (id, incident_id, title, created_by, severity, description, type, status)
    SELECT gen_random_uuid(), 'T-' || n, 'incident ' || n, (SELECT id FROM people LIMIT 1),
           (ARRAY['Critical', 'P2', 'medium', 'Low', 'Info'])[mod(n, 5) + 1], '',
           (ARRAY['availability', 'cost', 'security', 'technicalDebt'])[mod(n, 4) + 1],
           CASE mod(n, 10) WHEN 0 THEN 'open' WHEN 1 THEN 'Investigating' ELSE 'closed' END
    FROM generate_series(1, 4000) AS n"""


@pytest.mark.postgres
@pytest.mark.parametrize(("call", "index"), [
    (BOARD_CALLS["default board"], "incidents_status_rank_idx"),
    (BOARD_CALLS["severity strip"], "incidents_status_rank_idx"),
    (BOARD_CALLS["type:!cost"], "incidents_type_rank_idx"),
    (lambda backend: backend.list_incidents(parse_filter("sev:high"), Window()), "incidents_board_idx"),
], ids=["default board", "severity strip", "type:!cost", "sev:high"])
def test_postgresql_searches_the_rank_indexes(pg_server, pg_migrated_template, call, index):
    """The count's rank expression is the index's: the index is searched (Index Cond), not filtered."""
    url = pg_server.url(pg_server.create_database("plans", template=pg_migrated_template))
    backend = open_sql_backend(url, TESTER)
    try:
        with backend.engine.begin() as conn:
            conn.exec_driver_sql(PG_ROWS)
            conn.exec_driver_sql("ANALYZE incidents")
        statement, parameters = count_sent(selects_sent(backend, call))
        with backend.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    finally:
        backend.close()
    assert f"Index Only Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan, plan
    assert "Index Cond" in plan, plan


@pytest.mark.postgres
def test_postgresql_uses_the_board_and_trigram_indexes(pg_server, pg_migrated_template):
    url = pg_server.url(pg_server.create_database("plans", template=pg_migrated_template))
    backend = open_sql_backend(url, TESTER)
    try:
        terms = sql.order_terms(parse_filter(""))
        board = select(incidents.c.id).order_by(*(t.clause() for t in terms)).limit(100)
        search = select(func.count()).select_from(incidents).where(
            *sql.where_clauses(parse_filter("timeout"), me=lambda: None, now=FIXED_NOW, dialect="postgresql",
                               fts=False))
        with backend.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, index in ((board, "incidents_board_idx"), (search, "incidents_search_trgm_idx")):
                compiled = statement.compile(backend.engine, compile_kwargs={"literal_binds": True})
                plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
                assert index in plan, plan
    finally:
        backend.close()
