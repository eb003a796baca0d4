"""`incidents responder add|remove`: people, teams and external systems on an incident."""

from __future__ import annotations

import argparse

from ..domain.describe import responder_kind, responder_name
from ..domain.models import EXTERNAL_RESPONDER_FIELDS, Responder, ResponderDraft, ResponderKind
from ..store.base import Backend
from . import lookup
from .common import Commands, UsageError, add_json_flag, on_backend
from .show import print_result


def register(commands: Commands) -> None:
    responders = commands.add_parser("responder", help="add or remove an incident's responders")
    actions = responders.add_subparsers(dest="responder_command", required=True)
    adding = actions.add_parser("add", help="add a person, a team or an external system (jira, email...)")
    adding.add_argument("incident", help="INC-12, 12, or the incident's uuid")
    who = adding.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="PERSON", help="email, name or me")
    who.add_argument("--team", metavar="TEAM", help="the team's name")
    who.add_argument("--external", metavar="TYPE", choices=tuple(EXTERNAL_RESPONDER_FIELDS),
                     help=f"one of {', '.join(EXTERNAL_RESPONDER_FIELDS)}")
    adding.add_argument("--property", action="append", default=[], metavar="NAME=VALUE", dest="properties",
                        help="a detail of an external responder (jira: project=OPS issueType=Bug summary=...); "
                             "may be repeated")
    add_json_flag(adding)
    adding.set_defaults(handler=on_backend(run_add))
    removing = actions.add_parser("remove", help="remove a responder, named as show lists it")
    removing.add_argument("incident", help="INC-12, 12, or the incident's uuid")
    removing.add_argument("responder", help="the person's name or email, the team, the ticket id, or its uuid")
    add_json_flag(removing)
    removing.set_defaults(handler=on_backend(run_remove))


def run_add(args: argparse.Namespace, backend: Backend) -> int:
    incident = backend.get_incident(lookup.incident_id(backend, args.incident)).incident
    if args.properties and not args.external:
        raise UsageError("--property is for an external responder (--external TYPE).")
    if args.person:
        draft = ResponderDraft(kind=ResponderKind.PERSON, person_id=lookup.person(backend, args.person).id)
    elif args.team:
        draft = ResponderDraft(kind=ResponderKind.TEAM, team_id=lookup.team(backend, args.team).id)
    else:
        draft = ResponderDraft(kind=ResponderKind.EXTERNAL, external_type=args.external,
                               properties=_properties(args.properties))
    responder = backend.add_responder(incident.id, draft)
    return print_result(backend, args, incident.id, lambda after: _said(incident.incident_id, "added", responder))


def run_remove(args: argparse.Namespace, backend: Backend) -> int:
    detail = backend.get_incident(lookup.incident_id(backend, args.incident))
    responder = lookup.responder(detail.responders, args.responder)
    backend.remove_responder(responder.id)
    return print_result(backend, args, detail.incident.id,
                        lambda after: _said(after.incident.incident_id, "removed", responder))


def _said(incident_id: str, done: str, responder: Responder) -> str:
    return f"{incident_id} responder {done}: {responder_kind(responder)} {responder_name(responder)}"


def _properties(pairs: list[str]) -> dict[str, str]:
    properties = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--property {pair!r} is not NAME=VALUE.")
        properties[name.strip()] = value
    return properties
