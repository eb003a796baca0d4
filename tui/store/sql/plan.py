"""The action plan on the SQL backend: hypotheses and their evidence, as Mission Control stores them.

A config item or health check is linked to an incident as evidence on its root hypothesis (NOTES
§1.5); factors and solutions hang under the root by `parent_id`. Every write here locks the
incident first, as responder changes do (`Writer.lock`): writers to one incident take turns, a
closed incident refuses them, and a duplicate link cannot slip in between a check and an insert.
Each change writes a history row naming the hypothesis and evidence it is about.

`PlanWrites` is mixed into `Writer`, `PlanBackend` into `SqlBackend` (tui.store.sql.backend).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid4

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy import delete as sql_delete

from ...domain import lifecycle, plan
from ...domain.enums import HypothesisStatus, HypothesisType, label
from ...domain.format import one_line
from ...domain.models import (
    Check,
    ConfigItem,
    Evidence,
    EvidenceDraft,
    EvidenceEdit,
    Hypothesis,
    HypothesisDraft,
    HypothesisEdit,
    Incident,
    Person,
)
from ..base import BackendError, Conflict, NotFound
from .schema import checks, config_items, evidences, hypotheses, incident_histories

if TYPE_CHECKING:
    from .backend import Writer
    from .database import SqlDatabase

T = TypeVar("T")
_TICK = timedelta(microseconds=1)


# -- reading ------------------------------------------------------------------------------------

def read_plan(conn: Connection, database: SqlDatabase, incident_id: UUID,
              configs: Iterable[ConfigItem], checks_: Iterable[Check]) -> tuple[Hypothesis, ...]:
    """The incident's hypotheses, oldest first, each with its evidence; `configs` and `checks_` are the
    linked rows (read already for the detail), matched to the evidence that links them."""
    by_config = {item.id: item for item in configs}
    by_check = {item.id: item for item in checks_}
    found: dict[UUID, list[Evidence]] = {}
    for row in conn.execute(_evidence_query(database).where(hypotheses.c.incident_id == incident_id)):
        found.setdefault(row.hypothesis_id, []).append(_evidence(row, by_config, by_check))
    rows = conn.execute(select(hypotheses.c.id, hypotheses.c.parent_id, hypotheses.c.type, hypotheses.c.title,
                               hypotheses.c.status, hypotheses.c.created_at, hypotheses.c.updated_at)
                        .where(hypotheses.c.incident_id == incident_id)
                        .order_by(hypotheses.c.created_at, hypotheses.c.id))
    return tuple(Hypothesis.model_validate({**row._mapping, "evidences": tuple(found.get(row.id, ()))})
                 for row in rows)


def _evidence_query(database: SqlDatabase) -> Any:
    return (select(evidences.c.id, evidences.c.hypothesis_id, evidences.c.type, evidences.c.description,
                   evidences.c.config_id, evidences.c.check_id, evidences.c.evidence, evidences.c.created_at,
                   database.column(evidences, "definition_of_done").label("definition_of_done"),
                   database.column(evidences, "done").label("done"), hypotheses.c.incident_id)
            .select_from(evidences.join(hypotheses, hypotheses.c.id == evidences.c.hypothesis_id))
            .order_by(evidences.c.created_at, evidences.c.id))


def _evidence(row: Row[Any], by_config: Mapping[UUID, ConfigItem], by_check: Mapping[UUID, Check]) -> Evidence:
    return Evidence.model_validate({
        **row._mapping, "type": row.type or "", "description": row.description or "",
        "config": by_config.get(row.config_id), "check": by_check.get(row.check_id),
        "text": plan.evidence_text(row.evidence)})


def evidence_values(draft: EvidenceDraft, hypothesis_id: UUID, actor: Person, now: datetime,
                    id: UUID | None = None) -> dict[str, Any]:
    """An evidences row for `draft` (`done` false, not NULL: Mission Control's trigger compares with !=)."""
    return {"id": id or uuid4(), "hypothesis_id": hypothesis_id, "config_id": draft.config_id,
            "check_id": draft.check_id, "type": draft.type, "description": plan.EVIDENCE_DESCRIPTIONS[draft.type],
            "evidence": plan.evidence_payload(draft), "definition_of_done": draft.definition_of_done, "done": False,
            "created_by": actor.id, "created_at": now, "updated_at": now}


def root_values(incident_id: UUID, title: str, actor: Person, now: datetime) -> dict[str, Any]:
    """The root hypothesis of an incident, as Mission Control's UI makes it with the incident."""
    return {"id": uuid4(), "created_by": actor.id, "incident_id": incident_id, "type": HypothesisType.ROOT.value,
            "title": title, "status": HypothesisStatus.POSSIBLE.value, "created_at": now, "updated_at": now}


# -- writing ------------------------------------------------------------------------------------

class PlanWrites:
    """Writer's action-plan writes (see the module docstring)."""

    if TYPE_CHECKING:  # provided by Writer
        database: SqlDatabase
        conn: Connection
        actor: Person

        def lock(self, id: UUID) -> Incident: ...
        def now(self) -> datetime: ...
        def _record(self, incident_id: UUID, now: datetime, type: str, description: str,
                    **about: UUID | None) -> None: ...

    def add_evidence(self, incident_id: UUID, draft: EvidenceDraft, *, id: UUID | None = None) -> UUID:
        """Evidence under `draft.hypothesis_id`, or linked on the root (made if the incident has none)."""
        incident = self._editable(incident_id)
        hypothesis = (self._hypothesis(incident, draft.hypothesis_id) if draft.hypothesis_id
                      else self._root(incident))
        name = self._target_name(draft)
        self._refuse_duplicate(incident, hypothesis, draft, name)
        values = evidence_values(draft, hypothesis.id, self.actor, self.now(), id)
        self.conn.execute(insert(evidences).values(values))
        done = " (definition of done)" if draft.definition_of_done else ""
        self._record(incident.id, self.now(), plan.HISTORY_EVIDENCE_CREATED, f"{name}{done}",
                     hypothesis_id=hypothesis.id, evidence_id=values["id"])
        return UUID(str(values["id"]))

    def remove_evidence(self, evidence_id: UUID) -> None:
        """Unlink: the evidence row goes (Mission Control deletes it too); the timeline keeps a row."""
        row, incident = self._evidence_row(evidence_id)
        # Earlier history rows name the evidence (Mission Control's trigger sets evidence_id): keep the
        # rows, drop the reference, or the foreign key would refuse the delete.
        self.conn.execute(update(incident_histories).where(incident_histories.c.evidence_id == evidence_id)
                          .values(evidence_id=None))
        self.conn.execute(sql_delete(evidences).where(evidences.c.id == evidence_id))
        self._record(incident.id, self.now(), plan.HISTORY_EVIDENCE_REMOVED, self._row_name(row),
                     hypothesis_id=row.hypothesis_id)

    def update_evidence(self, evidence_id: UUID, edit: EvidenceEdit) -> UUID:
        """Marks evidence part of the definition of done (or not), and done (or not)."""
        row, incident = self._evidence_row(evidence_id)
        changes = {field: value for field, value in edit.changes().items() if bool(row._mapping[field]) != value}
        if not changes:
            return evidence_id
        now = self.now()
        self.conn.execute(update(evidences).where(evidences.c.id == evidence_id).values(**changes, updated_at=now))
        name = self._row_name(row)
        if "definition_of_done" in changes:
            kind = plan.HISTORY_DOD_ADDED if changes["definition_of_done"] else plan.HISTORY_DOD_REMOVED
            self._record(incident.id, now, kind, name, hypothesis_id=row.hypothesis_id, evidence_id=evidence_id)
        if "done" in changes:
            self._record(incident.id, now, plan.HISTORY_EVIDENCE_DONE,
                         f"{name}: {'done' if changes['done'] else 'not done'}",
                         hypothesis_id=row.hypothesis_id, evidence_id=evidence_id)
        return evidence_id

    def add_hypothesis(self, incident_id: UUID, draft: HypothesisDraft, *, id: UUID | None = None) -> UUID:
        incident = self._editable(incident_id)
        parent = self._hypothesis(incident, draft.parent_id) if draft.parent_id else self._root(incident)
        problem = plan.placement_problem(draft.type, parent)
        if problem:
            raise BackendError(problem)
        now, hypothesis_id = self.now(), id or uuid4()
        self.conn.execute(insert(hypotheses).values(
            id=hypothesis_id, created_by=self.actor.id, incident_id=incident.id, parent_id=parent.id,
            type=draft.type.value, title=draft.title, status=draft.status.value, created_at=now, updated_at=now))
        self._record(incident.id, now, plan.HISTORY_HYPOTHESIS_CREATED,
                     f"{draft.type.value}: {draft.title} ({draft.status.value})", hypothesis_id=hypothesis_id)
        return hypothesis_id

    def update_hypothesis(self, hypothesis_id: UUID, edit: HypothesisEdit,
                          expected_updated_at: datetime | None) -> UUID:
        """Compare-and-set on the hypothesis's `updated_at`: Conflict if it changed since it was read."""
        incident = self._editable(self._incident_of_hypothesis(hypothesis_id))
        current = self._hypothesis(incident, hypothesis_id)
        if current.updated_at != expected_updated_at:
            raise Conflict(f"“{one_line(current.title, 40)}” was changed by someone else since you loaded it; "
                           "refreshed, try again.")
        changes = {field: value for field, value in edit.changes().items() if getattr(current, field) != value}
        if not changes:
            return hypothesis_id
        if "type" in changes or "parent_id" in changes:
            self._check_move(incident, current, changes.get("type", current.type),
                             changes.get("parent_id", current.parent_id))
        now = self.now()
        stamp = max(now, current.updated_at + _TICK) if current.updated_at else now
        stored = {field: value.value if isinstance(value, HypothesisType | HypothesisStatus) else value
                  for field, value in changes.items()}
        self.conn.execute(update(hypotheses).where(hypotheses.c.id == hypothesis_id)
                          .values(**stored, updated_at=stamp))
        if "status" in changes:
            self._record(incident.id, now, plan.HISTORY_HYPOTHESIS_STATUS, stored["status"],
                         hypothesis_id=hypothesis_id)
        rest = {field: value for field, value in changes.items() if field != "status"}
        if rest:
            self._record(incident.id, now, plan.HISTORY_HYPOTHESIS_UPDATED,
                         self._describe_edit(incident, current, rest), hypothesis_id=hypothesis_id)
        return hypothesis_id

    # -- helpers --------------------------------------------------------------------------------

    def _editable(self, incident_id: UUID) -> Incident:
        incident = self.lock(incident_id)
        lifecycle.ensure_editable(incident)
        return incident

    def _hypotheses(self, incident: Incident) -> list[Hypothesis]:
        return list(read_plan(self.conn, self.database, incident.id, (), ()))

    def _hypothesis(self, incident: Incident, hypothesis_id: UUID) -> Hypothesis:
        found = next((h for h in self._hypotheses(incident) if h.id == hypothesis_id), None)
        if found is None:
            raise NotFound(f"That hypothesis is no longer part of {incident.incident_id}.")
        return found

    def _root(self, incident: Incident) -> Hypothesis:
        """The root hypothesis; made now for an incident another tool stored without one."""
        root = plan.root_of(self._hypotheses(incident))
        if root is not None:
            return root
        values = root_values(incident.id, incident.title, self.actor, self.now())
        self.conn.execute(insert(hypotheses).values(values))
        return Hypothesis.model_validate(values)

    def _incident_of_hypothesis(self, hypothesis_id: UUID) -> UUID:
        found: UUID | None = self.conn.execute(select(hypotheses.c.incident_id)
                                               .where(hypotheses.c.id == hypothesis_id)).scalar()
        if found is None:
            raise NotFound("That hypothesis no longer exists.")
        return found

    def _evidence_row(self, evidence_id: UUID) -> tuple[Row[Any], Incident]:
        """The evidence with its incident locked (read again after the lock: another may have removed it)."""
        def find() -> Row[Any] | None:
            row: Row[Any] | None = self.conn.execute(_evidence_query(self.database)
                                                     .where(evidences.c.id == evidence_id)).first()
            return row

        first = find()
        if first is None:
            raise NotFound("That evidence is no longer on the incident.")
        incident = self._editable(first.incident_id)
        row = find()
        if row is None:
            raise NotFound("That evidence is no longer on the incident.")
        return row, incident

    def _target_name(self, draft: EvidenceDraft) -> str:
        """How the timeline names new evidence; NotFound for a config item or check that is gone."""
        if draft.config_id is None and draft.check_id is None:
            return f"{draft.type}: {one_line(draft.text, 60)}"
        noun, name = self._linked_name(draft.config_id, draft.check_id)
        if name is None:
            raise NotFound(f"That {noun} no longer exists.")
        return f"{noun} {name}"

    def _row_name(self, row: Row[Any]) -> str:
        if row.config_id is None and row.check_id is None:
            text = plan.evidence_text(row.evidence) or row.description or ""
            return f"{row.type or 'evidence'}: {one_line(text, 60)}"
        noun, name = self._linked_name(row.config_id, row.check_id)
        return f"{noun} {name or row.config_id or row.check_id}"

    def _linked_name(self, config_id: UUID | None, check_id: UUID | None) -> tuple[str, str | None]:
        """(`config item` or `health check`, its name; None if there is no such row)."""
        table, noun = (config_items, "config item") if config_id else (checks, "health check")
        row = self.conn.execute(select(table.c.name).where(table.c.id == (config_id or check_id))).first()
        return noun, None if row is None else str(row.name or config_id or check_id)

    def _refuse_duplicate(self, incident: Incident, hypothesis: Hypothesis, draft: EvidenceDraft, name: str) -> None:
        column = evidences.c.config_id if draft.config_id else evidences.c.check_id if draft.check_id else None
        if column is None:
            return
        same = self.conn.execute(select(evidences.c.id).where(evidences.c.hypothesis_id == hypothesis.id,
                                                              column == (draft.config_id or draft.check_id))).first()
        if same is not None:
            where = (incident.incident_id if hypothesis.type is HypothesisType.ROOT
                     else f"“{one_line(hypothesis.title, 40)}”")
            raise BackendError(f"The {name} is already linked to {where}.")

    def _check_move(self, incident: Incident, current: Hypothesis, kind: HypothesisType | str,
                    parent_id: UUID | None) -> None:
        problem = plan.move_problem(self._hypotheses(incident), current, kind, parent_id)
        if problem:
            raise BackendError(problem)

    def _describe_edit(self, incident: Incident, current: Hypothesis, changes: dict[str, Any]) -> str:
        """`title: DNS cache, type: solution, under: Bad deploy` (the node's own title first)."""
        parts = [f"“{one_line(current.title, 40)}”"]
        for field, value in changes.items():
            if field == "parent_id":
                parent = self._hypothesis(incident, value) if value else None
                parts.append(f"under: {one_line(parent.title, 40) if parent else 'the root'}")
            else:
                parts.append(f"{field}: {label(value)}")
        return ", ".join(parts)


class PlanBackend:
    """SqlBackend's action-plan methods: each one transaction as the person who signed in."""

    if TYPE_CHECKING:  # provided by SqlBackend
        def _act(self, write: Callable[[Writer], T]) -> T: ...

    def add_evidence(self, incident_id: UUID, draft: EvidenceDraft) -> UUID:
        return self._act(lambda writer: writer.add_evidence(incident_id, draft))

    def remove_evidence(self, evidence_id: UUID) -> None:
        self._act(lambda writer: writer.remove_evidence(evidence_id))

    def update_evidence(self, evidence_id: UUID, edit: EvidenceEdit) -> None:
        self._act(lambda writer: writer.update_evidence(evidence_id, edit))

    def add_hypothesis(self, incident_id: UUID, draft: HypothesisDraft) -> UUID:
        return self._act(lambda writer: writer.add_hypothesis(incident_id, draft))

    def update_hypothesis(self, hypothesis_id: UUID, edit: HypothesisEdit,
                          expected_updated_at: datetime | None) -> None:
        self._act(lambda writer: writer.update_hypothesis(hypothesis_id, edit, expected_updated_at))
