"""Themes, and the one set of severity, status and health colours the board, the detail pane, the
severity strip and the metrics screen all draw with.

The colours are Textual theme variables (`$severity-critical`, `$status-open`, `$health-healthy`…):
CSS uses them as they are, and Python that builds `rich.text.Text` asks `looks(app)` for the same
values as rich styles. A theme may set any of them in its `variables`; otherwise they come from the
theme's own colours (critical and open are its error colour, resolved its success colour…), and in
Textual's ANSI themes from the terminal's own palette, so they follow the terminal's colours.

Colour is never the only sign: every value is also spelled out, and each has a weight of its own
(critical reversed and bold, high bold, info and closed dim, cancelled struck through), so that the
board reads the same in 16 colours, in monochrome and under NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from .domain.enums import Health, Severity, Status

DEFAULT_THEME = "textual-dark"
TERMINAL_THEMES = ("ansi-dark", "ansi-light")
"""Textual's themes in the terminal's own 16 colours (its palette, its background)."""

SEVERITY_EMPHASIS = {Severity.CRITICAL: "bold reverse", Severity.HIGH: "bold", Severity.MEDIUM: "",
                     Severity.LOW: "", Severity.INFO: "dim"}
STATUS_EMPHASIS = {Status.OPEN: "bold", Status.INVESTIGATING: "bold", Status.NEW: "bold", Status.MITIGATED: "",
                   Status.RESOLVED: "", Status.CLOSED: "dim", Status.CANCELLED: "dim strike"}
HEALTH_EMPHASIS = {Health.HEALTHY: "", Health.WARNING: "", Health.UNHEALTHY: "bold", Health.UNKNOWN: "dim"}
"""What each value looks like without colour: its weight (the words and marks say the rest)."""

UNKNOWN = Style(italic=True)
"""A stored value no known spelling parses to, shown verbatim."""


def variable(value: Severity | Status | Health) -> str:
    """The theme variable of a value's colour: `severity-critical`, `status-open`, `health-healthy`.
    Statuses Mission Control spells otherwise (`investigating`, `new`) are open, and look it."""
    if isinstance(value, Status):
        return f"status-{value.effective.value}"
    return f"{'severity' if isinstance(value, Severity) else 'health'}-{value.value.lower()}"


_ANSI_COLOURS = {
    "severity-critical": "ansi_red", "severity-high": "ansi_bright_red", "severity-medium": "ansi_yellow",
    "severity-low": "ansi_cyan", "severity-info": "ansi_default",
    "status-open": "ansi_red", "status-mitigated": "ansi_yellow", "status-resolved": "ansi_green",
    "status-closed": "ansi_default", "status-cancelled": "ansi_default",
    "health-healthy": "ansi_green", "health-warning": "ansi_yellow", "health-unhealthy": "ansi_red",
    "health-unknown": "ansi_default",
}


def colour_variables(theme: Theme) -> dict[str, str]:
    """The severity, status and health colours of `theme` unless it sets them itself: its error,
    warning, success and primary colours, made light (or dark) enough to read as text on it."""
    if theme.ansi:
        return dict(_ANSI_COLOURS)
    system = theme.to_color_system().generate()
    background = Color.parse(system["surface"])

    def readable(name: str) -> Color:
        return _readable(Color.parse(system[name]), background, theme.dark)

    error, warning, success, primary = (readable(name) for name in ("error", "warning", "success", "primary"))
    quiet = system["foreground"]
    return {
        "severity-critical": error.hex, "severity-high": error.blend(warning, 0.5).hex,
        "severity-medium": warning.hex, "severity-low": primary.hex, "severity-info": quiet,
        "status-open": error.hex, "status-mitigated": warning.hex, "status-resolved": success.hex,
        "status-closed": quiet, "status-cancelled": quiet,
        "health-healthy": success.hex, "health-warning": warning.hex, "health-unhealthy": error.hex,
        "health-unknown": quiet,
    }


MIN_BRIGHTNESS_GAP = 0.3
"""How much brighter (on a dark theme) or darker (on a light one) than the background a colour must
be to read as text: a theme's warning yellow on white, or its error red on black, is not."""


def _readable(colour: Color, background: Color, dark: bool) -> Color:
    for _ in range(10):
        if abs(colour.brightness - background.brightness) >= MIN_BRIGHTNESS_GAP:
            break
        colour = colour.lighten(0.05) if dark else colour.darken(0.05)
    return colour


@dataclass(frozen=True, eq=False)
class Looks:
    """The current theme's severity, status and health styles as rich styles (one object per set of
    colours, so it can key a cache of rendered lines)."""

    styles: Mapping[str, Style]

    def of(self, value: Severity | Status | Health | str) -> Style:
        """The style of a parsed value; of an unknown (verbatim) one, UNKNOWN."""
        if isinstance(value, Severity | Status | Health):
            return self.styles[variable(value)]
        return UNKNOWN

    def badge(self, value: Severity | Status | Health | str) -> Style:
        """As `of`, reversed: a block of the colour, for the detail pane's badges."""
        return self.of(value) + Style(reverse=True, bold=True)


_EMPHASIS = {variable(value): emphasis for table in (SEVERITY_EMPHASIS, STATUS_EMPHASIS, HEALTH_EMPHASIS)
             for value, emphasis in table.items()}


def looks(theme: Theme = BUILTIN_THEMES[DEFAULT_THEME]) -> Looks:
    """The looks of `theme` (an app's `current_theme`): its own variables win over the derived colours."""
    key = repr(theme)  # a theme is a mutable dataclass: its fields, not its name, say what it looks like
    if key not in _LOOKS:
        colours = {**colour_variables(theme), **theme.variables}
        _LOOKS[key] = Looks({name: _style(colours[name], emphasis) for name, emphasis in _EMPHASIS.items()})
    return _LOOKS[key]


_LOOKS: dict[str, Looks] = {}


def _style(colour: str, emphasis: str) -> Style:
    style = Style.parse(emphasis) if emphasis else Style()
    try:
        return style + Style(color=Color.parse(colour).rich_color)
    except ColorParseError:
        return style  # a theme's malformed colour: the weight still tells the values apart


def theme_names() -> list[str]:
    return sorted(BUILTIN_THEMES)


ALIASES = {"textual-ansi": "ansi-dark", "ansi": "ansi-dark", "terminal": "ansi-dark"}
"""Names users bring from older Textual versions and other tools for the terminal's own colours."""


def check_theme(name: str) -> str:
    """The Textual theme `name` names (an alias resolved); else a ValueError whose message is a sentence."""
    name = ALIASES.get(name.strip().lower(), name.strip())
    if name in BUILTIN_THEMES:
        return name
    raise ValueError(f"There is no theme {name!r}. Themes: {', '.join(theme_names())} "
                     f"({' and '.join(TERMINAL_THEMES)} use the terminal's own colours).")
