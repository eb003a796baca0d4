"""The one action registry: every key the app answers to is declared here, once.

Key bindings (with ids, so users can remap them), the footer, the `?` help screen and the
command palette are all derived from `ACTIONS`. Users remap keys by binding id in the
config file (`[keymap] "incident.close" = "ctrl+x"`), which the app passes to
`App.set_keymap`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from textual.app import App
from textual.binding import Binding, BindingType

from .domain.enums import Status


class Group(str, Enum):
    """Where an action is bound and under which heading help lists it."""

    APP = "General"
    BOARD = "Board"
    INCIDENT = "Incident"
    VIEWS = "Views"
    """The other lists, one key away from any list (the board, configs, checks)."""
    CATALOG = "Configs and checks"
    """Bound on the Configs and Checks views."""
    SCROLL = "Scrolling"
    """Bound on what scrolls (the detail pane, help); they win over the board's keys while it has the focus."""
    DIALOG = "Dialogs"
    HELP = "Help"
    METRICS = "Metrics"


SCREEN_GROUPS = frozenset({Group.APP, Group.BOARD, Group.INCIDENT, Group.VIEWS})
"""Bound on the board (and the app) at all times; the other groups only where they apply: in a
dialog, in help, on what scrolls while it has the focus."""


@dataclass(frozen=True)
class Action:
    id: str
    keys: str
    """Default keys, comma separated, in Textual's key names (`j,down`, `ctrl+r`, `question_mark`)."""
    description: str
    tooltip: str
    action: str
    """The Textual action string run on the screen (or the app, for Group.APP; for the choice
    keys, the dialog or the widget that holds the list)."""
    group: Group
    show: bool = False
    """Shown in the footer."""
    key_display: str | None = None
    in_palette: bool = True
    """Cursor moves and `esc` are keys, not commands: the palette leaves them out."""
    to: Status | None = None
    """For a transition: the status it moves the selected incident to."""
    priority: bool = False
    """Checked before the focused widget, on every screen (dialogs hide the app's other keys)."""

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, key_display=self.key_display,
                       priority=self.priority, tooltip=self.tooltip, id=self.id)


def _transition(id: str, keys: str, verb: str, to: Status, *, show: bool = False) -> Action:
    return Action(id, keys, verb, f"{to.label}: {to.description}", f"transition('{to.value}')",
                  Group.INCIDENT, show=show, to=to)


