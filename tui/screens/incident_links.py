"""Keys that hand the selected incident to other tools: copy its id or its Mission Control link
(OSC 52, so it reaches the clipboard of the terminal you sit at, over SSH too) and open its page
in a web browser.

`IncidentLinks` is a mixin for the Board screen, like IncidentActions: the host provides
`selected_incident()` and `when_selected(act)`; the app may have a `frontend_url` (the setting).
"""

from __future__ import annotations

import os
import sys
import webbrowser
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from ..domain.describe import incident_url
from ..domain.format import clean
from ..domain.models import Incident
from .incident_actions import on_the_selected_incident

if TYPE_CHECKING:  # mypy checks the mixin against the screen it is mixed into
    from collections.abc import Callable

    from textual.screen import Screen

    _Host = Screen
else:
    _Host = object

NO_FRONTEND = ("No link to make: set frontend_url (Mission Control's web address, e.g. "
               "https://mission-control.example.com) in the config file or INCIDENTS_FRONTEND_URL.")


def a_browser_can_open_here() -> bool:
    """A graphical browser can open: on a desktop, not over a bare SSH session. Python's fallback on a
    text terminal is a console browser (lynx, w3m), which would take over the terminal the app draws on."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class BrowserTried(Message):
    def __init__(self, url: str, opened: bool) -> None:
        super().__init__()
        self.url, self.opened = url, opened


class WebLinks(_Host):
    """Copying a text (OSC 52) and opening a Mission Control page, for any screen (board, views)."""

    def _say(self, message: str, *, warning: bool = False) -> None:
        self.notify(clean(message), severity="warning" if warning else "information", timeout=4, markup=False)

    def frontend(self) -> str | None:
        """Mission Control's web address, or None (and the user told how to set it)."""
        frontend: str = getattr(self.app, "frontend_url", "")
        if not frontend:
            self._say(NO_FRONTEND, warning=True)
            return None
        return frontend

    def copy(self, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self._say(f"Copied {text}")

    def open_page(self, url: str) -> None:
        if self.app.is_web:  # served by `incidents web`: the browser showing the app opens a tab
            self.app.open_url(url)
            self._say(f"Opened {url}")
        elif a_browser_can_open_here():
            self._start_browser(url)
        else:
            self.post_message(BrowserTried(url, opened=False))

    @work(thread=True, exit_on_error=False, group="browser")
    def _start_browser(self, url: str) -> None:
        self.post_message(BrowserTried(url, opened=webbrowser.open(url)))  # may start a process: not on the UI thread

    def on_browser_tried(self, message: BrowserTried) -> None:
        if message.opened:
            self._say(f"Opened {message.url}")
            return
        self.app.copy_to_clipboard(message.url)
        self._say(f"No web browser here (over SSH?): the link is on your clipboard instead: {message.url}",
                  warning=True)


class IncidentLinks(WebLinks):
    if TYPE_CHECKING:  # provided by the host screen
        def selected_incident(self) -> Incident | None: ...
        def when_selected(self, act: Callable[[], None]) -> None: ...

    def _link(self, incident: Incident) -> str | None:
        frontend = self.frontend()
        return None if frontend is None else incident_url(frontend, incident.id)

    @on_the_selected_incident
    def action_copy_id(self) -> None:
        incident = self.selected_incident()
        if incident is not None:
            self.copy(incident.incident_id)

    @on_the_selected_incident
    def action_copy_link(self) -> None:
        incident = self.selected_incident()
        url = self._link(incident) if incident is not None else None
        if url is not None:
            self.copy(url)

    @on_the_selected_incident
    def action_open_in_browser(self) -> None:
        incident = self.selected_incident()
        url = self._link(incident) if incident is not None else None
        if url is not None:
            self.open_page(url)
