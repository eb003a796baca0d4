"""The Configs and Checks views' detail: one config item or check, its labels, its incidents
(and a check's latest results). Stored text is cleaned and shown as `Text`, never as markup."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..actions import ACTIONS_BY_ID
from ..domain.enums import Health
from ..domain.format import age, clean
from ..domain.models import CheckDetail, CheckResult, ConfigDetail, LinkedIncident
from ..themes import Looks
from .detail import MUTED, health_text, key_for, looks_of, section, value_badge, when
from .key_scrolling import SCROLL_BINDINGS, KeyScrolling


def _title(name: str, health: Health, looks: Looks, *kinds: str | None) -> Text:
    title = Text.assemble((clean(name), "bold"), "  ", health_text(health, looks))
    described = " · ".join(clean(kind) for kind in kinds if kind)
    return Text.assemble(title, "\n", (described, MUTED)) if described else title


def _labels(labels: tuple[tuple[str, str], ...]) -> RenderableType:
    if not labels:
        return Group(section("Labels", 0), Text("none", style=MUTED))
    return Group(section("Labels", len(labels)),
                 *(Text.assemble((f"{clean(key)}=", MUTED), clean(value)) for key, value in labels))


def _incident(incident: LinkedIncident, looks: Looks) -> Text:
    """One line: id, severity, status, title (cut to the pane's width)."""
    return Text.assemble((clean(incident.incident_id), "bold"), " ", value_badge(incident.severity, looks), " ",
                         value_badge(incident.status, looks), " ", clean(incident.title), no_wrap=True,
                         overflow="ellipsis")


def _incidents(incidents: Iterable[LinkedIncident], hint: str, looks: Looks) -> RenderableType:
    listed = list(incidents)
    if not listed:
        return Group(section("Incidents", 0), Text("none linked", style=MUTED))
    return Group(section("Incidents", len(listed)), *(_incident(incident, looks) for incident in listed),
                 Text(hint, style=MUTED))


def _result(result: CheckResult, looks: Looks) -> Text:
    """One line: when, the outcome, the message (cut to the pane's width)."""
    health = {True: Health.HEALTHY, False: Health.UNHEALTHY, None: Health.UNKNOWN}[result.passed]
    moment = f"{result.time:%m-%d %H:%M}" if result.time else "?" * 11
    return Text.assemble((moment, MUTED), " ", health_text(health, looks), " ",
                         clean(result.message or ""), no_wrap=True, overflow="ellipsis")


def _results(results: tuple[CheckResult, ...], looks: Looks) -> RenderableType:
    if not results:
        return Group(section("Latest results", 0), Text("none reported", style=MUTED))
    return Group(section("Latest results", len(results)), *(_result(result, looks) for result in results))


def render_config(detail: ConfigDetail, hint: str, looks: Looks) -> RenderableType:
    config = detail.config
    status = Text.assemble(("Status ", MUTED), clean(config.status or "—"))
    return Group(_title(config.name, config.health, looks, config.type, config.config_class), status,
                 _labels(config.labels), _incidents(detail.incidents, hint, looks))


def render_check(detail: CheckDetail, hint: str, looks: Looks) -> RenderableType:
    check = detail.check
    last_run = Text.assemble(("Last run ", MUTED), when(check.last_run) if check.last_run else Text("never"))
    message = Text.assemble(("Last message ", MUTED), clean(check.last_message or "—"))
    return Group(_title(check.name, check.health, looks, check.type), last_run, message, _labels(check.labels),
                 _results(detail.results, looks), _incidents(detail.incidents, hint, looks))


class CatalogDetailPane(KeyScrolling, VerticalScroll):
    """The detail of the config item or check under the cursor; `show(None)` when there is none."""

    BINDINGS = SCROLL_BINDINGS
    DEFAULT_CSS = """
    CatalogDetailPane { padding: 0 1; }
    CatalogDetailPane > Static { width: 1fr; }
    """

    def __init__(self, noun: str, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.noun = noun
        self.detail: Any = None
        self._last_run: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"No {self.noun} selected", style=MUTED), id="catalog-body")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show_body())  # health colours

    def show(self, detail: ConfigDetail | CheckDetail | None) -> None:
        if detail is not None and detail == self.detail:
            return  # a refresh that changed nothing: keep the scroll position
        moved = detail is None or self.detail is None or _id(detail) != _id(self.detail)
        self.detail = detail
        self._show_body()
        if moved:
            self.scroll_home(animate=False)

    def prepare(self, detail: ConfigDetail | CheckDetail) -> None:
        """Nothing made ahead: a config item's or check's detail is short."""

    def show_unreadable(self, row: object) -> None:
        """Config items and checks are always readable (see ListSource.readable)."""

    def tick(self) -> None:
        """A check's last run reads "(3m ago)": redrawn when that changes."""
        if isinstance(self.detail, CheckDetail) and self._age() != self._last_run:
            self._show_body()

    def _age(self) -> str | None:
        check = self.detail.check if isinstance(self.detail, CheckDetail) else None
        return age(check.last_run) if check is not None and check.last_run else None

    def _show_body(self) -> None:
        hint = f"{key_for(self, ACTIONS_BY_ID['catalog.incidents'])}: show them on the board"
        detail = self.detail
        if detail is None:
            body: RenderableType = Text(f"No {self.noun} selected", style=MUTED)
        elif isinstance(detail, CheckDetail):
            body = render_check(detail, hint, looks_of(self))
        else:
            body = render_config(detail, hint, looks_of(self))
        self._last_run = self._age()
        self.query_one("#catalog-body", Static).update(body)


def _id(detail: ConfigDetail | CheckDetail) -> object:
    return detail.check.id if isinstance(detail, CheckDetail) else detail.config.id
