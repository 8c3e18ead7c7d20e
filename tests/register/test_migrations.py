"""The register's schema: Alembic migrations make it, and opening an old register upgrades it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import inclusionkit
from inclusionkit import examples
from inclusionkit._register._schema import METADATA


def _engine(url: str) -> sa.Engine:
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        url = f"sqlite:///{url}"
    return sa.create_engine(url, poolclass=sa.NullPool)


def test_the_migrations_make_the_schema_of_the_code(register_url: str) -> None:
    """The database the migrations create has exactly the tables and columns of _schema.py."""
    inclusionkit.init_register(register_url).close()
    engine = _engine(register_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), METADATA)
    engine.dispose()
    # Types compare loosely across dialects; tables, columns and indexes must be the same.
    assert [d for d in differences if d[0] not in ("modify_type",)] == []


def test_opening_an_old_register_runs_the_pending_migrations(register_url: str) -> None:
    """A register whose schema is older than the code is upgraded when opened, data kept."""
    inclusionkit.init_register(register_url).close()
    engine = _engine(register_url)
    with engine.begin() as connection:
        # As a register made before the first revision: no tables, an empty version table.
        for table in reversed(METADATA.sorted_tables):
            connection.execute(sa.text(f"DROP TABLE {table.name}"))
        connection.execute(sa.text("DELETE FROM alembic_version"))
    engine.dispose()
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ("r0001", "r0002")
        assert register.imports().empty
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ()


def test_a_register_before_the_roma_column_keeps_its_rows_with_roma_unknown(
    register_url: str, tmp_path: Path
) -> None:
    """r0002 adds the roma column to an r0001 register: its rows stay, with roma unknown."""
    table = examples.load("dreptul-la-munca").participations
    assert table is not None
    rows = table[table["partner"] == "cpe"].reset_index(drop=True)
    source = tmp_path / "cpe.csv"
    inclusionkit.write(rows.drop(columns=["roma"]), source)  # a table older than roma
    with inclusionkit.init_register(register_url) as register:
        register.import_table(source, partner="cpe", user="ana")
        before = register.participations()
    engine = _engine(register_url)
    with engine.begin() as connection:
        # As a register made by r0001: no roma column.
        connection.execute(sa.text("ALTER TABLE participations DROP COLUMN roma"))
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'r0001'"))
    engine.dispose()
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ("r0002",)
        after = register.participations()
    assert after["roma"].isna().all()
    pd.testing.assert_frame_equal(after, before)


def test_a_register_from_a_newer_version_is_refused(register_url: str) -> None:
    """A register whose schema revision this version does not know is not touched."""
    inclusionkit.init_register(register_url).close()
    engine = _engine(register_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'r9999'"))
    engine.dispose()
    with pytest.raises(inclusionkit.InclusionKitError, match="newer inclusionkit"):
        inclusionkit.open_register(register_url)


def test_init_on_an_existing_register_is_refused(register_url: str) -> None:
    """init never overwrites a register (a file, or the tables in a database)."""
    inclusionkit.init_register(register_url).close()
    with pytest.raises(inclusionkit.InclusionKitError, match="exists there already"):
        inclusionkit.init_register(register_url)
