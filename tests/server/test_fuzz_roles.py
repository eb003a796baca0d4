"""Fuzzing every endpoint `incidents serve` exposes, as every role (and as nobody), on SQLite
and PostgreSQL: methods, paths (known ones and odd bytes), PostgREST filters, selects with
embeds, bodies and headers from hypothesis. Whatever comes:

- the server never answers 5xx;
- a request it rejects (4xx) changes nothing: a dump of every table is the same after;
- a role sees no row it may not read (a viewer no incident, responder, comment, hypothesis,
  evidence or history row, not even embedded in a table it may read) and changes no table it
  may not write (a viewer none; commander and responder only the incident tables).

Each run adds to a tally printed at the end (`inputs tried`, `5xx`), the figures of the
README's Reliability section; INCIDENTS_FUZZ_EXAMPLES sets the examples per role and database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.live_server import Running, free_port, role_tokens
from tests.server.test_fuzz import bodies, headers, params, scraps, values
from tui.domain.models import Identity
from tui.server import create_app
from tui.server.errors import ApiError
from tui.server.resources import INCIDENT, Catalog
from tui.server.tokens import Role, create_token
from tui.server.writes import FUNCTIONS
from tui.store.sql import SqlDatabase, open_sql_database, schema

from .conftest import Server

EXAMPLES = int(os.environ.get("INCIDENTS_FUZZ_EXAMPLES", "15"))
CATALOG = Catalog()
TABLES = sorted(CATALOG.resources)
INCIDENT_TABLES = frozenset(name for name, resource in CATALOG.resources.items() if resource.rbac_object == INCIDENT)
STORED_INCIDENT_TABLES = sorted(name for name in INCIDENT_TABLES if CATALOG.resources[name].writable)
ROLES = ["admin", "commander", "responder", "viewer", "anonymous", "forged"]
COMMANDER = Identity(name="Cora Commander", email="cora.commander@example.com")
UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

TALLY: Counter[str] = Counter()


def may_write(role: str, table: str) -> bool:
    if role == "admin":
        return table != "api_tokens"  # not served at all
    return role in ("commander", "responder") and table in INCIDENT_TABLES


# -- What is in the database ----------------------------------------------------------------------

def dump(database: SqlDatabase) -> dict[str, str]:
    """A digest of every row of every table, per table."""
    digests = {}
    with database.read() as conn:
        for table in schema.metadata.sorted_tables:
            digest = hashlib.sha256()
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
            digests[table.name] = digest.hexdigest()
    return digests


def hidden_ids(database: SqlDatabase) -> set[bytes]:
    """The ids of every row a viewer may not read."""
    with database.read() as conn:
        return {str(id).encode() for name in STORED_INCIDENT_TABLES
                for id in conn.execute(select(CATALOG.resources[name].table.c.id)).scalars()}


# -- Requests --------------------------------------------------------------------------------------

names = st.sampled_from(TABLES + ["commander_id", "person_id", "incident_id", "config_id", "check_id", "created_by"])
embed = st.builds(lambda alias, name, hint, inner, inside: f"{alias}{name}{hint}{inner}({inside})",
                  st.sampled_from(["", "x:"]), names, st.sampled_from(["", "!commander_id", "!created_by", "!id"]),
                  st.sampled_from(["", "!inner"]), st.sampled_from(["*", "id", "", "*,responders(*)", "count()"]))
selects = st.lists(st.one_of(st.sampled_from(["*", "id", "title", "name"]), embed), min_size=1, max_size=3).map(
    ",".join)
embedded_filters = st.tuples(st.builds(lambda table, column: f"{table}.{column}", names,
                                       st.sampled_from(["id", "deleted_at", "status", "name"])), values)
queries = st.one_of(
    params,
    st.lists(st.one_of(st.tuples(st.just("select"), selects), embedded_filters), max_size=4).map(
        lambda pairs: [(key, value) for key, value in pairs]),
)
odd_segment = st.binary(max_size=12).map(lambda raw: quote_from_bytes(raw, safe=""))
paths = st.one_of(
    st.sampled_from([f"/db/{table}" for table in TABLES] + [f"/rpc/{name}" for name in FUNCTIONS]
                    + [f"/db/rpc/{name}" for name in FUNCTIONS]
                    + ["/", "/health", "/auth/whoami", "/db/api_tokens", "/db/alembic_version", "/db/", "/rpc/",
                       "/db/incidents/", "/db/incidents/extra", "//db/incidents", "/db/../db/incidents"]),
    st.builds(lambda prefix, segment: prefix + segment, st.sampled_from(["/db/", "/rpc/", "/", "/auth/"]),
              odd_segment),
)


def valid_embeds(table: str) -> list[str]:
    """Every embed `table` has, disambiguated by a foreign-key hint where it needs one."""
    resource, found = CATALOG.resources[table], []
    hints = [None, *sorted({column.name for t in schema.metadata.sorted_tables for column in t.columns
                            if column.foreign_keys})]
    for name in CATALOG.embeddable(resource):
        for hint in hints:
            try:
                CATALOG.relationship(resource, name, hint)
            except ApiError:
                continue
            found.append(name + (f"!{hint}" if hint else ""))
            break
    return found


EMBEDS = {table: valid_embeds(table) for table in TABLES}
methods = st.sampled_from(["GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "TRACE", "FOO"])
embedding = st.tuples(  # embeds are where rows could leak: well-formed ones, mostly read
    st.sampled_from(["GET"] * 3 + ["HEAD", "POST", "PATCH", "DELETE"]),
    st.sampled_from([table for table in TABLES if EMBEDS[table]]  # twice the tables every role may read
                    + [table for table in TABLES if EMBEDS[table] and table not in INCIDENT_TABLES]).flatmap(
        lambda table: st.tuples(
        st.just(f"/db/{table}"),
        st.lists(st.tuples(st.sampled_from(EMBEDS[table]), st.sampled_from(["", "!inner"]),
                           st.sampled_from(["*", "id", ""])), min_size=1, max_size=2).map(
            lambda parts: [("select", ",".join(["id"] + [f"{name}{inner}({inside})"
                                                         for name, inner, inside in parts]))]))),
).map(lambda drawn: (drawn[0], *drawn[1]))
requests = st.one_of(st.tuples(methods, paths, queries), embedding, embedding)
header_bytes = st.binary(max_size=16).map(  # what HTTP lets a client send: visible bytes, inner blanks, obs-text
    lambda raw: bytes(b for b in raw if b == 9 or 32 <= b < 127 or b >= 128).strip(b" \t"))
extra_headers = st.fixed_dictionaries({}, optional={
    "Accept": st.sampled_from(["application/vnd.pgrst.object+json", "text/csv", "*/*", ""]),
    "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
    "X-Odd": header_bytes,
})
contents = st.one_of(bodies.map(lambda body: json.dumps(body).encode()), scraps.map(str.encode),
                     st.binary(max_size=40), st.just(b""))


def credentials(role: str, tokens: dict[str, str]) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role == "forged":  # a token's shape, a secret nobody was given
        return {"Authorization": "Bearer " + tokens["admin"][:-6] + "AAAAAA"}
    return {"Authorization": f"Bearer {tokens[role]}"}


# -- The server -------------------------------------------------------------------------------------

@pytest.fixture
def fuzzed(served_url: str, frozen_clock) -> Iterator[Server]:
    """The API over a fresh demo database with a token for each of the four roles."""
    database = open_sql_database(served_url)
    tokens = role_tokens(database) | {"commander": create_token(database, "commander", Role.COMMANDER, COMMANDER)}
    port = free_port()
    running = Running(create_app(database), port)
    try:
        yield Server(f"http://127.0.0.1:{port}", database, tokens)
    finally:
        running.stop()
        database.close()


@pytest.fixture(scope="module", autouse=True)
def tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TALLY["tried"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nAPI fuzzing: {TALLY['tried']} inputs tried, {TALLY['5xx']} answered 5xx, "
                                f"{TALLY['rejected']} rejected (4xx), {TALLY['hidden']} refused to a role (401/403)")


FUZZ = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                # not shrunk: every example dumps the database twice, shrinking one took minutes
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(request=requests, extra=st.one_of(headers, extra_headers), content=contents)
def test_every_endpoint_as_every_role(fuzzed: Server, role, request, extra, content):
    method, path, query = request
    before = dump(fuzzed.database)
    hidden = hidden_ids(fuzzed.database) if role != "admin" else set()
    query_string = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in query)
    with httpx.Client(base_url=fuzzed.base_url, timeout=60) as client:
        answer = client.request(method, path + ("?" + query_string if query_string else ""),
                                headers={**extra, **credentials(role, fuzzed.tokens)},
                                content=content if method not in ("GET", "HEAD") else None)
    TALLY["tried"] += 1
    TALLY["5xx"] += answer.status_code >= 500
    assert answer.status_code < 500, answer.text
    after = dump(fuzzed.database)
    changed = {table for table in after if after[table] != before[table]}
    if answer.status_code >= 400:
        TALLY["rejected"] += 1
        TALLY["hidden"] += answer.status_code in (401, 403)
        assert not changed, f"{answer.status_code} {answer.text}: yet {sorted(changed)} changed"
    if answer.status_code == 403:  # the client names what was refused from these
        assert answer.headers.get("X-Rbac-Object") and answer.headers.get("X-Rbac-Action"), answer.text
    if answer.status_code == 401:
        assert answer.headers.get("WWW-Authenticate", "").startswith("Bearer"), answer.text
    assert all(may_write(role, table) for table in changed), f"{role} changed {sorted(changed)}: {answer.text}"
    if role in ("viewer", "anonymous", "forged"):
        shown = set(UUID_TEXT.findall(answer.content + repr(answer.headers.raw).encode()))
        assert not shown & hidden, f"{role} was shown incident rows: {answer.text[:500]}"
    if role in ("anonymous", "forged") and path not in ("/", "/health"):
        assert not answer.is_success, answer.text  # a 401 mostly; 404, 405 or a redirect before any auth
