"""What keeps the board's cost flat in the number of incidents (issue 7), checked on SQLite and
PostgreSQL with more incidents than `DEEP_OFFSET`: pages read from either end agree, a page takes
the same few queries whatever its size, and the filters driven from people, configs and checks
find what a plain scan would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from tests.conftest import FIXED_NOW, TESTER
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.store.base import Count
from tui.store.sql import SqlBackend, open_sql_backend, seed_demo
from tui.store.sql.backend import DEEP_OFFSET

INCIDENTS = 2 * DEEP_OFFSET + 137
PAGE = 100


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlBackend]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('scale') / 'big.db'}"
    else:
        server = request.getfixturevalue("pg_server")
        url = server.url(server.create_database("scale", template=request.getfixturevalue("pg_migrated_template")))
    backend = open_sql_backend(url, TESTER)
    seed_demo(backend, incidents=INCIDENTS, now=FIXED_NOW)
    yield backend
    backend.close()


def _ids(backend: SqlBackend, text: str, window: Window) -> list[str]:
    return [row.incident_id for row in backend.list_incidents(parse_filter(text), window).rows]


@pytest.mark.parametrize("text", ["", "status:active", "sort:commander", "sort:-commander", "sort:id",
                                  "sort:-age type:!cost", '"payments" sort:title'])
def test_pages_read_from_either_end_are_the_rows_of_one_walk(big, text):
    whole = _ids(big, text, Window(0, INCIDENTS + 10))
    total = big.list_incidents(parse_filter(text), Window(0, 1)).total
    assert len(whole) == total > 0
    paged = [incident for offset in range(0, total, PAGE) for incident in _ids(big, text, Window(offset, PAGE))]
    assert paged == whole
    assert _ids(big, text, Window(total - 1, PAGE)) == whole[-1:]  # G: the very last row
    assert _ids(big, text, Window(total + 5, PAGE)) == []


def test_a_deep_page_knows_the_total(big):
    page = big.list_incidents(parse_filter("status:active"), Window(DEEP_OFFSET + 1, PAGE))
    assert page.total == big.list_incidents(parse_filter("status:active"), Window(0, PAGE)).total
    assert page.offset == DEEP_OFFSET + 1


def _statements(backend: SqlBackend, text: str, window: Window) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(backend.engine, "before_cursor_execute", count)
    try:
        backend.list_incidents(parse_filter(text), window)
    finally:
        event.remove(backend.engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("text", ["status:active", '"connection"', "config:payments-db", "sort:commander"])
def test_a_board_page_is_a_constant_number_of_queries(big, text):
    """No query per row (N+1): a page of 5 rows and one of 100 take the same statements, at most two
    (rows, and the count when it is not read in the same pass)."""
    small, full = _statements(big, text, Window(0, 5)), _statements(big, text, Window(0, PAGE))
    assert small == full <= 2
    assert _statements(big, text, Window(INCIDENTS - 50, PAGE)) <= 2


@pytest.mark.parametrize(("text", "wanted"), [
    ("config:payments-db", lambda d: any("payments-db" in c.name for c in d.configs)),
    ("config:!payments-db", lambda d: not any("payments-db" in c.name for c in d.configs)),
    ("config:none", lambda d: not d.configs),
    ("check:api-health", lambda d: any("api-health" in c.name for c in d.checks)),
    ("commander:priya", lambda d: d.commander is not None and "Priya" in d.commander.name),
    ("commander:!priya", lambda d: d.commander is None or "Priya" not in d.commander.name),
    ("responder:sre", lambda d: any("SRE" in r.name for r in d.responders)),
    ("responder:none", lambda d: not d.responders),
])
def test_filters_driven_from_people_configs_and_checks_match_each_incident(big, text, wanted):
    """Checked against each incident's own detail, on the newest incidents (those with responders)."""
    query = parse_filter(f"{text} sort:age")
    page = big.list_incidents(query, Window(0, 60))
    assert page.rows, text
    assert all(wanted(big.get_incident(row.id)) for row in page.rows)
    others = big.list_incidents(parse_filter("sort:age"), Window(0, 60)).rows
    shown = {row.id for row in big.list_incidents(query, Window(0, INCIDENTS)).rows}
    assert all(wanted(big.get_incident(row.id)) == (row.id in shown) for row in others)


