"""Validation problems as our own sentences, not the validation library's.

    The title is at most 500 characters (600 given).
    The severity must be one of Critical, High, Medium, Low, Info ('Urgent' given).

`sentence(problem)` takes one entry of `pydantic.ValidationError.errors()`; every user-facing
field (the incident forms, responders, who "I" am, the config file) has a human name here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

FIELD_NAMES = {
    "title": "title", "description": "description", "severity": "severity", "type": "type",
    "commander_id": "commander", "communicator_id": "communicator", "config_ids": "list of linked configs",
    "check_ids": "list of linked health checks", "kind": "kind of responder", "person_id": "person",
    "team_id": "team", "external_type": "external system", "properties": "responder details",
    "name": "name", "email": "email", "db": "database (db)", "keymap": "keymap",
    "id": "id", "incident_id": "incident number", "status": "status", "created_by": "creator",
    "created_at": "creation time", "updated_at": "last update time", "acknowledged": "acknowledged time",
    "resolved": "resolved time", "closed": "closed time", "refresh_seconds": "refresh interval (refresh_seconds)",
    "api": "server URL (api)", "token": "token", "ca_bundle": "CA bundle (ca_bundle)",
    "read_only": "read-only setting (read_only)", "bell": "bell setting (bell)", "views": "saved views (views)",
    "profiles": "profiles table",
    "frontend_url": "web UI URL (frontend_url)",
}
SECRET = {"token"}
"""Fields whose value is never quoted back: a message may be read over a shoulder or pasted."""
REQUIRED = {"title": "A title is required: say in a line what is wrong."}
"""Where "is required" is not enough."""


def field_name(loc: Iterable[Any]) -> str:
    """`title`; a nested place such as ('keymap', 'incident.close') reads `keymap entry incident.close`."""
    parts = [str(part) for part in loc]
    if not parts:
        return "form"
    name = FIELD_NAMES.get(parts[0], parts[0].replace("_", " "))
    return f"{name} entry {'.'.join(parts[1:])}" if len(parts) > 1 else name


def _size(value: Any) -> str:
    return f"{len(value)} given" if hasattr(value, "__len__") else "given"


def _given(value: Any) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _too_long(name: str, ctx: dict[str, Any], given: Any) -> str:
    # A constrained str behind a validator reports `too_long`, as lists do: say characters for text.
    unit = " characters" if isinstance(given, str) else ""
    verb = "is" if isinstance(given, str) else "holds"
    return f"The {name} {verb} at most {ctx['max_length']}{unit} ({_size(given)})."


def _too_short(name: str, ctx: dict[str, Any], given: Any) -> str:
    if ctx["min_length"] == 1:
        return f"The {name} is required."
    unit = " characters" if isinstance(given, str) else ""
    return f"The {name} needs at least {ctx['min_length']}{unit} ({_size(given)})."


_SENTENCES: dict[str, Callable[[str, dict[str, Any], Any], str]] = {
    "missing": lambda name, ctx, given: f"The {name} is required.",
    "string_too_long": _too_long,
    "string_too_short": _too_short,
    "too_long": _too_long,
    "too_short": _too_short,
    "enum": lambda name, ctx, given: f"The {name} must be one of {ctx['expected']} ({_given(given)} given).",
    "literal_error": lambda name, ctx, given: f"The {name} must be one of {ctx['expected']} ({_given(given)} given).",
    "uuid_parsing": lambda name, ctx, given: f"The {name} must be picked from the list ({_given(given)} given).",
    "uuid_type": lambda name, ctx, given: f"The {name} must be picked from the list.",
    "string_type": lambda name, ctx, given: f"The {name} must be text ({_given(given)} given).",
    "dict_type": lambda name, ctx, given: f"The {name} must be a table of names and values.",
    "tuple_type": lambda name, ctx, given: f"The {name} must be a list.",
    "list_type": lambda name, ctx, given: f"The {name} must be a list.",
    "extra_forbidden": lambda name, ctx, given: f"There is no {name} setting.",
    "datetime_parsing": lambda name, ctx, given: f"The {name} {_given(given)} is not a time.",
    "datetime_from_date_parsing": lambda name, ctx, given: f"The {name} {_given(given)} is not a time.",
    "datetime_type": lambda name, ctx, given: f"The {name} {_given(given)} is not a time.",
    "int_parsing": lambda name, ctx, given: f"The {name} must be a whole number ({_given(given)} given).",
    "float_parsing": lambda name, ctx, given: f"The {name} must be a number ({_given(given)} given).",
    "greater_than_equal":
        lambda name, ctx, given: f"The {name} must be at least {ctx['ge']:g} ({_given(given)} given).",
    "bool_parsing": lambda name, ctx, given: f"The {name} must be true or false ({_given(given)} given).",
}


def sentence(problem: Any) -> str:
    """One validation problem (an entry of `ValidationError.errors()`) as a sentence."""
    loc = tuple(problem.get("loc", ()))
    name, kind, ctx, given = field_name(loc), problem["type"], problem.get("ctx") or {}, problem.get("input")
    required = kind == "missing" or (kind.endswith("too_short") and ctx.get("min_length") == 1)
    if required and len(loc) == 1 and loc[0] in REQUIRED:
        return REQUIRED[loc[0]]
    if kind == "value_error":  # our own validators' messages, already written for people
        text = str(ctx.get("error", "")).strip() or f"the {name} is not valid"
        text = text[0].upper() + text[1:]
        return text if text.endswith(".") else text + "."
    make = _SENTENCES.get(kind)
    if loc and loc[0] in SECRET and kind != "missing":
        return f"The {name} is not valid (its value is not shown)."
    return make(name, ctx, given) if make is not None else f"The {name} is not valid."


def sentences(problems: Iterable[Any]) -> str:
    return " ".join(sentence(problem) for problem in problems)
