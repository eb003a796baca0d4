"""The filter bar's language: what users type, what it means, and what they are told when it is wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tui.domain.enums import ACTIVE_STATUSES, IncidentType, Severity, Status
from tui.domain.grammar import FIELDS, FilterError, format_query, parse_filter
from tui.domain.query import (
    DEFAULT_FILTER,
    ME,
    NOBODY,
    AgeClause,
    EnumClause,
    IncidentQuery,
    LinkClause,
    LinkField,
    PersonClause,
    PersonField,
    Sort,
    SortKey,
)

DESIGN_EXAMPLE = ('sev:critical,high status:open,mitigated type:!cost commander:@me config:payments-db '
                  'check:api-health age:<24h "connection reset"')


def test_the_design_example():
    assert parse_filter(DESIGN_EXAMPLE) == IncidentQuery(
        status=EnumClause(frozenset({Status.OPEN, Status.MITIGATED})),
        severity=EnumClause(frozenset({Severity.CRITICAL, Severity.HIGH})),
        type=EnumClause(frozenset({IncidentType.COST}), negated=True),
        people=(PersonClause(PersonField.COMMANDER, (ME,)),),
        links=(LinkClause(LinkField.CONFIG, ("payments-db",)), LinkClause(LinkField.CHECK, ("api-health",))),
        age=(AgeClause(newer=True, age=timedelta(hours=24)),),
        text=("connection reset",),
    )


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", '""'])
def test_empty_text_asks_for_everything(blank):
    assert parse_filter(blank) == IncidentQuery()


def test_the_default_filter_is_every_active_status():
    assert parse_filter(DEFAULT_FILTER) == IncidentQuery(status=EnumClause(ACTIVE_STATUSES))
    assert ACTIVE_STATUSES == {Status.OPEN, Status.MITIGATED, Status.INVESTIGATING, Status.NEW}


@pytest.mark.parametrize(("text", "expected"), [
    ("status:investigating,new", {Status.INVESTIGATING, Status.NEW}),
    ("status:canceled", {Status.CANCELLED}),
    ("STATUS:Open", {Status.OPEN}),
    ("status:active,resolved", ACTIVE_STATUSES | {Status.RESOLVED}),
    ('status:"Mitigated"', {Status.MITIGATED}),
])
def test_status_values(text, expected):
    assert parse_filter(text).status == EnumClause(frozenset(expected))


@pytest.mark.parametrize(("text", "expected"), [
    ("sev:p1,P2", {Severity.CRITICAL, Severity.HIGH}),
    ("severity:Blocker", {Severity.HIGH}),
    ("Sev:INFO,low", {Severity.INFO, Severity.LOW}),
    ("sev:4,0", {Severity.CRITICAL, Severity.LOW}),
    ("sev:med,warning", {Severity.MEDIUM}),
])
def test_severity_values_take_every_alias(text, expected):
    assert parse_filter(text).severity == EnumClause(frozenset(expected))


@pytest.mark.parametrize(("text", "expected"), [
    ("type:technical_debt", {IncidentType.TECHNICAL_DEBT}),
    ("type:technicalDebt,Security", {IncidentType.TECHNICAL_DEBT, IncidentType.SECURITY}),
    ('type:"technical debt"', {IncidentType.TECHNICAL_DEBT}),
    ("type:technical-debt", {IncidentType.TECHNICAL_DEBT}),
])
def test_type_values(text, expected):
    assert parse_filter(text).type == EnumClause(frozenset(expected))


def test_a_leading_bang_negates_the_whole_list():
    assert parse_filter("type:!cost,security").type == \
        EnumClause(frozenset({IncidentType.COST, IncidentType.SECURITY}), negated=True)
    assert parse_filter("commander:!@me").people == (PersonClause(PersonField.COMMANDER, (ME,), negated=True),)


@pytest.mark.parametrize(("text", "expected"), [
    ("commander:@me", PersonClause(PersonField.COMMANDER, (ME,))),
    ("Commander:@ME", PersonClause(PersonField.COMMANDER, (ME,))),
    ("communicator:none", PersonClause(PersonField.COMMUNICATOR, (NOBODY,))),
    ("communicator:None", PersonClause(PersonField.COMMUNICATOR, (NOBODY,))),
    ('creator:"Jane Doe",ops@example.com', PersonClause(PersonField.CREATOR, ("Jane Doe", "ops@example.com"))),
    ("responder:!alice", PersonClause(PersonField.RESPONDER, ("alice",), negated=True)),
])
def test_people(text, expected):
    assert parse_filter(text).people == (expected,)


def test_people_links_and_ages_accumulate():
    query = parse_filter("commander:alice commander:!bob config:db config:k8s:pod/api age:>1h age:<24h")
    assert query.people == (PersonClause(PersonField.COMMANDER, ("alice",)),
                            PersonClause(PersonField.COMMANDER, ("bob",), negated=True))
    assert query.links == (LinkClause(LinkField.CONFIG, ("db",)), LinkClause(LinkField.CONFIG, ("k8s:pod/api",)))
    assert query.age == (AgeClause(False, timedelta(hours=1)), AgeClause(True, timedelta(hours=24)))


@pytest.mark.parametrize(("text", "expected"), [
    ("age:<24h", AgeClause(True, timedelta(hours=24))),
    ("age:>7d", AgeClause(False, timedelta(days=7))),
    ("age:<=30m", AgeClause(True, timedelta(minutes=30))),
    ("age:>=2W", AgeClause(False, timedelta(weeks=2))),
    ("age:!<24h", AgeClause(False, timedelta(hours=24))),
])
def test_age(text, expected):
    assert parse_filter(text).age == (expected,)


@pytest.mark.parametrize(("text", "expected"), [
    ("sort:age", Sort(SortKey.AGE)),
    ("sort:-severity", Sort(SortKey.SEVERITY, descending=True)),
    ("sort:-sev", Sort(SortKey.SEVERITY, descending=True)),
    ("SORT:Updated", Sort(SortKey.UPDATED)),
])
def test_sort(text, expected):
    assert parse_filter(text).sort == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("db down", ("db", "down")),
    ('"connection reset" db', ("connection reset", "db")),
    (r'"say \"hi\"" "back\\slash" "c:\temp"', ('say "hi"', "back\\slash", "c:\\temp")),
    ('a"b c"', ("a", "b c")),
    ("INC-42 [SEV1] 100%", ("INC-42", "[SEV1]", "100%")),
    ('"10:30 deploy"', ("10:30 deploy",)),
    ("ünïcödé 数据库", ("ünïcödé", "数据库")),
])
def test_free_text(text, expected):
    assert parse_filter(text).text == expected


# -- Errors: every class, its sentence and where it points -----------------------------------

FIELD_LIST = "status, sev, type, commander, communicator, creator, responder, config, check, age, sort"


UNKNOWN_FIELD = f'; fields: {FIELD_LIST} (put text that contains a colon in double quotes)'
MISSING = "is missing a value; write values after the colon, separated by commas"
NOT_AN_AGE = ('is not an age; write < (newer than) or > (older than), a number and a unit m, h, d or w, '
              "like age:<24h or age:>7d")
SORT_KEYS = "id, severity, status, type, title, commander, age, updated, sev, created"


@pytest.mark.parametrize(("text", "message", "position"), [
    ("sevv:high", 'unknown field "sevv"' + UNKNOWN_FIELD, 0),
    ("db http://x", 'unknown field "http"' + UNKNOWN_FIELD, 3),
    (":open", 'a ":" needs a field name before it, like status:open; put text that contains a colon in double quotes',
     0),
    ('db "connection reset', 'this quote is never closed; add a closing "', 3),
    (r'"ends in \"', 'this quote is never closed; add a closing "', 0),
    ("status:", f"status {MISSING}", 7),
    ("status:!", f"status {MISSING}", 8),
    ("status:open,", f"status {MISSING}", 12),
    ("status:open,,new", f"status {MISSING}", 12),
    ('commander:"Jane"Doe', "expected a comma or a space after the value; separate values with commas and quote "
                            'values with spaces, like commander:"two words",other', 16),
    ("sev:urgent", '"urgent" is not a severity; use critical, high, medium, low, info (or p1..p5, blocker)', 4),
    ("sev:high,urgent", '"urgent" is not a severity; use critical, high, medium, low, info (or p1..p5, blocker)', 9),
    ("status:pending", '"pending" is not a status; use active, open, mitigated, resolved, closed, cancelled, '
                       "investigating, new", 7),
    ("type:outage", '"outage" is not an incident type; use availability, cost, performance, security, '
                    "technical_debt, compliance, integration, reliability", 5),
    ("status:open status:mitigated", "status given twice; list every value in one clause, like status:a,b", 12),
    ("sev:high severity:low", "severity given twice; list every value in one clause, like severity:a,b", 9),
    ("sort:age sort:id", "sort given twice; list every value in one clause, like sort:a,b", 9),
    ('commander:""', "commander has an empty name", 10),
    ("age:24h", f'"24h" {NOT_AN_AGE}', 4),
    ("age:<24s", f'"<24s" {NOT_AN_AGE}', 4),
    ("age:<٣h", f'"<٣h" {NOT_AN_AGE}', 4),
    ("age:<1h,>2h", "age takes one value; for a range write two clauses, like age:>1h age:<24h", 8),
    ("age:<99999999999999999999w", '"<99999999999999999999w" is too long ago; use a smaller age', 4),
    ("age:<" + "9" * 5000 + "d", f'"<{"9" * 28}…" is too long ago; use a smaller age', 4),
    ("age:<99999999d", '"<99999999d" is too long ago; use a smaller age', 4),  # a timedelta, but not after now
    ('type:"a\tb\x1b[2Jc"', "the filter holds a control character; type plain text", 9),
    ("db\x00down", "the filter holds a control character; type plain text", 2),
    ("db \x9b2J", "the filter holds a control character; type plain text", 3),
    ("ab\udcff", "the filter holds a byte that is not UTF-8 text; type plain text", 2),
    ("sort:!age", f"sort takes one key, with - in front to reverse it, like sort:-age; keys: {SORT_KEYS}", 0),
    ("sort:newest", f'"newest" is not a sort key; use {SORT_KEYS} (with - in front to reverse)', 5),
])
def test_errors_say_what_is_wrong_and_where(text, message, position):
    with pytest.raises(FilterError) as raised:
        parse_filter(text)
    assert (raised.value.message, raised.value.position) == (message, position)
    assert str(raised.value) == f"{message} (column {position + 1})"


def test_every_field_is_listed_in_the_unknown_field_message():
    with pytest.raises(FilterError) as raised:
        parse_filter("nope:x")
    assert all(field in str(raised.value) for field in FIELDS)


# -- Formatting back -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("", ""),
    (DESIGN_EXAMPLE, 'status:open,mitigated sev:critical,high type:!cost commander:@me config:payments-db '
                     'check:api-health age:<24h "connection reset"'),
    ("status:new,investigating,mitigated,open", "status:active"),
    ("SEV:P1 type:technicalDebt", "sev:critical type:technical_debt"),
    ('creator:"Jane Doe" config:"!odd",a,b', 'creator:"Jane Doe" config:"!odd",a,b'),
    ("age:>48h age:<60m age:>14d age:<7d", "age:>2d age:<60m age:>2w age:<7d"),
    ('!x a,b "q\\"uote"', '"!x" "a,b" "q\\"uote"'),
    ('"!x" "a b" "back\\\\slash"', '"!x" "a b" "back\\\\slash"'),
    ("sort:severity", ""),
    ("sort:-age db", "db sort:-age"),
])
def test_format_query_writes_canonical_text(text, canonical):
    assert format_query(parse_filter(text)) == canonical


ANY_FILTER_TEXT = st.text(alphabet=st.one_of(st.sampled_from(' :,!"\\<>-@'), st.characters()), max_size=60)


@given(ANY_FILTER_TEXT)
@example('status:"open')
@example('"\\')
@example("age:<" + "9" * 30 + "w")
@example("\x1c:x")
def test_any_text_parses_or_raises_filter_error_and_round_trips(text):
    try:
        query = parse_filter(text)
    except FilterError as error:
        assert 0 <= error.position <= len(text)
        assert str(error)
        return
    assert parse_filter(format_query(query)) == query


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _enum_clause(field: str, words: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda negated, values: f"{field}:{'!' if negated else ''}{','.join(values)}",
                     st.booleans(), st.lists(st.sampled_from(words), min_size=1, max_size=3))


# Control characters are refused outright (see test_errors_say_what_is_wrong_and_where).
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
NAMES = (st.text(PRINTABLE, min_size=1, max_size=12).filter(str.strip).map(_quoted)
         | st.sampled_from(["@me", "none", "db"]))
TERMS = st.one_of(
    st.builds(lambda field, negated, names: f"{field}:{'!' if negated else ''}{','.join(names)}",
              st.sampled_from([f.value for f in PersonField] + [f.value for f in LinkField]),
              st.booleans(), st.lists(NAMES, min_size=1, max_size=3)),
    st.builds(lambda op, n, unit: f"age:{op}{n}{unit}", st.sampled_from(["<", ">", "<=", ">=", "!<", "!>"]),
              st.integers(0, 10_000), st.sampled_from("mhdwMH")),
    st.text(PRINTABLE, min_size=1, max_size=12).map(_quoted),
)
ENUMS = st.fixed_dictionaries({}, optional={
    "status": _enum_clause("status", ["active", *(s.value for s in Status), "canceled", "Open"]),
    "sev": _enum_clause("severity", ["p1", "P2", "blocker", "Medium", "low", "info", "4", "0", "med"]),
    "type": _enum_clause("type", [t.value for t in IncidentType] + ["technicalDebt", "Technical-Debt"]),
    "sort": st.builds(lambda minus, key: f"sort:{minus}{key}", st.sampled_from(["", "-"]),
                      st.sampled_from([k.value for k in SortKey])),
})


@given(ENUMS, st.lists(TERMS, max_size=6), st.randoms())
def test_well_formed_filters_round_trip(enums, terms, random):
    pieces = [*enums.values(), *terms]
    random.shuffle(pieces)
    query = parse_filter(" ".join(pieces))
    assert parse_filter(format_query(query)) == query
    assert format_query(parse_filter(format_query(query))) == format_query(query)
