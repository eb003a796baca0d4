"""Mission Control's incident tables as SQLAlchemy Core, with its table and column names.

Only the columns we read or write, plus every NOT NULL column of the reference schema
(/work/shared/reference/mission-control), so rows we insert are valid in a real Mission
Control database too. NOT NULL columns we never set get the reference's default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

NIL_UUID = UUID(int=0)

_Read = Callable[[Any], Any]
"""A result processor: a value as the driver returns it, to the value a row holds."""


class UtcDateTime(TypeDecorator[datetime | str]):
    """timestamptz that is always aware UTC in Python.

    SQLite stores timestamps as text without an offset: we write UTC and read it back as
    UTC, so a value read can be compared (compare-and-set on `updated_at`) with the stored one.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # Mission Control's check_statuses.time is written as text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> _Read | None:
        return _lenient(super().result_processor(dialect, coltype))

    def process_result_value(self, value: datetime | str | None, dialect: Dialect) -> datetime | str | None:
        if value is None or isinstance(value, str):  # unreadable text: see _lenient
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class LenientUuid(TypeDecorator[UUID | str]):
    """A UUID column whose stored text another tool may have filled with something else."""

    impl = Uuid
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> _Read | None:
        return _lenient(super().result_processor(dialect, coltype))


def _lenient(parse: _Read | None) -> _Read | None:
    """A result processor that hands back stored text it cannot parse, instead of failing the whole
    query: the row mapping turns it into a problem on that row alone."""
    if parse is None:
        return None

    def read(value: Any) -> Any:
        try:
            return parse(value)
        except (ValueError, TypeError):
            return value

    return read


Json = JSON().with_variant(JSONB(), "postgresql")
IncidentNumber = Text().with_variant(String(10), "sqlite")
"""`INC-<n>`: text since migration 0006 (Mission Control's varchar(10) stops at INC-999999). SQLite
keeps the declared varchar(10) of migration 0001: it never enforces a length, and changing a
declared type there means rebuilding the table."""
NOW = text("CURRENT_TIMESTAMP")

metadata = MetaData()


def _id() -> Column[UUID]:
    return Column("id", Uuid, primary_key=True)


def _created_at() -> Column[datetime | str]:
    return Column("created_at", UtcDateTime, nullable=False, server_default=NOW)


def _updated_at(nullable: bool = False) -> Column[datetime | str]:
    return Column("updated_at", UtcDateTime, nullable=nullable, server_default=None if nullable else NOW)


def _person(name: str, nullable: bool = False) -> Column[UUID]:
    return Column(name, Uuid, ForeignKey("people.id"), nullable=nullable)


