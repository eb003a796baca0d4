"""`python -m benchmarks.stress [--writers N] [--writes M] [--incidents K] [--pg URL [--serve S]]`

N processes make M mixed writes each (transitions, acknowledgements, edits, responders added
and removed, comments) on K shared incidents, all starting at once: on one SQLite file, and on
PostgreSQL with `--pg postgresql://user@host/postgres` (a server we may create a database on).
With `--serve S` as well, the same once more through S `incidents serve` processes on one
PostgreSQL database: each writer has its own token (from `incidents token create`) and talks
to server i mod S over HTTP. Each writer logs what it was told; afterwards the database is
checked against the logs: every accepted write present once, no refused one stored, the
history replays to the stored status, nobody signed in twice, no process (writer or server)
crashed. Prints one row of figures per run and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select

from tui.domain import lifecycle
from tui.domain.enums import Status, parse_status
from tui.domain.lifecycle import LifecycleError
from tui.domain.models import Identity, IncidentDraft, IncidentEdit, ResponderDraft, ResponderKind
from tui.store.api import open_api_backend
from tui.store.base import Backend, BackendError
from tui.store.sql import SqlBackend, open_sql_backend
from tui.store.sql.schema import comments, incident_histories, incidents, people, responders

from .server import pg_database, serving

SETUP = Identity(name="Stress Setup", email="stress.setup@example.com")


def writer_identity(index: int) -> Identity:
    return Identity(name=f"Stress Writer {index}", email=f"stress.writer{index}@example.com")


# -- One writer process -------------------------------------------------------------------------

Outcome = tuple[str, str]
"""What a write did: its operation and the value it wrote (checked against the store later)."""
Write = Callable[[Backend, UUID, str, random.Random, list[UUID]], Outcome]


def _transition(backend: Backend, id: UUID, _marker: str, rng: random.Random, _people: list[UUID]) -> Outcome:
    incident = backend.get_incident(id).incident
    to = rng.choice(sorted(lifecycle.allowed_transitions(incident), key=lambda status: status.value))
    backend.transition(id, to, None, incident.updated_at)
    return "transition", to.value


def _acknowledge(backend: Backend, id: UUID, _marker: str, _rng: random.Random, _people: list[UUID]) -> Outcome:
    backend.acknowledge(id, backend.get_incident(id).incident.updated_at)
    return "acknowledge", "acknowledged"  # the history row's description


def _edit(backend: Backend, id: UUID, marker: str, _rng: random.Random, _people: list[UUID]) -> Outcome:
    backend.update_incident(id, IncidentEdit(title=marker), backend.get_incident(id).incident.updated_at)
    return "edit", marker


def _add_responder(backend: Backend, id: UUID, _marker: str, rng: random.Random, people: list[UUID]) -> Outcome:
    responder = backend.add_responder(id, ResponderDraft(kind=ResponderKind.PERSON, person_id=rng.choice(people)))
    return "add_responder", responder.name


def _remove_responder(backend: Backend, id: UUID, marker: str, rng: random.Random, people: list[UUID]) -> Outcome:
    present = backend.get_incident(id).responders
    if not present:  # nothing to remove: add one instead, so every turn is a write
        return _add_responder(backend, id, marker, rng, people)
    responder = rng.choice(present)
    backend.remove_responder(responder.id)
    return "remove_responder", responder.name


def _comment(backend: Backend, id: UUID, marker: str, _rng: random.Random, _people: list[UUID]) -> Outcome:
    backend.add_comment(id, marker)
    return "comment", marker


WRITES: tuple[Write, ...] = (_transition, _acknowledge, _edit, _add_responder, _remove_responder, _comment)


@dataclass(frozen=True)
class Way:
    """How a writer reaches the store: a database URL, or a server's URL and the writer's token."""

    url: str
    token: str | None = None

    def open(self, index: int) -> Backend:
        if self.token is None:
            return open_sql_backend(self.url, writer_identity(index))
        return open_api_backend(self.url, self.token)


def run_writer(way: Way, index: int, writes: int, incident_ids: list[str], person_ids: list[str], seed: int,
               start: Any, log_path: str) -> None:
    """One process: sign in, wait for the others, then `writes` writes, each logged as a JSON line."""
    rng = random.Random(seed * 1000 + index)
    backend = way.open(index)
    ids, people_ids = [UUID(id) for id in incident_ids], [UUID(id) for id in person_ids]
    start.wait()
    with open(log_path, "w") as log:
        for n in range(writes):
            write, incident, marker = rng.choice(WRITES), rng.choice(ids), f"w{index}-{n}"
            record: dict[str, Any] = {"incident": str(incident), "op": write.__name__.strip("_"),
                                      "served": way.token is not None}
            try:
                record["op"], record["value"] = write(backend, incident, marker, rng, people_ids)
                record["outcome"] = "accepted"
            except (BackendError, LifecycleError) as error:  # told to the writer: a refusal
                record["outcome"], record["reason"] = "refused", type(error).__name__
                record["message"] = str(error)[:300]
                record["value"] = marker if record["op"] in ("edit", "comment") else ""
            except Exception as error:  # noqa: BLE001 - anything else is a crash, counted
                record["outcome"], record["reason"] = "crash", f"{type(error).__name__}: {error}"
            log.write(json.dumps(record) + "\n")
    backend.close()


# -- Checking the database against the logs -----------------------------------------------------

@dataclass
class Figures:
    database: str
    writers: int
    writes: int = 0
    accepted: int = 0
    refused: int = 0
    lost: int = 0
    """Accepted writes the database does not hold."""
    duplicates: int = 0
    """Writes stored more than once, refused writes stored anyway, doubled responders or people."""
    crashes: int = 0
    """Writer processes that died or met an unexpected error, servers that stopped answering."""
    unanswered: int = 0
    """Writes a server failed (5xx) or did not answer in time: the writer was told, but it should not happen
    (an SQLite file busy past its timeout is an ordinary refusal)."""
    replay_failures: int = 0
    """Incidents whose status history does not replay, in order, to the stored status."""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.crashes or self.unanswered or self.replay_failures)


def _compare(figures: Figures, what: str, wanted: Counter[Any], stored: Counter[Any]) -> None:
    for key in wanted.keys() | stored.keys():
        missing, extra = wanted[key] - stored[key], stored[key] - wanted[key]
        if missing > 0:
            figures.lost += missing
            figures.problems.append(f"{what} {key}: {missing} accepted, not stored")
        if extra > 0:
            figures.duplicates += extra
            figures.problems.append(f"{what} {key}: {extra} stored beyond the accepted")


def _history(conn: Any, type: str) -> Counter[tuple[str, str]]:
    rows = conn.execute(select(incident_histories.c.incident_id, incident_histories.c.description)
                        .where(incident_histories.c.type == type))
    return Counter((str(incident), description or "") for incident, description in rows)


def _replays(conn: Any, incident_id: UUID, stored: str) -> bool:
    rows = conn.execute(select(incident_histories.c.created_at, incident_histories.c.description)
                        .where(incident_histories.c.incident_id == incident_id,
                               incident_histories.c.type == lifecycle.HISTORY_STATUS_UPDATED)
                        .order_by(incident_histories.c.created_at)).all()
    state, times = Status.OPEN, [row.created_at for row in rows]
    if len(set(times)) != len(times):
        return False  # two status changes at one instant: their order is unknown
    for row in rows:
        to = parse_status(row.description)
        if not isinstance(to, Status) or to not in lifecycle.ALLOWED[state]:
            return False
        state = to
    return state.value == stored


def check(backend: SqlBackend, figures: Figures, records: list[dict[str, Any]]) -> None:
    accepted = [r for r in records if r["outcome"] == "accepted"]
    by_op: dict[str, Counter[tuple[str, str]]] = {}
    for record in accepted:
        by_op.setdefault(record["op"], Counter())[(record["incident"], record["value"])] += 1
    with backend.engine.connect() as conn:
        said = Counter((str(i), text) for i, text in conn.execute(select(comments.c.incident_id, comments.c.comment)))
        _compare(figures, "comment", by_op.get("comment", Counter()), said)
        edited = Counter({key: n for key, n in _history(conn, lifecycle.HISTORY_UPDATED).items()})
        wanted_edits = Counter({(incident, f"title: {title}"): n
                                for (incident, title), n in by_op.get("edit", Counter()).items()})
        _compare(figures, "edit", wanted_edits, edited)
        _compare(figures, "transition", by_op.get("transition", Counter()),
                 _history(conn, lifecycle.HISTORY_STATUS_UPDATED))
        _compare(figures, "acknowledgement", by_op.get("acknowledge", Counter()),
                 _history(conn, lifecycle.HISTORY_ACKNOWLEDGED))
        _compare(figures, "responder added", by_op.get("add_responder", Counter()),
                 _history(conn, lifecycle.HISTORY_RESPONDER_CREATED))
        _compare(figures, "responder removed", by_op.get("remove_responder", Counter()),
                 _history(conn, lifecycle.HISTORY_RESPONDER_REMOVED))
        doubled = conn.execute(select(responders.c.incident_id, responders.c.person_id, func.count())
                               .where(responders.c.deleted_at.is_(None))
                               .group_by(responders.c.incident_id, responders.c.person_id)
                               .having(func.count() > 1)).all()
        figures.duplicates += sum(n - 1 for *_, n in doubled)
        for index in range(figures.writers):
            signed_in = conn.execute(select(func.count()).select_from(people)
                                     .where(people.c.email == writer_identity(index).email)).scalar_one()
            figures.duplicates += max(signed_in - 1, 0)
            figures.lost += 1 if signed_in == 0 else 0
        for id, status in conn.execute(select(incidents.c.id, incidents.c.status)):
            if not _replays(conn, id, status):
                figures.replay_failures += 1
                figures.problems.append(f"the history of {id} does not replay to {status}")


# -- Running it ---------------------------------------------------------------------------------

def stress(url: str, name: str, writers: int, writes: int, incidents_count: int = 4, seed: int = 1,
           serve: int = 0) -> Figures:
    """Run the writers on the (new, empty) database at `url` and check what they left; with `serve`,
    through that many `incidents serve` processes on it."""
    setup = open_sql_backend(url, SETUP)
    try:
        ids = [str(setup.create_incident(IncidentDraft(title=f"stress {n}")).id) for n in range(incidents_count)]
        with tempfile.TemporaryDirectory(prefix="incident-tui-stress-") as scratch, ExitStack() as servers:
            work = Path(scratch)
            ways = [Way(url)] * writers
            bases: list[str] = []
            if serve:
                tokens = [create_token(url, work, index) for index in range(writers)]
                bases = [servers.enter_context(serving(url, work)) for _ in range(serve)]
                ways = [Way(bases[index % serve], tokens[index]) for index in range(writers)]
            person_ids = [str(setup.database.sign_in(writer_identity(i)).id) for i in range(writers)]
            figures, records = run_writers(name, ways, writes, ids, person_ids, seed, work)
            for base in bases:  # a server that crashed (or hangs) does not answer any more
                if not answers(base):
                    figures.crashes += 1
                    figures.problems.append(f"the server at {base} no longer answers")
        check(setup, figures, records)
        return figures
    finally:
        setup.close()


def run_writers(name: str, ways: list[Way], writes: int, ids: list[str], person_ids: list[str], seed: int,
                logs: Path) -> tuple[Figures, list[dict[str, Any]]]:
    """Writer i (its own process, through ways[i]) makes `writes` writes; their figures and logs."""
    context = multiprocessing.get_context("spawn")  # fresh processes: nothing shared but the database
    start = context.Barrier(len(ways))
    paths = [str(logs / f"writer-{i}.jsonl") for i in range(len(ways))]
    processes = [context.Process(target=run_writer, args=(way, i, writes, ids, person_ids, seed, start, paths[i]))
                 for i, way in enumerate(ways)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    figures = Figures(name, len(ways), seconds=time.perf_counter() - started)
    records = []
    for process, path in zip(processes, paths, strict=True):
        if process.exitcode != 0:
            figures.crashes += 1
            figures.problems.append(f"a writer exited with {process.exitcode}")
        if Path(path).exists():
            records += [json.loads(line) for line in Path(path).read_text().splitlines()]
    figures.writes = len(records)
    figures.accepted = sum(r["outcome"] == "accepted" for r in records)
    figures.refused = sum(r["outcome"] == "refused" for r in records)
    # A busy SQLite file is a refusal like any other; a server that failed or timed out is not.
    unanswered = [r for r in records if r["outcome"] == "refused" and r["reason"] == "Unavailable" and r["served"]]
    figures.unanswered = len(unanswered)
    figures.problems += [f"unanswered: {r['op']}: {r['message']}" for r in unanswered[:5]]
    crashed = [r for r in records if r["outcome"] == "crash"]
    figures.crashes += len(crashed)
    figures.problems += [f"crash: {r['reason']}" for r in crashed[:5]]
    return figures, records


# -- The servers (with --serve) ----------------------------------------------------------------

def quiet_env(work: Path) -> dict[str, str]:
    """Settings and data of our own, so the user's config file plays no part."""
    return {**os.environ, "XDG_DATA_HOME": str(work / "data"), "XDG_CONFIG_HOME": str(work / "config")}


