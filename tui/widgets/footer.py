"""The footer of key bindings, rebuilt only when a key it never showed appears."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # private: the footer's key widget

Keys = tuple[tuple[Hashable, ...], ...]


class SteadyFooter(Footer):
    """Textual's footer rebuilds its keys (tens of milliseconds, over two frames) whenever the focus
    moves. Here it rebuilds only when a key it has no widget for appears; keys that merely go
    quiet, as the letter keys do while the filter bar takes the typing, stay in place, dimmed and
    disabled: the footer keeps its shape, so the screen needs no new layout (nor a frame for it)."""

    def __init__(self) -> None:
        super().__init__()
        # The board binds its keys on the screen, so they are known when the footer is first
        # composed: showing them then puts them in the screen's first layout, where Footer would
        # wait for a bindings signal and a frame, and then cost a layout and a frame of its own.
        self.set_reactive(Footer._bindings_ready, True)
        self._composed: tuple[Hashable, Keys] | None = None
        """What the footer's key widgets were built from: the settings, and the keys then shown."""

    def _shown(self) -> tuple[Hashable, Keys]:
        """Everything `Footer.compose` reads: its settings, and the keys it would show."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        keys = tuple((key, self.app.get_key_display(binding), binding.description, binding.action,
                      binding.tooltip, binding.group, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                     if binding.show or key == palette_key)
        return (self._bindings_ready, self.compact, self.show_command_palette), keys

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        yield from super().compose()

    async def recompose(self) -> None:
        if not self.is_attached:  # its screen was popped (back from a view) before the recompose ran
            return
        settings, keys = self._shown()
        if self._composed is not None and settings == self._composed[0] and set(keys) <= set(self._composed[1]):
            self._quieten_all_but(keys)
            return
        await super().recompose()

    def _quieten_all_but(self, keys: Keys) -> None:
        active = {(key, action) for key, _, _, action, _, _, enabled, _ in keys if enabled}
        for footer_key in self.query(FooterKey):
            quiet = (footer_key.key, footer_key.action) not in active
            footer_key.disabled = quiet  # a click on it does nothing
            footer_key.set_class(quiet, "-disabled")  # Footer's own look for a disabled key
