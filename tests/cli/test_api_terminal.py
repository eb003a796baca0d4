"""The remote-mode issue's "Done when", tried as a new user would, in real terminals (tmux):
`incidents serve --db postgresql://…` with tokens from `incidents token create`, and
`incidents --api http://127.0.0.1:PORT --token …` in two terminals that see each other's
changes within 2 seconds; a viewer cannot write; the server killed and started again shows a
banner, then the board recovers without restarting the TUI."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

from tui.domain.enums import Severity
from tui.domain.models import Identity, IncidentDraft
from tui.store.sql import open_sql_backend

from .conftest import Cli
from .serving import Serve, served, team_db  # noqa: F401 - fixtures
from .test_terminal import LIVE_WITHIN, Terminal, tmux_installed  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres

Open = Callable[[str], Terminal]


@pytest.fixture
def open_terminal(cli: Cli, served: Serve) -> Iterator[Open]:
    """`open_terminal(role)`: the TUI on the team's server with that role's token, on the command line."""
    opened: list[Terminal] = []

    def open_(role: str) -> Terminal:
        terminal = Terminal(cli, 140, 30, "--api", served.url, "--token", served.tokens[role])
        opened.append(terminal)
        return terminal

    yield open_
    for terminal in opened:
        terminal.close()


def stored(cli: Cli, served: Serve, text: str) -> dict:
    """The one incident matching `text`, read from the database (not through the server)."""
    result = cli("--db", served.db_url, "list", text, "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)["incidents"]
    return row


def shows_within(terminal: Terminal, pattern: str, seconds: float) -> str:
    start = time.monotonic()
    screen = terminal.wait_for(pattern, timeout=seconds)
    assert time.monotonic() - start <= seconds + 0.5  # (a capture takes a moment itself)
    return screen


def test_two_terminals_see_and_change_the_same_incident(cli: Cli, served: Serve, open_terminal: Open) -> None:
    alice, bob = open_terminal("commander"), open_terminal("responder")
    for terminal in (alice, bob):
        terminal.wait_for(r"row 1 of 3 ")
        terminal.type("/Queue")
        terminal.keys("Enter")
        terminal.wait_for(r"row 1 of 1 ")
    assert f"incidents · {served.url}" in alice.screen()

    alice.keys("a")  # acknowledge: alice becomes its commander
    alice.wait_for(r"Queue backlog growing +alice")
    shows_within(bob, r"Queue backlog growing +alice", LIVE_WITHIN)
    assert stored(cli, served, "Queue")["commander"] == "alice"

    bob.keys("m")  # and bob, on the same incident, mitigates it
    bob.wait_for(r"HIGH +Mitigated .*Queue backlog")
    shows_within(alice, r"HIGH +Mitigated .*Queue backlog", LIVE_WITHIN)
    assert stored(cli, served, "Queue")["status"] == "mitigated"

    for terminal in (alice, bob):
        assert not any(token in terminal.screen() for token in served.tokens.values())
        terminal.keys("q")


def test_a_viewer_token_cannot_write(cli: Cli, served: Serve, open_terminal: Open) -> None:
    before = stored(cli, served, "Certificate")
    viewer = open_terminal("viewer")
    viewer.wait_for(r"not loaded: This token may not read incident")
    viewer.keys("a")
    viewer.wait_for(r"No incident selected")
    viewer.keys("m")
    time.sleep(1)
    assert stored(cli, served, "Certificate") == before
    assert served.tokens["viewer"] not in viewer.screen()


def test_the_server_killed_and_started_again(cli: Cli, served: Serve, open_terminal: Open) -> None:
    alice = open_terminal("commander")
    alice.wait_for(r"Certificate expires")
    served.kill()
    screen = alice.wait_for(rf"Cannot reach the server at {served.url}.*", timeout=30)
    assert "Retrying" in screen and "Certificate expires" in screen  # the rows shown stay

    backend = open_sql_backend(served.db_url.replace("postgresql://", "postgresql+psycopg://"),
                               Identity(name="Someone Else"))
    try:  # a change made while the server was away: a teammate on the database itself
        backend.create_incident(IncidentDraft(title="Raised meanwhile", severity=Severity.HIGH))
    finally:
        backend.close()
    served.start()
    screen = alice.wait_for(r"Raised meanwhile", timeout=30)
    assert "Cannot reach" not in screen and "Retrying" not in screen
    alice.keys("q")
