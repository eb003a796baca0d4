"""Data another tool wrote: rows we cannot read, escape sequences in every field."""

from __future__ import annotations

import json
import sqlite3
from contextlib import asynccontextmanager
from uuid import uuid4

from tests.conftest import TESTER
from tui import cli
from tui.app import IncidentApp
from tui.domain.models import UNREADABLE_MARK
from tui.store.sql import open_sql_backend
from tui.widgets.detail import IncidentDetailPane
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


# -- Escape sequences in every stored field never reach the terminal ------------------------------

# OSC 52 (set the clipboard), OSC 0 (set the window title), CSI 2J (clear the screen), their 8-bit
# C1 forms, BEL, DEL and a NUL.
HOSTILE = "zebra \x1b]52;c;SGVsbG8=\x07A\x1b]0;pwned\x07B\x1b[2JC\x9b31mD\x9d0;pwned\x9cE\x90x\x9c\x7fF\x00G\x85H"
PAYLOADS = ("SGVsbG8", "pwned")


def controls(text: str) -> list[str]:
    """Characters that drive a terminal: all C0 but newline, DEL, all C1."""
    return [f"U+{ord(ch):04X}" for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f]


def forbidden(text: str) -> list[str]:
    """Control characters, and the payloads of the escape sequences (cleaning drops them whole)."""
    return controls(text) + [payload for payload in PAYLOADS if payload in text]


def poison(url: str) -> None:
    """Every field of INC-312 (and the status of INC-311), straight into the file."""
    h = HOSTILE
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        inc = conn.execute("SELECT id FROM incidents WHERE incident_id = 'INC-312'").fetchone()[0]
        conn.execute("UPDATE incidents SET title = ?, description = ?, severity = ?, type = ? WHERE id = ?",
                     (h, h + "\nline two", h, h, inc))
        conn.execute("UPDATE incidents SET title = ?, status = ? WHERE incident_id = 'INC-311'", (h, h))
        people = "SELECT commander_id FROM incidents WHERE id = ? UNION SELECT person_id FROM responders " \
                 "WHERE incident_id = ? UNION SELECT created_by FROM comments WHERE incident_id = ?"
        conn.execute(f"UPDATE people SET name = ?, email = ? || id WHERE id IN ({people})", (h, h, inc, inc, inc))
        conn.execute("UPDATE teams SET name = ? WHERE id IN (SELECT team_id FROM responders WHERE incident_id = ?)",
                     (h, inc))
        conn.execute("UPDATE responders SET properties = json_object('responderType', ?, 'summary', ?, ?, ?) "
                     "WHERE incident_id = ? AND person_id IS NULL AND team_id IS NULL", (h, h, h, h, inc))
        linked = "SELECT e.{0} FROM evidences e JOIN hypotheses y ON y.id = e.hypothesis_id WHERE y.incident_id = ?"
        conn.execute(f"UPDATE config_items SET name = ?, type = ? WHERE id IN ({linked.format('config_id')})",
                     (h, h, inc))
        conn.execute(f"UPDATE checks SET name = ?, type = ? WHERE id IN ({linked.format('check_id')})", (h, h, inc))
        conn.execute(f"UPDATE check_statuses SET message = ? WHERE check_id IN ({linked.format('check_id')})",
                     (h, inc))
        conn.execute("UPDATE comments SET comment = ? WHERE incident_id = ?", (h, inc))
        conn.execute("INSERT INTO incident_histories (id, incident_id, created_by, type, description) "
                     "SELECT ?, id, created_by, ?, ? FROM incidents WHERE id = ?", (uuid4().hex, h, h, inc))


async def test_no_stored_escape_sequence_reaches_the_screen(demo_url, settle):
    poison(demo_url)
    backend = open_sql_backend(demo_url, TESTER)
    app = IncidentApp(backend=backend)
    seen: dict[str, str] = {}
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("/", "backspace", *"zebra", "enter")
            await settle(pilot)
            table = app.screen.query_one(IncidentTable)
            assert sorted(row.incident_id for row in table.page.rows) == ["INC-311", "INC-312"]
            app.screen.go_to(table.page_offset + [r.incident_id for r in table.page.rows].index("INC-312"))
            await settle(pilot)
            pane = app.screen.query_one(IncidentDetailPane)
            assert pane.detail is not None and pane.detail.incident.incident_id == "INC-312"
            assert len(pane.detail.responders) >= 3 and pane.detail.configs and pane.detail.checks
            seen["board and detail"] = screen_text(app)
            seen["the whole detail pane"] = "\n".join(strip.text for strip in pane._lines)
            await pilot.press("escape")
            for key in ("e", "t", "c", "p", "P", "plus", "minus"):  # every dialog showing stored data
                await pilot.press(key)
                await settle(pilot)
                seen[key] = screen_text(app)
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("up" if table.current.incident_id == "INC-312" else "down")
            await settle(pilot)
            seen["the other incident"] = screen_text(app)
            await pilot.press("c")  # refused: its status is unknown; the message quotes it
            await settle(pilot)
            seen["notifications"] = "\n".join(f"{n.title} {n.message}" for n in app._notifications)
    finally:
        backend.close()
    assert all("zebra" in text for name, text in seen.items() if name != "notifications")
    assert {name: forbidden(text) for name, text in seen.items()} == dict.fromkeys(seen, [])


def test_no_stored_escape_sequence_reaches_incidents_list(demo_url, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    poison(demo_url)
    path = demo_url.removeprefix("sqlite:///")
    assert cli.main(["--db", path, "list", "zebra"]) == 0
    text = capsys.readouterr()
    assert "zebra" in text.out and forbidden(text.out + text.err) == []
    assert cli.main(["--db", path, "list", "zebra", "--json"]) == 0
    raw = capsys.readouterr().out
    assert controls(raw) == [] and "\\u001b]52;c;SGVsbG8=" in raw  # escaped, not dropped: the data is faithful
    rows = {row["incident_id"]: row for row in json.loads(raw)["incidents"]}
    assert rows["INC-312"]["title"] == rows["INC-311"]["status"] == HOSTILE


@asynccontextmanager
async def board_on(url: str):
    """The app on the file another program wrote to, at 160x48."""
    backend = open_sql_backend(url, TESTER)
    app = IncidentApp(backend=backend)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            yield app, pilot
    finally:
        backend.close()


async def test_an_unknown_stored_status_is_offered_to_be_set_open_not_reopened(demo_url, settle):
    write_raw(demo_url, "UPDATE incidents SET status = 'paused' WHERE incident_id = 'INC-310'")
    async with board_on(demo_url) as (app, pilot):
        await pilot.press("/", "backspace", *"INC-310", "enter")
        await settle(pilot)
        pane = app.screen.query_one(IncidentDetailPane)
        assert pane.detail.incident.status == "paused"
        offered = pane_text(pane)
        assert "o set open" in offered and "reopen" not in offered, offered
        await pilot.press("t")  # the dialog names the move the same way
        await settle(pilot)
        assert "set open" in screen_text(app) and "reopen" not in screen_text(app)
        await pilot.press("escape", "o")
        await settle(pilot)
        assert app.backend.get_incident(pane.detail.incident.id).incident.status == "open"
        assert "INC-310 set to open" in [str(n.message) for n in app._notifications]
