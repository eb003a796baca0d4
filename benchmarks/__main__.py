"""`python -m benchmarks [--incidents N] [--runs N] [--samples N]`: measure, then print the table.

The big database is seeded once into benchmarks/.cache/ and reused; each run works on
copies in a temporary directory. Targets are DESIGN.md §6's, on the bare app's scale.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import textual

from . import scenarios
from .databases import DEMO_INCIDENTS, seeded, working_copy
from .report import Line, latency_line, median, ratio_line, table

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT = 1.3
FILTER_LIMIT_MS = 50
CURSOR_LIMIT_MS = 16
TRANSITION_LIMIT_MS = 30
MEMORY_LIMIT_MIB = 100


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="size of the big database (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="app starts per scenario (default 5)")
    parser.add_argument("--samples", type=int, default=20, help="keystrokes per latency scenario (default 20)")
    return parser.parse_args()


# -- Startup, in this process ----------------------------------------------------------------

async def startup_lines(demo: Path, big: Path, big_name: str, runs: int) -> list[Line]:
    bare, demo_times, big_times = [], [], []
    await scenarios.bare_startup()  # warm-up: first-use costs belong to the cold start below
    await scenarios.board_startup(demo)
    for _ in range(runs):  # interleaved, so drift on the machine touches every scenario alike
        bare.append(await scenarios.bare_startup())
        demo_times.append(await scenarios.board_startup(demo))
        big_times.append(await scenarios.board_startup(big))
    reference = median(bare)
    lines = [Line("first interactive board (median)", "bare app: DataTable of 50 rows", f"{reference:,.1f} ms",
                  "reference")]
    for name, times in ((f"demo, {DEMO_INCIDENTS} incidents", demo_times), (big_name, big_times)):
        lines.append(ratio_line("first interactive board (median)", name, median([idle for _, idle in times]),
                                reference, "ms", limit_ratio=STARTUP_LIMIT))
        lines.append(ratio_line("  of which: first page painted", name, median([rows for rows, _ in times]),
                                reference, "ms"))
    return lines


# -- Cold start and peak memory, in fresh processes -------------------------------------------

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


def process_lines(demo: Path, big: Path, big_name: str, runs: int) -> list[Line]:
    kinds = {"bare app": ("bare",), f"demo, {DEMO_INCIDENTS} incidents": ("board", str(demo)),
             big_name: ("board", str(big))}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    for _ in range(runs):
        for name, argv in kinds.items():
            results[name].append(fresh_process(*argv))
    bare_start = median([start for start, _ in results["bare app"]])
    bare_rss = max(rss for _, rss in results["bare app"])
    lines = [Line("cold start to interactive (median)", "bare app, fresh process", f"{bare_start:,.0f} ms",
                  "reference"),
             Line("peak memory (RSS high-water)", "bare app, fresh process", f"{bare_rss:.1f} MiB", "reference")]
    for name in list(kinds)[1:]:
        start = median([start for start, _ in results[name]])
        rss = max(rss for _, rss in results[name])
        lines.append(ratio_line("cold start to interactive (median)", name, start, bare_start, "ms"))
        lines.append(ratio_line("peak memory (RSS high-water)", name, rss, bare_rss, "MiB",
                                limit_abs=MEMORY_LIMIT_MIB))
    return lines


# -- Latencies, in this process --------------------------------------------------------------

async def latency_lines(demo: Path, big: Path, big_name: str, samples: int) -> list[Line]:
    measure: list[tuple[str, str, Callable[[], Awaitable[list[float]]], float | None]] = [
        ("filter: enter to new page painted", f"demo, {DEMO_INCIDENTS}",
         lambda: scenarios.filter_latencies(demo, samples), FILTER_LIMIT_MS),
        ("filter: enter to new page painted", big_name, lambda: scenarios.filter_latencies(big, samples),
         FILTER_LIMIT_MS),
        ("cursor step: key to row painted", "bare app: DataTable", lambda: scenarios.bare_cursor_latencies(samples),
         None),
        ("cursor step: j to row + detail painted", big_name, lambda: scenarios.cursor_latencies(big, samples),
         CURSOR_LIMIT_MS),
        ("cursor step across the page held", big_name,
         lambda: scenarios.page_edge_latencies(big, max(samples // 2, 1)), CURSOR_LIMIT_MS),
    ]
    lines = []
    for metric, scenario, run, limit in measure:
        progress(f"  {metric} · {scenario}")
        lines.append(latency_line(metric, scenario, await run(), limit))
    progress(f"  transitions · {big_name}")
    shown, idle = await scenarios.transition_latencies(big, samples)
    lines.append(latency_line("transition m/o: key to stored + row painted", big_name, shown, TRANSITION_LIMIT_MS))
    lines.append(latency_line("  … and severity counts refreshed", big_name, idle, TRANSITION_LIMIT_MS))
    return lines


# -- The same board over `incidents serve` (API mode), next to the local database -------------

async def api_lines(demo: Path, work: Path, runs: int, samples: int) -> list[Line]:
    """First board and filter latency with the demo database served on loopback, beside the same
    database opened directly, interleaved in one run."""
    from tui.server.tokens import Role, create_token
    from tui.store.api import open_api_backend
    from tui.store.sql import open_sql_database

    from .databases import BENCH_USER, sqlite_url
    from .server import serving

    (work / "served").mkdir()
    url = sqlite_url(working_copy(demo, work / "served"))
    database = open_sql_database(url)
    try:
        token = create_token(database, "bench", Role.RESPONDER, BENCH_USER)
    finally:
        database.close()
    name = f"API: demo, {DEMO_INCIDENTS}, over incidents serve"
    with serving(url, work) as base:
        def remote():
            return open_api_backend(base, token)

        await scenarios.board_startup(remote)  # warm-up: the server's first requests fill its caches
        local_times, remote_times = [], []
        for _ in range(runs):
            local_times.append(await scenarios.board_startup(demo))
            remote_times.append(await scenarios.board_startup(remote))
        local, api = (median([idle for _, idle in times]) for times in (local_times, remote_times))
        lines = [Line("first interactive board (median)", f"local: demo, {DEMO_INCIDENTS}", f"{local:,.1f} ms",
                      "reference"),
                 Line("first interactive board (median)", name, f"{api:,.1f} ms ({api / local:.2f}x local)",
                      "reference")]
        for scenario, source in ((f"local: demo, {DEMO_INCIDENTS}", demo), (name, remote)):
            progress(f"  filter · {scenario}")
            lines.append(latency_line("filter: enter to new page painted", scenario,
                                      await scenarios.filter_latencies(source, samples), FILTER_LIMIT_MS))
    return lines


def main() -> None:
    args = arguments()
    big_name = f"{args.incidents:,} incidents"
    with tempfile.TemporaryDirectory(prefix="incident-bench-") as scratch:
        work = Path(scratch)
        demo = seeded(DEMO_INCIDENTS, work / "demo")
        big = working_copy(seeded(args.incidents), work)
        progress("measuring time to first interactive board …")
        lines = asyncio.run(startup_lines(demo, big, big_name, args.runs))
        progress("measuring cold start and peak memory in fresh processes …")
        lines += process_lines(demo, big, big_name, args.runs)
        progress("measuring keystroke latencies …")
        lines += asyncio.run(latency_lines(demo, big, big_name, args.samples))
        progress("measuring the board in API mode next to local mode …")
        lines += asyncio.run(api_lines(demo, work, args.runs, args.samples))
    print(f"\nincident-tui benchmarks · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
          f"Textual {textual.__version__} · headless 160x48\n")
    print(table(lines))


if __name__ == "__main__":
    main()
