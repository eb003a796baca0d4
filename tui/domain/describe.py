"""Incident facts in words, for every reader: the detail pane, `incidents show` and the export.

A history row is a phrase crediting its actor ("marked it mitigated", "added responder Bob");
a responder is the person, the team, or the external system and its ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

from . import lifecycle, plan
from .enums import Status, parse_status
from .format import clean
from .models import Person, Responder, ResponderKind, TimelineEntry, TimelineKind

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def is_comment(entry: TimelineEntry) -> bool:
    return entry.kind is TimelineKind.COMMENT or entry.type == lifecycle.HISTORY_COMMENTED


def history_phrase(kind: str, text: str) -> str:
    """What a history row of type `kind` with `text` says its actor did (a uuid in `text` is left out)."""
    detail = "" if _UUID.match(text) else text
    if kind == lifecycle.HISTORY_STATUS_UPDATED:
        return status_phrase(text)
    phrase = {
        lifecycle.HISTORY_ACKNOWLEDGED: "acknowledged",
        lifecycle.HISTORY_CREATED: "created the incident",
        lifecycle.HISTORY_UPDATED: "edited the incident",
        lifecycle.HISTORY_RESPONDER_CREATED: "added responder",
        lifecycle.HISTORY_RESPONDER_REMOVED: "removed responder",
        **PLAN_PHRASES,
    }.get(kind)
    if phrase is None:
        return f"{clean(kind) or 'did something'}: {detail}" if detail else clean(kind)
    if kind == lifecycle.HISTORY_ACKNOWLEDGED or not detail:
        return phrase
    return f"{phrase} {detail}" if kind.startswith(("responder.", "evidence.")) else f"{phrase}: {detail}"


PLAN_PHRASES = {
    plan.HISTORY_HYPOTHESIS_CREATED: "added to the action plan",
    plan.HISTORY_HYPOTHESIS_STATUS: "marked a hypothesis",
    plan.HISTORY_HYPOTHESIS_UPDATED: "edited the action plan",
    plan.HISTORY_EVIDENCE_CREATED: "linked",
    plan.HISTORY_EVIDENCE_REMOVED: "unlinked",
    plan.HISTORY_DOD_ADDED: "added to the definition of done:",
    plan.HISTORY_DOD_REMOVED: "took out of the definition of done:",
    plan.HISTORY_EVIDENCE_DONE: "marked evidence",
}


def status_phrase(raw: str) -> str:
    status = parse_status(raw)
    if not isinstance(status, Status):
        return f"set the status to {raw}"
    return {Status.OPEN: "reopened it", Status.CLOSED: "closed it",
            Status.CANCELLED: "cancelled it"}.get(status, f"marked it {status.value}")


def responder_name(responder: Responder) -> str:
    """Who or what responds: the person, the team, or the external system and its ticket id."""
    if responder.kind is not ResponderKind.EXTERNAL:
        return responder.name
    ticket = responder.external_id or "no ticket yet"
    summary = next((str(responder.properties[key]) for key in ("summary", "title", "subject", "to")
                    if responder.properties.get(key)), "")
    return f"{ticket} · {summary}" if summary else ticket


def responder_kind(responder: Responder) -> str:
    """`person`, `team`, or the external system (`jira`)."""
    if responder.kind is ResponderKind.EXTERNAL:
        return responder.external_type or "external"
    return str(responder.kind.value)


def person_line(person: Person | None) -> str:
    """`Alice Example <alice@example.com>`, `System (automatic)`, or `nobody`."""
    if person is None:
        return "nobody"
    name = clean(person.display)
    return f"{name} <{clean(person.email)}>" if person.email else name


def timeline_text(entry: TimelineEntry) -> str:
    """A history row or comment as a plain sentence crediting the person who acted (newlines kept
    in a comment)."""
    who = clean(entry.actor.display)
    text = clean(entry.text, multiline=True).strip()
    if is_comment(entry):
        return f"{who} commented: “{text}”"
    return f"{who} {history_phrase(entry.type or '', text)}"


def in_order(timeline: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Oldest first; entries at the same moment keep their stored order."""
    return sorted(timeline, key=lambda entry: entry.at)


def incident_url(frontend_url: str, id: UUID) -> str:
    """The incident's page in Mission Control's web UI (it routes `/incidents/:id`, the uuid)."""
    return f"{frontend_url.rstrip('/')}/incidents/{id}"


def config_url(frontend_url: str, id: UUID) -> str:
    """A config item's page in Mission Control's web UI (the catalog routes `/catalog/:id`)."""
    return f"{frontend_url.rstrip('/')}/catalog/{id}"


def check_url(frontend_url: str, id: UUID) -> str:
    """A health check's page in Mission Control's web UI (the health page, opened on that check)."""
    return f"{frontend_url.rstrip('/')}/health?checkId={id}"
