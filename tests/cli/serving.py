"""A team's server as a new user sets it up: a PostgreSQL database, `incidents --db URL init`,
tokens from `incidents token create`, and `incidents serve` as a real process on loopback."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import PgServer
from tests.live_server import free_port
from tui.domain.enums import Severity
from tui.domain.models import Identity, IncidentDraft
from tui.store.sql import open_sql_backend

from .conftest import INCIDENTS, Cli

PEOPLE = {"commander": "alice@example.com", "responder": "bob@example.com", "viewer": "victor@example.com"}
TITLES = ("Checkout latency over 2 s", "Queue backlog growing", "Certificate expires in 3 days")


@dataclass
class Serve:
    """`incidents serve --db URL --port PORT`, which can be killed and started again on its port."""

    cli: Cli
    db_url: str
    port: int = field(default_factory=free_port)
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ()
    """More `serve` options, such as `--rules-interval 0.5`."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Its stderr (a line per request): a file, since a pipe nobody reads would fill and block it."""
        return self.cli.home / f"serve-{self.port}.log"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen([INCIDENTS, "serve", "--db", self.db_url, "--port", str(self.port),
                                             *self.options],
                                            env=self.cli.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"incidents serve exited: {self.log.read_text()[-2000:]}"
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("incidents serve did not answer /health within 60 s")

    def kill(self) -> None:
        """As a crash would: no shutdown, connections cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


def run_ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def team_db(pg_server: PgServer, cli: Cli) -> str:
    """A new PostgreSQL database made ready with `incidents init`, holding three open incidents."""
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port}/{pg_server.create_database('team')}"
    run_ok(cli, "--db", url, "init")
    backend = open_sql_backend(url.replace("postgresql://", "postgresql+psycopg://"), Identity(name="Seeder"))
    try:
        for title in TITLES:
            backend.create_incident(IncidentDraft(title=title, severity=Severity.HIGH))
    finally:
        backend.close()
    return url


@pytest.fixture(scope="module")
def served(team_db: str, cli: Cli) -> Iterator[Serve]:
    """The team's server, with a token per role from `incidents token create`; a test that kills it
    starts it again."""
    serve = Serve(cli, team_db)
    for role, email in PEOPLE.items():
        serve.tokens[role] = run_ok(cli, "token", "--db", team_db, "create", "--name", email.split("@")[0],
                                    "--role", role, "--person", email).strip()
    serve.start()
    try:
        yield serve
    finally:
        serve.kill()
