"""The register: imports, history, withdrawals, safety; each test on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit._register import _store
from inclusionkit._rejected import read_with_rejections
from tests.register.conftest import partner_rows


def _write(frame: pd.DataFrame, path: Path) -> Path:
    inclusionkit.write(frame, path, kind="participations")
    return path


def test_import_adds_then_the_same_file_changes_nothing(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A first import adds every row; the same file again changes no row and no history."""
    rows = partner_rows(seed, "cpe")
    source = _write(rows, tmp_path / "cpe.csv")
    first = register.import_table(source, partner="cpe", user="ana")
    assert (first.added, first.updated, first.unchanged, first.rejected) == (len(rows), 0, 0, 0)
    before, history = register.participations(), register.history()
    second = register.import_table(source, partner="cpe", user="ana")
    assert (second.added, second.updated, second.unchanged) == (0, 0, len(rows))
    pd.testing.assert_frame_equal(register.participations(), before)
    pd.testing.assert_frame_equal(register.history(), history)
    pd.testing.assert_frame_equal(
        register.participations().reset_index(drop=True), inclusionkit.read(source)
    )


def test_a_correction_updates_the_row_and_records_the_change(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A corrected cell updates the row in place, and the history says who changed what, from
    which file (name, SHA-256) and row, with the old and new value."""
    rows = partner_rows(seed, "cpe")
    register.import_table(_write(rows, tmp_path / "m1.csv"), partner="cpe")
    fixed = rows.copy()
    was = rows.loc[3, "labour_status"]
    fixed.loc[3, "labour_status"] = "unemployed" if was != "unemployed" else "inactive"
    result = register.import_table(_write(fixed, tmp_path / "m2.csv"), partner="cpe", user="ion")
    assert (result.added, result.updated, result.unchanged) == (0, 1, len(rows) - 1)
    person = str(rows.loc[3, "participant_id"])
    history = register.history(person)
    change = history[history["change"] == "updated"].iloc[0]
    assert (change["field"], change["old"], change["new"]) == (
        "labour_status",
        rows.loc[3, "labour_status"],
        fixed.loc[3, "labour_status"],
    )
    assert (change["user"], change["source"], change["row"]) == ("ion", "m2.csv", 3)
    log = register.imports()
    assert len(change["sha256"]) == 64
    assert change["sha256"] == log.loc[1, "sha256"]
    stored = register.participations()
    assert stored.loc[stored["participant_id"] == person, "labour_status"].tolist() == [
        fixed.loc[3, "labour_status"]
    ]


def test_full_mode_withdraws_missing_rows_and_keeps_them(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """--mode full marks the partner's rows missing from the file withdrawn (listed, kept, not
    counted); an update leaves them alone; a later file listing one again restores it."""
    rows = partner_rows(seed, "cpe")
    register.import_table(_write(rows, tmp_path / "all.csv"), partner="cpe")
    shorter = _write(rows.iloc[:-2], tmp_path / "short.csv")
    assert register.import_table(shorter, partner="cpe").withdrawn == 0
    result = register.import_table(shorter, partner="cpe", mode="full")
    assert result.withdrawn == 2
    assert sorted(result.withdrawn_rows["participant_id"]) == sorted(rows["participant_id"][-2:])
    assert len(register.participations()) == len(rows) - 2
    everything = register.participations(include_withdrawn=True)
    assert len(everything) == len(rows)
    assert int(everything["withdrawn"].sum()) == 2
    again = register.import_table(_write(rows, tmp_path / "all2.csv"), partner="cpe")
    assert (again.updated, again.added) == (2, 0)
    assert set(register.history()["change"]) == {"added", "withdrawn", "restored"}
    assert len(register.participations()) == len(rows)


def test_other_partners_rows_are_never_touched(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A full import of one partner withdraws none of another partner's rows."""
    register.import_table(_write(partner_rows(seed, "cpe"), tmp_path / "a.csv"), partner="cpe")
    agentia = partner_rows(seed, "agentia")
    first = register.import_table(_write(agentia, tmp_path / "b.csv"), partner="agentia")
    stored = first.added + first.incomplete  # the incomplete rows are kept (and withdrawn) too
    short = _write(agentia.iloc[:5], tmp_path / "c.csv")
    result = register.import_table(short, partner="agentia", mode="full")
    assert result.unchanged == 5
    assert result.withdrawn == stored - 5
    cpe = (register.participations()["partner"] == "cpe").sum()
    assert cpe == (seed["partner"] == "cpe").sum()


