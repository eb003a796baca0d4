"""The board as an on-call engineer uses it: filter, move, sort, refresh, help, keymaps."""

from __future__ import annotations

import sqlite3

from textual.command import CommandList
from textual.widgets import Static

from tui.app import IncidentApp
from tui.domain.enums import ACTIVE_STATUSES, Severity, Status, rank
from tui.domain.grammar import parse_filter
from tui.domain.models import Identity, IncidentDraft
from tui.domain.query import DEFAULT_FILTER, Sort, SortKey, Window
from tui.screens.board import PAGE_SIZE, Board
from tui.screens.help import HelpScreen
from tui.store.sql import open_sql_backend
from tui.widgets.filter_bar import FilterBar
from tui.widgets.incident_table import IncidentTable

ALL = ""  # the filter that shows every incident (the seed has 320)


def board_of(app: IncidentApp) -> Board:
    assert isinstance(app.screen, Board)
    return app.screen


def table_of(app: IncidentApp) -> IncidentTable:
    return app.screen.query_one(IncidentTable)


def status_line(app: IncidentApp) -> str:
    return str(app.screen.query_one("#status").render())


async def apply_filter(pilot, settle, text: str) -> None:
    await pilot.press("/", "backspace", *text, "enter")  # "/" selects the text, backspace clears it
    await settle(pilot)


def backend_rows(app: IncidentApp, text: str, offset: int = 0, limit: int = 10, sort: Sort = Sort()):
    return app.backend.list_incidents(parse_filter(text).sorted_by(sort), Window(offset, limit))


