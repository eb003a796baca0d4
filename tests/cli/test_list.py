"""`incidents list`: the board for scripts and slow links."""

import json
import re
import subprocess
from importlib import metadata

from tui.cli.common import Exit
from tui.domain.enums import Severity, Status

from .conftest import INCIDENTS, Cli


def listed(cli: Cli, *args: str) -> dict:
    result = cli("--demo", "list", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_list_is_active_incidents_highest_severity_first(cli: Cli) -> None:
    board = listed(cli)
    rows = board["incidents"]
    assert 0 < len(rows) <= 50 < board["total"] or len(rows) == board["total"]
    assert {row["status"] for row in rows} <= {"open", "mitigated", "investigating", "new"}
    ranks = [list(Severity).index(Severity(row["severity"])) for row in rows]
    assert ranks == sorted(ranks)


def test_filter_narrows(cli: Cli) -> None:
    everything = listed(cli, "")["total"]
    narrowed = listed(cli, "sev:critical,high status:open")
    assert everything >= 300
    assert 0 < narrowed["total"] < everything
    for row in narrowed["incidents"]:
        assert row["severity"] in {Severity.CRITICAL.value, Severity.HIGH.value}
        assert row["status"] == Status.OPEN.value


def test_paging(cli: Cli) -> None:
    first = listed(cli, "", "--limit", "5")["incidents"]
    second = listed(cli, "", "--limit", "5", "--offset", "5")["incidents"]
    assert len(first) == len(second) == 5
    assert not {r["id"] for r in first} & {r["id"] for r in second}


def test_plain_output_has_a_line_per_incident_and_the_count(cli: Cli) -> None:
    result = cli("--demo", "list", "sev:critical", "--limit", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("INC-") for line in lines)
    assert "of" in result.stderr and "incidents" in result.stderr


def test_bad_filter_is_a_clear_message_not_a_traceback(cli: Cli) -> None:
    result = cli("--demo", "list", "sevv:critical")
    assert result.returncode == 2
    assert "bad filter" in result.stderr and "Traceback" not in result.stderr


def test_bad_config_file_is_a_clear_message(cli: Cli) -> None:
    config = cli.home / "broken.toml"
    config.write_text("db = [unclosed\n")
    result = cli("--config", str(config), "list")
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_own_database_is_created_and_migrated_on_first_use(cli: Cli) -> None:
    result = cli("list", "", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 0
    assert (cli.home / "data" / "incidents" / "incidents.db").exists()


def test_unreachable_database_is_a_clear_message(cli: Cli) -> None:
    result = cli("--db", "postgresql://nobody@127.0.0.1:1/none", "list")
    assert result.returncode == Exit.UNAVAILABLE
    assert result.stderr.startswith("incidents: ") and "Traceback" not in result.stderr


def test_a_team_postgresql_database_from_a_plain_url(cli: Cli, pg_server) -> None:
    url = pg_server.url(pg_server.create_database("cli")).replace("postgresql+psycopg://", "postgresql://")
    result = cli("--db", url, "list", "", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"total": 0, "exact": True, "offset": 0, "incidents": []}


def test_version_is_the_installed_package_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"incidents {metadata.version('incident-tui')}\n"
    assert re.fullmatch(r"incidents \d+\.\d+\.\d+\S*\n", result.stdout)


def test_a_reader_that_stops_early_ends_the_list_without_a_traceback(cli: Cli) -> None:
    """`incidents list "" --limit 100000 | head -1`: the pipe closes after one line."""
    cli("--demo", "list", "--limit", "1")  # the demo database exists before the timed part
    reader = subprocess.Popen([INCIDENTS, "--demo", "list", "", "--json", "--limit", "100000"], env=cli.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.readline().strip() == b"{"
    reader.stdout.close()
    errors = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == Exit.FAILURE
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


def test_a_capped_count_is_printed_as_at_least(tmp_path, monkeypatch, capsys):
    """In the same process, so the cap can be lowered below the demo's 320 incidents."""
    from tests.conftest import FIXED_NOW, TESTER
    from tui.cli import main
    from tui.store.sql import backend as sql_backend
    from tui.store.sql import open_sql_backend, seed_demo

    database = tmp_path / "capped.db"
    backend = open_sql_backend(f"sqlite:///{database}", TESTER)
    seed_demo(backend, now=FIXED_NOW)
    backend.close()
    monkeypatch.setattr(sql_backend, "COUNT_CAP", 100)
    assert main(["--db", str(database), "list", "", "--json", "--limit", "5"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert (listed["total"], listed["exact"], len(listed["incidents"])) == (100, False, 5)
    assert main(["--db", str(database), "list", "", "--limit", "5"]) == 0
    assert "-- 1-5 of 100+ incidents" in capsys.readouterr().err
