"""What only the API backend has: tokens refused, a server that goes away and comes back, a
plain PostgREST (our server with plain_postgrest=True), TLS with a CA bundle, no token in
any message. The Backend contract itself is tests/store/test_backend.py."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import FIXED_NOW, TESTER, sqlite_url
from tests.live_server import VIEWER, Running, free_port
from tests.store.backends import Target, start_target
from tests.store.seeder import Seeder
from tests.store.test_backend import exact_id_comes_first
from tui.domain import clock, plan
from tui.domain.enums import HypothesisStatus, HypothesisType, Severity, Status
from tui.domain.grammar import parse_filter
from tui.domain.lifecycle import InvalidTransition
from tui.domain.models import EvidenceDraft, HypothesisDraft, HypothesisEdit, IncidentDraft, IncidentEdit
from tui.domain.query import Window
from tui.server import create_app
from tui.server.tokens import Role, create_token
from tui.store.api import ApiBackend, open_api_backend
from tui.store.api.backend import NOTICE_NO_AGGREGATES, NOTICE_NO_RPC, NOTICE_PLAIN
from tui.store.base import BackendError, Conflict, Forbidden, Unavailable, Unreadable
from tui.store.sql.schema import comments, evidences, hypotheses, incidents


@pytest.fixture
def served(tmp_path: Path, frozen_clock: datetime) -> Iterator[Target]:
    target = start_target("api+sqlite", sqlite_url(tmp_path / "incidents.db"))
    yield target
    target.close()


@pytest.fixture
def plain(tmp_path: Path, frozen_clock: datetime) -> Iterator[Target]:
    target = start_target("api+sqlite", sqlite_url(tmp_path / "incidents.db"), plain_postgrest=True)
    yield target
    target.close()


def token_for(target: Target, role: Role = Role.ADMIN, who=TESTER) -> str:
    return create_token(target.database, f"{role.value} token", role, who)


# -- Tokens ------------------------------------------------------------------------------------

def test_an_unknown_token_is_refused_and_never_repeated(served):
    secret = "itui_00000000-0000-0000-0000-000000000000_not-a-real-secret"
    with pytest.raises(Forbidden) as raised:
        open_api_backend(served.server_url, secret)
    assert str(raised.value).startswith(f"The server at {served.server_url} refused the token")
    assert secret not in str(raised.value) and "not-a-real-secret" not in str(raised.value)


def test_no_token_says_one_is_needed(served):
    with pytest.raises(Forbidden, match="needs a token"):
        open_api_backend(served.server_url)


def test_a_viewer_may_not_write_and_is_told_what_is_refused(served):
    viewer = open_api_backend(served.server_url, token_for(served, Role.VIEWER, VIEWER))
    try:
        with pytest.raises(Forbidden) as raised:
            viewer.create_incident(IncidentDraft(title="not allowed"))
        assert str(raised.value) == (f"This token may not update incident on the server at {served.server_url}: "
                                     "The viewer role may not update incident (incidents).")
        with pytest.raises(Forbidden, match="may not read incident"):
            viewer.list_incidents(parse_filter(""), Window())
    finally:
        viewer.close()
    with served.database.engine.connect() as conn:
        assert conn.execute(select(incidents.c.id)).all() == []


def test_the_token_is_in_no_repr_or_error(served):
    token = token_for(served)
    backend = open_api_backend(served.server_url, token)
    try:
        assert token not in repr(backend) and token not in repr(backend.__dict__.get("_http"))
        served.running.stop()
        with pytest.raises(Unavailable) as raised:
            backend.list_incidents(parse_filter(""), Window())
        assert token not in str(raised.value)
    finally:
        backend.close()


# -- The server goes away and comes back ---------------------------------------------------------

def test_unavailable_while_stopped_and_working_again_after_a_restart(served):
    backend = served.open()
    created = backend.create_incident(IncidentDraft(title="before the restart"))
    port = int(served.server_url.rsplit(":", 1)[1])
    served.running.stop()
    with pytest.raises(Unavailable) as raised:
        backend.list_incidents(parse_filter(""), Window())
    assert str(raised.value) == f"Cannot reach the server at {served.server_url}: connection refused."
    with pytest.raises(Unavailable, match="nothing was changed"):
        backend.update_incident(created.id, IncidentEdit(title="lost"), created.updated_at)
    served.running = Running(create_app(served.database), port)
    assert [row.title for row in backend.list_incidents(parse_filter(""), Window()).rows] == ["before the restart"]
    assert backend.update_incident(created.id, IncidentEdit(title="after"), created.updated_at).title == "after"


def test_a_read_waits_for_a_server_that_comes_back_within_a_second(served):
    backend = served.open()
    port = int(served.server_url.rsplit(":", 1)[1])
    served.running.stop()
    restarted: list[Running] = []
    timer = threading.Timer(0.3, lambda: restarted.append(Running(create_app(served.database), port)))
    timer.start()
    try:
        assert backend.list_incidents(parse_filter(""), Window()).total == 0  # retried, not Unavailable
    finally:
        timer.join()
        served.running = restarted[0]


def test_an_address_that_is_not_a_server_is_unavailable():
    port = free_port()
    with pytest.raises(Unavailable, match=f"Cannot reach the server at http://127.0.0.1:{port}"):
        open_api_backend(f"http://127.0.0.1:{port}", "secret-token")
    with pytest.raises(Unavailable, match="not a server address"):
        open_api_backend("no scheme here", "secret-token")


# -- A plain PostgREST: no computed columns, no aggregates, no /rpc --------------------------------

@pytest.fixture
def plain_backend(plain: Target) -> ApiBackend:
    backend = plain.open()
    assert isinstance(backend, ApiBackend)
    return backend


def test_plain_postgrest_filters_and_counts_every_spelling(plain, plain_backend):
    seeder = Seeder(plain.database.engine, plain_backend.whoami().id)
    for severity, status in (("P1", "open"), ("CRITICAL", "investigating"), ("blocker", "mitigated"),
                             ("weird", "open"), ("Low", "closed")):
        seeder.raw_incident(f"{severity} {status}", severity=severity, status=status)
    titles = [row.title for row in plain_backend.list_incidents(parse_filter("sev:critical"), Window()).rows]
    assert sorted(titles) == ["CRITICAL investigating", "P1 open"]
    negated = plain_backend.list_incidents(parse_filter("sev:!critical status:active"), Window())
    assert sorted(row.title for row in negated.rows) == ["blocker mitigated", "weird open"]
    counts = plain_backend.count_by_severity(parse_filter("status:active"))
    assert counts == {Severity.CRITICAL: 2, Severity.HIGH: 1, Severity.MEDIUM: 0, Severity.LOW: 0,
                      Severity.INFO: 0, "weird": 1}
    assert plain_backend.notices == [NOTICE_PLAIN, NOTICE_NO_AGGREGATES]


def test_plain_postgrest_lists_an_exact_id_first_too(plain_backend):
    exact_id_comes_first(plain_backend)


def test_plain_postgrest_writes_are_conditional_patches(plain, plain_backend):
    created = plain_backend.create_incident(IncidentDraft(title="plain", severity=Severity.HIGH))
    assert NOTICE_NO_RPC in plain_backend.notices
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    moved = plain_backend.transition(created.id, Status.MITIGATED, "rolled back", created.updated_at)
    assert moved.status is Status.MITIGATED and moved.updated_at > created.updated_at
    with plain.database.engine.connect() as conn:
        assert conn.execute(select(comments.c.comment).where(comments.c.incident_id == created.id)).scalars().all() \
            == ["rolled back"]
    with pytest.raises(Conflict, match="was changed by someone else"):
        plain_backend.update_incident(created.id, IncidentEdit(title="stale"), created.updated_at)
    with pytest.raises(InvalidTransition):
        plain_backend.transition(created.id, Status.CLOSED, None, moved.updated_at)
    assert plain_backend.get_incident(created.id).incident.title == "plain"


def test_plain_postgrest_plan_writes(plain, plain_backend):
    """Links and the action plan without /rpc: plain POSTs, a conditional PATCH on the hypothesis."""
    seeder = Seeder(plain.database.engine, plain_backend.whoami().id)
    config = seeder.add_config("payments-db", "unhealthy")
    incident = plain_backend.create_incident(IncidentDraft(title="plain plan"))
    link = plain_backend.add_evidence(incident.id, EvidenceDraft(config_id=config, definition_of_done=True))
    with pytest.raises(BackendError, match="already linked"):
        plain_backend.add_evidence(incident.id, EvidenceDraft(config_id=config))
    factor = plain_backend.add_hypothesis(incident.id, HypothesisDraft(title="bad deploy"))
    with pytest.raises(BackendError, match="Nothing goes under a solution"):
        fix = plain_backend.add_hypothesis(incident.id, HypothesisDraft(title="roll back", parent_id=factor,
                                                                        type=HypothesisType.SOLUTION))
        plain_backend.add_hypothesis(incident.id, HypothesisDraft(title="under it", parent_id=fix))
    detail = plain_backend.get_incident(incident.id)
    seen = next(h for h in detail.hypotheses if h.id == factor)
    assert plan.definition_of_done(detail).sentence() == "Definition of done: 0 of 1 hold (payments-db is unhealthy)"
    clock.freeze(FIXED_NOW + timedelta(minutes=1))
    plain_backend.update_hypothesis(factor, HypothesisEdit(status=HypothesisStatus.PROVEN), seen.updated_at)
    with pytest.raises(Conflict, match="changed by someone else"):
        plain_backend.update_hypothesis(factor, HypothesisEdit(title="stale"), seen.updated_at)
    plain_backend.remove_evidence(link)
    with plain.database.engine.connect() as conn:
        assert conn.execute(select(evidences.c.id).where(evidences.c.id == link)).first() is None
        row = conn.execute(select(hypotheses).where(hypotheses.c.id == factor)).one()
    assert (row.title, row.status) == ("bad deploy", "proven")


# -- TLS ------------------------------------------------------------------------------------------

@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_tls_is_verified_and_a_ca_bundle_makes_it_trusted(served, certificate):
    cert, key = certificate
    port = free_port()
    running = Running(create_app(served.database), port, ssl_certfile=str(cert), ssl_keyfile=str(key))
    url = f"https://127.0.0.1:{port}"
    token = token_for(served)
    try:
        with pytest.raises(Unavailable, match="TLS certificate is not trusted"):
            open_api_backend(url, token)
        backend = open_api_backend(url, token, ca_bundle=str(cert))
        try:
            assert backend.whoami().name == TESTER.name
            assert backend.list_incidents(parse_filter(""), Window()).total == 0
        finally:
            backend.close()
        with pytest.raises(Unavailable, match="Cannot use the CA bundle"):
            open_api_backend(url, token, ca_bundle=str(cert.with_name("missing.pem")))
    finally:
        running.stop()


# -- Lenient reads ----------------------------------------------------------------------------------

def test_odd_rows_from_the_server_are_shown_and_marked(served):
    backend = served.open()
    seeder = Seeder(served.database.engine, backend.whoami().id)
    odd = seeder.raw_incident("odd spellings", severity="Blocker", status="paused")
    bad = seeder.raw_incident("bad stamp", description="x" * 1_000_000)
    with served.database.engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET created_at = 'soon', severity = '' WHERE title = 'bad stamp'"))
    rows = backend.list_incidents(parse_filter(""), Window()).rows
    assert [(row.title, row.severity, row.status, row.problems) for row in rows] == [
        ("odd spellings", Severity.HIGH, "paused", ()),
        ("bad stamp", "", Status.OPEN, ("The creation time 'soon' is not a time.",))]
    assert backend.get_incident(odd).incident.severity is Severity.HIGH
    with pytest.raises(Unreadable, match="cannot be shown in full"):
        backend.get_incident(bad)
