"""Pydantic models of the incident domain, named after Mission Control's tables.

Enum-valued fields are parsed leniently: a known spelling becomes the enum, anything else
is kept verbatim as a string (shown as stored, sorted last, never rewritten).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from .enums import (
    Health,
    HypothesisStatus,
    HypothesisType,
    IncidentType,
    Severity,
    Status,
    parse_health,
    parse_hypothesis_status,
    parse_hypothesis_type,
    parse_severity,
    parse_status,
    parse_type,
)
from .format import one_line

LenientSeverity = Annotated[Severity | str, BeforeValidator(parse_severity)]
LenientStatus = Annotated[Status | str, BeforeValidator(parse_status)]
LenientType = Annotated[IncidentType | str, BeforeValidator(parse_type)]
LenientHealth = Annotated[Health, BeforeValidator(parse_health)]
LenientHypothesisType = Annotated[HypothesisType | str, BeforeValidator(parse_hypothesis_type)]
LenientHypothesisStatus = Annotated[HypothesisStatus | str, BeforeValidator(parse_hypothesis_status)]
Flag = Annotated[bool, BeforeValidator(lambda v: v is True or (isinstance(v, int) and v == 1))]
"""A boolean column another tool may have left NULL (or filled oddly): anything but true reads as false."""

SYSTEM_PERSON_NAME = "System"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Person(Model):
    id: UUID
    name: str
    email: str | None = None
    avatar: str | None = None

    @property
    def is_system(self) -> bool:
        """Mission Control's machine actor: the person named System with no email."""
        return self.name == SYSTEM_PERSON_NAME and not self.email

    @property
    def display(self) -> str:
        return "System (automatic)" if self.is_system else self.name


class Team(Model):
    id: UUID
    name: str
    icon: str | None = None


class ConfigItem(Model):
    id: UUID
    name: str
    type: str | None = None
    health: LenientHealth = Health.UNKNOWN
    status: str | None = None


class Check(Model):
    id: UUID
    name: str
    type: str | None = None
    health: LenientHealth = Health.UNKNOWN
    """Current health: from `checks.status` (healthy / unhealthy)."""
    last_message: str | None = None


def _labels(raw: object) -> object:
    """Labels as stored (a JSON object) as sorted pairs of text; pairs as given; anything else as none."""
    if isinstance(raw, Mapping):
        return tuple(sorted((str(key), "" if value is None else str(value)) for key, value in raw.items()))
    return raw if isinstance(raw, tuple) else ()


def _time_or_none(raw: object) -> object:
    """A stored time another tool wrote unreadably (text that is no time) reads as unknown."""
    return None if isinstance(raw, str) and not _is_time(raw) else raw


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


Labels = Annotated[tuple[tuple[str, str], ...], BeforeValidator(_labels)]
OptionalName = Annotated[str, BeforeValidator(lambda raw: "" if raw is None else raw)]


class ConfigRow(Model):
    """One line of the Configs view."""

    id: UUID
    name: OptionalName
    type: str | None = None
    config_class: str | None = None
    health: LenientHealth = Health.UNKNOWN
    status: str | None = None
    labels: Labels = ()
    open_incidents: int = 0
    """Active incidents linked to it through evidence."""


class CheckRow(Model):
    """One line of the Checks view."""

    id: UUID
    name: str
    type: str | None = None
    health: LenientHealth = Health.UNKNOWN
    """From `checks.status` (healthy / unhealthy)."""
    last_run: Annotated[datetime | None, BeforeValidator(_time_or_none)] = None
    """The time of its latest result (`check_statuses.time`); None when it has none, or it is unreadable."""
    last_message: str | None = None
    labels: Labels = ()
    open_incidents: int = 0


class LinkedIncident(Model):
    """An incident as a config item's or check's detail lists it."""

    id: UUID
    incident_id: str
    title: str
    severity: LenientSeverity
    status: LenientStatus
    created_at: datetime


class CheckResult(Model):
    """One row of `check_statuses`: a check's result at a time (None: stored unreadably)."""

    time: Annotated[datetime | None, BeforeValidator(_time_or_none)]
    passed: bool | None = None
    message: str | None = None


class ConfigDetail(Model):
    config: ConfigRow
    incidents: tuple[LinkedIncident, ...] = ()
    """Linked through evidence, newest first, active or not."""


