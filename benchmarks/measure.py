"""One scenario on the board, in a process of its own, each sample printed as soon as it is measured:

    python -m benchmarks.measure SCENARIO SAMPLES SAMPLE_SECONDS [FILTER] -- board URL | api BASE TOKEN

One JSON line per sample: `[ms]`, or `[ms, ms]` for a transition (row painted, counts painted).
A sample that takes over SAMPLE_SECONDS prints `{"timeout": SAMPLE_SECONDS}` and ends the process
at once: a board whose worker thread still waits on the database would otherwise keep the process
(and the benchmark) waiting as long as the query runs. The parent (`run_scenario`) also kills a
process that outlives the whole scenario's time limit, so nothing can hang a run.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

SCENARIOS = ("start", "step", "pagedown", "edge", "detail", "bottom", "filter", "transition")


@dataclass
class Measured:
    """The samples a scenario's process printed, and why it stopped early, if it did."""

    samples: list[list[float]] = field(default_factory=list)
    failure: str | None = None

    def column(self, index: int = 0) -> list[float]:
        return [sample[index] for sample in self.samples]


def run_scenario(scenario: str, samples: int, source: tuple[str, ...], *, text: str | None = None,
                 sample_seconds: float, limit_seconds: float, log: Path) -> Measured:
    """Run `scenario` in a child process and collect its samples, within `limit_seconds` in all."""
    argv = [sys.executable, "-m", "benchmarks.measure", scenario, str(samples), str(sample_seconds),
            *([text] if text is not None else []), "--", *source]
    with log.open("ab") as errors:
        child = subprocess.Popen(argv, cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=errors,
                                 start_new_session=True)
    measured = Measured()
    deadline = time.monotonic() + limit_seconds
    out_of_time = True
    try:
        out_of_time = not _read_samples(child, measured, deadline)
        if out_of_time:
            measured.failure = measured.failure or f"not done in {limit_seconds:g} s"
    finally:  # out of time, or the benchmark itself stopped: the scenario's process goes too
        try:
            child.wait(timeout=0 if out_of_time else 10)
        except subprocess.TimeoutExpired:
            child.kill()
    code = child.wait()
    if code and measured.failure is None:
        measured.failure = f"the scenario failed (exit {code}; see {log})"
    return measured


def _read_samples(child: subprocess.Popen[bytes], measured: Measured, deadline: float) -> bool:
    """Collect what the child prints until it closes its output (True) or the deadline (False)."""
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while (remaining := deadline - time.monotonic()) > 0 and selector.select(remaining):
            line = child.stdout.readline()
            if not line:
                return True
            answer = json.loads(line)
            if isinstance(answer, dict):
                measured.failure = f"a sample took over {answer['timeout']:g} s"
            else:
                measured.samples.append(answer)
    return False


# -- The child ---------------------------------------------------------------------------------

def opener(source: list[str]) -> Callable[[], object]:
    """A function opening the backend the `board URL` / `api BASE TOKEN` arguments name."""
    from .databases import BENCH_USER

    if source[0] == "api":
        from tui.store.api import open_api_backend

        return lambda: open_api_backend(source[1], source[2])
    from tui.store.sql import open_sql_backend

    return lambda: open_sql_backend(source[1], BENCH_USER)


def samples_of(scenario: str, source: Callable, samples: int, text: str | None) -> AsyncIterator[object]:
    from . import scenarios

    if scenario == "filter":
        assert text is not None
        return scenarios.filter_latencies(source, text, samples)
    chosen = {
        "start": lambda: scenarios.startups(source, samples),
        "step": lambda: scenarios.step_latencies(source, samples),
        "pagedown": lambda: scenarios.step_latencies(source, samples, "pagedown"),
        "edge": lambda: scenarios.page_edge_latencies(source, samples),
        "detail": lambda: scenarios.open_detail_latencies(source, samples),
        "bottom": lambda: scenarios.bottom_latencies(source, samples),
        "transition": lambda: scenarios.transition_latencies(source, samples),
    }[scenario]
    return chosen()


def emit(answer: object) -> None:
    print(json.dumps(answer), flush=True)


async def measure(scenario: str, source: Callable, samples: int, text: str | None) -> None:
    try:
        async for sample in samples_of(scenario, source, samples, text):
            emit(list(sample) if isinstance(sample, tuple) else [sample])
    except TimeoutError:
        from . import harness

        emit({"timeout": harness.TIMEOUT_SECONDS})
        os._exit(0)  # see the module's docstring: do not wait for the database


def main(argv: list[str]) -> None:
    if "--" not in argv or argv[0] not in SCENARIOS:
        sys.exit(__doc__)
    split = argv.index("--")
    (scenario, samples, seconds, *text), source = argv[:split], argv[split + 1:]
    from . import harness

    harness.TIMEOUT_SECONDS = float(seconds)
    asyncio.run(measure(scenario, opener(source), int(samples), text[0] if text else None))
    sys.stdout.flush()
    os._exit(0)  # a board closed while a worker thread still reads would keep the interpreter waiting


if __name__ == "__main__":
    main(sys.argv[1:])
