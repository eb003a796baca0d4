"""`incidents show INC-12`: an incident's details as the detail pane shows them, in plain text
(or, with --json, everything the store holds on it)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator
from uuid import UUID

from ..domain import lifecycle
from ..domain.describe import in_order, incident_url, person_line, responder_kind, responder_name, timeline_text
from ..domain.enums import label
from ..domain.format import clean
from ..domain.models import Check, ConfigItem, IncidentDetail
from ..store.base import Backend
from . import lookup
from .common import Commands, add_json_flag, on_backend, print_json

TIME_FORMAT = "%Y-%m-%d %H:%M"


def register(commands: Commands) -> None:
    parser = commands.add_parser("show", help="print an incident's details, people, links and timeline")
    parser.add_argument("incident", help="INC-12, 12, or the incident's uuid")
    add_json_flag(parser)
    parser.set_defaults(handler=on_backend(run_show))


def run_show(args: argparse.Namespace, backend: Backend) -> int:
    detail = backend.get_incident(lookup.incident_id(backend, args.incident))
    frontend = args.settings.frontend_url
    print_detail(detail, as_json=args.json, link=incident_url(frontend, detail.incident.id) if frontend else None)
    return 0


def print_detail(detail: IncidentDetail, *, as_json: bool, link: str | None = None) -> None:
    """With --json, everything stored plus the allowed transitions and (when frontend_url is set) the link."""
    if as_json:
        allowed = sorted(lifecycle.allowed_transitions(detail.incident), key=lambda status: status.rank)
        print_json(detail.model_dump(mode="json") | {"allowed_transitions": [status.value for status in allowed],
                                                     "link": link})
    else:
        print("\n".join(detail_lines(detail, link)))


def print_result(backend: Backend, args: argparse.Namespace, id: UUID,
                 sentence: Callable[[IncidentDetail], str]) -> int:
    """After a change: the incident as stored now with --json, else the sentence saying what happened."""
    after = backend.get_incident(id)
    if args.json:
        print_detail(after, as_json=True)
    else:
        print(clean(sentence(after)))
    return 0


def detail_lines(detail: IncidentDetail, link: str | None = None) -> Iterator[str]:
    incident = detail.incident
    yield f"{clean(incident.incident_id)}  {clean(incident.title)}"
    yield f"{label(incident.severity)} · {label(incident.type)} · {label(incident.status)}"
    for name, moment in (("Created", incident.created_at), ("Acknowledged", incident.acknowledged),
                         ("Resolved", incident.resolved), ("Closed", incident.closed),
                         ("Updated", incident.updated_at)):
        yield f"{name:<13} {f'{moment:{TIME_FORMAT}}' if moment else '–'}"
    allowed = sorted(lifecycle.allowed_transitions(incident), key=lambda status: status.rank)
    yield f"{'Can go to':<13} {', '.join(status.value for status in allowed)}"
    if link:
        yield f"{'Link':<13} {link}"
    yield ""
    for role, person in (("Commander", detail.commander), ("Communicator", detail.communicator),
                         ("Creator", detail.creator)):
        yield f"{role:<13} {person_line(person)}"
    if incident.description.strip():
        yield from ("", "Description", *(f"  {line}" for line in clean(incident.description,
                                                                        multiline=True).strip().splitlines()))
    yield from ("", f"Responders ({len(detail.responders)})")
    for responder in detail.responders:
        acked = f"acknowledged {responder.acknowledged:{TIME_FORMAT}}" if responder.acknowledged else "not acknowledged"
        yield f"  {clean(responder_kind(responder)):<8} {clean(responder_name(responder)):<40} {acked}"
    yield from _links("Configs", detail.configs)
    yield from _links("Checks", detail.checks)
    yield from ("", "Timeline (oldest first)")
    for entry in in_order(detail.timeline):
        lines = timeline_text(entry).splitlines() or [""]
        yield f"  {entry.at:{TIME_FORMAT}}  {lines[0]}"
        yield from (f"{'':<20}{line}" for line in lines[1:])


def _links(title: str, items: Iterable[ConfigItem | Check]) -> Iterator[str]:
    items = list(items)
    yield from ("", f"{title} ({len(items)})")
    for item in items:
        kind = f" ({clean(item.type)})" if item.type else ""
        note = getattr(item, "last_message", None)
        yield f"  {item.health.label:<10} {clean(item.name)}{kind}{f' — {clean(note)}' if note else ''}"
