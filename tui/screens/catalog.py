"""The Configs and Checks views: config items and health checks on the shared list view
(tui.screens.list_screen), each with its incidents one key away (`i`: the board filtered by
`config:NAME` / `check:NAME`; esc comes back with the cursor where it was)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast
from uuid import UUID

from textual.app import ComposeResult
from textual.widgets import Label

from ..actions import Group, bindings, bindings_of
from ..domain.catalog import SORTABLE, CatalogKind, CatalogQuery, CatalogSort, parse_catalog_filter
from ..domain.describe import check_url, config_url
from ..domain.grammar import format_query
from ..domain.models import CheckDetail, CheckRow, ConfigDetail, ConfigRow
from ..domain.query import IncidentQuery, LinkClause, LinkField, Window
from ..store.base import Backend, Changes, Page
from ..widgets.catalog_detail import CatalogDetailPane
from ..widgets.catalog_table import CheckTable, ConfigTable
from .command_keys import CommandKeys
from .incident_links import WebLinks
from .list_screen import ListScreen, ListSource

if TYPE_CHECKING:
    from ..app import IncidentApp

_DIRECTIONS = {"health": ("worst first", "best first")}


CatalogRow = TypeVar("CatalogRow", ConfigRow, CheckRow)
CatalogDetail = TypeVar("CatalogDetail", ConfigDetail, CheckDetail)


class CatalogSource(ListSource[CatalogQuery, CatalogRow, CatalogDetail]):
    """One view of the catalog (CONFIGS, CHECKS below): the grammar of tui.domain.catalog, its sorts,
    and the backend calls that fetch its rows and details."""

    def __init__(self, kind: CatalogKind, noun: str, place: str, placeholder: str,
                 page: Callable[[Backend, CatalogQuery, Window], Page[CatalogRow]],
                 detail: Callable[[Backend, UUID], CatalogDetail],
                 row_of: Callable[[CatalogDetail], CatalogRow]) -> None:
        self.kind, self.noun, self.place, self.placeholder = kind, noun, place, placeholder
        self.sortable = SORTABLE[kind]
        self._page: Callable[[Backend, CatalogQuery, Window], Page[CatalogRow]] = page
        self._detail: Callable[[Backend, UUID], CatalogDetail] = detail
        self._row_of: Callable[[CatalogDetail], CatalogRow] = row_of

    def parse(self, text: str) -> CatalogQuery:
        return parse_catalog_filter(self.kind, text)

    def default_sort(self) -> CatalogSort:
        return CatalogSort()

    def describe_sort(self, sort: CatalogSort) -> str:
        ascending, descending = _DIRECTIONS.get(sort.key.value, ("A→Z", "Z→A"))
        return f"{sort.key.value}, {descending if sort.descending else ascending}"

    def page(self, backend: Backend, query: CatalogQuery, window: Window) -> Page[CatalogRow]:
        return self._page(backend, query, window)

    def detail(self, backend: Backend, id: UUID) -> CatalogDetail:
        return self._detail(backend, id)

    def row_of(self, detail: CatalogDetail) -> CatalogRow:
        return self._row_of(detail)

    def detail_id(self, detail: CatalogDetail) -> UUID:
        return self.row_of(detail).id

    def name(self, row: CatalogRow) -> str:
        return row.name

    def changed(self, changes: Changes) -> frozenset[UUID] | None:
        # An incident's change may change any item's open incidents and the incidents its detail lists.
        return None if changes.everything or changes.incident_ids else changes.catalog_ids


CONFIGS = CatalogSource[ConfigRow, ConfigDetail](
    CatalogKind.CONFIGS, "config items", "the Configs view",
    'e.g. type:pod health:unhealthy,warning label:team=payments checkout   ("" shows all)',
    page=lambda backend, query, window: backend.list_configs(query, window),
    detail=lambda backend, id: backend.get_config(id), row_of=lambda detail: detail.config)

CHECKS = CatalogSource[CheckRow, CheckDetail](
    CatalogKind.CHECKS, "health checks", "the Checks view",
    'e.g. status:unhealthy type:http label:team=payments api   ("" shows all)',
    page=lambda backend, query, window: backend.list_checks(query, window),
    detail=lambda backend, id: backend.get_check(id), row_of=lambda detail: detail.check)


class CatalogScreen(CommandKeys, WebLinks, ListScreen[CatalogQuery, CatalogRow, CatalogDetail]):
    BINDINGS = [*bindings(Group.CATALOG), *bindings_of("board.command")]
    link: ClassVar[LinkField]
    """The board's filter field naming this view's items (`config:` / `check:`)."""
    view_title: ClassVar[str]

    def __init__(self, initial_filter: str = "", *, keep_id: UUID | None = None, refresh_seconds: float = 1.0) -> None:
        super().__init__(initial_filter, keep_id=keep_id, refresh_seconds=refresh_seconds)

    def compose_topbar(self) -> ComposeResult:
        yield Label(self.view_title, id="view-title")

    def make_detail_pane(self) -> CatalogDetailPane:
        return CatalogDetailPane(self.source.noun.removesuffix("s"), id="detail")

    def compose_bottom(self) -> ComposeResult:
        yield self.make_command_line()

    @property
    def accepting_keys(self) -> bool:
        return super().accepting_keys and not self.resolving

    def action_back(self) -> None:
        if not self.close_command_line():
            super().action_back()

    def _current(self) -> CatalogRow | None:
        row = self.table.current
        if row is None:
            self._tell(f"No {self.source.noun} match the filter.", severity="warning")
        return row

    def action_copy_name(self) -> None:
        if (row := self._current()) is not None:
            self.copy(row.name)

    def _page_link(self) -> str | None:
        row = self._current()
        frontend = self.frontend() if row is not None else None
        return None if row is None or frontend is None else self.page_of(frontend, row.id)

    def page_of(self, frontend: str, id: UUID) -> str:
        """The item's page in Mission Control's web UI."""
        raise NotImplementedError

    def action_copy_link(self) -> None:
        if (url := self._page_link()) is not None:
            self.copy(url)

    def action_open_in_browser(self) -> None:
        if (url := self._page_link()) is not None:
            self.open_page(url)

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
    source = CONFIGS
    link = LinkField.CONFIG

    def page_of(self, frontend: str, id: UUID) -> str:
        return config_url(frontend, id)

    def make_table(self) -> ConfigTable:
        return ConfigTable(id="rows")


class ChecksScreen(CatalogScreen[CheckRow, CheckDetail]):
    view_title = "Health checks"
    source = CHECKS
    link = LinkField.CHECK

    def page_of(self, frontend: str, id: UUID) -> str:
        return check_url(frontend, id)

    def make_table(self) -> CheckTable:
        return CheckTable(id="rows")