class CheckDetail(Model):
    check: CheckRow
    incidents: tuple[LinkedIncident, ...] = ()
    results: tuple[CheckResult, ...] = ()
    """The latest results, newest first."""


class ResponderKind(str, Enum):
    PERSON = "person"
    TEAM = "team"
    EXTERNAL = "external"


# Properties each external responder type takes, in the order the form asks for them
# (Mission Control's AddResponder form, NOTES §3.2).
EXTERNAL_RESPONDER_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("to", "subject", "body"),
    "jira": ("project", "issueType", "summary", "description"),
    "service_now": ("category", "description", "body"),
    "ca": ("category", "description", "body"),
    "aws_support": ("category", "description", "body"),
    "aws_ams_services_request": ("category", "description", "body"),
    "redhat": ("product", "category", "description", "body"),
    "oracle": ("product", "category", "description", "body"),
    "vmware": ("product", "category", "description", "body"),
    "ms_planner": ("plan_id", "bucket_id", "priority", "title", "description"),
}


REQUIRED_EXTERNAL_FIELDS: dict[str, frozenset[str]] = {
    "email": frozenset({"to", "subject"}),
    "jira": frozenset({"project", "issueType", "summary"}),
    **dict.fromkeys(("service_now", "ca", "aws_support", "aws_ams_services_request"),
                    frozenset({"category", "description"})),
    **dict.fromkeys(("redhat", "oracle", "vmware"), frozenset({"product", "category", "description"})),
    "ms_planner": frozenset({"plan_id", "bucket_id", "title"}),
}
"""What each external system cannot open a ticket (or send a message) without; the rest is optional."""
PLANNER_PRIORITIES = ("urgent", "important", "medium", "low")


