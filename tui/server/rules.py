"""Check results and incident rules on `incidents serve`, and the timer of the rules' timeouts.

    POST /webhooks/alertmanager     Prometheus Alertmanager's webhook (version 4)
    POST /rpc/check_report          one check result (tui.domain.checks.CheckReport)
    POST /rpc/rules_apply           {"documents": [IncidentRule, ...]}, all or none
    POST /rpc/rule_delete           {"name": ...}
    POST /rpc/rules_run             the timeouts due now (the timer does this too)

`POST /db/check_statuses` (the PostgREST way) is a check result too (tui.server.writes).
Results may be reported by anyone who may open incidents (admin, commander, responder); rules
are changed by admins. Each request is one transaction: a body refused is a body not stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.responses import JSONResponse, Response

from ..domain.checks import CheckReport, first_problem, webhook_reports
from ..domain.rules import RuleFileError, parse_rule_document
from ..store.base import BackendError
from ..store.sql import SqlDatabase, Writer
from ..store.sql import rules as store
from .errors import bad_body
from .resources import INCIDENT
from .values import json_body

if TYPE_CHECKING:
    from .app import Api, Call
    from .tokens import Token

log = logging.getLogger("incidents.rules")

RULES = "incident_rules"
"""RBAC object of the rules: everyone reads them, admins change them."""


def _authorized(api: Api, call: Call, rbac_object: str, action: str) -> Token:
    token = api.authenticate(call.headers)
    api.authorize(token, api.catalog.get("incidents" if rbac_object == INCIDENT else RULES), action)
    return token


def _in_transaction(api: Api, call: Call, rbac_object: str, action: str, work: Callable[[Writer], Any]) -> Any:
    """`work` as the token's person, in one transaction (run again if PostgreSQL asks to)."""
    token = _authorized(api, call, rbac_object, action)
    return api.database.transaction(lambda conn: work(Writer(api.database, conn, token.person)))


def _object(call: Call) -> dict[str, Any]:
    body = json_body(call.body)
    if not isinstance(body, dict):
        raise bad_body("The body is a JSON object of named arguments")
    return body


def alertmanager(api: Api, call: Call) -> Response:
    """Every check the webhook names, in one transaction: all stored, or (refused) none."""
    _authorized(api, call, INCIDENT, "create")
    try:
        reports = webhook_reports(json_body(call.body))
    except ValueError as error:
        raise bad_body(str(error)) from None
    outcomes = _in_transaction(api, call, INCIDENT, "create",
                               lambda writer: [store.report_check(writer, one) for one in reports])
    return JSONResponse({"checks": [outcome.model_dump(mode="json") for outcome in outcomes]})


def check_report(api: Api, call: Call) -> Response:
    report = parse_report(_object(call))
    outcome = _in_transaction(api, call, INCIDENT, "create", lambda writer: store.report_check(writer, report))
    return JSONResponse(outcome.model_dump(mode="json"))


def parse_report(body: dict[str, Any]) -> CheckReport:
    try:
        return CheckReport.model_validate(body)
    except ValidationError as error:
        raise bad_body(first_problem(error)) from None


class _Documents(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Any]


class _Name(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def rules_apply(api: Api, call: Call) -> Response:
    try:
        raw = _Documents.model_validate(_object(call)).documents
        documents = [parse_rule_document(item, f"document {number}") for number, item in enumerate(raw, 1)]
    except ValidationError as error:
        raise bad_body(first_problem(error)) from None
    except RuleFileError as error:
        raise bad_body(str(error)) from None
    applied = _in_transaction(api, call, RULES, "update", lambda writer: store.apply_rules(writer, documents))
    return JSONResponse([item.model_dump(mode="json") for item in applied])


def rule_delete(api: Api, call: Call) -> Response:
    try:
        name = _Name.model_validate(_object(call)).name
    except ValidationError as error:
        raise bad_body(first_problem(error)) from None
    _in_transaction(api, call, RULES, "delete", lambda writer: store.delete_rule(writer, name))
    return JSONResponse({"deleted": name})


def rules_run(api: Api, call: Call) -> Response:
    _authorized(api, call, INCIDENT, "update")
    return JSONResponse({"done": store.run_timeouts(api.database)})


RULE_ROUTES: dict[str, Callable[[Api, Call], Response]] = {
    "/webhooks/alertmanager": alertmanager,
    **{f"{prefix}/{name}": handler for prefix in ("/rpc", "/db/rpc") for name, handler in (
        ("check_report", check_report), ("rules_apply", rules_apply), ("rule_delete", rule_delete),
        ("rules_run", rules_run))},
}


class RuleTimer:
    """Runs the rules' timeouts every `interval` seconds in a daemon thread, until stopped.
    Several processes may each run one: the engine decides from what is stored, under locks."""

    def __init__(self, database: SqlDatabase, interval: float) -> None:
        self.database, self.interval = database, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="incident-rules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                for line in store.run_timeouts(self.database):
                    log.info("%s", line)
            except BackendError as error:  # the database is away: try again next time
                log.warning("rule timeouts not run: %s", error)

