"""Check results, incident rules and the rule engine on SQL (decisions: tui.domain.engine).

Every result is one transaction: the check_statuses row, the check's new status, and what
the rules do about it, under a lock on the check (an advisory lock on PostgreSQL, so two
`serve` processes never both open the same incident; SQLite writers hold the whole file).
The timer's sweep (`run_timeouts`) takes the same lock per incident and decides again from
what is stored, so it can run anywhere, as often as wanted, and after any restart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy import Connection, exists, func, insert, or_, select, update

from ...domain import engine, lifecycle
from ...domain.checks import CheckOutcome, CheckReport
from ...domain.engine import Action, CheckNow, RuleIncident
from ...domain.enums import Health, Status, parse_health
from ...domain.models import SYSTEM_PERSON_NAME, IncidentDraft, Person, ResponderDraft, ResponderKind
from ...domain.rules import (
    Applied,
    CheckFacts,
    Rule,
    RuleDocument,
    StoredRule,
    format_duration,
    matching_rules,
    opening,
)
from ..base import BackendError, NotFound
from . import backend
from .database import SqlDatabase, advisory_lock, person_of
from .schema import (
    check_statuses,
    checks,
    evidences,
    hypotheses,
    incident_histories,
    incident_rules,
    incidents,
    people,
)

if TYPE_CHECKING:
    from .backend import Writer

T = TypeVar("T")

HISTORY_RULE = "incident.rule"
"""Timeline rows the engine writes: which rule opened, reopened, resolved or closed an incident."""
RULE_SOURCE = "CRD"
"""`incident_rules.source` of rules applied from YAML, as Mission Control marks its CRD rules."""
_TICK = timedelta(microseconds=1)
_WATCHED = ("open", "mitigated", "investigating", "new", "resolved")
"""Statuses the sweep looks at (lower-cased): the rest is final or a person's to reopen."""


class RuleMethods:
    """The Backend methods of this area, mixed into SqlBackend (tui.store.sql.backend)."""

    database: SqlDatabase

    def _act(self, write: Callable[[Writer], T]) -> T:
        raise NotImplementedError  # SqlBackend's

    def report_check(self, report: CheckReport) -> CheckOutcome:
        return self._act(lambda writer: report_check(writer, report))

    def list_rules(self) -> list[StoredRule]:
        with self.database.read() as conn:
            return list_rules(conn)

    def apply_rules(self, documents: Sequence[RuleDocument]) -> list[Applied]:
        return self._act(lambda writer: apply_rules(writer, documents))

    def delete_rule(self, name: str) -> None:
        self._act(lambda writer: delete_rule(writer, name))

    def run_rules(self) -> list[str]:
        return run_timeouts(self.database)


# -- rules --------------------------------------------------------------------------------------

def list_rules(conn: Connection) -> list[StoredRule]:
    rows = conn.execute(select(incident_rules.c.id, incident_rules.c.name, incident_rules.c.spec,
                               incident_rules.c.source, incident_rules.c.updated_at)
                        .where(incident_rules.c.deleted_at.is_(None)))
    stored = [StoredRule.model_validate(row._mapping) for row in rows]
    return sorted(stored, key=StoredRule.order)


def apply_rules(writer: Writer, documents: Sequence[RuleDocument]) -> list[Applied]:
    """Create or update each rule by name (a deleted one comes back); the same file twice changes nothing."""
    return [_apply(writer, document) for document in documents]


def _apply(writer: Writer, document: RuleDocument) -> Applied:
    conn = writer.conn
    advisory_lock(conn, "incident rule", document.name)
    for role in ("commander_id", "communicator_id"):
        wanted = getattr(document.spec.template, role)
        if wanted is not None and _person(conn, wanted) is None:
            raise BackendError(f"Rule {document.name}: spec.template.{role}: there is no person {wanted!r} "
                               "(give a person's id or email).")
    spec, now = document.stored_spec(), writer.now()
    row = conn.execute(select(incident_rules.c.id, incident_rules.c.spec, incident_rules.c.deleted_at)
                       .where(incident_rules.c.name == document.name)).first()
    if row is None:
        conn.execute(insert(incident_rules).values(id=uuid4(), name=document.name, spec=spec, source=RULE_SOURCE,
                                                   created_by=writer.actor.id, created_at=now, updated_at=now))
        return Applied(name=document.name, change="created")
    if row.spec == spec and row.deleted_at is None:
        return Applied(name=document.name, change="unchanged")
    conn.execute(update(incident_rules).where(incident_rules.c.id == row.id)
                 .values(spec=spec, source=RULE_SOURCE, deleted_at=None, updated_at=now))
    return Applied(name=document.name, change="updated" if row.deleted_at is None else "created")


