"""Hostile text pasted into the real new-incident form and comment box: stored without its control
characters, or refused beside the field with nothing stored; the screen never shows a raw one."""

from __future__ import annotations

import asyncio
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import TextArea

from tests.conftest import TESTER
from tui.app import IncidentApp
from tui.domain.format import without_controls
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.store.sql import open_sql_backend

from .test_odd_data import controls, screen_text
from .test_typed_text import paste

PASTED = st.one_of(st.text(max_size=40), st.sampled_from(
    ["[SEV1] [/x] [bold]", "\x1b]52;c;SGVsbG8=\x07x", "a\x00b\x9b2J", "   ", "\u202eevil", "x" * 510]))
FEW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def titles(backend) -> list[str]:
    return [row.title for row in backend.list_incidents(parse_filter(""), Window(0, 1000)).rows]


async def report(url: str, title: str, description: str, settle) -> None:
    backend = open_sql_backend(url, TESTER)
    app = IncidentApp(backend=backend)
    before = titles(backend)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            await paste(pilot, title)
            await pilot.press("tab", "tab", "tab")  # to the description box
            await settle(pilot)
            if isinstance(app.focused, TextArea):
                await paste(pilot, description)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert controls(screen_text(app)) == []
            added = list((Counter(titles(backend)) - Counter(before)).elements())
            wanted = without_controls(title).strip()
            if 1 <= len(wanted) <= 500:
                assert added == [wanted], screen_text(app)
            else:
                assert added == [] and "title" in screen_text(app).lower()
    finally:
        backend.close()


@FEW
@given(title=PASTED, description=PASTED)
def test_a_pasted_title_and_description_are_stored_clean_or_refused(demo_url, settle, title, description):
    asyncio.run(report(demo_url, title, description, settle))
