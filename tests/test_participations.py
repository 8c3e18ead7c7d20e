"""Tests for the participation table: reading CSV and Parquet, dtypes, errors, object conversion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given

from inclusionkit import (
    COLUMN_NAMES,
    DTYPES,
    InclusionKitError,
    ValidationError,
    empty_table,
    participations_from_table,
    participations_to_table,
    read_participations,
    write_participations,
)
from inclusionkit.testing import participation_tables

HEADER = ",".join(COLUMN_NAMES)


def _row(**values: str) -> str:
    defaults = {
        "participant_id": "P1",
        "project_code": "POSDRU/165/6.2/S/143094",
        "gender": "female",
        "birth_date": "1990-05-17",
        "entry_date": "2014-09-01",
        "labour_status": "unemployed",
        "isced": "2",
        "minority": "true",
    }
    defaults.update(values)
    return ",".join(defaults.get(name, "") for name in COLUMN_NAMES)


def _assert_canonical(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert frame.dtypes.to_dict() == DTYPES


def test_reads_canonical_csv(tmp_path: Path) -> None:
    """A canonical CSV reads into exactly the canonical columns and dtypes."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row(), _row(participant_id="P2", minority="")]) + "\n")
    frame = read_participations(path)
    _assert_canonical(frame)
    assert frame.loc[0, "birth_date"] == pd.Timestamp("1990-05-17")
    assert frame.loc[0, "minority"] is True or bool(frame.loc[0, "minority"]) is True
    assert pd.isna(frame.loc[1, "minority"])


def test_reads_romanian_spreadsheet_csv(tmp_path: Path) -> None:
    """A BOM, semicolons and DD.MM.YYYY dates (what Romanian spreadsheets save) are accepted."""
    path = tmp_path / "p.csv"
    lines = [HEADER, _row(birth_date="17.05.1990", entry_date="01.09.2014")]
    path.write_bytes(("\ufeff" + "\n".join(line.replace(",", ";") for line in lines)).encode())
    frame = read_participations(path)
    _assert_canonical(frame)
    assert frame.loc[0, "entry_date"] == pd.Timestamp("2014-09-01")


def test_bad_cells_are_all_named_by_line_and_column(tmp_path: Path) -> None:
    """Every unparseable cell is reported with file, line and column."""
    path = tmp_path / "p.csv"
    rows = [HEADER, _row(), _row(entry_date="2014-13-01"), _row(isced="two", minority="maybe")]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValidationError) as info:
        read_participations(path)
    found = {(p.location, p.column) for p in info.value.problems}
    assert found == {("line 3", "entry_date"), ("line 4", "isced"), ("line 4", "minority")}
    assert all(p.source == str(path) for p in info.value.problems)


def test_coerce_turns_bad_cells_into_unknowns(tmp_path: Path) -> None:
    """With on_error='coerce' a bad cell becomes missing and no row is lost."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row(), _row(isced="two")]) + "\n")
    frame = read_participations(path, on_error="coerce")
    assert len(frame) == 2
    assert pd.isna(frame.loc[1, "isced"])


def test_missing_columns_and_extra_columns(tmp_path: Path) -> None:
    """A missing canonical column is an error; extra columns are dropped unless asked for."""
    path = tmp_path / "p.csv"
    path.write_text("participant_id,gender\nP1,female\n")
    with pytest.raises(ValidationError, match="'project_code' is missing"):
        read_participations(path)
    path.write_text(HEADER + ",cnp\n" + _row() + ",2900517350011\n")
    assert "cnp" not in read_participations(path).columns
    assert read_participations(path, keep_extra=True)["cnp"].tolist() == ["2900517350011"]


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    """An unknown extension or a missing file is a clear InclusionKitError."""
    with pytest.raises(InclusionKitError, match="no such file"):
        read_participations(tmp_path / "nope.csv")
    odd = tmp_path / "p.xls"
    odd.write_text("x")
    with pytest.raises(InclusionKitError, match=r"use \.csv or \.parquet"):
        read_participations(odd)


@given(participation_tables())
def test_csv_and_parquet_round_trip(frame: pd.DataFrame) -> None:
    """Any canonical table written to CSV or Parquet reads back equal."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".parquet"):
            path = Path(folder) / f"p{suffix}"
            write_participations(frame, path)
            pd.testing.assert_frame_equal(read_participations(path), frame)


@given(participation_tables())
def test_table_to_objects_and_back(frame: pd.DataFrame) -> None:
    """Converting a table to Participation objects and back gives the same table."""
    valid = frame[frame["exit_date"].isna() | (frame["exit_date"] >= frame["entry_date"])]
    valid = valid.reset_index(drop=True)
    objects = participations_from_table(valid)
    pd.testing.assert_frame_equal(participations_to_table(objects), valid)


def test_objects_reject_exit_before_entry() -> None:
    """A row whose exit precedes its entry cannot become a Participation; the row is named."""
    frame = empty_table()
    frame.loc[0, ["participant_id", "project_code"]] = ["P1", "X"]
    frame.loc[0, "entry_date"] = pd.Timestamp(dt.date(2015, 1, 2))
    frame.loc[0, "exit_date"] = pd.Timestamp(dt.date(2015, 1, 1))
    frame = frame.astype(DTYPES)
    with pytest.raises(ValidationError, match=r"row 0.*before entry_date"):
        participations_from_table(frame)


@pytest.mark.parametrize("text", ["2014-02-30", "30.02.1990", "31.04.2015", "2015-02-29"])
def test_impossible_dates_are_rejected_not_rolled_over(tmp_path: Path, text: str) -> None:
    """A date that does not exist is an error, never silently moved into the next month."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row(entry_date=text)]) + "\n")
    with pytest.raises(ValidationError) as info:
        read_participations(path)
    [problem] = info.value.problems
    assert (problem.location, problem.column) == ("line 2", "entry_date")
    assert text in problem.message


def test_unpadded_romanian_dates_and_leap_days_are_accepted(tmp_path: Path) -> None:
    """1.9.2014 and 29.02.2016 are real dates and read as such."""
    path = tmp_path / "p.csv"
    rows = [HEADER, _row(entry_date="1.9.2014"), _row(entry_date="29.02.2016")]
    path.write_text("\n".join(rows) + "\n")
    frame = read_participations(path)
    assert frame["entry_date"].tolist() == [pd.Timestamp("2014-09-01"), pd.Timestamp("2016-02-29")]


def test_a_day_that_is_not_a_number_is_a_cell_problem(tmp_path: Path) -> None:
    """'2015-01- 3' is reported as a bad date cell, not a crash of the whole file."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row(), _row(entry_date="2015-01- 3")]) + "\n")
    with pytest.raises(ValidationError) as info:
        read_participations(path)
    assert [(p.location, p.column) for p in info.value.problems] == [("line 3", "entry_date")]


def test_a_carriage_return_in_a_cell_does_not_split_its_row(tmp_path: Path) -> None:
    """A cell holding a lone carriage return is quoted on write and reads back whole."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row()]) + "\n")
    frame = read_participations(path)
    frame.loc[0, "partner"] = "CPE\rBucurești"
    write_participations(frame, path)
    again = read_participations(path)
    assert len(again) == 1
    assert again.loc[0, "partner"] == "CPE\rBucurești"
