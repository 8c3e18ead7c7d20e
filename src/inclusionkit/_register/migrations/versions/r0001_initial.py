"""The first schema of the register: settings, imports, participations, changes, reports.

The participation columns are written out here as they were when this revision was made (a
migration never follows later changes of the code), in the contract's canonical order.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

_S, _D, _B, _I = sa.Text, sa.Date, sa.Boolean, sa.SmallInteger
_PARTICIPATION_COLUMNS: tuple[tuple[str, type[sa.types.TypeEngine[Any]]], ...] = (
    ("participant_id", _S),
    ("project_code", _S),
    ("gender", _S),
    ("birth_date", _D),
    ("entry_date", _D),
    ("exit_date", _D),
    ("labour_status", _S),
    ("isced", _I),
    ("jobless_household", _B),
    ("dependent_children", _B),
    ("single_adult_household", _B),
    ("minority", _B),
    ("migrant", _B),
    ("foreign_background", _B),
    ("third_country_national", _B),
    ("disability", _B),
    ("other_disadvantaged", _B),
    ("homeless", _B),
    ("rural", _B),
    ("job_searching_at_exit", _B),
    ("education_at_exit", _B),
    ("qualification_at_exit", _B),
    ("employed_at_exit", _B),
    ("employed_6m", _B),
    ("improved_situation_6m", _B),
    ("region", _S),
    ("partner", _S),
)
_KEY = ("project_code", "participant_id", "entry_date", "partner")


def upgrade() -> None:
    """Create every table of the register."""
    op.create_table(
        "settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    counts = ("rows", "added", "updated", "unchanged", "rejected", "withdrawn")
    op.create_table(
        "imports",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        *(
            sa.Column(name, sa.Text, nullable=False)
            for name in ("time", "username", "source", "sha256", "partner", "mode")
        ),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in counts),
    )
    op.create_table(
        "participations",
        sa.Column("row_id", sa.BigInteger, primary_key=True, autoincrement=False),
        *(
            sa.Column(name, kind, nullable=name not in _KEY)
            for name, kind in _PARTICIPATION_COLUMNS
        ),
        sa.Column("import_id", sa.BigInteger, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("identifiers", sa.Text, nullable=True),
        sa.UniqueConstraint(*_KEY, name="participations_key"),
    )
    op.create_index("participations_partner", "participations", ["partner"])
    op.create_table(
        "changes",
        sa.Column("import_id", sa.BigInteger, nullable=False),
        sa.Column("row", sa.BigInteger, nullable=True),
        sa.Column("project_code", sa.Text, nullable=False),
        sa.Column("participant_id", sa.Text, nullable=False),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("partner", sa.Text, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("field", sa.Text, nullable=True),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
    )
    op.create_index("changes_participant", "changes", ["participant_id"])
    op.create_index("changes_import", "changes", ["import_id"])
    op.create_table(
        "reports",
        sa.Column("period", sa.Text, primary_key=True),
        *(
            sa.Column(name, sa.Text, nullable=False)
            for name in ("time", "username", "rules", "as_of")
        ),
        sa.Column("import_id", sa.BigInteger, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
    )
    op.create_table("import_stage", sa.Column("row_id", sa.BigInteger, nullable=False))


def downgrade() -> None:
    """Drop every table of the register."""
    for name in ("import_stage", "reports", "changes", "participations", "imports", "settings"):
        op.drop_table(name)
