"""The board's pages over HTTP at more incidents than `DEEP_OFFSET` (issue 7): our server answers a
page and its count in one request, as the SQL backend would (the same rows in the same order, whatever
the filter: `config:`/`check:` included, no ids sent back); a plain PostgREST is asked for a deep
page (`G`) from the nearer end of the result, so it never skips most of the rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import FIXED_NOW, TESTER, sqlite_url
from tests.live_server import Running, free_port
from tui.domain import clock
from tui.domain.grammar import parse_filter
from tui.domain.query import Window
from tui.server import create_app
from tui.server.tokens import Role, create_token
from tui.store.api import ApiBackend, open_api_backend
from tui.store.base import BackendError
from tui.store.sql import SqlBackend, open_sql_backend, open_sql_database, seed_demo
from tui.store.sql.backend import DEEP_OFFSET

INCIDENTS = 2 * DEEP_OFFSET + 137
PAGE = 100
FILTERS = ["", "status:active", "sort:commander", "sort:-age type:!cost", '"payments" sort:title',
           "config:payments-db", "check:api-health", "commander:@me", "config:none sort:id"]


@dataclass
class Served:
    sql: SqlBackend
    ours: ApiBackend
    plain: ApiBackend


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    clock.freeze(FIXED_NOW)
    url = sqlite_url(tmp_path_factory.mktemp("api-paging") / "big.db")
    sql = open_sql_backend(url, TESTER)
    seed_demo(sql, incidents=INCIDENTS, now=FIXED_NOW)
    database = open_sql_database(url)
    servers = [(port := free_port(), Running(create_app(database, plain_postgrest=plain), port))
               for plain in (False, True)]
    ours, plain = (open_api_backend(f"http://127.0.0.1:{port}", create_token(database, f"t{port}", Role.ADMIN, TESTER))
                   for port, _ in servers)
    yield Served(sql, ours, plain)
    for backend in (ours, plain, sql):
        backend.close()
    for _, running in servers:
        running.stop()
    database.close()
    clock.freeze(None)


def _ids(backend, text: str, window: Window) -> list[str]:
    return [row.incident_id for row in backend.list_incidents(parse_filter(text), window).rows]


@contextmanager
def _requests(backend: ApiBackend) -> Iterator[list[httpx.URL]]:
    """The URLs the backend asks for meanwhile (an httpx event hook on its client)."""
    sent: list[httpx.URL] = []
    hooks = backend._http._client.event_hooks
    hooks["request"] = [*hooks["request"], lambda request: sent.append(request.url)]
    try:
        yield sent
    finally:
        hooks["request"] = hooks["request"][:-1]


@pytest.mark.parametrize("text", FILTERS)
def test_our_server_pages_and_counts_as_the_sql_backend_does_one_request_each(served, text):
    total = served.sql.list_incidents(parse_filter(text), Window(0, 1)).total
    for window in (Window(0, PAGE), Window(DEEP_OFFSET + 3, PAGE), Window(max(total - 26, 0), 50)):
        with _requests(served.ours) as sent:
            page = served.ours.list_incidents(parse_filter(text), window)
        assert [row.incident_id for row in page.rows] == _ids(served.sql, text, window)
        assert page.count == served.sql.list_incidents(parse_filter(text), window).count  # capped ("10,000+") alike
        assert [url.path for url in sent] == ["/db/rpc/incidents_page"]
    with _requests(served.ours) as sent:
        assert served.ours.count_by_severity(parse_filter(text)) == served.sql.count_by_severity(parse_filter(text))
    assert [url.path for url in sent] == ["/db/rpc/incidents_by_severity"]


@pytest.mark.parametrize("text", ["", "status:active", "sort:-commander", "sort:-age type:!cost"])
def test_a_plain_postgrest_reads_a_deep_page_from_the_nearer_end(served, text):
    whole = _ids(served.plain, text, Window(0, INCIDENTS + 10))
    total = len(whole)
    assert total > 4 * 50
    for offset in (0, total // 2 - 7, total // 2 + 7, total - 26, total - 1):
        with _requests(served.plain) as sent:
            assert _ids(served.plain, text, Window(offset, 50)) == whole[offset:offset + 50]
        skipped = [int(url.params["offset"]) for url in sent if "offset" in url.params]
        assert skipped and max(skipped) <= total // 2  # never walks past most of the rows
    assert _ids(served.plain, text, Window(total + 5, 50)) == []


def test_a_look_for_changes_is_one_request_on_our_server_and_finds_what_seven_find_elsewhere(served):
    marks = {backend: backend.changes_since(None) for backend in (served.ours, served.plain)}
    assert all(not changes.any for changes in marks.values())
    row = served.sql.list_incidents(parse_filter("status:open"), Window(0, 1)).rows[0]
    served.sql.add_comment(row.id, "seen from both servers")
    for backend, expected in ((served.ours, 1), (served.plain, 7)):
        with _requests(backend) as sent:
            changes = backend.changes_since(marks[backend].mark)
        assert changes.incident_ids == {row.id} and len(sent) == expected
        assert not backend.changes_since(changes.mark).any


def test_a_request_too_long_to_send_is_a_sentence(served):
    """At 100,000 incidents a plain PostgREST's `config:payments-db` named more ids than a URL holds."""
    with pytest.raises(BackendError, match="too long a request to send .* narrow the filter"):
        served.plain.list_incidents(parse_filter('"' + "x" * 70_000 + '"'), Window(0, 50))


@pytest.mark.parametrize("text", ["", "config:payments-db"])
def test_incidents_list_over_our_server_streams_its_pages(served, text):
    wanted = [row.incident_id for row in served.sql.iter_incidents(parse_filter(text), Window(0, INCIDENTS))]
    with _requests(served.ours) as sent:
        listed = [row.incident_id for row in served.ours.iter_incidents(parse_filter(text), Window(0, INCIDENTS))]
    assert listed == wanted
    assert {url.path for url in sent} == {"/db/rpc/incidents_page"} and len(sent) == len(wanted) // 2000 + 1
    assert [row.incident_id for row in served.plain.iter_incidents(parse_filter(text), Window(5, 30))] == \
        [row.incident_id for row in served.plain.list_incidents(parse_filter(text), Window(5, 30)).rows]


def test_the_detail_with_its_linked_configs_and_checks_is_one_request_on_any_server(served):
    row = served.sql.list_incidents(parse_filter("config:!none check:!none"), Window(0, 1)).rows[0]
    wanted = served.sql.get_incident(row.id)
    assert wanted.configs and wanted.checks
    for backend in (served.ours, served.plain):
        with _requests(backend) as sent:
            detail = backend.get_incident(row.id)
        assert len(sent) == 1
        assert (detail.configs, detail.checks) == (wanted.configs, wanted.checks)
        assert [[(e.config, e.check) for e in h.evidences] for h in detail.hypotheses] == \
            [[(e.config, e.check) for e in h.evidences] for h in wanted.hypotheses]
