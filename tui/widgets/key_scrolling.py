"""The registry's scrolling keys (tui.actions, the SCROLL group) for a widget that scrolls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..actions import Group, bindings

if TYPE_CHECKING:  # mypy checks the mixin against the widget it is mixed into
    from textual.widget import Widget

    _Host = Widget
else:
    _Host = object

SCROLL_BINDINGS = bindings(Group.SCROLL)
"""What a class using KeyScrolling binds (Textual takes bindings only from widget classes)."""


class KeyScrolling(_Host):
    """A mixin: j/k, arrows, page keys, g/G scroll at once, and are never passed on. On the board, a
    key the focused pane let through would move the cursor, and with it the pane, to another incident."""

    def action_scroll_by_key(self, where: str) -> None:
        scroll = {"down": self.scroll_down, "up": self.scroll_up, "page_down": self.scroll_page_down,
                  "page_up": self.scroll_page_up, "top": self.scroll_home, "bottom": self.scroll_end}[where]
        scroll(animate=False)
