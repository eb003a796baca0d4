"""Every spelling Mission Control writes (reference NOTES §2.1-2.4) reads as the right value."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tui.domain.enums import (
    Health,
    IncidentType,
    Severity,
    Status,
    label,
    parse_health,
    parse_severity,
    parse_status,
    parse_type,
    rank,
)
from tui.domain.models import Incident, IncidentDraft

S = Severity


@pytest.mark.parametrize(("raw", "expected"), [
    # duty models and the docs
    ("critical", S.CRITICAL), ("high", S.HIGH), ("medium", S.MEDIUM), ("low", S.LOW), ("info", S.INFO),
    ("Critical", S.CRITICAL), ("High", S.HIGH), ("Medium", S.MEDIUM), ("Low", S.LOW), ("Info", S.INFO),
    ("CRITICAL", S.CRITICAL), (" high ", S.HIGH),
    # seed table and duty fixtures: Blocker is the second level
    ("Blocker", S.HIGH), ("blocker", S.HIGH),
    # priorities
    ("P1", S.CRITICAL), ("P2", S.HIGH), ("P3", S.MEDIUM), ("P4", S.LOW), ("p1", S.CRITICAL),
    # rule fixture and UI forms
    ("med", S.MEDIUM), ("warning", S.MEDIUM), ("Warning", S.MEDIUM),
    # legacy integers as IncidentSeverityTag renders them: 4 critical, 3 blocker, 2 high, 1 medium, 0 low
    ("4", S.CRITICAL), ("3", S.HIGH), ("2", S.HIGH), ("1", S.MEDIUM), ("0", S.LOW), (4, S.CRITICAL),
    (S.LOW, S.LOW),
])
def test_severity_spellings(raw, expected):
    assert parse_severity(raw) is expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("open", Status.OPEN), ("mitigated", Status.MITIGATED), ("resolved", Status.RESOLVED),
    ("closed", Status.CLOSED), ("cancelled", Status.CANCELLED), ("canceled", Status.CANCELLED),
    ("investigating", Status.INVESTIGATING), ("new", Status.NEW),
    ("Open", Status.OPEN), ("RESOLVED", Status.RESOLVED), ("Investigating", Status.INVESTIGATING),
])
def test_status_spellings(raw, expected):
    assert parse_status(raw) is expected


@pytest.mark.parametrize("legacy", [Status.INVESTIGATING, Status.NEW])
def test_legacy_statuses_are_active_and_behave_as_open(legacy):
    assert legacy.is_active
    assert legacy.effective is Status.OPEN
    assert not legacy.is_final


def test_active_and_final_statuses():
    assert {s for s in Status if s.is_active} == {Status.OPEN, Status.MITIGATED, Status.INVESTIGATING, Status.NEW}
    assert {s for s in Status if s.is_final} == {Status.CLOSED, Status.CANCELLED}


@pytest.mark.parametrize(("raw", "expected"), [
    ("availability", IncidentType.AVAILABILITY), ("cost", IncidentType.COST),
    ("performance", IncidentType.PERFORMANCE), ("security", IncidentType.SECURITY),
    ("technical_debt", IncidentType.TECHNICAL_DEBT), ("technicalDebt", IncidentType.TECHNICAL_DEBT),
    ("Technical Debt", IncidentType.TECHNICAL_DEBT), ("technical-debt", IncidentType.TECHNICAL_DEBT),
    ("compliance", IncidentType.COMPLIANCE), ("integration", IncidentType.INTEGRATION),
    ("reliability", IncidentType.RELIABILITY), ("Availability", IncidentType.AVAILABILITY),
])
def test_type_spellings(raw, expected):
    assert parse_type(raw) is expected


@pytest.mark.parametrize(("parse", "raw"), [
    (parse_severity, "Urgent"), (parse_severity, "5"), (parse_severity, ""),
    (parse_status, "bogus"), (parse_status, "Triaged"),
    (parse_type, "outage"), (parse_type, "Network"),
])
def test_unknown_values_are_kept_verbatim(parse, raw):
    parsed = parse(raw)
    assert type(parsed) is str and parsed == raw
    assert label(parsed) == raw


@pytest.mark.parametrize(("known", "unknown"), [
    (list(Severity), "Urgent"), (list(Status), "bogus"), (list(IncidentType), "outage"),
])
def test_unknown_values_rank_last(known, unknown):
    ordered = sorted([unknown, *reversed(known)], key=rank)
    assert ordered == [*sorted(known, key=rank), unknown]
    assert ordered[-1] == unknown


def test_severity_ranks_highest_first():
    assert sorted(["Low", "P1", "Info", "blocker", "med"], key=lambda raw: rank(parse_severity(raw))) == \
        ["P1", "blocker", "med", "Low", "Info"]


def test_canonical_written_values():
    assert [s.value for s in Severity] == ["Critical", "High", "Medium", "Low", "Info"]
    assert [s.value for s in Status] == ["open", "mitigated", "resolved", "closed", "cancelled",
                                         "investigating", "new"]
    assert [t.value for t in IncidentType] == ["availability", "cost", "performance", "security",
                                               "technical_debt", "compliance", "integration", "reliability"]


def test_a_draft_written_from_lenient_input_is_canonical():
    draft = IncidentDraft(title="  Disk full  ", severity=parse_severity("p1"), type=parse_type("technicalDebt"))
    written = draft.model_dump(mode="json")
    assert (written["title"], written["severity"], written["type"]) == ("Disk full", "Critical", "technical_debt")


def test_models_read_mission_control_rows_leniently():
    now = datetime(2026, 11, 20, tzinfo=UTC)
    incident = Incident(id=uuid4(), incident_id="INC-1", title="t", severity="Blocker", status="investigating",
                        type="technicalDebt", created_by=uuid4(), created_at=now, updated_at=now)
    assert (incident.severity, incident.status, incident.type) == \
        (Severity.HIGH, Status.INVESTIGATING, IncidentType.TECHNICAL_DEBT)
    odd = Incident.model_validate(incident.model_dump() | {"severity": "Urgent", "status": "x"})
    assert (odd.severity, odd.status) == ("Urgent", "x")


def test_labels():
    assert [label(v) for v in (Severity.CRITICAL, Status.INVESTIGATING, IncidentType.TECHNICAL_DEBT)] == \
        ["Critical", "Investigating", "Technical Debt"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("healthy", Health.HEALTHY), ("Unhealthy", Health.UNHEALTHY), ("warning", Health.WARNING),
    ("passing", Health.HEALTHY), (None, Health.UNKNOWN), ("weird", Health.UNKNOWN),
])
def test_health(raw, expected):
    assert parse_health(raw) is expected
