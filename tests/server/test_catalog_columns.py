"""What `incidents serve` adds for the Configs and Checks views, on the demo data over SQLite and
PostgreSQL: one key of a JSON column as text (`labels->>team`), and computed columns of config_items
and checks; the oracle is the unfiltered table, read once and filtered in Python."""

from __future__ import annotations

from tests.server.test_postgrest_grammar import everything
from tui.domain.enums import ACTIVE_STATUSES, Health, parse_health, parse_status
from tui.store.sql.configs import HEALTH_ORDER


def test_a_json_key_filters_as_text(admin):
    rows = everything(admin, "config_items", select="id,name,labels")
    payments = sorted(row["name"] for row in rows if (row["labels"] or {}).get("team") == "payments")
    found = everything(admin, "config_items", select="name", **{"labels->>team": "eq.payments", "order": "name"})
    assert [row["name"] for row in found] == payments and payments
    absent = everything(admin, "config_items", select="name", **{"labels->>nothing": "is.null"})
    assert len(absent) == len(rows)
    either = everything(admin, "checks", select="name,labels", **{"or": "(labels->>team.eq.data,labels->>team.eq.sre)"})
    assert either and all(row["labels"]["team"] in ("data", "sre") for row in either)


def test_an_arrow_on_a_column_that_is_not_json_is_a_400(admin):
    answer = admin.get("/db/config_items", params={"name->>x": "eq.y"})
    assert answer.status_code == 400 and "JSON" in answer.json()["message"]
    assert admin.get("/db/config_items", params={"labels->>a b": "eq.y"}).status_code == 400


def test_health_rank_sorts_worst_first(admin):
    rows = everything(admin, "config_items", select="name,health,health_rank", order="health_rank.asc,name_lower.asc")
    ranks = [HEALTH_ORDER.index(parse_health(row["health"])) for row in rows]
    assert ranks == [row["health_rank"] for row in rows] == sorted(ranks)
    assert parse_health(rows[0]["health"]) is Health.UNHEALTHY


def test_open_incidents_counts_the_active_ones_linked(admin):
    linked = everything(admin, "incidents_by_check", select="id,status,check_id")
    active: dict[str, set[str]] = {}
    for row in linked:
        if parse_status(row["status"]) in ACTIVE_STATUSES:
            active.setdefault(row["check_id"], set()).add(row["id"])
    checks = everything(admin, "checks", select="id,open_incidents,last_run,last_message")
    assert {row["id"]: row["open_incidents"] for row in checks} == {
        row["id"]: len(active.get(row["id"], ())) for row in checks}
    assert all(row["last_run"] and row["last_message"] for row in checks)  # every demo check has results