def delete_rule(writer: Writer, name: str) -> None:
    """Soft delete (as Mission Control does): incidents it opened keep their `incident_rule_id`."""
    now = writer.now()
    done = writer.conn.execute(update(incident_rules)
                               .where(incident_rules.c.name == name.strip(), incident_rules.c.deleted_at.is_(None))
                               .values(deleted_at=now, updated_at=now))
    if done.rowcount == 0:
        raise NotFound(f"There is no incident rule named {name.strip()!r}.")


def _rules(conn: Connection) -> list[Rule]:
    return [rule for rule in (stored.rule() for stored in list_rules(conn)) if rule is not None]


# -- check results --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Check:
    id: UUID
    name: str
    type: str | None
    status: Health
    labels: dict[str, str]
    changed_at: datetime | None


def report_check(writer: Writer, result: CheckReport) -> CheckOutcome:
    """Store one result, update the check, and run the rules that watch it (as System)."""
    conn = writer.conn
    if result.name is not None:
        advisory_lock(conn, "check name", result.name)  # two reporters of a new check create it once
    check, created = _find_or_create(writer, result)
    advisory_lock(conn, "check rules", str(check.id))
    now = max(writer.now(), _last_result(conn, check.id) + _TICK)
    status = Health.HEALTHY if result.healthy else Health.UNHEALTHY
    conn.execute(insert(check_statuses).values(check_id=check.id, time=now, status=result.healthy,
                                               message=result.message, created_at=now))
    changed = status is not check.status
    labels = {**check.labels, **result.labels}
    values: dict[str, Any] = {"status": status.value, "updated_at": now, "labels": labels}
    if changed or check.changed_at is None:
        values["last_transition_time"] = now
    conn.execute(update(checks).where(checks.c.id == check.id).values(values))
    facts = CheckFacts(check.name, status, result.message, check.type, labels)
    opened, reopened = _on_failure(writer, check.id, facts, changed) if status is Health.UNHEALTHY else ((), ())
    _run_due(writer.database, conn, check.id)
    return CheckOutcome(check_id=check.id, name=check.name, status=status, at=now, created=created, changed=changed,
                        opened=opened, reopened=reopened)


def _find_or_create(writer: Writer, result: CheckReport) -> tuple[_Check, bool]:
    conn = writer.conn
    wanted = checks.c.id == result.check_id if result.check_id is not None else checks.c.name == result.name
    row = conn.execute(select(checks.c.id, checks.c.name, checks.c.type, checks.c.status, checks.c.labels,
                              checks.c.last_transition_time)
                       .where(wanted, checks.c.deleted_at.is_(None)).order_by(checks.c.created_at).limit(1)
                       .with_for_update()).first()
    if row is not None:
        labels = {str(k): str(v) for k, v in row.labels.items()} if isinstance(row.labels, dict) else {}
        return _Check(row.id, row.name, row.type, parse_health(row.status), labels, row.last_transition_time), False
    if result.name is None or not result.create:
        named = result.name or str(result.check_id)
        raise NotFound(f"There is no health check {named!r}" + (
            "; report it with --create (create: true) to make it." if result.name else "."))
    id, now = uuid4(), writer.now()
    conn.execute(insert(checks).values(id=id, name=result.name, type=result.type, labels=result.labels,
                                       created_at=now, updated_at=now))
    return _Check(id, result.name, result.type, Health.UNKNOWN, {}, None), True


def _last_result(conn: Connection, check_id: UUID) -> datetime:
    """The newest result's time (results of one instant get distinct times: the key is check and time)."""
    last = conn.execute(select(func.max(check_statuses.c.time)).where(check_statuses.c.check_id == check_id)).scalar()
    return last if isinstance(last, datetime) else datetime.min.replace(tzinfo=UTC)


# -- the engine -----------------------------------------------------------------------------------

def system_person(conn: Connection) -> Person:
    """Mission Control's automatic actor, which every database of ours has (migration 0001)."""
    row = conn.execute(select(people).where(people.c.name == SYSTEM_PERSON_NAME, people.c.email.is_(None),
                                            people.c.deleted_at.is_(None))
                       .order_by(people.c.created_at).limit(1)).first()
    if row is None:
        raise BackendError("The database has no System person, so rules cannot open incidents.")
    return person_of(row)


