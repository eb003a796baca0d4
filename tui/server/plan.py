"""The action plan's /rpc functions: each one transaction through the SQL backend's Writer, so the
locking, the placement rules and the history rows are the SQL backend's own (tui.store.sql.plan).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from ..domain.models import EvidenceDraft, EvidenceEdit, HypothesisDraft, HypothesisEdit
from ..store.base import NotFound
from ..store.sql import Writer
from ..store.sql.schema import evidences
from .errors import ApiError
from .writes import _instant, _parse


class _Target(BaseModel):
    id: UUID


class _HypothesisUpdate(BaseModel):
    id: UUID
    changes: dict[str, Any]
    expected_updated_at: datetime | None = None


def _incident_id(body: dict[str, Any]) -> tuple[UUID, dict[str, Any]]:
    """The `incident_id` argument, and the rest of the arguments (the draft)."""
    rest = dict(body)
    try:
        return UUID(str(rest.pop("incident_id"))), rest
    except (KeyError, ValueError):
        raise ApiError(400, "PGRST102", "incident_id: a UUID is required") from None


def _evidence_add(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    incident_id, rest = _incident_id(body)
    return "evidences", writer.add_evidence(incident_id, _parse(EvidenceDraft, rest))


def _evidence_remove(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    """Answers the hypothesis the evidence was under (the evidence itself is gone)."""
    args = _parse(_Target, body)
    hypothesis_id = writer.conn.execute(evidences.select().with_only_columns(evidences.c.hypothesis_id)
                                        .where(evidences.c.id == args.id)).scalar()
    if hypothesis_id is None:
        raise NotFound("That evidence is no longer on the incident.")
    writer.remove_evidence(args.id)
    return "hypotheses", hypothesis_id


def _evidence_update(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Target, {"id": body.get("id")})
    edit = _parse(EvidenceEdit, {key: value for key, value in body.items() if key != "id"})
    return "evidences", writer.update_evidence(args.id, edit)


def _hypothesis_add(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    incident_id, rest = _incident_id(body)
    return "hypotheses", writer.add_hypothesis(incident_id, _parse(HypothesisDraft, rest))


def _hypothesis_update(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_HypothesisUpdate, body)
    expected = _instant(args.expected_updated_at) if args.expected_updated_at else None
    return "hypotheses", writer.update_hypothesis(args.id, _parse(HypothesisEdit, args.changes), expected)


FUNCTIONS: dict[str, Callable[[Writer, dict[str, Any]], tuple[str, Any]]] = {
    "evidence_add": _evidence_add,
    "evidence_remove": _evidence_remove,
    "evidence_update": _evidence_update,
    "hypothesis_add": _hypothesis_add,
    "hypothesis_update": _hypothesis_update,
}
"""Name -> the write, answering (table, id) of the row to send back (tui.server.writes.FUNCTIONS's kind)."""
