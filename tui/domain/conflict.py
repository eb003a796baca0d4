"""What a conflicting edit is up against: the fields someone else changed, beside what you meant.

A compare-and-set write that fails leaves the user's values in the dialog; this says, field by
field, what is stored now (theirs) and what the dialog would write (yours), so that saving again
over their change, or dropping it, is a decision made knowing both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from .enums import label
from .format import one_line
from .models import Incident, Person

FIELD_NAMES = {"title": "Title", "severity": "Severity", "type": "Type", "status": "Status",
               "commander_id": "Commander", "communicator_id": "Communicator", "description": "Description"}
"""The fields of an incident two people can change at once, in the order they are shown."""
VALUE_WIDTH = 40


def changed_fields(seen: Incident, latest: Incident) -> list[str]:
    return [field for field in FIELD_NAMES if getattr(seen, field) != getattr(latest, field)]


def describe_conflict(seen: Incident, latest: Incident, yours: Mapping[str, Any],
                      people: Mapping[UUID, Person]) -> str:
    """The sentence a dialog shows after a conflict: one line per field that differs.

    `yours` holds the values the write would have set (a person as a Person or an id, None for
    nobody); `people` names the ids."""
    theirs = changed_fields(seen, latest)
    lines = [f"{one_line(latest.incident_id, 20)} was changed by someone else since you opened it:"]
    for field in (field for field in FIELD_NAMES if field in theirs or field in yours):
        line = f"• {FIELD_NAMES[field]}: theirs {_shown(getattr(latest, field), people)}"
        if field in yours:
            line += f", yours {_shown(yours[field], people)}"
        else:
            line += f" (it was {_shown(getattr(seen, field), people)})"
        lines.append(line)
    lines.append("Saving again writes yours over theirs (only what you changed); esc keeps theirs.")
    return "\n".join(lines)


def _shown(value: Any, people: Mapping[UUID, Person]) -> str:
    if value is None:
        return "nobody"
    if isinstance(value, Person):
        return one_line(value.display, VALUE_WIDTH)
    if isinstance(value, UUID):
        person = people.get(value)
        return one_line(person.display, VALUE_WIDTH) if person else "someone no longer listed"
    if isinstance(value, str) and not hasattr(value, "label"):
        return f"“{one_line(value, VALUE_WIDTH)}”" if value else "empty"
    return one_line(label(value), VALUE_WIDTH)
