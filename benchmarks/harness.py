"""Driving an app headless and knowing when it has finished reacting.

Keys are sent the way a terminal driver sends them (one `Key` event each), not with
`Pilot.press`, which waits for the process to look idle after every key and would add
that wait to every measurement. Readiness is polled every millisecond.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable

SIZE = (160, 48)
POLL_SECONDS = 0.001
TIMEOUT_SECONDS = 60.0
KEY_CHARACTERS = {"enter": "\r", "escape": "\x1b", "backspace": "\x7f"}


class BareApp(App[None]):
    """The yardstick: a plain Textual app showing a table of 50 static rows; `r` replaces them all
    (the floor of a filter: the same table showing other rows)."""

    ROWS = 50
    BINDINGS = [("r", "replace_rows", "Replace the rows")]

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "Sev", "Status", "Type", "Title", "Commander", "Responders", "Links", "Age")
        self.action_replace_rows()
        table.focus()

    def action_replace_rows(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for n in range(self.ROWS):
            table.add_row(f"INC-{n + self.generation}", "HIGH", "Open", "availability",
                          f"Static row number {n} of set {self.generation}", "Priya Raman", "SRE +2", "1c 1k", f"{n}h")
        self.generation += 1


def bare_ready(app: App) -> bool:
    return app.query_one(DataTable).row_count == BareApp.ROWS


def send_key(app: App, key: str) -> None:
    """One keystroke, as the terminal driver delivers it."""
    character = KEY_CHARACTERS.get(key, key if len(key) == 1 else None)
    event = events.Key(key, character)
    event.set_sender(app)
    app._driver.send_message(event)  # type: ignore[union-attr]


def painted(app: App, *, ignore: frozenset[str] = frozenset()) -> bool:
    """Every message handled, every worker done (but those of the `ignore` groups) and the
    screen repainted.

    Reads Textual's private bookkeeping: there is no public "nothing left to do" signal."""
    if any(not worker.is_finished for worker in app.workers if worker.group not in ignore):
        return False
    screen = app.screen
    if (screen._dirty_widgets or screen._layout_required or screen._repaint_required
            or screen._scroll_required or screen._callbacks):
        return False
    for node in (app, *screen.walk_children(with_self=True)):
        if not node._message_queue.empty():
            return False
        if isinstance(node, DataTable) and (node._require_update_dimensions or node._updated_cells):
            return False  # a DataTable measures new rows when its queue runs dry
    return True


REST_SECONDS = 0.05
"""How long a scenario measured "from rest" lets the app idle before its key: past Textual's frame
timer and every pacing timer, as when a person presses a key now and then."""


async def at_rest(app: App, *, ignore: frozenset[str] = frozenset()) -> None:
    await wait_for(app, lambda: True, ignore=ignore)
    await asyncio.sleep(REST_SECONDS)


async def wait_for(app: App, condition: Callable[[], bool], *, ignore: frozenset[str] = frozenset()) -> float:
    """Poll until `condition()` holds and the app has repainted (see `painted`); return
    time.perf_counter() at that moment."""
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while True:
        if condition() and painted(app, ignore=ignore):
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{type(app).__name__} did not get there in {TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(POLL_SECONDS)
