"""Files we create are private (0600, directories 0700) whatever the umask; an existing file others
may read is reported in one line at start; no password in a database URL is ever printed."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import INCIDENTS, Cli


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def run(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """As `cli(...)`, under umask 000: the modes we get are the ones we asked for, not the umask's."""
    return subprocess.run([INCIDENTS, *args], env=cli.env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, preexec_fn=lambda: os.umask(0), check=False)


def database_files(path: Path) -> list[Path]:
    return [found for found in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
            if found.exists()]


@pytest.mark.parametrize("args, where", [
    (("list",), "data/incidents/incidents.db"),
    (("--demo", "list"), "data/incidents/demo.db"),
    (("--db", "{home}/new/sub/team.db", "init"), "new/sub/team.db"),
    (("--db", "{home}/tokens/server.db", "token", "create", "--name", "ci", "--role", "admin"),
     "tokens/server.db"),
])
def test_new_databases_and_their_directories_are_private(tmp_path: Path, args, where):
    cli = Cli(tmp_path)
    result = run(cli, *(arg.format(home=tmp_path) for arg in args))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    database = tmp_path / where
    assert [(found.name, mode(found)) for found in database_files(database)][:1] == [(database.name, 0o600)]
    assert {mode(found) for found in database_files(database)} == {0o600}  # -wal and -shm too
    made = database.parent
    while made != tmp_path:  # every directory we made, up to the home the test gave
        assert (made.name, mode(made)) == (made.name, 0o700)
        made = made.parent


def test_a_database_others_may_read_is_reported_once_and_still_opened(tmp_path: Path):
    cli = Cli(tmp_path)
    database = tmp_path / "shared.db"
    assert run(cli, "--db", str(database), "init").returncode == 0
    os.chmod(database, 0o644)
    result = run(cli, "--db", str(database), "list", "")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"incidents: warning: the database {database} can be read or changed by other users of this machine "
        f"(mode 0644); to keep it private: chmod 640 {database}")
    assert result.stderr.count("warning") == 1
    os.chmod(database, 0o660)  # shared with a group on a jump host: meant to be
    assert "warning" not in run(cli, "--db", str(database), "list", "").stderr


def test_a_config_file_others_may_read_is_reported(tmp_path: Path):
    cli = Cli(tmp_path)
    config = tmp_path / "config" / "incidents" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('name = "Alice"\n')
    config.chmod(0o640)
    result = run(cli, "list")
    assert result.returncode == 0, result.stderr
    assert f"incidents: warning: the config file {config} can be read or changed by users other than you " \
           f"(mode 0640); to keep it private: chmod 600 {config}" in result.stderr.splitlines()
    config.chmod(0o600)
    assert "warning" not in run(cli, "list").stderr
    named = tmp_path / "elsewhere.toml"
    named.write_text("")
    named.chmod(0o604)
    assert f"the config file {named} can be read" in run(cli, "--config", str(named), "list").stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize("url", [
    f"postgresql://alice:{SECRET}@127.0.0.1:{{port}}/incidents",
    f"postgres://alice:{SECRET}@127.0.0.1:{{port}}/incidents?sslmode=disable",
    f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:notaport/incidents",
    f"postgresql://alice:{SECRET}@[::1/incidents",
    f"mysql://alice:{SECRET}@127.0.0.1/incidents",
    f"postgresql+nosuchdriver://alice:{SECRET}@127.0.0.1/incidents",
])
@pytest.mark.parametrize("command", [("list",), ("serve", "--port", "0")])
def test_a_database_password_is_never_printed(tmp_path: Path, url: str, command):
    result = run(Cli(tmp_path), "--db", url.format(port=closed_port()), *command)
    assert result.returncode != 0
    assert result.stderr.startswith("incidents: ") and "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr, result.stderr
