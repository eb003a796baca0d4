"""A description of a megabyte (a pasted log) is shown a screenful at a time, not all at once."""

from __future__ import annotations

from tests.conftest import TESTER
from tui.app import IncidentApp
from tui.store.sql import open_sql_backend
from tui.widgets.detail import DESCRIPTION_GROWTH, DESCRIPTION_PREVIEW_LINES, IncidentDetailPane
from tui.widgets.incident_table import IncidentTable

from .test_odd_data import pane_text, write_raw

LOG_LINE = "lag {:06d} reset"
LINES = 70_000  # over a megabyte


async def test_a_megabyte_description_shows_its_start_and_reads_on_when_scrolled(demo_url, settle):
    log = "\n".join(LOG_LINE.format(n) for n in range(LINES))
    assert len(log) > 1_000_000
    write_raw(demo_url, "UPDATE incidents SET title = 'huge log', description = ? WHERE incident_id = 'INC-312'", log)
    backend = open_sql_backend(demo_url, TESTER)
    app = IncidentApp(backend=backend)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("/", "backspace", *"huge log", "enter")
            await settle(pilot)
            assert [row.incident_id for row in app.screen.query_one(IncidentTable).page.rows] == ["INC-312"]
            pane = app.screen.query_one(IncidentDetailPane)
            assert pane.detail is not None and pane.detail.incident.description == log  # all of it was read
            shown = pane_text(pane)
            assert LOG_LINE.format(DESCRIPTION_PREVIEW_LINES - 1) in shown
            assert LOG_LINE.format(DESCRIPTION_PREVIEW_LINES) not in shown
            left = len(log) - log.index(LOG_LINE.format(DESCRIPTION_PREVIEW_LINES)) + 1
            assert f"… {left:,} more characters ({LINES - DESCRIPTION_PREVIEW_LINES:,} lines); scroll on" in shown
            assert "Timeline" in shown  # what follows the description is there at once
            first_lines = len(pane._lines)
            assert first_lines < 2 * DESCRIPTION_PREVIEW_LINES
            # Scrolling to the cut shows more, where it was cut: the lines above stay as they were.
            assert pane._cut_line is not None
            texts = [strip.text for strip in pane._lines]
            above = texts[:next(n for n, text in enumerate(texts) if "more characters" in text)]
            pane.scroll_to(y=pane._cut_line - 5, animate=False, immediate=True)
            await settle(pilot)
            assert LOG_LINE.format(DESCRIPTION_GROWTH * DESCRIPTION_PREVIEW_LINES - 1) in pane_text(pane)
            assert [strip.text for strip in pane._lines[:len(above)]] == above
            assert first_lines < len(pane._lines) < first_lines + DESCRIPTION_GROWTH * DESCRIPTION_PREVIEW_LINES
            # Back on another incident and onto this one again: the preview once more.
            await pilot.press("escape", "/", "backspace", "enter")
            await settle(pilot)
            assert pane.detail.incident.incident_id != "INC-312"
            await pilot.press("/", "backspace", *"huge log", "enter")
            await settle(pilot)
            assert pane.detail.incident.incident_id == "INC-312" and len(pane._lines) == first_lines
    finally:
        backend.close()
