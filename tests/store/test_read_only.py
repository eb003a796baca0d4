"""A database file we may not write is browsed read-only, and every write is refused in a sentence."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from tests.conftest import TESTER, sqlite_url
from tui.domain.enums import Status
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft
from tui.domain.query import Window
from tui.store.base import ReadOnly, Unavailable
from tui.store.sql import migrate, open_sql_backend


def stored(path: Path) -> list[bytes]:
    """The database and its write-ahead log (the -shm index is shared memory, not data)."""
    files = (path, path.with_name(path.name + "-wal"))
    return [file.read_bytes() if file.exists() else b"" for file in files]


@pytest.fixture
def read_only_file(demo_url: str) -> Iterator[Path]:
    """The demo database with mode 0444 (root may still write it: we must not even try)."""
    path = Path(demo_url.removeprefix("sqlite:///"))
    path.chmod(0o444)
    yield path
    path.chmod(0o644)


@pytest.fixture
def read_only_directory(demo_url: str) -> Iterator[Path]:
    path = Path(demo_url.removeprefix("sqlite:///"))
    path.parent.chmod(0o555)
    yield path
    path.parent.chmod(0o755)


@pytest.mark.parametrize("where", ["read_only_file", "read_only_directory"])
def test_a_read_only_database_is_browsed_and_every_write_refused(where, request):
    path: Path = request.getfixturevalue(where)
    before = stored(path)
    backend = open_sql_backend(sqlite_url(path), TESTER)
    try:
        assert backend.read_only
        page = backend.list_incidents(parse_filter(""), Window(0, 5))
        assert page.total == 320 and len(page.rows) == 5
        detail = backend.get_incident(page.rows[0].id)
        assert backend.list_incidents(parse_filter("commander:@me"), Window()).total == 0
        sentence = f"The database at {path} is read-only here, so nothing can be changed; it can still be browsed."
        with pytest.raises(ReadOnly) as refused:
            backend.transition(detail.incident.id, Status.CANCELLED, None, detail.incident.updated_at)
        assert str(refused.value) == sentence
        with pytest.raises(ReadOnly):
            backend.create_incident(IncidentDraft(title="not stored"))
        with pytest.raises(ReadOnly):
            backend.add_comment(detail.incident.id, "not stored")
    finally:
        backend.close()
    assert stored(path) == before


def test_sqlite_itself_refuses_a_write_on_a_read_only_connection(read_only_file):
    backend = open_sql_backend(sqlite_url(read_only_file), TESTER)
    try:
        backend.read_only = False  # as if the file turned read-only after we looked
        with pytest.raises(ReadOnly):
            backend.create_incident(IncidentDraft(title="not stored"))
    finally:
        backend.close()


def test_a_read_only_database_that_needs_migrating_says_so(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(sqlite_url(path))
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    engine.dispose()
    path.chmod(0o444)
    with pytest.raises(Unavailable) as refused:
        open_sql_backend(sqlite_url(path), TESTER)
    assert str(refused.value) == (
        f"The database at {path} is read-only for you and at an older schema (revision 0001; this incident-tui "
        f"reads {migrate.head()}); setting it up is a write. Ask whoever may write it to open it once with "
        "incidents (which upgrades it), or copy it to a place you may write and open the copy.")
    path.chmod(0o644)
    open_sql_backend(sqlite_url(path), TESTER).close()  # with write access it is migrated as usual
    shutil.rmtree(tmp_path, ignore_errors=True)
