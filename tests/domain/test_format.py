"""Display helpers: short ages, and incident text that cannot drive the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.domain import clock
from tui.domain.format import age, cell_width, clean, one_line

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "shown"), [
    (timedelta(0), "0s"),
    (timedelta(seconds=45), "45s"),
    (timedelta(seconds=59.9), "59s"),
    (timedelta(minutes=1), "1m"),
    (timedelta(minutes=12, seconds=59), "12m"),
    (timedelta(hours=3, minutes=59), "3h"),
    (timedelta(hours=23, minutes=59), "23h"),
    (timedelta(days=1), "1d"),
    (timedelta(days=5), "5d"),
    (timedelta(days=13, hours=23), "13d"),
    (timedelta(days=14), "2w"),
    (timedelta(weeks=8, days=3), "8w"),
    (timedelta(weeks=51, days=6), "51w"),
    (timedelta(weeks=52), "1y"),
    (timedelta(days=2 * 365 + 30), "2y"),
    (timedelta(minutes=-5), "0s"),  # a clock ahead of ours
])
def test_age_of_a_duration(delta, shown):
    assert age(delta, NOW) == shown


def test_age_since_a_moment():
    assert age(NOW - timedelta(hours=3), NOW) == "3h"


def test_naive_moments_are_utc():
    naive = (NOW - timedelta(minutes=12)).replace(tzinfo=None)
    assert age(naive, NOW) == "12m"
    assert age(NOW, NOW.replace(tzinfo=None) + timedelta(days=5)) == "5d"


def test_age_defaults_to_the_clock():
    clock.freeze(NOW)
    try:
        assert age(NOW - timedelta(days=9)) == "9d"
    finally:
        clock.freeze(None)


@pytest.mark.parametrize(("raw", "safe"), [
    ("plain text [SEV1] 100%", "plain text [SEV1] 100%"),
    ("\x1b[31mred\x1b[0m alert", "red alert"),
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("\x1b[?1049hscreen", "screen"),
    ("\x1b]0;pwned title\x07after", "after"),
    ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1bPdevice control\x1b\\x", "x"),
    ("\x1b]unterminated osc", ""),
    ("\x9b31mC1 csi", "C1 csi"),
    ("\x1bcreset", "reset"),
    ("line one\nline two\r\nthree\rfour", "line one line two three four"),
    ("tab\there", "tab here"),
    ("bell\x07 nul\x00 del\x7f c1\x85x\x91", "bell\ufffd nul\ufffd del\ufffd c1 x\ufffd"),
    ("lone escape \x1b", "lone escape \ufffd"),
    ("\u2028sep\u2029", " sep "),
    ("abc\u202edcba\u202c", "abcdcba"),
    ("emoji 👩‍🚒 and 数据库", "emoji 👩‍🚒 and 数据库"),
])
def test_clean_removes_everything_that_drives_the_terminal(raw, safe):
    assert clean(raw) == safe


def test_clean_multiline_keeps_line_breaks():
    assert clean("a\r\nb\rc\n\x1b[1mbold\x1b[0m\tx", multiline=True) == "a\nb\nc\nbold    x"


@given(st.text())
def test_cleaned_text_has_no_control_characters(text):
    cleaned = clean(text)
    assert not any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f for ch in cleaned)
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in clean(text, multiline=True))


@pytest.mark.parametrize(("text", "width", "shown"), [
    ("short", 10, "short"),
    ("exactly10!", 10, "exactly10!"),
    ("one too long", 11, "one too lo…"),
    ("cut at a space here", 10, "cut at a…"),
    ("multi\nline", 20, "multi line"),
    ("\x1b[31m" + "x" * 20, 5, "xxxx…"),
    ("数据库故障", 6, "数据…"),
    ("数据库故障", 10, "数据库故障"),
    ("abc", 1, "…"),
    ("abc", 0, ""),
    ("", 0, ""),
])
def test_one_line(text, width, shown):
    assert one_line(text, width) == shown


@given(st.text(), st.integers(0, 40))
def test_one_line_never_exceeds_the_width(text, width):
    assert cell_width(one_line(text, width)) <= width


def test_without_controls_drops_what_a_paste_must_not_store():
    from tui.domain.format import without_controls

    assert without_controls("AAA\x1bBBB") == "AAABBB"
    assert without_controls("a\x00b\x9bc\x7fd\u2028e\tf") == "abcd e f"
    assert without_controls("one\r\ntwo\x07\tthree", multiline=True) == "one\ntwo\tthree"
