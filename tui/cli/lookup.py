"""What a command line names, found in the store: `INC-12`, `alice@example.com`, `me`, a team,
a config or check by name. An exact match wins (case ignored); otherwise a name that only one
candidate contains; several candidates are a usage error that lists them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from uuid import UUID

from ..domain import format as fmt
from ..domain.models import Check, ConfigItem, Person, Responder, Team
from ..store.base import Backend, NotFound
from .common import UsageError

T = TypeVar("T")
SHOWN_CANDIDATES = 5
ME = ("me", "@me")


def incident_id(backend: Backend, ref: str) -> UUID:
    """`INC-12`, `inc-12`, `12` or the incident's uuid."""
    text = ref.strip()
    as_uuid = _uuid(text)
    if as_uuid is not None:
        return as_uuid
    if re.fullmatch(r"\d+", text):
        text = f"INC-{text}"
    elif re.fullmatch(r"(?i)inc-\d+", text):
        text = text.upper()
    return backend.find_incident(text)


def person(backend: Backend, ref: str) -> Person:
    if ref.strip().lower() in ME:
        return backend.whoami()
    return choose("person", ref, backend.list_people(), lambda p: (str(p.id), p.name, p.email or ""))


def team(backend: Backend, ref: str) -> Team:
    return choose("team", ref, backend.list_teams(), lambda t: (str(t.id), t.name))


def config(backend: Backend, ref: str) -> ConfigItem:
    return choose("config", ref, backend.search_configs(ref), lambda c: (str(c.id), c.name))


def check(backend: Backend, ref: str) -> Check:
    return choose("health check", ref, backend.search_checks(ref), lambda c: (str(c.id), c.name))


def responder(responders: Iterable[Responder], ref: str) -> Responder:
    return choose("responder", ref, list(responders), _responder_names)


def _responder_names(responder: Responder) -> tuple[str, ...]:
    email = responder.person.email if responder.person else None
    return tuple(name for name in (str(responder.id), responder.name, email, responder.external_id) if name)


def choose(kind: str, ref: str, candidates: Sequence[T], names: Callable[[T], Iterable[str]]) -> T:
    wanted = ref.strip().casefold()
    if not wanted:
        raise UsageError(f"name a {kind}: the value is empty.")
    exact = [item for item in candidates if wanted in (name.casefold() for name in names(item))]
    partial = exact or [item for item in candidates if any(wanted in name.casefold() for name in names(item))]
    if len(partial) == 1:
        return partial[0]
    shown = fmt.one_line(repr(ref), 60)
    if not partial:
        raise NotFound(f"There is no {kind} {shown}.")
    listed = ", ".join(fmt.one_line(list(names(item))[1], 40) for item in partial[:SHOWN_CANDIDATES])
    more = f" and {len(partial) - SHOWN_CANDIDATES} more" if len(partial) > SHOWN_CANDIDATES else ""
    kinds = "people" if kind == "person" else f"{kind}s"
    raise UsageError(f"{shown} could be any of {len(partial)} {kinds} ({listed}{more}); give more of the name.")


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
