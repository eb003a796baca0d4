"""What the rule engine needs, in Mission Control's own column names: when a check last changed
status (autoResolve counts from then) and whether an evidence is part of the incident's
definition of done. (The checks' labels, which rules select by, come with 0009.)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checks", sa.Column("last_transition_time", sa.DateTime(timezone=True)))
    op.add_column("evidences", sa.Column("definition_of_done", sa.Boolean(), server_default=sa.false()))
    op.create_index("checks_name_idx", "checks", ["name"])


def downgrade() -> None:
    op.drop_index("checks_name_idx", "checks")
    op.drop_column("evidences", "definition_of_done")
    op.drop_column("checks", "last_transition_time")