def create_token(url: str, work: Path, index: int) -> str:
    """Writer `index`'s token, made as an operator would: `incidents token create`."""
    made = subprocess.run([sys.executable, "-m", "tui.cli", "token", "--db", url, "create", "--name",
                           f"stress-writer-{index}", "--role", "responder", "--person",
                           str(writer_identity(index).email)],
                          capture_output=True, text=True, env=quiet_env(work), check=False)
    if made.returncode != 0:
        raise RuntimeError(f"incidents token create failed: {made.stderr.strip()}")
    return made.stdout.strip()


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=10).status_code == 200
    except httpx.TransportError:
        return False


COLUMNS = ("database", "writers", "writes", "accepted", "refused", "lost", "duplicates", "crashes",
           "unanswered", "replay failures", "seconds")


def table(rows: list[Figures]) -> str:
    """A Markdown table, readable as printed and pastable into the README."""
    cells = [list(COLUMNS)] + [[f.database, *(str(n) for n in (f.writers, f.writes, f.accepted, f.refused, f.lost,
                                                                 f.duplicates, f.crashes, f.unanswered,
                                                                 f.replay_failures)), f"{f.seconds:.1f}"]
                               for f in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
             for row in cells]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stress", description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8, help="writer processes (default 8)")
    parser.add_argument("--writes", type=int, default=500, help="writes per process (default 500)")
    parser.add_argument("--incidents", type=int, default=4, help="incidents they share (default 4)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to create the stress database on")
    parser.add_argument("--serve", type=int, default=0, metavar="S",
                        help="with --pg: once more through S `incidents serve` processes on one database")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    rows = []
    with tempfile.TemporaryDirectory(prefix="incident-tui-stress-") as work:
        print(f"SQLite: {args.writers} writers x {args.writes} writes …", file=sys.stderr, flush=True)
        rows.append(stress(f"sqlite:///{Path(work) / 'stress.db'}", "SQLite file", args.writers, args.writes,
                           args.incidents, args.seed))
    if args.serve and not args.pg:
        print("--serve needs --pg: the servers share one PostgreSQL database.", file=sys.stderr)
        return 2
    if args.pg:

        print(f"PostgreSQL: {args.writers} writers x {args.writes} writes …", file=sys.stderr, flush=True)
        with pg_database(args.pg) as url:
            rows.append(stress(url, "PostgreSQL", args.writers, args.writes, args.incidents, args.seed))
        if args.serve:
            print(f"PostgreSQL through {args.serve} serve: {args.writers} writers x {args.writes} writes …",
                  file=sys.stderr, flush=True)
            with pg_database(args.pg) as url:
                rows.append(stress(url, f"PostgreSQL, {args.serve} serve", args.writers, args.writes,
                                   args.incidents, args.seed, serve=args.serve))
    print(table(rows))
    for figures in rows:
        for problem in figures.problems[:20]:
            print(f"{figures.database}: {problem}", file=sys.stderr)
    return 0 if all(figures.ok for figures in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
