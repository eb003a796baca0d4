"""How the board looks at an SSH-sized 80x24 and a full-screen 160x48 (frozen clock, seeded data)."""

from __future__ import annotations

import pytest

from tui.domain.enums import Severity
from tui.domain.models import IncidentDraft

NARROW = (80, 24)
WIDE = (160, 48)


def after(settle, *keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_board(snap_compare, demo_app, settle, size):
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle))


def test_detail_pane_on_a_narrow_terminal(snap_compare, demo_app, settle):
    assert snap_compare(demo_app, terminal_size=NARROW, run_before=after(settle, "j", "enter"))


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_filter_error(snap_compare, demo_app, settle, size):
    keys = ("slash", *"sev:critical status:bogus", "enter")
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, *keys))


def test_help(snap_compare, demo_app, settle):
    assert snap_compare(demo_app, terminal_size=NARROW, run_before=after(settle, "question_mark"))


def test_detail_pane_opened_with_tab_then_enter(snap_compare, demo_app, settle):
    # The README's flow: tab shows the details under the list, enter moves into them.
    assert snap_compare(demo_app, terminal_size=NARROW, run_before=after(settle, "tab", "enter"))


def test_wide_board_gives_the_title_the_room_left(snap_compare, demo_app, demo_backend, settle):
    demo_backend.create_incident(IncidentDraft(
        title="Checkout API returns 502 for every card payment in eu-west-1 since the 14:05 deploy of "
              "payments-gateway; retries pile up in the queue", severity=Severity.CRITICAL))
    assert snap_compare(demo_app, terminal_size=WIDE, run_before=after(settle))
