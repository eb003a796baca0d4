"""Human ids past INC-999999 (`incidents.incident_id` becomes text on PostgreSQL), and covering
indexes for the `config:` / `check:` filters.

Mission Control's `varchar(10)` holds `INC-999999` at most, so the millionth create failed,
and every later one with it (the sequence had moved on). SQLite never enforced the length.
PostgreSQL refuses to change the type of a column a view reads, so `incident_summary` is
dropped and created again from its own stored definition. Widening is binary-compatible:
no table rewrite, only the indexes on the column are rebuilt.

The link filters go from the matching config items or checks to their evidence, its hypothesis
and its incident (tui.store.sql.compile._linked); with (config_id | check_id, hypothesis_id) and
(id, incident_id) each step is read from an index alone, not from a table row per match: at
1,000,000 incidents `config:payments-db` (33,000 matches) went from 14.9 s to 1.8-2.1 s here.

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


COVERING = {
    "evidences_config_hypothesis_idx": ("evidences", ["config_id", "hypothesis_id"]),
    "evidences_check_hypothesis_idx": ("evidences", ["check_id", "hypothesis_id"]),
    "hypotheses_id_incident_idx": ("hypotheses", ["id", "incident_id"]),
}


def upgrade() -> None:
    _retype("text")
    for name, (table, columns) in COVERING.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in COVERING.items():
        op.drop_index(name, table)
    _retype("varchar(10)")
