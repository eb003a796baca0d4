"""Conformance with PostgREST's documented grammar (docs.postgrest.org: API / tables and views:
horizontal filtering, operators, logical operators; resource embedding; ordering; pagination
and count; errors), against the real server on SQLite and PostgreSQL.

The oracle is the unfiltered table, read once and filtered in Python.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from tui.domain.enums import UNKNOWN_RANK, Severity


def everything(client, table="incidents", **params):
    answer = client.get(f"/db/{table}", params={"limit": "2000", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def ids(rows):
    return sorted(row["id"] for row in rows)


def get(client, table="incidents", **params):
    answer = client.get(f"/db/{table}", params=params)
    assert answer.status_code in (200, 206), answer.text
    return answer.json()


# -- operators ----------------------------------------------------------------------------------

def test_comparison_operators_compare_instants(admin):
    rows = everything(admin)
    pivot = sorted(row["created_at"] for row in rows)[len(rows) // 2]
    at = datetime.fromisoformat(pivot)
    for operator, test in {"eq": at.__eq__, "neq": at.__ne__, "gt": at.__lt__, "gte": at.__le__,
                           "lt": at.__gt__, "lte": at.__ge__}.items():
        expected = [row for row in rows if test(datetime.fromisoformat(row["created_at"]))]
        assert ids(get(admin, created_at=f"{operator}.{pivot}", limit="2000")) == ids(expected), operator
    # the same instant in another offset is the same instant
    other = at.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert ids(get(admin, created_at=f"eq.{other}")) == ids([r for r in rows if r["created_at"] == pivot])


def test_like_and_ilike_take_star_as_wildcard(admin):
    rows = everything(admin)
    assert ids(get(admin, title="ilike.*DB*", limit="2000")) == ids([r for r in rows if "db" in r["title"].lower()])
    assert ids(get(admin, title="like.*db*", limit="2000")) == ids([r for r in rows if "db" in r["title"]])


def test_in_takes_a_list_with_quoted_values(admin):
    rows = everything(admin)
    wanted = {"mitigated", "resolved"}
    assert ids(get(admin, status="in.(mitigated,resolved)", limit="2000")) == \
        ids([r for r in rows if r["status"] in wanted])
    assert ids(get(admin, status='in.("mitigated","a,b")', limit="2000")) == \
        ids([r for r in rows if r["status"] == "mitigated"])
    assert ids(get(admin, status="not.in.(mitigated,resolved)", limit="2000")) == \
        ids([r for r in rows if r["status"] not in wanted])
    assert get(admin, status="in.()") == []


def test_is_checks_null_and_booleans(admin):
    rows = everything(admin)
    assert ids(get(admin, commander_id="is.null", limit="2000")) == ids([r for r in rows if r["commander_id"] is None])
    assert ids(get(admin, commander_id="not.is.null", limit="2000")) == \
        ids([r for r in rows if r["commander_id"] is not None])
    configs = everything(admin, "config_items")
    assert ids(get(admin, "config_items", is_pushed="is.false", limit="2000")) == \
        ids([r for r in configs if r["is_pushed"] is False])


def test_not_negates_any_operator(admin):
    rows = everything(admin)
    assert ids(get(admin, severity="not.eq.Critical", limit="2000")) == \
        ids([r for r in rows if r["severity"] != "Critical"])


def test_several_filters_on_one_column_all_hold(admin):
    rows = everything(admin)
    low, high = sorted(r["created_at"] for r in rows)[10], sorted(r["created_at"] for r in rows)[50]
    found = admin.get("/db/incidents", params=[("created_at", f"gte.{low}"), ("created_at", f"lt.{high}"),
                                               ("limit", "2000")]).json()
    assert ids(found) == ids([r for r in rows if low <= r["created_at"] < high]) and len(found) == 40


# -- logical trees ---------------------------------------------------------------------------------

def test_or_and_nested_logic_trees(admin):
    rows = everything(admin)
    found = get(admin, limit="2000", **{"or": "(severity.eq.Critical,and(status.eq.open,commander_id.is.null))"})
    assert ids(found) == ids([r for r in rows if r["severity"] == "Critical"
                              or (r["status"] == "open" and r["commander_id"] is None)])
    negated = get(admin, limit="2000", **{"not.or": "(severity.eq.Critical,severity.eq.High)"})
    assert ids(negated) == ids([r for r in rows if r["severity"] not in ("Critical", "High")])
    inner_not = get(admin, limit="2000", **{"and": "(status.eq.open,not.or(severity.eq.Low,severity.eq.Info))"})
    assert ids(inner_not) == ids([r for r in rows if r["status"] == "open" and r["severity"] not in ("Low", "Info")])
    quoted = get(admin, limit="2000", **{"or": '(title.eq."a,b",status.in.(closed,cancelled))'})
    assert ids(quoted) == ids([r for r in rows if r["status"] in ("closed", "cancelled")])


# -- select ------------------------------------------------------------------------------------------

def test_select_columns_aliases_and_rank_columns(admin):
    found = get(admin, select="id,name:title,severity,severity_rank", order="severity_rank.asc,id", limit="2000")
    assert set(found[0]) == {"id", "name", "severity", "severity_rank"}
    ranks = [row["severity_rank"] for row in found]
    assert ranks == sorted(ranks)
    for row in found:
        expected = Severity(row["severity"]).rank if row["severity"] in {s.value for s in Severity} else UNKNOWN_RANK
        assert row["severity_rank"] == expected
    critical = get(admin, severity_rank="eq.0", select="severity", limit="2000")
    assert {row["severity"] for row in critical} <= {"Critical", "critical", "P1"} and critical


def test_star_does_not_include_computed_columns(admin):
    assert "severity_rank" not in get(admin, limit="1")[0]


def test_count_aggregates_group_by_the_other_columns(admin):
    rows = everything(admin, status="eq.open")
    found = get(admin, select="severity,count()", status="eq.open")
    assert {row["severity"]: row["count"] for row in found} == dict(Counter(r["severity"] for r in rows))
    renamed = get(admin, select="status,total:count()")
    assert sum(row["total"] for row in renamed) == len(everything(admin))


# -- embedding -------------------------------------------------------------------------------------

def test_many_to_one_embeds_an_object_or_null(admin):
    people = {p["id"]: p for p in everything(admin, "people")}
    for row in get(admin, select="id,commander_id,commander:commander_id(id,name)", limit="2000"):
        if row["commander_id"] is None:
            assert row["commander"] is None
        else:
            assert row["commander"] == {"id": row["commander_id"], "name": people[row["commander_id"]]["name"]}


def test_embedding_by_column_name_replaces_the_column(admin):
    row = get(admin, "hypotheses", select="id,created_by(id,name)", limit="1")[0]
    assert set(row["created_by"]) == {"id", "name"}


def test_one_to_many_embeds_an_array_with_its_own_filters_order_and_limit(admin):
    responders = everything(admin, "responders")
    by_incident: dict[str, list] = {}
    for responder in responders:
        if responder["deleted_at"] is None:
            by_incident.setdefault(responder["incident_id"], []).append(responder)
    found = get(admin, select="id,responders(id,created_at)", **{"responders.deleted_at": "is.null",
                                                                 "responders.order": "created_at.desc,id"},
                limit="2000")
    for row in found:
        expected = sorted(by_incident.get(row["id"], []), key=lambda r: r["id"])
        expected = sorted(expected, key=lambda r: r["created_at"], reverse=True)
        assert [r["id"] for r in row["responders"]] == [r["id"] for r in expected]
    limited = get(admin, select="id,responders(id)", **{"responders.limit": "1"}, limit="2000")
    assert max(len(row["responders"]) for row in limited) == 1


def test_nested_embeds(admin):
    found = get(admin, select="id,hypotheses(id,type,evidences(id,hypothesis_id))", limit="50")
    assert any(h["evidences"] for row in found for h in row["hypotheses"])
    for row in found:
        for hypothesis in row["hypotheses"]:
            assert all(e["hypothesis_id"] == hypothesis["id"] for e in hypothesis["evidences"])


def test_inner_embeds_filter_the_top_level_and_its_count(admin):
    responders = everything(admin, "responders", deleted_at="is.null")
    with_one = {r["incident_id"] for r in responders if r["type"] == "team"}
    answer = admin.get("/db/incidents", params={"select": "id,responders!inner(type)", "responders.type": "eq.team",
                                                "responders.deleted_at": "is.null", "limit": "2000"},
                       headers={"Prefer": "count=exact"})
    assert sorted(row["id"] for row in answer.json()) == sorted(with_one)
    assert answer.headers["content-range"].endswith(f"/{len(with_one)}")
    assert all(r["type"] == "team" for row in answer.json() for r in row["responders"])


def test_hints_disambiguate_and_ambiguity_is_an_error(admin):
    answer = admin.get("/db/incidents", params={"select": "id,people(id)"})
    assert answer.status_code == 300 and answer.json()["code"] == "PGRST201"
    hinted = get(admin, select="id,commander_id,boss:people!commander_id(id)", limit="2000")
    assert all((row["boss"] or {}).get("id") == row["commander_id"] for row in hinted)
    unknown = admin.get("/db/incidents", params={"select": "id,nothing(*)"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "PGRST200"


# -- ordering --------------------------------------------------------------------------------------

def test_order_by_several_columns_with_nulls_placement(admin):
    rows = get(admin, select="id,commander_id,created_at", order="commander_id.asc.nullsfirst,created_at.desc",
               limit="2000")
    nulls = [r for r in rows if r["commander_id"] is None]
    assert rows[:len(nulls)] == nulls
    assert [r["created_at"] for r in nulls] == sorted((r["created_at"] for r in nulls), reverse=True)
    default = get(admin, select="commander_id", order="commander_id.asc", limit="2000")
    assert default[-1]["commander_id"] is None and default[0]["commander_id"] is not None  # nulls last ascending
    descending = get(admin, select="commander_id", order="commander_id.desc", limit="2000")
    assert descending[0]["commander_id"] is None  # nulls first descending, as PostgreSQL


# -- pagination and counts ----------------------------------------------------------------------------

def test_limit_offset_and_exact_counts(admin):
    total = len(everything(admin))
    ordered = everything(admin, order="created_at.desc,id")
    answer = admin.get("/db/incidents", params={"order": "created_at.desc,id", "limit": "10", "offset": "20"},
                       headers={"Prefer": "count=exact"})
    assert answer.status_code == 206
    assert answer.headers["content-range"] == f"20-29/{total}"
    assert [r["id"] for r in answer.json()] == [r["id"] for r in ordered[20:30]]
    uncounted = admin.get("/db/incidents", params={"limit": "10"})
    assert uncounted.status_code == 200 and uncounted.headers["content-range"] == "0-9/*"
    whole = admin.get("/db/incidents", params={"limit": "2000"}, headers={"Prefer": "count=exact"})
    assert whole.status_code == 200 and whole.headers["content-range"] == f"0-{total - 1}/{total}"


def test_empty_results_and_ranges_past_the_end(admin):
    empty = admin.get("/db/incidents", params={"title": "eq.no such incident"}, headers={"Prefer": "count=exact"})
    assert empty.status_code == 200 and empty.json() == [] and empty.headers["content-range"] == "*/0"
    past = admin.get("/db/incidents", params={"offset": "100000"}, headers={"Prefer": "count=exact"})
    assert past.status_code == 416 and past.json()["code"] == "PGRST103"


def test_range_header_pages_too(admin):
    ordered = everything(admin, order="id")
    answer = admin.get("/db/incidents", params={"order": "id"}, headers={"Range-Unit": "items", "Range": "5-9"})
    assert [r["id"] for r in answer.json()] == [r["id"] for r in ordered[5:10]]
    assert answer.headers["content-range"] == "5-9/*"


def test_rows_are_capped_like_mission_controls_postgrest(admin):
    assert len(get(admin, "incidents", limit="999999")) <= 2000


def test_head_answers_headers_only(admin):
    answer = admin.head("/db/incidents", headers={"Prefer": "count=exact"})
    assert answer.status_code in (200, 206) and answer.content == b"" and "/" in answer.headers["content-range"]


# -- errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "status", "code"), [
    ({"status": "zz.open"}, 400, "PGRST100"),
    ({"status": "eq"}, 400, "PGRST100"),
    ({"or": "(status.eq.open"}, 400, "PGRST100"),
    ({"or": "status.eq.open"}, 400, "PGRST100"),
    ({"order": "created_at.sideways"}, 400, "PGRST100"),
    ({"limit": "ten"}, 400, "PGRST100"),
    ({"offset": "1" + "0" * 30}, 400, "PGRST100"),
    ({"limit": "\u0664"}, 400, "PGRST100"),  # a digit to str.isdigit, not to int()
    ({"select": "id,responders(*"}, 400, "PGRST100"),
    ({"status": "is.maybe"}, 400, "PGRST100"),
    ({"nope": "eq.1"}, 400, "42703"),
    ({"select": "nope"}, 400, "42703"),
    ({"order": "nope.asc"}, 400, "42703"),
    ({"id": "eq.not-a-uuid"}, 400, "22P02"),
    ({"created_at": "gt.yesterday"}, 400, "22P02"),
    ({"responders.deleted_at": "is.null"}, 400, "PGRST108"),
    ({"title": "is.true"}, 400, "42804"),
    ({"created_at": "like.*1*"}, 400, "42883"),
    ({"description": "is.null", "title": "eq.a\x00b"}, 400, "22P02"),
    ({"created_at": "gt.9999-12-31T23:59:00-05:00"}, 400, "22P02"),
])
def test_errors_are_postgrest_json(admin, params, status, code):
    answer = admin.get("/db/incidents", params=params)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"code", "message", "details", "hint"} and body["code"] == code and body["message"]


def test_unknown_tables_and_paths_are_404_json(admin):
    assert admin.get("/db/nothing").json()["code"] == "PGRST205"
    missing = admin.get("/elsewhere")
    assert missing.status_code == 404 and missing.json()["code"]
