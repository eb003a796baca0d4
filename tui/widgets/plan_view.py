"""The action plan as the detail pane and the plan screen show it: the hypothesis tree with each
node's status, the evidence under it, and whether the definition of done holds now.

Every word comes with its colour (✓/✗ marks, status words), so it reads the same in monochrome.
Stored text is cleaned and rendered as `Text`, never as markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from ..domain import plan
from ..domain.enums import HypothesisStatus, HypothesisType, label
from ..domain.format import clean, one_line
from ..domain.models import Evidence, Hypothesis, IncidentDetail
from .marks import HEALTH_MARKS, MUTED

STATUS_STYLES: dict[str, str] = {
    HypothesisStatus.PROVEN: "bold green",
    HypothesisStatus.LIKELY: "green",
    HypothesisStatus.POSSIBLE: "yellow",
    HypothesisStatus.UNLIKELY: MUTED,
    HypothesisStatus.IMPROBABLE: MUTED,
    HypothesisStatus.DISPROVEN: "strike dim",
}
KIND_MARKS: dict[str, str] = {HypothesisType.ROOT: "●", HypothesisType.FACTOR: "▲", HypothesisType.SOLUTION: "◆"}
DONE_MARK = "★ done-evidence"


def hypothesis_text(hypothesis: Hypothesis) -> Text:
    """`▲ factor  Bad deploy  likely`."""
    kind = hypothesis.type
    return Text.assemble((f"{KIND_MARKS.get(kind, '?')} {clean(label(kind)).lower()}", "bold"), "  ",
                         clean(one_line(hypothesis.title, 200)) or Text("(no title)", style=MUTED), "  ",
                         (clean(label(hypothesis.status)).lower(), STATUS_STYLES.get(hypothesis.status, "reverse")))


def evidence_text(evidence: Evidence) -> Text:
    """`✓ check checkout-api  ★ done-evidence`; text evidence shows its first line."""
    linked = evidence.check or evidence.config
    if linked is not None:
        mark, style = HEALTH_MARKS[linked.health]
        what = Text.assemble((f"{mark} ", style), (evidence.type or ("check" if evidence.check else "config"), MUTED),
                             " ", clean(linked.name), (f" {linked.health.value}", style))
    elif evidence.check_id or evidence.config_id:
        what = Text.assemble(("? ", MUTED), (clean(plan.evidence_name(evidence)), MUTED))
    else:
        mark, style = ("✓ ", "green") if evidence.done else ("· ", MUTED)
        body = evidence.text or evidence.description
        what = Text.assemble((mark, style), (clean(evidence.type or "note"), MUTED), " ",
                             (f"“{clean(one_line(body, 120))}”", "italic"))
        if evidence.definition_of_done:
            what.append(" done" if evidence.done else " not done yet", style=style)
    if evidence.definition_of_done:
        what.append(f"  {DONE_MARK}", style="bold")
    return what


def done_line(detail: IncidentDetail) -> Text:
    """`Definition of done: 2 of 3 hold (checkout-api is unhealthy)`, coloured by whether it holds."""
    state = plan.definition_of_done(detail)
    style = "bold green" if state.holds else "bold red" if state.total else MUTED
    mark = "✓ " if state.holds else "✗ " if state.total else ""
    return Text.assemble((mark + clean(state.sentence()), style))  # a span: a Static keeps it


def plan_tree(detail: IncidentDetail) -> Tree:
    """The whole tree under one invisible top (several nodes may sit at the top: see plan.tree)."""
    top = Tree(Text(""), hide_root=True, guide_style=MUTED)

    def add(branch: Tree, node: plan.Node) -> None:
        here = branch.add(hypothesis_text(node.hypothesis))
        for evidence in node.hypothesis.evidences:
            here.add(evidence_text(evidence))
        for child in node.children:
            add(here, child)

    for node in plan.tree(detail.hypotheses):
        add(top, node)
    return top


def action_plan(detail: IncidentDetail, heading: Text, hint: Text) -> RenderableType:
    """The detail pane's section: its heading, the definition-of-done line, the tree and the keys."""
    if not detail.hypotheses:
        return Group(heading, done_line(detail), Text("no hypotheses yet", style=MUTED), hint)
    return Group(heading, done_line(detail), plan_tree(detail), hint)
