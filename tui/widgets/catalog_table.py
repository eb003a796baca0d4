"""The Configs and Checks views' lists: their columns on the shared line-drawn table (tui.widgets.row_table).

Health is a mark and a word (✓ Healthy, ✗ Unhealthy), so it reads without colour.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text

from ..domain import format as fmt
from ..domain.catalog import CatalogSort, CatalogSortKey
from ..domain.models import CheckRow
from .detail import health_text
from .row_table import Column, RowTable


def _plain(value: str | None, style: str = "") -> Text:
    if not value:
        return Text("—", style="dim")
    return Text(fmt.clean(value), style=style, no_wrap=True, overflow="ellipsis")


def labels_text(labels: tuple[tuple[str, str], ...]) -> Text:
    if not labels:
        return Text("—", style="dim")
    return Text(fmt.clean(" ".join(f"{key}={value}" for key, value in labels)), no_wrap=True, overflow="ellipsis")


def _open_incidents(count: int) -> Text:
    return Text(str(count), style="bold", justify="right") if count else Text("0", style="dim", justify="right")


def _last_run(row: CheckRow, now: datetime) -> str:
    return fmt.age(row.last_run, now) if row.last_run else "never"


_NAME = Column("name", "Name", None, lambda r, _, __: _plain(r.name, "bold"), CatalogSortKey.NAME)
_HEALTH = Column("health", "Health", 11, lambda r, _, looks: health_text(r.health, looks), CatalogSortKey.HEALTH)
_OPEN = Column("open", "Open inc.", 9, lambda r, _, __: _open_incidents(r.open_incidents))
_LABELS = Column("labels", "Labels", 28, lambda r, _, __: labels_text(r.labels), drop=4)

CONFIG_COLUMNS: tuple[Column, ...] = (
    _NAME,
    Column("type", "Type", 22, lambda r, _, __: _plain(r.type), CatalogSortKey.TYPE, drop=2),
    Column("class", "Class", 14, lambda r, _, __: _plain(r.config_class), CatalogSortKey.CLASS, drop=3),
    _HEALTH,
    Column("status", "Status", 12, lambda r, _, __: _plain(r.status), CatalogSortKey.STATUS, drop=1),
    _LABELS,
    _OPEN,
)

CHECK_COLUMNS: tuple[Column, ...] = (
    _NAME,
    Column("type", "Type", 14, lambda r, _, __: _plain(r.type), CatalogSortKey.TYPE, drop=2),
    Column("status", "Status", 11, lambda r, _, looks: health_text(r.health, looks), CatalogSortKey.HEALTH),
    Column("run", "Last run", 8, lambda r, now, __: Text(_last_run(r, now), justify="right")),
    Column("message", "Last message", 36, lambda r, _, __: _plain(r.last_message, "dim"), drop=1),
    _OPEN,
)


class ConfigTable(RowTable):
    """One page of config items."""

    COLUMNS: ClassVar[tuple[Column, ...]] = CONFIG_COLUMNS
    DEFAULT_ORDER: ClassVar[CatalogSort] = CatalogSort()


class CheckTable(RowTable):
    """One page of health checks; the last run's age follows the clock."""

    COLUMNS: ClassVar[tuple[Column, ...]] = CHECK_COLUMNS
    DEFAULT_ORDER: ClassVar[CatalogSort] = CatalogSort()

    def clock_text(self, row: CheckRow, now: datetime) -> str:
        return _last_run(row, now)
