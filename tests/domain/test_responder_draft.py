"""An external responder names the system and what it needs to open a ticket or send a message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tui.domain.models import (
    EXTERNAL_RESPONDER_FIELDS,
    REQUIRED_EXTERNAL_FIELDS,
    ResponderDraft,
    ResponderKind,
    external_property_problems,
)


def external(kind: str, **properties: str) -> ResponderDraft:
    return ResponderDraft(kind=ResponderKind.EXTERNAL, external_type=kind, properties=properties)


@pytest.mark.parametrize("kind", list(EXTERNAL_RESPONDER_FIELDS))
def test_every_kind_refuses_blank_required_fields_and_takes_them_filled(kind):
    required = REQUIRED_EXTERNAL_FIELDS[kind]
    assert required and required <= set(EXTERNAL_RESPONDER_FIELDS[kind])
    with pytest.raises(ValidationError, match="is required"):
        external(kind)
    assert set(external_property_problems(kind, {})) == required
    filled = {name: "sre@example.com" if name == "to" else "x" for name in required}
    assert external(kind, **filled).properties == filled
    with pytest.raises(ValidationError, match="is required"):
        external(kind, **filled | {sorted(required)[0]: "   "})


@pytest.mark.parametrize("to", ["not-an-email", "sre@", "@example.com", "sre@example.com, nope"])
def test_an_email_responder_needs_real_addresses(to):
    problems = external_property_problems("email", {"to": to, "subject": "db down"})
    assert list(problems) == ["to"]
    assert "is not an email address: write it as name@example.com" in problems["to"]
    with pytest.raises(ValidationError, match="is not an email address"):
        external("email", to=to, subject="db down")


def test_an_email_responder_may_write_to_several_addresses():
    draft = external("email", to="sre@example.com, dba@example.org", subject="db down")
    assert draft.properties["to"] == "sre@example.com, dba@example.org"


def test_a_planner_priority_is_one_planner_knows():
    base = {"plan_id": "p", "bucket_id": "b", "title": "t"}
    assert external_property_problems("ms_planner", base | {"priority": "urgent"}) == {}
    assert external_property_problems("ms_planner", base | {"priority": "p1"}) == {
        "priority": "Priority is one of urgent, important, medium, low (or left empty)."}
