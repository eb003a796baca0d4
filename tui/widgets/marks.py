"""Marks and styles shared by the detail pane and the action plan (each colour comes with a mark)."""

from __future__ import annotations

from ..domain.enums import Health

HEALTH_MARKS = {
    Health.HEALTHY: ("✓", "green"),
    Health.WARNING: ("!", "yellow"),
    Health.UNHEALTHY: ("✗", "bold red"),
    Health.UNKNOWN: ("?", "dim"),
}
"""The marks; the detail pane colours them with the theme (tui.themes), the plan view in the 16 colours."""
MUTED = "dim"
"""Dim rather than a grey of 256: the same in 16 colours, in any theme and under NO_COLOR."""
