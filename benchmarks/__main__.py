"""`python -m benchmarks [--incidents 10000,100000,1000000] [--modes sqlite,postgresql,api] [--pg URL]`

Drives the real app headless at 160x48 and prints, for every scenario of issue 7, its figure
beside a floor measured the same way in the same run (from rest, never back to back), as a
ratio: a bare Textual app's start and process, a bare DataTable's cursor step and its replacing
its 50 rows, the same SQL through plain sqlite3. The table goes to stdout, every figure to a
JSON file. Databases are seeded once (deterministically) and cached; see benchmarks/databases.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import textual

from . import scenarios
from .databases import (
    BENCH_USER,
    cancel_leftover_queries,
    local_postgres,
    pg_seeded,
    seeded,
    seeding_figures,
    sqlite_url,
    working_copy,
)
from .measure import Measured, run_scenario
from .report import Compared, compared_table, distribution, median, percentile

ROOT = Path(__file__).resolve().parent.parent
FILTERS = [  # (metric, filter text)
    ("filter, structured", "sev:critical status:open"),
    ("filter, structured", "status:active type:security"),
    ("filter, free text", '"connection"'),
    ("filter, word prefix", "conn"),
    ("filter, 2-letter term", "db"),
    ("filter, people", "commander:@me"),
    ("filter, people", "commander:priya"),
    ("filter, config", "config:payments-db"),
    ("filter, check", "check:api-health"),
    *(("sort", f"sort:{key}") for key in ("id", "status", "type", "title", "commander", "age", "updated")),
]
"""Each applied from the default board (status:active), which is what the first one resets to."""
TARGETS = {"start": 1.2, "process": 1.5, "list": 3.0, "step": 2.0, "edge": 3.0, "filter": 1.0, "transition": 3.0,
           "memory": 1.5}


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", default="10000,100000", help="database sizes, comma-separated "
                        "(default 10000,100000; add 1000000 for the issue's table)")
    parser.add_argument("--modes", default="sqlite,api", help="sqlite, postgresql, api (over SQLite), "
                        "api-postgresql (default sqlite,api; the PostgreSQL ones need --pg)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to keep the benchmark databases on, "
                        "or `local`: a cluster of the benchmark's own in benchmarks/.cache/postgresql (PostgreSQL 15's "
                        "initdb and pg_ctl, as the postgres user when run as root), started for the run")
    parser.add_argument("--sample-timeout", type=float, default=30, metavar="SECONDS",
                        help="a sample slower than this ends its scenario, reported as not finished (default 30)")
    parser.add_argument("--scenario-timeout", type=float, default=300, metavar="SECONDS",
                        help="a scenario's process still running after this is killed, reported as not finished "
                        "(default 300)")
    parser.add_argument("--samples", type=int, default=10, help="keystrokes per latency scenario (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="starts per start-up scenario (default 3)")
    parser.add_argument("--list-rows", type=int, default=100_000,
                        help="rows `incidents list --json` prints in the memory scenario (default 100000)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json", help="where to write "
                        "every figure (default benchmarks/results.json)")
    args = parser.parse_args()
    args.sizes = [int(size.replace("_", "")) for size in args.incidents.split(",")]
    args.mode_list = [mode.strip() for mode in args.modes.split(",")]
    if any(mode.endswith("postgresql") for mode in args.mode_list) and not args.pg:
        parser.error("--modes postgresql needs --pg postgresql://user@host/postgres")
    return args


def latency(metric: str, scenario: str, samples: list[float], floor: float, limit: float | None) -> Compared:
    return Compared(metric, scenario, percentile(samples, 50), floor, "ms", limit, distribution(samples))


# -- Floors ------------------------------------------------------------------------------------

class Floors:
    """The bare app's figures, measured once per run, before the scenarios."""

    def __init__(self, args: argparse.Namespace, beside: str) -> None:
        self.beside = beside
        progress(f"{beside}: floors, the bare app …")
        asyncio.run(scenarios.bare_startup())  # warm-up: first-use costs belong to the cold start
        self.start = median([asyncio.run(scenarios.bare_startup()) for _ in range(args.runs)])
        self.step = percentile(asyncio.run(scenarios.bare_step_latencies(args.samples * 2)), 50)
        self.replace = percentile(asyncio.run(scenarios.bare_replace_latencies(args.samples * 2)), 50)
        bare = [fresh_process("bare") for _ in range(args.runs)]
        self.process = median([seconds for seconds, _ in bare])
        self.rss = max(rss for _, rss in bare)

    def rows(self) -> list[Compared]:
        return [Compared("floor: bare app start, in process (DataTable of 50 rows)", self.beside, self.start, None,
                         "ms"),
                Compared("floor: bare app process, start to interactive", self.beside, self.process, None, "ms"),
                Compared("floor: bare DataTable cursor step, from rest", self.beside, self.step, None, "ms"),
                Compared("floor: bare DataTable replacing its 50 rows, from rest", self.beside, self.replace, None,
                         "ms"),
                Compared("floor: bare app peak memory", self.beside, self.rss, None, "MiB")]


