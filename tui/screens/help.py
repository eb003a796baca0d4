"""`?`: every key the screen underneath answers to, as bound right now (user keymaps included),
with the action ids a keymap uses."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..actions import ACTIONS, ACTIONS_BY_ID, SCREEN_GROUPS, Group, bindings_of, configured_keys, keys_by_action
from ..widgets.key_scrolling import SCROLL_BINDINGS, KeyScrolling

IDS_MIN_WIDTH = 110
"""Below this the action ids (what a [keymap] section names) would squeeze the explanations."""


def help_table(screen: Screen, *, with_ids: bool) -> Table:
    """Registry actions grouped under their headings, with the keys they answer to.

    Help opened from a dialog lists what that dialog answers to, with the keys its live bindings
    use. From the board it lists the board's keys, and those of the dialogs and lists it opens
    (as the keymap binds them), so that every key can be found and remapped.
    """
    keys = {id: ", ".join(screen.app.get_key_display(binding) for binding in bindings)
            for id, bindings in keys_by_action(active.binding for active in screen.active_bindings.values()).items()}
    if not isinstance(screen, ModalScreen):
        keys |= {action.id: configured_keys(screen.app, action) for action in ACTIONS
                 if action.group not in SCREEN_GROUPS}
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column("keys", style="bold", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("what it does", style="dim", ratio=1)
    if with_ids:
        table.add_column("id", style="italic", no_wrap=True)
    for group in Group:
        actions = [action for action in ACTIONS if action.group is group and action.id in keys]
        if not actions:
            continue
        if table.row_count:
            table.add_row()
        table.add_row(Text(group.value, style="bold underline"))
        for action in actions:
            table.add_row(*(keys[action.id], action.description, action.tooltip, action.id)[:len(table.columns)])
    return table


class HelpBody(KeyScrolling, VerticalScroll):
    """The list of keys; j/k and the other scrolling keys of the registry move through it."""

    BINDINGS = SCROLL_BINDINGS


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings_of("help.close")

    def __init__(self, underneath: Screen) -> None:
        super().__init__()
        self.table = help_table(underneath, with_ids=underneath.app.size.width >= IDS_MIN_WIDTH)

    def compose(self) -> ComposeResult:
        with HelpBody(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = f"{configured_keys(self.app, ACTIONS_BY_ID['help.close']).split(',')[0]} closes"
            yield Static(self.table, id="help-table")
