"""Free text ignores case in every script, not only ASCII, on SQLite and PostgreSQL alike.

SQLite's LIKE and lower() fold ASCII only, and PostgreSQL's under the C locale (the test
server's, and a common production choice) too; its trigram index must still serve the search.
"""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import create_engine, insert, select, text

from tests.conftest import FIXED_NOW
from tui.domain.grammar import parse_filter
from tui.domain.models import IncidentDraft
from tui.domain.query import Window
from tui.store.base import Backend
from tui.store.sql.compile import where_clauses
from tui.store.sql.schema import incidents, metadata

TITLES = ("CAFÉ au lait spilled", "Ölpumpe defekt", "ΣΥΣΤΗΜΑ down", "ДИСК полон", "Straße gesperrt",
          "plain ascii cafe")


def listed(backend: Backend, text: str) -> list[str]:
    return sorted(row.title for row in backend.list_incidents(parse_filter(text), Window(0, 50)).rows)


@pytest.fixture
def unicode_backend(backend):
    for title in TITLES:
        backend.create_incident(IncidentDraft(title=title, description="Zürich ÅRHUS"))
    return backend


@pytest.mark.parametrize(("text", "found"), [
    ("é", ["CAFÉ au lait spilled"]),  # one letter: too short for trigrams
    ("café", ["CAFÉ au lait spilled"]),
    ("CAFÉ", ["CAFÉ au lait spilled"]),
    ("öl", ["Ölpumpe defekt"]),
    ("ÖLPUMPE", ["Ölpumpe defekt"]),
    ("συ", ["ΣΥΣΤΗΜΑ down"]),
    ("συστημα", ["ΣΥΣΤΗΜΑ down"]),
    ("диск", ["ДИСК полон"]),
    ("ПОЛОН", ["ДИСК полон"]),
    ("STRAßE", ["Straße gesperrt"]),
    ('"ZÜRICH århus"', sorted(TITLES)),
    ("ü", sorted(TITLES)),
    ("e", [t for t in sorted(TITLES) if "e" in t.lower()]),  # é is not e
])
def test_free_text_ignores_case_beyond_ascii(unicode_backend, text, found):
    assert listed(unicode_backend, text) == found


def test_straße_finds_its_capital_forms_when_the_database_compares_letters(unicode_backend):
    backend = unicode_backend
    backend.create_incident(IncidentDraft(title="STRAẞE closed"))  # capital sharp s
    assert listed(backend, "ß") == ["STRAẞE closed", "Straße gesperrt"]


@pytest.mark.postgres
def test_the_trigram_index_still_serves_a_search_beyond_ascii(pg_server, pg_migrated_template):
    engine = create_engine(pg_server.url(pg_server.create_database("fold", template=pg_migrated_template)))
    query = select(incidents.c.id).where(*where_clauses(parse_filter("café ДИСК"), me=lambda: uuid4(),
                                                       now=FIXED_NOW, dialect="postgresql", fts=False))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + str(query.compile(
                conn, compile_kwargs={"literal_binds": True})))))
    finally:
        engine.dispose()
    assert "incidents_search_trgm_idx" in plan, plan


@pytest.mark.parametrize("text", ["é", "fé", "συστημα", '"σύστημα [x]*?"'])
def test_without_the_full_text_index_sqlite_still_folds_case(tmp_path, text):
    """A SQLite file not made by us has no FTS5 table: every term is matched row by row."""
    engine = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    metadata.create_all(engine, tables=[incidents])
    titles = {"match": "CAFÉ au ΣΎΣΤΗΜΑ [X]*? ΣΥΣΤΗΜΑ", "miss": "cafe au systima"}
    with engine.begin() as conn:
        for title in titles.values():
            conn.execute(insert(incidents).values(id=uuid4(), incident_id=title[:4], title=title, description="",
                                                  created_by=uuid4(), severity="low", type="cost", status="open",
                                                  created_at=FIXED_NOW, updated_at=FIXED_NOW))
    found = select(incidents.c.title).where(*where_clauses(parse_filter(text), me=uuid4, now=FIXED_NOW,
                                                            dialect="sqlite", fts=False))
    try:
        with engine.connect() as conn:
            assert conn.execute(found).scalars().all() == [titles["match"]]
    finally:
        engine.dispose()
