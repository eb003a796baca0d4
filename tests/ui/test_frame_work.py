"""Less work per keystroke (issue 7): a step onto an incident fetched ahead neither fetches it again
nor renders it again, a transition shows what the backend returned instead of reloading the page and
the counts, and the board holds a bounded window whatever the number of incidents."""

from __future__ import annotations

from textual.widgets import Static

from tui.app import IncidentApp
from tui.domain.enums import Status
from tui.screens.board import ACTIVE, PAGE_SIZE, Board
from tui.screens.list_screen import NEARBY_DETAILS
from tui.widgets import row_table
from tui.widgets.detail import RENDERED_KEPT, IncidentDetailPane
from tui.widgets.severity_strip import SeverityStrip

SIZE = (160, 48)


def board_of(app: IncidentApp) -> Board:
    assert isinstance(app.screen, Board)
    return app.screen


def shown_text(pane: IncidentDetailPane) -> list[str]:
    return [strip.text for strip in pane._lines]


async def test_a_step_onto_an_incident_fetched_ahead_only_fetches_the_next(demo_backend, settle):
    fetched = []
    real = demo_backend.get_incident

    def counted(id):
        fetched.append(id)
        return real(id)

    demo_backend.get_incident = counted  # the real backend answers; the test only notes what was asked
    app = IncidentApp(backend=demo_backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(app)
        await pilot.press("j")  # onto row 1, which fetches row 2 ahead
        await settle(pilot)
        rows = board.table.page.rows
        fetched.clear()
        await pilot.press("j")
        await settle(pilot)
        assert fetched == [rows[3].id]  # row 2 came from what was fetched ahead
        assert board.selected_detail().incident.id == rows[2].id
        assert board.detail_pane.detail.incident.id == rows[2].id


async def test_lines_made_ahead_are_the_lines_a_fresh_render_makes(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        pane = board.detail_pane
        await pilot.press("j", "j")
        await settle(pilot)
        made_ahead = shown_text(pane)
        first_row = pane._lines
        pane._rendered.clear()
        pane._render_detail()
        assert shown_text(pane) == made_ahead
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert pane._lines is not first_row and shown_text(pane) == made_ahead
        kept = pane._lines
        await pilot.press("k", "j")
        await settle(pilot)
        assert pane._lines is kept  # back on it: the lines kept are shown, not made again


async def test_the_board_holds_a_bounded_window_whatever_the_number_of_incidents(demo_app, settle):
    """320 incidents, more than a page: after the top, the bottom and a walk across a page edge
    the table holds one page (a screenful and its prefetch margin), the board and the pane a few details."""
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        await pilot.press("/", "backspace", "enter")  # every incident
        await settle(pilot)
        assert board.table.total > PAGE_SIZE
        for keys in (("G",), ("g",), ("pagedown",) * 6, ("j",) * 12):
            await pilot.press(*keys)
            await settle(pilot)
            assert len(board.table.page.rows) <= PAGE_SIZE
            assert len(board._nearby) <= NEARBY_DETAILS
            assert len(board.detail_pane._rendered) <= RENDERED_KEPT
        visible = board.table.scrollable_content_region.height
        assert PAGE_SIZE <= 3 * visible  # the page is a screenful with a margin each way, not more


def noting_calls(backend, *names: str) -> list[str]:
    """Wrap these backend methods so the test knows what was asked (the real backend still answers)."""
    asked: list[str] = []
    for name in names:
        real = getattr(backend, name)

        def noted(*args, _real=real, _name=name, **kwargs):
            asked.append(_name)
            return _real(*args, **kwargs)

        setattr(backend, name, noted)
    return asked


async def test_a_transition_shows_what_the_backend_returned_and_fetches_only_the_detail(demo_backend, settle):
    app = IncidentApp(backend=demo_backend, refresh_seconds=0)  # no live look: only the key's own calls
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(app)
        strip = board.query_one(SeverityStrip)
        chosen = board.table.current
        assert chosen.status is Status.OPEN
        before = dict(strip.counts)
        asked = noting_calls(demo_backend, "list_incidents", "count_by_severity", "get_incident", "changes_since")
        await pilot.press("r")  # resolved: it leaves the default filter (status:active)
        await settle(pilot)
        assert asked == ["get_incident"]  # for the new timeline line; no page, no counts
        stored = demo_backend.get_incident(chosen.id)
        assert stored.incident.status is Status.RESOLVED
        assert board.table.current.id == chosen.id and board.table.current.status is Status.RESOLVED
        assert board.selected_detail() == stored  # the fresh detail, its timeline included
        assert strip.counts[chosen.severity] == before[chosen.severity] - 1
        assert strip.counts == demo_backend.count_by_severity(ACTIVE)
        assert "left the filter" in str(board.query_one("#status", Static).render())


async def test_a_transition_under_a_sort_it_changes_loads_the_page_again(demo_backend, settle):
    app = IncidentApp(backend=demo_backend, refresh_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(app)
        await pilot.press("s")  # by status: the mitigated incident moves down among the mitigated
        await settle(pilot)
        chosen = board.table.current
        asked = noting_calls(demo_backend, "list_incidents")
        await pilot.press("m")
        await settle(pilot)
        assert asked == ["list_incidents"]
        assert board.table.current.id == chosen.id and board.table.index > 0


async def test_opening_the_detail_restyles_the_pane_not_the_whole_screen(demo_app, settle):
    async with demo_app.run_test(size=(80, 24)) as pilot:  # narrow: enter shows the pane under the list
        await settle(pilot)
        board = board_of(demo_app)
        restyled: list = []
        real = demo_app.stylesheet.update_nodes

        def noted(nodes, animate=False):
            nodes = list(nodes)
            restyled.extend(nodes)
            return real(nodes, animate=animate)

        demo_app.stylesheet.update_nodes = noted
        await pilot.press("enter")
        await settle(pilot)
        assert board.detail_pane.display and board.detail_pane.has_focus and board.detail_open
        assert board.query_one("#status") not in restyled and board.filter_bar not in restyled


async def test_across_a_page_edge_only_the_rows_new_to_the_table_are_measured(demo_app, settle, monkeypatch):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        await pilot.press("/", "backspace", "enter")  # every incident: more than a page
        await settle(pilot)
        table = board.table
        board.go_to(table.page_offset + len(table.page.rows) - 1)
        await settle(pilot)
        held = {row.id for row in table.page.rows}
        measured = []
        real = row_table.cell_widths
        monkeypatch.setattr(row_table, "cell_widths", lambda columns, row, *rest: measured.append(row.id)
                            or real(columns, row, *rest))
        await pilot.press("j")  # past the last row held: the next page
        await settle(pilot)
        new = {row.id for row in table.page.rows} - held
        assert table.page_offset > 0 and new
        # (a row held before is measured again only if its age reads differently: the minute may turn meanwhile)
        assert new <= set(measured) and len(measured) < len(table.page.rows)


async def test_a_step_repaints_only_the_lines_of_the_pane_that_differ(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        board = board_of(demo_app)
        pane = board.detail_pane
        await pilot.press("j")  # the next row's detail is now fetched and rendered ahead
        await settle(pilot)
        before = list(pane._lines)
        repainted = []
        real = pane.refresh

        def noted(*regions, **options):
            repainted.append(regions)
            return real(*regions, **options)

        pane.refresh = noted
        await pilot.press("j")
        await settle(pilot)
        lines = [region.y for regions in repainted for region in regions]
        assert repainted and all(repainted) and lines  # regions each time, never the whole pane
        height = pane.scrollable_content_region.height
        assert len(lines) < height  # two incidents share headings, labels and blank lines
        assert sorted(lines) == [y for y in range(height) if pane._lines[y:y + 1] != before[y:y + 1]]
