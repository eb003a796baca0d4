"""Two `incidents serve` processes on one PostgreSQL, the same Alertmanager webhook posted to both
at the same instant, many times: one check, one incident (the engine's advisory lock per check),
and their two timers resolve it once."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.cli.serving import Serve, run_ok
from tests.conftest import PgServer
from tests.server.test_check_results import alert, webhook
from tests.store.test_rules_engine import rule
from tui.domain.models import Identity
from tui.domain.query import IncidentQuery, Window
from tui.store.sql import open_sql_backend

from .conftest import Cli

pytestmark = pytest.mark.postgres
POSTS = 8


def test_two_servers_open_one_incident_and_resolve_it_once(cli: Cli, pg_server: PgServer, tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port}/{pg_server.create_database('two_serves')}"
    run_ok(cli, "--db", url, "init")
    token = run_ok(cli, "token", "--db", url, "create", "--name", "am", "--role", "responder",
                   "--person", "am@example.com").strip()
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule().replace("autoResolve: {timeout: 10m}", "autoResolve: {timeout: 1s}"))
    run_ok(cli, "--db", url, "rules", "apply", str(rules))
    servers = [Serve(cli, url, options=("--rules-interval", "0.2")) for _ in range(2)]
    for server in servers:
        server.start()
    try:
        barrier = threading.Barrier(2 * POSTS)
        answers: list[int] = []

        def post(server: Serve, body: dict) -> None:
            barrier.wait()
            answers.append(httpx.post(f"{server.url}/webhooks/alertmanager", json=body, timeout=60,
                                      headers={"Authorization": f"Bearer {token}"}).status_code)

        firing = webhook(alert(check="checkout-api"))
        threads = [threading.Thread(target=post, args=(servers[i % 2], firing)) for i in range(2 * POSTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert answers == [200] * (2 * POSTS)
        resolved = webhook(alert("resolved", check="checkout-api"), status="resolved")
        assert httpx.post(f"{servers[1].url}/webhooks/alertmanager", json=resolved, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
        time.sleep(3)                                   # 1 s of health, then both timers, several times
        backend = open_sql_backend(url.replace("postgresql://", "postgresql+psycopg://"), Identity(name="Reader"))
        try:
            rows = backend.list_incidents(IncidentQuery(), Window(0, 10)).rows
            assert [row.status.value for row in rows] == ["resolved"]
            resolutions = [entry for entry in backend.get_incident(rows[0].id).timeline if entry.text == "resolved"]
            assert len(resolutions) == 1 and resolutions[0].actor.is_system
            assert len(backend.search_checks("checkout-api")) == 1
        finally:
            backend.close()
    finally:
        for server in servers:
            server.kill()
