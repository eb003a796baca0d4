"""The action plan over HTTP: hypotheses and evidence, read as embeds of the incident, written by our
server's /rpc functions (one transaction each, the incident locked), else by plain PostgREST
requests (a conditional PATCH on the hypothesis's `updated_at`, as for incidents).

`PlanApi` is mixed into ApiBackend (tui.store.api.backend).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from ...domain import lifecycle, plan
from ...domain.enums import HypothesisStatus, HypothesisType
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

if TYPE_CHECKING:
    from .http import Http, Params

log = logging.getLogger("incidents.api")

HYPOTHESIS = "id,incident_id,parent_id,type,title,status,created_at,updated_at"
EVIDENCE = "id,hypothesis_id,type,description,config_id,check_id,evidence,definition_of_done,done,created_at"
CONFIG_ITEM = "id,name,type,health,status"
CHECK_ITEM = "id,name,type,status,check_statuses(message,time)"
HYPOTHESES = (f"hypotheses({HYPOTHESIS},evidences({EVIDENCE},config_item:config_id({CONFIG_ITEM}),"
              f"check_item:check_id({CHECK_ITEM})))")
"""The embed of an incident's action plan (get_incident), with the config items and checks its evidence
links to (and each check's last result), so the detail is one request."""
HYPOTHESES_ORDER = [("hypotheses.order", "created_at.asc,id.asc"),
                    ("hypotheses.evidences.order", "created_at.asc,id.asc"),
                    ("hypotheses.evidences.check_item.check_statuses.order", "time.desc"),
                    ("hypotheses.evidences.check_item.check_statuses.limit", "1")]


def read_plan(row: Mapping[str, Any], configs: Iterable[ConfigItem], checks: Iterable[Check]) -> tuple[Hypothesis, ...]:
    """The hypotheses embedded in an incident row, each with its evidence matched to the linked rows.
    One another tool stored in a shape we cannot read is left out (and logged), never the whole plan."""
    by_config = {str(item.id): item for item in configs}
    by_check = {str(item.id): item for item in checks}
    found: list[Hypothesis] = []
    for item in row.get("hypotheses") or ():
        if not isinstance(item, dict):
            continue
        evidences = tuple(_evidence(evidence, by_config, by_check)
                          for evidence in item.get("evidences") or () if isinstance(evidence, dict))
        try:
            found.append(Hypothesis.model_validate({**item, "evidences": evidences}))
        except ValidationError as error:
            log.warning("hypothesis %s left out: %s", item.get("id"), error)
    return tuple(found)


def _evidence(item: dict[str, Any], by_config: Mapping[str, ConfigItem], by_check: Mapping[str, Check]) -> Evidence:
    return Evidence.model_validate({
        **item, "type": item.get("type") or "", "description": item.get("description") or "",
        "config": by_config.get(str(item.get("config_id"))), "check": by_check.get(str(item.get("check_id"))),
        "text": plan.evidence_text(item.get("evidence"))})


class PlanApi:
    """ApiBackend's action-plan writes (see the module docstring)."""

    if TYPE_CHECKING:  # provided by ApiBackend
        _me: Person
        _http: Http

        def _rpc(self, name: str, body: dict[str, Any], select: str = "*") -> dict[str, Any] | None: ...
        def _get(self, table: str, params: Params) -> list[dict[str, Any]]: ...
        def _incident(self, id: UUID) -> Incident: ...

    def add_evidence(self, incident_id: UUID, draft: EvidenceDraft) -> UUID:
        row = self._rpc("evidence_add", {"incident_id": str(incident_id), **draft.model_dump(mode="json")},
                        select="id")
        if row is not None:
            return UUID(str(row["id"]))
        incident = self._editable(incident_id)
        hypothesis_id = draft.hypothesis_id or self._root_id(incident)
        target = ("config_id", draft.config_id) if draft.config_id else ("check_id", draft.check_id)
        if target[1] is not None and self._get("evidences", [("select", "id"), ("hypothesis_id", f"eq.{hypothesis_id}"),
                                                             (target[0], f"eq.{target[1]}")]):
            raise BackendError(f"That {'config item' if draft.config_id else 'health check'} is already linked "
                               f"there on {incident.incident_id}.")
        id = uuid4()
        self._http.write("POST", "/db/evidences", (), {
            "id": str(id), "hypothesis_id": str(hypothesis_id), "config_id": _text(draft.config_id),
            "check_id": _text(draft.check_id), "type": draft.type,
            "description": plan.EVIDENCE_DESCRIPTIONS[draft.type], "evidence": plan.evidence_payload(draft),
            "definition_of_done": draft.definition_of_done, "done": False, "created_by": str(self._me.id)},
            prefer=None)
        return id

    def remove_evidence(self, evidence_id: UUID) -> None:
        if self._rpc("evidence_remove", {"id": str(evidence_id)}, select="id") is not None:
            return
        self._editable(self._incident_of_evidence(evidence_id))
        # Mission Control's trigger names the evidence in its history rows: keep them, drop the reference.
        self._http.write("PATCH", "/db/incident_histories", [("evidence_id", f"eq.{evidence_id}")],
                         {"evidence_id": None}, prefer=None)
        self._http.write("DELETE", "/db/evidences", [("id", f"eq.{evidence_id}")], prefer=None)

    def update_evidence(self, evidence_id: UUID, edit: EvidenceEdit) -> None:
        if self._rpc("evidence_update", {"id": str(evidence_id), **edit.model_dump(mode="json")},
                     select="id") is not None:
            return
        self._editable(self._incident_of_evidence(evidence_id))
        if edit.changes():
            self._http.write("PATCH", "/db/evidences", [("id", f"eq.{evidence_id}")],
                             {**edit.changes(), "updated_at": "now()"}, prefer=None)

    def add_hypothesis(self, incident_id: UUID, draft: HypothesisDraft) -> UUID:
        row = self._rpc("hypothesis_add", {"incident_id": str(incident_id), **draft.model_dump(mode="json")},
                        select="id")
        if row is not None:
            return UUID(str(row["id"]))
        incident = self._editable(incident_id)
        nodes = self._hypotheses(incident.id)
        parent_id = draft.parent_id or self._root_id(incident)
        parent = next((node for node in nodes if node.id == parent_id), None)
        problem = plan.placement_problem(draft.type, parent) if parent or not draft.parent_id else (
            f"That hypothesis is no longer part of {incident.incident_id}.")
        if problem:
            raise BackendError(problem)
        id = uuid4()
        self._http.write("POST", "/db/hypotheses", (), {
            "id": str(id), "incident_id": str(incident.id), "parent_id": str(parent_id), "type": draft.type.value,
            "title": draft.title, "status": draft.status.value, "created_by": str(self._me.id)}, prefer=None)
        return id

    def update_hypothesis(self, hypothesis_id: UUID, edit: HypothesisEdit,
                          expected_updated_at: datetime | None) -> None:
        body = {"id": str(hypothesis_id), "changes": edit.model_dump(mode="json", exclude_none=True),
                "expected_updated_at": expected_updated_at.isoformat() if expected_updated_at else None}
        if self._rpc("hypothesis_update", body, select="id") is not None:
            return
        rows = self._get("hypotheses", [("select", "incident_id"), ("id", f"eq.{hypothesis_id}")])
        if not rows:
            raise NotFound("That hypothesis no longer exists.")
        nodes = self._hypotheses(self._editable(UUID(str(rows[0]["incident_id"]))).id)
        current = next(node for node in nodes if node.id == hypothesis_id)
        changes = {field: value for field, value in edit.changes().items() if getattr(current, field) != value}
        if not changes:
            return
        if "type" in changes or "parent_id" in changes:
            problem = plan.move_problem(nodes, current, changes.get("type", current.type),
                                        changes.get("parent_id", current.parent_id))
            if problem:
                raise BackendError(problem)
        stamp = f"eq.{expected_updated_at.isoformat()}" if expected_updated_at else "is.null"
        stored = {field: value.value if isinstance(value, HypothesisType | HypothesisStatus) else _text(value)
                  for field, value in changes.items()}
        answer = self._http.write("PATCH", "/db/hypotheses",
                                  [("id", f"eq.{hypothesis_id}"), ("updated_at", stamp), ("select", "id")],
                                  {**stored, "updated_at": "now()"})
        if not answer.json():
            raise Conflict(f"“{one_line(current.title, 40)}” was changed by someone else since you loaded it; "
                           "refreshed, try again.")

    # -- the plain PostgREST way ------------------------------------------------------------------

    def _editable(self, incident_id: UUID) -> Incident:
        incident = self._incident(incident_id)
        lifecycle.ensure_editable(incident)
        return incident

    def _hypotheses(self, incident_id: UUID) -> list[Hypothesis]:
        rows = self._get("hypotheses", [("select", HYPOTHESIS), ("incident_id", f"eq.{incident_id}"),
                                        ("order", "created_at.asc,id.asc")])
        return list(read_plan({"hypotheses": rows}, (), ()))

    def _root_id(self, incident: Incident) -> UUID:
        """The root hypothesis; made now for an incident stored without one."""
        root = plan.root_of(self._hypotheses(incident.id))
        if root is not None:
            return root.id
        id = uuid4()
        self._http.write("POST", "/db/hypotheses", (), {
            "id": str(id), "incident_id": str(incident.id), "type": HypothesisType.ROOT.value, "title": incident.title,
            "status": HypothesisStatus.POSSIBLE.value, "created_by": str(self._me.id)}, prefer=None)
        return id

    def _incident_of_evidence(self, evidence_id: UUID) -> UUID:
        rows = self._get("evidences", [("select", "hypothesis:hypothesis_id(incident_id)"),
                                       ("id", f"eq.{evidence_id}")])
        hypothesis = rows[0].get("hypothesis") if rows else None
        if not isinstance(hypothesis, dict):
            raise NotFound("That evidence is no longer on the incident.")
        return UUID(str(hypothesis["incident_id"]))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
