"""The one protocol the UI talks to, and the errors every backend raises.

Backends are synchronous; the UI calls them only from thread workers. Every error a
user can meet is a `BackendError` whose message is a sentence fit for the screen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from pydantic import ValidationError

from ..domain.catalog import CatalogQuery
from ..domain.checks import CheckOutcome, CheckReport
from ..domain.enums import Severity, Status
from ..domain.format import clean
from ..domain.messages import sentences
from ..domain.metrics import Metrics
from ..domain.models import (
    Check,
    CheckDetail,
    CheckRow,
    ConfigDetail,
    ConfigItem,
    ConfigRow,
    EvidenceDraft,
    EvidenceEdit,
    HypothesisDraft,
    HypothesisEdit,
    Incident,
    IncidentDetail,
    IncidentDraft,
    IncidentEdit,
    IncidentRow,
    Person,
    Responder,
    ResponderDraft,
    Team,
)
from ..domain.query import IncidentQuery, Window
from ..domain.rules import Applied, RuleDocument, StoredRule


class BackendError(Exception):
    """Something the user should be told about in one sentence."""


class NotFound(BackendError):
    pass


class Conflict(BackendError):
    """The incident changed since it was read (compare-and-set on `updated_at` failed)."""


class Forbidden(BackendError):
    pass


class Unavailable(BackendError):
    """The database or server cannot be reached or answered nonsense."""


class ReadOnly(BackendError):
    """The database is open read-only; no write is attempted."""


class Superseded(BackendError):
    """A read given up because a newer one of the same kind started (the user moved on): nothing
    to tell, the newer answer is on its way."""


class Unreadable(BackendError):
    """A stored incident holds values we cannot read (another tool wrote them): shown, never changed."""

    def __init__(self, incident_id: object, error: ValidationError) -> None:
        super().__init__(f"{clean(str(incident_id))} cannot be shown in full or changed here: "
                         f"{clean(sentences(error.errors()))}")


RowT = TypeVar("RowT")


@dataclass(frozen=True)
class Count:
    """How many rows match: exactly `value`, or (`exact` False) at least `value`, when counting
    every match would cost more than showing the page (a free-text term matching most of a
    million incidents). Shown as "10,000+" then, never as if it were exact."""

    value: int
    exact: bool = True

    def __str__(self) -> str:
        return f"{self.value:,}" if self.exact else f"{self.value:,}+"


@dataclass(frozen=True)
class Page(Generic[RowT]):
    """One window of a list's result (incidents, configs, checks)."""

    rows: tuple[RowT, ...]
    total: int
    """How many rows match the query in all (not just this page); a lower bound unless `exact`."""
    offset: int = 0
    exact: bool = True
    """False: the backend stopped counting at `total` (there are at least that many, maybe more)."""

    @property
    def count(self) -> Count:
        return Count(self.total, self.exact)


@dataclass(frozen=True)
class Changes:
    """What changed in the store since a mark (see `Backend.changes_since`)."""

    mark: object
    """Opaque; pass it back next time."""
    incident_ids: frozenset[UUID] = frozenset()
    """Incidents whose row, detail, responders or comments changed."""
    catalog_ids: frozenset[UUID] = frozenset()
    """Config items and health checks that changed or reported a result."""
    everything: bool = False
    """True: something changed but the backend cannot tell which (reload what is shown)."""

    @property
    def any(self) -> bool:
        return self.everything or bool(self.incident_ids) or bool(self.catalog_ids)


