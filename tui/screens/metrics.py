"""The metrics screen: what is burning now and how fast the team answers, at a glance.

Active incidents by severity and by type as bars, MTTA and MTTR over the chosen window, the
incidents opened each day as a sparkline, and the longest-open incidents. The numbers come from
`Backend.metrics` (aggregates, in a worker); the arithmetic is tui.domain.metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Sparkline, Static

from .. import themes
from ..actions import bindings_of
from ..domain import metrics as m
from ..domain.clock import utcnow
from ..domain.enums import IncidentType, Severity, label
from ..domain.format import age, clean
from ..domain.metrics import Metrics
from ..widgets.footer import SteadyFooter
from ..widgets.incident_table import severity_text, status_text

if TYPE_CHECKING:
    from ..app import IncidentApp


class MetricsLoaded(Message):
    def __init__(self, days: int, metrics: Metrics | None, error: str = "") -> None:
        super().__init__()
        self.days, self.metrics, self.error = days, metrics, error


class Bars(Static):
    """Labelled horizontal bars, as long as the widget is wide; colour only repeats what the label says."""

    COMPONENT_CLASSES = {"bars--bar"}

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[Text, int, Style]] = []

    def show(self, rows: list[tuple[Text, int, Style]]) -> None:
        self.rows = rows
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if not self.rows:
            return Text("…", style="dim")
        name_width = max(text.cell_len for text, _, _ in self.rows)
        count_width = max(len(f"{count:,}") for _, count, _ in self.rows)
        room = max(self.content_size.width - name_width - count_width - 2, 1)
        most = max(count for _, count, _ in self.rows) or 1
        bar_style = self.get_component_rich_style("bars--bar", partial=True)
        lines = Text()
        for position, (name, count, style) in enumerate(self.rows):
            length = round(room * count / most)
            if position:
                lines.append("\n")
            lines.append_text(name).append(" " * (name_width - name.cell_len + 1))
            lines.append("█" * length, style=bar_style + style if count else "dim")
            lines.append(" " if length else "").append(f"{count:,}", style="bold" if count else "dim")
        return lines


SHORT = 40
"""Below this many lines the longest-open list is cut to five, so that the rest keeps its room."""


class MetricsScreen(Screen[None]):
    BINDINGS = bindings_of("metrics.window", "metrics.refresh", "metrics.back")

    def __init__(self, days: int = m.DEFAULT_WINDOW) -> None:
        super().__init__()
        self.days = days
        self.metrics: Metrics | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-title")
        with Grid(id="metrics-grid"):
            with Vertical(id="by-severity", classes="metrics-panel"):
                yield Bars(id="severity-bars")
            with Vertical(id="by-type", classes="metrics-panel"):
                yield Bars(id="type-bars")
            with Vertical(id="response", classes="metrics-panel"):
                yield Static(id="mtta")
                yield Sparkline([], id="mtta-trend", classes="trend")
                yield Static(id="mttr")
                yield Sparkline([], id="mttr-trend", classes="trend")
            with Vertical(id="per-day", classes="metrics-panel"):
                yield Sparkline([], id="per-day-sparkline")
                yield Static(id="per-day-summary")
            with Vertical(id="longest", classes="metrics-panel"):
                yield Static(id="longest-open")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#by-severity").border_title = "Active by severity"
        self.query_one("#by-type").border_title = "Active by type"
        self.query_one("#response").border_title = "Response"
        self.query_one("#longest").border_title = "Longest open"
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show())
        self.on_resize()
        self._load()

    def on_resize(self) -> None:
        self.set_class(self.app.size.height < SHORT, "-short")  # the screen's own size may not be known yet

    # -- loading -------------------------------------------------------------------------------

    def _load(self) -> None:
        self._title(loading=True)
        self.fetch(self.days)

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    def fetch(self, days: int) -> None:
        try:
            self.post_message(MetricsLoaded(days, cast("IncidentApp", self.app).backend.metrics(days)))
        except Exception as error:  # noqa: BLE001 - a BackendError's sentence; anything else said plainly
            self.post_message(MetricsLoaded(days, None, clean(str(error)) or type(error).__name__))

    @on(MetricsLoaded)
    def arrived(self, message: MetricsLoaded) -> None:
        if message.days != self.days:
            return  # the answer to a window no longer chosen
        if message.metrics is None:
            self._title(error=message.error)
            self.notify(message.error, severity="error", markup=False)
            return
        self.metrics = message.metrics
        self._show()

    def action_next_window(self) -> None:
        self.days = m.WINDOWS[(m.WINDOWS.index(self.days) + 1) % len(m.WINDOWS)] if self.days in m.WINDOWS \
            else m.WINDOWS[0]
        self._load()

    def action_refresh(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss()

    # -- showing -------------------------------------------------------------------------------

    def _title(self, *, loading: bool = False, error: str = "") -> None:
        windows = Text(" ").join(Text(f"{days}d", style="bold reverse" if days == self.days else "dim")
                                 for days in m.WINDOWS)
        state = Text(" counting…", style="dim") if loading else Text(f" {error}", style="bold") if error else Text()
        self.query_one("#metrics-title", Static).update(
            Text.assemble(("Metrics", "bold"), f" · the last {self.days} days  ", windows, state))

    def _show(self) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        looks = themes.looks(self.app.current_theme)
        self._title()
        self.query_one("#by-severity").border_title = f"Active by severity · {metrics.active:,}"
        self.query_one("#severity-bars", Bars).show(
            [(severity_text(value, looks, short=False), count, Style(color=looks.of(value).color))
             for value, count in m.ranked(metrics.active_by_severity, Severity)])
        self.query_one("#type-bars", Bars).show(
            [(Text(clean(label(value))), count, Style()) for value, count in _shown_types(metrics)])
        mtta, mttr = response_text(metrics)
        self.query_one("#mtta", Static).update(mtta)
        self.query_one("#mttr", Static).update(mttr)
        self.query_one("#mtta-trend", Sparkline).data = m.daily_means(metrics.tallies, metrics.since, metrics.days)
        self.query_one("#mttr-trend", Sparkline).data = m.daily_means(metrics.tallies, metrics.since, metrics.days,
                                                                      resolve=True)
        self._show_per_day(metrics)
        self.query_one("#longest-open", Static).update(longest_table(metrics, looks))

    def _show_per_day(self, metrics: Metrics) -> None:
        series = m.opened_per_day(metrics.tallies, metrics.since, metrics.days)
        self.query_one("#per-day").border_title = f"Opened per day · {sum(series):,}"
        self.query_one("#per-day-sparkline", Sparkline).data = series
        busiest = max(series, default=0)
        self.query_one("#per-day-summary", Static).update(Text.assemble(
            (f"{metrics.since:%b %d}", "dim"), " → today  ", ("most in a day ", "dim"), (f"{busiest:,}", "bold"),
            ("  today ", "dim"), (f"{series[-1] if series else 0:,}", "bold")))


def _shown_types(metrics: Metrics) -> Sequence[tuple[IncidentType | str, int]]:
    """Types with active incidents, most first; all of them when none has any."""
    ranked = m.ranked(metrics.active_by_type, IncidentType)
    busy = sorted((row for row in ranked if row[1]), key=lambda row: -row[1])
    return busy or ranked


def response_text(metrics: Metrics) -> tuple[Text, Text]:
    """The MTTA line and the MTTR line: each mean, and of how many incidents opened in the window."""
    acknowledged = sum(tally.acknowledged for tally in metrics.tallies)
    resolved = sum(tally.resolved for tally in metrics.tallies)
    opened = sum(tally.opened for tally in metrics.tallies)
    return (Text.assemble(("MTTA ", "bold"),
                          (m.duration_text(m.mean_time_to_acknowledge(metrics.tallies)), "bold reverse"),
                          (f"  {acknowledged:,} of {opened:,} acknowledged", "dim")),
            Text.assemble(("MTTR ", "bold"), (m.duration_text(m.mean_time_to_resolve(metrics.tallies)), "bold reverse"),
                          (f"  {resolved:,} of {opened:,} resolved", "dim")))


def longest_table(metrics: Metrics, looks: themes.Looks) -> RenderableType:
    if not metrics.longest_open:
        return Text("No active incident.", style="dim")
    table = Table.grid(padding=(0, 1), expand=True)
    for _ in range(3):
        table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    now = utcnow()
    for incident in metrics.longest_open:
        table.add_row(Text(clean(incident.incident_id), style="dim"), severity_text(incident.severity, looks),
                      status_text(incident.status, looks), Text(age(incident.created_at, now), style="bold"),
                      Text(clean(incident.title)))
    return table
