"""The register's tables, as SQLAlchemy Core metadata (the schema the newest migration makes).

``participations`` holds every row any partner ever sent, one per key (project code, participant
id, entry date, partner), in the canonical columns, with the import that last changed it and
whether it was withdrawn (by a ``full`` import that no longer listed it; withdrawn rows are kept,
never deleted). A row the import rejected as incomplete only (its key present) is kept too, its
problem codes in ``problems`` (empty for an accepted row): the contract counts it in
``GRAND_TOTAL``. Each row also keeps the import that added it and its row in that file
(``added_import``, ``added_row``): that is the history's ``added`` entry, read from here rather
than copied into ``changes``. ``imports`` is the log, ``changes`` the history of every other
change (one row per changed field, withdrawal or restoration), ``reports`` the reports
submitted, ``settings`` the project document, ``snapshot`` the rows a report counts as the last
import left them (Parquet, one value; it holds while that import is the last write).
``import_stage`` is a work table an import fills and empties inside its own transaction.

Alembic's migrations (``migrations/versions``) create and evolve these tables; a test checks that
the migrated database matches this metadata.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from inclusionkit._participations import COLUMNS

__all__ = [
    "KEY",
    "KEY_INDEX",
    "METADATA",
    "PARTICIPATION_TYPES",
    "changes",
    "import_stage",
    "imports",
    "participations",
    "reports",
    "settings",
    "snapshot",
]

KEY: tuple[str, ...] = ("project_code", "participant_id", "entry_date", "partner")
"""What identifies a row of the register: a partner's record of one participation."""

KEY_INDEX: tuple[str, ...] = ("participant_id", "project_code", "entry_date", "partner")
"""The key in the order of its unique index: participant first, so the index also finds one
person's rows (``register history --participant``)."""

PARTICIPATION_TYPES: dict[str, type[sa.types.TypeEngine[Any]]] = {
    "string": sa.Text,
    "date": sa.Date,
    "bool": sa.Boolean,
    "int": sa.SmallInteger,
}
"""The SQL type of each kind of canonical column."""

METADATA = sa.MetaData()

settings = sa.Table(
    "settings",
    METADATA,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

imports = sa.Table(
    "imports",
    METADATA,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("time", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("partner", sa.Text, nullable=False),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("added", sa.BigInteger, nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
    sa.Column("unchanged", sa.BigInteger, nullable=False),
    sa.Column("rejected", sa.BigInteger, nullable=False),
    sa.Column("withdrawn", sa.BigInteger, nullable=False),
    sa.Column("incomplete", sa.BigInteger, nullable=False, server_default="0"),
)

participations = sa.Table(
    "participations",
    METADATA,
    sa.Column("row_id", sa.BigInteger, primary_key=True, autoincrement=False),
    *(sa.Column(c.name, PARTICIPATION_TYPES[c.kind], nullable=c.name not in KEY) for c in COLUMNS),
    sa.Column("import_id", sa.BigInteger, nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("identifiers", sa.Text, nullable=True),
    sa.Column("problems", sa.Text, nullable=True),
    sa.Column("added_import", sa.BigInteger, nullable=True),
    sa.Column("added_row", sa.BigInteger, nullable=True),
    sa.Index("participations_key", *KEY_INDEX, unique=True),
    sa.Index("participations_partner", "partner"),
)

changes = sa.Table(
    "changes",
    METADATA,
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
    sa.Index("changes_participant", "participant_id"),
    sa.Index("changes_import", "import_id"),
)

reports = sa.Table(
    "reports",
    METADATA,
    sa.Column("period", sa.Text, primary_key=True),
    sa.Column("time", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("rules", sa.Text, nullable=False),
    sa.Column("as_of", sa.Text, nullable=False),
    sa.Column("import_id", sa.BigInteger, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("report", sa.Text, nullable=False),
)

snapshot = sa.Table(
    "snapshot",
    METADATA,
    sa.Column("import_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

import_stage = sa.Table(
    "import_stage",
    METADATA,
    sa.Column("row_id", sa.BigInteger, nullable=False),
)
