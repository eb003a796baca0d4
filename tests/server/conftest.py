"""A real `incidents serve` app on loopback (uvicorn in a thread, a free port), over a fresh copy
of the demo database: once on SQLite and once on PostgreSQL. Clients are httpx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import FIXED_NOW, PgServer
from tests.live_server import Running, free_port, role_tokens
from tui.domain.models import Identity
from tui.server import create_app
from tui.store.sql import SqlDatabase, open_sql_backend, open_sql_database, seed_demo


@dataclass
class Server:
    base_url: str
    database: SqlDatabase
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None = "admin", **headers: str) -> httpx.Client:
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def pg_demo_template(pg_server: PgServer) -> str:
    name = pg_server.create_database("demo_template")
    backend = open_sql_backend(pg_server.url(name), Identity(name="Demo Seeder"))
    try:
        seed_demo(backend, now=FIXED_NOW)
    finally:
        backend.close()
    return name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served_url(request: pytest.FixtureRequest, demo_url: str) -> str:
    if request.param == "sqlite":
        return demo_url
    server: PgServer = request.getfixturevalue("pg_server")
    return server.url(server.create_database("served", template=request.getfixturevalue("pg_demo_template")))


def start(url: str) -> tuple[Server, Running]:
    database = open_sql_database(url)
    tokens = role_tokens(database)
    port = free_port()
    return Server(f"http://127.0.0.1:{port}", database, tokens), Running(create_app(database), port)


@pytest.fixture
def server(served_url: str, frozen_clock) -> Iterator[Server]:
    """The API over a fresh demo database; tokens "admin", "responder", "viewer"."""
    served, running = start(served_url)
    try:
        yield served
    finally:
        running.stop()
        served.database.close()


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    with server.client("admin") as client:
        yield client


def first_open_incident(client: httpx.Client) -> dict:
    answer = client.get("/db/incidents", params={"status": "eq.open", "order": "created_at.desc", "limit": "1"})
    answer.raise_for_status()
    return answer.json()[0]