def fresh_process(*arguments: str, limit_seconds: float = 120) -> tuple[float, float] | None:
    """(ms from process start to interactive, peak RSS MiB) of one `benchmarks.child` run; None if
    it was not interactive within `limit_seconds` (it is killed)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.child", *arguments], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        line = child.stdout.readline() if selector.select(limit_seconds) else ""
    ready = time.perf_counter()
    if not line:
        child.kill()
        child.wait()
        return None
    if child.wait() != 0:
        raise RuntimeError(f"benchmarks.child {' '.join(arguments)} failed (exit {child.returncode})")
    return (ready - started) * 1000, json.loads(line)["peak_rss_mib"]


# -- One database in one mode ------------------------------------------------------------------

@dataclass
class Mode:
    """One database in one mode: `serve()` gives the arguments a child opens its backend with
    (`board URL` or `api BASE TOKEN`) for as long as the block runs; every scenario gets its own."""

    kind: str
    """sqlite, postgresql, api or api-postgresql"""
    name: str
    serve: Callable[[], AbstractContextManager[tuple[str, ...]]]
    path: Path | None = None
    """The SQLite file, for `incidents list` beside plain sqlite3."""


def unfinished(metric: str, name: str, measured: Measured, floor: float | None, unit: str, limit: float | None,
               index: int = 0) -> Compared:
    done = measured.column(index)
    before = f"; {len(done)} sample(s) before it, p50 {percentile(done, 50):,.0f} {unit}" if done else ""
    return Compared(metric, name, math.inf, floor, unit, limit, f"{measured.failure}{before}")


def scenario_rows(mode: Mode, args: argparse.Namespace, scenario: str, samples: int, metrics: list[str],
                  floor: float, limit: float, text: str | None = None) -> list[Compared]:
    """One scenario in its own process; a row per figure it measures (`metrics`, in sample order)."""
    progress(f"{mode.name}: {metrics[0]} …")
    with mode.serve() as source:
        measured = run_scenario(scenario, samples, source, text=text, sample_seconds=args.sample_timeout,
                                limit_seconds=args.scenario_timeout, log=args.log)
    rows = []
    for index, metric in enumerate(metrics):
        if measured.failure:
            rows.append(unfinished(metric, mode.name, measured, floor, "ms", limit, index))
        elif scenario == "start":
            rows.append(Compared(metric, mode.name, median(measured.column(index)), floor, "ms", limit))
        else:
            rows.append(latency(metric, mode.name, measured.column(index), floor, limit))
    return rows


def process_rows(mode: Mode, floors: Floors, args: argparse.Namespace) -> list[Compared]:
    """Cold start and peak memory of fresh processes showing the first board."""
    progress(f"{mode.name}: cold start …")
    with mode.serve() as source:
        processes = [fresh_process(*source, limit_seconds=args.scenario_timeout) for _ in range(args.runs)]
    done = [process for process in processes if process is not None]
    if len(done) < len(processes):
        failure = Measured([[seconds, rss] for seconds, rss in done],
                           f"{len(processes) - len(done)} of {len(processes)} not interactive in "
                           f"{args.scenario_timeout:g} s")
        return [unfinished("cold start, whole process", mode.name, failure, floors.process, "ms",
                           TARGETS["process"]),
                unfinished("peak memory, TUI process", mode.name, failure, floors.rss, "MiB", TARGETS["memory"], 1)]
    return [Compared("cold start, whole process", mode.name, median([s for s, _ in done]), floors.process, "ms",
                     TARGETS["process"]),
            Compared("peak memory, TUI process", mode.name, max(r for _, r in done), floors.rss, "MiB",
                     TARGETS["memory"])]


def board_rows(mode: Mode, floors: Floors, args: argparse.Namespace) -> list[Compared]:
    """Everything measured on the running board, each scenario in a fresh process of its own."""
    samples, few = args.samples, max(args.samples // 2, 2)
    rows = scenario_rows(mode, args, "start", args.runs, ["first interactive board, in process"], floors.start,
                         TARGETS["start"])
    rows += process_rows(mode, floors, args)
    for scenario, count, metric, floor, limit in (
            ("step", samples, "cursor step j, row + detail painted", floors.step, TARGETS["step"]),
            ("pagedown", samples, "page down", floors.step, TARGETS["edge"]),
            ("edge", samples, "cursor across the page edge", floors.step, TARGETS["edge"]),
            ("detail", samples, "enter to the detail pane", floors.step, TARGETS["edge"]),
            ("bottom", few, "G, last row", floors.replace, TARGETS["filter"])):
        rows += scenario_rows(mode, args, scenario, count, [metric], floor, limit)
    for text_metric, text in FILTERS:
        rows += scenario_rows(mode, args, "filter", few, [f"{text_metric}: {text}"], floors.replace,
                              TARGETS["filter"], text)
    rows += scenario_rows(mode, args, "transition", samples, ["transition key -> stored + row painted",
                                                              "transition key -> ... + counts painted"],
                          floors.step, TARGETS["transition"])
    return rows


def list_rows(name: str, path: Path, incidents: int, args: argparse.Namespace) -> list[Compared]:
    """`incidents list --json` as a whole process beside the same SQL through plain sqlite3, and the
    peak memory of listing many rows."""
    statements = capture_list_statements(path, args)
    plain = [timed_process([sys.executable, "-m", "benchmarks.plain_list", str(path), str(statements)])
             for _ in range(args.runs)]
    ours = [timed_process([sys.executable, "-m", "tui.cli", "--db", str(path), "list", "--json"])
            for _ in range(args.runs)]
    rows = [Compared("`incidents list --json`, whole process", name, median([s for s, _ in ours]),
                     median([s for s, _ in plain]), "ms", TARGETS["list"])]
    count = min(incidents, args.list_rows)
    progress(f"{name}: incidents list of {count:,} rows …")
    _, rss = timed_process([sys.executable, "-m", "tui.cli", "--db", str(path), "list", "", "--limit", str(count),
                            "--json"])
    rows.append(Compared(f"peak memory, `incidents list` of {count:,} rows", name, rss, None, "MiB"))
    return rows


def capture_list_statements(path: Path, args: argparse.Namespace) -> Path:
    """The statements `incidents list --json` sends (default filter, 50 rows), with their parameters."""
    from sqlalchemy import event

    from tui.domain.grammar import parse_filter
    from tui.domain.query import DEFAULT_FILTER, Window
    from tui.store.sql import open_sql_backend

    backend = open_sql_backend(sqlite_url(path), BENCH_USER)
    seen: list[tuple[str, list[object]]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, list(parameters)))

    event.listen(backend.engine, "before_cursor_execute", keep)
    try:
        query = parse_filter(DEFAULT_FILTER)
        total = backend.list_incidents(query, Window(0, 0)).total
        list(backend.iter_incidents(query, Window(0, 50)))
    finally:
        backend.close()
    target = args.work / "list-statements.json"
    target.write_text(json.dumps(seen))
    assert total >= 0
    return target


def timed_process(argv: list[str]) -> tuple[float, float]:
    """(ms to exit, peak RSS MiB) of one process, its output discarded."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed")
    return (time.perf_counter() - started) * 1000, usage.ru_maxrss / 1024


