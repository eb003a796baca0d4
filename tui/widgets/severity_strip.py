"""The header strip: how many active incidents there are at each severity, whatever the filter."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from ..domain.enums import Severity
from .incident_table import SEVERITY_STYLE


def strip_text(counts: Mapping[Severity | str, int] | None) -> Text:
    text = Text("Active: ", style="bold")
    if counts is None:
        return text.append("counting…", style="dim")
    for position, severity in enumerate(Severity):
        if position:
            text.append(" · ", style="dim")
        count = counts.get(severity, 0)
        # Zero counts are dimmed rather than coloured: colour means "look here".
        style = SEVERITY_STYLE[severity] if count else "dim"
        text.append(f"{severity.label} {count:,}", style=style)
    return text


class SeverityStrip(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(strip_text(None), id=id)

    def show_counts(self, counts: Mapping[Severity | str, int]) -> None:
        self.update(strip_text(counts), layout=False)  # one line, always: no re-layout
