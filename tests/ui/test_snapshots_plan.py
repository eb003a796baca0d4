"""How the action plan looks: in the detail pane, and on its own screen (`h`).

INC-313 of the demo data is an open critical incident with a factor, a solution, a note and two
done-evidences. Regenerate with `--snapshot-update`, then look at the SVGs before committing.
"""

from __future__ import annotations

from tui.widgets.detail import IncidentDetailPane

PLANNED = "INC-313"


def show_planned(settle, *keys: str, scroll_to_plan: bool = False):
    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("/", "backspace", *f'"{PLANNED}"', "enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if scroll_to_plan:
            pane = pilot.app.screen.query_one(IncidentDetailPane)
            top = next(i for i, line in enumerate(pane._lines) if line.text.startswith("Action plan"))
            pane.scroll_to(y=top - 1, animate=False, immediate=True)
            await settle(pilot)
    return run


def test_detail_pane_with_an_action_plan(demo_app, settle, snap_compare):
    # 100x30: tab shows the details in place of the list; enter moves into them.
    assert snap_compare(demo_app, terminal_size=(100, 30),
                        run_before=show_planned(settle, "tab", "enter", scroll_to_plan=True))


def test_action_plan_screen(demo_app, settle, snap_compare):
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=show_planned(settle, "h"))
