"""Statistics and the printed table: metric | scenario | value | target | verdict."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least p% of samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


@dataclass(frozen=True)
class Line:
    metric: str
    scenario: str
    value: str
    target: str = ""
    verdict: str = ""


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def latency_line(metric: str, scenario: str, samples: list[float], limit_ms: float | None = None) -> Line:
    """p50 / p95 / max of `samples`, judged on p95."""
    p95 = percentile(samples, 95)
    value = f"p50 {percentile(samples, 50):.1f} · p95 {p95:.1f} · max {max(samples):.1f} ms (n={len(samples)})"
    if limit_ms is None:
        return Line(metric, scenario, value, "reference")
    return Line(metric, scenario, value, f"p95 ≤ {limit_ms:g} ms", verdict(p95 <= limit_ms))


def ratio_line(metric: str, scenario: str, value: float, bare: float, unit: str, *,
               limit_ratio: float | None = None, limit_abs: float | None = None) -> Line:
    """`value` with its ratio to the bare app's, judged on the ratio or on an absolute limit."""
    text = f"{value:,.1f} {unit} ({value / bare:.2f}x bare)"
    if limit_ratio is not None:
        return Line(metric, scenario, text, f"≤ {limit_ratio:g}x bare", verdict(value / bare <= limit_ratio))
    if limit_abs is not None:
        return Line(metric, scenario, text, f"≤ {limit_abs:g} {unit}", verdict(value <= limit_abs))
    return Line(metric, scenario, text, "reference")


def table(lines: list[Line]) -> str:
    """A Markdown table, readable as printed and pastable into the README."""
    header = Line("metric", "scenario", "value", "target", "verdict")
    rows = [header, *lines]
    fields = ("metric", "scenario", "value", "target", "verdict")
    widths = [max(len(getattr(row, f)) for row in rows) for f in fields]

    def render(row: Line) -> str:
        return "| " + " | ".join(getattr(row, f).ljust(w) for f, w in zip(fields, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(header), rule, *map(render, lines)])


@dataclass(frozen=True)
class Compared:
    """One measurement beside its floor from the same run, measured the same way, as a ratio."""

    metric: str
    scenario: str
    now: float
    """The figure judged: a p50 in ms, a median start in ms, a peak in MiB."""
    floor: float | None
    unit: str
    limit: float | None = None
    """The target as a ratio to the floor (None: reported, not judged)."""
    detail: str = ""
    """More of the distribution (p95, max, n)."""

    @property
    def ratio(self) -> float | None:
        return self.now / self.floor if self.floor else None

    @property
    def verdict(self) -> str:
        if self.limit is None or self.ratio is None:
            return ""
        return verdict(self.ratio <= self.limit)

    @property
    def finished(self) -> bool:
        """False for a scenario stopped by its timeout (`now` is infinite, `detail` says why)."""
        return math.isfinite(self.now)

    def cells(self) -> list[str]:
        floor = f"{self.floor:,.1f} {self.unit}" if self.floor is not None else "-"
        ratio = f"{self.ratio:.2f}x" if self.ratio is not None and self.finished else "-"
        target = f"≤ {self.limit:g}x" if self.limit is not None else ""
        value = f"{self.now:,.1f} {self.unit}" if self.finished else "not finished"
        now = value + (f" ({self.detail})" if self.detail else "")
        return [self.metric, self.scenario, now, floor, ratio, target, self.verdict]

    def as_json(self) -> dict[str, object]:
        return {"metric": self.metric, "scenario": self.scenario,
                "now": round(self.now, 2) if self.finished else None, "finished": self.finished,
                "floor": None if self.floor is None else round(self.floor, 2), "unit": self.unit,
                "ratio": None if self.ratio is None else round(self.ratio, 3), "target_ratio": self.limit,
                "verdict": self.verdict, "detail": self.detail}


def distribution(samples: list[float]) -> str:
    return f"p95 {percentile(samples, 95):,.1f}, max {max(samples):,.1f}, n={len(samples)}"


def compared_table(rows: list[Compared]) -> str:
    """Markdown: metric | scenario | now | floor | ratio | target | verdict."""
    header = ["metric", "scenario", "now (p50 / median / peak)", "floor, same run", "ratio", "target", "verdict"]
    cells = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]

    def render(line: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([render(header), rule, *map(render, cells[1:])])


def by_mode_table(rows: list[dict[str, object]]) -> str:
    """Markdown, one line per metric and a column per mode (`scenario` of the JSON rows): in each,
    `value / floor (ratio) ok|MISS`, the floor measured in the same run just before that mode."""
    metrics: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        if row["floor"] is not None or row["target_ratio"] is not None:
            metrics.setdefault(str(row["metric"]), {})[str(row["scenario"])] = row
    modes = list(dict.fromkeys(scenario for cells in metrics.values() for scenario in cells))
    lines = ["| metric | target | " + " | ".join(modes) + " |", "|---|---|" + "---|" * len(modes)]
    for metric, cells in metrics.items():
        first = next(iter(cells.values()))
        target = f"≤ {first['target_ratio']:g}x" if first["target_ratio"] is not None else "-"
        lines.append(f"| {metric} | {target} | " + " | ".join(_by_mode_cell(cells.get(mode)) for mode in modes) + " |")
    return "\n".join(lines)


def _by_mode_cell(row: dict[str, object] | None) -> str:
    if row is None:
        return "-"
    verdict_text = f" {row['verdict']}" if row["verdict"] else ""
    floor = f" / {_figure(row['floor'], row['unit'])}" if row["floor"] is not None else ""
    if not row["finished"]:
        return f"not finished ({row['detail']}){floor}{verdict_text}"
    ratio = f" ({_times(float(str(row['ratio'])))})" if row["ratio"] is not None else ""
    return _figure(row["now"], row["unit"]) + floor + ratio + verdict_text


def _times(ratio: float) -> str:
    """Two decimals near the targets (1.03x is a miss of a 1x target), fewer far from them."""
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"


def _figure(value: object, unit: object) -> str:
    number = float(str(value))
    return f"{number / 1000:,.1f} s" if unit == "ms" and number >= 10_000 else f"{number:,.0f} {unit}"


if __name__ == "__main__":  # python -m benchmarks.report results.json: the README's table of a run
    import json
    import sys

    results = json.loads(open(sys.argv[1]).read())
    print(results["heading"], end="\n\n")
    print(by_mode_table(results["rows"]))
