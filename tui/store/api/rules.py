"""Check results and incident rules over the API: `incidents serve`'s /rpc functions
(tui.server.rules), which validate, store and run the engine in one transaction there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ...domain.checks import CheckOutcome, CheckReport
from ...domain.rules import Applied, RuleDocument, StoredRule
from ..base import Unavailable
from .http import Http, Params

_RULE = "id,name,spec,source,updated_at"
M = TypeVar("M", bound=BaseModel)


class RuleRequests:
    """The Backend methods of this area, mixed into ApiBackend (tui.store.api.backend)."""

    _http: Http
    url: str

    def _get(self, table: str, params: Params) -> list[dict[str, Any]]:
        raise NotImplementedError  # ApiBackend's

    def _call(self, name: str, body: dict[str, Any]) -> Any:
        answer: httpx.Response = self._http.write("POST", f"/rpc/{name}", (), body, prefer=None)
        return Http.json(answer, self.url)

    def report_check(self, report: CheckReport) -> CheckOutcome:
        answer = self._call("check_report", report.model_dump(mode="json", exclude_defaults=True))
        return self._model(CheckOutcome, answer)

    def list_rules(self) -> list[StoredRule]:
        rows = self._get("incident_rules", [("select", _RULE), ("deleted_at", "is.null"), ("order", "name.asc")])
        rules = [self._model(StoredRule, row) for row in rows]
        return sorted(rules, key=StoredRule.order)

    def apply_rules(self, documents: Sequence[RuleDocument]) -> list[Applied]:
        answer = self._call("rules_apply", {"documents": [document.model_dump(mode="json", by_alias=True,
                                                                               exclude_none=True)
                                                          for document in documents]})
        if not isinstance(answer, list):
            raise Unavailable(f"The server at {self.url} answered rules_apply with something other than a list.")
        return [self._model(Applied, item) for item in answer]

    def delete_rule(self, name: str) -> None:
        self._call("rule_delete", {"name": name})

    def run_rules(self) -> list[str]:
        answer = self._call("rules_run", {})
        done = answer.get("done") if isinstance(answer, dict) else None
        return [str(line) for line in done] if isinstance(done, list) else []

    def _model(self, model: type[M], value: object) -> M:
        try:
            return model.model_validate(value)
        except ValidationError:
            raise Unavailable(f"The server at {self.url} answered with something that is not a "
                              f"{model.__name__}.") from None

