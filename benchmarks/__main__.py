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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import textual

from . import scenarios
from .databases import BENCH_USER, pg_seeded, seeded, seeding_figures, sqlite_url, working_copy
from .harness import TIMEOUT_SECONDS
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
    parser.add_argument("--modes", default="sqlite,api", help="sqlite, postgresql, api (default sqlite,api; "
                        "postgresql needs --pg)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to keep the benchmark databases on")
    parser.add_argument("--samples", type=int, default=10, help="keystrokes per latency scenario (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="starts per start-up scenario (default 3)")
    parser.add_argument("--list-rows", type=int, default=100_000,
                        help="rows `incidents list --json` prints in the memory scenario (default 100000)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json", help="where to write "
                        "every figure (default benchmarks/results.json)")
    args = parser.parse_args()
    args.sizes = [int(size.replace("_", "")) for size in args.incidents.split(",")]
    args.mode_list = [mode.strip() for mode in args.modes.split(",")]
    if "postgresql" in args.mode_list and not args.pg:
        parser.error("--modes postgresql needs --pg postgresql://user@host/postgres")
    return args


def latency(metric: str, scenario: str, samples: list[float], floor: float, limit: float | None) -> Compared:
    return Compared(metric, scenario, percentile(samples, 50), floor, "ms", limit, distribution(samples))


# -- Floors ------------------------------------------------------------------------------------

class Floors:
    """The bare app's figures, measured once per run, before the scenarios."""

    def __init__(self, args: argparse.Namespace) -> None:
        progress("floors: the bare app …")
        asyncio.run(scenarios.bare_startup())  # warm-up: first-use costs belong to the cold start
        self.start = median([asyncio.run(scenarios.bare_startup()) for _ in range(args.runs)])
        self.step = percentile(asyncio.run(scenarios.bare_step_latencies(args.samples * 2)), 50)
        self.replace = percentile(asyncio.run(scenarios.bare_replace_latencies(args.samples * 2)), 50)
        bare = [fresh_process("bare") for _ in range(args.runs)]
        self.process = median([seconds for seconds, _ in bare])
        self.rss = max(rss for _, rss in bare)

    def rows(self) -> list[Compared]:
        return [Compared("floor: bare app start, in process", "DataTable of 50 rows", self.start, None, "ms"),
                Compared("floor: bare app process, start to interactive", "fresh process", self.process, None, "ms"),
                Compared("floor: bare DataTable cursor step, from rest", "50 rows", self.step, None, "ms"),
                Compared("floor: bare DataTable replacing its 50 rows, from rest", "50 rows", self.replace, None,
                         "ms"),
                Compared("floor: bare app peak memory", "fresh process", self.rss, None, "MiB")]


def fresh_process(*arguments: str) -> tuple[float, float]:
    """(ms from process start to interactive, peak RSS MiB) of one `benchmarks.child` run."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.child", *arguments], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    ready = time.perf_counter()
    if child.wait() != 0 or not line:
        raise RuntimeError(f"benchmarks.child {' '.join(arguments)} failed (exit {child.returncode})")
    return (ready - started) * 1000, json.loads(line)["peak_rss_mib"]


# -- One database in one mode ------------------------------------------------------------------

def board_rows(name: str, source: scenarios.Source, child: tuple[str, ...], floors: Floors,
               args: argparse.Namespace) -> list[Compared]:
    """Everything measured on the running board, in process and in a fresh process."""
    rows = []
    progress(f"{name}: first interactive board …")
    asyncio.run(scenarios.board_startup(source))  # warm-up (caches, the database's pages)
    starts = [asyncio.run(scenarios.board_startup(source))[1] for _ in range(args.runs)]
    rows.append(Compared("first interactive board, in process", name, median(starts), floors.start, "ms",
                         TARGETS["start"]))
    processes = [fresh_process(*child) for _ in range(args.runs)]
    rows.append(Compared("cold start, whole process", name, median([s for s, _ in processes]), floors.process, "ms",
                         TARGETS["process"]))
    rows.append(Compared("peak memory, TUI process", name, max(r for _, r in processes), floors.rss, "MiB",
                         TARGETS["memory"]))
    samples = args.samples
    measured: list[tuple[str, Callable[[], list[float]], float, float | None]] = [
        ("cursor step j, row + detail painted", lambda: asyncio.run(scenarios.step_latencies(source, samples)),
         floors.step, TARGETS["step"]),
        ("page down", lambda: asyncio.run(scenarios.step_latencies(source, samples, "pagedown")), floors.step,
         TARGETS["edge"]),
        ("cursor across the page edge", lambda: asyncio.run(scenarios.page_edge_latencies(source, samples)),
         floors.step, TARGETS["edge"]),
        ("enter to the detail pane", lambda: asyncio.run(scenarios.open_detail_latencies(source, samples)),
         floors.step, TARGETS["edge"]),
        ("G, last row", lambda: asyncio.run(scenarios.bottom_latencies(source, max(samples // 2, 2))),
         floors.replace, TARGETS["filter"]),
    ]
    for text_metric, text in FILTERS:
        measured.append((f"{text_metric}: {text}",
                         lambda text=text: asyncio.run(scenarios.filter_latencies(source, text, max(samples // 2, 2))),
                         floors.replace, TARGETS["filter"]))
    for metric, run, floor, limit in measured:
        progress(f"{name}: {metric} …")
        try:
            rows.append(latency(metric, name, run(), floor, limit))
        except TimeoutError:  # reported as missed, and the run goes on
            rows.append(Compared(metric, name, math.inf, floor, "ms", limit,
                                 f"a sample took over {TIMEOUT_SECONDS:.0f} s"))
    progress(f"{name}: transitions …")
    shown, idle = asyncio.run(scenarios.transition_latencies(source, samples))
    rows.append(latency("transition key -> stored + row painted", name, shown, floors.step, TARGETS["transition"]))
    rows.append(latency("transition key -> ... + counts painted", name, idle, floors.step, TARGETS["transition"]))
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
def api_source(path: Path, args: argparse.Namespace) -> Iterator[tuple[Callable, tuple[str, ...]]]:
    """The working copy served by `incidents serve` on loopback: (open a client, child arguments)."""
    from tui.server.tokens import Role, create_token
    from tui.store.api import open_api_backend
    from tui.store.sql import open_sql_database

    from .server import serving

    database = open_sql_database(sqlite_url(path))
    try:
        token = create_token(database, f"bench {time.time_ns()}", Role.RESPONDER, BENCH_USER)
    finally:
        database.close()
    with serving(sqlite_url(path), args.work) as base:
        yield (lambda: open_api_backend(base, token)), ("api", base, token)


def measure_size(incidents: int, floors: Floors, args: argparse.Namespace) -> list[Compared]:
    from tui.store.sql import open_sql_backend

    rows: list[Compared] = []
    cached = seeded(incidents)
    rows += seeding_rows(incidents, postgres=False)
    directory = args.work / str(incidents)
    directory.mkdir()
    path = working_copy(cached, directory)
    for mode in args.mode_list:
        name = f"{incidents:,}, {mode}"
        if mode == "sqlite":
            rows += board_rows(name, path, ("board", sqlite_url(path)), floors, args)
            rows += list_rows(name, path, incidents, args)
        elif mode == "postgresql":
            url = pg_seeded(args.pg, incidents)
            rows += seeding_rows(incidents, postgres=True)
            rows += board_rows(name, lambda url=url: open_sql_backend(url, BENCH_USER), ("board", url), floors, args)
        elif mode == "api":
            with api_source(path, args) as (source, child):
                rows += board_rows(name + " (incidents serve over SQLite, loopback)", source, child, floors, args)
    return rows


def main() -> None:
    args = arguments()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="incident-bench-") as scratch:
        args.work = Path(scratch)
        floors = Floors(args)
        rows = floors.rows()
        for incidents in args.sizes:
            rows += measure_size(incidents, floors, args)
    load = os.getloadavg()
    heading = (f"incident-tui benchmarks · {started:%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · load "
               f"{load[0]:.1f} / {load[1]:.1f} · Python {platform.python_version()} · Textual {textual.__version__} "
               "· headless 160x48")
    print(f"\n{heading}\n")
    print(compared_table(rows))
    args.json.write_text(json.dumps({"heading": heading, "rows": [row.as_json() for row in rows]}, indent=2))
    progress(f"\nevery figure: {args.json}")


if __name__ == "__main__":
    main()
