"""The CLI as a twin of the keys: show, create, ack, transition, comment, assign, responder add and
remove, each on a local SQLite database and through `--api` against a real `incidents serve` on
PostgreSQL, with the exit codes the README promises (tui.cli.common.Exit) and the stored result
read back through `show --json`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port
from tui.cli.common import Exit
from tui.domain.models import Identity, IncidentDraft
from tui.store.sql import open_sql_backend

from .conftest import INCIDENTS, Cli
from .serving import PEOPLE, Serve, served, team_db  # noqa: F401 - fixtures
from .test_errors import refused


@dataclass
class Where:
    """Where the commands act: the options that name it and who "me" is there."""

    cli: Cli
    options: tuple[str, ...]
    me: str

    def __call__(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([INCIDENTS, *self.options, *args], env=self.cli.env, capture_output=True, text=True,
                              timeout=120, input=input if input is not None else "")

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def show(self, incident: str) -> dict:
        return json.loads(self.ok("show", incident, "--json"))

    def new(self, title: str = "Queue backlog growing", *options: str) -> str:
        line = self.ok("create", title, *options)
        assert line.startswith("INC-") and " created: " in line
        return line.split()[0]


@pytest.fixture(scope="module")
def local_db(cli: Cli) -> str:
    """A SQLite database made with `incidents init`, where Alice and Bob have worked before."""
    path = cli.home / "local.db"
    subprocess.run([INCIDENTS, "--db", str(path), "init"], env=cli.env, check=True, capture_output=True)
    for email in (PEOPLE["commander"], PEOPLE["responder"]):
        backend = open_sql_backend(f"sqlite:///{path}", Identity(name=email.split("@")[0], email=email))
        backend.create_incident(IncidentDraft(title=f"{email} was here"))
        backend.close()
    return str(path)


@pytest.fixture(params=["local", pytest.param("api", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, cli: Cli) -> Where:
    if request.param == "local":
        return Where(cli, ("--db", request.getfixturevalue("local_db")), "cli-tester")
    serve: Serve = request.getfixturevalue("served")
    return Where(cli, ("--api", serve.url, "--token", serve.tokens["commander"]), "alice")


def test_create_then_show_as_text_and_json(where: Where) -> None:
    created = json.loads(where.ok("create", "Checkout latency over 2 s", "--severity", "high", "--type",
                                  "performance", "--description", "-", "--communicator", "bob@example.com", "--json",
                                  input="p99 above 2 s\nsince the 14:00 deploy\n"))
    incident = created["incident"]
    assert (incident["severity"], incident["type"], incident["status"]) == ("High", "performance", "open")
    assert incident["description"] == "p99 above 2 s\nsince the 14:00 deploy"
    assert created["communicator"]["email"] == "bob@example.com"
    assert created["allowed_transitions"] == ["mitigated", "resolved", "cancelled"]
    shown = where.ok("show", incident["incident_id"])
    assert shown.startswith(f"{incident['incident_id']}  Checkout latency over 2 s\nHigh · Performance · Open\n")
    assert "Communicator  bob <bob@example.com>" in shown and "  since the 14:00 deploy" in shown
    assert where.show(incident["incident_id"].removeprefix("INC-"))["incident"]["id"] == incident["id"]


def test_ack_makes_me_commander(where: Where) -> None:
    incident = where.new()
    assert where.ok("ack", incident) == f"{incident} acknowledged; commander: {where.me}\n"
    stored = where.show(incident)
    assert stored["incident"]["acknowledged"] and stored["commander"]["name"] == where.me


def test_transition_with_a_note_and_one_the_lifecycle_refuses(where: Where) -> None:
    incident = where.new()
    assert where.ok("transition", incident, "mitigated", "--note", "rolled back") == f"{incident} open → mitigated\n"
    stored = where.show(incident)
    assert stored["incident"]["status"] == "mitigated"
    assert any(entry["kind"] == "comment" and entry["text"] == "rolled back" for entry in stored["timeline"])
    refusal = where("transition", incident, "closed", "--json")
    refused(refusal, Exit.REFUSED, "cannot be closed", "resolved")
    assert json.loads(refusal.stdout)["error"] == {"exit_code": 5, "kind": "refused",
                                                   "message": refusal.stderr.removeprefix("incidents: ").strip()}
    assert where.show(incident)["incident"]["status"] == "mitigated"


def test_comment_from_an_argument_and_from_standard_input(where: Where) -> None:
    incident = where.new()
    where.ok("comment", incident, "first look: disk full")
    where.ok("comment", incident, "-", input="line one\nline two\n")
    texts = [entry["text"] for entry in where.show(incident)["timeline"] if entry["kind"] == "comment"]
    assert texts == ["first look: disk full", "line one\nline two"]
    refused(where("comment", incident, "-", input="  \n"), Exit.USAGE, "the comment is empty")


def test_assign_and_unassign_people_by_email_name_or_me(where: Where) -> None:
    incident = where.new()
    assert where.ok("assign", incident, "--commander", "bob@example.com", "--communicator", "me") == \
        f"{incident} commander: bob, communicator: {where.me}\n"
    where.ok("assign", incident, "--communicator", "none", "--commander", "ALICE")
    stored = where.show(incident)
    assert stored["commander"]["email"] == "alice@example.com" and stored["communicator"] is None
    refused(where("assign", incident, "--commander", "nobody-by-that-name"), Exit.NOT_FOUND, "no person")
    refused(where("assign", incident, "--commander", "example.com"), Exit.USAGE, "could be any of", "alice")
    refused(where("assign", incident), Exit.USAGE, "--commander")


def test_responders_are_added_and_removed(where: Where) -> None:
    incident = where.new()
    assert where.ok("responder", "add", incident, "--person", "bob") == f"{incident} responder added: person bob\n"
    where.ok("responder", "add", incident, "--external", "jira", "--property", "project=OPS", "--property",
             "issueType=Bug", "--property", "summary=Roll back the deploy")
    assert {(r["kind"], r["external_type"]) for r in where.show(incident)["responders"]} == {
        ("person", None), ("external", "jira")}
    refused(where("responder", "add", incident, "--external", "jira", "--property", "project=OPS"), Exit.USAGE,
            "Summary is required")
    assert where.ok("responder", "remove", incident, "bob@example.com") == \
        f"{incident} responder removed: person bob\n"
    assert [r["kind"] for r in where.show(incident)["responders"]] == ["external"]
    refused(where("responder", "remove", incident, "bob"), Exit.NOT_FOUND, "no responder 'bob'")


def test_a_missing_incident_is_exit_3_for_every_command(where: Where) -> None:
    for command in (("show", "INC-99999"), ("ack", "INC-99999"), ("transition", "INC-99999", "resolved"),
                    ("comment", "INC-99999", "hello"), ("assign", "INC-99999", "--commander", "me"),
                    ("responder", "add", "INC-99999", "--person", "me"), ("export", "INC-99999")):
        refused(where(*command), Exit.NOT_FOUND, "INC-99999")


def test_a_change_after_the_version_a_script_saw_is_a_conflict(where: Where) -> None:
    incident = where.new()
    seen = where.show(incident)["incident"]["updated_at"]
    where.ok("comment", incident, "someone else was quicker")
    where.ok("assign", incident, "--commander", "bob")
    refused(where("ack", incident, "--expect-updated-at", seen), Exit.CONFLICT, "changed at", "nothing was changed")
    assert where.show(incident)["incident"]["acknowledged"] is None
    now = where.show(incident)["incident"]["updated_at"]
    where.ok("transition", incident, "resolved", "--expect-updated-at", now)


def test_a_closed_incident_refuses_changes_other_than_reopening(where: Where) -> None:
    incident = where.new()
    where.ok("transition", incident, "cancelled", "--note", "duplicate")
    for command in (("comment", incident, "late"), ("ack", incident), ("assign", incident, "--commander", "bob"),
                    ("responder", "add", incident, "--person", "bob")):
        refused(where(*command), Exit.REFUSED, "read-only")
    where.ok("transition", incident, "open")


def test_bad_values_are_usage_errors(where: Where) -> None:
    refused(where("create", "x", "--severity", "urgent"), Exit.USAGE, "unknown severity 'urgent'", "critical")
    refused(where("create", "x", "--type", "outage"), Exit.USAGE, "unknown type 'outage'")
    refused(where("create", "   "), Exit.USAGE, "A title is required")
    refused(where("transition", "INC-1", "investigating-ish"), Exit.USAGE, "unknown status")
    for argparse_refuses in (("ack", "INC-1", "--expect-updated-at", "yesterday"), ("ack",)):
        result = where(*argparse_refuses)
        assert result.returncode == Exit.USAGE and result.stderr.startswith("usage: incidents ack")
    assert "is not an ISO 8601 time" in where("ack", "INC-1", "--expect-updated-at", "yesterday").stderr


def test_list_in_each_format(where: Where) -> None:
    where.new("Listed in every format")
    table = where("list", "Listed in every format")
    assert table.returncode == 0 and "Listed in every format" in table.stdout and "-- 1-1 of 1" in table.stderr
    rows = json.loads(where.ok("list", "Listed in every format", "--format", "json"))["incidents"]
    assert json.loads(where.ok("list", "Listed in every format", "--json"))["incidents"] == rows
    csv = where.ok("list", "Listed in every format", "--format", "csv").splitlines()
    assert csv[0].startswith("incident_id,title,severity,status,type,commander")
    assert csv[1].startswith(f"{rows[0]['incident_id']},Listed in every format,Medium,open,availability,")


@pytest.mark.postgres
def test_unavailable_and_forbidden_through_the_api(cli: Cli, served: Serve) -> None:
    nowhere = Where(cli, ("--api", f"http://127.0.0.1:{free_port()}", "--token", "itui_x"), "")
    refused(nowhere("show", "INC-1"), Exit.UNAVAILABLE, "Cannot reach the server")
    viewer = Where(cli, ("--api", served.url, "--token", served.tokens["viewer"]), "victor")
    refused(viewer("show", "INC-1"), Exit.FORBIDDEN, "may not")
    refused(viewer("ack", "INC-1", "--json"), Exit.FORBIDDEN, "may not")
    assert json.loads(viewer("ack", "INC-1", "--json").stdout)["error"]["kind"] == "forbidden"


def test_create_links_configs_and_checks_by_name(cli: Cli) -> None:
    demo = Where(cli, ("--demo",), "cli-tester")
    incident = demo.new("Payments slow", "--config", "inventory-service", "--check", "kafka-statefulset-ready",
                        "--commander", "Aiko Tanaka")
    stored = demo.show(incident)
    assert [c["name"] for c in stored["configs"]] == ["inventory-service"]
    assert [c["name"] for c in stored["checks"]] == ["kafka-statefulset-ready"]
    assert stored["commander"]["name"] == "Aiko Tanaka"
    refused(demo("create", "x", "--config", "no-such-config-anywhere"), Exit.NOT_FOUND, "no config")


@pytest.fixture
def script_env(cli: Cli) -> Iterator[dict[str, str]]:
    yield cli.env | {"PATH": f"{Path(INCIDENTS).parent}:{cli.env['PATH']}"}


SCRIPT = Path(__file__).parents[2] / "examples" / "ack-and-mitigate.sh"


def test_a_shell_script_acknowledges_and_mitigates_an_incident(where: Where, script_env: dict[str, str]) -> None:
    """The issue's "Done when": the example script, configured only by INCIDENTS_* variables."""
    incident = where.new("Disk full on db-2")
    options = dict(zip(where.options[::2], where.options[1::2], strict=True))
    env = script_env | {"INCIDENTS_" + flag.removeprefix("--").upper(): value for flag, value in options.items()}
    run = subprocess.run(["sh", str(SCRIPT), incident, "Freed 40 GB of logs"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == f"{incident} is mitigated; commander {where.me}"
    stored = where.show(incident)
    assert stored["incident"]["status"] == "mitigated" and stored["incident"]["acknowledged"]
    assert "Freed 40 GB of logs" in [entry["text"] for entry in stored["timeline"]]
    again = subprocess.run(["sh", str(SCRIPT), "INC-99999"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == Exit.NOT_FOUND and "INC-99999" in again.stderr


def test_export_writes_a_postmortem_draft_of_what_was_done(where: Where, tmp_path: Path) -> None:
    incident = where.new("Payments API 5xx after deploy", "--severity", "critical")
    where.ok("ack", incident)
    where.ok("comment", incident, "Rolling back payments-api to 2.3.1")
    where.ok("transition", incident, "mitigated", "--note", "Rollback done; 5xx back to 0.1%")
    draft = where.ok("export", incident)
    assert draft.startswith(f"# Postmortem draft: {incident} Payments API 5xx after deploy\n")
    assert f"{incident} is a Critical availability incident, mitigated for" in draft
    assert f"- **Commander:** {where.me}" in draft
    timeline = draft.split("## Timeline")[1].split("## Hypotheses")[0]
    assert timeline.index("created the incident") < timeline.index("acknowledged") < \
        timeline.index("Rolling back payments-api") < timeline.index("marked it mitigated")
    assert "- [ ] Temporary measures are in place: fix the root cause and resolve the incident." in draft
    written = tmp_path / "postmortem.json"
    assert where.ok("export", incident, "--format", "json", "-o", str(written)) == ""
    facts = json.loads(written.read_text())
    assert facts["incident"]["incident_id"] == incident and facts["impact"]["time_to_mitigate_seconds"] >= 0
    assert [entry["kind"] for entry in facts["timeline"]].count("comment") == 2


def test_show_and_export_link_to_mission_control_when_its_address_is_set(cli: Cli) -> None:
    env = cli.env | {"INCIDENTS_FRONTEND_URL": "https://mc.example.com/"}
    run = [INCIDENTS, "--demo"]
    shown = json.loads(subprocess.run([*run, "show", "INC-12", "--json"], env=env, capture_output=True, text=True,
                                      check=True).stdout)
    link = f"https://mc.example.com/incidents/{shown['incident']['id']}"
    assert shown["link"] == link
    exported = subprocess.run([*run, "export", "INC-12"], env=env, capture_output=True, text=True, check=True).stdout
    assert f"In Mission Control: <{link}>" in exported
    assert Where(cli, ("--demo",), "")("show", "INC-12", "--json").stdout.count('"link": null') == 1
