"""The participation table's ``roma`` column (issue 11: Roma are Roma).

A sensitive, optional true/false column of the contract: rows imported before it are unknown
(empty), as an empty cell of any optional column is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the ``roma`` column, empty in every existing row."""
    op.add_column("participations", sa.Column("roma", sa.Boolean, nullable=True))


def downgrade() -> None:
    """Drop the ``roma`` column (batch mode, which SQLite needs to drop a column)."""
    with op.batch_alter_table("participations") as batch:
        batch.drop_column("roma")
