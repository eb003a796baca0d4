"""The databases the benchmarks open, seeded once and cached: SQLite files in benchmarks/.cache/,
PostgreSQL databases named `incident_bench_<n>` on the server given with --pg.

Seeding runs in a child process, so its time and peak memory are measured and kept beside the
cache (`<name>.json`). A benchmark run works on copies of the SQLite files; on PostgreSQL its
transitions flip one incident between open and mitigated, leaving the data as it found it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tui.domain.models import Identity
from tui.store.sql import SqlBackend, open_sql_backend, seed_demo

CACHE = Path(__file__).parent / ".cache"
DEMO_INCIDENTS = 320
BENCH_USER = Identity(name="Priya Raman", email="priya.raman@example.com")
"""A person of the demo data, so `commander:@me` matches real incidents."""
BENCH_NOW = datetime(2026, 12, 1, tzinfo=UTC)
"""The seeded data's "now": the same rows whenever and wherever the cache is built."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def seeded(incidents: int, directory: Path = CACHE) -> Path:
    """A demo database with `incidents` incidents, seeded on first use and reused afterwards."""
    path = directory / f"incidents-{incidents}.db"
    if path.exists():
        _migrate(path)
        return path
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    _seed_in_child(sqlite_url(partial), incidents, path.with_suffix(".json"))
    _checkpoint(partial)
    partial.rename(path)  # only a complete database ever gets the cache name
    return path


def pg_seeded(server_url: str, incidents: int) -> str:
    """The URL of `incident_bench_<incidents>` on the PostgreSQL server at `server_url`, created and
    seeded on first use (a database that holds another number of incidents is made again)."""
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"incident_bench_{incidents}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    target = url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            if _pg_count(url.set(drivername="postgresql", database=name)) == incidents:
                return target
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _seed_in_child(target, incidents, CACHE / f"{name}.json")
    return target


def cancel_leftover_queries(url: str) -> None:
    """Cancel what other sessions are running in the database at `url`: a scenario's process killed
    while it waited on a query leaves that query running on the server until it ends."""
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'")


PG_BIN = Path(os.environ.get("INCIDENTS_BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
LOCAL_CLUSTER = CACHE / "postgresql"


@contextmanager
def local_postgres() -> Iterator[str]:
    """The benchmark's own PostgreSQL cluster (made once in benchmarks/.cache/postgresql, kept with
    its seeded databases), running on a free loopback port until the block ends: its server URL."""
    data, sockets = LOCAL_CLUSTER / "data", LOCAL_CLUSTER / "sockets"
    if not data.exists():
        sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            for path in (LOCAL_CLUSTER, sockets):
                shutil.chown(path, "postgres")
        _as_postgres(PG_BIN / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")
    port = _free_port()
    _as_postgres(PG_BIN / "pg_ctl", "-D", data, "-l", LOCAL_CLUSTER / "server.log", "-w", "-o",
                 f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")


def _as_postgres(*argv: object) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *map(str, argv)], check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pg_count(url) -> int | None:
    try:
        with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
            return conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    except psycopg.Error:
        return None


def seeding_figures(incidents: int, postgres: bool = False) -> dict[str, float] | None:
    """{"seconds", "peak_rss_mib"} of the seeding that built the cached database, if it was measured."""
    name = f"incident_bench_{incidents}.json" if postgres else f"incidents-{incidents}.json"
    path = CACHE / name
    return json.loads(path.read_text()) if path.exists() else None


def _seed_in_child(url: str, incidents: int, figures: Path) -> None:
    print(f"seeding {incidents:,} incidents into {make_url(url).render_as_string()} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.databases", url, str(incidents)],
                             cwd=Path(__file__).parent.parent)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"seeding {incidents} incidents failed")
    seconds = time.perf_counter() - started
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_text(json.dumps({"seconds": round(seconds, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}))
    print(f"seeded in {seconds:.1f} s, peak {usage.ru_maxrss / 1024:.0f} MiB", file=sys.stderr, flush=True)


def working_copy(source: Path, directory: Path) -> Path:
    """A copy the benchmarks may write to."""
    copy = directory / source.name
    shutil.copyfile(source, copy)
    return copy


def open_board_backend(path: Path) -> SqlBackend:
    return open_sql_backend(sqlite_url(path), BENCH_USER)


def _migrate(path: Path) -> None:
    """Bring a database cached by older code to this code's schema (at once when it is already)."""
    from tui.store.sql import open_sql_database

    open_sql_database(sqlite_url(path)).close()
    _checkpoint(path)


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so copying the file alone copies everything."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")


def _seed(url: str, incidents: int) -> None:
    backend = open_sql_backend(url, Identity(name="Benchmark Seeder"))
    try:
        seed_demo(backend, incidents=incidents, now=BENCH_NOW)
    finally:
        backend.close()


if __name__ == "__main__":  # the seeding child: python -m benchmarks.databases URL INCIDENTS
    _seed(sys.argv[1], int(sys.argv[2]))
