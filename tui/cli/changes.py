"""The keys' twins that change an incident: `create`, `ack`, `transition`, `comment`, `assign`.

Each reads the incident first and writes against the version it read (compare-and-set), or
against `--expect-updated-at` when a script gives the version it saw; a change made in between
is a conflict (exit 4), never overwritten. Success prints a line starting with the incident's id,
or with --json the incident's details as `incidents show --json` prints them.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from uuid import UUID

from ..domain import format as fmt
from ..domain.enums import IncidentType, Severity, Status, label, parse_severity, parse_status, parse_type
from ..domain.models import IncidentDetail, IncidentDraft, IncidentEdit, Person
from ..store.base import Backend, Conflict
from . import lookup
from .common import Commands, UsageError, add_json_flag, on_backend, read_text
from .show import print_result

UNASSIGN = ("none", "nobody", "-")


def register(commands: Commands) -> None:
    creating = commands.add_parser("create", help="report a new incident; prints its id")
    creating.add_argument("title", help="what is wrong, in a line")
    creating.add_argument("--severity", default=Severity.MEDIUM.value,
                          help="critical, high, medium (the default), low or info")
    creating.add_argument("--type", default=IncidentType.AVAILABILITY.value,
                          help="availability (the default), cost, performance, security, technical_debt, "
                               "compliance, integration or reliability")
    creating.add_argument("--description", default="", help="more detail; - reads it from standard input")
    creating.add_argument("--commander", metavar="PERSON", help="email, name or me")
    creating.add_argument("--communicator", metavar="PERSON", help="email, name or me")
    creating.add_argument("--config", action="append", default=[], metavar="NAME", dest="configs",
                          help="link a config item (by name or id); may be repeated")
    creating.add_argument("--check", action="append", default=[], metavar="NAME", dest="checks",
                          help="link a health check (by name or id); may be repeated")
    add_json_flag(creating)
    creating.set_defaults(handler=on_backend(run_create))

    acking = commands.add_parser("ack", help="acknowledge: you become commander if there is none")
    _incident_arguments(acking)
    acking.set_defaults(handler=on_backend(run_ack))

    moving = commands.add_parser("transition", help="move an incident to another status the lifecycle allows")
    _incident_arguments(moving)
    moving.add_argument("status", help="open, mitigated, resolved, closed or cancelled")
    moving.add_argument("--note", help="why, kept as a comment; - reads it from standard input")
    moving.set_defaults(handler=on_backend(run_transition))

    commenting = commands.add_parser("comment", help="add a comment to an incident's timeline")
    _incident_arguments(commenting, versioned=False)
    commenting.add_argument("text", help="the comment; - reads it from standard input")
    commenting.set_defaults(handler=on_backend(run_comment))

    assigning = commands.add_parser("assign", help="set (or with none, clear) the commander or communicator")
    _incident_arguments(assigning)
    assigning.add_argument("--commander", metavar="PERSON", help="email, name, me, or none")
    assigning.add_argument("--communicator", metavar="PERSON", help="email, name, me, or none")
    assigning.set_defaults(handler=on_backend(run_assign))


def _incident_arguments(parser: argparse.ArgumentParser, *, versioned: bool = True) -> None:
    parser.add_argument("incident", help="INC-12, 12, or the incident's uuid")
    if versioned:
        parser.add_argument("--expect-updated-at", metavar="TIME", type=_time,
                            help="refuse (exit 4) if the incident changed after TIME, its updated_at as "
                                 "`incidents show --json` printed it")
    add_json_flag(parser)


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time such as 2026-12-03T13:45:00+00:00") \
            from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add +00:00 or Z")
    return moment


def _read(backend: Backend, args: argparse.Namespace) -> IncidentDetail:
    detail = backend.get_incident(lookup.incident_id(backend, args.incident))
    expected = getattr(args, "expect_updated_at", None)
    if expected is not None and detail.incident.updated_at != expected:
        raise Conflict(f"{fmt.clean(detail.incident.incident_id)} changed at {detail.incident.updated_at.isoformat()}"
                       f", after {expected.isoformat()}; nothing was changed. Look at it again "
                       "(incidents show) before trying again.")
    return detail


def run_create(args: argparse.Namespace, backend: Backend) -> int:
    people = {role: lookup.person(backend, ref).id for role, ref in
              (("commander_id", args.commander), ("communicator_id", args.communicator)) if ref}
    draft = IncidentDraft(title=args.title, description=read_text(args.description, "description"),
                          severity=_severity(args.severity), type=_type(args.type), **people,
                          config_ids=tuple(lookup.config(backend, name).id for name in args.configs),
                          check_ids=tuple(lookup.check(backend, name).id for name in args.checks))
    incident = backend.create_incident(draft)
    return print_result(backend, args, incident.id, lambda after: f"{incident.incident_id} created: {incident.title} "
                 f"({label(incident.severity)}, {label(incident.type)}, {label(incident.status).lower()})")


def run_ack(args: argparse.Namespace, backend: Backend) -> int:
    detail = _read(backend, args)
    incident = backend.acknowledge(detail.incident.id, detail.incident.updated_at)
    return print_result(backend, args, incident.id, lambda after: f"{incident.incident_id} acknowledged; commander: "
                 f"{_name(after.commander)}")


def run_transition(args: argparse.Namespace, backend: Backend) -> int:
    to = _status(args.status)
    note = read_text(args.note, "note") if args.note is not None else None
    detail = _read(backend, args)
    incident = backend.transition(detail.incident.id, to, note or None, detail.incident.updated_at)
    return print_result(backend, args, incident.id, lambda after: f"{incident.incident_id} "
                 f"{label(detail.incident.status).lower()} → {label(after.incident.status).lower()}")


def run_comment(args: argparse.Namespace, backend: Backend) -> int:
    text = read_text(args.text, "comment")
    if not text.strip():
        raise UsageError("the comment is empty: give some text (or - and text on standard input).")
    detail = _read(backend, args)
    backend.add_comment(detail.incident.id, text)
    return print_result(backend, args, detail.incident.id, lambda after: f"{detail.incident.incident_id} commented")


def run_assign(args: argparse.Namespace, backend: Backend) -> int:
    if args.commander is None and args.communicator is None:
        raise UsageError("assign what? Give --commander PERSON and/or --communicator PERSON (none clears).")
    roles = {role: _person_or_none(backend, ref) for role, ref in
             (("commander_id", args.commander), ("communicator_id", args.communicator)) if ref is not None}
    detail = _read(backend, args)
    incident = backend.update_incident(detail.incident.id, IncidentEdit(**roles), detail.incident.updated_at)
    return print_result(backend, args, incident.id, lambda after: f"{incident.incident_id} commander: "
                 f"{_name(after.commander)}, communicator: {_name(after.communicator)}")


def _name(person: Person | None) -> str:
    return person.display if person else "none"


def _person_or_none(backend: Backend, ref: str) -> UUID | None:
    return None if ref.strip().lower() in UNASSIGN else lookup.person(backend, ref).id


def _severity(text: str) -> Severity:
    value = parse_severity(text)
    if not isinstance(value, Severity):
        raise UsageError(f"unknown severity {text!r}; give one of {', '.join(s.value.lower() for s in Severity)}.")
    return value


def _type(text: str) -> IncidentType:
    value = parse_type(text)
    if not isinstance(value, IncidentType):
        raise UsageError(f"unknown type {text!r}; give one of {', '.join(t.value for t in IncidentType)}.")
    return value


def _status(text: str) -> Status:
    value = parse_status(text)
    if not isinstance(value, Status):
        raise UsageError(f"unknown status {text!r}; give one of {', '.join(s.value for s in Status)}.")
    return value
