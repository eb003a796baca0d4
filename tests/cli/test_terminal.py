"""The issue's acceptance story, typed into a real terminal (tmux) running `incidents --demo`."""

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Mapping

import pytest

from .conftest import INCIDENTS, Cli

LIVE_WITHIN = 2.0
"""The issue's promise: a change made elsewhere shows within 2 seconds, no key pressed."""

@pytest.fixture(autouse=True, scope="module")
def tmux_installed() -> None:
    """tmux ships with the machines CI runs on: there, its absence is a failure, not a skip."""
    if shutil.which("tmux") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("tmux is not installed; CI must run the terminal test")
        pytest.skip("needs tmux")


class Terminal:
    """`incidents ARGS` (default: --demo) in a tmux window of its own; `env` adds to the environment."""

    def __init__(self, cli: Cli, width: int, height: int, *args: str, env: Mapping[str, str] | None = None) -> None:
        self.socket = f"incidents-test-{uuid.uuid4().hex[:8]}"
        settings = {k: cli.env[k] for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "USER")} | dict(env or {})
        command = shlex.join(["env", *(f"{k}={v}" for k, v in settings.items()), "TERM=xterm-256color",
                              INCIDENTS, *(args or ("--demo",))])
        # A fresh tmux server settles the window size just after starting the command:
        # give it a moment so the app reads the final size.
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), f"sleep 0.5; exec {command}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True, timeout=30).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{pattern!r} never appeared; the screen was:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def stored_status(cli: Cli, incident_id: str) -> str:
    listed = cli("--demo", "list", incident_id, "--json", "--limit", "1000")
    assert listed.returncode == 0, listed.stderr
    (row,) = [r for r in json.loads(listed.stdout)["incidents"] if r["incident_id"] == incident_id]
    return row["status"]


@pytest.fixture
def terminal(cli: Cli):
    term = Terminal(cli, 160, 48)
    yield term
    term.close()


def test_triage_story_in_a_real_terminal(cli: Cli, terminal: Terminal) -> None:
    terminal.wait_for(r"INC-\d+")
    terminal.keys("/")
    terminal.type("sev:critical,high status:open")
    terminal.keys("Enter")
    terminal.wait_for(r"status:open")
    incident_id = terminal.wait_for(r"Commander").split("INC-", 1)[1].split()[0]
    incident_id = "INC-" + re.match(r"\d+", incident_id).group()

    terminal.keys("a")
    terminal.wait_for(r"acknowledged")
    terminal.keys("m")
    terminal.wait_for(r"(?i)mitigated")
    terminal.keys("r")
    terminal.wait_for(r"(?i)resolved")
    terminal.keys("x")
    terminal.wait_for(r"(?i)close")
    terminal.keys("Enter")

    deadline = time.monotonic() + 30
    while (status := stored_status(cli, incident_id)) != "closed" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == "closed"
    screen = terminal.screen()
    assert "cli-tester" in screen
    terminal.keys("q")


def stored_statuses(cli: Cli) -> dict[str, str]:
    listed = cli("--demo", "list", "", "--json", "--limit", "100000")
    assert listed.returncode == 0, listed.stderr
    return {row["incident_id"]: row["status"] for row in json.loads(listed.stdout)["incidents"]}


def test_keys_typed_in_a_burst_go_where_they_were_meant(cli: Cli, terminal: Terminal) -> None:
    """Over SSH a whole word arrives at once: `/sev:high` lands in the filter, `cmr` in the comment
    box, and no letter of either ever acts on an incident."""
    terminal.wait_for(r"row 1 of")
    before = stored_statuses(cli)
    high = cli("--demo", "list", "sev:high status:open", "--json", "--limit", "1")
    total = json.loads(high.stdout)["total"]

    terminal.type("/sev:high status:open")
    terminal.tmux("send-keys", "Enter")
    screen = terminal.wait_for(rf"row 1 of {total:,} ")
    assert "/ sev:high status:open" in screen

    terminal.type("cmr")
    terminal.wait_for(r"Comment on INC-\d+")
    terminal.wait_for(r"▊ mr +▎")  # shown, not only stored: keys typed ahead wait for the box's first paint
    terminal.tmux("send-keys", "C-s")
    terminal.wait_for(r"Comment added to INC-\d+")
    assert "“mr”" in terminal.wait_for(r"“mr”")
    assert stored_statuses(cli) == before


def test_a_row_written_by_another_program_appears_without_a_key(cli: Cli, terminal: Terminal) -> None:
    """Raw SQL, as the sqlite3 shell in a second terminal would write it (SQLite's own timestamps)."""
    terminal.wait_for(r"INC-\d+")
    database = sqlite3.connect(cli.home / "data" / "incidents" / "demo.db")
    try:
        with database:
            database.execute(
                "INSERT INTO incidents (id, incident_id, title, created_by, severity, description, type, status, "
                "created_at, updated_at) SELECT lower(hex(randomblob(16))), 'INC-90001', 'Typed into sqlite3', "
                "created_by, 'Critical', '', 'availability', 'open', datetime('now'), datetime('now') "
                "FROM incidents LIMIT 1")
        terminal.wait_for(r"INC-90001 +CRIT +Open .*Typed into sqlite3", timeout=LIVE_WITHIN)
        with database:
            database.execute("UPDATE incidents SET status = 'mitigated', updated_at = datetime('now') "
                             "WHERE incident_id = 'INC-90001'")
        terminal.wait_for(r"INC-90001 +CRIT +Mitigated", timeout=LIVE_WITHIN)
    finally:
        database.close()
    terminal.keys("q")
