"""A count the backend stopped short of is shown as a lower bound, never as if it were exact."""

from tui.store.base import Count, Page


def test_an_exact_count_reads_as_a_number() -> None:
    assert str(Count(1234)) == "1,234"


def test_a_capped_count_reads_as_at_least() -> None:
    assert str(Count(10_000, exact=False)) == "10,000+"


def test_a_page_carries_whether_its_total_is_exact() -> None:
    assert Page(rows=(), total=7).count == Count(7)
    assert Page(rows=(), total=10_000, exact=False).count == Count(10_000, exact=False)
