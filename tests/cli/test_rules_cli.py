"""`incidents rules …` and `incidents checks report`, as a user types them: on a local SQLite
database (the rules act in the command itself) and through a real `incidents serve`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.cli.serving import Serve, run_ok
from tests.store.test_rules_engine import rule
from tui.domain.models import Identity
from tui.domain.query import IncidentQuery, Window
from tui.store.sql import open_sql_backend

from .conftest import Cli

QUICK = rule("quick").replace("autoResolve: {timeout: 10m}", "autoResolve: {timeout: 1s}")


@pytest.fixture
def local(cli: Cli, tmp_path: Path) -> tuple[str, Path]:
    db = tmp_path / "rules.db"
    run_ok(cli, "--db", str(db), "init")
    rules = tmp_path / "rules.yaml"
    rules.write_text(QUICK + "---\n" + rule("other", priority=5, glob="search-*"))
    return str(db), rules


def stored_incidents(db: str):
    backend = open_sql_backend(f"sqlite:///{db}", Identity(name="Reader"))
    try:
        return [backend.get_incident(row.id) for row in backend.list_incidents(IncidentQuery(), Window(0, 50)).rows]
    finally:
        backend.close()


def test_apply_list_and_apply_again_change_nothing(cli, local):
    db, rules = local
    assert run_ok(cli, "--db", db, "rules", "apply", str(rules)).split() == ["created", "quick", "created", "other"]
    assert run_ok(cli, "--db", db, "rules", "apply", str(rules)).split() == ["unchanged", "quick", "unchanged", "other"]
    listed = run_ok(cli, "--db", db, "rules", "list").splitlines()
    assert [line.split()[0] for line in listed] == ["quick", "other"]
    assert "resolve after 1s" in listed[0] and "close after 24h" in listed[0] and "breakOnMatch" in listed[0]
    as_json = json.loads(run_ok(cli, "--db", db, "rules", "list", "--json"))
    assert as_json[0]["spec"]["autoResolve"] == {"timeout": "1s"}
    again = rules.with_name("again.yaml")
    again.write_text(run_ok(cli, "--db", db, "rules", "list", "--yaml"))
    assert run_ok(cli, "--db", db, "rules", "apply", str(again)).split() == ["unchanged", "quick", "unchanged", "other"]


def test_a_bad_rule_file_is_one_sentence_naming_document_and_field_and_nothing_is_stored(cli, local):
    db, rules = local
    rules.write_text(rule("fine") + "---\n" + rule("broken").replace("severity: High", "severity: urgent"))
    result = cli("--db", db, "rules", "apply", str(rules))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"incidents: {rules}, document 2 (broken): spec.template.severity: 'urgent' is not a "
                             "severity; use one of: Critical, High, Medium, Low, Info.\n")
    assert run_ok(cli, "--db", db, "rules", "list") == ""
    missing = cli("--db", db, "rules", "apply", str(rules.with_name("nope.yaml")))
    assert missing.returncode == 2 and "Cannot read" in missing.stderr and "No such file" in missing.stderr


def test_a_failure_reported_from_the_cli_opens_an_incident_and_recovery_resolves_it(cli, local):
    db, rules = local
    run_ok(cli, "--db", db, "rules", "apply", str(rules))
    said = run_ok(cli, "--db", db, "checks", "report", "checkout-api", "--status", "unhealthy", "--create",
                  "--message", "502s", "--label", "team=payments")
    assert said == "checkout-api is unhealthy (created); opened INC-1.\n"
    [detail] = stored_incidents(db)
    assert detail.creator.is_system and [check.name for check in detail.checks] == ["checkout-api"]
    assert run_ok(cli, "--db", db, "checks", "report", "checkout-api", "--status", "healthy") == \
        "checkout-api is healthy.\n"
    time.sleep(1.2)
    assert run_ok(cli, "--db", db, "rules", "run") == \
        "INC-1: Resolved by rule quick: checkout-api has been healthy for 1s\n"
    assert stored_incidents(db)[0].incident.status.value == "resolved"
    assert run_ok(cli, "--db", db, "rules", "run") == ""


def test_reporting_mistakes_are_sentences(cli, local):
    db, _ = local
    unknown = cli("--db", db, "checks", "report", "nope", "--status", "healthy")
    assert unknown.returncode == 1 and "There is no health check 'nope'; report it with --create" in unknown.stderr
    label = cli("--db", db, "checks", "report", "nope", "--status", "healthy", "--label", "team")
    assert label.returncode == 2 and label.stderr == "incidents: --label 'team' is not KEY=VALUE\n"
    gone = cli("--db", db, "rules", "delete", "never-was")
    assert gone.returncode == 1 and "There is no incident rule named 'never-was'." in gone.stderr


def test_the_same_commands_work_through_a_server(cli, tmp_path, local):
    db, rules = local
    served = Serve(cli, f"sqlite:///{db}", options=("--rules-interval", "0.3"))
    served.tokens["admin"] = run_ok(cli, "token", "--db", db, "create", "--name", "ops", "--role", "admin",
                                    "--person", "ops@example.com").strip()
    served.start()
    try:
        remote = ("--api", served.url, "--token", served.tokens["admin"])
        assert run_ok(cli, *remote, "rules", "apply", str(rules)).split() == ["created", "quick", "created", "other"]
        assert run_ok(cli, *remote, "checks", "report", "checkout-api", "--status", "unhealthy", "--create",
                      "--label", "team=payments") == "checkout-api is unhealthy (created); opened INC-1.\n"
        run_ok(cli, *remote, "checks", "report", "checkout-api", "--status", "healthy")
        deadline = time.monotonic() + 15
        while stored_incidents(db)[0].incident.status.value != "resolved":   # serve's own timer
            assert time.monotonic() < deadline, served.log.read_text()[-2000:]
            time.sleep(0.2)
        run_ok(cli, *remote, "rules", "delete", "other")
        assert [line.split()[0] for line in run_ok(cli, *remote, "rules", "list").splitlines()] == ["quick"]
    finally:
        served.kill()
