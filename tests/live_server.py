"""A real `incidents serve` app on loopback: uvicorn in a thread on a free port, and tokens.

Shared by the server tests (tests/server/conftest.py) and the API backend's runs of the
backend suite (tests/store/backends.py).
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

from tui.domain.models import Identity
from tui.server.tokens import Role, create_token
from tui.store.sql import SqlDatabase

ADMIN = Identity(name="Alice Admin", email="alice.admin@example.com")
RESPONDER = Identity(name="Rita Responder", email="rita.responder@example.com")
VIEWER = Identity(name="Victor Viewer", email="victor.viewer@example.com")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """uvicorn serving `app` in a daemon thread until stopped (start another on the same port to
    restart it)."""

    def __init__(self, app: ASGIApp, port: int, **tls: str) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                lifespan="off", **tls)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def role_tokens(database: SqlDatabase) -> dict[str, str]:
    """Tokens "admin", "responder" and "viewer", each for its own person."""
    return {role.value: create_token(database, role.value, role, who)
            for role, who in ((Role.ADMIN, ADMIN), (Role.RESPONDER, RESPONDER), (Role.VIEWER, VIEWER))}
