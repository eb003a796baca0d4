"""The board on a narrow terminal: the detail pane opens filled and scrolls with the keys the
board uses for its cursor; help scrolls too; the title takes the width the other columns leave."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from tui.app import IncidentApp
from tui.domain.models import IncidentDraft
from tui.screens.board import Board
from tui.screens.help import HelpBody, HelpScreen
from tui.widgets.detail import IncidentDetailPane
from tui.widgets.incident_table import IncidentTable

NARROW = (80, 24)


def shown_lines(pane: IncidentDetailPane) -> list[str]:
    return [pane.render_line(y).text.strip() for y in range(pane.scrollable_content_region.height)]


async def test_tab_then_enter_shows_the_detail_at_once(demo_app, settle):
    async with demo_app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        board = demo_app.screen
        assert isinstance(board, Board)
        pane = board.query_one(IncidentDetailPane)
        assert pane.has_focus
        first = board.selected_incident()
        assert first is not None
        assert shown_lines(pane)[0].startswith(first.incident_id)


@pytest.mark.parametrize("keys", [("j", "k"), ("down", "up"), ("pagedown", "pageup"), ("G", "g"), ("end", "home")])
async def test_a_focused_detail_pane_scrolls_and_the_cursor_stays(demo_app, settle, keys):
    further, back = keys
    async with demo_app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        board = demo_app.screen
        pane = board.query_one(IncidentDetailPane)
        table = board.query_one(IncidentTable)
        assert pane.has_focus and pane.max_scroll_y > 2
        selected = table.index
        await pilot.press(further)
        await settle(pilot)
        assert pane.scroll_y > 0
        assert table.index == selected
        await pilot.press(back)
        await settle(pilot)
        assert pane.scroll_y == 0
        assert table.index == selected


async def test_the_board_cursor_moves_again_once_the_list_has_the_focus(demo_app, settle):
    async with demo_app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter", "j", "escape", "j")
        await settle(pilot)
        assert demo_app.screen.query_one(IncidentTable).index == 1


async def test_help_scrolls_with_j_and_k(demo_app, settle):
    async with demo_app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(demo_app.screen, HelpScreen)
        body = demo_app.screen.query_one(HelpBody)
        assert body.max_scroll_y > 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        assert body.scroll_y == 0


WIDE_TITLE = ("Checkout API returns 502 for every card payment in eu-west-1 since the 14:05 deploy "
              "of payments-gateway; retries pile up in the queue")


async def test_the_title_takes_the_width_the_other_columns_leave(demo_app, settle):
    created = demo_app.backend.create_incident(IncidentDraft(title=WIDE_TITLE))
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("/", "backspace", *f'"{created.incident_id}" status:open', "enter")
        await settle(pilot)
        table = demo_app.screen.query_one(IncidentTable)
        widths = {column.key: width for column, width in table.columns_shown}
        others = {key: width for key, width in widths.items() if key != "title"}
        padding = 2 * len(widths)  # a cell of space either side of each column
        assert widths["title"] == table.scrollable_content_region.width - sum(others.values()) - padding
        assert widths["title"] > 30  # it had 24 when every column was as wide as it could ever need
        row = table.current
        assert row is not None and widths["id"] == len(row.incident_id) and widths["links"] == len("Links")


@pytest.mark.parametrize("size", [NARROW, (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("form_key, selects", [
    ("n", ["#severity", "#type", "#commander_id"]),
    ("plus", ["#kind", "#person"]),
])
async def test_an_open_list_stays_inside_its_dialog(demo_app, settle, size, form_key, selects):
    async with demo_app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(form_key)
        await settle(pilot)
        dialog = demo_app.screen
        for selector in selects:
            select = dialog.query_one(selector, Select)
            select.focus()
            await pilot.press("enter")
            await pilot.pause(0.2)
            assert select.expanded, selector
            overlay = select.query_one("SelectOverlay").region
            box = dialog.query_one("#dialog-body").region
            hint = dialog.query_one(".dialog-hint").region
            assert box.contains_region(overlay), (selector, overlay, box)
            assert not overlay.overlaps(hint), selector
            await pilot.press("escape")
            await pilot.pause()
            assert dialog is demo_app.screen and not select.expanded


async def test_the_scrolling_keys_are_remapped_like_any_other(demo_backend, settle):
    app = IncidentApp(backend=demo_backend, keymap={"scroll.down": "ctrl+n"})
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter", "ctrl+n")
        await settle(pilot)
        pane = app.screen.query_one(IncidentDetailPane)
        assert pane.scroll_y == 1
        assert not [n for n in app._notifications if "keymap" in str(n.message).lower()]
