"""The Configs and Checks views: config items and health checks on the shared list view
(tui.screens.list_screen), each with its incidents one key away (`i`: the board filtered by
`config:NAME` / `check:NAME`; esc comes back with the cursor where it was)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar, cast
from uuid import UUID

from textual.app import ComposeResult
from textual.widgets import Label

from ..actions import Group, bindings
from ..domain.catalog import SORTABLE, CatalogKind, CatalogQuery, CatalogSort, parse_catalog_filter
from ..domain.grammar import format_query
from ..domain.models import CheckDetail, CheckRow, ConfigDetail, ConfigRow
from ..domain.query import IncidentQuery, LinkClause, LinkField, Window
from ..store.base import Backend, Changes, Page
from ..widgets.catalog_detail import CatalogDetailPane
from ..widgets.catalog_table import CheckTable, ConfigTable
from .list_screen import ListScreen, ListSource

if TYPE_CHECKING:
    from ..app import IncidentApp

_DIRECTIONS = {"health": ("worst first", "best first")}


CatalogRow = TypeVar("CatalogRow", ConfigRow, CheckRow)
CatalogDetail = TypeVar("CatalogDetail", ConfigDetail, CheckDetail)


class CatalogSource(ListSource[CatalogQuery, CatalogRow, CatalogDetail]):
    """What the two views share: the grammar of tui.domain.catalog, sorts, names."""

    kind: ClassVar[CatalogKind]

    def parse(self, text: str) -> CatalogQuery:
        return parse_catalog_filter(self.kind, text)

    def default_sort(self) -> CatalogSort:
        return CatalogSort()

    def describe_sort(self, sort: CatalogSort) -> str:
        ascending, descending = _DIRECTIONS.get(sort.key.value, ("A→Z", "Z→A"))
        return f"{sort.key.value}, {descending if sort.descending else ascending}"

    def name(self, row: CatalogRow) -> str:
        return row.name

    def row_of(self, detail: CatalogDetail) -> CatalogRow:
        raise NotImplementedError

    def detail_id(self, detail: CatalogDetail) -> UUID:
        return self.row_of(detail).id

    def changed(self, changes: Changes) -> frozenset[UUID] | None:
        # An incident's change may change any item's open incidents and the incidents its detail lists.
        return None if changes.everything or changes.incident_ids else changes.catalog_ids


class ConfigSource(CatalogSource[ConfigRow, ConfigDetail]):
    kind = CatalogKind.CONFIGS
    sortable = SORTABLE[CatalogKind.CONFIGS]
    noun = "config items"
    place = "the Configs view"
    placeholder = 'e.g. type:pod health:unhealthy,warning label:team=payments checkout   ("" shows all)'

    def page(self, backend: Backend, query: CatalogQuery, window: Window) -> Page[ConfigRow]:
        return backend.list_configs(query, window)

    def detail(self, backend: Backend, id: UUID) -> ConfigDetail:
        return backend.get_config(id)

    def row_of(self, detail: ConfigDetail) -> ConfigRow:
        return detail.config


class CheckSource(CatalogSource[CheckRow, CheckDetail]):
    kind = CatalogKind.CHECKS
    sortable = SORTABLE[CatalogKind.CHECKS]
    noun = "health checks"
    place = "the Checks view"
    placeholder = 'e.g. status:unhealthy type:http label:team=payments api   ("" shows all)'

    def page(self, backend: Backend, query: CatalogQuery, window: Window) -> Page[CheckRow]:
        return backend.list_checks(query, window)

    def detail(self, backend: Backend, id: UUID) -> CheckDetail:
        return backend.get_check(id)

    def row_of(self, detail: CheckDetail) -> CheckRow:
        return detail.check


class CatalogScreen(ListScreen[CatalogQuery, CatalogRow, CatalogDetail]):
    BINDINGS = bindings(Group.CATALOG)
    link: ClassVar[LinkField]
    view_title: ClassVar[str]
    """The board's filter field naming this view's items (`config:` / `check:`)."""

    def __init__(self, initial_filter: str = "", *, keep_id: UUID | None = None, refresh_seconds: float = 1.0) -> None:
        super().__init__(initial_filter, keep_id=keep_id, refresh_seconds=refresh_seconds)

    def compose_topbar(self) -> ComposeResult:
        yield Label(self.view_title, id="view-title")

    def make_detail_pane(self) -> CatalogDetailPane:
        return CatalogDetailPane(self.source.noun.removesuffix("s"), id="detail")

    def action_show_incidents(self) -> None:
        row = self.table.current
        if row is None:
            self._tell(f"No {self.source.noun} match the filter: nothing to show the incidents of.",
                       severity="warning")
            return
        query = IncidentQuery(links=(LinkClause(self.link, (row.name,)),))
        cast("IncidentApp", self.app).show_board(format_query(query))


class ConfigsScreen(CatalogScreen[ConfigRow, ConfigDetail]):
    view_title = "Configs"
    source = ConfigSource()
    link = LinkField.CONFIG

    def make_table(self) -> ConfigTable:
        return ConfigTable(id="rows")


class ChecksScreen(CatalogScreen[CheckRow, CheckDetail]):
    view_title = "Health checks"
    source = CheckSource()
    link = LinkField.CHECK

    def make_table(self) -> CheckTable:
        return CheckTable(id="rows")
