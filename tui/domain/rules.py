"""Incident rules: Mission Control's `IncidentRule` documents, read from YAML, and how a rule
matches a health check and renders the incident it opens. Pure: no I/O, no clock.

    documents = parse_rule_file(text, "rules.yaml")     # RuleFileError names document and field
    for rule in matching_rules(rules, check): ...         # priority order, breakOnMatch
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal
from uuid import UUID

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints (no types-PyYAML here)
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError

from .checks import located, no_nul
from .enums import Health, IncidentType, Severity, parse_severity, parse_type
from .format import one_line
from .models import EXTERNAL_RESPONDER_FIELDS, external_property_problems

API_VERSION = "mission-control.flanksource.com/v1"
KIND = "IncidentRule"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": timedelta(milliseconds=1), "s": timedelta(seconds=1), "m": timedelta(minutes=1),
          "h": timedelta(hours=1), "d": timedelta(days=1)}
_VARIABLE = re.compile(r"{{\s*([^{}]*?)\s*}}")
CHECK_FIELDS = ("name", "status", "message", "type")
"""What a template may name: `{{ check.name }}`, ... and `{{ check.labels.<key> }}`."""
RESPONDER_ALIASES = {"servicenow": "service_now", "aws": "aws_support", "ams": "aws_ams_services_request"}
"""Mission Control's responder keys that our external responder types spell differently."""


class RuleFileError(ValueError):
    """A rule file that cannot be applied; the message names the document and the field."""


def parse_duration(value: object) -> timedelta:
    """Go's duration spelling, as Mission Control writes timeouts: `10m`, `1h30m`, `45s`, `1d`."""
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value}s"
    parts = _DURATION.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"{one_line(str(value), 40)!r} is not a duration; write it like 10m, 1h30m or 45s")
    total = sum((float(number) * _UNITS[unit] for number, unit in parts), timedelta())
    if total <= timedelta():
        raise ValueError("a timeout must be longer than zero")
    return total


Text = Annotated[str, AfterValidator(no_nul)]
Name = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
                 Field(min_length=1, max_length=253), AfterValidator(no_nul)]
def format_duration(value: timedelta) -> str:
    """`10m`, `24h`, `1h30m`, `1.5s`: as Go (and Mission Control) writes a duration."""
    total_ms = round(value.total_seconds() * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest / 1000:g}s" if rest else ""
    return "".join(part for part in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", seconds))


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration)]


def _severity(value: object) -> Severity:
    parsed = parse_severity(value)
    if not isinstance(parsed, Severity):
        raise ValueError(f"{one_line(str(value), 40)!r} is not a severity; use one of: "
                         f"{', '.join(s.value for s in Severity)}")
    return parsed


def _type(value: object) -> IncidentType:
    parsed = parse_type(value)
    if not isinstance(parsed, IncidentType):
        raise ValueError(f"{one_line(str(value), 40)!r} is not an incident type; use one of: "
                         f"{', '.join(t.value for t in IncidentType)}")
    return parsed


def _template_text(value: str) -> str:
    for variable in _VARIABLE.findall(value):
        if lookup_variable(variable, CheckFacts("", Health.UNHEALTHY)) is None:
            raise ValueError(f"{{{{ {one_line(variable, 40)} }}}} is not a variable; use check.name, check.status, "
                             "check.message, check.type or check.labels.<key>")
    return no_nul(value)


