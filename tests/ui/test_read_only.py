"""A read-only database on the board: browsing works, a write is refused in one sentence."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TESTER
from tui.app import IncidentApp
from tui.store.sql import open_sql_backend

REFUSED = "is read-only here, so nothing can be changed; it can still be browsed."


async def test_a_write_on_a_read_only_database_is_refused_with_a_sentence(demo_url, settle):
    path = Path(demo_url.removeprefix("sqlite:///"))
    path.chmod(0o444)
    backend = open_sql_backend(demo_url, TESTER)
    app = IncidentApp(backend=backend)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = app.screen.selected_detail()
            assert before is not None and app.screen.table.total > 0
            await pilot.press("a")  # acknowledge: a direct write
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert messages == [f"The database at {path} {REFUSED}"], messages
            await pilot.press("c", *"noted", "ctrl+s")  # a write from a dialog: the sentence in the dialog
            await settle(pilot)
            assert REFUSED in str(app.screen.query_one("#dialog-error").render())
            assert backend.get_incident(before.incident.id) == before
    finally:
        backend.close()
        path.chmod(0o644)
