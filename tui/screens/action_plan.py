"""`h`: one incident's action plan, to work on: the hypothesis tree with the evidence under each node.

Keys act on the highlighted line: add a factor or solution under it, edit it, set its status, add
evidence, make evidence part of the definition of done, mark a note done, remove evidence. Every
write runs in a thread worker (or inside its dialog, which keeps what was typed when it fails);
then the plan is read again and the highlight stays on the same line. Esc goes back to the board,
which shows the plan as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from rich.text import Text
from textual import work
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ..actions import ACTIONS_BY_ID, Group, bindings, bindings_of, configured_keys
from ..domain import plan
from ..domain.enums import HypothesisStatus
from ..domain.format import clean, one_line
from ..domain.models import (
    Evidence,
    EvidenceDraft,
    EvidenceEdit,
    Hypothesis,
    HypothesisDraft,
    HypothesisEdit,
    IncidentDetail,
)
from ..store.base import Backend, Conflict
from ..typeahead import keys_may_flow
from ..widgets.plan_view import done_line, evidence_text, hypothesis_text
from .confirm import ConfirmDialog
from .dialog import describe_error
from .picker import PickerDialog
from .plan_forms import EvidenceForm, HypothesisForm

Line = Hypothesis | Evidence
"""What a line of the tree is about."""


class PlanLoaded(Message):
    def __init__(self, detail: IncidentDetail, told: str | None) -> None:
        super().__init__()
        self.detail, self.told = detail, told


class PlanFailed(Message):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class ActionPlanScreen(ModalScreen[UUID]):
    """Dismissed with the incident's id, for the board to show it as it is now."""

    BINDINGS = [*bindings(Group.PLAN), *bindings_of("app.help")]
    DEFAULT_CSS = """
    ActionPlanScreen { align: center middle; background: $background 60%; }
    ActionPlanScreen > #plan {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-style: bold; background: $surface; padding: 0 1;
    }
    ActionPlanScreen #plan-tree { height: auto; max-height: 30; background: $surface; }
    ActionPlanScreen .plan-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, backend: Backend, detail: IncidentDetail) -> None:
        super().__init__()
        self.backend, self.detail = backend, detail
        self.busy = False
        """A write is on its way: keys typed now wait for its answer (tui.typeahead)."""

    @property
    def accepting_keys(self) -> bool:
        return not self.busy

    def compose(self):
        with Vertical(id="plan") as box:
            box.border_title = f"Action plan of {clean(self.detail.incident.incident_id)}"
            yield Static(Text(clean(one_line(self.detail.incident.title, 90)), style="bold"))
            yield Static(done_line(self.detail), id="plan-done")
            tree: Tree[Line] = Tree(Text("plan"), id="plan-tree")
            tree.show_root = False
            tree.guide_depth = 3
            yield tree
            yield Static(self.key_hint(), classes="plan-hint")

    def key_hint(self) -> Text:
        names = (("plan.add", "add under"), ("plan.edit", "edit"), ("plan.status", "status"),
                 ("plan.evidence", "evidence"), ("plan.definition_of_done", "done-evidence"),
                 ("plan.mark_done", "mark done"), ("plan.remove", "remove"), ("plan.close", "back"))
        return Text(" · ".join(f"{configured_keys(self.app, ACTIONS_BY_ID[id]).split(',')[0]} {name}"
                               for id, name in names))

    def on_mount(self) -> None:
        self.show(self.detail)
        self.query_one(Tree).focus()

    # -- showing the plan ---------------------------------------------------------------------

    def show(self, detail: IncidentDetail) -> None:
        tree: Tree[Line] = self.query_one(Tree)
        kept = self.highlighted()
        self.detail = detail
        self.query_one("#plan-done", Static).update(done_line(detail))
        tree.clear()

        def add(branch: TreeNode[Line], node: plan.Node) -> None:
            lines = hypothesis_text(node.hypothesis)
            if not (node.children or node.hypothesis.evidences):  # nothing to fold: no ▼
                branch.add_leaf(lines, data=node.hypothesis)
                return
            here = branch.add(lines, data=node.hypothesis, expand=True)
            for evidence in node.hypothesis.evidences:
                here.add_leaf(evidence_text(evidence), data=evidence)
            for child in node.children:
                add(here, child)

        for node in plan.tree(detail.hypotheses):
            add(tree.root, node)
        # Every node is expanded, so a line's number is its place in the depth-first order (the
        # tree numbers its lines only when drawn: move_cursor on a fresh tree would go nowhere).
        ids = [line.data.id if line.data is not None else None for line in _lines(tree.root)]
        tree.cursor_line = ids.index(kept.id) if kept is not None and kept.id in ids else 0

    def highlighted(self) -> Line | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None else None

    def hypothesis_here(self) -> Hypothesis | None:
        """The highlighted node, or the node of the highlighted evidence."""
        line = self.highlighted()
        if isinstance(line, Evidence):
            return next((h for h in self.detail.hypotheses if h.id == line.hypothesis_id), None)
        return line

    def evidence_here(self) -> Evidence | None:
        line = self.highlighted()
        if not isinstance(line, Evidence):
            self.notify("Highlight a piece of evidence first (the lines under a node).", severity="warning")
            return None
        return line

    # -- writes ---------------------------------------------------------------------------------

    def reload_after(self, call: Callable[[], str | None]) -> None:
        """Run `call` (a write answering what to tell) off the UI thread, then show the plan again."""
        self.busy = True
        self._write(call)

    @work(thread=True, exit_on_error=False, group="plan-write")
    def _write(self, call: Callable[[], str | None]) -> None:
        try:
            told = call()
            detail = self.backend.get_incident(self.detail.incident.id)
        except Exception as error:  # noqa: BLE001 - becomes a notification, see describe_error
            self.post_message(PlanFailed(error))
        else:
            self.post_message(PlanLoaded(detail, told))

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        self.busy = False
        self.show(message.detail)
        if message.told:
            self.notify(clean(message.told), timeout=3, markup=False)
        keys_may_flow(self)

    def on_plan_failed(self, message: PlanFailed) -> None:
        self.busy = False
        self.notify(describe_error(message.error), severity="error", markup=False)
        keys_may_flow(self)

    def _dialog_done(self, told: str | None) -> None:
        if told is not None:
            self.reload_after(lambda: told)

    # -- actions --------------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        tree = self.query_one(Tree)
        tree.action_cursor_down() if step > 0 else tree.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(self.detail.incident.id)

    def action_add_node(self) -> None:
        parent = self.hypothesis_here()
        incident = self.detail.incident

        def add(draft: HypothesisDraft | HypothesisEdit) -> str:
            assert isinstance(draft, HypothesisDraft)
            self.backend.add_hypothesis(incident.id, draft)
            return f"{draft.type.value.capitalize()} added to {incident.incident_id}"

        self.app.push_screen(HypothesisForm("Add to the plan", add, parent=parent), callback=self._dialog_done)

    def action_edit_node(self) -> None:
        current = self.hypothesis_here()
        if current is None:
            return
        seen = [current]

        def save(edit: HypothesisDraft | HypothesisEdit) -> str:
            assert isinstance(edit, HypothesisEdit)
            if not edit.changes():
                return "Nothing changed"
            self._versioned(seen, lambda at: self.backend.update_hypothesis(current.id, edit, at))
            return f"“{one_line(edit.title or current.title, 40)}” saved"

        self.app.push_screen(HypothesisForm("Edit node", save, current=current, nodes=self.detail.hypotheses),
                             callback=self._dialog_done)

    def _versioned(self, seen: list[Hypothesis], write: Callable[..., None]) -> None:
        """`write(updated_at)`; on a Conflict the next try compares with the version stored now."""
        try:
            write(seen[0].updated_at)
        except Conflict:
            fresh = self.backend.get_incident(self.detail.incident.id).hypotheses
            seen[0] = next((h for h in fresh if h.id == seen[0].id), seen[0])
            raise

    def action_set_status(self) -> None:
        current = self.hypothesis_here()
        if current is None:
            return

        def choose(status: HypothesisStatus) -> str:
            self.backend.update_hypothesis(current.id, HypothesisEdit(status=status), current.updated_at)
            return f"“{one_line(current.title, 40)}” is now {status.value}"

        def describe(status: HypothesisStatus) -> Text:
            text = Text(status.label, style="bold" if status == current.status else "")
            return text.append("  (current)", style="italic") if status == current.status else text

        self.app.push_screen(PickerDialog(f"Status of “{clean(one_line(current.title, 40))}”",
                                          lambda: list(HypothesisStatus), describe, choose,
                                          intro=hypothesis_text(current)), callback=self._dialog_done)

    def action_add_evidence(self) -> None:
        hypothesis = self.hypothesis_here()
        if hypothesis is None:
            return
        incident_id = self.detail.incident.id

        def add(drafts: list[EvidenceDraft]) -> str:
            for draft in list(drafts):
                self.backend.add_evidence(incident_id, draft)
                drafts.remove(draft)  # saving again after a failure adds only what is left
            return f"Evidence added under “{one_line(hypothesis.title, 40)}”"

        self.app.push_screen(EvidenceForm(hypothesis, self.backend.search_configs, self.backend.search_checks, add),
                             callback=self._dialog_done)

    def action_toggle_definition_of_done(self) -> None:
        evidence = self.evidence_here()
        if evidence is None:
            return
        wanted = not evidence.definition_of_done
        told = f"{plan.evidence_name(evidence)} is {'now' if wanted else 'no longer'} part of the definition of done"
        self._update(evidence, EvidenceEdit(definition_of_done=wanted), told)

    def action_toggle_done(self) -> None:
        evidence = self.evidence_here()
        if evidence is None:
            return
        if evidence.check_id or evidence.config_id:
            self.notify("A check or config item holds when it is healthy: only a note is marked done by hand.",
                        severity="warning")
            return
        wanted = not evidence.done
        self._update(evidence, EvidenceEdit(done=wanted),
                     f"{plan.evidence_name(evidence)} marked {'done' if wanted else 'not done'}")

    def _update(self, evidence: Evidence, edit: EvidenceEdit, told: str) -> None:
        def write() -> str:
            self.backend.update_evidence(evidence.id, edit)
            return told

        self.reload_after(write)

    def action_remove_evidence(self) -> None:
        evidence = self.evidence_here()
        if evidence is None:
            return

        def remove(_note: str | None) -> str:
            self.backend.remove_evidence(evidence.id)
            return f"{plan.evidence_name(evidence)} removed"

        self.app.push_screen(ConfirmDialog("Remove evidence?", Text.assemble("Remove ", evidence_text(evidence),
                                                                            " from the plan?"),
                                           remove, confirm_label="remove", with_note=False),
                             callback=self._dialog_done)


def _lines(node: TreeNode[Line]) -> list[TreeNode[Line]]:
    """Every line under `node`, in the order shown."""
    found: list[TreeNode[Line]] = []
    for child in node.children:
        found.append(child)
        found += _lines(child)
    return found
