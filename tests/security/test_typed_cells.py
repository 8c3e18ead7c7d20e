"""A typed cell (Parquet, JSON) gets the answer its text gets in a CSV: a number in a date or
boolean column, a two-digit year, a timestamp in a timezone are never silently converted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inclusionkit
from inclusionkit._problems import ProblemCode
from tests.security._samples import example

ROWS = 6


def _table() -> pa.Table:
    """Six valid participations as Arrow, in the canonical types."""
    _, table = example()
    return pa.Table.from_pandas(table.head(ROWS), preserve_index=False)


def _parquet(tmp_path: Path, column: str, values: pa.Array) -> Path:
    """The six participations as Parquet, ``column`` replaced by ``values``."""
    table = _table()
    table = table.set_column(table.schema.get_field_index(column), column, values)
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    return path


def _read(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    frame = inclusionkit.read(path, on_error="coerce")
    problems = [(row, p.code) for row, p in frame.attrs.get("inclusionkit.row_problems", [])]
    return frame, problems


@pytest.mark.parametrize(
    "values",
    [
        pa.array([32000, 33000, None, 34000, 35000, 36000], pa.int64()),
        pa.array([32000.0, 33000.5, None, 34000, 35000, 36000], pa.float64()),
    ],
    ids=["int", "float"],
)
def test_a_number_in_a_date_column_is_a_problem(tmp_path: Path, values: pa.Array) -> None:
    """Excel serial numbers in a Parquet date column are `cell.date` problems, not 1970 dates."""
    frame, problems = _read(_parquet(tmp_path, "birth_date", values))
    assert frame["birth_date"].isna().all()
    assert sorted(row for row, code in problems if code == "cell.date") == [0, 1, 3, 4, 5]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pa.array([9, -1, 0, 1, None, 2], pa.int64()), [None, None, False, True, None, None]),
        (
            pa.array([0.5, 1.0, 0.0, None, -1.0, 1], pa.float64()),
            [None, True, False, None, None, True],
        ),
    ],
    ids=["int", "float"],
)  # fmt: skip
def test_a_number_other_than_0_or_1_in_a_boolean_column_is_a_problem(
    tmp_path: Path, values: pa.Array, expected: list[bool | None]
) -> None:
    """9, −1, 2 and 0.5 in a Parquet boolean column are `cell.bool` problems, never true."""
    frame, problems = _read(_parquet(tmp_path, "minority", values))
    got = [None if pd.isna(v) else bool(v) for v in frame["minority"]]
    assert got == expected
    bad = [i for i, (v, e) in enumerate(zip(values.to_pylist(), expected, strict=True))
           if v is not None and e is None]  # fmt: skip
    assert sorted(row for row, code in problems if code == "cell.bool") == bad


def test_a_csv_gets_the_same_answer_for_minus_one(tmp_path: Path) -> None:
    """The text -1 in a CSV boolean column is a `cell.bool` problem, as in Parquet."""
    _, table = example()
    table = table.head(ROWS).astype({"minority": "string"})
    table.loc[0, "minority"] = "-1"
    table.loc[1, "minority"] = "9"
    path = tmp_path / "typed.csv"
    table.to_csv(path, index=False)
    frame, problems = _read(path)
    assert frame["minority"].iloc[:2].isna().all()
    assert sorted(row for row, code in problems if code == "cell.bool") == [0, 1]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_a_two_digit_year_is_a_problem_with_a_hint(tmp_path: Path, fmt: str) -> None:
    """`31.01.90` is a `cell.two_digit_year` problem saying to write the year in full, not 0090."""
    _, table = example()
    table = table.head(ROWS).astype({"birth_date": "string"})
    table["birth_date"] = "31.01.90"
    path = tmp_path / f"typed.{fmt}"
    if fmt == "csv":
        table.to_csv(path, index=False)
    elif fmt == "json":
        inclusionkit.write(example()[1].head(ROWS), path, kind="participations")
        records = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            record["birth_date"] = "31.01.90"
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        table.astype(dict.fromkeys(table.columns, "string")).to_parquet(path)
    frame = inclusionkit.read(path, on_error="coerce")
    assert frame["birth_date"].isna().all()
    found = [p for _, p in frame.attrs["inclusionkit.row_problems"] if p.column == "birth_date"]
    assert {p.code for p in found} == {"cell.two_digit_year"}
    assert "31.01.1990" in found[0].message
    assert "31.01.90" not in found[0].message  # a birth date is personal: never quoted
    assert ProblemCode.lookup("cell.two_digit_year").is_error


def test_a_timezone_aware_timestamp_is_the_date_in_its_own_zone(tmp_path: Path) -> None:
    """Midnight in Bucharest is that day, not the previous day in UTC."""
    zone = ZoneInfo("Europe/Bucharest")
    days = [dt.datetime(2021, 1, 1 + i, tzinfo=zone) for i in range(ROWS)]
    values = pa.array(days, pa.timestamp("us", tz="Europe/Bucharest"))
    frame, problems = _read(_parquet(tmp_path, "entry_date", values))
    assert not problems
    assert [d.date() for d in frame["entry_date"]] == [d.date() for d in days]


def test_a_time_of_day_is_the_date_it_names(tmp_path: Path) -> None:
    """A timestamp at 23:30 (in its zone or naive) is the date it names: the time is dropped."""
    zone = ZoneInfo("Europe/Bucharest")
    days = [dt.datetime(2021, 3, 1 + i, 23, 30, tzinfo=zone) for i in range(ROWS)]
    values = pa.array(days, pa.timestamp("s", tz="Europe/Bucharest"))
    frame, _ = _read(_parquet(tmp_path, "entry_date", values))
    assert [d.date() for d in frame["entry_date"]] == [d.date() for d in days]
