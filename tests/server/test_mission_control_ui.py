"""Contract: the requests Mission Control's web UI sends (NOTES §6.2), verbatim in shape, each
answered 2xx with the fields the UI reads. Headers as its axios client sends them (§6.1).

Left out, because our schema has no such tables or columns (NOTES §1.5): the `components`,
`configs`, `config_changes` and `config_analysis` embeds of evidences, `checks.icon`,
`evidences.definition_of_done` / `script`, and `incidents_by_component`. Component filters are
replayed with `config_id`, the link our schema has.
"""

from __future__ import annotations

import uuid

AVATAR_INFO = "id,name,avatar,email"
HEADERS = {"Accept": "application/json", "Content-Type": "application/json", "Prefer": "return=representation"}


def call(client, method, path, body=None, fields=()):
    answer = client.request(method, f"/db/{path}", json=body, headers=HEADERS)
    assert 200 <= answer.status_code < 300, (method, path, answer.status_code, answer.text)
    rows = answer.json()
    for row in rows if isinstance(rows, list) else [rows]:
        missing = [f for f in fields if f not in row]
        assert not missing, (path, missing)
    return rows


def test_the_web_uis_requests(server):
    with server.client("responder") as ui:
        me = ui.get("/auth/whoami").json()["id"]

        # List page (getIncidentsSummary)
        summary = call(ui, "GET", "incident_summary?&title=ilike.*db*&order=created_at.desc&status=eq.open"
                                  "&severity=eq.Critical&type=eq.availability",
                       fields=("id", "incident_id", "title", "severity", "type", "status", "created_at",
                               "commander", "responders"))
        everything = call(ui, "GET", "incident_summary?order=created_at.desc&status=eq.open",
                          fields=("id", "responders", "commenters"))
        assert everything and all(isinstance(row["responders"], list) for row in everything)
        assert all(row["status"] == "open" and "db" in row["title"].lower() for row in summary)
        incident_id = everything[0]["id"]

        # Detail page (getIncident)
        detail = call(ui, "GET", f"incidents?id=eq.{incident_id}&select=*,"
                                 f"hypotheses(*,created_by({AVATAR_INFO}),evidences(*,created_by({AVATAR_INFO})),"
                                 "comments(created_at,comment,external_created_by,responder_id(team_id(*)),"
                                 "created_by(id,id,name,avatar,email),id)),"
                                 f"commander:commander_id({AVATAR_INFO}),communicator_id({AVATAR_INFO}),"
                                 f"responders(created_by({AVATAR_INFO}))",
                      fields=("id", "title", "status", "severity", "hypotheses", "commander", "communicator_id",
                              "responders"))
        assert len(detail) == 1
        hypotheses = detail[0]["hypotheses"]
        assert hypotheses and all("evidences" in h and "comments" in h for h in hypotheses)
        assert all(set(h["created_by"]) == {"id", "name", "avatar", "email"} for h in hypotheses)
        root = next(h for h in hypotheses if h["type"] == "root")

        # Richer list variant, and its !inner form for filtering by a linked item
        call(ui, "GET", f"incidents?select=*,hypotheses(*,created_by({AVATAR_INFO}),"
                        "evidences(id,evidence,type,config_id)),"
                        f"comments(id,created_by({AVATAR_INFO})),commander_id({AVATAR_INFO}),communicator_id({AVATAR_INFO}),"
                        "responders(*,team:team_id(id,name,icon,spec),person:person_id(id,name,avatar),"
                        f"created_by({AVATAR_INFO}))&order=created_at.desc&status=eq.open",
             fields=("hypotheses", "comments", "commander_id", "responders"))
        linked = call(ui, "GET", "evidences?config_id=not.is.null&select=config_id&limit=1")[0]["config_id"]
        inner = call(ui, "GET", "incidents?select=id,hypotheses!inner(id,evidences!inner(id,config_id))"
                                f"&hypotheses.evidences.config_id=eq.{linked}&order=created_at.desc")
        assert inner and all(e["config_id"] == linked for row in inner for h in row["hypotheses"]
                             for e in h["evidences"])

        # Other reads
        call(ui, "GET", f"responders?incident_id=eq.{incident_id}&select=*,team:team_id(id,name,icon,spec),"
                        "person:person_id(id,name,avatar)&deleted_at=is.null",
             fields=("id", "type", "properties", "team", "person"))
        call(ui, "GET", f"incident_histories?incident_id=eq.{incident_id}&select=*,"
                        "evidence:evidences(id,description,type,checks(id,name)),hypothesis:hypotheses(id,title),"
                        "responder:responders(id,person:person_id(id,name,avatar),team:team_id(id,name,icon)),"
                        "comment:comments(id,comment),created_by(id,name,avatar)&order=created_at.desc",
             fields=("type", "description", "evidence", "hypothesis", "responder", "comment", "created_by"))
        call(ui, "GET", f"hypotheses?incident_id=eq.{incident_id}&order=created_at.asc", fields=("id", "type"))
        call(ui, "GET", f"comments?select=*,created_by(id,name,avatar)&hypothesis_id=eq.{root['id']}"
                        "&order=created_at.asc")
        call(ui, "GET", f"incidents_by_config?config_id=eq.{linked}&status=eq.open&type=eq.availability"
                        "&order=created_at.desc")
        people = call(ui, "GET", "people?select=*&deleted_at=is.null&email=not.is.null&order=name.asc",
                      fields=("id", "name", "avatar", "email"))
        assert [p["name"] for p in people] == sorted(p["name"] for p in people)
        teams = call(ui, "GET", "teams?deleted_at=is.null&order=name.asc", fields=("id", "name", "icon"))
        call(ui, "GET", f"team_members?team_id=eq.{teams[0]['id']}&select=*,person_id(*)", fields=("person_id",))
        call(ui, "GET", "incidents?order=created_at.desc&title=ilike.*db*&select=*,hypotheses(id,type)")

        # Writes: create an incident, its root hypothesis and first evidence
        new_id, hypothesis_id = str(uuid.uuid4()), str(uuid.uuid4())
        created = call(ui, "POST", "incidents?select=*", {
            "id": new_id, "title": "API down", "description": "", "type": "availability", "severity": "low",
            "status": "open", "created_by": me, "commander_id": me, "communicator_id": me,
            "created_at": "now()", "updated_at": "now()"}, fields=("id", "incident_id"))
        assert created[0]["id"] == new_id
        call(ui, "POST", "hypotheses", {"id": hypothesis_id, "created_by": me, "incident_id": new_id,
                                        "type": "root", "title": "API down", "status": "possible"})
        call(ui, "POST", "evidences", {"hypothesis_id": hypothesis_id, "config_id": linked, "type": "config",
                                       "description": "Config", "created_by": me})
        for change in ({"status": "mitigated"}, {"title": "new title"}, {"severity": "High", "type": "security"}):
            changed = call(ui, "PATCH", f"incidents?id=eq.{new_id}", change)
            assert len(changed) == 1 and all(changed[0][k] == v for k, v in change.items())
        factor = str(uuid.uuid4())
        call(ui, "POST", "hypotheses", {"id": factor, "created_by": me, "incident_id": new_id,
                                        "parent_id": hypothesis_id, "type": "factor",
                                        "title": "DB pool exhausted", "status": "likely"})
        assert call(ui, "PATCH", f"hypotheses?id=eq.{factor}", {"status": "disproven"})[0]["status"] == "disproven"
        call(ui, "POST", "comments", {"created_by": me, "incident_id": new_id, "hypothesis_id": factor,
                                      "comment": "text"})
        for table, column in (("comments", "hypothesis_id"), ("evidences", "hypothesis_id"), ("hypotheses", "id")):
            call(ui, "DELETE", f"{table}?{column}=eq.{factor}")
        responder = call(ui, "POST", "responders?select=*", {
            "type": "system", "incident_id": new_id, "created_by": me, "team_id": teams[0]["id"],
            "properties": {"responderType": {"value": "jira", "label": "Jira"}, "project": "OPS",
                           "issueType": "Bug", "summary": "INC-7 API down"}})[0]
        removed = call(ui, "PATCH", f"responders?id=eq.{responder['id']}", {"deleted_at": "now()"})
        assert removed[0]["deleted_at"] is not None
        assert call(ui, "GET", f"hypotheses?incident_id=eq.{new_id}&select=id") == [{"id": hypothesis_id}]
