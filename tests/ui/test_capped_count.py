"""A count the backend stopped short of (issue 7: "10,000+" at a million incidents) reads as a lower
bound on the board, and `G` still lands on the very last row."""

from __future__ import annotations

import pytest

from tests.ui.test_board import ALL, apply_filter, status_line, table_of
from tui.store.sql import backend as sql_backend

CAP = 150
"""Below the demo's 320 incidents and above a page (100 rows), as COUNT_CAP is at a million."""


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_backend, "COUNT_CAP", CAP)


async def test_a_capped_count_reads_as_at_least_and_g_finds_the_end(capped, demo_app, settle):
    async with demo_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await apply_filter(pilot, settle, ALL)
        assert not table_of(demo_app).page.exact
        assert status_line(demo_app).startswith(f"row 1 of {CAP}+")

        await pilot.press("G")
        await settle(pilot)
        table = table_of(demo_app)
        assert table.page.exact and table.index == 319
        assert status_line(demo_app).startswith("row 320 of 320")
