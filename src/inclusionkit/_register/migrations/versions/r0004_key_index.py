"""A bulk import's schema: the key of ``participations`` (project code, participant id, entry
date, partner) becomes a unique index instead of a unique constraint, participant first (the
same rule, but an index an import can drop and build again around a bulk insert, which SQLite
cannot do with a constraint, and one that finds a person's rows); and the history's ``added``
entry of a row moves from ``changes`` to the row itself (``added_import``, ``added_row``: the
import that added it and its row in that file), so a first import of a million rows writes no
million history rows. ``Register.history`` shows the same entries as before.

On SQLite the table is copied once (Alembic's batch mode); on PostgreSQL the constraint is
dropped and the index made. Every row and every history entry is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None

_KEY = ["project_code", "participant_id", "entry_date", "partner"]
_KEY_INDEX = ["participant_id", "project_code", "entry_date", "partner"]
_SAME_KEY = " AND ".join(f"c.{name} = participations.{name}" for name in _KEY)


def upgrade() -> None:
    """Replace the unique constraint by a unique index of that name; move the ``added``
    entries of the history to the rows."""
    with op.batch_alter_table("participations") as table:
        table.drop_constraint("participations_key", type_="unique")
        table.add_column(sa.Column("added_import", sa.BigInteger, nullable=True))
        table.add_column(sa.Column("added_row", sa.BigInteger, nullable=True))
    op.create_index("participations_key", "participations", _KEY_INDEX, unique=True)
    op.execute(
        "UPDATE participations SET added_import = c.import_id, added_row = c.row "
        f"FROM changes c WHERE c.change = 'added' AND {_SAME_KEY}"
    )
    op.execute(
        "DELETE FROM changes WHERE change = 'added' AND EXISTS (SELECT 1 FROM participations p "
        "WHERE p.added_import = changes.import_id AND "
        + " AND ".join(f"p.{name} = changes.{name}" for name in _KEY)
        + ")"
    )


def downgrade() -> None:
    """Put the ``added`` entries back into ``changes``; make the key a constraint again."""
    columns = ", ".join(_KEY)
    op.execute(
        f'INSERT INTO changes (import_id, "row", {columns}, change, field, old, new) '
        f"SELECT added_import, added_row, {columns}, 'added', NULL, NULL, NULL "
        "FROM participations WHERE added_import IS NOT NULL"
    )
    op.drop_index("participations_key", table_name="participations")
    with op.batch_alter_table("participations") as table:
        table.drop_column("added_row")
        table.drop_column("added_import")
        table.create_unique_constraint("participations_key", _KEY)
