"""A postmortem draft of an incident: what happened and to what, who was on it, who did what
when, and what is still to do.

`postmortem(detail, now)` is the draft as data (`incidents export --format json`); `markdown(draft)`
writes the same draft for people to finish (`--format markdown`). Pure: no I/O, `now` is given.
Times are UTC. Stored text is cleaned of control characters; the Markdown escapes what would
otherwise become markup (table bars, raw HTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from . import lifecycle
from .describe import in_order, is_comment, responder_kind, responder_name, timeline_text
from .enums import Health, IncidentType, Severity, Status, label, parse_status
from .format import clean
from .models import Check, ConfigItem, IncidentDetail, Person, Responder

Draft = dict[str, Any]
"""The postmortem as JSON-ready data: the keys are documented in `postmortem`."""

TIME_FORMAT = "%Y-%m-%d %H:%M UTC"
HURTING = frozenset({Health.UNHEALTHY, Health.WARNING})
"""The health of a linked config or check that makes it a follow-up."""


def postmortem(detail: IncidentDetail, now: datetime, link: str | None = None) -> Draft:
    """Keys: incident (with its Mission Control `link`, if known), summary, impact, people, responders,
    configs, checks, timeline, hypotheses, follow_ups, generated_at. Times are ISO 8601; durations
    are seconds (with a `_text` twin)."""
    incident = detail.incident
    return {
        "incident": {"id": str(incident.id), "incident_id": clean(incident.incident_id), "title": clean(incident.title),
                     "severity": label(incident.severity), "type": label(incident.type),
                     "status": label(incident.status), "link": link},
        "summary": {"sentence": summary_sentence(detail, now),
                    "description": clean(incident.description, multiline=True).strip()},
        "impact": impact(detail, now),
        "people": {role: _person(person) for role, person in (
            ("commander", detail.commander), ("communicator", detail.communicator), ("creator", detail.creator))},
        "responders": [_responder(responder) for responder in detail.responders],
        "configs": [_linked(item) for item in detail.configs],
        "checks": [_linked(item) for item in detail.checks],
        "timeline": [{"at": _iso(entry.at), "actor": clean(entry.actor.display),
                      "kind": "comment" if is_comment(entry) else "history", "type": entry.type,
                      "sentence": timeline_text(entry)} for entry in in_order(detail.timeline)],
        "hypotheses": [],
        "follow_ups": follow_ups(detail),
        "generated_at": _iso(now),
    }


# -- what happened ---------------------------------------------------------------------------


def summary_sentence(detail: IncidentDetail, now: datetime) -> str:
    """`INC-12 was a Medium performance incident, open 5d 16h from … to … (closed).`"""
    incident = detail.incident
    ended = _ended(detail)
    kind = f"{label(incident.severity)} {label(incident.type).lower()} incident"
    span = f"from {incident.created_at.astimezone(UTC):{TIME_FORMAT}}"
    if ended is None:
        return (f"{clean(incident.incident_id)} is a {kind}, {label(incident.status).lower()} for "
                f"{duration(now - incident.created_at)} so far ({span}).")
    return (f"{clean(incident.incident_id)} was a {kind}, open for {duration(ended - incident.created_at)} "
            f"({span} to {ended.astimezone(UTC):{TIME_FORMAT}}, {label(incident.status).lower()}).")


def impact(detail: IncidentDetail, now: datetime) -> dict[str, Any]:
    incident = detail.incident
    started = incident.created_at
    milestones = {"acknowledge": incident.acknowledged, "mitigate": _first_status(detail, Status.MITIGATED),
                  "resolve": incident.resolved}
    ended = _ended(detail)
    facts: dict[str, Any] = {
        "severity": label(incident.severity), "severity_meaning": _meaning(incident.severity),
        "type": label(incident.type), "type_meaning": _meaning(incident.type),
        "started": _iso(started), "ended": _iso(ended) if ended else None, "ongoing": ended is None,
        "duration_seconds": int(((ended or now) - started).total_seconds()),
        "duration_text": duration((ended or now) - started),
    }
    for step, moment in milestones.items():
        facts[f"time_to_{step}_seconds"] = int((moment - started).total_seconds()) if moment else None
        facts[f"time_to_{step}_text"] = duration(moment - started) if moment else None
    facts["unhealthy_now"] = [clean(item.name) for _, item in _links(detail) if item.health in HURTING]
    return facts


def _ended(detail: IncidentDetail) -> datetime | None:
    """When the incident stopped hurting: resolved, else closed (cancelled); None while it is active."""
    incident = detail.incident
    return incident.resolved or incident.closed


def _first_status(detail: IncidentDetail, status: Status) -> datetime | None:
    return next((entry.at for entry in in_order(detail.timeline)
                 if entry.type == lifecycle.HISTORY_STATUS_UPDATED and parse_status(entry.text) is status), None)


def _meaning(value: Severity | IncidentType | str) -> str:
    return value.description if isinstance(value, Severity | IncidentType) else ""


_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def duration(span: timedelta) -> str:
    """`45s`, `12m`, `3h 5m`, `5d 16h`: the largest unit and the next one when it is not 0, rounded down."""
    seconds = max(int(span.total_seconds()), 0)
    index = next(i for i, (_, size) in enumerate(_UNITS) if seconds >= size or size == 1)
    suffix, size = _UNITS[index]
    shown = f"{seconds // size}{suffix}"
    if index + 1 < len(_UNITS):
        next_suffix, next_size = _UNITS[index + 1]
        rest = seconds % size // next_size
        if rest:
            shown += f" {rest}{next_suffix}"
    return shown


# -- who and what ----------------------------------------------------------------------------


def _person(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": str(person.id), "name": clean(person.display), "email": clean(person.email or "") or None}


def _responder(responder: Responder) -> dict[str, Any]:
    return {"kind": clean(responder_kind(responder)), "name": clean(responder_name(responder)),
            "acknowledged": _iso(responder.acknowledged) if responder.acknowledged else None}


def _linked(item: ConfigItem | Check) -> dict[str, Any]:
    note = getattr(item, "last_message", None)
    return {"id": str(item.id), "name": clean(item.name), "type": clean(item.type or "") or None,
            "health": item.health.value, **({"last_message": clean(note)} if note else {})}


# -- what is left to do ----------------------------------------------------------------------


NEXT_STEPS = {Status.OPEN: "Mitigate the impact, find the root cause and resolve the incident.",
              Status.MITIGATED: "Temporary measures are in place: fix the root cause and resolve the incident.",
              Status.RESOLVED: "Confirm the fix holds, then close the incident."}


def follow_ups(detail: IncidentDetail) -> list[str]:
    """What the incident's own state says is still open, most important first."""
    incident = detail.incident
    status = parse_status(incident.status)
    effective = status.effective if isinstance(status, Status) else status
    todo = NEXT_STEPS.get(effective) if isinstance(effective, Status) else None
    items = [todo] if todo else []
    if detail.commander is None and effective is not Status.CANCELLED:
        items.append("Assign an incident commander.")
    items += [f"{clean(responder_name(r))} ({clean(responder_kind(r))}) has not acknowledged."
              for r in detail.responders if r.acknowledged is None and not lifecycle.is_read_only(incident)]
    items += [f"{kind} {clean(item.name)} is {item.health.value} now{_because(item)}."
              for kind, item in _links(detail) if item.health in HURTING]
    return items