def property_label(name: str) -> str:
    """`issueType` -> `Issue type`, `plan_id` -> `Plan id`."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", name).lower()
    return words[:1].upper() + words[1:]


def external_property_problems(external_type: str, properties: Mapping[str, str]) -> dict[str, str]:
    """A sentence for each property of an external responder that is missing or malformed, by name."""
    problems = {name: f"{property_label(name)} is required."
                for name in EXTERNAL_RESPONDER_FIELDS.get(external_type, ())
                if name in REQUIRED_EXTERNAL_FIELDS.get(external_type, ()) and not properties.get(name, "").strip()}
    if external_type == "email" and "to" not in problems:
        bad = [address for address in re.split(r"[,;\s]+", properties["to"].strip()) if not _is_email(address)]
        if bad:
            problems["to"] = (f"“{one_line(bad[0], 60)}” is not an email address: write it as name@example.com, "
                              "several separated by commas.")
    priority = properties.get("priority", "").strip() if external_type == "ms_planner" else ""
    if priority and priority not in PLANNER_PRIORITIES:
        problems["priority"] = f"Priority is one of {', '.join(PLANNER_PRIORITIES)} (or left empty)."
    return {name: problems[name] for name in EXTERNAL_RESPONDER_FIELDS.get(external_type, ()) if name in problems}


def _is_email(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class Responder(Model):
    id: UUID
    incident_id: UUID
    kind: ResponderKind
    person: Person | None = None
    team: Team | None = None
    external_type: str | None = None
    """`properties.responderType` as a plain string (an object {value,label} is read too)."""
    external_id: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    acknowledged: datetime | None = None
    created_at: datetime

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.name
        if self.team is not None:
            return self.team.name
        return self.external_type or "external"


class IncidentRow(Model):
    """One line of the board: what the list shows, nothing more."""

    id: UUID
    incident_id: str
    title: str
    severity: LenientSeverity
    status: LenientStatus
    type: LenientType
    commander: str | None = None
    responders: tuple[str, ...] = ()
    config_count: int = 0
    check_count: int = 0
    created_at: datetime | None
    """None only on a row with problems (a stored time we cannot read)."""
    updated_at: datetime | None
    problems: tuple[str, ...] = ()
    """What could not be read in the stored row, one sentence each; such a row is shown as well as it
    can be, marked, and cannot be changed from here."""


UNREADABLE_MARK = "⚠ unreadable"
"""How a row with problems is marked on the board and in `incidents list`."""

_ROW_FIELD_NAMES = {"id": "id", "incident_id": "incident number", "title": "title", "severity": "severity",
                    "status": "status", "type": "type", "commander": "commander", "responders": "responders",
                    "config_count": "config count", "check_count": "check count", "created_at": "creation time",
                    "updated_at": "last update time"}
_ROW_STAND_INS: dict[str, Any] = {"incident_id": "?", "title": "", "severity": "?", "status": "?", "type": "?",
                                  "commander": None, "responders": (), "config_count": 0, "check_count": 0,
                                  "created_at": None, "updated_at": None}


def read_row(values: dict[str, Any]) -> IncidentRow:
    """A board row from stored values; fields that do not validate get a stand-in and a problem."""
    try:
        return IncidentRow.model_validate(values)
    except ValidationError as error:
        bad = dict.fromkeys(str(problem["loc"][0]) for problem in error.errors() if problem["loc"])
    fixed = dict(values)
    for field in bad:
        raw = values.get(field)
        if field == "id":  # a stable stand-in, so the board can still keep its cursor on the row
            fixed["id"] = uuid5(NAMESPACE_URL, f"unreadable-incident:{raw!r}")
        elif field == "title" and isinstance(raw, bytes):
            fixed["title"] = raw.decode("utf-8", "replace")
        else:
            fixed[field] = _ROW_STAND_INS[field]
    problems = tuple(unreadable(_ROW_FIELD_NAMES[field], values.get(field)) for field in bad)
    return IncidentRow.model_validate({**fixed, "problems": problems})


def unreadable(name: str, raw: Any) -> str:
    """`The title is missing.`, `The creation time 'soon' is not a time.`: one stored value we cannot read."""
    if raw is None:
        return f"The {name} is missing."
    if isinstance(raw, bytes):
        return f"The {name} is binary data ({len(raw)} bytes), not text."
    shown = repr(str(raw)[:40])
    kind = {"id": "a UUID", "creation time": "a time", "last update time": "a time"}.get(name, "readable")
    return f"The {name} {shown} is not {kind}."


class Incident(Model):
    id: UUID
    incident_id: str
    title: str
    description: str = ""
    severity: LenientSeverity
    status: LenientStatus
    type: LenientType
    created_by: UUID
    commander_id: UUID | None = None
    communicator_id: UUID | None = None
    acknowledged: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    created_at: datetime
    updated_at: datetime


class TimelineKind(str, Enum):
    HISTORY = "history"
    COMMENT = "comment"


class TimelineEntry(Model):
    """A history row or a comment, credited to the person who acted."""

    kind: TimelineKind
    actor: Person
    at: datetime
    type: str | None = None
    """The history type (`incident.status_updated`, ...); None for comments."""
    text: str = ""


class Evidence(Model):
    """What supports a hypothesis: a config item, a health check, or text (a comment, log lines).

    `config` and `check` are the linked rows as they are now (None if the row is gone); one marked
    `definition_of_done` is part of what must hold before the incident is done (tui.domain.plan)."""

    id: UUID
    hypothesis_id: UUID
    type: str = ""
    """Mission Control's evidence type as stored: config, check, comment, log, topology..."""
    description: str = ""
    config_id: UUID | None = None
    check_id: UUID | None = None
    config: ConfigItem | None = None
    check: Check | None = None
    text: str = ""
    """A comment's or log's text (from the `evidence` JSON)."""
    definition_of_done: Flag = False
    done: Flag = False
    """Marked done by hand: what a text evidence of the definition of done needs to hold."""
    created_at: datetime | None = None


class Hypothesis(Model):
    """A node of the action plan; the tree is built from `parent_id` (tui.domain.plan.tree)."""

    id: UUID
    parent_id: UUID | None = None
    type: LenientHypothesisType
    title: Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) else "")] = ""
    status: LenientHypothesisStatus
    created_at: datetime | None = None
    updated_at: datetime | None = None
    """What an edit compares against (compare-and-set)."""
    evidences: tuple[Evidence, ...] = ()


