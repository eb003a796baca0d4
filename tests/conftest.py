"""Shared fixtures: the demo SQLite database, a throwaway PostgreSQL 15, backends on both.

- `demo_url` / `demo_backend`: a fresh copy (per test) of a demo database seeded once per
  session at FIXED_NOW, with tui.domain.clock frozen at FIXED_NOW during the test.
- `pg_server` / `pg_url`: a PostgreSQL cluster started with initdb + pg_ctl (as the
  `postgres` user when we are root) on a free loopback port, stopped at session end.
  `own_pg_server`: a cluster per test, which the test may `stop()` and `start()` again.
  Outside CI a machine without PostgreSQL skips those tests; with CI=true they fail instead.
- `backend`: an empty, migrated SqlBackend, once on SQLite and once on PostgreSQL.
- `mission_control_pg_url`: a database holding Mission Control's own schema (no alembic_version).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.live_server import free_port
from tui.domain import clock
from tui.domain.models import Identity
from tui.store.sql import SqlBackend, open_sql_backend, seed_demo

FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TESTER = Identity(name="Oncall Tester", email="oncall.tester@example.com")
PG_BIN = Path(os.environ.get("INCIDENTS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
MISSION_CONTROL_SCHEMA = Path(__file__).parent / "store" / "mission_control"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    clock.freeze(FIXED_NOW)
    yield FIXED_NOW
    clock.freeze(None)


# -- The demo database ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    backend = open_sql_backend(sqlite_url(path), Identity(name="Demo Seeder"))
    try:
        seed_demo(backend, now=FIXED_NOW)
    finally:
        backend.close()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path, frozen_clock: datetime) -> str:
    copy = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = demo_template.with_name(demo_template.name + suffix)
        if source.exists():
            shutil.copyfile(source, copy.with_name(copy.name + suffix))
    return sqlite_url(copy)


@pytest.fixture
def demo_backend(demo_url: str) -> Iterator[SqlBackend]:
    backend = open_sql_backend(demo_url, Identity(name="Oncall Tester"))
    yield backend
    backend.close()


# -- A throwaway PostgreSQL ------------------------------------------------------------------

@dataclass
class PgServer:
    port: int
    base: Path | None = None
    """The cluster's directory (data, sockets, log): what `stop` and `start` need."""
    _names = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                               autocommit=True)

    def create_database(self, prefix: str = "test", template: str | None = None) -> str:
        name = f"{prefix}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def start(self) -> None:
        """Start the cluster (again) on the same port."""
        assert self.base is not None
        options = (f"-p {self.port} -k {self.base / 'sockets'} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.base / "data"), "-l", str(self.base / "server.log"),
                          "-w", "-o", options, "start"])

    def stop(self) -> None:
        """Stop it at once, as a crash or an operator would: open connections are cut."""
        assert self.base is not None
        _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop"])


def _run_as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, capture_output=True, text=True, **kwargs)


def require_postgres() -> None:
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL 15 is not installed (no {PG_BIN / 'initdb'})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must run the PostgreSQL tests")
        pytest.skip(message)


@contextmanager
def pg_cluster() -> Iterator[PgServer]:
    """initdb + pg_ctl start (as the `postgres` user when we are root) on a free loopback port; removed after.

    The test may stop and start it (`PgServer.stop`/`start`)."""
    require_postgres()
    # Not under pytest's tmp dir: as root that is private to root, and postgres must enter it.
    base = Path(tempfile.mkdtemp(prefix="incident-tui-pg-"))
    (base / "sockets").mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(base / "sockets", "postgres")
    _run_as_postgres([str(PG_BIN / "initdb"), "-D", str(base / "data"), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync"])
    server = PgServer(free_port(), base)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # a test may have stopped it
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    with pg_cluster() as server:
        yield server


@pytest.fixture
def own_pg_server() -> Iterator[PgServer]:
    """A cluster of the test's own, which it may stop and start (the session's must keep running)."""
    with pg_cluster() as server:
        yield server


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """An empty database on the throwaway server, shared by the session."""
    return pg_server.url(pg_server.create_database("incidents"))


@pytest.fixture(scope="session")
def pg_migrated_template(pg_server: PgServer) -> str:
    """A migrated, empty database that per-test databases are copied from (fast)."""
    name = pg_server.create_database("template")
    open_sql_backend(pg_server.url(name), TESTER).close()
    return name


@pytest.fixture
def mission_control_pg_url(pg_server: PgServer) -> str:
    """A database with Mission Control's schema (reference schema.sql + stubs) and history triggers
    like its own (history_triggers.sql, from NOTES §1.6), not created by us."""
    name = pg_server.create_database("mission_control")
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname=name,
                         autocommit=True) as conn:
        for script in ("schema_stubs.sql", "schema.sql", "history_triggers.sql"):
            conn.execute((MISSION_CONTROL_SCHEMA / script).read_text())
    return pg_server.url(name)


# -- The backend suite runs once per database ---------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "incidents.db")
    server: PgServer = request.getfixturevalue("pg_server")
    return server.url(server.create_database("backend", template=request.getfixturevalue("pg_migrated_template")))


@pytest.fixture
def backend(backend_url: str, frozen_clock: datetime) -> Iterator[SqlBackend]:
    opened = open_sql_backend(backend_url, TESTER)
    yield opened
    opened.close()
