"""Small display helpers shared by the board, the detail pane and `incidents list`.

Incident data comes from other people's tools: it is cleaned here so that it can never
move the cursor, recolour the terminal or set its title.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from . import clock

_DAY = 86400
_SMALL_UNITS = (("d", _DAY), ("h", 3600), ("m", 60))
_DAYS_BEFORE_WEEKS = 14
_WEEKS_BEFORE_YEARS = 52


def age(delta_or_since: timedelta | datetime, now: datetime | None = None) -> str:
    """`45s`, `12m`, `3h`, `5d`, `8w`, `2y`: how long ago, in one short unit (rounded down).

    A datetime is measured up to `now` (default: the clock); naive datetimes are UTC.
    Times in the future (clock skew) read as `0s`.
    """
    if isinstance(delta_or_since, datetime):
        delta = _utc(now or clock.utcnow()) - _utc(delta_or_since)
    else:
        delta = delta_or_since
    seconds = max(int(delta.total_seconds()), 0)
    days = seconds // _DAY
    if days >= _WEEKS_BEFORE_YEARS * 7:
        return f"{max(days // 365, 1)}y"
    if days >= _DAYS_BEFORE_WEEKS:
        return f"{days // 7}w"
    for suffix, size in _SMALL_UNITS:
        if seconds >= size:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# ESC sequences: CSI (ESC [ ... final byte), OSC / DCS / APC / PM / SOS strings (ended by
# BEL or ESC \), and two-character escapes; plus their 8-bit C1 forms.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b[ -~]",
    re.DOTALL,
)
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
# Bidirectional overrides and isolates can make text display in a different order than stored.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def clean(text: str, *, multiline: bool = False) -> str:
    """`text` safe to put on a terminal: escape sequences removed, line breaks and tabs made
    spaces (newlines kept when `multiline`), any other control character shown as U+FFFD."""
    text = _ESCAPES.sub("", text)
    text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    text = text.replace("\t", "    " if multiline else " ")
    text = _BIDI_CONTROLS.sub("", text)
    return "".join(_REPLACEMENT if _is_control(ch, multiline) else ch for ch in text)


def without_controls(text: str, *, multiline: bool = False) -> str:
    """Text pasted or typed into a field, control characters dropped (a pasted ESC would otherwise
    be stored, or scramble what follows); line breaks become newlines when `multiline`, else spaces."""
    text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    if not multiline:
        text = text.replace("\t", " ")
    return "".join(ch for ch in text if not _is_control(ch, multiline) or ch == "\t")


def _is_control(ch: str, multiline: bool) -> bool:
    return unicodedata.category(ch) == "Cc" and not (multiline and ch == "\n")


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide East Asian characters take two, combining marks none."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


ELLIPSIS = "…"


def one_line(text: str, width: int) -> str:
    """`text` cleaned onto one line and cut to `width` cells, ending in … when cut."""
    text = clean(text)
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for ch in text:
        used += _char_width(ch)
        if used > width - 1:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + ELLIPSIS
