"""`incidents serve` (a real process on PostgreSQL) killed with SIGKILL while writers write through
it and a board watches: no write it accepted is lost, none is stored twice, no incident is left
half-written (without its root hypothesis or its "created" history row), the board shows the
banner and is back by itself when serve is started again."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.ui.conftest import wait_until_idle
from tests.ui.test_api_mode import banner, board_of
from tests.ui.test_offline import until
from tests.ui.test_slow_network import PROMPTLY
from tui.app import IncidentApp
from tui.domain import lifecycle
from tui.domain.models import IncidentDraft
from tui.store.api import open_api_backend
from tui.store.base import BackendError
from tui.store.sql import open_sql_database
from tui.store.sql.schema import comments, hypotheses, incident_histories, incidents

from .serving import Serve, served, team_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgres


@dataclass
class Writer:
    """A thread creating incidents and commenting through the server, keeping what it was told."""

    name: str
    serve: Serve
    stop: threading.Event
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Told that nothing was changed."""
    unknown: list[str] = field(default_factory=list)
    """Cut off mid-request: the write may or may not have been made."""
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        backend = open_api_backend(self.serve.url, self.serve.tokens["commander"])
        shared = None
        try:
            for n in range(100_000):
                if self.stop.is_set():
                    return
                marker = f"{self.name}-{n}"
                try:
                    if n % 2 == 0 or shared is None:
                        shared = backend.create_incident(IncidentDraft(title=marker)).id
                    else:
                        backend.add_comment(shared, marker)
                    self.accepted.append(marker)
                except BackendError as error:
                    (self.refused if "nothing was changed" in str(error) else self.unknown).append(marker)
                    time.sleep(0.05)
        finally:
            backend.close()


def stored_markers(url: str) -> Counter[str]:
    database = open_sql_database(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with database.read() as conn:
            titles = conn.execute(select(incidents.c.title)).scalars().all()
            said = conn.execute(select(comments.c.comment)).scalars().all()
    finally:
        database.close()
    return Counter(titles) + Counter(said)


def half_written(url: str) -> list[str]:
    """Incidents without their root hypothesis or their "created" history row."""
    database = open_sql_database(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with database.read() as conn:
            rooted = select(func.count()).where(hypotheses.c.incident_id == incidents.c.id,
                                                hypotheses.c.type == "root").scalar_subquery()
            recorded = select(func.count()).where(incident_histories.c.incident_id == incidents.c.id,
                                                  incident_histories.c.type == lifecycle.HISTORY_CREATED
                                                  ).scalar_subquery()
            return list(conn.execute(select(incidents.c.title).where((rooted != 1) | (recorded != 1))).scalars())
    finally:
        database.close()


async def test_serve_killed_mid_writes_loses_no_accepted_write_and_the_board_recovers(
        served: Serve, team_db: str) -> None:  # noqa: F811 - fixtures
    stop = threading.Event()
    writers = [Writer(f"killed-{i}", served, stop) for i in range(3)]
    app = IncidentApp(open_api_backend(served.url, served.tokens["responder"]), refresh_seconds=0.2,
                      where=served.url)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until_idle(pilot)
            board = board_of(app)
            for writer in writers:
                writer.start()
            await until(pilot, lambda: sum(len(w.accepted) for w in writers) >= 30, seconds=30)

            served.kill()  # SIGKILL: no shutdown, open requests cut
            killed = time.monotonic()
            await until(pilot, lambda: board.offline, seconds=PROMPTLY + 10)
            assert time.monotonic() - killed < PROMPTLY
            assert "Retrying" in banner(app)
            accepted_while_down = sum(len(w.accepted) for w in writers)

            served.start()
            await until(pilot, lambda: not board.offline, seconds=30)
            assert banner(app) == ""
            await until(pilot, lambda: sum(len(w.accepted) for w in writers) > accepted_while_down + 10,
                        seconds=30)  # the writers go on through the new process
    finally:
        stop.set()
        for writer in writers:
            if writer.thread is not None:
                writer.thread.join(timeout=30)

    stored = stored_markers(team_db)
    accepted = [marker for writer in writers for marker in writer.accepted]
    assert [marker for marker in accepted if stored[marker] != 1] == []  # none lost, none doubled
    assert [marker for writer in writers for marker in writer.refused if stored[marker]] == []
    assert [marker for writer in writers for marker in writer.unknown if stored[marker] > 1] == []
    assert half_written(team_db) == []
    assert sum(len(writer.refused) + len(writer.unknown) for writer in writers) > 0  # the kill did cut writes