class IncidentDetail(Model):
    incident: Incident
    creator: Person
    commander: Person | None = None
    communicator: Person | None = None
    responders: tuple[Responder, ...] = ()
    configs: tuple[ConfigItem, ...] = ()
    checks: tuple[Check, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    """The action plan, oldest first, as stored (a flat list; tui.domain.plan builds the tree)."""


# -- What the UI asks a backend to write -------------------------------------------------

NonBlank = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
                     Field(min_length=1, max_length=500)]


class IncidentDraft(BaseModel):
    """A new incident, validated before it reaches a backend."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: NonBlank
    description: str = ""
    severity: Severity = Severity.MEDIUM
    type: IncidentType = IncidentType.AVAILABILITY
    commander_id: UUID | None = None
    communicator_id: UUID | None = None
    config_ids: tuple[UUID, ...] = ()
    check_ids: tuple[UUID, ...] = ()


class IncidentEdit(BaseModel):
    """Fields to change on an incident. A field not given is left as is; the people roles
    may be given as None to unassign them (`IncidentEdit(commander_id=None)`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: NonBlank | None = None
    description: str | None = None
    severity: Severity | None = None
    type: IncidentType | None = None
    commander_id: UUID | None = None
    communicator_id: UUID | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(include=self.model_fields_set)
        return {field: value for field, value in given.items() if value is not None or field in UNASSIGNABLE}


UNASSIGNABLE = frozenset({"commander_id", "communicator_id"})


class ResponderDraft(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ResponderKind
    person_id: UUID | None = None
    team_id: UUID | None = None
    external_type: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _target_matches_kind(self) -> ResponderDraft:
        needed = {ResponderKind.PERSON: self.person_id, ResponderKind.TEAM: self.team_id,
                  ResponderKind.EXTERNAL: self.external_type}[self.kind]
        if not needed:
            raise ValueError(f"a {self.kind.value} responder needs a {self.kind.value}"
                             if self.kind is not ResponderKind.EXTERNAL
                             else "an external responder needs a type, e.g. jira or email")
        if self.external_type is not None and self.external_type not in EXTERNAL_RESPONDER_FIELDS:
            known = ", ".join(EXTERNAL_RESPONDER_FIELDS)
            raise ValueError(f"unknown responder type {self.external_type!r}; known: {known}")
        if self.kind is ResponderKind.EXTERNAL:
            problems = external_property_problems(self.external_type or "", self.properties)
            if problems:
                raise ValueError(" ".join(problems.values()))
        return self


class HypothesisDraft(BaseModel):
    """A new node of the action plan; with no parent it goes under the root."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: NonBlank
    type: HypothesisType = HypothesisType.FACTOR
    status: HypothesisStatus = HypothesisStatus.POSSIBLE
    parent_id: UUID | None = None


class HypothesisEdit(BaseModel):
    """Fields to change on a node of the action plan; a field not given is left as is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: NonBlank | None = None
    type: HypothesisType | None = None
    status: HypothesisStatus | None = None
    parent_id: UUID | None = None

    def changes(self) -> dict[str, Any]:
        return {field: value for field, value in self.model_dump(include=self.model_fields_set).items()
                if value is not None}


class EvidenceDraft(BaseModel):
    """One piece of evidence: a config item, a health check, or some text (a comment or log lines).
    With no hypothesis it goes on the root: that is how a config or check is linked to an incident."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hypothesis_id: UUID | None = None
    config_id: UUID | None = None
    check_id: UUID | None = None
    text: str = ""
    log: bool = False
    """Text given is log lines rather than a comment."""
    definition_of_done: bool = False

    @model_validator(mode="after")
    def _one_thing(self) -> EvidenceDraft:
        given = [self.config_id is not None, self.check_id is not None, bool(self.text.strip())]
        if sum(given) != 1:
            raise ValueError("evidence is one config item, one health check, or some text")
        return self

    @property
    def type(self) -> str:
        """Mission Control's evidence type for it."""
        if self.config_id is not None:
            return "config"
        if self.check_id is not None:
            return "check"
        return "log" if self.log else "comment"


class EvidenceEdit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    definition_of_done: bool | None = None
    done: bool | None = None

    def changes(self) -> dict[str, Any]:
        return {field: value for field, value in self.model_dump().items() if value is not None}


class Identity(BaseModel):
    """Who "I" am: matched to (or created as) a person by email, else by name."""

    model_config = ConfigDict(frozen=True)

    name: NonBlank
    email: str | None = None
