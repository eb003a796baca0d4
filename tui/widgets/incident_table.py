"""The incident list: the board's columns on the shared line-drawn table (tui.widgets.row_table).

Severity and status are spelled out, in the theme's colours and weights (tui.themes), so they read
without colour. A row's age
is its clock text: the table redraws it when it reads differently as the clock moves.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text

from ..domain import format as fmt
from ..domain.enums import IncidentType, Severity, Status, label
from ..domain.models import UNREADABLE_MARK, IncidentRow
from ..domain.query import Sort, SortKey
from ..themes import UNKNOWN, Looks
from .row_table import Column, RowTable

SEVERITY_SHORT = {Severity.CRITICAL: "CRIT", Severity.HIGH: "HIGH", Severity.MEDIUM: "MED",
                  Severity.LOW: "LOW", Severity.INFO: "INFO"}


def severity_text(severity: Severity | str, looks: Looks, *, short: bool = True) -> Text:
    """`CRIT`, `HIGH`…: spelled out, in the theme's severity colour and weight (an unknown value verbatim)."""
    shown = fmt.clean(label(severity)) if not isinstance(severity, Severity) or not short else SEVERITY_SHORT[severity]
    return Text(shown, style=looks.of(severity))


def status_text(status: Status | str, looks: Looks) -> Text:
    return Text(fmt.clean(label(status)), style=looks.of(status))


def _type_text(value: IncidentType | str) -> Text:
    return Text(fmt.clean(label(value)), style="" if isinstance(value, IncidentType) else UNKNOWN,
                no_wrap=True, overflow="ellipsis")


def _title_text(row: IncidentRow) -> Text:
    title = Text(fmt.clean(row.title), no_wrap=True, overflow="ellipsis")
    if row.problems:
        title = Text.assemble((UNREADABLE_MARK, "bold reverse"), " ", title, no_wrap=True, overflow="ellipsis")
    return title


def _person_text(name: str | None) -> Text:
    return Text(fmt.clean(name), no_wrap=True, overflow="ellipsis") if name else Text("—", style="dim")


def _responders_text(names: tuple[str, ...]) -> Text:
    if not names:
        return Text("—", style="dim")
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    return Text(fmt.clean(names[0]), no_wrap=True, overflow="ellipsis").append(more, style="dim")


def _age_text(row: IncidentRow, now: datetime) -> str:
    return fmt.age(row.created_at, now) if row.created_at else "?"


def _links_text(row: IncidentRow) -> Text:
    parts = [f"{row.config_count}c" if row.config_count else "", f"{row.check_count}k" if row.check_count else ""]
    return Text(" ".join(p for p in parts if p))


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 11, lambda r, _, __: Text(fmt.clean(r.incident_id), style="dim"), SortKey.ID),
    Column("sev", "Sev", 6, lambda r, _, looks: severity_text(r.severity, looks), SortKey.SEVERITY),
    Column("status", "Status", 12, lambda r, _, looks: status_text(r.status, looks), SortKey.STATUS),
    Column("type", "Type", 14, lambda r, _, __: _type_text(r.type), SortKey.TYPE, drop=2),
    Column("title", "Title", None, lambda r, _, __: _title_text(r), SortKey.TITLE),
    Column("commander", "Commander", 18, lambda r, _, __: _person_text(r.commander), SortKey.COMMANDER, drop=1),
    Column("responders", "Responders", 20, lambda r, _, __: _responders_text(r.responders), drop=4),
    Column("links", "Links", 7, lambda r, _, __: _links_text(r), drop=3),
    Column("age", "Age", 5, lambda r, now, __: Text(_age_text(r, now), justify="right"), SortKey.AGE),
)
SORTABLE = tuple(column.sort for column in COLUMNS if column.sort is not None)


_DIRECTIONS = {
    SortKey.SEVERITY: ("highest first", "lowest first"),
    SortKey.STATUS: ("open first", "cancelled first"),
    SortKey.TYPE: ("availability first", "reliability first"),
    SortKey.ID: ("lowest number first", "highest number first"),
    SortKey.AGE: ("newest first", "oldest first"),
    SortKey.UPDATED: ("latest change first", "oldest change first"),
}


def sort_description(sort: Sort) -> str:
    """In words, since ▲ alone does not say whether "up" means critical or info."""
    ascending, descending = _DIRECTIONS.get(sort.key, ("A→Z", "Z→A"))
    return f"{sort.key.value}, {descending if sort.descending else ascending}"


class IncidentTable(RowTable):
    """One page of incidents."""

    COLUMNS: ClassVar[tuple[Column, ...]] = COLUMNS
    DEFAULT_ORDER: ClassVar[Sort] = Sort()

    def clock_text(self, row: IncidentRow, now: datetime) -> str:
        return _age_text(row, now)
