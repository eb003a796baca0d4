"""The Textual application: one backend, the incident board, help and the command palette."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from uuid import UUID

from textual import events, work
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import TextArea

from .actions import ACTIONS, ACTIONS_BY_ID, SCREEN_GROUPS, Group, bindings, effective_keys, unknown_binding_ids
from .domain.catalog import CatalogKind
from .domain.engine import TIMER_SECONDS
from .domain.format import clean, without_controls
from .domain.query import DEFAULT_FILTER
from .palette import IncidentCommands
from .screens.board import Board
from .screens.catalog import ChecksScreen, ConfigsScreen
from .store.base import Backend, BackendError
from .themes import DEFAULT_THEME, check_theme, colour_variables
from .typeahead import KeyTrail, Typeahead


def styles_dir() -> Path:
    """Styles ship inside the wheel as tui/styles; in a checkout they live at the top level."""
    shipped = Path(__file__).parent / "styles"
    return shipped if shipped.is_dir() else Path(__file__).parent.parent / "styles"


class IncidentApp(App[None]):
    TITLE = "incidents"
    CSS_PATH = styles_dir() / "app.tcss"
    BINDINGS = bindings(Group.APP)
    COMMANDS = App.COMMANDS | {IncidentCommands}

    def __init__(self, backend: Backend, *, initial_filter: str = DEFAULT_FILTER,
                 keymap: dict[str, str] | None = None, refresh_seconds: float = 1.0, where: str = "",
                 read_only: bool = False, bell: bool = False, views: dict[str, str] | None = None,
                 views_file: Path | None = None, frontend_url: str = "", theme: str = DEFAULT_THEME) -> None:
        # Under NO_COLOR, Textual removes every colour (keeping bold, dim, reverse…) only when it
        # thinks colours are the terminal's own; else it draws in greys, which are colours too.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)  # as Textual reads it
        self.theme = check_theme(theme)
        self.backend = backend
        self.sub_title = where
        """The server the board shows, without credentials (empty for a local database)."""
        self.refresh_seconds = refresh_seconds
        """How often the board looks for changes made elsewhere; 0: never."""
        self.initial_filter = initial_filter
        self.frontend_url = frontend_url
        """Mission Control's web UI, for incident links (y/Y/b); empty: not configured."""
        self.user_keymap = dict(keymap or {})
        # The footer shows the palette's key by this name: the keymap's first key for it, if remapped.
        palette_key = effective_keys(self, ACTIONS_BY_ID["app.palette"])[0]
        self.COMMAND_PALETTE_BINDING = palette_key  # type: ignore[misc]  # Textual reads it per app, not per class
        self.read_only = read_only
        """A wall screen: no key changes anything (write actions are hidden and refused)."""
        self.ring_bell = bell
        """Ring the terminal bell when a new Critical or High incident arrives."""
        self.config_views = dict(views or {})
        """Saved views from the config file (recalled with 1, 2, … before those saved from the board)."""
        self.views_file = views_file
        """Where views saved from the board are kept (None: not kept beyond this run)."""
        self.quitting = False
        self.typeahead = Typeahead(self, super().on_event)

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Notifications often quote stored names and ids: cleaned, whoever sends them."""
        super().notify(clean(message), title=clean(title), **options)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The severity, status and health colours (tui.themes), for any theme that does not set them."""
        return colour_variables(self.current_theme)

    def get_default_screen(self) -> Board:
        return Board(self.initial_filter, refresh_seconds=self.refresh_seconds)

    def show_view(self, kind: CatalogKind, initial_filter: str = "", keep_id: UUID | None = None) -> None:
        """Open the Configs or Checks view over the current one (esc returns to it)."""
        view = ConfigsScreen if kind is CatalogKind.CONFIGS else ChecksScreen
        if isinstance(self.screen, view) and not initial_filter:
            self.notify(f"This is the {view.source.place.removeprefix('the ')} already.", markup=False)
            return
        self.push_screen(view(initial_filter, keep_id=keep_id, refresh_seconds=self.refresh_seconds))

    def show_board(self, initial_filter: str) -> None:
        """The board with `initial_filter`, over the current view (esc returns to it)."""
        self.push_screen(Board(initial_filter, refresh_seconds=self.refresh_seconds))

    def on_mount(self) -> None:
        # Everything built so far (modules, styles, the backend, the widgets) lives as long as the
        # app: leave it out of the cyclic garbage collector's full passes, which otherwise walk it
        # all (~70 ms at 100k incidents) in the middle of a keystroke every few seconds.
        gc.freeze()
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        if not self.sub_title and self.refresh_seconds > 0:  # a local database, live
            self.set_interval(TIMER_SECONDS, self.run_rule_timeouts)

    def on_ready(self) -> None:
        if self.user_keymap:
            self._explain_keymap_problems()

    def _explain_keymap_problems(self) -> None:
        """A typo'd id, or a key taken from another action, would otherwise fail silently."""
        unknown = unknown_binding_ids(self.user_keymap)
        if unknown:
            self._warn(f"The keymap names actions that do not exist: {', '.join(unknown)}. "
                       "On a terminal at least 110 columns wide, help (?) lists every action id.")
        bound = {active.binding.id for active in self.screen.active_bindings.values()}
        lost = [action.id for action in ACTIONS if action.group in SCREEN_GROUPS and action.id not in bound
                and action.id not in self.user_keymap and not (self.read_only and action.writes)]
        if lost:
            self._warn(f"Your keymap took every key of: {', '.join(lost)}. Give them other keys in the "
                       "[keymap] section of the config file.")

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=10, markup=False)

    def on_unmount(self) -> None:
        # What the app held may be collected again once it is gone: now, while it shuts down,
        # rather than in the middle of whatever the process runs next.
        gc.unfreeze()
        gc.collect()

    async def action_quit(self) -> None:
        self.quitting = True
        self.typeahead.discard()
        await super().action_quit()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            # Keys typed right after q (a fast typist, a pasted burst) must not open a dialog
            # on an app that is shutting down; the others go one at a time (see tui.typeahead).
            if not self.quitting:
                await self.typeahead.receive(event)
            return
        # Every paste, into any field (the filter bar included), loses its control characters here.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = without_controls(event.text, multiline=isinstance(self.focused, TextArea))
        await super().on_event(event)

    def on_key_trail(self, message: KeyTrail) -> None:
        self.typeahead.arrived(message)

    # The screens a key opens are imported when it is first pressed: start-up does not pay for them.

    def action_metrics(self) -> None:
        from .screens.metrics import MetricsScreen

        if isinstance(self.screen, MetricsScreen):
            self.screen.dismiss()
        elif not isinstance(self.screen, ModalScreen):  # not over a dialog: it waits for an answer
            self.push_screen(MetricsScreen())

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_rules(self) -> None:
        from .screens.rules import RulesScreen

        if not isinstance(self.screen, RulesScreen):
            self.push_screen(RulesScreen())

    @work(thread=True, exclusive=True, group="rule-timer", exit_on_error=False)
    def run_rule_timeouts(self) -> None:
        """On a local database the app is the rules' timer (a server runs its own): autoResolve and
        autoClose happen while someone has the board open, as `incidents rules run --every` would."""
        try:
            self.backend.run_rules()
        except BackendError:
            pass  # the board itself says when the database is away
