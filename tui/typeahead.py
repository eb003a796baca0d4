"""Keys typed ahead go where the user meant them.

Over SSH keys arrive in bursts, and Textual hands each key to the widget that has focus when
the app reads it from the terminal. What a key does takes effect later: `Widget.focus()` is a
callback the app runs after the keys already queued, a key's binding runs only once the key
has travelled up from the focused widget to the app, a pushed dialog mounts after that, and a
board action may wait for the incident under the cursor. So `/r` sent `r` to the board before
the filter had focus.

The app therefore lets one key through at a time. A key goes on only when the previous one
has been handled all the way up (a `KeyTrail` message follows it through the same queues, again
while messages the key caused, such as an Input's Submitted, are still travelling that path),
the callbacks its handling scheduled (such as the focus change) have run, and the screen in
front accepts keys: a screen says it does not with `accepting_keys = False` (a dialog while it
saves, the board while an action waits for its incident) and calls `keys_may_flow` when it
does again. Keys that arrive meanwhile wait here, in the order they were typed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer

FOLLOW_PASSES = 4
"""Trails sent after one key at most: each follows the messages the one before found on its way."""
TRAIL_PATIENCE = 1.0
"""Seconds between checks that a key's trail is still coming. It is lost only if the widget that
had the key went away with it; then the keys behind it go on rather than wait for ever."""


class KeyTrail(Message):
    """Posted right behind a key to the widget it went to: it bubbles along the key's path, so
    when it reaches the app, the key has been handled (or stopped) on every step of the way."""

    def __init__(self, key: events.Key, passes: int) -> None:
        super().__init__()
        self.key = key
        self.passes = passes


def accepts_keys(screen: object) -> bool:
    return getattr(screen, "accepting_keys", True)


def drop_typed_ahead(node: DOMNode) -> int:
    """Forget the keys waiting for `node`'s screen; how many there were. A question that guards a
    destructive step must be seen before it is answered: an enter typed with the key that asked
    it is no answer."""
    typeahead = getattr(node.app, "typeahead", None)
    return typeahead.discard() if typeahead is not None else 0


def keys_may_flow(node: DOMNode) -> None:
    """`node`'s screen accepts keys again: let the waiting ones go."""
    typeahead = getattr(node.app, "typeahead", None)
    if typeahead is not None:
        typeahead.wake()


class Typeahead:
    def __init__(self, app: App, route: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.route = route
        """Textual's own handling of a key from the terminal (priority bindings, then the focused widget)."""
        self.waiting: deque[events.Key] = deque()
        self.in_flight: events.Key | None = None
        self.watchdog: Timer | None = None
        self.suspect: events.Key | None = None

    async def receive(self, key: events.Key) -> None:
        """A key from the terminal: on its way now if nothing is pending, else after the ones before it."""
        if self.in_flight is not None or self.waiting or not accepts_keys(self.app.screen):
            self.waiting.append(key)
            self._watch()
            return
        await self._send(key)

    async def _send(self, key: events.Key) -> None:
        self.in_flight = key
        target = self.app.focused or self.app.screen
        await self.route(key)
        if key.is_forwarded:
            target.post_message(KeyTrail(key, 1))
            self._watch()  # the trail is lost if the key closed its widget's screen (a dialog's save)
        else:  # a priority binding took it, here and now
            self._done()

    def arrived(self, trail: KeyTrail) -> None:
        """A trail reached the app: the key, and everything ahead of the trail on its path, is handled."""
        if trail.key is not self.in_flight:
            return
        if trail.passes < FOLLOW_PASSES and not self._path_is_quiet():
            target = self.app.focused or self.app.screen
            target.post_message(KeyTrail(trail.key, trail.passes + 1))
        else:
            self._done()

    def _path_is_quiet(self) -> bool:
        """No message waits on the way from the focused widget up to its screen. (Textual has no
        public way to ask; its message queues are private, and pinned with Textual 8.2.)"""
        start = self.app.focused or self.app.screen
        return all(node._message_queue.empty() for node in start.ancestors_with_self if node is not self.app)

    def _done(self) -> None:
        """What the key scheduled with `call_later` (a focus change) is queued already: the next
        key follows it."""
        self.in_flight = None
        self.wake()

    def wake(self) -> None:
        """Let the next key go, after what is queued now (call it when a screen accepts keys again)."""
        self.app.call_later(self.resume)

    async def resume(self) -> None:
        """Send the next waiting key, if the screen in front accepts keys now."""
        if self.waiting and self.in_flight is None and accepts_keys(self.app.screen):
            await self._send(self.waiting.popleft())

    def discard(self) -> int:
        """Forget the keys still waiting (the app is quitting, or a confirmation opened); how many."""
        count = len(self.waiting)
        self.waiting.clear()
        return count

    def _watch(self) -> None:
        if self.watchdog is None:
            self.suspect = self.in_flight
            self.watchdog = self.app.set_interval(TRAIL_PATIENCE, self._check_trail, name="typeahead")

    def _check_trail(self) -> None:
        """While keys wait or one is in flight: a key still in flight since the last check lost its
        trail; and a screen that accepts keys again without saying so gets them anyway."""
        if not self.waiting and self.in_flight is None:
            assert self.watchdog is not None  # this is the watchdog's own callback
            self.watchdog.stop()
            self.watchdog = None
            return
        if self.in_flight is self.suspect:
            self.in_flight = None
            self.wake()
        self.suspect = self.in_flight
