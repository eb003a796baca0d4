"""The postmortem draft (`incidents export`): its sections, its timeline in order, the impact's
durations, the follow-ups the incident's state implies, and stored text kept literal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from tui.domain.enums import Health, IncidentType, Severity, Status
from tui.domain.lifecycle import HISTORY_ACKNOWLEDGED, HISTORY_CREATED, HISTORY_STATUS_UPDATED
from tui.domain.models import (
    Check,
    ConfigItem,
    Incident,
    IncidentDetail,
    Person,
    Responder,
    ResponderKind,
    TimelineEntry,
    TimelineKind,
)
from tui.domain.postmortem import duration, markdown, postmortem

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ALICE = Person(id=uuid4(), name="Alice Example", email="alice@example.com")
BOB = Person(id=uuid4(), name="Bob Builder", email="bob@example.com")
SYSTEM = Person(id=uuid4(), name="System")


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def history(minutes: int, actor: Person, type: str, text: str = "") -> TimelineEntry:
    return TimelineEntry(kind=TimelineKind.HISTORY, actor=actor, at=at(minutes), type=type, text=text)


def comment(minutes: int, actor: Person, text: str) -> TimelineEntry:
    return TimelineEntry(kind=TimelineKind.COMMENT, actor=actor, at=at(minutes), text=text)


def detail(status: Status = Status.RESOLVED, **changes) -> IncidentDetail:
    incident = Incident(id=uuid4(), incident_id="INC-42", title="Checkout latency over 2 s",
                        description="Customers see slow checkouts.\nMostly in eu-west-1.",
                        severity=Severity.HIGH, status=status, type=IncidentType.PERFORMANCE, created_by=SYSTEM.id,
                        commander_id=ALICE.id, acknowledged=at(12),
                        resolved=at(190) if status in (Status.RESOLVED, Status.CLOSED) else None,
                        created_at=START, updated_at=at(190))
    # Stored out of order on purpose: the draft puts comments and history rows in time order.
    timeline = (comment(95, BOB, "Rolled back to 1.4.2; p99 back under 300 ms."),
                history(0, SYSTEM, HISTORY_CREATED),
                history(12, ALICE, HISTORY_ACKNOWLEDGED, "acknowledged"),
                history(90, ALICE, HISTORY_STATUS_UPDATED, "mitigated"),
                comment(30, ALICE, "Looks like the new payment client."),
                history(190, ALICE, HISTORY_STATUS_UPDATED, "resolved"))
    values = dict(
        incident=incident, creator=SYSTEM, commander=ALICE,
        responders=(Responder(id=uuid4(), incident_id=incident.id, kind=ResponderKind.PERSON, person=BOB,
                              created_at=at(20)),
                    Responder(id=uuid4(), incident_id=incident.id, kind=ResponderKind.EXTERNAL, external_type="jira",
                              external_id="OPS-7", properties={"summary": "Roll back payments"}, acknowledged=at(40),
                              created_at=at(25))),
        configs=(ConfigItem(id=uuid4(), name="checkout-api", type="Kubernetes::Deployment", health=Health.HEALTHY),),
        checks=(Check(id=uuid4(), name="checkout-p99", type="http", health=Health.UNHEALTHY,
                      last_message="p99 2.4 s"),),
        timeline=timeline)
    return IncidentDetail(**(values | changes))


def test_the_draft_has_every_section_of_a_postmortem_in_order() -> None:
    text = markdown(postmortem(detail(), NOW))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Postmortem draft: INC-42 Checkout latency over 2 s", "## Summary", "## Impact", "## People",
                        "## Responders", "## Linked configs and checks", "## Timeline", "## Hypotheses",
                        "## Root cause", "## Open follow-ups", "## Lessons learned"]
    assert "INC-42 was a High performance incident, open for 3h 10m (from 2026-11-20 09:00 UTC to " \
           "2026-11-20 12:10 UTC, resolved)." in text
    assert "Customers see slow checkouts.\nMostly in eu-west-1." in text


def test_the_timeline_mixes_history_and_comments_oldest_first() -> None:
    draft = postmortem(detail(), NOW)
    assert [entry["sentence"] for entry in draft["timeline"]] == [
        "System (automatic) created the incident",
        "Alice Example acknowledged",
        "Alice Example commented: “Looks like the new payment client.”",
        "Alice Example marked it mitigated",
        "Bob Builder commented: “Rolled back to 1.4.2; p99 back under 300 ms.”",
        "Alice Example marked it resolved",
    ]
    text = markdown(draft)
    assert "| 2026-11-20 10:30 | Alice Example marked it mitigated |" in text
    assert text.index("created the incident") < text.index("new payment client") < text.index("marked it resolved")


def test_impact_measures_acknowledge_mitigate_and_resolve_from_the_record() -> None:
    impact = postmortem(detail(), NOW)["impact"]
    assert (impact["time_to_acknowledge_seconds"], impact["time_to_mitigate_seconds"],
            impact["time_to_resolve_seconds"]) == (12 * 60, 90 * 60, 190 * 60)
    assert impact["time_to_mitigate_text"] == "1h 30m" and impact["duration_text"] == "3h 10m"
    assert impact["severity_meaning"] == Severity.HIGH.description and not impact["ongoing"]
    assert impact["unhealthy_now"] == ["checkout-p99"]


def test_an_open_incident_is_ongoing_and_its_follow_ups_say_what_is_left() -> None:
    draft = postmortem(detail(Status.OPEN, commander=None), NOW)
    assert draft["impact"]["ongoing"] and draft["impact"]["duration_text"] == "3d 3h"
    assert draft["impact"]["time_to_resolve_seconds"] is None
    assert draft["follow_ups"] == [
        "Mitigate the impact, find the root cause and resolve the incident.",
        "Assign an incident commander.",
        "Bob Builder (person) has not acknowledged.",
        "Check checkout-p99 is unhealthy now: p99 2.4 s.",
    ]
    text = markdown(draft)
    assert "is a High performance incident, open for 3d 3h so far" in text
    assert "- [ ] Assign an incident commander." in text
    assert "- **Time to resolve:** not yet" in text


def test_people_responders_and_links_are_named() -> None:
    text = markdown(postmortem(detail(), NOW))
    assert "- **Commander:** Alice Example (alice@example.com)" in text
    assert "- **Communicator:** nobody" in text
    assert "- **Creator:** System (automatic)" in text
    assert "- person: Bob Builder, not acknowledged" in text
    assert "- jira: OPS-7 · Roll back payments, acknowledged 2026-11-20 09:40" in text
    assert "| Check | checkout-p99 | http | unhealthy | p99 2.4 s |" in text


def test_stored_text_stays_literal_markdown_and_control_characters_go() -> None:
    hostile = comment(50, BOB, "a | b <script>x</script> `code` **bold**\x1b[2J\nsecond line")
    text = markdown(postmortem(detail(timeline=(hostile,),
                                      configs=(ConfigItem(id=uuid4(), name="# not a heading"),)), NOW))
    assert "a \\| b \\<script\\>x\\</script\\> \\`code\\` \\*\\*bold\\*\\*<br>second line" in text
    assert "\x1b" not in text and "<script>" not in text
    assert "| \\# not a heading |" in text


def test_the_json_draft_is_json_with_the_same_facts() -> None:
    draft = json.loads(json.dumps(postmortem(detail(), NOW)))
    assert draft["incident"]["incident_id"] == "INC-42" and draft["incident"]["status"] == "Resolved"
    assert draft["people"]["commander"]["email"] == "alice@example.com" and draft["people"]["communicator"] is None
    assert [item["name"] for item in draft["configs"] + draft["checks"]] == ["checkout-api", "checkout-p99"]
    assert draft["timeline"][0]["at"] == "2026-11-20T09:00:00+00:00" and draft["timeline"][2]["kind"] == "comment"
    assert draft["follow_ups"] == ["Confirm the fix holds, then close the incident.", "Bob Builder (person) has not "
                                   "acknowledged.", "Check checkout-p99 is unhealthy now: p99 2.4 s."]


def test_durations_show_two_units_at_most() -> None:
    assert [duration(timedelta(seconds=s)) for s in (0, 45, 60, 3 * 3600 + 5 * 60, 5 * 86400 + 16 * 3600 + 59,
                                                     2 * 86400)] == ["0s", "45s", "1m", "3h 5m", "5d 16h", "2d"]


def test_the_link_to_mission_control_heads_the_draft_when_known() -> None:
    assert postmortem(detail(), NOW)["incident"]["link"] is None
    assert "In Mission Control" not in markdown(postmortem(detail(), NOW))
    linked = markdown(postmortem(detail(), NOW, "https://mc.example.com/incidents/1"))
    assert linked.splitlines()[4] == "In Mission Control: <https://mc.example.com/incidents/1>"
