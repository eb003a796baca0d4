"""`python -m benchmarks.server [--pg URL] [--incidents N] [--requests N] [--seconds S]`

Board-page latency (p50/p95) and throughput of `incidents serve` on loopback for 1, 10 and 50
concurrent clients: one serve process over SQLite, one over PostgreSQL, and two behind the
same PostgreSQL (clients spread over both). Each level is bounded by a request count and a
time limit. PostgreSQL rows need `--pg postgresql://user@host/postgres` (a server we may create
databases on); without it only the SQLite rows are measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
from sqlalchemy.engine import make_url

from tui.domain.models import Identity
from tui.server.tokens import Role, create_token
from tui.store.sql import open_sql_backend, open_sql_database, seed_demo

from .report import Line, percentile, table

CLIENTS = (1, 10, 50)
BOARD_PAGE = {
    "select": "id,incident_id,title,severity,status,type,created_at,updated_at,commander:commander_id(name),"
              "responders(deleted_at,person:person_id(name),team:team_id(name))",
    "status": "in.(open,mitigated,investigating,new)", "responders.deleted_at": "is.null",
    "order": "severity_rank.asc,created_at.desc,id.asc", "limit": "50",
}


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to create the benchmark database on")
    parser.add_argument("--incidents", type=int, default=2000, help="incidents in the database (default 2000)")
    parser.add_argument("--requests", type=int, default=400, help="requests per level at most (default 400)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per level at most (default 15)")
    return parser.parse_args()


def seed(url: str, incidents: int) -> str:
    backend = open_sql_backend(url, Identity(name="Benchmark Seeder"))
    try:
        seed_demo(backend, incidents=incidents)
    finally:
        backend.close()
    database = open_sql_database(url)
    try:
        return create_token(database, "bench", Role.RESPONDER, Identity(name="Bench", email="bench@example.com"))
    finally:
        database.close()


@contextmanager
def pg_database(server_url: str) -> Iterator[str]:
    """A new database on the PostgreSQL server at `server_url` (a URL for psycopg 3), dropped after."""
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"bench_{uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(url: str, work: Path) -> Iterator[str]:
    """`incidents serve` in a child process until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(work / "data"), "XDG_CONFIG_HOME": str(work / "config")}
    child = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--db", url, "--port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"incidents serve --db {url} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


def load(bases: list[str], token: str, clients: int, requests: int, seconds: float) -> tuple[list[float], float]:
    """Latencies (ms) of board-page requests from `clients` threads (client i talks to process
    i mod len(bases)), and requests per second."""
    latencies: list[float] = []
    lock, remaining = threading.Lock(), [requests]
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        headers = {"Authorization": f"Bearer {token}", "Prefer": "count=exact"}
        with httpx.Client(base_url=bases[index % len(bases)], headers=headers, timeout=60) as http:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                http.get("/db/incidents", params=BOARD_PAGE).raise_for_status()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(latencies) / (time.perf_counter() - started)


def measure(name: str, bases: list[str], token: str, args: argparse.Namespace) -> list[Line]:
    load(bases, token, len(bases), 5 * len(bases), args.seconds)  # warm-up of every process: pools, caches
    lines = []
    for clients in CLIENTS:
        progress(f"  {name} · {clients} clients")
        latencies, throughput = load(bases, token, clients, args.requests, args.seconds)
        value = (f"p50 {percentile(latencies, 50):.1f} · p95 {percentile(latencies, 95):.1f} ms · "
                 f"{throughput:.0f} req/s (n={len(latencies)})")
        lines.append(Line("board page: 50 rows + count", f"{name}, {clients} clients", value, "reference"))
    return lines


def main() -> None:
    args = arguments()
    lines: list[Line] = []
    with tempfile.TemporaryDirectory(prefix="incident-bench-server-") as scratch, ExitStack() as databases, \
            ExitStack() as stack:
        work = Path(scratch)
        progress(f"seeding {args.incidents} incidents …")
        sqlite = f"sqlite:///{work / 'served.db'}"
        token = seed(sqlite, args.incidents)
        lines += measure("1 serve · SQLite", [stack.enter_context(serving(sqlite, work))], token, args)
        if args.pg:
            postgres = databases.enter_context(pg_database(args.pg))
            token = seed(postgres, args.incidents)
            first = stack.enter_context(serving(postgres, work))
            lines += measure("1 serve · PostgreSQL", [first], token, args)
            second = stack.enter_context(serving(postgres, work))
            lines += measure("2 serve · one PostgreSQL", [first, second], token, args)
        else:
            lines.append(Line("board page: 50 rows + count", "PostgreSQL (1 and 2 serve)", "not measured",
                              "needs --pg URL"))
    print(f"\nincident-tui server benchmarks · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
          f"{args.incidents} incidents · clients and servers on this machine, loopback\n")
    print(table(lines))


if __name__ == "__main__":
    main()
