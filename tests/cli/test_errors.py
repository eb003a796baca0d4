"""Mistakes on the command line get a sentence in our words, never a traceback or a new file."""

import contextlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

import tui
from tui.cli.common import Exit

from .conftest import INCIDENTS, Cli


def refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("incidents: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_a_database_in_a_missing_directory_is_an_error_naming_it(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "no" / "such" / "x.db"
    refused(cli("--db", str(wanted), "list"), Exit.UNAVAILABLE, str(wanted), "does not exist", "init")
    assert not (tmp_path / "no").exists()


def test_a_missing_database_file_is_an_error_and_is_not_created(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "x.db"
    refused(cli("--db", f"sqlite:///{wanted}", "list"), Exit.UNAVAILABLE, str(wanted), "--create")
    assert not wanted.exists()


def test_a_database_named_in_the_config_file_must_exist_too(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{tmp_path / "gone.db"}"\n')
    refused(cli("--config", str(config), "list"), Exit.UNAVAILABLE, "gone.db")
    assert not (tmp_path / "gone.db").exists()


def test_init_creates_a_new_database_and_then_finds_it_ready(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "team" / "x.db"
    first = cli("--db", str(wanted), "init")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"Created a new database at {wanted}.\n"
    again = cli("--db", str(wanted), "init")
    assert again.stdout == f"The database at {wanted} is ready.\n"
    listed = cli("--db", str(wanted), "list", "", "--json")
    assert json.loads(listed.stdout)["total"] == 0


def test_create_flag_makes_the_database_on_first_use(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "sub" / "y.db"
    result = cli("--db", str(wanted), "--create", "list", "", "--json")
    assert result.returncode == 0, result.stderr
    assert wanted.exists()


def test_an_argument_that_is_not_utf8_is_a_sentence(cli: Cli) -> None:
    # Python hands undecodable argv bytes over as surrogates; run with raw bytes as a shell would.
    result = subprocess.run([os.fsencode(INCIDENTS), b"--demo", b"list", b"ab\xff"], env=cli.env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    refused(result, 2, "'ab\\xff' is not UTF-8 text")


def test_a_control_character_in_the_filter_is_refused_with_its_column(cli: Cli) -> None:
    refused(cli("--demo", "list", "db\x1b[2J down"), 2, "control character", "column 3")


def test_a_url_with_a_port_that_is_not_a_number_is_a_sentence(cli: Cli) -> None:
    refused(cli("--db", "postgresql://u@h:notaport/db", "list"), Exit.UNAVAILABLE, "is not a database URL")
    hidden = cli("--db", "postgresql://u:s3cret@h:notaport/db", "list")
    refused(hidden, Exit.UNAVAILABLE, "u:***@h:notaport")
    assert "s3cret" not in hidden.stderr


def test_an_unreadable_row_is_listed_marked_with_its_problem(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "odd.db"
    assert cli("--db", str(wanted), "init").returncode == 0
    with sqlite3.connect(wanted) as conn:
        for number, created in ((1, "2026-11-20 10:00:00"), (2, "not a time"), (3, "2026-11-20 09:00:00")):
            conn.execute("INSERT INTO incidents (id, incident_id, title, created_by, severity, type, status, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, 'High', 'cost', 'open', ?, ?)",
                         (f"{number:032x}", f"INC-{number}", f"title {number}", f"{9:032x}", created, created))
    text = cli("--db", str(wanted), "list")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert sorted(line.split()[0] for line in lines) == ["INC-1", "INC-2", "INC-3"]
    assert "⚠ unreadable title 2" in text.stdout and "title 1" in text.stdout and "title 3" in text.stdout
    assert "incidents: INC-2: The creation time 'not a time' is not a time." in text.stderr
    assert "Traceback" not in text.stderr
    listed = json.loads(cli("--db", str(wanted), "list", "--json").stdout)
    rows = {row["incident_id"]: row for row in listed["incidents"]}
    assert rows["INC-2"]["problems"] == ["The creation time 'not a time' is not a time.",
                                         "The last update time 'not a time' is not a time."]
    assert rows["INC-2"]["created_at"] is None and rows["INC-1"]["problems"] == []


def test_a_read_only_database_can_be_listed(cli: Cli, tmp_path: Path) -> None:
    wanted = tmp_path / "ro.db"
    assert cli("--db", str(wanted), "init").returncode == 0
    wanted.chmod(0o444)
    try:
        result = cli("--db", str(wanted), "list", "", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["total"] == 0
        assert cli("--db", str(wanted), "list").returncode == 0
    finally:
        wanted.chmod(0o644)


def as_unprivileged(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`incidents ARGS` as someone the permission bits apply to: as root, the nobody user running
    the system Python (the virtualenv's own interpreter may sit where nobody can reach it)."""
    if os.geteuid() != 0:
        return subprocess.run([INCIDENTS, *args], env=env, capture_output=True, text=True, timeout=120)
    system_python = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system_python.exists():
        pytest.fail(f"running as root needs {system_python} to test as an unprivileged user")
    roots = [Path(tui.__file__).parent.parent, Path(sqlalchemy.__file__).parent.parent]
    script = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    with traversable(roots):
        return subprocess.run(["runuser", "-u", "nobody", "--", "env", f"PYTHONPATH={':'.join(map(str, roots))}",
                               "HOME=/tmp", str(system_python), "-c", script, *args],
                              env=env, capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def traversable(paths: list[Path]) -> Iterator[None]:
    """Let others read `paths` (Python lists an import path) and pass through the directories above
    them while the test runs: a checkout in a private temporary directory (as CI's clone is) is
    otherwise out of nobody's reach."""
    wanted = {path: stat.S_IROTH | stat.S_IXOTH for path in paths}
    for path in paths:
        wanted.update({parent: stat.S_IXOTH for parent in path.parents if parent not in wanted})
    added = {directory: bits & ~directory.stat().st_mode for directory, bits in wanted.items()}
    for directory, bits in added.items():
        directory.chmod(directory.stat().st_mode | bits)
    try:
        yield
    finally:
        for directory, bits in added.items():
            directory.chmod(directory.stat().st_mode & ~bits)


def test_a_wal_database_in_a_directory_nobody_may_write_can_be_listed(cli: Cli) -> None:
    base = Path(tempfile.mkdtemp(prefix="incidents-shelf-"))  # not under pytest's root-only tmp dir
    shelf, wanted = base / "shelf", base / "shelf" / "x.db"
    try:
        assert cli("--db", str(wanted), "init").returncode == 0
        conn = sqlite3.connect(wanted)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()
        assert not wanted.with_name("x.db-shm").exists()  # so SQLite cannot make it, even to read
        base.chmod(0o755)
        wanted.chmod(0o444)
        shelf.chmod(0o555)
        home = {"XDG_CONFIG_HOME": str(base / "config"), "XDG_DATA_HOME": str(base / "data")}
        result = as_unprivileged(["--db", str(wanted), "list", "", "--json"], cli.env | home)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["total"] == 0
    finally:
        shelf.chmod(0o755)
        shutil.rmtree(base)
