"""After a failed compare-and-set, the dialog says what the other person changed and what yours sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from tui.domain.conflict import describe_conflict
from tui.domain.enums import IncidentType, Severity, Status
from tui.domain.models import Incident, Person

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PRIYA = Person(id=uuid4(), name="Priya Raman", email="priya@example.com")
MEI = Person(id=uuid4(), name="Mei Lin", email="mei@example.com")
PEOPLE = {person.id: person for person in (PRIYA, MEI)}


def incident(**changes) -> Incident:
    base = dict(id=uuid4(), incident_id="INC-7", title="db down", severity=Severity.HIGH, status=Status.OPEN,
                type=IncidentType.AVAILABILITY, created_by=PRIYA.id, commander_id=PRIYA.id,
                created_at=NOW, updated_at=NOW)
    return Incident(**base | changes)


def test_theirs_beside_yours_and_what_it_was_where_you_changed_nothing():
    seen = incident()
    latest = seen.model_copy(update={"severity": Severity.LOW, "commander_id": MEI.id, "title": "db slow",
                                     "updated_at": NOW + timedelta(minutes=1)})
    lines = describe_conflict(seen, latest, {"title": "db down again", "communicator_id": None},
                              PEOPLE).splitlines()
    assert lines == [
        "INC-7 was changed by someone else since you opened it:",
        "• Title: theirs “db slow”, yours “db down again”",
        "• Severity: theirs Low (it was High)",
        "• Commander: theirs Mei Lin (it was Priya Raman)",
        "• Communicator: theirs nobody, yours nobody",
        "Saving again writes yours over theirs (only what you changed); esc keeps theirs.",
    ]


def test_text_from_the_database_is_cleaned_and_cut():
    seen = incident()
    latest = seen.model_copy(update={"title": "\x1b]52;c;evil\x07" + "x" * 100})
    message = describe_conflict(seen, latest, {"status": Status.RESOLVED}, PEOPLE)
    assert "\x1b" not in message and "\x07" not in message
    assert "• Status: theirs Open, yours Resolved" in message
    title_line = next(line for line in message.splitlines() if line.startswith("• Title"))
    assert title_line == "• Title: theirs “" + "x" * 39 + "…” (it was “db down”)"
