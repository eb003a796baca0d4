"""Indexes for change detection: the board asks which incidents changed since a moment.

`incidents.updated_at` already has one. Responders and comments do not bump their
incident's `updated_at`, and history rows are written by other tools too, so each of
those tables is searched by its own timestamp (see tui.store.sql.changes).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (("responders", "updated_at"), ("comments", "updated_at"), ("incident_histories", "created_at"))


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f"{table}_{column}_idx", table, [column])


def downgrade() -> None:
    for table, column in INDEXES:
        op.drop_index(f"{table}_{column}_idx", table)
