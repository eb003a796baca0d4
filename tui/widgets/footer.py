"""The footer of key bindings, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's footer rebuilds its keys (tens of milliseconds) whenever the focus moves, even
    when, as between the filter bar and the list, the keys it shows stay the same."""

    def __init__(self) -> None:
        super().__init__()
        self._composed: Hashable = None

    def _shown(self) -> Hashable:
        """Everything `Footer.compose` reads."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        keys = tuple((key, self.app.get_key_display(binding), binding.description, binding.action,
                      binding.tooltip, binding.group, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                     if binding.show or key == palette_key)
        return self._bindings_ready, self.compact, self.show_command_palette, keys

    async def recompose(self) -> None:
        shown = self._shown()
        if shown != self._composed:
            self._composed = shown
            await super().recompose()
