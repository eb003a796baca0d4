"""The stress command, small: several writer processes at once lose nothing, double nothing and
leave a history that replays (the full 8 x 500 run is `make stress`, by hand)."""

from __future__ import annotations

import pytest

from benchmarks.stress import stress, table
from tests.conftest import sqlite_url


def assert_clean(figures) -> None:
    assert figures.ok, table([figures]) + "\n" + "\n".join(figures.problems)
    assert figures.writes == figures.writers * 40
    assert figures.accepted > figures.writes // 4 and figures.refused > 0  # writers did meet each other


def test_writer_processes_on_one_sqlite_file(tmp_path):
    assert_clean(stress(sqlite_url(tmp_path / "stress.db"), "SQLite", writers=3, writes=40, incidents_count=2))


@pytest.mark.postgres
def test_writer_processes_on_postgresql(pg_server):
    url = pg_server.url(pg_server.create_database("stress"))
    assert_clean(stress(url, "PostgreSQL", writers=3, writes=40, incidents_count=2))


@pytest.mark.postgres
def test_writer_processes_through_two_servers_on_one_postgresql(pg_server):
    url = pg_server.url(pg_server.create_database("stress_served"))
    figures = stress(url, "PostgreSQL, 2 serve", writers=4, writes=40, incidents_count=2, serve=2)
    assert_clean(figures)
