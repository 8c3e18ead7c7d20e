"""Check that DuckDB, polars and inclusionkit compute exactly the same esf-2014 table.

Usage::

    .venv/bin/python benchmarks/check.py [--rows 20000] [--without-inclusionkit]

First on a hand-checkable table (each participation lists the indicators it must count, derived by
hand from the contract: age and 29 February boundaries, the six-month clamp at a month end,
re-entries, as-of cut-offs, incomplete rows, refused data, unknown results), then on a generated
table of ``--rows`` rows. Every engine and load path must give the same tidy table; the exit status
is 1 on any difference, 2 if inclusionkit's engine cannot be imported (unless told to skip it).
"""

# The hand-checked rows are written dict(name=value, ...) so they read like table rows.
# ruff: noqa: C408

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import queries

HAND_AS_OF = dt.date(2024, 2, 29)
D = dt.date

# (row, indicators the merged participation counts; None on the later rows of a participation
# and on rows that are not counted at all). Flags not given are false; results not given are
# false for a leaver row and empty otherwise.
HAND_ROWS: list[tuple[dict[str, Any], tuple[str, ...] | None]] = [
    # age 24 the day before the 25th birthday; ISCED 0 is in none of CO09-CO11
    (
        dict(project_code="A", participant_id="P1", gender="female", birth_date=D(1999, 3, 1),
             entry_date=D(2024, 2, 28), labour_status="unemployed", isced=0,
             jobless_household=True, dependent_children=True),
        ("TOTAL", "CO01", "CO06", "CO12", "CO13"),
    ),
    # exactly 25; minority refused (empty) so CO15 unknown; exit 31 Aug + 6 months = 29 Feb
    # (clamped), which is the as-of date, so the six-month results are observed
    (
        dict(project_code="A", participant_id="P2", gender="female", birth_date=D(1998, 2, 28),
             entry_date=D(2023, 2, 28), exit_date=D(2023, 8, 31),
             labour_status="long_term_unemployed", isced=2, minority=None, disability=True,
             employed_at_exit=True, employed_6m=True),
        ("TOTAL", "CO01", "CO02", "CO09", "CO16", "CR04", "CR05", "CR06", "CR09"),
    ),
    # born 29 Feb: still 54 on 28 Feb; exit 1 Sep + 6 months = 1 Mar, after the as-of date
    (
        dict(project_code="A", participant_id="P3", gender="male", birth_date=D(1968, 2, 29),
             entry_date=D(2023, 2, 28), exit_date=D(2023, 9, 1), labour_status="inactive",
             isced=8, job_searching_at_exit=True, employed_6m=True),
        ("TOTAL", "CO03", "CO04", "CO11", "CR01"),
    ),
    # 55 on 1 Mar; inactive in education is not in CO08; employed at exit, so no CR01
    (
        dict(project_code="A", participant_id="P4", gender="male", birth_date=D(1968, 2, 29),
             entry_date=D(2023, 3, 1), exit_date=D(2023, 6, 30),
             labour_status="inactive_in_education", isced=5, job_searching_at_exit=None,
             employed_at_exit=True, employed_6m=True),
        ("TOTAL", "CO03", "CO07", "CO11", "CR04", "CR06", "CR08"),
    ),
    (
        dict(project_code="A", participant_id="P5", gender="male", birth_date=D(1960, 1, 1),
             entry_date=D(2020, 1, 1), labour_status="inactive", isced=3),
        ("TOTAL", "CO03", "CO04", "CO07", "CO08", "CO10"),
    ),
    # employed at entry: CR07 only; employment at exit / at six months is no change of status
    (
        dict(project_code="A", participant_id="P6", gender="female", birth_date=D(1980, 5, 5),
             entry_date=D(2022, 1, 10), exit_date=D(2022, 12, 31), labour_status="employed",
             isced=4, rural=True, single_adult_household=True, dependent_children=True,
             employed_at_exit=True, employed_6m=True, improved_situation_6m=True),
        ("TOTAL", "CO05", "CO10", "CO14", "CO19", "CR07"),
    ),
    # re-entry: characteristics of the first row, results of the second (latest exit)
    (
        dict(project_code="B", participant_id="P7", gender="female", birth_date=D(1990, 6, 15),
             entry_date=D(2021, 1, 1), exit_date=D(2021, 6, 30), labour_status="unemployed",
             isced=3, homeless=True, qualification_at_exit=True),
        ("TOTAL", "CO01", "CO10", "CO18", "CR04", "CR05", "CR06", "CR09"),
    ),
    (
        dict(project_code="B", participant_id="P7", gender="female", birth_date=D(1990, 6, 15),
             entry_date=D(2022, 1, 1), exit_date=D(2022, 6, 30), labour_status="employed",
             isced=None, employed_at_exit=True, employed_6m=True),
        None,
    ),
    # re-entry still open: not a leaver, the first row's results do not count
    (
        dict(project_code="C", participant_id="P8", gender="male", birth_date=D(1985, 1, 1),
             entry_date=D(2021, 1, 1), exit_date=D(2021, 3, 1), labour_status="self_employed",
             isced=6, education_at_exit=True),
        ("TOTAL", "CO05", "CO11"),
    ),
    (
        dict(project_code="C", participant_id="P8", gender="male", birth_date=D(1985, 1, 1),
             entry_date=D(2023, 1, 1), labour_status="self_employed", isced=6),
        None,
    ),
    # re-entry after the as-of date: only the first row exists then
    (
        dict(project_code="D", participant_id="P9", gender="male", birth_date=D(2000, 6, 1),
             entry_date=D(2022, 1, 1), exit_date=D(2022, 2, 1), labour_status="unemployed",
             isced=2, education_at_exit=True),
        ("TOTAL", "CO01", "CO06", "CO09", "CR02"),
    ),
    (
        dict(project_code="D", participant_id="P9", gender="male", birth_date=D(2000, 6, 1),
             entry_date=D(2024, 3, 15), labour_status="employed", isced=2),
        None,
    ),
    # exit after the as-of date: not yet left
    (
        dict(project_code="E", participant_id="P10", gender="female", birth_date=D(1970, 1, 1),
             entry_date=D(2023, 5, 1), exit_date=D(2024, 3, 10), labour_status="unemployed",
             isced=1, employed_at_exit=True),
        ("TOTAL", "CO01", "CO09"),
    ),
    # entry after the as-of date; incomplete: no ISCED, an invalid status, no gender
    (
        dict(project_code="E", participant_id="P11", gender="female", birth_date=D(1970, 1, 1),
             entry_date=D(2024, 3, 1), labour_status="unemployed", isced=1),
        None,
    ),
    (
        dict(project_code="E", participant_id="P12", gender="female", birth_date=D(1970, 1, 1),
             entry_date=D(2023, 3, 1), labour_status="unemployed", isced=None),
        None,
    ),
    (
        dict(project_code="E", participant_id="P13", gender="male", birth_date=D(1970, 1, 1),
             entry_date=D(2023, 3, 1), labour_status="pensioner", isced=2),
        None,
    ),
    (
        dict(project_code="E", participant_id="P14", gender=None, birth_date=D(1970, 1, 1),
             entry_date=D(2023, 3, 1), labour_status="unemployed", isced=2),
        None,
    ),
    # the same person in a second project is a second participation
    (
        dict(project_code="B", participant_id="P1", gender="female", birth_date=D(1999, 3, 1),
             entry_date=D(2023, 6, 1), labour_status="employed", isced=3),
        ("TOTAL", "CO05", "CO06", "CO10"),
    ),
    # unknown is false, in every position: employed_at_exit empty, so "not employed at exit"
    # holds (CR01); minority refused and no other disadvantage, so not disadvantaged (no CR05)
    (
        dict(project_code="E", participant_id="P16", gender="male", birth_date=D(1975, 1, 1),
             entry_date=D(2022, 1, 1), exit_date=D(2022, 5, 1), labour_status="inactive",
             isced=2, minority=None, job_searching_at_exit=True, employed_at_exit=None,
             qualification_at_exit=True),
        ("TOTAL", "CO03", "CO04", "CO09", "CR01", "CR03"),
    ),
    # re-entry: an empty cell in the first row stays empty (not filled from the later row)
    (
        dict(project_code="G", participant_id="P17", gender="female", birth_date=D(1990, 1, 1),
             entry_date=D(2020, 1, 1), exit_date=D(2020, 2, 1), labour_status="employed",
             isced=7, minority=None),
        ("TOTAL", "CO05", "CO11", "CR03"),
    ),
    (
        dict(project_code="G", participant_id="P17", gender="female", birth_date=D(1990, 1, 1),
             entry_date=D(2020, 5, 1), exit_date=D(2020, 6, 1), labour_status="employed",
             isced=7, minority=True, qualification_at_exit=True),
        None,
    ),
]  # fmt: skip


