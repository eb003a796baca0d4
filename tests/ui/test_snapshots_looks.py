"""How the app looks in the terminal's own colours, without colour (NO_COLOR), at 80x24 and at
200x60, and the metrics screen (frozen clock, seeded demo data)."""

from __future__ import annotations

import pytest

from tests.ui.test_snapshots_board import after
from tui.app import IncidentApp

NARROW = (80, 24)
LARGE = (200, 60)
SIZES = pytest.mark.parametrize("size", [NARROW, LARGE], ids=["80x24", "200x60"])


@SIZES
def test_metrics(snap_compare, demo_app, settle, size):
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, "M"))


def test_board_in_the_terminals_own_colours(snap_compare, demo_backend, settle):
    app = IncidentApp(demo_backend, theme="ansi-dark")
    assert snap_compare(app, terminal_size=NARROW, run_before=after(settle, "j", "tab"))


@pytest.mark.parametrize("keys", [(), ("j", "tab"), ("n",), ("M",)], ids=["board", "detail", "form", "metrics"])
def test_without_colour(snap_compare, demo_backend, settle, monkeypatch, keys):
    # NO_COLOR: no colour at all; severity, status and the cursor still read (words, weight, reverse).
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(IncidentApp(demo_backend), terminal_size=NARROW, run_before=after(settle, *keys))


@pytest.mark.parametrize("keys", [(), ("j", "enter"), ("question_mark",), ("n",), ("t",), ("p",), ("plus",)],
                         ids=["board", "detail-focused", "help", "create-form", "transition", "people-picker",
                              "responder-form"])
def test_large_terminal(snap_compare, demo_app, settle, keys):
    assert snap_compare(demo_app, terminal_size=LARGE, run_before=after(settle, *keys))


@pytest.mark.parametrize("keys", [("t",), ("p",), ("plus",)], ids=["transition", "people-picker", "responder-form"])
def test_small_terminal_dialogs(snap_compare, demo_app, settle, keys):
    assert snap_compare(demo_app, terminal_size=NARROW, run_before=after(settle, *keys))
