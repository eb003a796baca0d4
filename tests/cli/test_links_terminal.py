"""Copying an incident's id or link with one key, and opening its Mission Control page, in a
real terminal (tmux): the copy is an OSC 52 sequence, which tmux (with set-clipboard on) keeps
as its paste buffer just as a terminal at the other end of an SSH session would take it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from .conftest import Cli
from .test_terminal import Terminal, tmux_installed  # noqa: F401 - fixture

FRONTEND = "https://mc.example.com/"


def open_board(cli: Cli, **env: str) -> Terminal:
    terminal = Terminal(cli, 160, 48, env={"INCIDENTS_FRONTEND_URL": FRONTEND} | env)
    terminal.tmux("set-option", "-g", "set-clipboard", "on")  # before the app starts (it sleeps 0.5 s first)
    terminal.wait_for(r"Commander")
    return terminal


def pasted(terminal: Terminal, previous: str | None = None, timeout: float = 20) -> str:
    """tmux's newest paste buffer, once it holds something other than `previous`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        buffers = terminal.tmux("list-buffers", "-F", "#{buffer_name}")
        if buffers.strip():
            text = terminal.tmux("show-buffer")
            if text != previous:
                return text
        time.sleep(0.2)
    raise AssertionError(f"nothing new was copied; the screen was:\n{terminal.screen()}")


def uuid_of(cli: Cli, incident_id: str) -> str:
    shown = cli("--demo", "show", incident_id, "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)["incident"]["id"]


def test_y_copies_the_id_and_shift_y_the_link_over_osc_52(cli: Cli) -> None:
    terminal = open_board(cli)
    try:
        terminal.keys("y")
        incident_id = pasted(terminal)
        assert re.fullmatch(r"INC-\d+", incident_id)
        assert f"Copied {incident_id}" in terminal.wait_for("Copied")
        assert re.search(rf"{incident_id}\s", terminal.screen())  # the one shown in the detail pane
        terminal.keys("Y")
        assert pasted(terminal, incident_id) == f"https://mc.example.com/incidents/{uuid_of(cli, incident_id)}"
    finally:
        terminal.close()


def test_b_opens_the_page_in_the_browser_the_desktop_has(cli: Cli, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\necho \"$1\" >> {opened}\n")
    browser.chmod(0o755)
    terminal = open_board(cli, DISPLAY=":99", BROWSER=f"{browser} %s")
    try:
        terminal.keys("y")
        incident_id = pasted(terminal)
        terminal.keys("b")
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert opened.read_text() == f"https://mc.example.com/incidents/{uuid_of(cli, incident_id)}\n"
        terminal.wait_for(r"Opened\s")
    finally:
        terminal.close()


def test_b_without_a_browser_copies_the_link_and_says_so(cli: Cli) -> None:
    terminal = open_board(cli, DISPLAY="", WAYLAND_DISPLAY="")
    try:
        terminal.keys("b")
        link = pasted(terminal)
        assert link.startswith("https://mc.example.com/incidents/")
        terminal.wait_for(r"No\s+web\s+browser\s+here")
    finally:
        terminal.close()


def test_without_a_frontend_url_the_link_keys_say_what_to_set(cli: Cli) -> None:
    terminal = open_board(cli, INCIDENTS_FRONTEND_URL="")
    try:
        terminal.keys("Y")
        terminal.wait_for(r"set\s+frontend_url")
        terminal.keys("b")
        assert not terminal.tmux("list-buffers").strip()
    finally:
        terminal.close()