ACTIONS: tuple[Action, ...] = (
    Action("app.quit", "q", "Quit", "Leave incidents", "quit", Group.APP, show=True),
    Action("app.help", "question_mark", "Help", "List every key, as currently bound", "help", Group.APP,
           show=True, key_display="?"),
    Action("app.palette", "ctrl+p", "Commands", "Search every command by name", "command_palette", Group.APP,
           priority=True),
    Action("app.metrics", "M", "Metrics", "Active incidents at a glance, MTTA, MTTR, incidents per day",
           "metrics", Group.APP),

    Action("board.filter", "slash", "Filter", "Edit the filter: enter applies it, esc leaves it as it was",
           "focus_filter", Group.BOARD, show=True, key_display="/"),
    Action("board.back", "escape", "Back", "Leave the filter or the details, else back to the view before",
           "back", Group.BOARD, in_palette=False),
    Action("board.down", "j,down", "Down", "Next incident", "cursor_down", Group.BOARD, in_palette=False),
    Action("board.up", "k,up", "Up", "Previous incident", "cursor_up", Group.BOARD, in_palette=False),
    Action("board.page_down", "pagedown", "Page down", "One screen further down", "page_down", Group.BOARD,
           in_palette=False),
    Action("board.page_up", "pageup", "Page up", "One screen further up", "page_up", Group.BOARD,
           in_palette=False),
    Action("board.top", "g,home", "Top", "First incident", "cursor_top", Group.BOARD),
    Action("board.bottom", "G,end", "Bottom", "Last incident", "cursor_bottom", Group.BOARD),
    Action("board.open_detail", "enter", "Details", "Show the selected incident's details and move into them",
           "open_detail", Group.BOARD),
    Action("board.toggle_detail", "tab", "Toggle details",
           "Show or hide the details on a narrow terminal; switch between list and details on a wide one",
           "toggle_detail", Group.BOARD),
    Action("board.sort", "s", "Sort", "Sort by the next column", "cycle_sort", Group.BOARD),
    Action("board.reverse_sort", "S", "Reverse sort", "Reverse the sort order", "reverse_sort", Group.BOARD),
    Action("board.refresh", "ctrl+r", "Refresh", "Reload from the store, keeping the cursor on the same incident",
           "refresh", Group.BOARD),
    Action("board.live", "L", "Pause live", "Pause or resume live updates (changes made elsewhere appear by "
           "themselves)", "toggle_live", Group.BOARD),

    Action("incident.acknowledge", "a", "Ack", "Acknowledge: you become commander if there is none",
           "acknowledge", Group.INCIDENT, show=True),
    _transition("incident.mitigate", "m", "Mitigate", Status.MITIGATED, show=True),
    _transition("incident.resolve", "r", "Resolve", Status.RESOLVED, show=True),
    _transition("incident.close", "x", "Close", Status.CLOSED),
    _transition("incident.cancel", "X", "Cancel incident", Status.CANCELLED),
    _transition("incident.reopen", "o", "Reopen", Status.OPEN),
    Action("incident.transition", "t", "Transition…", "Move to any allowed status, with a note",
           "transition_with_note", Group.INCIDENT),
    Action("incident.comment", "c", "Comment", "Add a comment to the timeline", "comment", Group.INCIDENT),
    Action("incident.edit", "e", "Edit", "Change title, severity, type or description", "edit", Group.INCIDENT),
    Action("incident.new", "n", "New incident", "Report a new incident", "new_incident", Group.INCIDENT),
    Action("incident.commander", "p", "Commander", "Assign the incident commander", "assign_commander",
           Group.INCIDENT),
    Action("incident.communicator", "P", "Communicator", "Assign the communicator", "assign_communicator",
           Group.INCIDENT),
    Action("incident.add_responder", "plus", "Add responder", "Add a person, team or external responder",
           "add_responder", Group.INCIDENT, key_display="+"),
    Action("incident.remove_responder", "minus", "Remove responder", "Remove one of the responders",
           "remove_responder", Group.INCIDENT, key_display="-"),

    Action("incident.jump", "J", "Jump to config or check",
           "Open a config item or health check linked to this incident (esc comes back)", "jump_to_link",
           Group.INCIDENT),

    Action("view.configs", "C", "Configs", "The config items, with their health and open incidents",
           "show_configs", Group.VIEWS),
    Action("view.checks", "K", "Checks", "The health checks, with their status, last result and open incidents",
           "show_checks", Group.VIEWS),
    Action("catalog.incidents", "i", "Its incidents",
           "The board filtered to the incidents linked to this config item or check (esc comes back)",
           "show_incidents", Group.CATALOG, show=True),

    Action("scroll.down", "j,down", "Scroll down", "One line further down", "scroll_by_key('down')", Group.SCROLL,
           in_palette=False),
    Action("scroll.up", "k,up", "Scroll up", "One line further up", "scroll_by_key('up')", Group.SCROLL,
           in_palette=False),
    Action("scroll.page_down", "pagedown", "Scroll a page down", "One screen further down",
           "scroll_by_key('page_down')", Group.SCROLL, in_palette=False),
    Action("scroll.page_up", "pageup", "Scroll a page up", "One screen further up", "scroll_by_key('page_up')",
           Group.SCROLL, in_palette=False),
    Action("scroll.top", "g,home", "Scroll to the top", "Back to the beginning", "scroll_by_key('top')", Group.SCROLL,
           in_palette=False),
    Action("scroll.bottom", "G,end", "Scroll to the end", "On to the end", "scroll_by_key('bottom')", Group.SCROLL,
           in_palette=False),
    Action("dialog.save", "ctrl+s", "Save", "Save what the dialog says", "save", Group.DIALOG),
    Action("dialog.confirm", "enter", "Confirm", "Do what the dialog asks, with the note if one was typed",
           "save", Group.DIALOG),
    Action("dialog.cancel", "escape", "Cancel", "Close the dialog without changing anything", "cancel",
           Group.DIALOG),
    Action("choices.next", "down", "Next choice", "Highlight the next choice in a list", "move(1)",
           Group.DIALOG, in_palette=False),
    Action("choices.previous", "up", "Previous choice", "Highlight the previous choice in a list", "move(-1)",
           Group.DIALOG, in_palette=False),
    Action("help.close", "escape,question_mark,q", "Close help", "Back to where help was opened", "dismiss",
           Group.HELP, in_palette=False),
    Action("metrics.window", "w", "Window", "The next window: the last 7, 30 or 90 days", "next_window",
           Group.METRICS, show=True),
    Action("metrics.refresh", "ctrl+r", "Count again", "Ask the store for the numbers again", "refresh",
           Group.METRICS),
    Action("metrics.back", "escape", "Board", "Back to the board", "back", Group.METRICS, show=True),
)

ACTIONS_BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

TRANSITIONS: dict[Status, Action] = {action.to: action for action in ACTIONS if action.to is not None}
"""The single-key transition to each status (the detail pane lists the allowed ones with their keys)."""


def bindings(*groups: Group) -> list[BindingType]:
    return [action.binding() for action in ACTIONS if action.group in groups]


def bindings_of(*ids: str) -> list[BindingType]:
    """The bindings of some actions of a group, for a screen or widget that answers to only those."""
    return [ACTIONS_BY_ID[id].binding() for id in ids]


def unknown_binding_ids(keymap: Mapping[str, str]) -> list[str]:
    """Ids in a user keymap that name no action (a typo would otherwise be silently ignored)."""
    return sorted(set(keymap) - set(ACTIONS_BY_ID))


def configured_keys(app: App, action: Action) -> str:
    """The keys of an action as the user's keymap (or else the registry) gives them, for display;
    for an action that is not bound right now (a dialog's, seen from the board)."""
    remapped = getattr(app, "user_keymap", {}).get(action.id)
    key_display = None if remapped else action.key_display
    return ", ".join(app.get_key_display(Binding(key.strip(), action.action, key_display=key_display))
                     for key in (remapped or action.keys).split(","))


def keys_by_action(bound: Iterable[Binding]) -> dict[str, list[Binding]]:
    """Group live bindings (keymap applied) by action id, keeping registry order of keys."""
    grouped: dict[str, list[Binding]] = {}
    for binding in bound:
        if binding.id in ACTIONS_BY_ID:
            grouped.setdefault(binding.id, []).append(binding)
    return grouped