def _links(detail: IncidentDetail) -> Iterator[tuple[str, ConfigItem | Check]]:
    yield from (("Config", item) for item in detail.configs)
    yield from (("Check", item) for item in detail.checks)


def _because(item: ConfigItem | Check) -> str:
    note = getattr(item, "last_message", None)
    return f": {clean(note)}" if note else ""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# -- Markdown ----------------------------------------------------------------------------------

_MARKUP = re.compile(r"([\\`*<>|])|^(#)", re.MULTILINE)


def text(value: str) -> str:
    """Stored text as literal Markdown: what would become code, emphasis, HTML, a table bar or a
    heading is escaped; the rest (brackets, underscores inside names) is left readable."""
    return _MARKUP.sub(lambda match: "\\" + match.group(0), value)


def cell(value: str) -> str:
    """Text for a table cell: escaped, its line breaks as <br>."""
    return "<br>".join(text(line) for line in value.splitlines()) or " "


def markdown(draft: Draft) -> str:
    return "\n".join(_markdown_lines(draft)) + "\n"


def _markdown_lines(draft: Draft) -> Iterator[str]:
    incident, impact_, people = draft["incident"], draft["impact"], draft["people"]
    yield f"# Postmortem draft: {text(incident['incident_id'])} {text(incident['title'])}"
    yield ""
    yield (f"*{incident['severity']} · {incident['type']} · {incident['status']}. A draft generated from the "
           f"incident's record at {_shown(draft['generated_at'])}: check it and fill in what only people know.*")
    if incident["link"]:
        yield from ("", f"In Mission Control: <{incident['link']}>")
    yield from _section("Summary", [text(draft["summary"]["sentence"]), *(
        [""] + [text(line) for line in draft["summary"]["description"].splitlines()]
        if draft["summary"]["description"] else [])])
    yield from _section("Impact", _impact_lines(impact_, draft))
    yield from _section("People", [f"- **{role.capitalize()}:** {_who(people[role])}"
                                   for role in ("commander", "communicator", "creator")])
    yield from _section("Responders", [
        f"- {text(r['kind'])}: {text(r['name'])}, "
        + (f"acknowledged {_shown(r['acknowledged'])}" if r["acknowledged"] else "not acknowledged")
        for r in draft["responders"]] or ["None."])
    yield from _section("Linked configs and checks", _link_table(draft))
    yield from _section("Timeline", ["All times UTC, oldest first.", "", "| When | What happened |", "|---|---|",
                                     *(f"| {_shown(entry['at'])} | {cell(entry['sentence'])} |"
                                       for entry in draft["timeline"])] if draft["timeline"] else ["Nothing recorded."])
    yield from _section("Hypotheses", ["None recorded yet: add the suspected causes and what was tried."])
    yield from _section("Root cause", ["*To be written.*"])
    yield from _section("Open follow-ups", [f"- [ ] {text(item)}" for item in draft["follow_ups"]]
                        or ["Nothing left open on the record."])
    yield from _section("Lessons learned", ["*What went well, what did not, what we change.*"])


