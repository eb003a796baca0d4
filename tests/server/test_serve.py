"""`incidents serve` and `incidents token` as a user runs them: real processes, real ports.
Two serve processes on one PostgreSQL act as one: tokens and data live in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port
from tui.server.tokens import PREFIX


def incidents(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


class Serving:
    def __init__(self, url: str, env: dict[str, str], log: Path) -> None:
        self.port, self.log = free_port(), log
        self.process = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--db", url, "--port",
                                         str(self.port)], stdout=subprocess.DEVNULL, stderr=log.open("w"), env=env)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"serve did not start: {log.read_text()}")
            time.sleep(0.1)

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serving(env, tmp_path) -> Iterator:
    started: list[Serving] = []

    def start(url: str) -> Serving:
        started.append(Serving(url, env, tmp_path / f"serve-{len(started)}.log"))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def create_token(url: str, env, name: str, role: str, person: str) -> str:
    made = incidents("token", "--db", url, "create", "--name", name, "--role", role, "--person", person, env=env)
    assert made.returncode == 0, made.stderr
    assert "shown only this once" in made.stderr
    return made.stdout.strip()


def test_tokens_from_the_command_line(tmp_path, env):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    token = create_token(url, env, "ops-bot", "responder", "bot@example.com")
    assert token.startswith("itui_")
    listed = incidents("token", "--db", url, "list", env=env)
    assert "ops-bot" in listed.stdout and "responder" in listed.stdout and "bot@example.com" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout  # the secret (itui_<id>_<secret>; it may hold "_")
    assert incidents("token", "--db", url, "create", "--name", "x", "--role", "root", env=env).returncode == 1
    assert incidents("token", "--db", url, "revoke", "ops-bot", env=env).returncode == 0
    again = incidents("token", "--db", url, "revoke", "ops-bot", env=env)
    assert again.returncode == 1 and "no token named 'ops-bot'" in again.stderr


def test_serve_answers_logs_requests_and_never_the_token(tmp_path, env, serving):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    token = create_token(url, env, "me", "admin", "me@example.com")
    server = serving(url)
    with server.client(token) as client:
        assert client.get("/db/incidents", params={"limit": "1"}).status_code == 200
        bad = client.post("/db/comments", content=b"{oops", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["message"]
        assert client.get("/db/incidents", params={"or": "(("}).status_code == 400
    time.sleep(0.3)
    log = server.log.read_text()
    assert "GET /db/incidents?limit=1 200" in log and "POST /db/comments 400" in log
    secret = token.removeprefix(PREFIX).partition("_")[2]  # itui_<id>_<secret>; the secret may hold "_"
    assert token not in log and secret not in log and "Traceback" not in log


@pytest.mark.postgres
def test_two_serve_processes_on_one_postgresql_act_as_one(pg_server, env, serving):
    url = pg_server.url(pg_server.create_database("shared"))
    assert incidents("token", "--db", url, "list", env=env).returncode == 0  # creates the schema
    first, second = serving(url), serving(url)
    token = create_token(url, env, "late", "responder", "late@example.com")  # after both started
    with first.client(token) as one, second.client(token) as other:
        made = one.post("/rpc/incident_create", json={"title": "seen by both"})
        assert made.status_code == 200, made.text
        incident = made.json()
        seen = other.get("/db/incidents", params={"id": f"eq.{incident['id']}"}).json()
        assert [row["title"] for row in seen] == ["seen by both"]
        seen_version = {"id": f"eq.{incident['id']}", "updated_at": f"eq.{incident['updated_at']}"}
        moved = other.patch("/db/incidents", params=seen_version, json={"status": "mitigated"},
                            headers={"Prefer": "return=representation"}).json()
        assert len(moved) == 1
        stale = one.patch("/db/incidents", params=seen_version, json={"status": "resolved"},
                          headers={"Prefer": "return=representation"}).json()
        assert stale == []
        assert incidents("token", "--db", url, "revoke", "late", env=env).returncode == 0
        assert one.get("/db/incidents").status_code == 401 and other.get("/db/incidents").status_code == 401


@pytest.mark.postgres
def test_a_mission_control_database_is_refused_with_a_sentence(mission_control_pg_url, env):
    for args in (("serve", "--db", mission_control_pg_url), ("token", "--db", mission_control_pg_url, "list")):
        refused = incidents(*args, env=env)
        assert refused.returncode == 1 and "no api_tokens table" in refused.stderr and "Traceback" not in refused.stderr


def test_a_read_only_database_is_served_for_reading(tmp_path, env, serving):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    token = create_token(url, env, "me", "admin", "me@example.com")
    (tmp_path / "served.db").chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        server = serving(url)
        with server.client(token) as client:
            assert client.get("/db/incidents").status_code == 200
            refused = client.post("/rpc/incident_create", json={"title": "nope"})
            assert refused.status_code == 405 and refused.json()["code"] == "25006"
    finally:
        tmp_path.chmod(0o755)
