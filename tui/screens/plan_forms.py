"""Dialogs of the action plan: links of an incident, a node (add or edit), evidence under a node.

Validation happens in the domain models (HypothesisDraft, HypothesisEdit, EvidenceDraft); the
backend says what the tree does not allow. Either way the dialog stays open with the sentence, and
nothing typed is cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from rich.text import Text
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from ..domain import plan
from ..domain.enums import HypothesisStatus, HypothesisType
from ..domain.format import clean, one_line
from ..domain.models import Check, ConfigItem, Evidence, EvidenceDraft, Hypothesis, HypothesisDraft, HypothesisEdit
from ..widgets.inline_select import InlineSelect
from .dialog import Dialog, R, describe_error
from .incident_form import LinkChooser

Links = tuple[list[EvidenceDraft], list[Evidence]]
"""What a link dialog saves: the links to add, the evidence to remove."""


def _label(text: str) -> Static:
    return Static(text, classes="field-label")


class LinkDialog(Dialog[R]):
    """Link and unlink config items and health checks on an incident: evidence on its root hypothesis.
    Enter in a list links or unlinks the highlighted item; ctrl+s saves every change at once."""

    DEFAULT_CSS = """
    LinkDialog > #dialog { width: 84; }
    """

    def __init__(self, title: str, intro: Text, linked: Mapping[UUID, Evidence],
                 search_configs: Callable[[str], Sequence[ConfigItem]],
                 search_checks: Callable[[str], Sequence[Check]], submit: Callable[[Links], R]) -> None:
        super().__init__(title, hint="type to search · ↑↓ move · enter links/unlinks · ctrl+s save · esc cancel")
        self.intro, self.linked, self.submit_links = intro, linked, submit
        self.search_configs, self.search_checks = search_configs, search_checks

    def compose_dialog(self):
        yield Static(self.intro)
        yield _label("Config items")
        yield LinkChooser("config items", self.search_configs, id="config_ids")
        yield _label("Health checks")
        yield LinkChooser("health checks", self.search_checks, id="check_ids")

    def on_mount(self) -> None:
        self.query_one("#config_ids", LinkChooser).choose([e.config for e in self.linked.values() if e.config])
        self.query_one("#check_ids", LinkChooser).choose([e.check for e in self.linked.values() if e.check])

    def changes(self) -> Links:
        configs = self.query_one("#config_ids", LinkChooser).chosen_ids
        checks = self.query_one("#check_ids", LinkChooser).chosen_ids
        added = [EvidenceDraft(config_id=id) for id in configs if id not in self.linked]
        added += [EvidenceDraft(check_id=id) for id in checks if id not in self.linked]
        removed = [evidence for target, evidence in self.linked.items()
                   if (evidence.config or evidence.check) and target not in (*configs, *checks)]
        return added, removed

    def action_save(self) -> None:
        added, removed = self.changes()
        self.submit(lambda: self.submit_links((added, removed)))


def _choices(values: Sequence[HypothesisType] | Sequence[HypothesisStatus]) -> list[tuple[Text, Any]]:
    return [(Text(value.label), value) for value in values]


class HypothesisForm(Dialog[R]):
    """A new node under `parent`, or an edit of `current` (its parent among `nodes` may change too)."""

    def __init__(self, title: str, submit: Callable[[HypothesisDraft | HypothesisEdit], R], *,
                 parent: Hypothesis | None = None, current: Hypothesis | None = None,
                 nodes: Sequence[Hypothesis] = ()) -> None:
        super().__init__(title, hint="tab next field · enter opens a list · ctrl+s save · esc cancel")
        self.submit_model, self.under, self.current, self.nodes = submit, parent, current, nodes

    @property
    def movable(self) -> bool:
        return self.current is not None and self.current.type is not HypothesisType.ROOT

    def parents(self) -> list[Hypothesis]:
        """Nodes the edited one may go under: not itself, not under itself, not a solution."""
        assert self.current is not None
        below = plan.descendants(self.nodes, self.current.id)
        return [node for node in self.nodes if node.id != self.current.id and node.id not in below
                and node.type is not HypothesisType.SOLUTION]

    def compose_dialog(self):
        current = self.current
        if self.under is not None:
            yield Static(Text.assemble(("under: ", "dim"), clean(one_line(self.under.title, 70))))
        yield _label("Title")
        yield Input(clean(current.title) if current else "", id="title", compact=True, select_on_focus=False,
                    placeholder="what might have caused it, or what would fix it")
        if current is None or self.movable:
            kind = current.type if current and isinstance(current.type, HypothesisType) else HypothesisType.FACTOR
            yield _label("Type")
            yield InlineSelect(_choices([HypothesisType.FACTOR, HypothesisType.SOLUTION]), id="type", compact=True,
                               allow_blank=False, value=kind)
        status = current.status if current and isinstance(current.status, HypothesisStatus) else None
        yield _label("Status")
        yield InlineSelect(_choices(list(HypothesisStatus)), id="status", compact=True,
                           allow_blank=status is None and current is not None,
                           value=status or (Select.NULL if current else HypothesisStatus.POSSIBLE),
                           prompt=f"keep “{clean(str(current.status))}”" if current and status is None else "Select")
        if self.movable and current is not None:
            yield _label("Under")
            yield InlineSelect([(Text(clean(one_line(node.title, 60))), node.id) for node in self.parents()],
                               id="parent_id", compact=True, allow_blank=False, value=current.parent_id)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"title": self.query_one("#title", Input).value}
        for field in ("type", "status", "parent_id"):
            found = self.query(f"#{field}").results(Select)
            select = next(found, None)
            if select is not None and select.value is not Select.NULL:
                values[field] = select.value
        return values

    def model(self) -> HypothesisDraft | HypothesisEdit:
        values = self.values()
        if self.current is None:
            return HypothesisDraft(**values, parent_id=self.under.id if self.under else None)
        return HypothesisEdit(**{field: value for field, value in values.items()
                                 if value != getattr(self.current, field)})

    def action_save(self) -> None:
        try:
            model = self.model()
        except ValidationError as error:
            self.show_error(describe_error(error))
            return
        self.submit(lambda: self.submit_model(model))


class EvidenceForm(Dialog[R]):
    """Evidence under one node: any config items and health checks chosen, and a note (or log lines)."""

    DEFAULT_CSS = """
    EvidenceForm > #dialog { width: 84; }
    EvidenceForm #text { height: 3; }
    """

    def __init__(self, hypothesis: Hypothesis, search_configs: Callable[[str], Sequence[ConfigItem]],
                 search_checks: Callable[[str], Sequence[Check]], submit: Callable[[list[EvidenceDraft]], R]) -> None:
        super().__init__("Add evidence", hint="tab next field · enter links/unlinks · ctrl+s save · esc cancel")
        self.hypothesis, self.submit_drafts = hypothesis, submit
        self.search_configs, self.search_checks = search_configs, search_checks

    def compose_dialog(self):
        yield Static(Text.assemble(("under: ", "dim"), clean(one_line(self.hypothesis.title, 70))))
        yield _label("Config items")
        yield LinkChooser("config items", self.search_configs, id="config_ids")
        yield _label("Health checks")
        yield LinkChooser("health checks", self.search_checks, id="check_ids")
        yield _label("Note")
        yield TextArea("", id="text", compact=True)
        yield Checkbox("the note is log lines", id="log", compact=True)
        yield Checkbox("part of the definition of done", id="definition_of_done", compact=True)

    def evidence_drafts(self) -> list[EvidenceDraft]:
        common = {"hypothesis_id": self.hypothesis.id,
                  "definition_of_done": self.query_one("#definition_of_done", Checkbox).value}
        drafts = [EvidenceDraft(config_id=id, **common) for id in self.query_one("#config_ids", LinkChooser).chosen_ids]
        drafts += [EvidenceDraft(check_id=id, **common) for id in self.query_one("#check_ids", LinkChooser).chosen_ids]
        text = self.query_one("#text", TextArea).text
        if text.strip():
            drafts.append(EvidenceDraft(text=text, log=self.query_one("#log", Checkbox).value, **common))
        return drafts

    def action_save(self) -> None:
        drafts = self.evidence_drafts()
        if not drafts:
            self.show_error("Choose a config item or a health check, or write a note.")
            return
        self.submit(lambda: self.submit_drafts(drafts))
