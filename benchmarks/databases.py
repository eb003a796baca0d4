"""The databases the benchmarks open: the 320-incident demo and a big one, seeded once and cached.

A benchmark run works on copies, so the transitions it makes never change the cache.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

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
        return path
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"seeding {incidents:,} incidents into {path} …", flush=True)
    backend = open_sql_backend(sqlite_url(partial), Identity(name="Benchmark Seeder"))
    try:
        seed_demo(backend, incidents=incidents, now=BENCH_NOW)
    finally:
        backend.close()
    _checkpoint(partial)
    partial.rename(path)  # only a complete database ever gets the cache name
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def working_copy(source: Path, directory: Path) -> Path:
    """A copy the benchmarks may write to."""
    copy = directory / source.name
    shutil.copyfile(source, copy)
    return copy


def open_board_backend(path: Path) -> SqlBackend:
    return open_sql_backend(sqlite_url(path), BENCH_USER)


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so copying the file alone copies everything."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
