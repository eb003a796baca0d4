"""How the detail pane and the incident dialogs look, at 80x24 and 160x48.

Regenerate with `pytest tests/ui/test_snapshots_dialogs.py --snapshot-update`, then look at
the report before committing the new SVGs.
"""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def after(settle, *keys: str):
    """A `run_before` that presses `keys` (a "settle" entry waits for the app to catch up)."""
    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            if key == "settle":
                await settle(pilot)
            else:
                await pilot.press(key)
        await settle(pilot)
    return run


def filter_keys(text: str) -> list[str]:
    return ["/", "backspace", *text, "enter", "settle"]


@pytest.mark.parametrize("size", SIZES)
def test_detail_pane(demo_app, settle, snap_compare, size):
    # On a narrow terminal tab shows the details in place of the list; on a wide one they sit beside it.
    keys = [*filter_keys("status:mitigated sev:critical"), *(["tab"] if size[0] < 120 else [])]
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, *keys))


@pytest.mark.parametrize("size", SIZES)
def test_close_confirmation(demo_app, settle, snap_compare, size):
    keys = [*filter_keys("status:resolved"), "x"]
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, *keys))


@pytest.mark.parametrize("size", SIZES)
def test_create_form(demo_app, settle, snap_compare, size):
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, "n"))


@pytest.mark.parametrize("size", SIZES)
def test_create_form_with_a_validation_error(demo_app, settle, snap_compare, size):
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, "n", "settle", "ctrl+s"))


def test_create_form_with_a_list_open(demo_app, settle, snap_compare):
    # The severity list opens inside the dialog, under its field, not over the border and footer.
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=after(settle, "n", "settle", "tab", "enter"))
