"""One fresh process: start an app headless, wait until it is interactive, report peak memory.

    python -m benchmarks.child bare
    python -m benchmarks.child board path/to/incidents.db

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


async def run_board(path: Path) -> None:
    from tui.app import IncidentApp  # only the board pays for importing the board

    from .databases import open_board_backend
    from .scenarios import board_ready

    backend = open_board_backend(path)
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
    elif argv[:1] == ["board"] and len(argv) == 2:
        asyncio.run(run_board(Path(argv[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
