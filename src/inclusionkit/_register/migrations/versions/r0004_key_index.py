"""The key of ``participations`` (project code, participant id, entry date, partner) becomes a
unique index instead of a unique constraint: the same rule, but an index an import can drop and
build again around a bulk insert (SQLite cannot drop a constraint without copying the table).

On SQLite the table is copied once (Alembic's batch mode); on PostgreSQL the constraint is
dropped and the index made. Every row is kept.
"""

from __future__ import annotations

from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None

_KEY = ["project_code", "participant_id", "entry_date", "partner"]


def upgrade() -> None:
    """Replace the unique constraint ``participations_key`` by a unique index of that name."""
    with op.batch_alter_table("participations") as table:
        table.drop_constraint("participations_key", type_="unique")
    op.create_index("participations_key", "participations", _KEY, unique=True)


def downgrade() -> None:
    """Make the key a unique constraint again."""
    op.drop_index("participations_key", table_name="participations")
    with op.batch_alter_table("participations") as table:
        table.create_unique_constraint("participations_key", _KEY)
