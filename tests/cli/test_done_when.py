"""Issue 10's "Done when", tried as a new user would, in a real terminal (tmux) where it is about the
terminal: a config file in the usual place with a remapped key and a profile, help showing the key as
remapped, three incidents acknowledged at once with it, `:INC-12` from the board and from the Configs
view, and the export of a demo incident read as a postmortem draft. (NO_COLOR: tests/cli/test_themes.py;
the shell script: tests/cli/test_commands.py::test_a_shell_script_acknowledges_and_mitigates_an_incident.)"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from .conftest import Cli
from .test_terminal import Terminal, tmux_installed  # noqa: F401 - fixture

TITLES = ("Disk full on db-2", "Checkout 5xx after deploy", "Queue backlog on orders")


def first_config(cli: Cli, lab: Path) -> Path:
    """~/.config/incidents/config.toml, as the README tells a new user to write it."""
    path = Path(cli.env["XDG_CONFIG_HOME"]) / "incidents" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[keymap]\n"incident.acknowledge" = "A"\n\n'
                    f'[profiles.lab]\ndb = "{lab}"\nname = "Lab Tester"\nemail = "lab@example.com"\n',
                    encoding="utf-8")
    path.chmod(0o600)
    return path


def acknowledged_by(cli: Cli, incident_id: str) -> tuple[str | None, str | None]:
    shown = cli("-p", "lab", "show", incident_id, "--json")
    assert shown.returncode == 0, shown.stderr
    stored = json.loads(shown.stdout)
    return stored["incident"]["acknowledged"], (stored["commander"] or {}).get("name")


def test_a_profile_and_a_remapped_key_from_the_config_file_in_a_real_terminal(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    first_config(cli, tmp_path / "lab.db")
    assert cli("-p", "lab", "init").returncode == 0
    for title in TITLES:
        created = cli("-p", "lab", "create", title, "--severity", "high")
        assert created.returncode == 0 and not created.stderr, created.stderr  # the file is private: no warning
    terminal = Terminal(cli, 160, 48, "-p", "lab")
    try:
        terminal.wait_for(r"row 1 of 3\b")  # the profile's database, not the demo
        terminal.keys("?")
        help_screen = terminal.wait_for(r"incident\.acknowledge")
        assert re.search(r"│\s*A\s+Ack\s", help_screen), help_screen  # the key as remapped
        terminal.keys("Escape")
        terminal.wait_for(r"row 1 of 3\b")
        terminal.keys("a")  # no longer the key: nothing happens
        time.sleep(1)
        assert acknowledged_by(cli, "INC-1") == (None, None)
        terminal.keys("J", "J", "J")  # select three, moving down
        terminal.wait_for(r"3 selected")
        terminal.keys("A")
        terminal.wait_for(r"Acknowledge 3 incidents\?")
        terminal.keys("Enter")
        terminal.wait_for(r"(?i)3 acknowledged|acknowledged: INC")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(acknowledged_by(cli, f"INC-{n}")[0] is None for n in (1, 2, 3)):
            time.sleep(0.3)
        for n in (1, 2, 3):
            at, commander = acknowledged_by(cli, f"INC-{n}")
            assert at is not None and commander == "Lab Tester"  # the profile's name is who "I" am
        terminal.keys("q")
    finally:
        terminal.close()


def app_ended(terminal: Terminal, timeout: float = 20) -> bool:
    """The app quit: its tmux window, which ran nothing else, is gone with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            terminal.tmux("has-session")
        except subprocess.CalledProcessError:
            return True
        time.sleep(0.3)
    return False


def test_colon_inc_12_jumps_from_the_board_and_from_the_configs_view(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    terminal = Terminal(cli, 160, 48, "--demo")
    try:
        terminal.wait_for(r"row 1 of")
        terminal.keys(":")
        terminal.type("INC-12")
        terminal.keys("Enter")
        screen = terminal.wait_for(r"│ INC-12\s+inventory-service p99")  # its detail pane
        assert re.search(r"/ INC-12\b", screen) and "row 1 of 11 " in screen, screen  # INC-12, then INC-120 …
        terminal.keys("C")
        terminal.wait_for(r"Configs")
        terminal.keys(":")
        terminal.type("INC-12")
        terminal.keys("Enter")
        screen = terminal.wait_for(r"│ INC-12\s+inventory-service p99")
        assert re.search(r"/ INC-12\b", screen) and "Configs" not in screen  # the board, over the view
        terminal.keys(":")
        terminal.type("q")
        terminal.keys("Enter")
        assert app_ended(terminal), terminal.screen()
    finally:
        terminal.close()


def test_the_export_of_a_demo_incident_reads_like_a_postmortem_draft(tmp_path: Path) -> None:
    exported = Cli(tmp_path)("--demo", "export", "INC-12", "--format", "markdown")
    assert exported.returncode == 0 and not exported.stderr, exported.stderr
    draft = exported.stdout
    headings = re.findall(r"^## (.+)$", draft, flags=re.MULTILINE)
    assert headings == ["Summary", "Impact", "People", "Responders", "Linked configs and checks", "Timeline",
                        "Hypotheses", "Root cause", "Open follow-ups", "Lessons learned"]
    assert draft.startswith("# Postmortem draft: INC-12 inventory-service p99 latency above 800ms\n")
    assert "- **Commander:** Jonas Becker" in draft and "| Config | inventory-service |" in draft
    when = re.findall(r"^\| (\d{4}-\d\d-\d\d \d\d:\d\d) \|", draft, flags=re.MULTILINE)
    assert len(when) >= 5 and when == sorted(when)  # a timeline, oldest first
    assert "Time to acknowledge:" in draft and "Time to resolve:" in draft
    assert "\x1b" not in draft and "[/" not in draft  # text for a document, not for a terminal
