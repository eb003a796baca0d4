"""End to end with a real Prometheus Alertmanager (Debian's prometheus-alertmanager, started here
on loopback with its own config) sending its webhook to a real `incidents serve`: `amtool alert
add` fires an alert, an incident appears, created by System and linked to the check; resolving
the alert resolves the incident once the rule's (short) autoResolve timeout has passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.cli.serving import Serve, run_ok
from tests.live_server import free_port
from tests.store.test_rules_engine import rule
from tui.domain.models import Identity
from tui.domain.query import IncidentQuery, Window
from tui.store.sql import open_sql_backend

from .conftest import Cli

ALERTMANAGER, AMTOOL = shutil.which("prometheus-alertmanager"), shutil.which("amtool")
T = TypeVar("T")

if ALERTMANAGER is None or AMTOOL is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("CI must run the Alertmanager test: apt-get install prometheus-alertmanager")
    pytest.skip("needs prometheus-alertmanager (apt-get install prometheus-alertmanager)", allow_module_level=True)

CONFIG = """\
route:
  receiver: incidents
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: incidents
    webhook_configs:
      - url: {url}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: {token}}}
"""


def until(what: Callable[[], T | None], seconds: float, why: Callable[[], str]) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(why())


@pytest.fixture
def served(cli: Cli, tmp_path: Path) -> Iterator[Serve]:
    db = tmp_path / "team.db"
    run_ok(cli, "--db", str(db), "init")
    serve = Serve(cli, f"sqlite:///{db}", options=("--rules-interval", "0.5"))
    serve.tokens["alertmanager"] = run_ok(cli, "token", "--db", str(db), "create", "--name", "alertmanager",
                                          "--role", "responder", "--person", "alertmanager@example.com").strip()
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule(glob="checkout-*").replace("autoResolve: {timeout: 10m}", "autoResolve: {timeout: 2s}"))
    run_ok(cli, "--db", str(db), "rules", "apply", str(rules))
    serve.start()
    try:
        yield serve
    finally:
        serve.kill()


@pytest.fixture
def alertmanager(served: Serve, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = tmp_path / "am.yml"
    config.write_text(CONFIG.format(url=served.url, token=served.tokens["alertmanager"]))
    log = tmp_path / "alertmanager.log"
    with log.open("w") as output:
        process = subprocess.Popen([str(ALERTMANAGER), f"--config.file={config}", f"--storage.path={tmp_path / 'am'}",
                                    f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _ready(url), 30, lambda: f"Alertmanager did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def amtool(url: str, *args: str) -> None:
    subprocess.run([str(AMTOOL), f"--alertmanager.url={url}", "alert", "add", "CheckoutDown",
                    "check=checkout-api-health", "team=payments", "severity=critical", *args],
                   check=True, capture_output=True, timeout=60)


def incidents_in(served: Serve):
    backend = open_sql_backend(served.db_url, Identity(name="Observer"))
    try:
        return [backend.get_incident(row.id) for row in backend.list_incidents(IncidentQuery(), Window(0, 10)).rows]
    finally:
        backend.close()


def test_an_alert_from_alertmanager_opens_an_incident_and_its_resolution_resolves_it(served, alertmanager):
    amtool(alertmanager, "--annotation=summary=502s from checkout")
    [detail] = until(lambda: incidents_in(served), 30, lambda: f"no incident; serve said: "
                                                               f"{served.log.read_text()[-2000:]}")
    assert detail.creator.is_system
    assert detail.incident.title == "checkout-api-health is down (checkout-down)"
    assert detail.incident.description == "502s from checkout"
    assert [(check.name, check.type, check.health.value) for check in detail.checks] == [
        ("checkout-api-health", "alertmanager", "unhealthy")]
    ended = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    amtool(alertmanager, f"--end={ended}")
    resolved = until(lambda: [d for d in incidents_in(served) if d.incident.status.value == "resolved"], 40,
                     lambda: f"not resolved; serve said: {served.log.read_text()[-2000:]}")
    assert len(resolved) == 1 and len(incidents_in(served)) == 1
    assert any(entry.actor.is_system and entry.text.startswith("Resolved by rule checkout-down")
               for entry in resolved[0].timeline)
