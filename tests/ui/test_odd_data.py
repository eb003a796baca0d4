"""Data another tool wrote: rows we cannot read, escape sequences in every field."""

from __future__ import annotations

import sqlite3
from uuid import uuid4

from tests.conftest import TESTER
from tui.app import IncidentApp
from tui.store.sql import open_sql_backend
from tui.widgets.detail import IncidentDetailPane
from tui.domain.models import UNREADABLE_MARK
from tui.widgets.incident_table import IncidentTable


def screen_text(app: IncidentApp) -> str:
    """Every character the screen's segments would send to the terminal, as lines."""
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


def pane_text(pane: IncidentDetailPane) -> str:
    """The detail pane's text with its line wrapping undone."""
    return " ".join(" ".join(strip.text.split()) for strip in pane._lines)


def write_raw(url: str, sql: str, *params) -> None:
    """Straight into the file with the sqlite3 module, as another program would."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute(sql, params)


def copy_incident(url: str, incident_id: str, new_id: str, **columns: str) -> None:
    write_raw(url, "INSERT INTO incidents (id, incident_id, title, created_by, severity, description, type, status, "
                   "created_at, updated_at) SELECT ?, ?, title, created_by, severity, description, type, status, "
                   "created_at, updated_at FROM incidents WHERE incident_id = ?", uuid4().hex, new_id, incident_id)
    for column, value in columns.items():
        write_raw(url, f"UPDATE incidents SET {column} = {value} WHERE incident_id = ?", new_id)


async def test_an_unreadable_row_is_marked_and_the_board_still_works(demo_url, settle):
    copy_incident(demo_url, "INC-318", "INC-901", created_at="'not a time'")
    copy_incident(demo_url, "INC-318", "INC-902", id="'not-a-uuid'", title="x'ff00fe'")
    backend = open_sql_backend(demo_url, TESTER)
    app = IncidentApp(backend=backend)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("/", "backspace", *"sev:critical status:open", "enter")
            await settle(pilot)
            table = app.screen.query_one(IncidentTable)
            ids = [row.incident_id for row in table.page.rows]
            assert {"INC-901", "INC-902", "INC-318"} <= set(ids) and len(ids) > 3
            text = screen_text(app)
            assert text.count(UNREADABLE_MARK) == 2
            assert "Unexpected error" not in text, [n.message for n in app._notifications]
            board = app.screen
            board.go_to(table.page_offset + ids.index("INC-901"))
            await settle(pilot)
            pane = app.screen.query_one(IncidentDetailPane)
            assert "The creation time 'not a time' is not a time." in pane_text(pane)
            assert pane.detail is None
            await pilot.press("escape", "m")  # leave the filter bar, then try to mitigate it
            await settle(pilot)
            assert [n.message for n in app._notifications] == [
                "INC-901 cannot be read, so it cannot be changed here; its detail says why."]
            board.go_to(table.page_offset + ids.index("INC-902"))
            await settle(pilot)
            assert "The id 'not-a-uuid' is not a UUID." in pane_text(pane)
            assert "The title is binary data (3 bytes), not text." in pane_text(pane)
            board.go_to(table.page_offset + ids.index("INC-318"))
            await settle(pilot)
            assert pane.detail is not None and pane.detail.incident.incident_id == "INC-318"
    finally:
        backend.close()
