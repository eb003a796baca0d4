"""Themes and the metrics screen, driven through the real app: the severity colour the board, the
strip and the detail draw with comes from the theme, follows a theme chosen at run time, and the
metrics screen shows what the store counts."""

from __future__ import annotations

import pytest
from rich.color import Color
from textual.color import Color as TextualColor
from textual.geometry import Region
from textual.theme import BUILTIN_THEMES
from textual.widgets import Sparkline, Static

from tests.ui.test_api_mode import app_on, messages, serving
from tui.app import IncidentApp
from tui.domain.enums import Severity
from tui.domain.metrics import DEFAULT_WINDOW
from tui.screens.board import Board
from tui.screens.metrics import Bars, MetricsScreen
from tui.store.sql.metrics import ACTIVE
from tui.themes import colour_variables
from tui.widgets.detail import IncidentDetailPane
from tui.widgets.incident_table import IncidentTable
from tui.widgets.severity_strip import SeverityStrip

SIZE = (120, 30)


def colour_of(segments, text: str) -> Color | None:
    """The foreground of the first drawn segment that holds `text`."""
    found = next(segment for segment in segments if text in segment.text)
    return found.style.color if found.style else None


def table_colour(app: IncidentApp, text: str) -> Color | None:
    table = app.screen.query_one(IncidentTable)
    return colour_of([s for y in range(2, table.size.height) for s in table.render_line(y)], text)


def strip_colour(app: IncidentApp, text: str) -> Color | None:
    strip = app.screen.query_one(SeverityStrip)
    return colour_of([s for line in strip.render_lines(Region(0, 0, strip.size.width, 1)) for s in line], text)


def detail_colour(app: IncidentApp, text: str) -> Color | None:
    pane = app.screen.query_one(IncidentDetailPane)
    return colour_of([s for line in pane._lines for s in line], text)


def critical_colour(app: IncidentApp) -> Color:
    return TextualColor.parse(colour_variables(app.current_theme)["severity-critical"]).rich_color


async def test_the_board_the_strip_and_the_detail_draw_critical_in_the_themes_colour(demo_backend, settle):
    app = IncidentApp(demo_backend, theme="ansi-dark")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_theme.name == "ansi-dark"
        red = Color.from_ansi(1)  # the terminal's own red
        assert table_colour(app, "CRIT") == strip_colour(app, "Critical") == detail_colour(app, "CRITICAL") == red

        app.theme = "nord"  # what the palette's "Change theme" does
        await pilot.pause()
        await settle(pilot)
        nord_red = critical_colour(app)
        assert nord_red != red
        assert table_colour(app, "CRIT") == strip_colour(app, "Critical") == detail_colour(app, "CRITICAL") == nord_red


async def test_severity_reads_without_colour(demo_backend, settle, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = IncidentApp(demo_backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        table = app.screen.query_one(IncidentTable)
        assert table.get_component_rich_style("row-table--cursor").reverse  # the cursor without colour
        segments = [s for y in range(2, table.size.height) for s in table.render_line(y)]
        critical = next(s for s in segments if s.text == "CRIT")
        high = next(s for s in segments if s.text == "HIGH")
        assert critical.style.reverse and critical.style.bold and high.style.bold and not high.style.reverse


@pytest.mark.parametrize("name", ["textual-ansi", "terminal", " ANSI "])
def test_the_terminals_own_colours_by_their_other_names(demo_backend, name):
    assert IncidentApp(demo_backend, theme=name).theme == "ansi-dark"


def test_an_unknown_theme_is_a_sentence_naming_the_themes(demo_backend):
    with pytest.raises(ValueError, match=r"There is no theme 'solarised'\. Themes: .*ansi-dark"):
        IncidentApp(demo_backend, theme="solarised")


async def test_metrics_are_one_key_from_the_board_and_show_what_the_store_counts(demo_app, demo_backend, settle):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, MetricsScreen) and screen.metrics is not None
        assert screen.metrics.days == DEFAULT_WINDOW
        counts = demo_backend.count_by_severity(ACTIVE)
        bars = screen.query_one("#severity-bars", Bars).rows
        assert [(text.plain, count) for text, count, _ in bars] == [(s.label, counts[s]) for s in Severity]
        assert f"Active by severity · {sum(counts.values())}" in str(screen.query_one("#by-severity").border_title)
        assert len(screen.query_one(Sparkline).data) == DEFAULT_WINDOW
        assert "MTTA" in str(screen.query_one("#mtta", Static).render())
        assert len(screen.query_one("#mttr-trend", Sparkline).data) == DEFAULT_WINDOW

        await pilot.press("w")  # 30 -> 90 days
        await settle(pilot)
        assert screen.metrics.days == 90 and len(screen.query_one(Sparkline).data) == 90
        assert "the last 90 days" in str(screen.query_one("#metrics-title", Static).render())

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, Board)


async def test_metrics_from_the_command_palette(demo_app, settle):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"metrics")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, MetricsScreen)


async def test_metrics_from_a_server_without_them_is_a_sentence(demo_url: str, settle):
    with serving(demo_url, plain_postgrest=True) as plain:
        backend = plain.client("responder")
        app = app_on(backend, plain)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                await pilot.press("M")
                await settle(pilot)
                assert any("does not compute metrics" in message for message in messages(app))
                assert "does not compute metrics" in str(app.screen.query_one("#metrics-title", Static).render())
        finally:
            backend.close()


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
def test_every_themes_severity_and_status_colours_read_as_text_on_it(name):
    theme = BUILTIN_THEMES[name]
    if theme.ansi:
        return  # the terminal's own palette: its user chose it
    background = TextualColor.parse(theme.to_color_system().generate()["surface"])
    for variable, value in colour_variables(theme).items():
        gap = abs(TextualColor.parse(value).brightness - background.brightness)
        assert gap >= 0.25, (variable, value)
