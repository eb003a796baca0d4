"""`R`: the incident rules, by priority: what each watches, and when it resolves and closes.

Read-only here: rules are YAML kept beside a team's other CRDs (`incidents rules apply`). The
list is loaded in a worker; the selected rule's YAML is shown under it, as text (never markup).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..actions import bindings_of
from ..domain.format import clean, one_line
from ..domain.rules import StoredRule, format_duration, to_yaml
from ..store.base import BackendError

COLUMNS = ("Rule", "Prio", "Checks", "Opens", "Resolves", "Closes")
"""Short enough for 80 columns; "Resolves" and "Closes" are the autoResolve and autoClose timeouts."""


@dataclass
class RulesLoaded(Message):
    rules: list[StoredRule]


@dataclass
class RulesFailed(Message):
    reason: str


def row_of(rule: StoredRule) -> tuple[Text, ...]:
    """One line of the table; a stored rule we cannot read says so instead."""
    problem = rule.problem()
    if problem is not None:
        return (Text(clean(rule.name)), Text("?"), Text("⚠ cannot be used", style="bold"), Text(""), Text(""),
                Text(""))
    spec = rule.document().spec
    watched = ", ".join(selector.name for selector in spec.checks) or "every check"
    opens = spec.template.severity.value + (" · stops" if spec.break_on_match else "")
    return tuple(Text(clean(cell)) for cell in (
        one_line(rule.name, 30), str(spec.priority), one_line(watched, 30), opens,
        f"after {format_duration(spec.auto_resolve.timeout)}" if spec.auto_resolve else "never",
        f"after {format_duration(spec.auto_close.timeout)}" if spec.auto_close else "never"))


def yaml_of(rule: StoredRule) -> Text:
    problem = rule.problem()
    shown = problem if problem is not None else to_yaml([rule.document()])
    return Text(clean(shown, multiline=True))


class RulesScreen(Screen[None]):
    BINDINGS = bindings_of("rules.close", "rules.refresh", "rules.down", "rules.up")

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[StoredRule] = []

    def compose(self) -> ComposeResult:
        yield Static("Incident rules", id="rules-title")
        table: DataTable[Text] = DataTable(id="rules-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static(Text("Loading the rules…"), id="rules-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(RulesLoaded(self.app.backend.list_rules()))  # type: ignore[attr-defined]  # IncidentApp
        except BackendError as error:
            self.post_message(RulesFailed(str(error)))

    @on(RulesLoaded)
    def show(self, message: RulesLoaded) -> None:
        self.rules = message.rules
        table = self.query_one("#rules-table", DataTable)
        table.clear()
        for rule in self.rules:
            table.add_row(*row_of(rule), key=str(rule.id))
        if not self.rules:
            self.query_one("#rules-detail", Static).update(Text(
                "No incident rules yet. Write one as YAML (see the README) and apply it with "
                "`incidents rules apply FILE.yaml`."))
        table.focus()

    @on(RulesFailed)
    def failed(self, message: RulesFailed) -> None:
        self.query_one("#rules-detail", Static).update(Text(clean(message.reason)))

    @on(DataTable.RowHighlighted)
    def detail(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.rules):
            self.query_one("#rules-detail", Static).update(yaml_of(self.rules[event.cursor_row]))

    def action_close_rules(self) -> None:
        self.dismiss()

    def action_refresh_rules(self) -> None:
        self.load()

    def action_rules_cursor(self, step: int) -> None:
        table = self.query_one("#rules-table", DataTable)
        table.move_cursor(row=table.cursor_row + step)
