"""`python -m benchmarks.long_description`: the cursor step onto an incident with a 1 MB description.

Copies the demo database, gives the second incident on the board a description of `--size`
bytes (lines of prose), then times `j` onto it and `k` back, until the cursor and the detail
pane show the incident (as `make bench` times a step).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from textual.app import App

from tui.screens.board import Board

from .databases import DEMO_INCIDENTS, seeded, working_copy
from .harness import send_key, wait_for
from .scenarios import detail_matches_cursor, ms, open_board, quiet

LINE = "The replica fell behind after the failover; connections were reset and retried. "


def long_text(size: int) -> str:
    lines = (f"{n:06d} {LINE}" for n in range(size // (len(LINE) + 7) + 1))
    return "\n".join(lines)[:size]


def lengthen_second_incident(path: Path, size: int) -> str:
    with sqlite3.connect(path) as conn:
        incident_id, = conn.execute(
            "SELECT incident_id FROM incidents WHERE status IN ('open', 'investigating', 'mitigated') "
            "ORDER BY (CASE lower(severity) WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END), "
            "created_at DESC LIMIT 1 OFFSET 1").fetchone()
        conn.execute("UPDATE incidents SET description = ? WHERE incident_id = ?", (long_text(size), incident_id))
    return incident_id


async def step(app: App, board: Board, key: str, target: int) -> float:
    await quiet(app, board)
    started = time.perf_counter()
    send_key(app, key)
    moved = await wait_for(app, lambda: board.table.index == target and board._pending is None
                           and detail_matches_cursor(board))
    return ms(started, moved)


async def measure(path: Path, incident_id: str, steps: int) -> tuple[list[float], list[float]]:
    """(j onto the long incident, k back off it), `steps` times each."""
    onto, off = [], []
    async with open_board(path) as (app, board, _):
        for _ in range(steps):
            onto.append(await step(app, board, "j", 1))
            assert board.table.current.incident_id == incident_id
            off.append(await step(app, board, "k", 0))
    return onto, off


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.long_description")
    parser.add_argument("--size", type=int, default=1_000_000, help="description size in bytes (default 1 MB)")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = working_copy(seeded(DEMO_INCIDENTS), Path(directory))
        incident_id = lengthen_second_incident(path, args.size)
        onto, off = await measure(path, incident_id, args.steps)
    for name, samples in (("j onto", onto), ("k off", off)):
        print(f"{name} {incident_id} ({args.size:,} byte description): median {statistics.median(samples):.0f} ms, "
              f"max {max(samples):.0f} ms over {len(samples)} steps")


if __name__ == "__main__":
    asyncio.run(main())