@pytest.mark.parametrize(("text", "index"), [("config:payments-db", "evidences_config_hypothesis_idx"),
                                             ("check:api-health", "evidences_check_hypothesis_idx")])
def test_link_filters_start_from_the_matching_items_never_per_incident(big, text, index):
    """EXPLAIN of the count: SQLite reads evidence and hypotheses from covering indexes alone
    (migration 0006); PostgreSQL hashes the matching incidents once (no subplan run per incident)."""
    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, *_):
        seen.append((statement, parameters))

    event.listen(big.engine, "before_cursor_execute", keep)
    try:
        big.list_incidents(parse_filter(text), Window(0, PAGE))
    finally:
        event.remove(big.engine, "before_cursor_execute", keep)
    statement, parameters = next((statement, parameters) for statement, parameters in seen
                                 if statement.lstrip().upper().startswith("SELECT COUNT(*)"))
    explain = "EXPLAIN QUERY PLAN " if big.dialect == "sqlite" else "EXPLAIN "
    with big.engine.connect() as conn:
        plan = "\n".join(str(row) for row in conn.exec_driver_sql(explain + statement, parameters))
    if big.dialect == "sqlite":
        assert f"COVERING INDEX {index}" in plan and "COVERING INDEX hypotheses_id_incident_idx" in plan
    else:
        assert plan.count("SubPlan") == plan.count("hashed SubPlan"), plan


def test_a_newer_board_page_interrupts_an_older_one_still_running(tmp_path):
    """SQLite: the page the user moved on from stops (Superseded) instead of finishing for nothing."""
    import threading
    import time

    from sqlalchemy import text

    from tui.store.base import Superseded

    backend = open_sql_backend(f"sqlite:///{tmp_path / 'interrupt.db'}", TESTER)
    started, outcome = threading.Event(), []

    def slow_page() -> None:  # a page read as list_incidents makes one, but very slow
        try:
            with backend._read() as conn, backend._newest_page_read(conn):
                started.set()
                conn.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                  "SELECT count(*) FROM (SELECT i FROM n LIMIT 2000000000)")).scalar()
            outcome.append("finished")
        except Superseded as error:
            outcome.append(str(error))

    older = threading.Thread(target=slow_page)
    try:
        older.start()
        assert started.wait(10)
        time.sleep(0.5)  # the slow statement is running by then
        assert backend.list_incidents(parse_filter(""), Window(0, PAGE)).total == 0  # the newer page
        older.join(10)
        assert not older.is_alive() and outcome == ["A newer request replaced this one."]
    finally:
        backend.close()


@pytest.mark.parametrize("text", ["", "status:active", '"payments"', "db", "type:!cost"])
def test_a_first_page_counts_up_to_the_cap_and_a_window_past_it_counts_all(big, text, monkeypatch):
    from tui.store.sql import backend as sql_backend

    exact = big.list_incidents(parse_filter(text), Window(DEEP_OFFSET, 1))
    assert exact.exact and exact.total > 200, text
    monkeypatch.setattr(sql_backend, "COUNT_CAP", 200)
    first = big.list_incidents(parse_filter(text), Window(0, PAGE))
    assert (first.total, first.exact) == (200, False)
    assert first.rows == big.list_incidents(parse_filter(text), Window(0, PAGE + 200)).rows[:PAGE]
    reaching = big.list_incidents(parse_filter(text), Window(150, PAGE))
    assert (reaching.total, reaching.exact) == (exact.total, True)


def test_a_term_matched_row_by_row_stops_counting_sooner(big, monkeypatch):
    """One or two letters cannot use the trigram index: their count reads rows, so it stops sooner."""
    from tui.store.sql import backend as sql_backend

    monkeypatch.setattr(sql_backend, "COUNT_CAP", 150)
    monkeypatch.setattr(sql_backend, "ROW_BY_ROW_COUNT_CAP", 120)
    assert big.list_incidents(parse_filter("db"), Window(0, PAGE)).count == Count(120, exact=False)
    assert big.list_incidents(parse_filter('"payments"'), Window(0, PAGE)).count == Count(150, exact=False)