@runtime_checkable
class Backend(Protocol):
    """Everything the UI may ask of a store. Lifecycle rules are enforced behind it."""

    def whoami(self) -> Person: ...

    def list_incidents(self, query: IncidentQuery, window: Window) -> Page[IncidentRow]: ...

    # -- streaming (issue 7: `incidents list` of a million rows in flat memory) ---------------

    def iter_incidents(self, query: IncidentQuery, window: Window) -> Iterator[IncidentRow]:
        """The rows `list_incidents(query, window)` holds, read a part at a time and without the
        count: memory stays flat however many rows the window spans."""
        ...

    def count_by_severity(self, query: IncidentQuery) -> dict[Severity | str, int]:
        """How many incidents matching `query` there are at each severity (unknown stored values
        under their verbatim text); sort and window are ignored.

        Every Severity is a key (0 when none match); an unknown value only when it occurs."""
        ...

    def get_incident(self, id: UUID) -> IncidentDetail: ...

    def find_incident(self, incident_id: str) -> UUID:
        """The uuid of a human id such as `INC-42`; raises NotFound."""
        ...

    def list_people(self) -> list[Person]:
        """Real people, System excluded, by name."""
        ...

    def list_teams(self) -> list[Team]: ...

    def search_configs(self, text: str, limit: int = 50) -> list[ConfigItem]: ...

    def search_checks(self, text: str, limit: int = 50) -> list[Check]: ...

    def create_incident(self, draft: IncidentDraft) -> Incident: ...

    def update_incident(self, id: UUID, edit: IncidentEdit, expected_updated_at: datetime) -> Incident:
        """Raises Conflict if the incident changed after `expected_updated_at`."""
        ...

    def transition(self, id: UUID, to: Status, note: str | None, expected_updated_at: datetime) -> Incident:
        """Moves to `to` if the lifecycle allows it; a note is kept as a comment."""
        ...

    def acknowledge(self, id: UUID, expected_updated_at: datetime) -> Incident: ...

    def add_responder(self, incident_id: UUID, draft: ResponderDraft) -> Responder: ...

    def remove_responder(self, responder_id: UUID) -> None: ...

    def add_comment(self, incident_id: UUID, text: str) -> None: ...

    # -- the Configs and Checks views (tui.domain.catalog): pages with their count, and details --

    def list_configs(self, query: CatalogQuery, window: Window) -> Page[ConfigRow]: ...

    def get_config(self, id: UUID) -> ConfigDetail:
        """With the incidents linked to it, newest first; raises NotFound."""
        ...

    def list_checks(self, query: CatalogQuery, window: Window) -> Page[CheckRow]: ...

    def get_check(self, id: UUID) -> CheckDetail:
        """With the incidents linked to it and its latest results; raises NotFound."""
        ...

    # -- check results and incident rules (tui.domain.checks, tui.domain.rules, tui.domain.engine) --

    def report_check(self, report: CheckReport) -> CheckOutcome:
        """Store a check's result, update its status, and let the rules act on it (as System)."""
        ...

    def list_rules(self) -> list[StoredRule]:
        """Incident rules not deleted, by priority then name."""
        ...

    def apply_rules(self, documents: Sequence[RuleDocument]) -> list[Applied]:
        """Create or update each rule by name, all or none."""
        ...

    def delete_rule(self, name: str) -> None:
        """Raises NotFound for a name no rule has."""
        ...

    def run_rules(self) -> list[str]:
        """The rules' timeouts due now (autoResolve, autoClose); a line for each thing done."""
        ...

    # -- links and the action plan: hypotheses, their evidence, the definition of done -------------
    # Each write locks the incident (writers take turns; a closed incident refuses them) and writes
    # a history row. Ids returned are of the row written.

    def add_evidence(self, incident_id: UUID, draft: EvidenceDraft) -> UUID:
        """Evidence under `draft.hypothesis_id`, or on the root hypothesis (made if the incident has
        none): how a config item or health check is linked. Linking one thing twice to one hypothesis
        is refused with a sentence."""
        ...

    def remove_evidence(self, evidence_id: UUID) -> None:
        """Unlink (the evidence row goes, the timeline says so); NotFound if it is gone already."""
        ...

    def update_evidence(self, evidence_id: UUID, edit: EvidenceEdit) -> None:
        """Mark evidence part of the definition of done or not, done or not."""
        ...

    def add_hypothesis(self, incident_id: UUID, draft: HypothesisDraft) -> UUID:
        """A factor or solution; with no parent, under the root (tui.domain.plan says what goes where)."""
        ...

    def update_hypothesis(self, hypothesis_id: UUID, edit: HypothesisEdit,
                          expected_updated_at: datetime | None) -> None:
        """Raises Conflict if the hypothesis changed after `expected_updated_at`."""
        ...

    # -- metrics ------------------------------------------------------------------------------

    def metrics(self, days: int) -> Metrics:
        """Active incidents by severity and type, the longest open, and per day of the last `days`
        (UTC, today included) the incidents opened and how long acknowledging and resolving them took.
        Aggregates only: never every incident."""
        ...

    def changes_since(self, mark: object | None) -> Changes:
        """Cheap when nothing changed. With None: the current mark and no ids.

        Writes made through this backend count too (the board is told of its own changes)."""
        ...

    def close(self) -> None: ...
