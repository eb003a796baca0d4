"""The backend suite's targets: the SQL backend on SQLite and PostgreSQL, and the API backend
talking to a real `incidents serve` on loopback over each. Import the fixtures into a test
module: `from tests.store.backends import _backend, _seeder, _target, _target_url  # noqa: F401`
(fixtures `backend`, `seeder`, `target` and `target_url`; the functions have other names so that
test parameters do not shadow the imports).

The seeder writes to the very database the backend reads (through the server, for the API).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TESTER, PgServer, sqlite_url
from tests.live_server import Running, free_port
from tests.store.seeder import Seeder
from tui.domain.models import Identity
from tui.server import create_app
from tui.server.tokens import Role, create_token
from tui.store.api import open_api_backend
from tui.store.base import Backend
from tui.store.sql import SqlDatabase, open_sql_backend, open_sql_database

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres),
         "api+sqlite", pytest.param("api+postgresql", marks=pytest.mark.postgres)]


@dataclass
class Target:
    """One backend kind over one fresh database; `open(identity)` is another user of it."""

    kind: str
    url: str
    """The database's URL (the server's, for an API backend)."""
    database: SqlDatabase
    server_url: str | None = None
    running: Running | None = None
    opened: list[Backend] = field(default_factory=list)

    @property
    def api(self) -> bool:
        return self.server_url is not None

    def open(self, identity: Identity = TESTER, role: Role = Role.ADMIN) -> Backend:
        if self.server_url is None:
            backend: Backend = open_sql_backend(self.url, identity)
        else:
            token = create_token(self.database, f"{identity.name} {len(self.opened)}", role, identity)
            backend = open_api_backend(self.server_url, token)
        self.opened.append(backend)
        return backend

    def close(self) -> None:
        for backend in self.opened:
            backend.close()
        if self.running is not None:
            self.running.stop()
        self.database.close()


@pytest.fixture(name="target_url", params=KINDS)
def _target_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, URL of a fresh migrated database)."""
    kind: str = request.param
    if not kind.endswith("postgresql"):
        return kind, sqlite_url(tmp_path / "incidents.db")
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database("backend", template=request.getfixturevalue("pg_migrated_template"))
    return kind, server.url(name)


def start_target(kind: str, url: str, **app_options: Any) -> Target:
    database = open_sql_database(url)
    if not kind.startswith("api"):
        return Target(kind, url, database)
    port = free_port()
    return Target(kind, url, database, f"http://127.0.0.1:{port}", Running(create_app(database, **app_options), port))


@pytest.fixture(name="target")
def _target(target_url: tuple[str, str], frozen_clock: datetime) -> Iterator[Target]:
    opened = start_target(*target_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(name="backend")
def _backend(target: Target) -> Backend:
    """The backend under test, acting as TESTER (an admin token's person, for the API)."""
    return target.open()


@pytest.fixture(name="seeder")
def _seeder(target: Target, backend: Backend) -> Seeder:
    return Seeder(target.database.engine, backend.whoami().id)

