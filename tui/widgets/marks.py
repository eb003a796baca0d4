"""Marks and styles shared by the detail pane and the action plan (each colour comes with a mark)."""

from __future__ import annotations

from ..domain.enums import Health

HEALTH_MARKS = {
    Health.HEALTHY: ("✓", "green3"),
    Health.WARNING: ("!", "yellow"),
    Health.UNHEALTHY: ("✗", "bold red3"),
    Health.UNKNOWN: ("?", "grey50"),
}
MUTED = "grey58"