def _on_failure(writer: Writer, check_id: UUID, facts: CheckFacts,
                turned_unhealthy: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    conn = writer.conn
    system = backend.Writer(writer.database, conn, system_person(conn))
    opened: list[str] = []
    reopened: list[str] = []
    for rule in matching_rules(_rules(conn), facts):
        latest = _latest_incident(conn, rule.id, check_id, system.actor.id)
        action = engine.on_failure(latest[1] if latest else None, turned_unhealthy=turned_unhealthy)
        if action is Action.OPEN:
            opened.append(_open(system, rule, check_id, facts))
        elif action is Action.REOPEN and latest is not None:
            _move(system, latest[0], Status.OPEN, rule, f"{facts.name} failed again")
            reopened.append(system.lock(latest[0]).incident_id)
    return tuple(opened), tuple(reopened)


def _open(system: Writer, rule: Rule, check_id: UUID, facts: CheckFacts) -> str:
    conn, spec = system.conn, rule.spec
    made = opening(spec, facts)
    roles = {role: _person(conn, getattr(spec.template, role)) for role in ("commander_id", "communicator_id")}
    draft = IncidentDraft(title=made.title, description=made.description, severity=spec.template.severity,
                          type=spec.template.type, check_ids=(check_id,),
                          **{role: person.id for role, person in roles.items() if person is not None})
    incident = system.create_incident(draft)
    conn.execute(update(incidents).where(incidents.c.id == incident.id).values(incident_rule_id=rule.id))
    conn.execute(update(evidences).where(evidences.c.check_id == check_id,
                                         evidences.c.hypothesis_id.in_(_hypotheses_of(incident.id)))
                 .values(definition_of_done=True))
    system.note(incident.id, HISTORY_RULE, f"Opened by rule {rule.name}: {facts.name} is unhealthy")
    for kind, properties in made.responders:
        try:
            system.add_responder(incident.id, ResponderDraft(kind=ResponderKind.EXTERNAL, external_type=kind,
                                                             properties=properties))
        except (ValidationError, BackendError) as error:  # a template that rendered into a bad address
            system.note(incident.id, HISTORY_RULE, f"Rule {rule.name} could not add a {kind} responder: {error}")
    return incident.incident_id


def _move(system: Writer, incident_id: UUID, to: Status, rule: Rule, why: str) -> str:
    """The transition, and the timeline row naming the rule; a line saying what was done."""
    moved = system.transition(incident_id, to, None, system.lock(incident_id).updated_at)
    said = f"{lifecycle.verb(to).capitalize()} by rule {rule.name}: {why}"
    system.note(incident_id, HISTORY_RULE, said)
    return f"{moved.incident_id}: {said}"


def _rule_of(conn: Connection, incident_id: UUID) -> UUID | None:
    found: UUID | None = conn.execute(select(incidents.c.incident_rule_id)
                                      .where(incidents.c.id == incident_id)).scalar()
    return found


def _hypotheses_of(incident_id: UUID) -> Any:
    return select(hypotheses.c.id).where(hypotheses.c.incident_id == incident_id)


def _linked_to(check_id: Any) -> Any:
    return exists().where(hypotheses.c.incident_id == incidents.c.id, evidences.c.hypothesis_id == hypotheses.c.id,
                          evidences.c.check_id == check_id)


def _latest_incident(conn: Connection, rule_id: UUID, check_id: UUID,
                     system_id: UUID) -> tuple[UUID, RuleIncident] | None:
    """The newest incident `rule_id` opened for the check, with what the engine needs to know of it."""
    row = conn.execute(select(incidents.c.id).where(incidents.c.incident_rule_id == rule_id, _linked_to(check_id))
                       .order_by(incidents.c.created_at.desc()).limit(1)).first()
    return (row.id, _facts(conn, row.id, system_id)) if row is not None else None


def _facts(conn: Connection, incident_id: UUID, system_id: UUID) -> RuleIncident:
    incident = conn.execute(select(incidents.c.status, incidents.c.resolved)
                            .where(incidents.c.id == incident_id)).one()
    changes = (select(incident_histories.c.created_by, incident_histories.c.created_at,
                      incident_histories.c.description)
               .where(incident_histories.c.incident_id == incident_id,
                      incident_histories.c.type == lifecycle.HISTORY_STATUS_UPDATED)
               .order_by(incident_histories.c.created_at.desc()))
    last = conn.execute(changes.limit(1)).first()
    reopened = conn.execute(changes.where(incident_histories.c.created_by != system_id,
                                          incident_histories.c.description == Status.OPEN.value).limit(1)).first()
    return RuleIncident(status=incident.status, resolved_at=incident.resolved,
                        last_status_by_person=last is not None and last.created_by != system_id,
                        reopened_by_person_at=reopened.created_at if reopened is not None else None)


# -- the timer --------------------------------------------------------------------------------------

def run_timeouts(database: SqlDatabase) -> list[str]:
    """autoResolve and autoClose everything due: found by reading, then each in a transaction of its
    own that decides again under the lock (another process may have done it meanwhile). What was
    done, a line each."""
    with database.read() as conn:
        linked = conn.execute(
            select(incidents.c.id, evidences.c.check_id)
            .select_from(incidents.join(hypotheses, hypotheses.c.incident_id == incidents.c.id)
                         .join(evidences, evidences.c.hypothesis_id == hypotheses.c.id))
            .where(incidents.c.incident_rule_id.is_not(None), evidences.c.check_id.is_not(None),
                   func.lower(incidents.c.status).in_(_WATCHED))
            .distinct()).all()
        system_id = system_person(conn).id if linked else None
        due = [(incident_id, check_id) for incident_id, check_id in linked
               if _due(database, conn, incident_id, check_id, system_id) is not None]
    done: list[str] = []
    for incident_id, check_id in due:
        outcome = database.transaction(partial(_timeout, database, incident_id=incident_id, check_id=check_id))
        if outcome:
            done.append(outcome)
    return done


def _run_due(database: SqlDatabase, conn: Connection, check_id: UUID) -> None:
    """The timeouts of one check's rule incidents, inside the transaction that reported a result."""
    rows = conn.execute(select(incidents.c.id).where(incidents.c.incident_rule_id.is_not(None),
                                                     func.lower(incidents.c.status).in_(_WATCHED),
                                                     _linked_to(check_id))).all()
    for (incident_id,) in rows:
        _timeout(database, conn, incident_id=incident_id, check_id=check_id)


def _timeout(database: SqlDatabase, conn: Connection, *, incident_id: UUID, check_id: UUID) -> str | None:
    advisory_lock(conn, "check rules", str(check_id))
    system = backend.Writer(database, conn, system_person(conn))
    system.lock(incident_id)
    due = _due(database, conn, incident_id, check_id, system.actor.id)
    return _move(system, incident_id, due.to, due.rule, due.why) if due is not None else None


@dataclass(frozen=True)
class _Due:
    to: Status
    rule: Rule
    why: str


def _due(database: SqlDatabase, conn: Connection, incident_id: UUID, check_id: UUID,
         system_id: UUID | None) -> _Due | None:
    """The transition a rule's timeout asks for now, if any (decided from what is stored)."""
    rule = _stored_rule(conn, incident_id)
    check = conn.execute(select(checks.c.name, checks.c.status, checks.c.last_transition_time)
                         .where(checks.c.id == check_id)).first()
    if rule is None or check is None or system_id is None:
        return None
    facts = _facts(conn, incident_id, system_id)
    action = engine.on_time(rule.spec, facts, CheckNow(parse_health(check.status), check.last_transition_time),
                            database.now(conn))
    if action is Action.RESOLVE and rule.spec.auto_resolve is not None:
        healthy = format_duration(rule.spec.auto_resolve.timeout)
        return _Due(Status.RESOLVED, rule, f"{check.name} has been healthy for {healthy}")
    if action is Action.CLOSE and rule.spec.auto_close is not None:
        return _Due(Status.CLOSED, rule, f"resolved for {format_duration(rule.spec.auto_close.timeout)}")
    return None


def _stored_rule(conn: Connection, incident_id: UUID) -> Rule | None:
    row = conn.execute(select(incident_rules.c.id, incident_rules.c.name, incident_rules.c.spec)
                       .where(incident_rules.c.id == _rule_of(conn, incident_id),
                              incident_rules.c.deleted_at.is_(None))).first()
    return StoredRule.model_validate(row._mapping).rule() if row is not None else None


def _person(conn: Connection, wanted: str | None) -> Person | None:
    """A person by id or by email (rules name commanders either way)."""
    if not wanted:
        return None
    named = func.lower(people.c.email) == wanted.lower()
    try:
        named = or_(named, people.c.id == UUID(wanted))
    except ValueError:
        pass  # not an id: an email only
    row = conn.execute(select(people).where(people.c.deleted_at.is_(None), named).limit(1)).first()
    return person_of(row) if row is not None else None