people = Table(
    "people", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("avatar", Text),
    Column("email", Text),
    _created_at(),
    _updated_at(nullable=True),
    Column("deleted_at", UtcDateTime),
    Index("people_email_unique_idx", "email", unique=True,
          sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
)

teams = Table(
    "teams", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("icon", Text),
    Column("spec", Json),
    _person("created_by"),
    _created_at(),
    _updated_at(),
    Column("deleted_at", UtcDateTime),
    Index("team_name_key", "name", unique=True,
          sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
)

team_members = Table(
    "team_members", metadata,
    Column("team_id", Uuid, ForeignKey("teams.id", onupdate="CASCADE", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Uuid, ForeignKey("people.id", onupdate="CASCADE", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, nullable=False, server_default="UI"),
    Index("team_members_person_id_idx", "person_id"),
)

incident_rules = Table(
    "incident_rules", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("spec", Json),
    Column("source", Text),
    _person("created_by"),
    _created_at(),
    _updated_at(),
    Column("deleted_at", UtcDateTime),
    Index("incident_rules_name_key", "name", unique=True),
)

config_items = Table(
    "config_items", metadata,
    _id(),
    Column("agent_id", Uuid, nullable=False, default=NIL_UUID),
    Column("config_class", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("name", Text),
    Column("status", Text),
    Column("health", Text),
    Column("labels", Json),  # migration 0009, as in Mission Control
    Column("is_pushed", Boolean, nullable=False, default=False),
    _created_at(),
    _updated_at(nullable=True),
    Column("deleted_at", UtcDateTime),
    Column("inserted_at", UtcDateTime, nullable=False, server_default=NOW),
    Index("config_items_updated_at_idx", "updated_at"),  # migration 0009: the Configs view's live updates
)

checks = Table(
    "checks", metadata,
    _id(),
    Column("canary_id", Uuid, nullable=False, default=NIL_UUID),  # canaries are not ours: no FK
    Column("agent_id", Uuid, nullable=False, default=NIL_UUID),
    Column("type", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text),
    Column("labels", Json),  # migration 0009, as in Mission Control
    Column("last_transition_time", UtcDateTime),  # 0007: when `status` last changed
    Column("is_pushed", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
    Column("deleted_at", UtcDateTime),
    Index("checks_name_idx", "name"),
    Index("checks_updated_at_idx", "updated_at"),  # migration 0009: the Checks view's live updates
)

check_statuses = Table(
    "check_statuses", metadata,
    Column("check_id", Uuid, ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True),
    Column("time", UtcDateTime, primary_key=True),
    Column("status", Boolean),
    Column("message", Text),
    Column("is_pushed", Boolean, nullable=False, default=False),
    _created_at(),
    Index("check_statuses_created_at_idx", "created_at"),  # migration 0009
)

incidents = Table(
    "incidents", metadata,
    Column("id", LenientUuid, primary_key=True),
    Column("incident_id", IncidentNumber, nullable=False),
    Column("incident_rule_id", Uuid, ForeignKey("incident_rules.id")),
    Column("title", Text, nullable=False),
    _person("created_by"),
    _person("commander_id", nullable=True),
    _person("communicator_id", nullable=True),
    Column("severity", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("type", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("acknowledged", UtcDateTime),
    Column("resolved", UtcDateTime),
    Column("closed", UtcDateTime),
    _created_at(),
    _updated_at(),
    Index("incidents_incident_id_key", "incident_id", unique=True),
    Index("incidents_commander_id_idx", "commander_id"),
    Index("incidents_communicator_id_idx", "communicator_id"),
    Index("incidents_created_by_idx", "created_by"),
    Index("incidents_incident_rule_id_idx", "incident_rule_id"),
    Index("incidents_created_at_idx", "created_at"),
    Index("incidents_updated_at_idx", "updated_at"),
)
# Also on incidents, built by the migrations from SQL text: the status and type rank indexes
# (rank, severity rank, status, severity, type), the board index (severity rank, created_at DESC, id, status,
# severity, type), the commander's board index (commander_id, then the board index's order; 0010) and the
# free-text index (FTS5 / pg_trgm).

responders = Table(
    "responders", metadata,
    _id(),
    Column("incident_id", Uuid, ForeignKey("incidents.id"), nullable=False),
    Column("type", Text, nullable=False),
    _person("person_id", nullable=True),
    Column("team_id", Uuid, ForeignKey("teams.id")),
    Column("external_id", Text),
    Column("properties", Json),
    Column("acknowledged", UtcDateTime),
    _person("created_by"),
    _created_at(),
    _updated_at(),
    Column("deleted_at", UtcDateTime),
    Index("responders_incident_id_idx", "incident_id"),
    Index("responders_person_id_idx", "person_id"),
    Index("responders_team_id_idx", "team_id"),
    Index("responders_updated_at_idx", "updated_at"),
    # A person or team responds once (migration 0005; not in a Mission Control database).
    Index("responders_person_active_key", "incident_id", "person_id", unique=True,
          sqlite_where=text("deleted_at IS NULL AND person_id IS NOT NULL"),
          postgresql_where=text("deleted_at IS NULL AND person_id IS NOT NULL")),
    Index("responders_team_active_key", "incident_id", "team_id", unique=True,
          sqlite_where=text("deleted_at IS NULL AND person_id IS NULL AND team_id IS NOT NULL"),
          postgresql_where=text("deleted_at IS NULL AND person_id IS NULL AND team_id IS NOT NULL")),
)

hypotheses = Table(
    "hypotheses", metadata,
    _id(),
    _person("created_by"),
    Column("incident_id", Uuid, ForeignKey("incidents.id"), nullable=False),
    Column("parent_id", Uuid, ForeignKey("hypotheses.id")),
    Column("type", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("status", Text, nullable=False),
    _created_at(),
    _updated_at(),
    CheckConstraint("type IN ('root', 'factor', 'solution')", name="hypotheses_type_check"),
    Index("hypotheses_incident_id_idx", "incident_id"),
    Index("hypotheses_parent_id_idx", "parent_id"),
    Index("hypotheses_id_incident_idx", "id", "incident_id"),  # covering, for config:/check: (migration 0006)
)

evidences = Table(
    "evidences", metadata,
    _id(),
    Column("description", Text, nullable=False),
    Column("hypothesis_id", Uuid, ForeignKey("hypotheses.id"), nullable=False),
    Column("config_id", Uuid, ForeignKey("config_items.id")),
    Column("check_id", Uuid, ForeignKey("checks.id")),
    _person("created_by"),
    Column("type", Text, nullable=False),
    Column("evidence", Json),
    Column("definition_of_done", Boolean, server_default=text("false")),  # migration 0007
    Column("done", Boolean),  # migration 0008
    _created_at(),
    _updated_at(),
    Index("evidences_hypothesis_id_idx", "hypothesis_id"),
    Index("evidences_config_id_idx", "config_id"),
    Index("evidences_check_id_idx", "check_id"),
    Index("evidences_config_hypothesis_idx", "config_id", "hypothesis_id"),  # covering (migration 0006)
    Index("evidences_check_hypothesis_idx", "check_id", "hypothesis_id"),
)

comments = Table(
    "comments", metadata,
    _id(),
    _person("created_by"),
    Column("comment", Text, nullable=False),
    Column("incident_id", Uuid, ForeignKey("incidents.id"), nullable=False),
    Column("hypothesis_id", Uuid, ForeignKey("hypotheses.id")),
    Column("responder_id", Uuid, ForeignKey("responders.id")),
    Column("external_created_by", Text),
    _created_at(),
    _updated_at(),
    Index("comments_incident_id_idx", "incident_id"),
    Index("comments_updated_at_idx", "updated_at"),
)

incident_histories = Table(
    "incident_histories", metadata,
    _id(),
    Column("incident_id", Uuid, ForeignKey("incidents.id"), nullable=False),
    _person("created_by"),
    Column("type", Text),
    Column("description", Text),
    Column("responder_id", Uuid, ForeignKey("responders.id")),
    Column("comment_id", Uuid, ForeignKey("comments.id")),
    Column("hypothesis_id", Uuid, ForeignKey("hypotheses.id")),
    Column("evidence_id", Uuid, ForeignKey("evidences.id")),
    _created_at(),
    _updated_at(),
    Index("incident_histories_incident_id_idx", "incident_id"),
    Index("incident_histories_created_at_idx", "created_at"),
)

# The human id counter on SQLite (PostgreSQL uses the sequence of the same name, as
# Mission Control does): one row, incremented in the transaction that inserts.
incident_id_sequence = Table(
    "incident_id_sequence", MetaData(),
    Column("last_value", Integer, nullable=False),
)

# Read-only views (created by the migration; PostgREST and the server read them).
views = MetaData()

incidents_by_config = Table(
    "incidents_by_config", views,
    Column("id", Uuid), Column("title", Text), Column("created_at", UtcDateTime), Column("type", Text),
    Column("status", Text), Column("severity", Text), Column("config_id", Uuid),
)

incidents_by_check = Table(
    "incidents_by_check", views,
    Column("id", Uuid), Column("title", Text), Column("created_at", UtcDateTime), Column("type", Text),
    Column("status", Text), Column("severity", Text), Column("check_id", Uuid),
)

incident_summary = Table(
    "incident_summary", views,
    Column("id", Uuid), Column("incident_id", Text), Column("title", Text), Column("severity", Text),
    Column("type", Text), Column("status", Text), Column("created_at", UtcDateTime),
    Column("updated_at", UtcDateTime), Column("commander", Json), Column("responders", Json),
    Column("commenters", Json),
)

# Bearer tokens of `incidents serve` (ours; a Mission Control database has its own access tokens).
# Only a hash of each secret is stored; the token names its row, so lookup is by id.
api_tokens = Table(
    "api_tokens", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    _person("person_id"),
    Column("secret_hash", Text, nullable=False),
    _created_at(),
    Index("api_tokens_name_key", "name", unique=True),
)
