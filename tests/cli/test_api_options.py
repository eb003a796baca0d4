"""`--api`, `--token`, `--ca-bundle` and their settings: mistakes found before any server is asked.

(What a real server answers, and the TUI over it, is in test_api_mode.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .test_errors import refused


def test_a_server_and_a_database_together_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    refused(cli("--api", "http://127.0.0.1:9", "--db", str(tmp_path / "x.db"), "list"), 2,
            "--api opens a server and --db a database: give one of them.")
    refused(cli("--api", "http://127.0.0.1:9", "--demo", "list"), 2, "--demo")
    assert not (tmp_path / "x.db").exists()


def test_both_in_the_settings_is_an_error_the_command_line_settles(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{tmp_path / "x.db"}"\napi = "http://127.0.0.1:9"\n')
    refused(cli("--config", str(config), "list"), 2, "sets both db and api")
    chosen = cli("--config", str(config), "--db", str(tmp_path / "x.db"), "--create", "list")
    assert chosen.returncode == 0, chosen.stderr  # --db picks the database; the api setting is left alone


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com:8080", "http://host:port", "http://[::1"])
def test_a_server_url_we_cannot_use_is_named_in_a_sentence(cli: Cli, url: str) -> None:
    refused(cli("--api", url, "list"), 2, f"the server URL '{url}' cannot be used", "http://host:port")


def test_the_url_in_a_message_has_no_password_or_query(cli: Cli) -> None:
    result = cli("--api", "ftp://alice:hunter2@example.com/?token=s3cr3t", "list")
    refused(result, 2, "ftp://example.com/")
    assert "hunter2" not in result.stderr and "s3cr3t" not in result.stderr


def test_a_missing_ca_bundle_is_named(cli: Cli, tmp_path: Path) -> None:
    refused(cli("--api", "https://127.0.0.1:9", "--ca-bundle", str(tmp_path / "ca.pem"), "list"), 2,
            f"the CA bundle {tmp_path / 'ca.pem'} is not a file.")


def test_server_commands_work_on_a_database_not_a_server(cli: Cli) -> None:
    refused(cli("--api", "http://127.0.0.1:9", "serve"), 2, "serve works on a database (--db)")
    refused(cli("--api", "http://127.0.0.1:9", "token", "list"), 2, "token works on a database (--db)")
    refused(cli("--api", "http://127.0.0.1:9", "init"), 2, "init creates a database")