def hand_table() -> pa.Table:
    rows = []
    for given, _ in HAND_ROWS:
        row: dict[str, Any] = dict.fromkeys(generate.SCHEMA.names)
        leaver = given.get("exit_date") is not None
        for field in generate.SCHEMA:
            if pa.types.is_boolean(field.type):
                # a result of someone who has not left is empty, not false
                unknown = field.name in queries.RESULTS and not leaver
                row[field.name] = None if unknown else False
        row.update(region="RO11", partner="ORG0001")
        row.update(given)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=generate.SCHEMA)


def hand_expected() -> pd.DataFrame:
    records = [
        (indicator, "RO11", given["gender"], 1)
        for given, counted in HAND_ROWS
        if counted
        for indicator in counted
    ]
    frame = pd.DataFrame(records, columns=["indicator", "region", "gender", "value"])
    frame = frame.groupby(["indicator", "region", "gender"], as_index=False)["value"].sum()
    return queries.normalise(frame)


Engine = Callable[[Path, dt.date], pd.DataFrame]


def _duckdb_table(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    con = queries.duckdb_connect()
    queries.duckdb_load(con, parquet)
    return queries.duckdb_table(con, "p", as_of)


def _duckdb_direct(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    return queries.duckdb_table(queries.duckdb_connect(), f"read_parquet('{parquet}')", as_of)


def _polars_frame(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    import polars as pl

    return queries.polars_table(pl.read_parquet(parquet), as_of)


def _polars_scan(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    return queries.polars_table(queries.polars_scan(parquet), as_of)


def _inclusionkit(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    import inclusionkit

    return queries.inclusionkit_table(inclusionkit.read_participations(parquet), as_of)


def _inclusionkit_csv(parquet: Path, as_of: dt.date) -> pd.DataFrame:
    import inclusionkit

    csv = parquet.with_suffix(".csv")
    return queries.inclusionkit_table(inclusionkit.read_participations(csv), as_of)


ENGINES: dict[str, Engine] = {
    "duckdb-table": _duckdb_table,
    "duckdb-direct": _duckdb_direct,
    "polars-frame": _polars_frame,
    "polars-scan": _polars_scan,
    "inclusionkit": _inclusionkit,
    "inclusionkit-csv": _inclusionkit_csv,
}


def _compare(
    label: str, expected: pd.DataFrame, parquet: Path, as_of: dt.date, engines: list[str]
) -> bool:
    ok = True
    for name in engines:
        got = ENGINES[name](parquet, as_of)
        diff = queries.differences(expected, got)
        status = "ok" if diff.empty else f"{len(diff)} cells differ"
        print(f"  {label:<10} {name:<17} {len(got):>5} cells  {status}")
        if not diff.empty:
            ok = False
            print(diff.rename(columns={"value_left": "expected", "value_right": name}).head(30))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--without-inclusionkit",
        action="store_true",
        help="compare DuckDB and polars only (inclusionkit's engine is not there yet)",
    )
    args = parser.parse_args(argv)
    engines = list(ENGINES)
    try:
        from inclusionkit._rules import compute  # noqa: F401
    except ImportError as exc:
        if not args.without_inclusionkit:
            print(f"inclusionkit's engine cannot be imported: {exc}", file=sys.stderr)
            return 2
        engines = [e for e in engines if not e.startswith("inclusionkit")]

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        hand = Path(tmp) / "hand.parquet"
        table = hand_table()
        pq.write_table(table, hand)
        _write_csv(table, hand.with_suffix(".csv"))
        print(f"hand-checked table: {table.num_rows} rows, as of {HAND_AS_OF}")
        ok &= _compare("hand", hand_expected(), hand, HAND_AS_OF, engines)

        paths = generate.generate(args.rows, Path(tmp))
        print(f"generated table: {args.rows:,} rows, as of {generate.AS_OF}")
        reference = _duckdb_direct(paths.parquet, generate.AS_OF)
        ok &= _compare("generated", reference, paths.parquet, generate.AS_OF, engines)
    print("all engines agree" if ok else "MISMATCH")
    return 0 if ok else 1


def _write_csv(table: pa.Table, path: Path) -> None:
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))


if __name__ == "__main__":
    sys.exit(main())
