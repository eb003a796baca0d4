"""Rows written straight into the database under test, the way other clients (or Mission
Control) write them: any spelling, no root hypothesis, no history. The backend under test
(SQL or API) then reads what is there; tests inspect stored rows here too."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Engine, Row, Table, insert, select, update

from tests.conftest import FIXED_NOW
from tui.store.sql.schema import (
    check_statuses,
    checks,
    config_items,
    evidences,
    hypotheses,
    incidents,
    people,
    team_members,
    teams,
)

_numbers = itertools.count(1)


class Seeder:
    def __init__(self, engine: Engine, me: UUID) -> None:
        self.engine = engine
        self.me = me
        """The person the backend under test acts as: the creator of what the seeder writes."""

    def insert_rows(self, table: Table, **values: Any) -> UUID:
        values.setdefault("id", uuid4())
        with self.engine.begin() as conn:
            conn.execute(insert(table).values(**values))
        return values["id"]

    def update_rows(self, table: Table, id: UUID, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == id).values(**values))

    def raw_row(self, table: Table, id: UUID) -> Row[Any]:
        with self.engine.connect() as conn:
            return conn.execute(select(table).where(table.c.id == id)).one()

    def add_person(self, name: str, email: str | None = None) -> UUID:
        return self.insert_rows(people, name=name, email=email, created_at=FIXED_NOW)

    def add_team(self, name: str, *members: UUID) -> UUID:
        team = self.insert_rows(teams, name=name, created_by=self.me, created_at=FIXED_NOW, updated_at=FIXED_NOW)
        for member in members:
            with self.engine.begin() as conn:
                conn.execute(insert(team_members).values(team_id=team, person_id=member))
        return team

    def add_config(self, name: str, health: str = "healthy", **values: Any) -> UUID:
        """`values`: other columns (type, config_class, status, labels...) instead of the defaults."""
        defaults = {"type": "Kubernetes::Deployment", "config_class": "Deployment", "status": "Running"}
        return self.insert_rows(config_items, **(defaults | {"name": name, "health": health} | values),
                                created_at=FIXED_NOW, inserted_at=FIXED_NOW)

    def add_check(self, name: str, status: str = "healthy", **values: Any) -> UUID:
        return self.insert_rows(checks, **({"type": "http"} | {"name": name, "status": status} | values))

    def add_check_result(self, check: UUID, at: datetime, passed: bool, message: str) -> None:
        """A row of check_statuses (its key is the check and the time: no id)."""
        with self.engine.begin() as conn:
            conn.execute(insert(check_statuses).values(check_id=check, time=at, status=passed, message=message,
                                                       created_at=at))

    def raw_incident(self, title: str = "raw incident", *, age: timedelta | None = None, severity: str = "Medium",
                     status: str = "open", type: str = "availability", description: str = "",
                     **values: Any) -> UUID:
        """An incident row as another client wrote it.

        Each is a minute older than the one before unless `age` says otherwise, so the board
        lists incidents of one severity in the order a test wrote them.
        """
        number = next(_numbers)
        created = FIXED_NOW - (age if age is not None else timedelta(minutes=number))
        values.setdefault("created_by", self.me)
        return self.insert_rows(incidents, incident_id=f"RAW-{number}", title=title, description=description,
                                severity=severity, status=status, type=type, created_at=created,
                                updated_at=created, **values)

    def link(self, incident: UUID, *, config: UUID | None = None, check: UUID | None = None) -> None:
        hypothesis = self.insert_rows(hypotheses, created_by=self.me, incident_id=incident, type="factor",
                                      title="cause", status="possible")
        self.insert_rows(evidences, description="evidence", hypothesis_id=hypothesis, config_id=config,
                         check_id=check, created_by=self.me, type="config" if config else "check")
