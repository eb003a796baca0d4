"""The action plan: the hypothesis tree, what may go under what, and whether the definition of done holds.

Mission Control's tree (NOTES §4): the root is the incident itself (made with it), factors are what
contributed, solutions what fixes them. Evidence under a node is a config item, a health check or
some text; evidence marked `definition_of_done` must hold before the incident is done: its check
healthy, its config item healthy, its text marked done by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from .enums import Health, HypothesisType
from .format import one_line
from .models import Evidence, EvidenceDraft, Hypothesis, IncidentDetail

HISTORY_HYPOTHESIS_CREATED = "hypothesis.created"
HISTORY_HYPOTHESIS_STATUS = "hypothesis.status_updated"
HISTORY_HYPOTHESIS_UPDATED = "hypothesis.updated"
HISTORY_EVIDENCE_CREATED = "evidence.created"
HISTORY_EVIDENCE_REMOVED = "evidence.removed"
HISTORY_DOD_ADDED = "evidence.done_definition_added"
HISTORY_DOD_REMOVED = "evidence.done_definition_removed"
HISTORY_EVIDENCE_DONE = "evidence.done_updated"
"""The status and DoD types are Mission Control's trigger types (NOTES §1.6); the others are ours."""

CHILDREN: dict[HypothesisType, tuple[HypothesisType, ...]] = {
    HypothesisType.ROOT: (HypothesisType.FACTOR, HypothesisType.SOLUTION),
    HypothesisType.FACTOR: (HypothesisType.FACTOR, HypothesisType.SOLUTION),
    HypothesisType.SOLUTION: (),
}
"""What may go under each kind of node: nothing goes under a solution (Mission Control's UI offers no
"Add" there); a factor may have factors of its own."""


def placement_problem(kind: HypothesisType, parent: Hypothesis | None) -> str | None:
    """Why a node of `kind` may not go under `parent` (None: the top), or None if it may."""
    if kind is HypothesisType.ROOT:
        return "An incident has one root hypothesis, made with it: add factors and solutions under it."
    if parent is None:
        return f"A {kind.value} goes under the root or a factor."
    parent_kind = parent.type if isinstance(parent.type, HypothesisType) else HypothesisType.FACTOR
    if kind not in CHILDREN[parent_kind]:
        return f"Nothing goes under a solution (“{one_line(parent.title, 40)}”): put the {kind.value} under a factor."
    return None


def move_problem(nodes: Sequence[Hypothesis], current: Hypothesis, kind: HypothesisType | str,
                 parent_id: UUID | None) -> str | None:
    """Why `current` may not become a `kind` under `parent_id` (None: the root), or None if it may."""
    if current.type is HypothesisType.ROOT:
        return "The root hypothesis stays the root: change its title or status."
    name = f"“{one_line(current.title, 40)}”"
    if parent_id == current.id or parent_id in descendants(nodes, current.id):
        return f"{name} cannot go under itself or what is under it."
    parent = next((node for node in nodes if node.id == parent_id), None) if parent_id else root_of(nodes)
    if parent_id and parent is None:
        return "The node to put it under is no longer part of the incident."
    problem = placement_problem(kind if isinstance(kind, HypothesisType) else HypothesisType.FACTOR, parent)
    if problem:
        return problem
    below = [node for node in nodes if node.parent_id == current.id]
    if below and kind is HypothesisType.SOLUTION:
        return f"{name} has {len(below)} node(s) under it, and nothing goes under a solution: move them first."
    return None


def root_of(hypotheses: Iterable[Hypothesis]) -> Hypothesis | None:
    """The incident's root hypothesis (the oldest, should another tool have made two)."""
    roots = [h for h in hypotheses if h.type is HypothesisType.ROOT]
    return min(roots, key=_age_key) if roots else None


def descendants(hypotheses: Iterable[Hypothesis], id: UUID) -> set[UUID]:
    """Ids of every node under `id` (a node may not be moved under one of these)."""
    children: dict[UUID | None, list[UUID]] = {}
    for hypothesis in hypotheses:
        children.setdefault(hypothesis.parent_id, []).append(hypothesis.id)
    found: set[UUID] = set()
    waiting = list(children.get(id, ()))
    while waiting:
        child = waiting.pop()
        if child not in found:
            found.add(child)
            waiting += children.get(child, ())
    return found


@dataclass(frozen=True)
class Node:
    hypothesis: Hypothesis
    children: tuple[Node, ...] = ()


def tree(hypotheses: Sequence[Hypothesis]) -> tuple[Node, ...]:
    """The nodes under no (known) parent, each with its children (factors, then solutions, oldest first);
    the root first.
    A parent that is missing, or a loop another tool stored, puts the node at the top: never lost."""
    known = {h.id for h in hypotheses}
    children: dict[UUID | None, list[Hypothesis]] = {}
    for hypothesis in hypotheses:
        parent = hypothesis.parent_id if hypothesis.parent_id in known else None
        children.setdefault(parent, []).append(hypothesis)
    placed: set[UUID] = set()

    def build(hypothesis: Hypothesis) -> Node:
        placed.add(hypothesis.id)
        below = [child for child in sorted(children.get(hypothesis.id, ()), key=_child_key) if child.id not in placed]
        return Node(hypothesis, tuple(build(child) for child in below))

    top = [build(h) for h in sorted(children.get(None, ()), key=_top_key)]
    for hypothesis in sorted(hypotheses, key=_age_key):  # only nodes in a loop are left
        if hypothesis.id not in placed:
            top.append(build(hypothesis))
    return tuple(top)


