"""The header strip: how many active incidents there are at each severity, whatever the filter."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from .. import themes
from ..domain.enums import Severity
from ..themes import Looks


def strip_text(counts: Mapping[Severity | str, int] | None, looks: Looks) -> Text:
    text = Text.assemble(("Active: ", "bold"))  # bold as a span: a base style would embolden every count
    if counts is None:
        return text.append("counting…", style="dim")
    for position, severity in enumerate(Severity):
        if position:
            text.append(" · ", style="dim")
        count = counts.get(severity, 0)
        # Zero counts are dimmed rather than coloured: colour means "look here".
        text.append(f"{severity.label} {count:,}", style=looks.of(severity) if count else "dim")
    return text


class SeverityStrip(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(strip_text(None, themes.looks()), id=id)
        self.counts: Mapping[Severity | str, int] | None = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show())

    def show_counts(self, counts: Mapping[Severity | str, int]) -> None:
        self.counts = counts
        self._show()

    def _show(self) -> None:
        looks = themes.looks(self.app.current_theme)
        self.update(strip_text(self.counts, looks), layout=False)  # one line, always: no re-layout
