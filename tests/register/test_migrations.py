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
from tests.register.conftest import partner_rows


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
        assert register.migrations_run == ("r0001", "r0002", "r0003", "r0004")
        assert register.imports().empty
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ()


def _alembic(url: str, action: str, revision: str) -> None:
    """Run an Alembic command on the register at ``url`` with the package's migrations."""
    from alembic import command
    from alembic.config import Config

    import inclusionkit._register as package

    config = Config()
    config.set_main_option("script_location", str(Path(package.__file__).parent / "migrations"))
    engine = _engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
    engine.dispose()


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["participant_id", "entry_date"]).reset_index(drop=True)


def test_a_register_of_the_first_schema_upgrades_with_its_data(
    register_url: str, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A register at the first schema (r0001: no roma, no incomplete rows) holding a partner's
    rows and an import opens in this version: r0002 and r0003 run, every row and the log are
    kept, and importing a file with incomplete rows then keeps them."""
    rows = partner_rows(seed, "agentia").drop(columns=["roma"])  # a table older than roma
    source = tmp_path / "agentia.csv"
    inclusionkit.write(rows, source, kind="participations")
    with inclusionkit.init_register(register_url) as register:
        first = register.import_table(source, partner="agentia")
        before = register.participations(include_incomplete=False)
        incomplete = register.participations(include_incomplete=True)
        assert first.incomplete == first.rejected == len(incomplete) - len(before) > 0
    _alembic(register_url, "downgrade", "r0001")
    engine = _engine(register_url)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("participations")}
    engine.dispose()
    assert "problems" not in columns
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ("r0002", "r0003", "r0004")
        pd.testing.assert_frame_equal(register.participations(), before)
        log = register.imports()
        assert log["incomplete"].tolist() == [0]
        again = register.import_table(source, partner="agentia")
        assert (again.added, again.updated, again.incomplete) == (0, 0, first.incomplete)
        # The same rows (the incomplete ones imported later, so later in the register's order).
        pd.testing.assert_frame_equal(_by_key(register.participations()), _by_key(incomplete))


def test_r0004_moves_the_added_entries_to_the_rows_and_back(
    register_url: str, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A register of r0003 (its ``added`` entries in ``changes``) upgrades with the same
    history: r0004 moves each entry to its row, and the downgrade moves it back."""
    rows = partner_rows(seed, "cpe")
    source = tmp_path / "cpe.csv"
    inclusionkit.write(rows, source, kind="participations")
    fixed = rows.copy()
    fixed.loc[2, "region"] = "RO11" if rows.loc[2, "region"] != "RO11" else "RO12"
    corrected = tmp_path / "cpe-2.csv"
    inclusionkit.write(fixed, corrected, kind="participations")
    with inclusionkit.init_register(register_url) as register:
        register.import_table(source, partner="cpe")
        register.import_table(corrected, partner="cpe")
        history = register.history()
        stored = len(register.participations())
    assert history["change"].value_counts().to_dict() == {"added": stored, "updated": 1}
    _alembic(register_url, "downgrade", "r0003")
    engine = _engine(register_url)
    with engine.connect() as connection:
        query = sa.text("SELECT change, COUNT(*) FROM changes GROUP BY change")
        counts = {str(change): int(n) for change, n in connection.execute(query)}
    engine.dispose()
    assert counts == {"added": stored, "updated": 1}
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ("r0004",)
        pd.testing.assert_frame_equal(register.history(), history)
        assert register.query("SELECT COUNT(*) AS n FROM changes")["n"][0] == 1


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
    _alembic(register_url, "downgrade", "r0001")  # as a register made by r0001: no roma
    with inclusionkit.open_register(register_url) as register:
        assert register.migrations_run == ("r0002", "r0003", "r0004")
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
