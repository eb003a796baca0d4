"""How the Configs and Checks views look at an SSH-sized 80x24 and a full-screen 160x48 (frozen clock,
seeded data): the list, and the detail of a failing item."""

from __future__ import annotations

import pytest

from tests.ui.test_snapshots_board import NARROW, WIDE, after


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_configs(snap_compare, demo_app, settle, size):
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, "C", "j", "j", "j"))


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_checks(snap_compare, demo_app, settle, size):
    keys = ("H", "slash", *"status:unhealthy", "enter")
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, *keys))


def test_check_detail_on_a_narrow_terminal(snap_compare, demo_app, settle):
    keys = ("H", "slash", *"kafka-broker", "enter", "enter")
    assert snap_compare(demo_app, terminal_size=NARROW, run_before=after(settle, *keys))
