"""A Select whose list opens in place, inside the dialog that holds it.

Textual's Select opens its list as an overlay of the whole screen: in a dialog it covers the
dialog's border, its key hint and the footer, and at 80x24 the list can hide the field it is for.
Here the list takes its place in the dialog's flow, under the field; the fields below move down
and the dialog body scrolls to keep the open list in view.
"""

from __future__ import annotations

from textual.widgets import Select


class InlineSelect(Select):
    DEFAULT_CSS = """
    InlineSelect > SelectOverlay { overlay: none; constrain: none none; max-height: 8; }
    """

    def watch_expanded(self, expanded: bool) -> None:
        if expanded:
            self.call_after_refresh(self.query_one("SelectOverlay").scroll_visible, animate=False)
