"""The Configs and Checks views' filter language: the board's grammar over config items and checks."""

from __future__ import annotations

import pytest
from hypothesis import example, given

from tests.domain.test_grammar import ANY_FILTER_TEXT
from tui.domain.catalog import (
    CatalogKind,
    CatalogQuery,
    CatalogSort,
    CatalogSortKey,
    HealthClause,
    LabelClause,
    TextClause,
    parse_catalog_filter,
)
from tui.domain.enums import Health
from tui.domain.grammar import FilterError

CONFIGS, CHECKS = CatalogKind.CONFIGS, CatalogKind.CHECKS
QUOTE_HINT = " (put text that contains a colon in double quotes)"


def test_every_config_field_parses() -> None:
    text = 'type:rds,pod class:!bucket health:unhealthy,warn status:Degraded label:team=payments label:tier "db one" x'
    assert parse_catalog_filter(CONFIGS, text) == CatalogQuery(
        type=TextClause(("rds", "pod")), config_class=TextClause(("bucket",), negated=True),
        status=TextClause(("Degraded",)), health=HealthClause(frozenset({Health.UNHEALTHY, Health.WARNING})),
        labels=(LabelClause((("team", "payments"),)), LabelClause((("tier", None),))), text=("db one", "x"))


def test_a_checks_status_is_its_health() -> None:
    assert parse_catalog_filter(CHECKS, "status:!failing") == CatalogQuery(
        health=HealthClause(frozenset({Health.UNHEALTHY}), negated=True))
    assert parse_catalog_filter(CHECKS, "sort:-status").sort == CatalogSort(CatalogSortKey.HEALTH, descending=True)


def test_types_with_colons_need_no_quotes() -> None:
    assert parse_catalog_filter(CONFIGS, "type:AWS::RDS::DBInstance").type == TextClause(("AWS::RDS::DBInstance",))


@pytest.mark.parametrize(("kind", "text", "message", "position"), [
    (CONFIGS, "sev:high", 'unknown field "sev"; fields for configs: type, class, health, status, label, sort'
                          + QUOTE_HINT, 0),
    (CHECKS, "class:pod", 'unknown field "class"; fields for checks: type, status, health, label, sort'
                          + QUOTE_HINT, 0),
    (CONFIGS, "health:sick", '"sick" is not a health; use healthy, warning, unhealthy, unknown', 7),
    (CONFIGS, "label:=x", "a label needs a name before =, like label:team=payments", 6),
    (CONFIGS, "type:a type:b", "type given twice; list every value in one clause, like type:a,b", 7),
    (CHECKS, "status:ok health:ok", "health given twice; list every value in one clause, like health:a,b", 10),
    (CHECKS, "sort:class", '"class" is not a sort key; use name, type, status, health (with - in front to reverse)',
     5),
])
def test_mistakes_are_explained(kind, text, message, position) -> None:
    with pytest.raises(FilterError) as raised:
        parse_catalog_filter(kind, text)
    assert (raised.value.message, raised.value.position) == (message, position)


@given(ANY_FILTER_TEXT)
@example("label:")
@example('label:"="')
def test_any_text_parses_or_raises_filter_error(text) -> None:
    for kind in CatalogKind:
        try:
            parse_catalog_filter(kind, text)
        except FilterError as error:
            assert 0 <= error.position <= len(text) and error.message
