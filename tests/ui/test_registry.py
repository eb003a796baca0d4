"""One registry: every key, dialogs' included, is declared in tui.actions, remappable, and in help."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import TextArea

import tui
from tui.actions import ACTIONS_BY_ID
from tui.app import IncidentApp
from tui.domain.models import TimelineKind
from tui.screens.comment import CommentDialog
from tui.screens.help import HelpScreen
from tui.screens.people_picker import PeoplePicker
from tui.screens.transition import TransitionDialog

from .test_actions import SIZE, select_incident, stored
from .test_board import _keys_by_action, _plain, _rows


def own_bindings() -> list[tuple[str, Binding]]:
    """Every binding a class of ours declares, with the class's name."""
    found = []
    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("tui."):
                found += [(name, binding) for binding in cls.__dict__.get("BINDINGS", [])]
    return found


def test_every_binding_of_every_screen_and_widget_comes_from_the_registry():
    bindings = own_bindings()
    assert {"Dialog", "ConfirmDialog", "PickerDialog", "HelpScreen", "Board"} <= {name for name, _ in bindings}
    for owner, binding in bindings:
        assert isinstance(binding, Binding) and binding.id in ACTIONS_BY_ID, (owner, binding)
        assert binding == ACTIONS_BY_ID[binding.id].binding(), (owner, binding)


async def test_a_keymap_remaps_a_dialog_key_without_a_warning(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"dialog.save": "ctrl+o", "choices.next": "ctrl+n"})
    async with app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        assert not [n for n in app._notifications if n.severity == "warning"], list(app._notifications)

        await pilot.press("c", *"saved with ctrl+o", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CommentDialog)  # ctrl+s is no longer save
        assert str(app.screen.query_one(".dialog-hint").render()).startswith("^o or Save posts")
        await pilot.press("ctrl+o")
        await settle(pilot)
        last = stored(app, incident).timeline[-1]
        assert (last.kind, last.text) == (TimelineKind.COMMENT, "saved with ctrl+o")

        await pilot.press("p")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PeoplePicker)
        choices = picker.query_one("#choices")
        start = choices.highlighted
        await pilot.press("ctrl+n")
        assert choices.highlighted == start + 1
        await pilot.press("down")  # no longer bound: the box you type into ignores it
        assert choices.highlighted == start + 1


async def test_help_from_the_board_lists_the_dialog_keys_under_their_heading(demo_backend, settle):
    app = IncidentApp(demo_backend, keymap={"dialog.save": "ctrl+o"})
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = _plain(app.screen.table)
        assert "Dialogs" in text and text.index("Incident") < text.index("Dialogs")
        rows = {row[1]: row for row in _rows(app.screen.table)}
        assert rows["Save"][0] == "^o" and rows["Save"][3] == "dialog.save"
        assert rows["Cancel"][0] == "esc" and rows["Confirm"][0] == "⏎"
        assert rows["Next choice"][0] == "↓" and rows["Next choice"][3] == "choices.next"
        assert rows["Close help"][0] == "esc, ?, q"
        assert rows["Mitigate"][0] == "m"


async def test_help_from_a_dialog_lists_what_that_dialog_answers_to(demo_app, settle):
    async with demo_app.run_test(size=(100, 40)) as pilot:
        await select_incident(pilot, settle, "status:open")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(demo_app.screen, TransitionDialog)  # the list of targets has focus
        await pilot.press("question_mark")
        assert isinstance(demo_app.screen, HelpScreen)
        keys = _keys_by_action(demo_app.screen.table)
        assert keys["Cancel"] == "esc" and keys["Save"] == "^s, f2" and keys["Help"] == "?"  # f2: for zellij
        assert "Dialogs" in _plain(demo_app.screen.table)
        assert "Mitigate" not in keys and "Filter" not in keys
        await pilot.press("escape")
        assert isinstance(demo_app.screen, TransitionDialog)


async def test_the_palette_in_a_dialog_offers_its_keys(demo_app, settle):
    async with demo_app.run_test(size=SIZE) as pilot:
        incident = await select_incident(pilot, settle, "status:open")
        before = stored(demo_app, incident)
        await pilot.press("c", *"never posted")
        await settle(pilot)
        assert demo_app.screen.query_one("#comment", TextArea).text == "never posted"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"cancel")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(demo_app.screen, CommentDialog)
        assert stored(demo_app, incident) == before
