"""The Configs and Checks views' part of the Backend contract, on SQLite, PostgreSQL and the API
backend over a real server on each: pages with their count, filters, sorts, details, and the
changes a check's new result makes."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from uuid import uuid4

import pytest

from tests.conftest import FIXED_NOW, TESTER
from tests.store.backends import _backend, _seeder, _target, _target_url  # noqa: F401 (fixtures)
from tests.store.seeder import Seeder
from tui.domain.catalog import CatalogKind, CatalogQuery, parse_catalog_filter
from tui.domain.enums import Health, Status
from tui.domain.query import Window
from tui.store.base import Backend, NotFound
from tui.store.sql import open_sql_backend
from tui.store.sql.schema import checks


def configs(backend: Backend, text: str, window: Window = Window()) -> list[str]:
    return [row.name for row in backend.list_configs(parse_catalog_filter(CatalogKind.CONFIGS, text), window).rows]


def check_names(backend: Backend, text: str) -> list[str]:
    return [row.name for row in backend.list_checks(parse_catalog_filter(CatalogKind.CHECKS, text), Window()).rows]


@pytest.fixture
def catalog(seeder: Seeder) -> dict[str, object]:
    """Four config items and three checks, varied in type, health, status and labels."""
    return {
        "payments-db": seeder.add_config("payments-db", "warning", type="AWS::RDS::DBInstance",
                                         config_class="DBInstance", status="Degraded",
                                         labels={"team": "payments", "tier": "data"}),
        "checkout-api": seeder.add_config("checkout-api", "unhealthy", status="Error",
                                          labels={"team": "Payments", "tier": "backend"}),
        "search-api": seeder.add_config("search-api", "OK", labels={"team": "search"}),
        "orphan-bucket": seeder.add_config("orphan-bucket", None, type="AWS::S3::Bucket", config_class="Bucket",
                                           status=None),
        "api-health": seeder.add_check("api-health", "unhealthy", labels={"team": "platform"}),
        "db-port": seeder.add_check("db-port", "healthy", type="tcp", labels={"team": "payments"}),
        "dns-resolve": seeder.add_check("dns-resolve", "healthy", type="dns"),
    }


def test_configs_are_listed_by_name_with_their_count_and_window(backend, catalog) -> None:
    page = backend.list_configs(CatalogQuery(), Window(offset=1, limit=2))
    assert page.total == 4 and page.offset == 1
    assert [row.name for row in page.rows] == ["orphan-bucket", "payments-db"]
    assert configs(backend, "") == ["checkout-api", "orphan-bucket", "payments-db", "search-api"]


@pytest.mark.parametrize(("text", "expected"), [
    ("type:rds", ["payments-db"]),
    ("type:!deployment", ["orphan-bucket", "payments-db"]),
    ("class:bucket,dbinstance", ["orphan-bucket", "payments-db"]),
    ("health:unhealthy,warning", ["checkout-api", "payments-db"]),
    ("health:healthy", ["search-api"]),  # stored as "OK"
    ("health:unknown", ["orphan-bucket"]),
    ("health:!healthy", ["checkout-api", "orphan-bucket", "payments-db"]),
    ("status:degraded", ["payments-db"]),
    ("status:!running", ["checkout-api", "orphan-bucket", "payments-db"]),
    ("label:team=payments", ["checkout-api", "payments-db"]),  # the value in any case
    ("label:!team=payments", ["orphan-bucket", "search-api"]),  # no label at all is not that label
    ("label:tier", ["checkout-api", "payments-db"]),
    ("label:team=search,tier=data", ["payments-db", "search-api"]),
    ("label:team=payments label:tier=data", ["payments-db"]),
    ("api", ["checkout-api", "search-api"]),
    ('"DB" sort:-name', ["payments-db"]),
])
def test_configs_filter(backend, catalog, text, expected) -> None:
    assert configs(backend, text) == expected


def test_configs_sort_by_health_worst_first_then_name(backend, catalog) -> None:
    assert configs(backend, "sort:health") == ["checkout-api", "payments-db", "search-api", "orphan-bucket"]
    assert configs(backend, "sort:-health") == ["orphan-bucket", "search-api", "payments-db", "checkout-api"]
    assert configs(backend, "sort:type")[:2] == ["payments-db", "orphan-bucket"]  # AWS::RDS before AWS::S3


def test_a_config_counts_its_active_incidents_and_lists_all_of_them(backend, seeder, catalog) -> None:
    config = catalog["payments-db"]
    open_one = seeder.raw_incident("replication lag", status="open", age=timedelta(hours=1))
    mitigated = seeder.raw_incident("failover done", status="mitigated", age=timedelta(hours=2))
    resolved = seeder.raw_incident("disk full", status="resolved", age=timedelta(hours=3))
    for incident in (open_one, mitigated, resolved):
        seeder.link(incident, config=config)
    seeder.link(open_one, config=config)  # a second piece of evidence: still one incident
    row = next(row for row in backend.list_configs(CatalogQuery(), Window()).rows if row.id == config)
    assert row.open_incidents == 2 and row.health is Health.WARNING
    assert dict(row.labels) == {"team": "payments", "tier": "data"}
    detail = backend.get_config(config)
    assert detail.config == row
    assert [incident.id for incident in detail.incidents] == [open_one, mitigated, resolved]  # newest first
    assert detail.incidents[2].status is Status.RESOLVED and detail.incidents[0].incident_id.startswith("RAW-")


def test_checks_show_their_latest_result(backend, seeder, catalog) -> None:
    check = catalog["api-health"]
    for minutes, passed, message in ((30, True, "200 in 40ms"), (10, False, "503 from upstream"),
                                     (20, True, "200 in 45ms")):
        seeder.add_check_result(check, FIXED_NOW - timedelta(minutes=minutes), passed, message)
    row = backend.list_checks(parse_catalog_filter(CatalogKind.CHECKS, "api"), Window()).rows[0]
    assert (row.name, row.health, row.last_message) == ("api-health", Health.UNHEALTHY, "503 from upstream")
    assert row.last_run == FIXED_NOW - timedelta(minutes=10)
    detail = backend.get_check(check)
    assert [result.message for result in detail.results] == ["503 from upstream", "200 in 45ms", "200 in 40ms"]
    assert [result.passed for result in detail.results] == [False, True, True]
    never = backend.get_check(catalog["dns-resolve"])
    assert never.check.last_run is None and never.results == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("status:unhealthy", ["api-health"]),
    ("health:healthy", ["db-port", "dns-resolve"]),
    ("type:tcp,dns", ["db-port", "dns-resolve"]),
    ("label:team=payments", ["db-port"]),
    ("sort:status", ["api-health", "db-port", "dns-resolve"]),
    ("port", ["db-port"]),
])
def test_checks_filter(backend, catalog, text, expected) -> None:
    assert check_names(backend, text) == expected


def test_a_check_counts_its_active_incidents(backend, seeder, catalog) -> None:
    check = catalog["api-health"]
    seeder.link(seeder.raw_incident("api down", status="open"), check=check)
    seeder.link(seeder.raw_incident("api slow", status="closed"), check=check)
    row = next(row for row in backend.list_checks(CatalogQuery(), Window()).rows if row.id == check)
    assert row.open_incidents == 1
    assert [incident.title for incident in backend.get_check(check).incidents] == ["api down", "api slow"]


def test_an_item_that_is_gone_is_not_found(backend, catalog) -> None:
    with pytest.raises(NotFound):
        backend.get_config(uuid4())
    with pytest.raises(NotFound):
        backend.get_check(uuid4())


def test_a_new_result_and_a_status_change_are_changes_of_that_check(backend, seeder, catalog) -> None:
    mark = backend.changes_since(None).mark
    check = catalog["db-port"]
    seeder.add_check_result(check, FIXED_NOW, False, "connection refused")
    changes = backend.changes_since(mark)
    assert changes.catalog_ids == {check} and changes.incident_ids == frozenset()
    seeder.update_rows(checks, check, status="unhealthy", updated_at=FIXED_NOW + timedelta(seconds=1))
    assert backend.changes_since(changes.mark).catalog_ids == {check}


def test_what_another_tool_stored_oddly_reads_leniently(tmp_path) -> None:
    """Labels that are not an object, a result time that is no time (SQLite keeps any text)."""
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    backend = open_sql_backend(url, TESTER, create=True)
    try:
        seeder = Seeder(backend.engine, backend.whoami().id)
        config = seeder.add_config("odd-config", "healthy")
        check = seeder.add_check("odd-check", "unhealthy")
        with sqlite3.connect(tmp_path / "odd.db") as db:
            db.execute("UPDATE config_items SET labels = '\"just text\"' WHERE name = 'odd-config'")
            db.execute("INSERT INTO check_statuses (check_id, time, status, message, is_pushed, created_at) "
                       "VALUES (?, 'soon', 0, 'odd time', 0, '2026-11-20 12:00:00.000000')", (check.hex,))
        assert backend.get_config(config).config.labels == ()
        detail = backend.get_check(check)
        assert detail.check.last_run is None and detail.check.last_message == "odd time"
        assert [(result.time, result.message) for result in detail.results] == [(None, "odd time")]
    finally:
        backend.close()