def seeding_rows(incidents: int, postgres: bool) -> list[Compared]:
    figures = seeding_figures(incidents, postgres)
    if figures is None:
        return []
    name = f"{incidents:,}, {'PostgreSQL' if postgres else 'SQLite'}"
    return [Compared("seeding (when the cache was built)", name, figures["seconds"] * 1000, None, "ms"),
            Compared("peak memory, seeding", name, figures["peak_rss_mib"], None, "MiB")]


@contextmanager
def api_serving(url: str, args: argparse.Namespace) -> Iterator[tuple[str, ...]]:
    """`incidents serve` over the database at `url`, on loopback: the child arguments of a client."""
    from tui.server.tokens import Role, create_token
    from tui.store.sql import open_sql_database

    from .server import serving

    database = open_sql_database(url)
    try:
        token = create_token(database, f"bench {time.time_ns()}", Role.RESPONDER, BENCH_USER)
    finally:
        database.close()
    with serving(url, args.work) as base:
        yield "api", base, token


@contextmanager
def pg_board(url: str) -> Iterator[tuple[str, ...]]:
    """The PostgreSQL database at `url`; afterwards, any query a killed scenario left running there is
    cancelled, so that it does not slow the next scenario down."""
    try:
        yield "board", url
    finally:
        cancel_leftover_queries(url)


