"""What the line-drawn widgets (the incident table, the detail pane) share."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_content_size(view: ScrollView, size: Size) -> None:
    """Give `view` a new virtual size without a layout of the screen.

    Textual answers a new virtual size with a layout, and every layout with one more frame
    to redraw the scrollbars. Once the (always shown) vertical scrollbar is in place,
    telling it the new height is enough.
    """
    if size == view.virtual_size:
        return
    if not view.show_vertical_scrollbar:
        view.virtual_size = size  # the first time: the layout places the scrollbar
        return
    view.set_reactive(type(view).virtual_size, size)
    view.vertical_scrollbar.window_virtual_size = size.height
    view.scroll_to(y=min(view.scroll_y, view.max_scroll_y), animate=False)
