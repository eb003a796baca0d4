"""`commander:@me` (and any one commander) served in board order from an index.

The board's default order is severity rank, created_at DESC, id (the board index, 0002). Filtered
to one commander, the commander index found the matches but every one of them was then sorted: at
1,000,000 incidents, 78,000 rows for a page of 50 (180-220 ms). Led by commander_id and then the
board's order, this index hands the planner the page in order: it reads 50 entries and stops.

Revision ID: 0010
Revises: 0008
"""

from alembic import op

from tui.store.sql.compile import rank_sql

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    severity = f"({rank_sql('severity', 'severity')})"
    op.execute(f"CREATE INDEX incidents_commander_board_idx ON incidents "
               f"(commander_id, {severity}, created_at DESC, id)")
    op.execute("ANALYZE incidents")


def downgrade() -> None:
    op.execute("DROP INDEX incidents_commander_board_idx")
