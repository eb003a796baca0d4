"""Seeding PostgreSQL with COPY stores exactly the rows that batched INSERTs store in SQLite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW, sqlite_url
from tui.domain.models import Identity
from tui.store.demo import TABLE_ORDER
from tui.store.sql import SqlBackend, open_sql_backend, seed_demo
from tui.store.sql.schema import metadata

SEEDER = Identity(name="Seeder")
INCIDENTS = 400
"""Enough for every kind of row: responders, comments, histories, plans (all are detailed under 5,000)."""


def stored_rows(backend: SqlBackend) -> dict[str, set[tuple[Any, ...]]]:
    """Every demo table's rows, as values the backend reads (JSON as dicts, aware UTC timestamps)."""
    seeder = backend.whoami().id
    rows: dict[str, set[tuple[Any, ...]]] = {}
    with backend.engine.connect() as conn:
        for name in TABLE_ORDER:
            table = metadata.tables[name]
            found = conn.execute(select(*table.c)).all()
            rows[name] = {comparable(row) for row in found if not (name == "people" and row.id == seeder)}
    return rows


def comparable(row: Any) -> tuple[Any, ...]:
    """JSON values as sorted text: PostgreSQL's jsonb orders an object's keys its own way."""
    return tuple(json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value for value in row)


@pytest.mark.postgres
def test_copy_into_postgresql_stores_what_inserts_store_in_sqlite(pg_server, tmp_path: Path):
    pg = open_sql_backend(pg_server.url(pg_server.create_database("seed")), SEEDER)
    lite = open_sql_backend(sqlite_url(tmp_path / "seed.db"), SEEDER)
    try:
        for backend in (pg, lite):
            seed_demo(backend, incidents=INCIDENTS, now=FIXED_NOW)
        copied, inserted = stored_rows(pg), stored_rows(lite)
    finally:
        pg.close()
        lite.close()
    assert {name: len(rows) for name, rows in copied.items()} == {name: len(rows) for name, rows in inserted.items()}
    assert all(copied[name] for name in TABLE_ORDER)
    for name in TABLE_ORDER:
        assert copied[name] == inserted[name], name
