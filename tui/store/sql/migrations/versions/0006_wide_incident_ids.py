"""Human ids past INC-999999: `incidents.incident_id` becomes text on PostgreSQL.

Mission Control's `varchar(10)` holds `INC-999999` at most, so the millionth create failed,
and every later one with it (the sequence had moved on). SQLite never enforced the length.
PostgreSQL refuses to change the type of a column a view reads, so `incident_summary` is
dropped and created again from its own stored definition. Widening is binary-compatible:
no table rewrite, only the indexes on the column are rebuilt.

Revision ID: 0006
Revises: 0009
"""

from alembic import op

revision = "0006"
down_revision = "0009"
branch_labels = None
depends_on = None


def _retype(column_type: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    definition = op.get_bind().exec_driver_sql("SELECT pg_get_viewdef('incident_summary'::regclass)").scalar_one()
    op.execute("DROP VIEW incident_summary")
    op.execute(f"ALTER TABLE incidents ALTER COLUMN incident_id TYPE {column_type}")
    op.execute(f"CREATE VIEW incident_summary AS {definition}")


def upgrade() -> None:
    _retype("text")


def downgrade() -> None:
    _retype("varchar(10)")
