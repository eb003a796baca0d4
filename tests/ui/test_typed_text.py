"""Text pasted or typed into any field loses its control characters (one filter, in the app)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from tui.widgets.filter_bar import FilterBar

PASTED = "AAA\x1bBBB\x07 \x9b2J\x00\r\nnext\tline"


async def paste(pilot, text: str) -> None:
    """As the terminal delivers a bracketed paste: to the app, which hands it to the focused field."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def test_a_paste_into_the_filter_bar_drops_control_characters(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("/", "backspace")
        await paste(pilot, PASTED)
        assert demo_app.screen.query_one(FilterBar).filter_input.value == "AAABBB 2J next line"


async def test_a_paste_into_a_one_line_field_of_a_dialog_drops_them_too(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        title = demo_app.screen.query_one("#title", Input)
        assert demo_app.focused is title
        title.value = ""
        await paste(pilot, "db \x1b[31mdown\x1b[0m")
        assert title.value == "db [31mdown[0m"


async def test_a_paste_into_a_multi_line_field_keeps_its_line_breaks(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        box = demo_app.screen.query_one("#comment", TextArea)
        assert demo_app.focused is box
        await paste(pilot, PASTED)
        assert box.text == "AAABBB 2J\nnext\tline"


async def test_typed_control_keys_insert_nothing(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("/", "backspace", "a", "ctrl+b", "ctrl+g", "b")
        assert demo_app.screen.query_one(FilterBar).filter_input.value == "ab"


async def test_a_title_too_long_is_told_beside_the_field_in_our_words(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        demo_app.screen.query_one("#title", Input).value = "x" * 600
        await pilot.press("ctrl+s")
        await settle(pilot)
        beside = str(demo_app.screen.query_one("#title-error").render())
        assert beside == "The title is at most 500 characters (600 given)."
