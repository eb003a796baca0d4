"""One fresh process: start an app headless, wait until it is interactive, report peak memory.

    python -m benchmarks.child bare
    python -m benchmarks.child board sqlite:///path/to/incidents.db   (or postgresql://…)
    python -m benchmarks.child api http://127.0.0.1:8080 TOKEN

Prints one JSON line {"peak_rss_mib": ...} as soon as the app is interactive; the parent
times the process from its start to that line (cold start: interpreter, imports, first page).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from pathlib import Path

from .harness import SIZE, BareApp, bare_ready, wait_for


def peak_rss_mib() -> float:
    """This process's resident-set high-water mark.

    Linux's VmHWM belongs to the process image and starts afresh at exec; ru_maxrss would carry
    over the high-water mark of the parent the child was forked from (the benchmark runner)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def report() -> None:
    print(json.dumps({"peak_rss_mib": round(peak_rss_mib(), 1)}), flush=True)


async def run_bare() -> None:
    app = BareApp()
    async with app.run_test(size=SIZE):
        await wait_for(app, lambda: bare_ready(app))
        report()


async def run_board(argv: list[str]) -> None:
    from tui.app import IncidentApp  # only the board pays for importing the board

    from .databases import BENCH_USER
    from .scenarios import board_ready

    if argv[0] == "api":
        from tui.store.api import open_api_backend

        backend = open_api_backend(argv[1], argv[2])
    else:
        from tui.store.sql import open_sql_backend

        backend = open_sql_backend(argv[1], BENCH_USER)  # argv: board URL
    try:
        app = IncidentApp(backend)
        async with app.run_test(size=SIZE):
            await wait_for(app, lambda: board_ready(app))
            report()
    finally:
        backend.close()


def main(argv: list[str]) -> None:
    if argv[:1] == ["bare"]:
        asyncio.run(run_bare())
    elif (argv[:1] == ["board"] and len(argv) == 2) or (argv[:1] == ["api"] and len(argv) == 3):
        asyncio.run(run_board(argv))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
