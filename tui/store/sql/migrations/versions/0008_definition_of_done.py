"""Evidence marked done by hand, as Mission Control stores it; the action plan's tree index.

(`definition_of_done`, evidence that must hold before the incident is done, comes with 0007.)
`done` is set by hand on text evidence (a comment or log lines) of the definition of done. Both are
Mission Control's own columns (NOTES §1.5), so a Mission Control database has them already.

Revision ID: 0008
Revises: 0007 (rules, which adds definition_of_done)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (a batch would rebuild the table under the views that read it).
    op.add_column("evidences", sa.Column("done", sa.Boolean()))
    op.create_index("hypotheses_parent_id_idx", "hypotheses", ["parent_id"])


def downgrade() -> None:
    op.drop_index("hypotheses_parent_id_idx", "hypotheses")
    op.drop_column("evidences", "done")
