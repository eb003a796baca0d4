"""Check results as they arrive: one reported through the API or the CLI, or a Prometheus
Alertmanager webhook (version 4) turned into one result per check. Pure: validated here,
stored by tui.store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from .enums import Health
from .format import one_line

MAX_MESSAGE = 10_000
ALERTMANAGER_TYPE = "alertmanager"


def no_nul(value: str) -> str:
    """A validator: PostgreSQL cannot store NUL in text, so it is refused up front, by field."""
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


CheckName = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
                      Field(min_length=1, max_length=500), AfterValidator(no_nul)]
LabelText = Annotated[str, Field(max_length=1000), AfterValidator(no_nul)]
ResultStatus = Literal[Health.HEALTHY, Health.UNHEALTHY]


class CheckReport(BaseModel):
    """One result of a health check: by id, or by name (the check is created if `create` and missing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: CheckName | None = None
    check_id: UUID | None = None
    status: ResultStatus
    message: Annotated[str, Field(max_length=MAX_MESSAGE), AfterValidator(no_nul)] = ""
    labels: dict[LabelText, LabelText] = Field(default_factory=dict)
    """Merged into the check's labels (a new check starts with them)."""
    create: bool = False
    type: CheckName = "push"
    """The type a created check gets."""

    @model_validator(mode="after")
    def _names_one_check(self) -> CheckReport:
        if (self.name is None) == (self.check_id is None):
            raise ValueError("a check result names its check: a name or a check_id, not both")
        return self

    @property
    def healthy(self) -> bool:
        return self.status is Health.HEALTHY


class CheckOutcome(BaseModel):
    """What one check result did: the check's state now, and the incidents rules opened or reopened."""

    model_config = ConfigDict(frozen=True)

    check_id: UUID
    name: str
    status: Health
    at: datetime
    """The result's time of record (`check_statuses.time`)."""
    created: bool = False
    """The check did not exist and was created."""
    changed: bool = False
    """Its status differs from the one before."""
    opened: tuple[str, ...] = ()
    """Human ids (INC-7) of incidents opened by rules."""
    reopened: tuple[str, ...] = ()


def report(**fields: Any) -> CheckReport:
    """A CheckReport, or a ValueError whose message is one sentence naming the field."""
    try:
        return CheckReport.model_validate(fields)
    except ValidationError as error:
        raise ValueError(first_problem(error)) from None


def first_problem(error: ValidationError) -> str:
    """`labels.team: Input should be a valid string`: the first problem, its field first."""
    problem = error.errors()[0]
    return located(problem["loc"], problem["msg"].removeprefix("Value error, "))


def located(loc: tuple[int | str, ...], message: str) -> str:
    where = ".".join(str(part) for part in loc)
    message = one_line(message, 200).rstrip(".")  # the caller ends the sentence
    return f"{where}: {message}" if where else message


# -- Prometheus Alertmanager --------------------------------------------------------------------

class _Lenient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")  # Alertmanager adds fields over time


class Alert(_Lenient):
    status: Literal["firing", "resolved"]
    labels: dict[LabelText, LabelText]
    annotations: dict[LabelText, Annotated[str, AfterValidator(no_nul)]] = Field(default_factory=dict)
    fingerprint: LabelText = ""
    startsAt: str | None = None
    endsAt: str | None = None

    @property
    def check_name(self) -> str:
        return (self.labels.get("check") or self.labels.get("alertname") or "").strip()


class Webhook(_Lenient):
    """Alertmanager's webhook body, version 4."""

    version: Literal["4"]
    groupKey: LabelText = ""
    status: Literal["firing", "resolved"]
    receiver: LabelText = ""
    alerts: list[Alert] = Field(min_length=1)


def webhook_reports(body: object) -> list[CheckReport]:
    """One result per check named in the webhook: unhealthy while any of its alerts fires, with the
    firing alerts' summaries as message. Alerts are taken once per fingerprint (the last wins), so a
    group of alerts for one check is one result, and opens one incident. Raises ValueError with a
    sentence; nothing is to be stored from a body that raises."""
    if not isinstance(body, Mapping):
        raise ValueError("The body is not an Alertmanager webhook: a JSON object with version, status and alerts.")
    try:
        webhook = Webhook.model_validate(body)
    except ValidationError as error:
        raise ValueError(f"The body is not an Alertmanager version 4 webhook: {first_problem(error)}.") from None
    by_fingerprint = {alert.fingerprint or f"#{index}": alert for index, alert in enumerate(webhook.alerts)}
    by_check: dict[str, list[Alert]] = {}
    for index, alert in enumerate(by_fingerprint.values()):
        if not alert.check_name:
            raise ValueError(f"Alert {index + 1} has neither a check nor an alertname label, so it names no check.")
        by_check.setdefault(alert.check_name, []).append(alert)
    return [_check_report(name, alerts) for name, alerts in by_check.items()]


def _check_report(name: str, alerts: list[Alert]) -> CheckReport:
    firing = [alert for alert in alerts if alert.status == "firing"]
    shown = firing or alerts
    summaries = dict.fromkeys(alert.annotations.get("summary") or alert.annotations.get("description") or ""
                              for alert in shown)
    labels = {key: value for alert in reversed(shown) for key, value in alert.labels.items()}
    try:
        return CheckReport(name=name, status=Health.UNHEALTHY if firing else Health.HEALTHY,
                           message="; ".join(text for text in summaries if text)[:MAX_MESSAGE], labels=labels,
                           create=True, type=ALERTMANAGER_TYPE)
    except ValidationError as error:
        raise ValueError(f"The alerts for {one_line(name, 60)!r} cannot be a check result: "
                         f"{first_problem(error)}.") from None
