"""Faults under the SQL backend (issue 9, "Faults"): a full or read-only disk, a database file
deleted while in use, PostgreSQL restarted. Each gives a sentence, nothing half-written, and
writes work again once the fault clears, without reopening the backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.conftest import TESTER, pg_cluster, sqlite_url
from tui.domain.models import Identity, IncidentDraft
from tui.domain.query import IncidentQuery, Window
from tui.store.base import Unavailable
from tui.store.sql import MissingDatabase, SqlBackend, open_sql_backend
from tui.store.sql.schema import incidents, people

BIG = "x" * 200_000
"""A comment or description that needs new pages in the file (and room on the disk)."""


def stored_incidents(backend: SqlBackend) -> int:
    with backend.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(incidents)).scalar_one()


# -- Disk full ----------------------------------------------------------------------------------

def limit_pages(backend: SqlBackend, pages: int | None) -> None:
    """Make SQLite report a full disk (SQLITE_FULL) once the file would grow past `pages`."""
    backend.engine.dispose()  # new connections, which get the limit
    if pages is None:
        event.remove(backend.engine, "connect", _limits.pop(id(backend)))
        return

    def limited(dbapi_connection, _record) -> None:  # noqa: ANN001 - a DBAPI connection
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    _limits[id(backend)] = limited
    event.listen(backend.engine, "connect", limited)


_limits: dict[int, object] = {}


def page_count(backend: SqlBackend) -> int:
    with backend.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA page_count").scalar_one()


def test_a_full_disk_refuses_the_write_with_a_sentence_and_writing_works_again_after(tmp_path):
    backend = open_sql_backend(sqlite_url(tmp_path / "full.db"), TESTER)
    try:
        kept = backend.create_incident(IncidentDraft(title="before"))
        limit_pages(backend, page_count(backend))
        with pytest.raises(Unavailable, match="is full, so nothing was changed; free some space"):
            backend.create_incident(IncidentDraft(title="too big", description=BIG))
        with pytest.raises(Unavailable, match="is full"):
            backend.add_comment(kept.id, BIG)
        assert stored_incidents(backend) == 1
        assert backend.get_incident(kept.id).timeline[-1].text == "before"  # no half-written comment
        limit_pages(backend, None)
        made = backend.create_incident(IncidentDraft(title="after", description=BIG))
        backend.add_comment(made.id, "written once there was room")
        assert stored_incidents(backend) == 2
    finally:
        backend.close()


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 4 MiB tmpfs of our own (root only: elsewhere the page-limit test above stands in)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    where = Path(f"/tmp/incident-tui-disk-{uuid.uuid4().hex[:8]}")
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_first_sign_in_that_fails_on_a_full_disk_stores_nobody_and_works_once_there_is_room(tiny_disk):
    url = sqlite_url(tiny_disk / "incidents.db")
    open_sql_backend(url, TESTER).close()
    filler = fill(tiny_disk)
    with pytest.raises(Unavailable, match="is full, so nothing was changed"):
        open_sql_backend(url, Identity(name="New Responder", email="new@example.com"))
    filler.unlink()
    backend = open_sql_backend(url, Identity(name="New Responder", email="new@example.com"))
    try:
        made = backend.create_incident(IncidentDraft(title="after the disk was freed"))  # no FOREIGN KEY failure
        assert made.created_by == backend.whoami().id
        with backend.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(people)
                                .where(people.c.email == "new@example.com")).scalar_one() == 1
    finally:
        backend.close()


def test_a_disk_filled_mid_session_refuses_writes_until_it_has_room_again(tiny_disk):
    backend = open_sql_backend(sqlite_url(tiny_disk / "incidents.db"), TESTER)
    try:
        kept = backend.create_incident(IncidentDraft(title="before"))
        filler = fill(tiny_disk)
        with pytest.raises(Unavailable, match="is full"):
            backend.create_incident(IncidentDraft(title="no room", description=BIG))
        assert backend.get_incident(kept.id).incident.title == "before"  # reading still works
        filler.unlink()
        backend.create_incident(IncidentDraft(title="room again", description=BIG))
        assert stored_incidents(backend) == 2
    finally:
        backend.close()


def test_a_disk_made_read_only_mid_session_refuses_writes_and_recovers(tiny_disk):
    backend = open_sql_backend(sqlite_url(tiny_disk / "incidents.db"), TESTER)
    try:
        backend.create_incident(IncidentDraft(title="before"))
        backend.engine.dispose()  # a file system with files open for writing cannot be made read-only
        subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
        try:
            with pytest.raises(Unavailable, match="is mounted read-only, so the database cannot be used now"):
                backend.create_incident(IncidentDraft(title="refused"))
            with pytest.raises(Unavailable, match="mounted read-only"):
                backend.list_incidents(IncidentQuery(), Window())
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk)], check=True)
        backend.create_incident(IncidentDraft(title="after"))
        assert stored_incidents(backend) == 2
    finally:
        backend.close()


# -- The database file deleted or replaced ------------------------------------------------------

def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def test_a_deleted_database_file_refuses_writes_instead_of_losing_them(tmp_path):
    path = tmp_path / "gone.db"
    backend = open_sql_backend(sqlite_url(path), TESTER)
    try:
        made = backend.create_incident(IncidentDraft(title="before"))
        remove_database(path)
        with pytest.raises(Unavailable, match="was deleted or replaced while in use, so nothing was changed"):
            backend.create_incident(IncidentDraft(title="would vanish"))
        with pytest.raises(Unavailable, match="deleted or replaced"):
            backend.add_comment(made.id, "would vanish too")
    finally:
        backend.close()
    assert not path.exists()  # closing did not bring back an empty file
    with pytest.raises(MissingDatabase, match="There is no database at"):
        open_sql_backend(sqlite_url(path), TESTER, create=False)


def test_a_database_file_replaced_by_another_refuses_writes(tmp_path):
    path, other = tmp_path / "live.db", tmp_path / "other.db"
    open_sql_backend(sqlite_url(other), TESTER).close()
    backend = open_sql_backend(sqlite_url(path), TESTER)
    try:
        remove_database(path)
        other.rename(path)
        with pytest.raises(Unavailable, match="deleted or replaced"):
            backend.create_incident(IncidentDraft(title="into which file?"))
    finally:
        backend.close()


# -- PostgreSQL restarted -----------------------------------------------------------------------

@pytest.mark.postgres
def test_postgresql_restarted_mid_session_gives_a_sentence_while_down_and_works_after():
    with pg_cluster() as server:
        backend = open_sql_backend(server.url(server.create_database("restart")), TESTER)
        try:
            kept = backend.create_incident(IncidentDraft(title="before the restart"))
            server.stop()
            with pytest.raises(Unavailable, match=f"127.0.0.1:{server.port}"):
                backend.list_incidents(IncidentQuery(), Window())
            with pytest.raises(Unavailable, match="Cannot use the database at"):
                backend.create_incident(IncidentDraft(title="while it is down"))
            server.start()
            backend.add_comment(kept.id, "after the restart")
            assert [row.title for row in backend.list_incidents(IncidentQuery(), Window()).rows] == \
                ["before the restart"]  # the refused one is not there half-written
            assert backend.get_incident(kept.id).timeline[-1].text == "after the restart"
        finally:
            backend.close()