def modes(incidents: int, args: argparse.Namespace) -> Iterator[Mode]:
    """The modes asked for, over their databases (seeded on first use; SQLite's as a working copy)."""
    label = f"{incidents:,}"
    if {"sqlite", "api"} & set(args.mode_list):
        directory = args.work / str(incidents)
        directory.mkdir()
        path = working_copy(seeded(incidents), directory)
    for kind in args.mode_list:
        if kind == "sqlite":
            yield Mode(kind, f"{label}, sqlite", lambda: nullcontext(("board", sqlite_url(path))), path)
        elif kind == "postgresql":
            url = pg_seeded(args.pg, incidents)
            yield Mode(kind, f"{label}, postgresql", lambda url=url: pg_board(url))
        elif kind == "api":
            yield Mode(kind, f"{label}, api over SQLite",
                       lambda: api_serving(sqlite_url(path), args))
        elif kind == "api-postgresql":
            url = pg_seeded(args.pg, incidents)
            yield Mode(kind, f"{label}, api over PostgreSQL",
                       lambda url=url: api_serving(url, args))


def mode_rows(incidents: int, mode: Mode, floors: Floors, args: argparse.Namespace) -> list[Compared]:
    rows: list[Compared] = []
    if mode.kind in ("sqlite", "postgresql"):
        rows += seeding_rows(incidents, postgres=mode.kind == "postgresql")
    rows += board_rows(mode, floors, args)
    if mode.path is not None:
        rows += list_rows(mode.name, mode.path, incidents, args)
    return rows


def main() -> None:
    args = arguments()
    # Stopped with a signal, the run still stops what it started (scenario processes, the local
    # PostgreSQL) and removes its working copies.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, load = datetime.now(UTC), os.getloadavg()
    heading = (f"incident-tui benchmarks · {started:%Y-%m-%d %H:%M} UTC · commit {commit()} · {os.cpu_count()} CPUs · "
               f"load at start {load[0]:.1f} / {load[1]:.1f} · Python {platform.python_version()} · "
               f"Textual {textual.__version__} · headless 160x48")
    args.log = args.json.with_suffix(".log")
    args.log.unlink(missing_ok=True)
    rows: list[Compared] = []
    with tempfile.TemporaryDirectory(prefix="incident-bench-") as scratch, postgres_server(args):
        args.work = Path(scratch)
        for incidents in args.sizes:
            for mode in modes(incidents, args):
                floors = Floors(args, mode.name)  # again for every mode: the machine's load drifts
                rows += floors.rows()
                rows += mode_rows(incidents, mode, floors, args)
                keep(args, heading, rows)  # a long run keeps what it has measured so far
    load = os.getloadavg()
    heading += f" · load at the end {load[0]:.1f} / {load[1]:.1f}"
    print(f"\n{heading}\n")
    print(compared_table(rows))
    keep(args, heading, rows)
    progress(f"\nevery figure: {args.json}")


def keep(args: argparse.Namespace, heading: str, rows: list[Compared]) -> None:
    args.json.write_text(json.dumps({"heading": heading, "rows": [row.as_json() for row in rows]}, indent=2))


def commit() -> str:
    """The commit measured (with `+changes` when the work tree differs from it)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True)
    return (head.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


@contextmanager
def postgres_server(args: argparse.Namespace) -> Iterator[None]:
    """`--pg local`: the benchmark's own cluster, running for the run (its URL replaces `local`)."""
    if args.pg != "local":
        yield
        return
    with local_postgres() as url:
        args.pg = url
        yield


if __name__ == "__main__":
    main()
