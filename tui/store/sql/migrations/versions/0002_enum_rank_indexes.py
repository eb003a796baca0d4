"""Enum filters and counts answered from indexes led by the enum's rank, and covering.

Filters now compare the rank (compile.rank) instead of lower(value), so 0001's lower()
indexes go. Status and type get an index led by their rank, then the severity rank (so
`status:active sev:high` is one search, with no CASE to evaluate per row); severity's own
is the board index (its rank, created_at DESC, id), rebuilt. Each also stores
the plain status, severity and type: SQLite (before 3.41) and PostgreSQL read a count, a
per-severity count or the board's other filters from the index alone (no table row) only
when every column the query mentions is in it.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from tui.store.sql.compile import rank_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ENUMS = "status, severity, type"


def _rank(field: str) -> str:
    return f"({rank_sql(field, field)})"


def upgrade() -> None:
    for field in ("status", "severity", "type"):
        op.execute(f"DROP INDEX incidents_{field}_idx")
    for field in ("status", "type"):
        op.execute(f"CREATE INDEX incidents_{field}_rank_idx ON incidents "
                   f"({_rank(field)}, {_rank('severity')}, {ENUMS})")
    op.execute("DROP INDEX incidents_board_idx")
    op.execute(f"CREATE INDEX incidents_board_idx ON incidents ({_rank('severity')}, created_at DESC, id, {ENUMS})")
    # Statistics for the new indexes now, not after a first slow session on a big database.
    op.execute("ANALYZE incidents")


def downgrade() -> None:
    for field in ("status", "type"):
        op.execute(f"DROP INDEX incidents_{field}_rank_idx")
    for field in ("status", "severity", "type"):
        op.execute(f"CREATE INDEX incidents_{field}_idx ON incidents (lower({field}))")
    op.execute("DROP INDEX incidents_board_idx")
    op.execute(f"CREATE INDEX incidents_board_idx ON incidents ({_rank('severity')}, created_at DESC, id)")
