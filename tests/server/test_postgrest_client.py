"""A PostgREST client library that is not ours (supabase's postgrest-py) reads, counts, updates
and calls functions through our server."""

from __future__ import annotations

import pytest
from postgrest import APIError, SyncPostgrestClient


@pytest.fixture
def library(server):
    client = SyncPostgrestClient(f"{server.base_url}/db",
                                 headers={"Authorization": f"Bearer {server.tokens['responder']}"})
    yield client
    client.session.close()


def test_reads_with_filters_order_paging_and_counts(library):
    answer = (library.from_("incidents").select("id,title,status,severity_rank", count="exact")
              .in_("status", ["open", "mitigated"]).order("severity_rank").order("created_at", desc=True)
              .limit(5).execute())
    assert len(answer.data) == 5 and answer.count and answer.count > 5
    assert {row["status"] for row in answer.data} <= {"open", "mitigated"}
    ranks = [row["severity_rank"] for row in answer.data]
    assert ranks == sorted(ranks)
    embedded = library.from_("incidents").select("id,commander:commander_id(name),responders(id)").limit(3).execute()
    assert all("commander" in row and isinstance(row["responders"], list) for row in embedded.data)
    one = library.from_("incidents").select("id").eq("id", answer.data[0]["id"]).single().execute()
    assert one.data == {"id": answer.data[0]["id"]}


def test_a_conditional_update_and_a_function(library):
    incident = library.from_("incidents").select("*").eq("status", "open").limit(1).execute().data[0]
    moved = (library.from_("incidents").update({"status": "mitigated"}).eq("id", incident["id"])
             .eq("updated_at", incident["updated_at"]).execute())
    assert [row["status"] for row in moved.data] == ["mitigated"]
    stale = (library.from_("incidents").update({"status": "resolved"}).eq("id", incident["id"])
             .eq("updated_at", incident["updated_at"]).execute())
    assert stale.data == []
    comment = library.rpc("comment_add", {"incident_id": incident["id"], "text": "via postgrest-py"}).execute()
    assert comment.data["comment"] == "via postgrest-py"
    with pytest.raises(APIError) as refused:
        library.from_("incidents").update({"status": "closed"}).eq("id", incident["id"]).execute()
    assert refused.value.code == "P0001"
