"""Every validation problem a user can meet reads as our sentence, with the field's human name."""

from uuid import uuid4

import pytest
from pydantic import ValidationError

from tui.config import Settings
from tui.domain.messages import sentence, sentences
from tui.domain.models import Identity, IncidentDraft, IncidentEdit, ResponderDraft, ResponderKind


def problems(model, **values) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        model(**values)
    return [sentence(problem) for problem in raised.value.errors()]


@pytest.mark.parametrize(("model", "values", "expected"), [
    (IncidentDraft, {"title": "x" * 600}, "The title is at most 500 characters (600 given)."),
    (IncidentDraft, {"title": "   "}, "A title is required: say in a line what is wrong."),
    (IncidentDraft, {}, "A title is required: say in a line what is wrong."),
    (IncidentDraft, {"title": "t", "severity": "Urgent"},
     "The severity must be one of 'Critical', 'High', 'Medium', 'Low' or 'Info' ('Urgent' given)."),
    (IncidentDraft, {"title": "t", "type": "outage"}, "The type must be one of 'availability', 'cost', "
     "'performance', 'security', 'technical_debt', 'compliance', 'integration' or 'reliability' ('outage' given)."),
    (IncidentDraft, {"title": "t", "commander_id": "bob"}, "The commander must be picked from the list ('bob' given)."),
    (IncidentDraft, {"title": "t", "config_ids": ["x"]},
     "The list of linked configs entry 0 must be picked from the list ('x' given)."),
    (IncidentDraft, {"title": "t", "description": 5}, "The description must be text (5 given)."),
    (IncidentEdit, {"title": "x" * 501}, "The title is at most 500 characters (501 given)."),
    (IncidentEdit, {"communicator_id": "nobody"}, "The communicator must be picked from the list ('nobody' given)."),
    (ResponderDraft, {"kind": "robot"}, "The kind of responder must be one of 'person', 'team' or 'external' "
                                        "('robot' given)."),
    (ResponderDraft, {"kind": ResponderKind.PERSON}, "A person responder needs a person."),
    (ResponderDraft, {"kind": ResponderKind.TEAM, "team_id": "t"},
     "The team must be picked from the list ('t' given)."),
    (ResponderDraft, {"kind": ResponderKind.EXTERNAL, "external_type": "pager"},
     "Unknown responder type 'pager'; known: email, jira, service_now, ca, aws_support, aws_ams_services_request, "
     "redhat, oracle, vmware, ms_planner."),
    (ResponderDraft, {"kind": ResponderKind.EXTERNAL, "external_type": "jira", "properties": {"project": 1}},
     "The responder details entry project must be text (1 given)."),
    (Identity, {"name": ""}, "The name is required."),
    (Identity, {"name": "n" * 501}, "The name is at most 500 characters (501 given)."),
    (Identity, {"name": "n", "email": 3}, "The email must be text (3 given)."),
    (Settings, {"db": ["x"]}, "The database (db) must be text (['x'] given)."),
    (Settings, {"keymap": "ctrl+x"}, "The keymap must be a table of names and values."),
    (Settings, {"keymap": {"incident.close": 1}}, "The keymap entry incident.close must be text (1 given)."),
    (Settings, {"colour": "blue"}, "There is no colour setting."),
])
def test_every_problem_is_our_sentence(model, values, expected):
    assert problems(model, **values) == [expected]


def test_no_sentence_is_the_libraries_own():
    with pytest.raises(ValidationError) as raised:
        IncidentDraft(title="x" * 600, severity="?", commander_id=str(uuid4())[:5])
    text = sentences(raised.value.errors())
    assert "should" not in text and "validation" not in text and "Value error" not in text
    assert text.startswith("The title is at most 500 characters (600 given). The severity must be one of")
