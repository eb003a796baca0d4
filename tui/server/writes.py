"""POST, PATCH and DELETE on /db/<table>, and the /rpc/<name> functions, inside one transaction.

Incident changes go through tui.store.sql's Writer, so the lifecycle, the timestamps and the
history rows (credited to the token's person) are the SQL backend's own: a PATCH that moves
`status` is a transition, one that sets `acknowledged` an acknowledgement, one that sets a
responder's `deleted_at` a removal. Other rows are written as given, with `created_by` always
the token's person and `updated_at` moved by the server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, update

from ..domain import lifecycle
from ..domain.checks import CheckReport
from ..domain.enums import Health, IncidentType, Severity, Status, parse_severity, parse_status, parse_type
from ..domain.models import IncidentDraft, IncidentEdit, ResponderDraft, ResponderKind
from ..store.base import NotFound
from ..store.sql import Writer, rules
from ..store.sql.schema import check_statuses, comments, hypotheses, incidents, responders
from .errors import ApiError, bad_body, unknown_payload_column
from .query import Plan, where_of
from .resources import Resource
from .values import NOW, from_json, parse_instant

SERVER_SET = frozenset({"incident_id", "created_at", "updated_at", "resolved", "closed"})
"""Incident columns only the server writes (created_at / updated_at may be sent as "now()")."""
EDITABLE = frozenset({"title", "description", "severity", "type", "commander_id", "communicator_id"})


def validation_error(error: ValidationError) -> ApiError:
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in first["loc"])
    return ApiError(400, "PGRST102", f"{where}: {message}" if where else message)


def _checked(values: dict[str, Any], resource: Resource) -> dict[str, Any]:
    converted = {}
    for name, value in values.items():
        if not isinstance(name, str) or name not in resource.columns():
            raise unknown_payload_column(resource.name, str(name))
        converted[name] = from_json(resource.column(name), value)
    return converted


def _enum(parse: Callable[[object], Any], kind: type[Enum], value: Any, field: str) -> Any:
    parsed = parse(value) if isinstance(value, str) else value
    if not isinstance(parsed, kind):
        allowed = ", ".join(str(member.value) for member in kind)
        raise ApiError(400, "22023", f"{value!r} is not a {field}; use one of: {allowed}")
    return parsed


def _edit_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {name: body[name] for name in EDITABLE if name in body}
    if "severity" in fields:
        fields["severity"] = _enum(parse_severity, Severity, fields["severity"], "severity")
    if "type" in fields:
        fields["type"] = _enum(parse_type, IncidentType, fields["type"], "type")
    return fields


def _refuse_other_creator(writer: Writer, resource: Resource, body: dict[str, Any]) -> None:
    """`created_by` may be sent (Mission Control's web UI does) but is always the token's person."""
    if body.get("created_by") is not None and str(body["created_by"]) != str(writer.actor.id):
        raise ApiError(400, "428C9", f"{resource.name}.created_by is the token's person ({writer.actor.id}); "
                                     "rows cannot be credited to someone else")


def _refuse_server_set(body: dict[str, Any], allowed: frozenset[str] = frozenset()) -> None:
    for name in SERVER_SET - allowed:
        value = body.get(name)
        if name in body and not (name in ("created_at", "updated_at") and str(value).lower() == NOW):
            raise ApiError(400, "428C9", f"incidents.{name} is set by the server; leave it out of the body")


# -- incidents --------------------------------------------------------------------------------

def create_incident(writer: Writer, resource: Resource, body: dict[str, Any]) -> UUID:
    _checked(body, resource)
    _refuse_other_creator(writer, resource, body)
    _refuse_server_set(body)
    if "acknowledged" in body:
        raise ApiError(400, "428C9", "A new incident is not acknowledged yet; acknowledge it afterwards")
    if "status" in body and _enum(parse_status, Status, body["status"], "status") is not Status.OPEN:
        raise ApiError(400, "P0001", "A new incident is open; move it to another status afterwards")
    try:
        draft = IncidentDraft(**_edit_fields(body))
    except ValidationError as error:
        raise validation_error(error) from None
    id = from_json(incidents.c.id, body["id"]) if body.get("id") else None
    return writer.create_incident(draft, id=id, root=False).id  # a PostgREST client adds its own


def patch_incident(writer: Writer, id: UUID, body: dict[str, Any]) -> None:
    """One matched incident: edit, transition and acknowledge, each by the lifecycle's rules."""
    current = writer.lock(id)
    status = _enum(parse_status, Status, body["status"], "status") if "status" in body else None
    if status is not None and status == parse_status(current.status):
        status = None
    if status is None and ({"resolved", "closed"} & body.keys()):
        raise ApiError(400, "428C9", "resolved and closed are set by the server when the status changes")
    _refuse_server_set(body, frozenset({"resolved", "closed"}) if status is not None else frozenset())
    try:
        edit = IncidentEdit(**_edit_fields(body))
    except ValidationError as error:
        raise validation_error(error) from None
    stamp = current.updated_at
    if status is Status.OPEN:  # a read-only incident reopens before it can be edited
        stamp = writer.transition(id, status, None, stamp).updated_at
    if edit.changes():
        stamp = writer.update_incident(id, edit, stamp).updated_at
    if status is not None and status is not Status.OPEN:  # edited before it may become read-only
        stamp = writer.transition(id, status, None, stamp).updated_at
    if body.get("acknowledged") is not None:
        writer.acknowledge(id, stamp)


# -- responders ---------------------------------------------------------------------------------

def _responder_draft(body: dict[str, Any]) -> ResponderDraft:
    properties = dict(body.get("properties") or {})
    kind_value = properties.pop("responderType", None)
    if isinstance(kind_value, dict):
        kind_value = kind_value.get("value")
    if body.get("person_id"):
        kind = ResponderKind.PERSON
    elif body.get("team_id"):
        kind = ResponderKind.TEAM
    else:
        kind = ResponderKind.EXTERNAL
    external = kind_value if kind_value not in (None, "person", "team") else None
    try:
        return ResponderDraft(kind=kind, person_id=body.get("person_id"), team_id=body.get("team_id"),
                              external_type=external if kind is ResponderKind.EXTERNAL else None,
                              properties={str(k): str(v) for k, v in properties.items()})
    except ValidationError as error:
        raise validation_error(error) from None


def create_responder(writer: Writer, resource: Resource, body: dict[str, Any]) -> UUID:
    values = _checked(body, resource)
    _refuse_other_creator(writer, resource, body)
    if not values.get("incident_id"):
        raise bad_body("A responder needs an incident_id")
    return writer.add_responder(values["incident_id"], _responder_draft(body), id=values.get("id")).id


# -- any table ------------------------------------------------------------------------------------

def _ensure_incident_editable(writer: Writer, resource: Resource, values: dict[str, Any]) -> None:
    incident_id = values.get("incident_id") if resource.table in (comments, hypotheses, responders) else None
    if incident_id is None:
        return
    try:
        incident = writer.lock(incident_id)  # until commit: it cannot close before the row is in
    except NotFound:
        raise ApiError(409, "23503", "The incident the row belongs to does not exist") from None
    lifecycle.ensure_editable(incident)


def create_check_status(writer: Writer, resource: Resource, body: dict[str, Any]) -> dict[str, Any]:
    """A check result: stored, the check's status updated, and the rules run (tui.store.sql.rules).
    Its time is the time of record, as for every write."""
    values = _checked(body, resource)
    if set(values) - {"check_id", "status", "message"}:
        raise ApiError(400, "428C9", "A check result takes check_id, status (true: healthy) and message; "
                                     "its time is set by the server")
    if not isinstance(values.get("status"), bool) or values.get("check_id") is None:
        raise bad_body("A check result needs check_id and status (true: healthy, false: unhealthy)")
    try:
        report = CheckReport(check_id=values["check_id"], message=values.get("message") or "",
                             status=Health.HEALTHY if values["status"] else Health.UNHEALTHY)
    except ValidationError as error:
        raise validation_error(error) from None
    outcome = rules.report_check(writer, report)
    return {"check_id": outcome.check_id, "time": outcome.at}


def insert_row(writer: Writer, resource: Resource, body: dict[str, Any]) -> Any:
    """One row of a POST; the key that finds it again (its id, or the whole row)."""
    if resource.table is incidents:
        return create_incident(writer, resource, body)
    if resource.table is responders:
        return create_responder(writer, resource, body)
    if resource.table is check_statuses:
        return create_check_status(writer, resource, body)
    values = _checked(body, resource)
    _refuse_other_creator(writer, resource, body)
    table, now = resource.table, writer.now()
    if "id" in table.c and values.get("id") is None:
        values["id"] = uuid4()
    if "created_by" in table.c:
        values["created_by"] = writer.actor.id
    for stamp in ("created_at", "updated_at"):
        if stamp in table.c and values.get(stamp) is None and stamp not in resource.absent:
            values[stamp] = now
    for column in table.primary_key.columns:
        if values.get(column.name) is None:
            raise ApiError(400, "23502", f'null value in column "{column.name}" of relation "{table.name}" '
                                         "violates not-null constraint")
    _ensure_incident_editable(writer, resource, values)
    writer.conn.execute(insert(table).values(values))
    return values["id"] if "id" in table.c else values


def matching_keys(conn: Connection, plan: Plan) -> list[Any]:
    """Primary keys of the rows a PATCH or DELETE filters to (locked on PostgreSQL)."""
    table = plan.resource.table
    keys = list(table.primary_key.columns)
    query = select(*keys).where(*where_of(plan))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return [tuple(row) for row in conn.execute(query)]


def key_clause(resource: Resource, key: tuple) -> ColumnElement[bool]:
    return and_(*(column == value for column, value in zip(resource.table.primary_key.columns, key, strict=True)))


def update_rows(writer: Writer, resource: Resource, plan: Plan, body: dict[str, Any]) -> list[tuple]:
    keys = matching_keys(writer.conn, plan)
    if resource.table is incidents:
        _checked(body, resource)
        for (id,) in keys:
            patch_incident(writer, id, body)
        return keys
    values = _checked(body, resource)
    if "created_by" in values:
        raise ApiError(400, "428C9", f"{resource.name}.created_by is set by the server")
    if resource.table is responders and values.get("deleted_at") is not None:
        values.pop("deleted_at")
        for (id,) in keys:
            writer.remove_responder(id)
    if not values:
        return keys
    if "updated_at" in resource.table.c and "updated_at" not in resource.absent:
        values["updated_at"] = writer.now()
    for key in keys:
        writer.conn.execute(update(resource.table).where(key_clause(resource, key)).values(values))
    return keys


def delete_rows(conn: Connection, resource: Resource, keys: list[tuple]) -> None:
    for key in keys:
        conn.execute(delete(resource.table).where(key_clause(resource, key)))


# -- /rpc functions ---------------------------------------------------------------------------------

class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Update(_Args):
    id: UUID
    changes: dict[str, Any]
    expected_updated_at: datetime


class _Transition(_Args):
    id: UUID
    to: str
    note: str | None = None
    expected_updated_at: datetime


class _Acknowledge(_Args):
    id: UUID
    expected_updated_at: datetime


class _Responder(_Args):
    incident_id: UUID
    kind: ResponderKind
    person_id: UUID | None = None
    team_id: UUID | None = None
    external_type: str | None = None
    properties: dict[str, str] = {}


class _Remove(_Args):
    id: UUID


class _Comment(_Args):
    incident_id: UUID
    text: str


def _parse(model: type[BaseModel], body: dict[str, Any]) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise validation_error(error) from None


def _rpc_create(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    try:
        draft = IncidentDraft.model_validate(body)
    except ValidationError as error:
        raise validation_error(error) from None
    return "incidents", writer.create_incident(draft).id


def _rpc_update(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Update, body)
    try:
        edit = IncidentEdit(**_edit_fields(args.changes))
    except ValidationError as error:
        raise validation_error(error) from None
    if set(args.changes) - EDITABLE:
        raise ApiError(400, "PGRST102", f"changes may only hold: {', '.join(sorted(EDITABLE))}")
    return "incidents", writer.update_incident(args.id, edit, _instant(args.expected_updated_at)).id


def _rpc_transition(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Transition, body)
    to = _enum(parse_status, Status, args.to, "status")
    return "incidents", writer.transition(args.id, to, args.note, _instant(args.expected_updated_at)).id


def _rpc_acknowledge(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Acknowledge, body)
    return "incidents", writer.acknowledge(args.id, _instant(args.expected_updated_at)).id


def _rpc_responder_add(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Responder, body)
    try:
        draft = ResponderDraft(kind=args.kind, person_id=args.person_id, team_id=args.team_id,
                               external_type=args.external_type, properties=args.properties)
    except ValidationError as error:
        raise validation_error(error) from None
    return "responders", writer.add_responder(args.incident_id, draft).id


def _rpc_responder_remove(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Remove, body)
    writer.remove_responder(args.id)
    return "responders", args.id


def _rpc_comment(writer: Writer, body: dict[str, Any]) -> tuple[str, Any]:
    args = _parse(_Comment, body)
    return "comments", writer.add_comment(args.incident_id, args.text)


def _instant(value: datetime) -> datetime:
    return parse_instant(value.isoformat())


FUNCTIONS: dict[str, Callable[[Writer, dict[str, Any]], tuple[str, Any]]] = {
    "incident_create": _rpc_create,
    "incident_update": _rpc_update,
    "incident_transition": _rpc_transition,
    "incident_acknowledge": _rpc_acknowledge,
    "responder_add": _rpc_responder_add,
    "responder_remove": _rpc_responder_remove,
    "comment_add": _rpc_comment,
}
"""Name -> the write, answering (table, id) of the row to send back."""
