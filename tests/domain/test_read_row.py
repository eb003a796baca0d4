"""A board row from stored values that do not all validate."""

from datetime import UTC, datetime
from uuid import uuid4

from tui.domain.enums import Status
from tui.domain.models import read_row

GOOD = {"id": uuid4(), "incident_id": "INC-1", "title": "db down", "severity": "High", "status": "open",
        "type": "cost", "created_at": datetime(2026, 11, 20, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 20, tzinfo=UTC)}


def test_a_readable_row_has_no_problems():
    assert read_row(GOOD).problems == ()


def test_each_unreadable_value_gets_a_stand_in_and_a_sentence():
    row = read_row({**GOOD, "id": "x-1", "title": None, "created_at": "soon", "config_count": "many"})
    assert row.problems == ("The id 'x-1' is not a UUID.", "The title is missing.",
                            "The config count 'many' is not readable.", "The creation time 'soon' is not a time.")
    assert row.title == "" and row.created_at is None and row.config_count == 0
    assert row.status is Status.OPEN and row.updated_at == GOOD["updated_at"]
    assert read_row({**GOOD, "id": "x-1"}).id == read_row({**GOOD, "id": "x-1", "title": "other"}).id


def test_binary_text_is_decoded_as_well_as_it_can_be():
    row = read_row({**GOOD, "title": b"db \xff down"})
    assert row.title == "db \N{REPLACEMENT CHARACTER} down"
    assert row.problems == ("The title is binary data (9 bytes), not text.",)
