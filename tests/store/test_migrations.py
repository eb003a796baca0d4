"""Our databases are migrated to head; a Mission Control database is opened as it is."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import TESTER
from tui.domain.catalog import CatalogKind, parse_catalog_filter
from tui.domain.enums import Health, Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft
from tui.domain.query import Window
from tui.store.base import BackendError, Unavailable
from tui.store.sql import migrate, open_sql_backend
from tui.store.sql.schema import metadata


def scalar(url: str, sql: str):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_a_new_database_is_migrated_to_head(backend_url):
    open_sql_backend(backend_url, TESTER).close()
    assert scalar(backend_url, "SELECT version_num FROM alembic_version") == migrate.head()
    assert scalar(backend_url, "SELECT count(*) FROM people WHERE name = 'System' AND email IS NULL") == 1


def test_reopening_changes_nothing(backend_url):
    first = open_sql_backend(backend_url, TESTER)
    created = first.create_incident(IncidentDraft(title="kept"))
    first.close()
    again = open_sql_backend(backend_url, TESTER)
    try:
        assert again.get_incident(created.id).incident.title == "kept"
        assert again.create_incident(IncidentDraft(title="next")).incident_id == "INC-2"
    finally:
        again.close()
    assert scalar(backend_url, "SELECT version_num FROM alembic_version") == migrate.head()
    assert scalar(backend_url, "SELECT count(*) FROM people WHERE name = 'System'") == 1


# Built by the migration from SQL text (FTS5, counters, expression indexes), not in schema.metadata.
MIGRATION_ONLY_TABLES = ("incident_id_sequence", "incidents_fts")
MIGRATION_ONLY_INDEXES = {f"incidents_{name}_idx" for name in
                          ("status_rank", "type_rank", "title", "number", "board", "search_trgm", "commander_board")}


def _ours(name, kind, parent_names) -> bool:
    if kind == "table":
        return not name.startswith(MIGRATION_ONLY_TABLES)
    return not (kind == "index" and name in MIGRATION_ONLY_INDEXES)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migration_builds_what_schema_py_describes(backend_url):
    open_sql_backend(backend_url, TESTER).close()
    engine = create_engine(backend_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": _ours})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def _index_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
    finally:
        engine.dispose()


def test_a_database_made_at_0001_is_upgraded_with_its_data_and_can_go_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    engine.dispose()
    assert "incidents_status_idx" in _index_names(url)
    first = open_sql_backend(url, TESTER)  # upgrades to head
    try:
        created = first.create_incident(IncidentDraft(title="kept", severity=Severity.HIGH))
        assert first.count_by_severity(parse_filter("status:active"))[Severity.HIGH] == 1
        assert first.list_incidents(parse_filter("sev:high type:!cost"), Window()).rows[0].id == created.id
    finally:
        first.close()
    assert {"incidents_status_rank_idx", "incidents_type_rank_idx"} <= _index_names(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0001")
    engine.dispose()
    names = _index_names(url)
    assert "incidents_status_idx" in names and "incidents_status_rank_idx" not in names


def test_views_answer(backend):
    created = backend.create_incident(IncidentDraft(title="viewed"))
    url = backend.engine.url.render_as_string(hide_password=False)
    assert scalar(url, "SELECT count(*) FROM incident_summary") == 1
    assert scalar(url, "SELECT count(*) FROM incidents_by_config") == 0
    assert scalar(url, "SELECT count(*) FROM incidents_by_check") == 0
    assert created.incident_id == "INC-1"


def test_a_newer_schema_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'future.db'}"
    open_sql_backend(url, TESTER).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(Unavailable, match="upgrade incident-tui"):
        open_sql_backend(url, TESTER)


@pytest.mark.postgres
def test_a_mission_control_database_is_used_as_it_is(mission_control_pg_url):
    """Mission Control's own schema: lenient rows, its sequence for ids, never migrated."""
    with psycopg.connect(mission_control_pg_url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute("INSERT INTO people (name) VALUES ('System')")
        conn.execute(
            "INSERT INTO incidents (title, created_by, severity, description, type, status) "
            "SELECT 'from the web UI', id, 'Blocker', '', 'technicalDebt', 'investigating' FROM people")
        tables_before = set(inspect(create_engine(mission_control_pg_url)).get_table_names())
    backend = open_sql_backend(mission_control_pg_url, TESTER)
    try:
        assert not backend.managed
        page = backend.list_incidents(parse_filter("status:active sev:high type:technical_debt"), Window())
        assert [(r.incident_id, r.severity, r.status) for r in page.rows] == \
            [("INC-1", Severity.HIGH, Status.INVESTIGATING)]
        created = backend.create_incident(IncidentDraft(title="from the terminal", check_ids=()))
        assert created.incident_id == "INC-2"
        moved = backend.transition(created.id, Status.MITIGATED, "note", created.updated_at)
        detail = backend.get_incident(moved.id)
        assert [e.actor.name for e in detail.timeline] == [TESTER.name] * 3
        assert backend.list_incidents(parse_filter('"terminal"'), Window()).total == 1
        assert backend.search_checks("") == []
        conn_url = mission_control_pg_url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(conn_url) as conn:  # the stand-ins' few columns: the views show what is there
            conn.execute("INSERT INTO config_items (name, type) VALUES ('payments-db', 'AWS::RDS::DBInstance')")
            conn.execute("INSERT INTO checks (name, status) VALUES ('api-health', 'unhealthy')")
        configs = backend.list_configs(parse_catalog_filter(CatalogKind.CONFIGS, "type:rds"), Window())
        assert [(row.name, row.health, row.open_incidents) for row in configs.rows] == [
            ("payments-db", Health.UNKNOWN, 0)]
        checks = backend.list_checks(parse_catalog_filter(CatalogKind.CHECKS, "status:unhealthy"), Window())
        assert [(row.name, row.last_run) for row in checks.rows] == [("api-health", None)]
        assert backend.get_check(checks.rows[0].id).results == ()
    finally:
        backend.close()
    assert set(inspect(create_engine(mission_control_pg_url)).get_table_names()) == tables_before
    assert "alembic_version" not in tables_before


def test_a_database_with_unrelated_incidents_table_needs_the_rest(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE incidents (id text)"))
    engine.dispose()
    with pytest.raises(Unavailable, match="not an incident database"):
        open_sql_backend(url, TESTER)
    assert scalar(url, "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'") == 0


def test_sqlite_connections_use_wal_foreign_keys_and_wait_when_busy(tmp_path):
    backend = open_sql_backend(f"sqlite:///{tmp_path / 'pragmas.db'}", TESTER)
    try:
        with backend.engine.connect() as conn:
            pragmas = [conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "foreign_keys", "busy_timeout")]
    finally:
        backend.close()
    assert pragmas == ["wal", 1, 5000]


def test_responders_stored_twice_before_0005_are_kept_once_and_can_no_longer_be_doubled(tmp_path):
    """Two writers that raced before 0005 may have stored one person twice: the oldest stays."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0004")
        conn.execute(text("INSERT INTO people (id, name, created_at) VALUES ('p1', 'Dana', '2026-01-01'), "
                          "('t0', 'Creator', '2026-01-01')"))
        conn.execute(text("INSERT INTO teams (id, name, created_by, created_at, updated_at) "
                          "VALUES ('t1', 'SRE', 't0', '2026-01-01', '2026-01-01')"))
        conn.execute(text("INSERT INTO incidents (id, incident_id, title, created_by, severity, type, status, "
                          "created_at, updated_at) VALUES ('i1', 'INC-1', 'raced', 't0', 'High', 'incident', "
                          "'open', '2026-01-01', '2026-01-01')"))
        for id, person, team, at in (("r3", "p1", None, "03"), ("r1", "p1", None, "01"), ("r2", "p1", None, "02"),
                                     ("r4", None, "t1", "01"), ("r5", None, "t1", "02")):
            conn.execute(text("INSERT INTO responders (id, incident_id, type, person_id, team_id, created_by, "
                              "created_at, updated_at) VALUES (:id, 'i1', 'person', :person, :team, 't0', :at, :at)"),
                         {"id": id, "person": person, "team": team, "at": f"2026-01-01 00:00:{at}"})
        command.upgrade(migrate.alembic_config(conn), "head")
        active = conn.execute(text("SELECT id FROM responders WHERE deleted_at IS NULL ORDER BY id")).scalars().all()
        assert active == ["r1", "r4"]
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                conn.execute(text("INSERT INTO responders (id, incident_id, type, person_id, created_by) "
                                  "VALUES ('r6', 'i1', 'person', 'p1', 't0')"))
        command.downgrade(migrate.alembic_config(conn), "0004")
        conn.execute(text("INSERT INTO responders (id, incident_id, type, person_id, created_by) "
                          "VALUES ('r6', 'i1', 'person', 'p1', 't0')"))  # allowed again without the index
    engine.dispose()


def _set_last_number(url: str, number: int) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT setval('incident_id_sequence', :n)"), {"n": number})
            else:
                conn.execute(text("UPDATE incident_id_sequence SET last_value = :n"), {"n": number})
    finally:
        engine.dispose()


def test_our_schema_numbers_incidents_past_inc_999999(backend_url):
    """Migration 0006: Mission Control's varchar(10) stopped at INC-999999 on PostgreSQL."""
    open_sql_backend(backend_url, TESTER).close()
    _set_last_number(backend_url, 999_998)
    backend = open_sql_backend(backend_url, TESTER)
    try:
        made = [backend.create_incident(IncidentDraft(title=f"number {n}")).incident_id for n in range(3)]
        assert made == ["INC-999999", "INC-1000000", "INC-1000001"]
        assert backend.get_incident(backend.find_incident("1000000")).incident.title == "number 1"
        assert backend.list_incidents(parse_filter('"INC-1000001"'), Window()).total == 1
    finally:
        backend.close()


@pytest.mark.postgres
def test_a_mission_control_database_says_its_incident_ids_ran_out(mission_control_pg_url):
    """Never migrated, so its varchar(10) stays: the create past INC-999999 is a sentence, not a driver error."""
    with psycopg.connect(mission_control_pg_url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute("INSERT INTO people (name) VALUES ('System')")
    _set_last_number(mission_control_pg_url, 999_998)
    backend = open_sql_backend(mission_control_pg_url, TESTER)
    try:
        assert backend.create_incident(IncidentDraft(title="the last one")).incident_id == "INC-999999"
        with pytest.raises(BackendError, match=r"holds INC-999999 at most\. Nothing was created") as refused:
            backend.create_incident(IncidentDraft(title="one too many"))
        assert "varchar" in str(refused.value) and "Traceback" not in str(refused.value)
        assert backend.list_incidents(parse_filter('"one too many"'), Window()).total == 0
    finally:
        backend.close()


def test_the_head_read_from_the_files_is_alembics():
    from alembic.script import ScriptDirectory

    assert migrate.head() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_opening_a_current_database_does_not_import_alembic(tmp_path):
    """Cold start (issue 7): Alembic is loaded only when there is something to migrate."""
    url = f"sqlite:///{tmp_path / 'current.db'}"
    open_sql_backend(url, TESTER).close()
    script = ("import sys; from tui.store.sql import open_sql_backend; from tui.domain.models import Identity; "
              f"open_sql_backend({url!r}, Identity(name='x')).close(); "
              "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
