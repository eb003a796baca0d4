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
from textual.keys import _normalize_key_list  # private, but it is how Textual reads a keymap's keys

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
    PLAN = "Action plan"
    """Bound on the action plan screen (`h`)."""
    COMMANDS = "Commands"
    """The board's `:` line, previous/next and selecting several incidents."""
    SAVED = "Saved views"
    DIALOG = "Dialogs"
    HELP = "Help"
    METRICS = "Metrics"
    RULES = "Rules"


SCREEN_GROUPS = frozenset({Group.APP, Group.BOARD, Group.INCIDENT, Group.VIEWS, Group.COMMANDS, Group.SAVED})
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
    writes: bool = False
    """Changes an incident: hidden and refused on a read-only board (`--read-only`)."""

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, key_display=self.key_display,
                       priority=self.priority, tooltip=self.tooltip, id=self.id)


def _transition(id: str, keys: str, verb: str, to: Status, *, show: bool = False) -> Action:
    return Action(id, keys, verb, f"{to.label}: {to.description}", f"transition('{to.value}')",
                  Group.INCIDENT, show=show, to=to, writes=True)


def _writes(id: str, keys: str, description: str, tooltip: str, action: str, *, show: bool = False,
            key_display: str | None = None) -> Action:
    return Action(id, keys, description, tooltip, action, Group.INCIDENT, show=show, key_display=key_display,
                  writes=True)


SAVED_VIEW_KEYS = 9
"""Saved views are recalled with 1 … 9 (those in the config file first, in its order)."""


def _saved_view(number: int) -> Action:
    return Action(f"view.{number}", str(number), f"View {number}", f"Show saved view {number} (its filter and sort)",
                  f"recall_view({number})", Group.SAVED, in_palette=False)


