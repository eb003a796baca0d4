"""The user's own database deleted while the app was closed is not silently re-created empty: the
next start says it is gone and how to start afresh; `incidents init` does; the demo is as ever."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli


def own_database(cli: Cli) -> Path:
    return cli.home / "data" / "incidents" / "incidents.db"


def delete(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def test_a_deleted_default_database_is_reported_not_recreated(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    first = cli("list", "")
    assert first.returncode == 0, first.stderr  # the first start creates it, as ever
    database = own_database(cli)
    assert database.exists()

    delete(database)
    for args in (("list", ""), ()):  # `list`, and the TUI itself, which stops before it starts
        told = cli(*args)
        assert told.returncode == 1, told.stdout
        assert f"Your database {database} is gone" in told.stderr
        assert "incidents init" in told.stderr and "Traceback" not in told.stderr
        assert not database.exists()  # nothing was created in its place

    made = cli("init")
    assert made.returncode == 0 and f"Created a new database at {database}" in made.stdout
    again = cli("list", "")
    assert again.returncode == 0 and "of 0 incidents" in again.stderr

    delete(database)
    assert cli("--create", "list", "").returncode == 0 and database.exists()  # asked for: made anew


def test_a_database_in_use_before_this_was_remembered_is_protected_too(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli("init").returncode == 0
    (cli.home / "data" / "incidents" / "known-databases").unlink()  # as an older version left it
    assert cli("list", "").returncode == 0  # opening it is enough to remember it
    delete(own_database(cli))
    assert "is gone" in cli("list", "").stderr


def test_the_demo_database_is_recreated_as_ever(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli("--demo", "list", "").returncode == 0
    delete(cli.home / "data" / "incidents" / "demo.db")
    again = cli("--demo", "list", "")
    assert again.returncode == 0 and "of 320 incidents" in again.stderr