def _age_key(hypothesis: Hypothesis) -> tuple[str, str]:
    return (hypothesis.created_at.isoformat() if hypothesis.created_at else "", str(hypothesis.id))


def _child_key(hypothesis: Hypothesis) -> tuple[bool, tuple[str, str]]:
    """Factors (what caused it) before solutions (what fixes it), each oldest first."""
    return (hypothesis.type is HypothesisType.SOLUTION, _age_key(hypothesis))


def _top_key(hypothesis: Hypothesis) -> tuple[bool, tuple[str, str]]:
    return (hypothesis.type is not HypothesisType.ROOT, _age_key(hypothesis))


def root_links(detail: IncidentDetail) -> dict[UUID, Evidence]:
    """The configs and checks linked on the root hypothesis, by the id of what is linked."""
    root = root_of(detail.hypotheses)
    links: dict[UUID, Evidence] = {}
    for evidence in root.evidences if root else ():
        target = evidence.config_id or evidence.check_id
        if target is not None:
            links.setdefault(target, evidence)
    return links


# -- evidence as Mission Control stores it ----------------------------------------------------------

EVIDENCE_DESCRIPTIONS = {"config": "Config item", "check": "Health check", "comment": "Comment", "log": "Log lines"}


def evidence_text(payload: object) -> str:
    """A comment's text or a log's lines from the `evidence` JSON (Mission Control's shapes, NOTES §4)."""
    if not isinstance(payload, dict):
        return ""
    comment = payload.get("comment")
    if isinstance(comment, str):
        return comment
    lines = payload.get("lines")
    if isinstance(lines, list):
        return "\n".join(str(line.get("message", "")) if isinstance(line, dict) else str(line) for line in lines)
    return ""


def evidence_payload(draft: EvidenceDraft) -> dict[str, Any] | None:
    """The `evidence` JSON Mission Control's UI writes for each kind (a config link carries none here)."""
    if draft.check_id is not None:
        return {"check_id": str(draft.check_id)}
    if draft.config_id is not None:
        return None
    text = draft.text.strip()
    if draft.log:
        return {"lines": [{"message": line} for line in text.splitlines()]}
    return {"comment": text}


# -- the definition of done ---------------------------------------------------------------------

_HEALTH_PHRASES = {Health.UNHEALTHY: "is unhealthy", Health.WARNING: "has warnings",
                   Health.UNKNOWN: "has no known health"}


def evidence_name(evidence: Evidence) -> str:
    if evidence.check is not None:
        return evidence.check.name
    if evidence.config is not None:
        return evidence.config.name
    if evidence.check_id or evidence.config_id:
        return f"a {'check' if evidence.check_id else 'config item'} that no longer exists"
    return f"“{one_line(evidence.text or evidence.description, 30)}”"


def why_not_holding(evidence: Evidence) -> str | None:
    """Why a done-evidence does not hold now (a short phrase), or None if it holds."""
    linked = evidence.check or evidence.config
    if linked is not None:
        if linked.health is Health.HEALTHY:
            return None
        return f"{evidence_name(evidence)} {_HEALTH_PHRASES[linked.health]}"
    if evidence.check_id or evidence.config_id:
        return evidence_name(evidence)
    return None if evidence.done else f"{evidence_name(evidence)} is not marked done"


@dataclass(frozen=True)
class DoneState:
    total: int
    holding: int
    failing: tuple[str, ...]
    """Why each one that does not hold does not, in the order of the plan."""

    @property
    def holds(self) -> bool:
        return self.total > 0 and self.holding == self.total

    def sentence(self) -> str:
        """`Definition of done: 2 of 3 hold (checkout-api is unhealthy)`."""
        if not self.total:
            return "Definition of done: nothing marked yet"
        if self.holds:
            return f"Definition of done: holds ({self.holding} of {self.total})"
        return f"Definition of done: {self.holding} of {self.total} hold ({'; '.join(self.failing)})"


def done_evidences(detail: IncidentDetail) -> list[Evidence]:
    """Every evidence marked part of the definition of done, in the order the plan shows them."""
    found: list[Evidence] = []

    def walk(nodes: Iterable[Node]) -> None:
        for node in nodes:
            found.extend(evidence for evidence in node.hypothesis.evidences if evidence.definition_of_done)
            walk(node.children)

    walk(tree(detail.hypotheses))
    return found


def definition_of_done(detail: IncidentDetail) -> DoneState:
    """Whether every done-evidence holds now (checks and config items as they are in the store)."""
    reasons = [why_not_holding(evidence) for evidence in done_evidences(detail)]
    failing = tuple(reason for reason in reasons if reason is not None)
    return DoneState(len(reasons), len(reasons) - len(failing), failing)
