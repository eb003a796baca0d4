"""`incidents config` and profiles, through the installed command: where each setting came from,
secrets masked, a profile choosing the database, and a bad file named by its line and key."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli

SETTINGS = '''\
db = "postgresql://alice:hunter2@db.internal/incidents"
name = "Alice Example"
token = "itui_file_secret_123"

[keymap]
"incident.close" = "ctrl+x"

[views]
"Critical now" = "sev:critical status:active"

[profiles.prod]
db = ""
api = "https://incidents.prod.example.com"

[profiles.lab]
db = "{lab}"
'''


def settings_file(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(SETTINGS.format(lab=tmp_path / "lab.db"))
    config.chmod(0o600)
    return config


def rows(output: str) -> dict[str, str]:
    """`incidents config`'s table: setting -> the rest of its line."""
    table = output.split("\n\n", 1)[1]
    return {line.split()[0]: " ".join(line.split()[1:]) for line in table.splitlines()[1:] if line.strip()}


def test_config_shows_each_setting_and_where_it_came_from(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.env["INCIDENTS_REFRESH_SECONDS"] = "3"
    config = settings_file(tmp_path)
    result = cli("--config", str(config), "-p", "prod", "--read-only", "config")
    assert result.returncode == 0, result.stderr
    assert f"config file  {config}" in result.stdout and "profile      prod" in result.stdout
    assert "profiles in the file: prod, lab" in result.stdout
    shown = rows(result.stdout)
    assert shown["api"] == "https://incidents.prod.example.com profile (prod)"
    assert shown["db"] == "(not set) profile (prod)"
    assert shown["name"] == f"Alice Example file ({config})"
    assert shown["refresh_seconds"] == "3.0 environment (INCIDENTS_REFRESH_SECONDS)"
    assert shown["read_only"] == "true flag (--read-only)"
    assert shown["bell"] == "false default"
    assert shown["keymap.incident.close"] == f"ctrl+x file ({config})"
    assert shown["views.Critical"] == f"now sev:critical status:active file ({config})"
    assert shown["token"].startswith("******** (set, not shown)")
    assert "itui_file_secret_123" not in result.stdout + result.stderr


def test_a_password_in_the_database_url_is_masked(tmp_path: Path) -> None:
    result = Cli(tmp_path)("--config", str(settings_file(tmp_path)), "config")
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["db"].startswith("postgresql://alice:********@db.internal/incidents")
    assert "hunter2" not in result.stdout


def test_a_profile_chooses_the_database_by_flag_or_environment(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    config = settings_file(tmp_path)
    created = cli("--config", str(config), "-p", "lab", "init")
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "lab.db").is_file() and "lab.db" in created.stdout
    cli.env["INCIDENTS_PROFILE"] = "lab"
    listed = cli("--config", str(config), "list", "")
    assert listed.returncode == 0 and "of 0 incidents" in listed.stderr, listed.stderr
    assert rows(cli("--config", str(config), "config").stdout)["db"] == f"{tmp_path / 'lab.db'} profile (lab)"


def test_an_unknown_profile_names_the_ones_there_are(tmp_path: Path) -> None:
    result = Cli(tmp_path)("--config", str(settings_file(tmp_path)), "-p", "staging", "list")
    assert result.returncode == 2
    assert "has no profile 'staging' (a [profiles.staging] table); profiles there: lab, prod." in result.stderr


def test_a_bad_config_file_names_the_line_and_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('name = "Alice"\n\n[profiles.prod]\napi = "https://x.example.com"\nrefresh_seconds = -2\n')
    config.chmod(0o600)
    cli = Cli(tmp_path)
    result = cli("--config", str(config), "-p", "prod", "list")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"incidents: config file {config} line 5, profiles.prod.refresh_seconds: "
                                     "The refresh interval (refresh_seconds) must be at least 0 (-2 given).")
    config.write_text('name = "Alice"\nbell = loud\n')
    result = cli("--config", str(config), "config")
    assert result.returncode == 2
    assert f"config file {config} is not valid TOML at line 2, column 8: Invalid value." in result.stderr
