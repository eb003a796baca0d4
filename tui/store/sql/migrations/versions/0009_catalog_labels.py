"""Labels on config items and health checks, as in Mission Control (a JSON object each), for the
Configs and Checks views' `label:k=v` filter; and the indexes their live updates look with
(tui.store.sql.changes reads config_items, checks and check_statuses by their change stamps).

`checks.labels` also comes with the check results' migration (0007); whichever runs first adds it.

Revision ID: 0009
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("config_items", "checks")
INDEXES = (("config_items", "updated_at"), ("checks", "updated_at"), ("check_statuses", "created_at"))


def _has_labels(table: str) -> bool:
    return any(column["name"] == "labels" for column in sa.inspect(op.get_bind()).get_columns(table))


def upgrade() -> None:
    json = sa.JSON().with_variant(JSONB(), "postgresql")
    for table in TABLES:
        if not _has_labels(table):
            op.add_column(table, sa.Column("labels", json))
    for table, column in INDEXES:
        op.create_index(f"{table}_{column}_idx", table, [column])


def downgrade() -> None:
    for table, column in INDEXES:
        op.drop_index(f"{table}_{column}_idx", table)
    for table in TABLES:
        op.drop_column(table, "labels")
