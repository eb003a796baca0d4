"""How the new key screens look: the one confirmation for several incidents (frozen clock, seeded data)."""

from __future__ import annotations

import pytest

from .test_snapshots_board import NARROW, WIDE, after


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_bulk_acknowledge_confirmation(snap_compare, demo_app, settle, size):
    keys = ("slash", "backspace", *"status:open,resolved sort:id", "enter", "J", "J", "J", "G", "space", "a")
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, *keys))
