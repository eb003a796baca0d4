"""A person or team responds to an incident once: unique among the responders not removed.

Writers lock the incident before adding one (tui.store.sql.backend); these indexes make a
duplicate impossible whatever writes the row. Duplicates already stored (two writers that
raced before this) are removed first, the oldest one staying, as a removal would.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# index name -> (the column naming who responds, the condition that makes it that kind of responder)
INDEXES = {
    "responders_person_active_key": ("person_id", "deleted_at IS NULL AND person_id IS NOT NULL"),
    "responders_team_active_key": ("team_id", "deleted_at IS NULL AND person_id IS NULL AND team_id IS NOT NULL"),
}


def upgrade() -> None:
    for name, (column, active) in INDEXES.items():
        op.execute(f"""
            UPDATE responders SET deleted_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
            WHERE {active} AND EXISTS (
                SELECT 1 FROM responders AS older
                WHERE older.incident_id = responders.incident_id AND older.{column} = responders.{column}
                  AND older.id <> responders.id AND {active}  -- unqualified: older's columns
                  AND (older.created_at < responders.created_at
                       OR (older.created_at = responders.created_at AND older.id < responders.id)))
        """)
        op.create_index(name, "responders", ["incident_id", column], unique=True,
                        sqlite_where=sa.text(active), postgresql_where=sa.text(active))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "responders")

