"""The real `incidents` command against a real `incidents serve` on PostgreSQL: `--api`, the
environment and the config file; a bad token, no token, a server that is not there. Every
refusal is one sentence, with no traceback and no token in it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.live_server import free_port
from tui.cli.common import Exit

from .conftest import INCIDENTS, Cli
from .serving import TITLES, Serve, served, team_db  # noqa: F401 - fixtures
from .test_errors import refused

pytestmark = pytest.mark.postgres


def listed(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def no_secret(result: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr


def test_list_through_the_server_with_api_and_token_flags(cli: Cli, served: Serve) -> None:
    token = served.tokens["commander"]
    result = cli("--api", served.url, "--token", token, "list", "status:open")
    assert result.returncode == 0, result.stderr
    for title in TITLES:
        assert title in result.stdout
    assert result.stderr.endswith("-- 1-3 of 3 incidents\n")
    no_secret(result, token)
    page = listed(cli("--api", served.url, "--token", token, "list", "sev:high", "--json", "--limit", "2"))
    assert page["total"] == 3 and len(page["incidents"]) == 2


def test_the_environment_names_the_server_and_the_token(cli: Cli, served: Serve) -> None:
    token = served.tokens["responder"]
    env = cli.env | {"INCIDENTS_API": served.url, "INCIDENTS_TOKEN": token}
    result = subprocess.run([INCIDENTS, "list", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert {row["title"] for row in listed(result)["incidents"]} == set(TITLES)
    no_secret(result, token)


def test_the_config_file_names_them_too_and_the_flag_wins_over_it(cli: Cli, served: Serve, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api = "{served.url}"\ntoken = "itui_not_a_real_token"\n')
    refusal = cli("--config", str(config), "list")
    refused(refusal, Exit.FORBIDDEN, "refused the token")
    no_secret(refusal, "itui_not_a_real_token")
    token = served.tokens["commander"]
    assert listed(cli("--config", str(config), "--token", token, "list", "--json"))["total"] == 3


def test_a_refused_token_is_a_sentence_without_the_token(cli: Cli, served: Serve) -> None:
    wrong = served.tokens["commander"][:-4] + "zzzz"
    result = cli("--api", served.url, "--token", wrong, "list")
    refused(result, Exit.FORBIDDEN, served.url, "refused the token")
    no_secret(result, wrong, wrong[-12:])
    assert result.stdout == ""


def test_no_token_says_one_is_needed(cli: Cli, served: Serve) -> None:
    refused(cli("--api", served.url, "list"), Exit.FORBIDDEN, "needs a token", "--token")


def test_a_viewer_may_not_read_incidents_and_is_told_so(cli: Cli, served: Serve) -> None:
    token = served.tokens["viewer"]
    result = cli("--api", served.url, "--token", token, "list")
    refused(result, Exit.FORBIDDEN, "may not read incident")
    no_secret(result, token)


def test_a_server_that_is_not_there_is_a_sentence_naming_it(cli: Cli) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = cli("--api", url, "--token", "itui_whatever_secret", "list")
    refused(result, Exit.UNAVAILABLE, f"Cannot reach the server at {url}")
    no_secret(result, "itui_whatever_secret")


def test_a_stopped_server_after_start_is_a_sentence_too(cli: Cli, served: Serve) -> None:
    token = served.tokens["commander"]
    served.kill()
    try:
        result = cli("--api", served.url, "--token", token, "list")
        refused(result, Exit.UNAVAILABLE, f"Cannot reach the server at {served.url}")
        no_secret(result, token)
    finally:
        served.start()


def test_the_readme_curl_example_answers_json(served: Serve) -> None:
    token = served.tokens["commander"]
    answer = subprocess.run(["curl", "-sS", "-H", f"Authorization: Bearer {token}",
                             f"{served.url}/db/incidents?select=incident_id,title,status&status=eq.open"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert {row["title"] for row in json.loads(answer.stdout)} == set(TITLES)
