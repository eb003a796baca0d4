"""The benchmark runner: a scenario runs on the real board in a process of its own, and one that
cannot finish is reported as such within its time limit instead of hanging the run."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.measure import run_scenario
from benchmarks.report import Compared, by_mode_table


def test_a_scenario_reports_each_sample_it_measured_on_the_board(demo_url: str, tmp_path: Path):
    measured = run_scenario("transition", 2, ("board", demo_url), sample_seconds=60, limit_seconds=120,
                            log=tmp_path / "log")
    assert measured.failure is None, (tmp_path / "log").read_text()
    assert len(measured.samples) == 2
    assert all(len(sample) == 2 and 0 < sample[0] <= sample[1] for sample in measured.samples)


def test_a_sample_over_its_timeout_ends_the_scenario_as_not_finished(demo_url: str, tmp_path: Path):
    measured = run_scenario("filter", 3, ("board", demo_url), text="config:payments-db", sample_seconds=0.001,
                            limit_seconds=120, log=tmp_path / "log")
    assert measured.failure == "a sample took over 0.001 s"
    assert measured.samples == []


def test_a_scenario_still_running_at_its_limit_is_killed(demo_url: str, tmp_path: Path):
    started = time.monotonic()
    measured = run_scenario("step", 1000, ("board", demo_url), sample_seconds=60, limit_seconds=1,
                            log=tmp_path / "log")
    assert time.monotonic() - started < 10
    assert measured.failure == "not done in 1 s"


def test_an_unfinished_scenario_is_a_miss_in_the_table():
    row = Compared("G, last row", "1,000,000, api", float("inf"), 190.0, "ms", 1.0, "not done in 1 s")
    assert row.cells()[2:] == ["not finished (not done in 1 s)", "190.0 ms", "-", "≤ 1x", "MISS"]
    assert row.as_json()["now"] is None and row.as_json()["finished"] is False


def test_the_readme_table_has_a_column_per_mode_and_says_what_missed():
    rows = [Compared("G, last row", "1,000,000, sqlite", 95.0, 190.0, "ms", 1.0).as_json(),
            Compared("G, last row", "1,000,000, api over SQLite", float("inf"), 190.0, "ms", 1.0,
                     "a sample took over 20 s").as_json(),
            Compared("seeding (when the cache was built)", "1,000,000, SQLite", 478_000.0, None, "ms").as_json()]
    assert by_mode_table(rows).splitlines() == [
        "| metric | target | 1,000,000, sqlite | 1,000,000, api over SQLite |",
        "|---|---|---|---|",
        "| G, last row | ≤ 1x | 95 ms / 190 ms (0.50x) ok | not finished (a sample took over 20 s) / 190 ms MISS |"]