async def test_opens_on_active_incidents_highest_severity_first(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = table_of(demo_app).page.rows
        assert rows and all(row.status in ACTIVE_STATUSES for row in rows)
        assert [rank(r.severity) for r in rows] == sorted(rank(r.severity) for r in rows)
        assert rows[0].severity is Severity.CRITICAL
        expected = backend_rows(demo_app, DEFAULT_FILTER)
        assert [r.id for r in rows[:10]] == [r.id for r in expected.rows]
        assert status_line(demo_app).startswith(f"row 1 of {expected.total:,}")
        critical = demo_app.backend.list_incidents(parse_filter("status:active sev:critical"), Window(0, 1)).total
        assert f"Critical {critical}" in str(demo_app.screen.query_one("#strip").render())


async def test_filter_narrows_the_board(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, "sev:critical,high status:open")
        table = table_of(demo_app)
        expected = backend_rows(demo_app, "sev:critical,high status:open", limit=PAGE_SIZE)
        assert table.total == expected.total > 0
        assert [r.id for r in table.page.rows] == [r.id for r in expected.rows]
        assert all(r.severity in (Severity.CRITICAL, Severity.HIGH) and r.status is Status.OPEN
                   for r in table.page.rows)
        assert table.has_focus


async def test_bad_filter_explains_and_keeps_the_last_good_rows(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = [r.id for r in table_of(demo_app).page.rows]
        await apply_filter(pilot, settle, "sev:bogus")
        message = demo_app.screen.query_one("#filter-message")
        assert message.display and '"bogus" is not a severity' in str(message.render())
        assert [r.id for r in table_of(demo_app).page.rows] == before
        await pilot.press("escape")  # back to the list; the bar shows what is applied
        assert not message.display
        assert demo_app.screen.query_one(FilterBar).filter_input.value == DEFAULT_FILTER
        assert table_of(demo_app).has_focus


async def test_escape_leaves_the_filter_without_applying_it(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        total = table_of(demo_app).total
        await pilot.press("/", *"sev:info", "escape")
        await settle(pilot)
        assert table_of(demo_app).total == total
        assert demo_app.screen.query_one(FilterBar).filter_input.value == DEFAULT_FILTER


async def test_moving_through_every_incident_loads_pages_not_everything(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, ALL)
        table = table_of(demo_app)
        assert table.total == 320 and len(table.page.rows) <= PAGE_SIZE

        await pilot.press("j", "j", "down", "k")
        assert table.index == 2 and status_line(demo_app).startswith("row 3 of 320")

        await pilot.press("G")
        await settle(pilot)
        assert table.index == 319 and status_line(demo_app).startswith("row 320 of 320")
        assert table.current.id == backend_rows(demo_app, ALL, offset=319, limit=1).rows[0].id
        assert len(table.page.rows) <= PAGE_SIZE

        await pilot.press("g")
        await settle(pilot)
        assert table.index == 0 and table.page_offset == 0

        for _ in range(PAGE_SIZE // 10):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.index >= PAGE_SIZE and table.page_offset > 0, "paging past the first page loads the next"
        assert table.current.id == backend_rows(demo_app, ALL, offset=table.index, limit=1).rows[0].id

        first = table.page_offset
        await pilot.press(*["k"] * (table.index - first + 1))  # one row above the page it holds
        await settle(pilot)
        assert table.index == first - 1 and table.page_offset < first
        assert table.current.id == backend_rows(demo_app, ALL, offset=table.index, limit=1).rows[0].id


async def test_sort_keys_cycle_and_reverse_the_order(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(demo_app)
        assert "Sev ▲" in table.header_labels()

        await pilot.press("s")  # severity -> status
        await settle(pilot)
        assert "Status ▲" in table.header_labels()
        expected = backend_rows(demo_app, DEFAULT_FILTER, sort=Sort(SortKey.STATUS))
        assert [r.id for r in table.page.rows[:10]] == [r.id for r in expected.rows]
        assert "sorted by status" in status_line(demo_app)

        await pilot.press("S")
        await settle(pilot)
        assert "Status ▼" in table.header_labels()
        expected = backend_rows(demo_app, DEFAULT_FILTER, sort=Sort(SortKey.STATUS, descending=True))
        assert [r.id for r in table.page.rows[:10]] == [r.id for r in expected.rows]


async def test_refresh_keeps_the_cursor_on_the_same_incident(demo_app, demo_url, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j")
        await settle(pilot)
        table = table_of(demo_app)
        chosen, total = table.current.id, table.total

        # Someone else, in another process, reports a critical incident: it sorts first.
        elsewhere = open_sql_backend(demo_url, Identity(name="Another Responder"))
        try:
            elsewhere.create_incident(IncidentDraft(title="Checkout down", severity=Severity.CRITICAL))
        finally:
            elsewhere.close()

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.total == total + 1
        assert table.current.id == chosen
        assert table.index == 5
        assert board_of(demo_app).selected_incident().id == chosen


async def test_moving_the_cursor_shows_the_incident_in_the_detail_pane(demo_app, settle):
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        board = board_of(demo_app)
        assert board.has_class("-wide") and board.detail_pane.display
        assert board.selected_incident().id == table_of(demo_app).current.id
        assert board.detail_pane.detail.incident.id == table_of(demo_app).current.id


async def test_narrow_terminal_toggles_the_detail(demo_app, settle):
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        assert not board.detail_pane.display
        await pilot.press("tab")
        assert board.detail_pane.display and table_of(demo_app).has_focus
        await pilot.press("tab")
        assert not board.detail_pane.display
        await pilot.press("enter")
        assert board.detail_pane.display and board.detail_pane.has_focus
        await pilot.press("escape")
        assert not board.detail_pane.display and table_of(demo_app).has_focus


async def test_help_lists_the_bindings_grouped(demo_app, settle):
    async with demo_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(demo_app.screen, HelpScreen)
        help_text = _plain(demo_app.screen.table)
        for heading in ("General", "Board", "Incident"):
            assert heading in help_text
        keys = _keys_by_action(demo_app.screen.table)
        assert keys["Mitigate"] == "m" and keys["Filter"] == "/" and keys["Help"] == "?"
        assert keys["Down"] == "j, ↓" and keys["Refresh"] == "^r"
        await pilot.press("escape")
        assert isinstance(demo_app.screen, Board)


async def test_help_on_a_wide_terminal_names_the_ids_a_keymap_uses(demo_app, settle):
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        rows = {row[1]: row for row in _rows(demo_app.screen.table)}
        assert rows["Close"][0] == "x" and rows["Close"][3] == "incident.close"
        await pilot.press("escape")
        assert isinstance(demo_app.screen, Board)


def _rows(table) -> list[tuple[str, ...]]:
    return list(zip(*([str(cell) for cell in column.cells] for column in table.columns), strict=True))


def _plain(table) -> str:
    return "\n".join("  ".join(row) for row in _rows(table))


def _keys_by_action(table) -> dict[str, str]:
    return {action: keys for keys, action, *_ in _rows(table) if action}


async def test_a_user_keymap_changes_a_key(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"board.bottom": "b", "incident.close": "ctrl+x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("G")  # no longer bound
        await settle(pilot)
        assert table.index == 0
        await pilot.press("b")
        await settle(pilot)
        assert table.index == table.total - 1
        await pilot.press("question_mark")
        keys = _keys_by_action(app.screen.table)
        assert keys["Bottom"] == "b" and keys["Close"] == "^x"


async def test_titles_are_text_not_markup(demo_backend, settle):
    demo_backend.create_incident(IncidentDraft(title="[SEV1] db down [/x] [b]not bold[/b]",
                                               severity=Severity.CRITICAL))
    app = IncidentApp(demo_backend, initial_filter='"db down"')
    async with app.run_test(size=(200, 30)) as pilot:  # wide enough for the whole title
        await settle(pilot)
        table = table_of(app)
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert any("[SEV1] db down [/x] [b]not bold[/b]" in line for line in lines)


async def test_q_quits(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not demo_app.is_running


async def test_palette_offers_only_the_transitions_the_lifecycle_allows(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        incident = board_of(demo_app).selected_incident()
        assert incident.status is Status.OPEN

        assert "Mitigate" in await palette_prompts(pilot, "mitigate")
        assert "Reopen" not in await palette_prompts(pilot, "reopen")

        await pilot.press("ctrl+p", *"mitigate")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert demo_app.backend.get_incident(incident.id).incident.status is Status.MITIGATED


async def palette_prompts(pilot, text: str) -> list[str]:
    await pilot.press("ctrl+p", *text)
    await pilot.pause(0.3)
    results = pilot.app.screen.query_one(CommandList)
    prompts = [str(results.get_option_at_index(i).prompt).split("\n")[0] for i in range(results.option_count)]
    await pilot.press("escape")
    return prompts


async def test_a_broken_database_is_a_banner_not_a_traceback(demo_app, demo_url, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = [r.id for r in table_of(demo_app).page.rows]
        with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as database:
            database.execute("ALTER TABLE incidents RENAME TO incidents_gone")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert demo_app.is_running
        banner = demo_app.screen.query_one("#offline", Static)
        assert banner.display and "no such table: incidents" in str(banner.render())
        assert [r.id for r in table_of(demo_app).page.rows] == shown


async def test_an_unknown_keymap_id_is_reported(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"incident.explode": "z"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("incident.explode" in n.message for n in app._notifications)


async def test_the_cursor_follows_an_incident_that_an_action_moves(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # by status: open incidents first, mitigated after them
        await settle(pilot)
        table = table_of(demo_app)
        chosen = table.current
        assert chosen.status is Status.OPEN

        await pilot.press("m")
        await settle(pilot)
        assert table.current.id == chosen.id and table.current.status is Status.MITIGATED
        assert table.index > 0, "it moved down among the mitigated ones, and the cursor with it"


async def test_clicking_a_column_header_sorts_by_it(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(demo_app)
        header = table.region.offset
        keys = [column.key for column, _ in table.columns_shown]
        title_x = sum(width + 2 for _, width in table.columns_shown[:keys.index("title")]) + 2
        await pilot.click(offset=(header.x + title_x, header.y))
        await settle(pilot)
        assert "Title ▲" in table.header_labels()
        titles = [r.title for r in table.page.rows[:10]]
        assert titles == [r.title for r in backend_rows(demo_app, DEFAULT_FILTER, sort=Sort(SortKey.TITLE)).rows]


async def test_a_keymap_that_takes_another_actions_key_says_so(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"board.bottom": "s"})  # s is sort's key
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert table_of(app).index == table_of(app).total - 1
        assert any("board.sort" in n.message for n in app._notifications)


async def test_an_incident_an_action_moves_out_of_the_filter_stays_under_the_cursor(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, "status:open")
        table = table_of(demo_app)
        await pilot.press("j")
        await settle(pilot)
        chosen, below = table.current.id, table.row_at(table.index + 1).id

        await pilot.press("m")  # no longer open, so no longer in this filter...
        await settle(pilot)
        assert table.current.id == chosen and table.current.status is Status.MITIGATED  # ...but still here
        assert "left the filter" in status_line(demo_app)

        await pilot.press("r")  # so a quick second key acts on the same incident, never its neighbour
        await settle(pilot)
        assert demo_app.backend.get_incident(chosen).incident.status is Status.RESOLVED

        await pilot.press("j")  # moving on drops it and lands on the incident that was below it
        await settle(pilot)
        assert table.index_of(chosen) is None and table.current.id == below
        assert "left the filter" not in status_line(demo_app)


async def test_clicking_a_row_selects_it(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(demo_app)
        await pilot.click(IncidentTable, offset=(10, 3))  # line 0 is the header: this is the third row
        await settle(pilot)
        assert table.index == 2
        assert demo_app.screen.selected_incident().id == table.current.id == table.page.rows[2].id


async def test_the_footer_keeps_its_keys_while_the_filter_takes_the_typing(demo_app, settle):
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        keys = list(demo_app.screen.query("FooterKey"))
        await pilot.press("slash")
        await pilot.pause()
        assert list(demo_app.screen.query("FooterKey")) == keys, "the same key widgets, not rebuilt"
        quiet = {key.key for key in keys if key.disabled}
        assert "a" in quiet and "slash" not in quiet, "letters type into the filter; / still shows"
        await pilot.press("escape")
        await pilot.pause()
        assert not any(key.disabled for key in demo_app.screen.query("FooterKey"))


async def test_crossing_a_page_edge_scrolls_one_line_as_inside_a_page(demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, ALL)
        table = table_of(demo_app)
        demo_app.screen.go_to(PAGE_SIZE - 1)  # the last row the first page holds, on the bottom line
        await settle(pilot)
        line = table.cursor_row - round(table.scroll_y)
        await pilot.press("j")
        await settle(pilot)
        assert table.page_offset > 0 and table.index == PAGE_SIZE
        assert table.cursor_row - round(table.scroll_y) == line, "still on the bottom line: no jump"
