"""The seeded demo database, and the query plans the board relies on at scale."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.conftest import FIXED_NOW, TESTER
from tui.domain.enums import SEVERITY_ALIASES, STATUS_ALIASES, IncidentType, parse_severity, parse_status, parse_type
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft
from tui.domain.query import DEFAULT_FILTER, Window
from tui.store.base import BackendError
from tui.store.sql import compile as sql
from tui.store.sql import open_sql_backend, seed_demo
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
    (sql.TYPE_ALIASES, parse_type, list(IncidentType)),
])
def test_sql_spellings_are_exactly_what_the_domain_parses(aliases, parse, values):
    for value in values or set(aliases.values()):
        lowered, exact = sql.spellings(aliases, value)
        for spelling in lowered:
            assert parse(spelling) is value and parse(spelling.upper()) is value, spelling
        for spelling in exact:
            assert parse(spelling) is value and parse(spelling.lower()) is not value, spelling


def test_default_board_is_read_straight_from_the_board_index(demo_backend):
    """Highest severity first, newest first: no sort step, whatever the number of incidents."""
    terms = sql.order_terms(parse_filter("").sort)
    page = select(incidents.c.id).order_by(*(t.clause() for t in terms)).limit(100)
    for descending in (False, True):
        statement = page if not descending else select(incidents.c.id).order_by(
            *(t.reversed().clause() for t in terms)).limit(100)
        compiled = statement.compile(demo_backend.engine, compile_kwargs={"literal_binds": True})
        with demo_backend.engine.connect() as conn:
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "incidents_board_idx" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.postgres
def test_postgresql_uses_the_board_and_trigram_indexes(pg_server, pg_migrated_template):
    url = pg_server.url(pg_server.create_database("plans", template=pg_migrated_template))
    backend = open_sql_backend(url, TESTER)
    try:
        terms = sql.order_terms(parse_filter("").sort)
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
