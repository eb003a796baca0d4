"""Property-based fuzzing of the API: whatever the query string, headers or body, the server
answers (never a 5xx), and a request it rejects changes nothing in the database."""

from __future__ import annotations

import hashlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tui.server.resources import Catalog
from tui.store.sql import schema

TABLES = list(Catalog().resources) + ["nope"]
COLUMNS = sorted({c.name for t in schema.metadata.sorted_tables for c in t.columns} | {"severity_rank"})
WRITTEN = [schema.incidents, schema.responders, schema.comments, schema.hypotheses, schema.evidences,
           schema.incident_histories, schema.people, schema.teams, schema.team_members, schema.api_tokens]

names = st.sampled_from(COLUMNS + ["responders", "hypotheses", "evidences", "commander_id", "people", "x"])
scraps = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
operators = st.sampled_from(["eq.", "neq.", "gt.", "gte.", "lt.", "lte.", "like.", "ilike.", "in.", "is.", "not.",
                             "cs.", "fts.", ""])
literals = st.one_of(scraps, st.sampled_from(["null", "true", "not_null", "open", "Critical", "(a,b)", '("x,y")',
                                              "2026-11-20T12:00:00+00:00", "00000000-0000-0000-0000-000000000000",
                                              "*db*", "1", "-1", "()", "(", ")", "a\x00b", "\x00",
                                              "9999-12-31T23:59:00-05:00", "0001-01-01T00:00:00+01:00",
                                              "99999999999999999999", "1e309", "true", "false"]))
values = st.builds(lambda ops, value: "".join(ops) + value, st.lists(operators, max_size=3), literals)
tokens = st.sampled_from(["*", ",", "(", ")", ":", "!inner", "!", "count()", ".count()", "::text", " ", "alias:"])
selects = st.lists(st.one_of(names, tokens), max_size=10).map("".join)
orders = st.lists(st.one_of(names, st.sampled_from([".asc", ".desc", ".nullslast", ".nullsfirst", ",", ".x"])),
                  max_size=6).map("".join)
logic = st.lists(st.one_of(names, values, tokens, st.sampled_from(["or(", "and(", "not.and("])), max_size=8).map(
    lambda parts: "(" + ",".join(parts) + ")")
params = st.lists(st.one_of(
    st.tuples(names, values),
    st.tuples(st.just("select"), selects),
    st.tuples(st.just("order"), orders),
    st.tuples(st.sampled_from(["or", "and", "not.or", "responders.or"]), logic),
    st.tuples(st.sampled_from(["limit", "offset", "responders.limit"]),
              st.one_of(scraps, st.integers(-5, 5000).map(str), st.integers(2**62, 2**70).map(str))),
    st.tuples(st.sampled_from(["responders.deleted_at", "hypotheses.evidences.config_id", "a.b.c"]), values),
    st.tuples(scraps, scraps),
), max_size=6)
headers = st.fixed_dictionaries({}, optional={
    "Prefer": st.sampled_from(["count=exact", "return=representation", "return=representation,count=exact", "x"]),
    "Range": st.one_of(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
                       .map(str.strip),  # what an HTTP client can send
                       st.sampled_from(["0-9", "5-", "9-1", "items=0-3", "1" + "0" * 30 + "-"])),
})
json_values = st.recursive(st.none() | st.booleans() | st.integers()
                           | st.floats(allow_nan=False, allow_infinity=False) | scraps
                           | st.sampled_from(["now()", "open", "closed", "High", "\x00", "a\x00b",
                                            "00000000-0000-0000-0000-000000000000", "9999-12-31T23:59:00-05:00"]),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scraps, inner, max_size=3),
                           max_leaves=6)
bodies = st.one_of(st.dictionaries(names, json_values, max_size=5), st.lists(st.dictionaries(names, json_values,
                                                                                               max_size=4), max_size=2),
                   json_values)


def fingerprint(database) -> str:
    digest = hashlib.sha256()
    with database.read() as conn:
        for table in WRITTEN:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


@FUZZ
@given(table=st.sampled_from(TABLES), query=params, extra=headers)
def test_reads_never_fail_on_the_server(admin, table, query, extra):
    answer = admin.get(f"/db/{table}", params=query, headers=extra)
    assert answer.status_code < 500, answer.text
    json.loads(answer.content or b"null")
    if answer.status_code >= 400:
        assert {"code", "message"} <= set(answer.json())


@FUZZ
@given(method=st.sampled_from(["POST", "PATCH", "DELETE"]), table=st.sampled_from(TABLES), query=params,
       body=st.one_of(bodies.map(json.dumps), scraps, st.sampled_from(
           ['{"evidence": NaN, "description": "x"}', '[{"properties": {"a": Infinity}}]', '{"title": -Infinity}'])),
       extra=headers, path=st.sampled_from(["db", "rpc"]))
def test_writes_never_fail_on_the_server_and_rejected_ones_change_nothing(server, admin, method, table, query, body,
                                                                          extra, path):
    target = f"/db/{table}" if path == "db" else f"/rpc/{table}"
    if path == "rpc":
        method = "POST"
    before = fingerprint(server.database)
    answer = admin.request(method, target, params=query, content=body.encode(),
                           headers={"Content-Type": "application/json", **extra})
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert {"code", "message"} <= set(answer.json())
        assert fingerprint(server.database) == before


@FUZZ
@given(function=st.sampled_from(["incident_create", "incident_update", "incident_transition",
                                 "incident_acknowledge", "responder_add", "responder_remove", "comment_add"]),
       body=st.dictionaries(st.sampled_from(["id", "incident_id", "title", "to", "note", "text", "kind", "person_id",
                                             "changes", "expected_updated_at", "severity", "type", "properties"]),
                            json_values, max_size=5))
def test_rpc_calls_never_fail_on_the_server(server, admin, function, body):
    before = fingerprint(server.database)
    answer = admin.post(f"/rpc/{function}", json=body)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert fingerprint(server.database) == before


_QUERY_PARTS = st.fixed_dictionaries({}, optional={
    "status": st.one_of(st.none(), st.fixed_dictionaries({"values": st.lists(st.sampled_from(
        ["open", "sideways", "", "Critical"]), max_size=2), "negated": json_values})),
    "people": st.lists(st.fixed_dictionaries({"field": st.sampled_from(["commander", "responder", "x"]),
                                              "names": st.lists(scraps, max_size=2)}), max_size=2),
    "links": st.lists(st.fixed_dictionaries({"field": st.sampled_from(["config", "check"]),
                                             "names": st.lists(scraps, max_size=2), "negated": st.booleans()}),
                      max_size=2),
    "age": st.lists(st.fixed_dictionaries({"newer": st.booleans(), "age": st.one_of(
        st.integers(-2**70, 2**70), st.floats(allow_nan=False), scraps, st.sampled_from(["P1D", "P99999999D"]))}),
        max_size=2),
    "text": st.lists(scraps, max_size=2),
    "sort": st.fixed_dictionaries({"key": st.sampled_from(["id", "commander", "age", "nope"]),
                                   "descending": json_values}),
})


@FUZZ
@given(function=st.sampled_from(["incidents_page", "incidents_by_severity", "changes_stamped"]),
       query=st.one_of(_QUERY_PARTS.map(json.dumps), scraps),
       extra=st.dictionaries(st.sampled_from(["offset", "limit", "since", "first"]), st.one_of(scraps, literals),
                             max_size=3))
def test_the_board_reads_never_fail_on_the_server(server, admin, function, query, extra):
    answer = admin.get(f"/rpc/{function}", params={"query": query, **extra})
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert {"code", "message"} <= set(answer.json())