ACTIONS: tuple[Action, ...] = (
    Action("app.quit", "q", "Quit", "Leave incidents", "quit", Group.APP, show=True),
    Action("app.help", "question_mark", "Help", "List every key, as currently bound", "help", Group.APP,
           show=True, key_display="?"),
    Action("app.palette", "ctrl+p,f9", "Commands", "Search every command by name", "command_palette", Group.APP,
           priority=True),
    Action("app.metrics", "M", "Metrics", "Active incidents at a glance, MTTA, MTTR, incidents per day",
           "metrics", Group.APP),
    Action("app.rules", "R", "Rules", "Incident rules and their timeouts", "rules", Group.APP),

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
    Action("board.command", "colon", "Command line", "Type a command: :INC-12 jumps to it, :q quits, :help lists them",
           "command_line", Group.COMMANDS, key_display=":"),
    Action("board.next", "right_square_bracket", "Next incident", "The next incident, from the list or its details",
           "step(1)", Group.COMMANDS, key_display="]"),
    Action("board.previous", "left_square_bracket", "Previous incident",
           "The previous incident, from the list or its details", "step(-1)", Group.COMMANDS, key_display="["),
    Action("board.select", "space", "Select", "Select or unselect the incident under the cursor; the actions "
           "below then act on every selected incident", "toggle_selection", Group.COMMANDS),
    Action("board.select_down", "J", "Select down", "Select this incident and move down", "select_step(1)",
           Group.COMMANDS),
    Action("board.select_up", "K", "Select up", "Select this incident and move up", "select_step(-1)", Group.COMMANDS),
    Action("board.save_view", "V", "Save view", "Name the current filter and sort, to recall with a number key",
           "save_view", Group.SAVED),

    _writes("incident.acknowledge", "a", "Ack", "Acknowledge: you become commander if there is none",
            "acknowledge", show=True),
    _transition("incident.mitigate", "m", "Mitigate", Status.MITIGATED, show=True),
    _transition("incident.resolve", "r", "Resolve", Status.RESOLVED, show=True),
    _transition("incident.close", "x", "Close", Status.CLOSED),
    _transition("incident.cancel", "X", "Cancel incident", Status.CANCELLED),
    _transition("incident.reopen", "o", "Reopen", Status.OPEN),
    _writes("incident.transition", "t", "Transition…", "Move to any allowed status, with a note",
            "transition_with_note"),
    _writes("incident.comment", "c", "Comment", "Add a comment to the timeline", "comment"),
    _writes("incident.edit", "e", "Edit", "Change title, severity, type or description", "edit"),
    _writes("incident.new", "n", "New incident", "Report a new incident", "new_incident"),
    _writes("incident.commander", "p", "Commander", "Assign the incident commander", "assign_commander"),
    _writes("incident.communicator", "P", "Communicator", "Assign the communicator", "assign_communicator"),
    _writes("incident.add_responder", "plus", "Add responder", "Add a person, team or external responder",
            "add_responder", key_display="+"),
    _writes("incident.remove_responder", "minus", "Remove responder", "Remove one of the responders",
            "remove_responder", key_display="-"),
    *(_saved_view(number) for number in range(1, SAVED_VIEW_KEYS + 1)),
    _writes("incident.link", "l", "Link…", "Link or unlink config items and health checks (evidence on the root)",
            "link"),
    Action("incident.plan", "h", "Action plan", "The hypotheses, their evidence and the definition of done",
           "action_plan", Group.INCIDENT),
    Action("incident.copy_id", "y", "Copy id", "Copy the incident's id (INC-12) to your clipboard, over SSH too",
           "copy_id", Group.INCIDENT),
    Action("incident.copy_link", "Y", "Copy link",
           "Copy the link to the incident's page in Mission Control (set frontend_url)", "copy_link", Group.INCIDENT),
    Action("incident.open_in_browser", "b", "Open in browser",
           "Open the incident's page in Mission Control in a web browser (set frontend_url)", "open_in_browser",
           Group.INCIDENT),

    Action("plan.down", "j,down", "Next line", "Next node or evidence", "cursor(1)", Group.PLAN, in_palette=False),
    Action("plan.up", "k,up", "Previous line", "Previous node or evidence", "cursor(-1)", Group.PLAN, in_palette=False),
    Action("plan.add", "a", "Add under", "Add a factor or solution under the highlighted node", "add_node",
           Group.PLAN, show=True),
    Action("plan.edit", "e", "Edit node", "Change the highlighted node's title, type, status or parent",
           "edit_node", Group.PLAN, show=True),
    Action("plan.status", "s", "Hypothesis status",
           "Set how likely the highlighted hypothesis is (possible, likely, proven…)",
           "set_status", Group.PLAN, show=True),
    Action("plan.evidence", "v", "Add evidence", "Add a config item, health check or note under the highlighted node",
           "add_evidence", Group.PLAN, show=True),
    Action("plan.definition_of_done", "d", "Done-evidence",
           "Make the highlighted evidence part of the definition of done, or take it out",
           "toggle_definition_of_done", Group.PLAN, show=True),
    Action("plan.mark_done", "D", "Mark done", "Mark a note of the definition of done done, or not done",
           "toggle_done", Group.PLAN),
    Action("plan.remove", "x", "Remove evidence", "Remove (unlink) the highlighted evidence; asks first",
           "remove_evidence", Group.PLAN, show=True),
    Action("plan.close", "escape", "Close the plan", "Back to the board", "close", Group.PLAN, show=True,
           in_palette=False),

    Action("incident.jump", "f", "Jump to config or check",
           "Open a config item or health check linked to this incident (esc comes back)", "jump_to_link",
           Group.INCIDENT),

    Action("view.configs", "C", "Configs", "The config items, with their health and open incidents",
           "show_configs", Group.VIEWS),
    Action("view.checks", "H", "Checks", "The health checks, with their status, last result and open incidents",
           "show_checks", Group.VIEWS),
    Action("catalog.incidents", "i", "Its incidents",
           "The board filtered to the incidents linked to this config item or check (esc comes back)",
           "show_incidents", Group.CATALOG, show=True),
    Action("catalog.copy_name", "y", "Copy name", "Copy the config item's or check's name to your clipboard, over "
           "SSH too", "copy_name", Group.CATALOG),
    Action("catalog.copy_link", "Y", "Copy link",
           "Copy the link to its page in Mission Control (set frontend_url)", "copy_link", Group.CATALOG),
    Action("catalog.open_in_browser", "b", "Open in browser",
           "Open its page in Mission Control in a web browser (set frontend_url)", "open_in_browser", Group.CATALOG),

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
    Action("dialog.save", "ctrl+s,f2", "Save", "Save what the dialog says", "save", Group.DIALOG),
    Action("dialog.editor", "f4", "Edit in $EDITOR", "Write the text in your own editor ($VISUAL or $EDITOR); "
           "the app comes back when it exits", "external_editor", Group.DIALOG),
    Action("dialog.confirm", "enter", "Confirm", "Do what the dialog asks, with the note if one was typed",
           "save", Group.DIALOG),
    Action("dialog.cancel", "escape", "Cancel", "Close the dialog without changing anything", "cancel",
           Group.DIALOG),
    Action("command.complete", "tab", "Complete", "Take the completion the command line offers", "complete",
           Group.DIALOG, in_palette=False),
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
    Action("rules.close", "escape,R", "Back", "Back to the board", "close_rules", Group.RULES, show=True,
           in_palette=False),
    Action("rules.refresh", "ctrl+r", "Refresh rules", "Read the rules again", "refresh_rules", Group.RULES,
           show=True),
    Action("rules.down", "j", "Next rule", "The next rule", "rules_cursor(1)", Group.RULES, in_palette=False),
    Action("rules.up", "k", "Previous rule", "The previous rule", "rules_cursor(-1)", Group.RULES, in_palette=False),
)

ACTIONS_BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

WRITES = frozenset(action.action.split("(")[0] for action in ACTIONS if action.writes)
"""The names of the actions that change an incident (a read-only board refuses them)."""

TAKEN_BY_TERMINALS = {
    "ctrl+p": "zellij (pane mode) and VS Code's terminal (quick open)",
    "ctrl+s": "zellij (scroll mode) and terminals with flow control (XOFF)",
    "ctrl+q": "zellij (quit) and terminals with flow control (XON)",
    "ctrl+b": "tmux (its prefix)",
    "ctrl+a": "GNU screen (its prefix)",
    "ctrl+g": "zellij (locked mode)",
    "ctrl+t": "zellij (tab mode)",
    "ctrl+n": "zellij (resize mode)",
    "ctrl+h": "zellij (move mode)",
    "ctrl+o": "zellij (session mode)",
    "f1": "VS Code's terminal (its command palette)",
    "f11": "terminals (full screen)",
}
"""Keys common multiplexers and terminals take before an app sees them: a default that uses one also
has a key that is free (`ctrl+p,f9`)."""

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


def effective_keys(app: App, action: Action) -> list[str]:
    """The key names an action answers to, the user's keymap applied (`question_mark`, `ctrl+x`)."""
    keys = getattr(app, "user_keymap", {}).get(action.id) or action.keys
    return _normalize_key_list(keys).split(",")


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
