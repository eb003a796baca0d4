"""The app over the seeded demo database, and a way to wait until it has caught up."""

from __future__ import annotations

import contextlib
import time
import unicodedata
from collections.abc import Awaitable, Callable

import pytest
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tui.app import IncidentApp
from tui.typeahead import accepts_keys

Settle = Callable[[Pilot], Awaitable[None]]


@pytest.fixture(autouse=True)
def notifications_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read what the app told the user from `app._notifications`; on a loaded machine a
    test can take longer than a toast's few seconds, so keep them all (the toasts on screen
    still go away on their own timer)."""
    monkeypatch.setattr(Notification, "has_expired", property(lambda notification: False))


@pytest.fixture
def demo_app(demo_backend) -> IncidentApp:
    return IncidentApp(backend=demo_backend)


SETTLE_SECONDS = 30.0
"""Generous: on a loaded machine a step can take seconds; a test that truly hangs still fails."""


async def wait_until_idle(pilot: Pilot, seconds: float = SETTLE_SECONDS) -> None:
    """Let every worker finish and every message it posted be handled, including the
    detail fetch the board schedules after a burst of cursor moves, and every key typed ahead."""
    app = pilot.app
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(WorkerFailed, WorkerCancelled):  # finished too (the app told the user of a failure)
            await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        board = app.screen
        busy = getattr(board, "busy", False) is True or not accepts_keys(board)
        typing = app.typeahead.waiting or app.typeahead.in_flight is not None
        if not busy and not typing and all(worker.is_finished for worker in app.workers):
            return
    screen, typeahead = app.screen, app.typeahead
    raise AssertionError(f"the app did not settle: {screen!r} busy={getattr(screen, 'busy', None)} "
                         f"accepts keys={accepts_keys(screen)} key in flight={typeahead.in_flight!r} "
                         f"waiting={list(typeahead.waiting)!r} workers={[(w.group, w.state) for w in app.workers]}")


@pytest.fixture
def settle() -> Settle:
    return wait_until_idle


def key_event(key: str) -> events.Key:
    """The event a terminal read of `key` gives (a character, or a name such as `enter`)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot: Pilot, *keys: str) -> None:
    """Keys arriving in one burst, as over SSH: all are queued before the app handles the first.
    (`Pilot.press` waits for the app to go idle after every key, which hides what a burst does.)"""
    for key in keys:
        event = key_event(key)
        event.set_sender(pilot.app)
        pilot.app.post_message(event)
    await pilot.pause()
