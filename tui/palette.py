"""ctrl+p: the registry's actions by name, with their current keys.

Transitions are offered only when the lifecycle allows them for the selected incident;
board and incident actions only on a screen that implements them, a dialog's only on a dialog that
binds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider

from .actions import ACTIONS, Action, Group
from .domain.lifecycle import allowed_transitions


class IncidentCommands(Provider):
    def _offered(self) -> Iterator[tuple[Action, str]]:
        """Each action the palette offers here, with the keys it is bound to now."""
        screen = self.screen
        keys: dict[str, list[str]] = {}
        for active in screen.active_bindings.values():
            keys.setdefault(active.binding.id or "", []).append(self.app.get_key_display(active.binding))
        selected = getattr(screen, "selected_incident", lambda: None)()
        allowed = allowed_transitions(selected) if selected is not None else frozenset()
        for action in ACTIONS:
            if not action.in_palette or action.id == "app.palette":
                continue
            if action.group is not Group.APP and not hasattr(screen, f"action_{parse(action.action)[1]}"):
                continue
            if action.group is Group.DIALOG and action.id not in keys:
                continue  # dialogs share their actions' names; each offers only what it binds
            if action.to is not None and action.to not in allowed:
                continue
            if action.writes and getattr(self.app, "read_only", False):
                continue  # a read-only board offers nothing that changes an incident
            yield action, ", ".join(keys.get(action.id, []))

    def _run(self, action: Action) -> None:
        target = self.app if action.group is Group.APP else self.screen
        self.app.call_later(partial(self.app.run_action, action.action, target))

    @staticmethod
    def _help(action: Action, keys: str) -> str:
        return f"{action.tooltip} · key {keys}" if keys else action.tooltip

    async def discover(self) -> Hits:
        for action, keys in self._offered():
            yield DiscoveryHit(action.description, partial(self._run, action), help=self._help(action, keys))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, keys in self._offered():
            score = matcher.match(f"{action.description} {action.group.value}")
            if score > 0:
                yield Hit(score, matcher.highlight(action.description), partial(self._run, action),
                          text=action.description, help=self._help(action, keys))
