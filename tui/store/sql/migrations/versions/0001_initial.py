"""Mission Control's incident tables, the board and free-text indexes, views, System person.

Revision ID: 0001
Revises:
"""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tui.store.sql.compile import rank_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
NOW = sa.text("CURRENT_TIMESTAMP")


def _id() -> sa.Column[uuid.UUID]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _stamp(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, TS, nullable=nullable, server_default=None if nullable else NOW)


def _person(name: str, nullable: bool = False) -> sa.Column[uuid.UUID]:
    return sa.Column(name, sa.Uuid(), sa.ForeignKey("people.id"), nullable=nullable)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"{table}_{columns[0]}_idx", table, list(columns))


def upgrade() -> None:
    _tables()
    _indexes()
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgresql()
    else:
        _sqlite()
    _views(dialect)
    op.bulk_insert(sa.table("people", sa.column("id", sa.Uuid()), sa.column("name", sa.Text())),
                   [{"id": uuid.uuid4(), "name": "System"}])


def _tables() -> None:
    op.create_table(
        "people", _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("avatar", sa.Text()),
        sa.Column("email", sa.Text()),
        _stamp("created_at"), _stamp("updated_at", nullable=True), _stamp("deleted_at", nullable=True),
    )
    op.create_table(
        "teams", _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("icon", sa.Text()),
        sa.Column("spec", JSON),
        _person("created_by"),
        _stamp("created_at"), _stamp("updated_at"), _stamp("deleted_at", nullable=True),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Uuid(), sa.ForeignKey("teams.id", onupdate="CASCADE", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("people.id", onupdate="CASCADE", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("source", sa.Text(), nullable=False, server_default="UI"),
    )
    op.create_table(
        "incident_rules", _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("spec", JSON),
        sa.Column("source", sa.Text()),
        _person("created_by"),
        _stamp("created_at"), _stamp("updated_at"), _stamp("deleted_at", nullable=True),
    )
    op.create_table(
        "config_items", _id(),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("config_class", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("status", sa.Text()),
        sa.Column("health", sa.Text()),
        sa.Column("is_pushed", sa.Boolean(), nullable=False),
        _stamp("created_at"), _stamp("updated_at", nullable=True), _stamp("deleted_at", nullable=True),
        _stamp("inserted_at"),
    )
    op.create_table(
        "checks", _id(),
        sa.Column("canary_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text()),
        sa.Column("is_pushed", sa.Boolean(), nullable=False),
        _stamp("created_at", nullable=True), _stamp("updated_at", nullable=True),
        _stamp("deleted_at", nullable=True),
    )
    op.create_table(
        "check_statuses",
        sa.Column("check_id", sa.Uuid(), sa.ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("time", TS, primary_key=True),
        sa.Column("status", sa.Boolean()),
        sa.Column("message", sa.Text()),
        sa.Column("is_pushed", sa.Boolean(), nullable=False),
        _stamp("created_at"),
    )
    op.create_table(
        "incidents", _id(),
        sa.Column("incident_id", sa.String(10), nullable=False),
        sa.Column("incident_rule_id", sa.Uuid(), sa.ForeignKey("incident_rules.id")),
        sa.Column("title", sa.Text(), nullable=False),
        _person("created_by"), _person("commander_id", nullable=True), _person("communicator_id", nullable=True),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _stamp("acknowledged", nullable=True), _stamp("resolved", nullable=True), _stamp("closed", nullable=True),
        _stamp("created_at"), _stamp("updated_at"),
    )
    op.create_table(
        "responders", _id(),
        sa.Column("incident_id", sa.Uuid(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        _person("person_id", nullable=True),
        sa.Column("team_id", sa.Uuid(), sa.ForeignKey("teams.id")),
        sa.Column("external_id", sa.Text()),
        sa.Column("properties", JSON),
        _stamp("acknowledged", nullable=True),
        _person("created_by"),
        _stamp("created_at"), _stamp("updated_at"), _stamp("deleted_at", nullable=True),
    )
    op.create_table(
        "hypotheses", _id(),
        _person("created_by"),
        sa.Column("incident_id", sa.Uuid(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("parent_id", sa.Uuid(), sa.ForeignKey("hypotheses.id")),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _stamp("created_at"), _stamp("updated_at"),
        sa.CheckConstraint("type IN ('root', 'factor', 'solution')", name="hypotheses_type_check"),
    )
    op.create_table(
        "evidences", _id(),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hypothesis_id", sa.Uuid(), sa.ForeignKey("hypotheses.id"), nullable=False),
        sa.Column("config_id", sa.Uuid(), sa.ForeignKey("config_items.id")),
        sa.Column("check_id", sa.Uuid(), sa.ForeignKey("checks.id")),
        _person("created_by"),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("evidence", JSON),
        _stamp("created_at"), _stamp("updated_at"),
    )
    op.create_table(
        "comments", _id(),
        _person("created_by"),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("hypothesis_id", sa.Uuid(), sa.ForeignKey("hypotheses.id")),
        _stamp("created_at"), _stamp("updated_at"),
    )
    op.create_table(
        "incident_histories", _id(),
        sa.Column("incident_id", sa.Uuid(), sa.ForeignKey("incidents.id"), nullable=False),
        _person("created_by"),
        sa.Column("type", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("responder_id", sa.Uuid(), sa.ForeignKey("responders.id")),
        sa.Column("comment_id", sa.Uuid(), sa.ForeignKey("comments.id")),
        _stamp("created_at"), _stamp("updated_at"),
    )


def _indexes() -> None:
    partial: dict[str, Any] = {"sqlite_where": sa.text("deleted_at IS NULL"),
                               "postgresql_where": sa.text("deleted_at IS NULL")}
    op.create_index("people_email_unique_idx", "people", ["email"], unique=True, **partial)
    op.create_index("team_name_key", "teams", ["name"], unique=True, **partial)
    op.create_index("team_members_person_id_idx", "team_members", ["person_id"])
    op.create_index("incident_rules_name_key", "incident_rules", ["name"], unique=True)
    op.create_index("incidents_incident_id_key", "incidents", ["incident_id"], unique=True)
    for column in ("commander_id", "communicator_id", "created_by", "incident_rule_id", "created_at", "updated_at"):
        _index("incidents", column)
    for column in ("incident_id", "person_id", "team_id"):
        _index("responders", column)
    _index("hypotheses", "incident_id")
    for column in ("hypothesis_id", "config_id", "check_id"):
        _index("evidences", column)
    _index("comments", "incident_id")
    _index("incident_histories", "incident_id")
    # Enum filters compare lower(value) with every known spelling; sort:title and sort:id.
    for column in ("status", "severity", "type", "title"):
        op.execute(f"CREATE INDEX incidents_{column}_idx ON incidents (lower({column}))")
    op.execute("CREATE INDEX incidents_number_idx ON incidents (length(incident_id), incident_id)")
    # The default board order (highest severity first, newest first) straight from an index.
    # Its leading expression must stay identical to compile.rank("severity").
    op.execute(f"CREATE INDEX incidents_board_idx ON incidents (({rank_sql('severity', 'severity')}), "
               "created_at DESC, id)")


def _postgresql() -> None:
    # Human ids as in Mission Control: INC-<nextval>.
    op.execute("CREATE SEQUENCE incident_id_sequence INCREMENT 1 START 1")
    op.execute("ALTER TABLE incidents ALTER COLUMN incident_id "
               "SET DEFAULT 'INC-' || nextval('incident_id_sequence')")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Same expression as compile.PG_SEARCH_DOCUMENT, so ILIKE '%term%' uses it.
    op.execute("CREATE INDEX incidents_search_trgm_idx ON incidents USING gin "
               "((incident_id || ' ' || title || ' ' || description) gin_trgm_ops)")


def _sqlite() -> None:
    op.create_table("incident_id_sequence", sa.Column("last_value", sa.Integer(), nullable=False))
    op.execute("INSERT INTO incident_id_sequence (last_value) VALUES (0)")
    op.execute("CREATE VIRTUAL TABLE incidents_fts USING fts5(incident_id, title, description, "
               "content='incidents', content_rowid='rowid', tokenize='trigram')")
    new = "VALUES (new.rowid, new.incident_id, new.title, new.description)"
    old = "VALUES ('delete', old.rowid, old.incident_id, old.title, old.description)"
    insert = f"INSERT INTO incidents_fts (rowid, incident_id, title, description) {new};"
    delete = f"INSERT INTO incidents_fts (incidents_fts, rowid, incident_id, title, description) {old};"
    op.execute(f"CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN {delete} END")
    op.execute("CREATE TRIGGER incidents_fts_update AFTER UPDATE OF incident_id, title, description "
               f"ON incidents BEGIN {delete} {insert} END")


def _views(dialect: str) -> None:
    for target in ("config", "check"):
        op.execute(f"""
            CREATE VIEW incidents_by_{target} AS
            SELECT DISTINCT i.title, i.id, i.created_at, i.type, i.status, i.severity, e.{target}_id
            FROM evidences e
            JOIN hypotheses h ON h.id = e.hypothesis_id
            JOIN incidents i ON i.id = h.incident_id
            WHERE e.{target}_id IS NOT NULL""")
    if dialect == "postgresql":
        obj, agg, empty = "jsonb_build_object", "jsonb_agg", "'[]'::jsonb"
    else:
        obj, agg, empty = "json_object", "json_group_array", "json('[]')"
    op.execute(f"""
        CREATE VIEW incident_summary AS
        SELECT i.id, i.incident_id, i.title, i.severity, i.type, i.status, i.created_at, i.updated_at,
          (SELECT {obj}('id', p.id, 'avatar', p.avatar, 'name', p.name)
             FROM people p WHERE p.id = i.commander_id) AS commander,
          (SELECT COALESCE({agg}({obj}('id', COALESCE(p.id, t.id), 'avatar', COALESCE(p.avatar, t.icon),
                                        'name', COALESCE(p.name, t.name))), {empty})
             FROM responders r
             LEFT JOIN people p ON p.id = r.person_id
             LEFT JOIN teams t ON t.id = r.team_id
             WHERE r.incident_id = i.id AND r.deleted_at IS NULL
               AND (r.person_id IS NOT NULL OR r.team_id IS NOT NULL)) AS responders,
          (SELECT COALESCE({agg}({obj}('id', p.id, 'avatar', p.avatar, 'name', p.name)), {empty})
             FROM people p
             WHERE p.id IN (SELECT c.created_by FROM comments c WHERE c.incident_id = i.id)) AS commenters
        FROM incidents i""")


def downgrade() -> None:
    raise NotImplementedError("the initial schema cannot be downgraded; delete the database instead")
