"""Keep the incomplete rows: a rejected row with a key whose only problems make it incomplete is
stored (with its problem codes in ``participations.problems``), so the register's GRAND_TOTAL
counts it as the file's report does; the import log counts them in ``imports.incomplete``.

Rows stored by the first schema were all accepted: their ``problems`` stay empty.

And the ``snapshot``: the rows a report counts, as the last import left them, as Parquet in one
value; a report reads it instead of every row (a register of the first schema has none until its
next import: reports read the rows meanwhile).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``participations.problems``, ``imports.incomplete`` and the ``snapshot`` table."""
    with op.batch_alter_table("participations") as table:
        table.add_column(sa.Column("problems", sa.Text, nullable=True))
    with op.batch_alter_table("imports") as table:
        table.add_column(sa.Column("incomplete", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "snapshot",
        sa.Column("import_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop the snapshot, the incomplete rows and the two columns."""
    op.drop_table("snapshot")
    op.execute("DELETE FROM participations WHERE problems IS NOT NULL")
    with op.batch_alter_table("imports") as table:
        table.drop_column("incomplete")
    with op.batch_alter_table("participations") as table:
        table.drop_column("problems")
