"""How the Rules screen looks at 80x24 and 160x48 (demo data, two rules, frozen clock)."""

from __future__ import annotations

import pytest

from tests.store.test_rules_engine import rule
from tests.ui.test_snapshots_board import NARROW, WIDE, after
from tui.domain.rules import parse_rule_file


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_rules(snap_compare, demo_app, demo_backend, settle, size):
    demo_backend.apply_rules(parse_rule_file(rule("checkout-down") + "---\n"
                                             + rule("anything-failing", priority=9, glob="*", brk=False)))
    assert snap_compare(demo_app, terminal_size=size, run_before=after(settle, "R"))