TemplateText = Annotated[str, AfterValidator(_template_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckSelector(_Strict):
    """Which checks a rule watches: `name` is a glob (`checkout-*`); every label must match (globs too)."""

    name: Text = "*"
    type: Text | None = None
    labels: dict[Text, Text] = Field(default_factory=dict)

    def matches(self, check: CheckFacts) -> bool:
        return (fnmatchcase(check.name, self.name)
                and (self.type is None or fnmatchcase(check.type or "", self.type))
                and all(key in check.labels and fnmatchcase(check.labels[key], value)
                        for key, value in self.labels.items()))


StatusName = Literal["healthy", "unhealthy"]


def _unhealthy() -> list[StatusName]:
    return ["unhealthy"]


class RuleFilter(_Strict):
    status: list[StatusName] = Field(default_factory=_unhealthy)


class IncidentTemplate(_Strict):
    title: TemplateText = Field("{{ check.name }} is {{ check.status }}", min_length=1, max_length=500)
    description: TemplateText = "{{ check.message }}"
    severity: Annotated[Severity, BeforeValidator(_severity)] = Severity.MEDIUM
    type: Annotated[IncidentType, BeforeValidator(_type)] = IncidentType.AVAILABILITY
    commander_id: Name | None = None
    """A person's id or email; resolved when the rule is applied (and again when it fires)."""
    communicator_id: Name | None = None


class Timeout(_Strict):
    timeout: Duration


def _responders(value: object) -> dict[str, list[dict[str, str]]]:
    """`{email: [{to, subject}], jira: [...]}`: each entry checked as the responder form checks it."""
    if not isinstance(value, Mapping):
        raise ValueError("responders is a mapping of responder type to a list of responders")
    known = ", ".join([*EXTERNAL_RESPONDER_FIELDS, *RESPONDER_ALIASES])
    result: dict[str, list[dict[str, str]]] = {}
    for key, entries in value.items():
        kind = RESPONDER_ALIASES.get(str(key), str(key))
        if kind not in EXTERNAL_RESPONDER_FIELDS:
            raise ValueError(f"{one_line(str(key), 40)!r} is not a responder type; known: {known}")
        if not isinstance(entries, list) or not all(isinstance(entry, Mapping) for entry in entries):
            raise ValueError(f"{key} is a list of mappings, like [{{to: a@example.com, subject: …}}]")
        checked = [{str(k): no_nul(str(v)) for k, v in entry.items() if v is not None} for entry in entries]
        for number, entry in enumerate(checked, 1):
            unknown = set(entry) - set(EXTERNAL_RESPONDER_FIELDS[kind])
            if unknown:
                raise ValueError(f"{key} responder {number} takes {', '.join(EXTERNAL_RESPONDER_FIELDS[kind])}, "
                                 f"not {', '.join(sorted(unknown))}")
            problems = external_property_problems(kind, entry)
            if problems:
                raise ValueError(f"{key} responder {number}: {' '.join(problems.values())}")
        result[kind] = checked
    return result


class RuleSpec(_Strict):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    priority: int = 0
    """Lower first (Mission Control's "order of processing rules")."""
    checks: list[CheckSelector] = Field(default_factory=list)
    """Any selector matching is enough; none at all watches every check."""
    filter: RuleFilter = Field(default_factory=RuleFilter)
    template: IncidentTemplate = Field(default_factory=IncidentTemplate)
    responders: Annotated[dict[str, list[dict[str, str]]], BeforeValidator(_responders)] = Field(default_factory=dict)
    break_on_match: bool = Field(False, alias="breakOnMatch")
    auto_resolve: Timeout | None = Field(None, alias="autoResolve")
    auto_close: Timeout | None = Field(None, alias="autoClose")

    def watches(self, check: CheckFacts) -> bool:
        return check.status.value in self.filter.status and (
            not self.checks or any(selector.matches(check) for selector in self.checks))


class Metadata(BaseModel):
    """A CRD's metadata: only the name matters here (namespace, labels, uid... are allowed, unused)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    name: Name


class RuleDocument(_Strict):
    api_version: Literal["mission-control.flanksource.com/v1"] = Field(alias="apiVersion")
    kind: Literal["IncidentRule"]
    metadata: Metadata
    spec: RuleSpec

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def name(self) -> str:
        return self.metadata.name

    def stored_spec(self) -> dict[str, Any]:
        """The spec as stored in `incident_rules.spec` (Mission Control's field names)."""
        return self.spec.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class Rule:
    """A stored rule the engine can use: its row id and name, and its spec."""

    id: UUID
    name: str
    spec: RuleSpec


class StoredRule(BaseModel):
    """A row of `incident_rules` as stored (another tool may have stored a spec we cannot read)."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    name: str
    spec: Any = None
    source: str | None = None
    updated_at: datetime | None = None

    def order(self) -> tuple[int, str]:
        """Rules are listed and run by priority, then name (a spec we cannot read: priority 0)."""
        priority = self.spec.get("priority") if isinstance(self.spec, dict) else None
        return (priority if isinstance(priority, int) else 0, self.name)

    def document(self) -> RuleDocument:
        """As a YAML document would state it; RuleFileError if the stored spec is not a valid rule."""
        return parse_rule_document({"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": self.name},
                                    "spec": self.spec}, "the stored rule")

    def rule(self) -> Rule | None:
        """For the engine; None for a spec it cannot read (such a rule never fires)."""
        try:
            return Rule(self.id, self.name, self.document().spec)
        except RuleFileError:
            return None

    def problem(self) -> str | None:
        try:
            self.document()
        except RuleFileError as error:
            return str(error)
        return None


class Applied(BaseModel):
    """What `rules apply` did with one document."""

    name: str
    change: Literal["created", "updated", "unchanged"]


def to_yaml(documents: Iterable[RuleDocument]) -> str:
    """Documents as one YAML file (`rules list --yaml`), readable back by parse_rule_file."""
    text: str = yaml.safe_dump_all([document.model_dump(mode="json", by_alias=True, exclude_none=True)
                                    for document in documents], sort_keys=False, allow_unicode=True)
    return text


# -- reading a rule file ---------------------------------------------------------------------

def parse_rule_file(text: str, source: str = "the rule file") -> list[RuleDocument]:
    """Every document of a YAML file (`---` between them; empty ones skipped), each validated.
    Raises RuleFileError naming the document (by number and name) and the field."""
    try:
        raw = [item for item in yaml.safe_load_all(text) if item is not None]
    except yaml.YAMLError as error:
        raise RuleFileError(f"{source} is not valid YAML: {_yaml_problem(error)}.") from None
    except (ValueError, RecursionError) as error:  # odd input PyYAML itself trips over
        raise RuleFileError(f"{source} is not valid YAML: {one_line(str(error), 120)}.") from None
    if not raw:
        raise RuleFileError(f"{source} holds no rules (no YAML documents).")
    documents = [parse_rule_document(item, f"{source}, document {number}") for number, item in enumerate(raw, 1)]
    seen: set[str] = set()
    for number, rule in enumerate(documents, 1):
        if rule.name in seen:
            raise RuleFileError(f"{source}, document {number} ({one_line(rule.name, 60)}): metadata.name: "
                                "another document in this file has the same name.")
        seen.add(rule.name)
    return documents


def parse_rule_document(raw: object, where: str) -> RuleDocument:
    """One document (a mapping, from YAML or JSON); `where` starts the message of a RuleFileError."""
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where} is not a mapping of fields (apiVersion, kind, metadata, spec).")
    name = raw.get("metadata", {}).get("name") if isinstance(raw.get("metadata"), dict) else None
    named = f"{where} ({one_line(name, 60)})" if isinstance(name, str) and name.strip() else where
    try:
        return RuleDocument.model_validate(raw)
    except ValidationError as error:
        raise RuleFileError(f"{named}: {_first_problem(error)}.") from None
    except RecursionError:
        raise RuleFileError(f"{named}: the document is nested too deeply.") from None


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "not a field of an incident rule (misspelt, or not supported here)"
    elif problem["type"] == "literal_error" and problem["loc"] in (("apiVersion",), ("kind",)):
        message = f"must be {API_VERSION if problem['loc'] == ('apiVersion',) else KIND}"
    return located(problem["loc"], message)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return where + one_line(str(problem), 120)


# -- matching and rendering ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckFacts:
    """What a rule can see of a health check."""

    name: str
    status: Health
    message: str = ""
    type: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def matching_rules(rules: Iterable[Rule], check: CheckFacts) -> list[Rule]:
    """The rules that fire for `check`, by priority (then name); a matching rule with
    breakOnMatch ends the list."""
    matched: list[Rule] = []
    for rule in sorted(rules, key=lambda rule: (rule.spec.priority, rule.name)):
        if rule.spec.watches(check):
            matched.append(rule)
            if rule.spec.break_on_match:
                break
    return matched


def lookup_variable(variable: str, check: CheckFacts) -> str | None:
    """The value of `check.name`, `check.labels.team`...; None for a name no template may use."""
    parts = variable.split(".")
    if parts[0] != "check" or len(parts) < 2:
        return None
    if len(parts) == 2 and parts[1] in CHECK_FIELDS:
        value = getattr(check, parts[1])
        return value.value if isinstance(value, Health) else str(value or "")
    if len(parts) >= 3 and parts[1] == "labels":
        return check.labels.get(".".join(parts[2:]), "")
    return None


def render(template: str, check: CheckFacts) -> str:
    return _VARIABLE.sub(lambda found: lookup_variable(found.group(1), check) or "", template)


@dataclass(frozen=True)
class Opening:
    """What a rule's template makes of one failing check."""

    title: str
    description: str
    responders: Sequence[tuple[str, dict[str, str]]]
    """(external type, properties), each property rendered."""


def opening(spec: RuleSpec, check: CheckFacts) -> Opening:
    title = one_line(render(spec.template.title, check), 500) or check.name[:500]
    responders = [(kind, {key: render(value, check) for key, value in entry.items()})
                  for kind, entries in spec.responders.items() for entry in entries]
    return Opening(title, render(spec.template.description, check), responders)
