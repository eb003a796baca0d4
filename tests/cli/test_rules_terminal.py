"""The issue's "done when" for rules, in a real terminal (tmux): with the demo board open, a rule
applied from a YAML file and a failure reported from the CLI open an incident by System that
appears on the board by itself; reporting recovery resolves it after the rule's timeout, with
the open TUI as the rules' timer (a local database, no server)."""

from __future__ import annotations

import json
import time

from tests.cli.test_terminal import Terminal, tmux_installed  # noqa: F401 (fixture)

from .conftest import Cli

RULE = """\
apiVersion: mission-control.flanksource.com/v1
kind: IncidentRule
metadata: {name: checkout-health}
spec:
  checks: [{name: checkout-api-health}]
  template: {title: "{{ check.name }} fails: {{ check.message }}", severity: Critical}
  autoResolve: {timeout: 2s}
"""


def status_of(cli: Cli, title: str) -> str | None:
    listed = cli("--demo", "list", f'"{title}"', "--json", "--limit", "10")   # a phrase, every status
    assert listed.returncode == 0, listed.stderr
    rows = [row for row in json.loads(listed.stdout)["incidents"] if row["title"] == title]
    return rows[0]["status"] if rows else None


def test_a_failure_reported_from_the_cli_appears_on_the_open_board_and_recovery_resolves_it(cli, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULE)
    assert cli("--demo", "list").returncode == 0          # the demo database, made once
    term = Terminal(cli, 160, 48)
    try:
        term.wait_for(r"Critical")
        applied = cli("--demo", "rules", "apply", str(rules))
        assert applied.returncode == 0 and applied.stdout.split() == ["created", "checkout-health"], applied.stderr
        reported = cli("--demo", "checks", "report", "checkout-api-health", "--status", "unhealthy",
                       "--message", "502s")
        assert reported.returncode == 0 and "opened INC-" in reported.stdout, reported.stderr
        term.wait_for(r"checkout-api-health fails: 502s", timeout=15)
        title = "checkout-api-health fails: 502s"
        assert status_of(cli, title) == "open"
        assert cli("--demo", "checks", "report", "checkout-api-health", "--status", "healthy").returncode == 0
        deadline = time.monotonic() + 40                   # 2 s of health, then the TUI's 10 s timer
        while status_of(cli, title) != "resolved":
            assert time.monotonic() < deadline, term.screen()
            time.sleep(1)
    finally:
        term.close()