def _section(title: str, lines: Iterable[str]) -> Iterator[str]:
    yield from ("", f"## {title}", "")
    yield from lines


def _impact_lines(impact_: dict[str, Any], draft: Draft) -> Iterator[str]:
    meaning = f" ({text(impact_['severity_meaning'].lower())})" if impact_["severity_meaning"] else ""
    yield f"- **Severity:** {text(impact_['severity'])}{meaning}"
    kind = f" ({text(impact_['type_meaning'].lower())})" if impact_["type_meaning"] else ""
    yield f"- **Type:** {text(impact_['type'])}{kind}"
    end = "ongoing" if impact_["ongoing"] else _shown(impact_["ended"])
    yield f"- **Duration:** {impact_['duration_text']} ({_shown(impact_['started'])} to {end})"
    for step in ("acknowledge", "mitigate", "resolve"):
        yield f"- **Time to {step}:** {impact_[f'time_to_{step}_text'] or 'not yet'}"
    affected = [text(item["name"]) for item in (*draft["configs"], *draft["checks"])]
    yield f"- **Affected:** {', '.join(affected) if affected else 'no config or check linked'}"
    if impact_["unhealthy_now"]:
        yield f"- **Still not healthy:** {', '.join(text(name) for name in impact_['unhealthy_now'])}"


def _link_table(draft: Draft) -> list[str]:
    rows = [f"| {kind} | {cell(item['name'])} | {cell(item['type'] or '')} | {item['health']} "
            f"| {cell(item.get('last_message', ''))} |"
            for kind, items in (("Config", draft["configs"]), ("Check", draft["checks"])) for item in items]
    if not rows:
        return ["None linked."]
    return ["| Kind | Name | Type | Health now | Last message |", "|---|---|---|---|---|", *rows]


def _who(person: dict[str, Any] | None) -> str:
    if person is None:
        return "nobody"
    return f"{text(person['name'])} ({text(person['email'])})" if person["email"] else text(person["name"])


def _shown(iso: str) -> str:
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"
