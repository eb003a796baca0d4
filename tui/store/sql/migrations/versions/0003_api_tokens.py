"""Bearer tokens for `incidents serve`: a name, a role, the person it acts as, a secret's hash.

Also the Mission Control columns its web UI embeds through (NOTES §1.3, §1.6): comments from a
responder (responder_id, external_created_by), history rows about a hypothesis or an evidence.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("person_id", sa.Uuid, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("CURRENT_TIMESTAMP")),
    )
    op.create_index("api_tokens_name_key", "api_tokens", ["name"], unique=True)
    for table, column, target in (("comments", "responder_id", "responders"),
                                  ("incident_histories", "hypothesis_id", "hypotheses"),
                                  ("incident_histories", "evidence_id", "evidences")):
        # Inline REFERENCES: SQLite cannot add a constraint to an existing table, but a column may carry one.
        kind = "UUID" if op.get_context().dialect.name == "postgresql" else "CHAR(32)"
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind} REFERENCES {target} (id)")
    op.add_column("comments", sa.Column("external_created_by", sa.Text))


def downgrade() -> None:
    op.drop_column("comments", "external_created_by")
    for table, column in (("comments", "responder_id"), ("incident_histories", "hypothesis_id"),
                          ("incident_histories", "evidence_id")):
        op.drop_column(table, column)
    op.drop_table("api_tokens")
