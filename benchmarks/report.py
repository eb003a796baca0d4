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