def test_rejected_rows_are_those_of_validate_rejected(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Rows the pipeline rejects are reported as `validate --rejected` does, are not stored,
    and accepted plus rejected are the rows of the file."""
    rows = partner_rows(seed, "cpe").astype({"birth_date": "string", "isced": "string"})
    rows.loc[2, "birth_date"] = "1990-02-31"
    rows.loc[5, "isced"] = "2,0"
    source = tmp_path / "bad.csv"
    rows.to_csv(source, index=False)
    result = register.import_table(source, partner="cpe")
    expected = read_with_rejections(source)
    pd.testing.assert_frame_equal(result.rejected_rows, expected.rejected)
    assert result.problems == expected.problems
    assert result.rejected == 2
    assert result.accepted + result.rejected == result.rows == len(rows)
    assert result.added == len(rows) - 2
    assert len(register.participations()) == len(rows) - 2
    assert register.imports().loc[0, "rejected"] == 2


def test_identifiers_are_not_stored_unless_asked(
    register_url: str, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Extra columns (a name, a phone number) stay out of the register unless asked for."""
    rows = partner_rows(seed, "cpe").head(20)
    rows["nume"] = "Popescu Maria"
    rows["telefon"] = "0722123456"
    source = tmp_path / "with-names.csv"
    rows.to_csv(source, index=False)
    with inclusionkit.init_register(register_url) as register:
        register.import_table(source, partner="cpe")
        stored = register.query("SELECT identifiers FROM participations")["identifiers"]
        assert stored.isna().all()
        read = inclusionkit.read(register_url, kind="participations", keep_extra=True)
        assert "telefon" not in read
        register.import_table(source, partner="cpe", keep_identifiers=True)
        kept = register.participations(keep_identifiers=True)
    assert set(kept["telefon"]) == {"0722123456"}
    # The one mapping reads the Romanian header "nume" as the identifier last_name.
    assert set(kept["last_name"]) == {"Popescu Maria"}
    if not register_url.startswith("postgresql"):
        assert b"0722123456" in Path(register_url).read_bytes()


def test_a_row_naming_another_partner_is_refused(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """A file whose partner column names another partner is refused whole, nothing stored."""
    source = _write(partner_rows(seed, "cpe"), tmp_path / "cpe.csv")
    with pytest.raises(inclusionkit.InclusionKitError, match="another partner"):
        register.import_table(source, partner="agentia")
    assert register.imports().empty
    assert register.participations().empty


def test_a_crash_midway_leaves_the_register_as_before(
    register: inclusionkit.Register,
    seed: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import failing after its rows were written rolls back: rows, history, log as before."""
    rows = partner_rows(seed, "cpe")
    register.import_table(_write(rows.iloc[:50], tmp_path / "m1.csv"), partner="cpe")
    before = (register.participations(), register.history(), register.imports())
    real = _store._ingest

    def failing(cursor: object, table: str, data: object, **options: bool) -> None:
        if table == "changes":
            raise RuntimeError("killed")
        real(cursor, table, data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_store, "_ingest", failing)
    changed = rows.copy()
    changed.loc[0, "region"] = "RO11"
    with pytest.raises(RuntimeError, match="killed"):
        register.import_table(_write(changed, tmp_path / "m2.csv"), partner="cpe", mode="full")
    monkeypatch.undo()
    after = (register.participations(), register.history(), register.imports())
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    assert register.query("SELECT COUNT(*) AS n FROM import_stage")["n"][0] == 0


def _schema_differences(register: inclusionkit.Register) -> list[object]:
    """What differs between the register's tables and indexes and those of _schema.py."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from inclusionkit._register._schema import METADATA

    with register._sqlalchemy().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), METADATA)
    return [d for d in differences if d[0] != "modify_type"]


def test_a_bulk_import_rebuilds_the_indexes_and_a_crash_keeps_them(
    register: inclusionkit.Register,
    seed: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first import (on SQLite, a bulk insert without the secondary indexes) leaves every
    index of the schema in place, the unique key still refusing a second row of a key; one
    failing after the indexes were dropped rolls back to the register as before, indexes too."""
    rows = partner_rows(seed, "cpe")
    register.import_table(_write(rows, tmp_path / "cpe.csv"), partner="cpe")
    assert _schema_differences(register) == []
    before = (register.participations(), register.history(), register.imports())
    real = _store._ingest

    def failing(cursor: object, table: str, data: object, **options: bool) -> None:
        real(cursor, table, data, **options)  # type: ignore[arg-type]
        if table == "participations":
            raise RuntimeError("killed")

    bulks: list[tuple[str, bool]] = []
    rebuilt = _store._indexes_rebuilt

    def recorded(cursor: object, table: str, bulk: bool) -> object:
        bulks.append((table, bulk))
        return rebuilt(cursor, table, bulk)

    monkeypatch.setattr(_store, "_ingest", failing)
    monkeypatch.setattr(_store, "_indexes_rebuilt", recorded)
    others = partner_rows(seed, "agentia")  # more rows than the register holds: a bulk insert
    with pytest.raises(RuntimeError, match="killed"):
        register.import_table(_write(others, tmp_path / "agentia.csv"), partner="agentia")
    monkeypatch.undo()
    assert bulks == [("participations", register.dialect == "sqlite")]
    assert _schema_differences(register) == []
    after = (register.participations(), register.history(), register.imports())
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)
    from inclusionkit._register._schema import participations

    names = [c.name for c in participations.columns if c.name != "row_id"]
    copy = (
        f"INSERT INTO participations (row_id, {', '.join(names)}) "
        f"SELECT row_id + 1000000, {', '.join(names)} FROM participations LIMIT 1"
    )
    with (
        register._transaction() as cursor,
        pytest.raises(Exception, match=r"participations_key|participant_id"),
    ):
        cursor.execute(copy)


def test_the_added_entries_are_kept_on_the_rows(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """An added row's history entry (import, file row, key) is kept on the row itself, not
    copied into ``changes``; the history shows it for every stored row, with its file row."""
    rows = partner_rows(seed, "cpe")
    result = register.import_table(_write(rows, tmp_path / "cpe.csv"), partner="cpe")
    history = register.history()
    added = history[history["change"] == "added"]
    assert len(added) == result.added + result.incomplete == len(register.participations())
    assert added[["field", "old", "new"]].isna().all().all()
    assert (added["import_id"] == result.import_id).all()
    assert (added["source"] == "cpe.csv").all()
    first = added[added["participant_id"] == str(rows.loc[0, "participant_id"])]
    assert first["row"].tolist() == [0]
    assert register.query("SELECT COUNT(*) AS n FROM changes")["n"][0] == 0


def test_concurrent_imports_are_serialised(
    register: inclusionkit.Register, register_url: str, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Imports running at once (each on its own connection) all land, one after the other."""
    sources = {
        partner: _write(partner_rows(seed, partner), tmp_path / f"{partner}.csv")
        for partner in ("cpe", "agentia", "eduteco", "forum-group")
    }
    errors: list[BaseException] = []

    def run(partner: str) -> None:
        try:
            with inclusionkit.open_register(register_url) as mine:
                mine.import_table(sources[partner], partner=partner)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = register.imports()
    accepted = len(seed) - log["rejected"].sum()
    assert sorted(log["id"]) == [1, 2, 3, 4]
    assert log["added"].sum() == accepted
    assert len(register.participations(include_incomplete=False)) == accepted
    # The incomplete rows are kept too (counted in GRAND_TOTAL), each added once.
    stored = accepted + log["incomplete"].sum()
    assert len(register.participations()) == stored
    assert register.history()["change"].eq("added").sum() == stored


def test_the_sqlite_file_is_owner_only(tmp_path: Path) -> None:
    """init creates the SQLite file readable and writable by its owner only, and never
    overwrites an existing file."""
    path = tmp_path / "registru.db"
    inclusionkit.init_register(path).close()
    assert os.stat(path).st_mode & 0o777 == 0o600
    with pytest.raises(inclusionkit.InclusionKitError, match="exists there already"):
        inclusionkit.init_register(path)


def test_opening_what_is_not_a_register_says_so(tmp_path: Path) -> None:
    """A missing file, or an SQLite database inclusionkit did not make, is a clear error."""
    with pytest.raises(inclusionkit.InclusionKitError, match="no such register"):
        inclusionkit.open_register(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    import sqlite3

    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(inclusionkit.InclusionKitError, match="not an inclusionkit register"):
        inclusionkit.open_register(other)
    text = tmp_path / "text.db"
    text.write_text("hello, not a database\n" * 100)
    with pytest.raises(inclusionkit.InclusionKitError, match="not a database"):
        inclusionkit.open_register(text)


def test_the_project_is_stored(register: inclusionkit.Register) -> None:
    """init stores the project; the register gives it back equal."""
    from inclusionkit import examples

    assert register.project() == examples.load("dreptul-la-munca").project


def test_an_empty_file_imports(register: inclusionkit.Register, tmp_path: Path) -> None:
    """A file with no rows imports: no row read, nothing stored, no error."""
    empty = _write(inclusionkit.empty_table(), tmp_path / "empty.csv")
    assert register.import_table(empty, partner="cpe", mode="full").rows == 0
    assert register.participations().empty


def test_retention_deletes_expired_rows_and_their_history(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Retention deletes the rows and history of a project past its retention period, logs it,
    and returns them anonymised; before that day nothing is touched."""
    import datetime as dt

    register.import_table(_write(partner_rows(seed, "cpe"), tmp_path / "cpe.csv"), partner="cpe")
    stored = len(register.participations())
    early = register.retention(until=dt.date(2020, 1, 1))
    assert early.expired.empty
    assert len(register.participations()) == stored
    result = register.retention(until=dt.date(2030, 1, 1), years=10, user="dpo")
    assert int(result.expired["rows"].sum()) == stored
    assert len(result.anonymised) == stored
    assert register.participations(include_withdrawn=True).empty
    assert register.participations().empty  # the import's snapshot no longer holds
    assert register.history().empty
    log = register.imports()
    assert log["mode"].tolist() == ["update", "retention"]
    assert log.loc[1, "user"] == "dpo"


def test_the_key_join_is_the_outer_merge_on_the_key_in_the_files_order(
    seed: pd.DataFrame,
) -> None:
    """The hashed key join gives the rows ``DataFrame.merge(on=KEY, how="outer")`` gives, the
    file's rows first in the file's order, then the old rows the file does not have."""
    from inclusionkit._register._schema import KEY

    rows = partner_rows(seed, "cpe")
    new = rows.iloc[::-1].iloc[: len(rows) // 2 + 20].reset_index(drop=True)
    new["row"] = range(len(new))
    old = rows.iloc[len(rows) // 2 :].reset_index(drop=True)
    old["row_id"] = range(100, 100 + len(old))
    old["withdrawn"] = False
    merged = _store._merge_by_key(new, old)
    expected = new.merge(old, on=list(KEY), how="outer", suffixes=("", "_old"), indicator=True)
    assert merged["_merge"].value_counts().to_dict() == expected["_merge"].value_counts().to_dict()
    in_file = merged[merged["_merge"] != "right_only"]
    assert in_file["row"].tolist() == list(range(len(new)))
    assert merged.loc[merged["_merge"] == "right_only", "row_id"].is_monotonic_increasing

    def by_key(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[list(expected.columns)].astype(str)
        return frame.sort_values(list(KEY)).reset_index(drop=True)

    pd.testing.assert_frame_equal(by_key(merged), by_key(expected))


def test_the_key_join_falls_back_to_the_key_columns_when_hashes_mislead(
    seed: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the key hashes pair rows whose keys differ (a collision), the join is made on
    the key columns: the same rows as the outer merge."""
    import numpy as np

    from inclusionkit._register._schema import KEY

    rows = partner_rows(seed, "cpe")
    new = rows.iloc[:120].reset_index(drop=True)
    old = rows.iloc[60:].reset_index(drop=True)
    old["row_id"] = range(len(old))
    monkeypatch.setattr(  # every frame's n-th key hashes to n: distinct, but pairs mislead
        pd.util,
        "hash_pandas_object",
        lambda frame, index: pd.Series(np.arange(len(frame), dtype=np.uint64)),
    )
    merged = _store._merge_by_key(new, old)
    monkeypatch.undo()
    expected = new.merge(old, on=list(KEY), how="outer", suffixes=("", "_old"), indicator=True)
    assert merged["_merge"].value_counts().to_dict() == expected["_merge"].value_counts().to_dict()
    assert (merged["_merge"] == "both").sum() == 60


def test_counted_arrow_reads_only_the_columns_asked_for(
    register: inclusionkit.Register,
    seed: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """counted_arrow(columns=) gives row_id and those columns, as a whole read has them, from
    the snapshot and from a query that selects those columns alone."""
    for partner in ("cpe", "agentia"):
        source = _write(partner_rows(seed, partner), tmp_path / f"{partner}.csv")
        register.import_table(source, partner=partner)
    queries: list[str] = []
    fetch = _store.Register._fetch

    def spy(self: _store.Register, cursor: object, sql: str, *params: object) -> object:
        queries.append(sql)
        return fetch(self, cursor, sql, *params)

    monkeypatch.setattr(_store.Register, "_fetch", spy)
    columns = ["partner", "entry_date", "gender"]  # given in any order: read in the contract's
    for snapshot in (True, False):
        whole = register.counted_arrow(snapshot=snapshot)
        projected = register.counted_arrow(snapshot=snapshot, columns=columns)
        assert projected.column_names == ["row_id", "gender", "entry_date", "partner"]
        assert projected.equals(whole.select(projected.column_names))
    selects = [sql for sql in queries if "FROM participations" in sql]
    assert any(sql.startswith("SELECT row_id, gender, entry_date, partner ") for sql in selects)
