"""Row numbers the user sees: planted mistakes at known CSV lines, sheet rows and Parquet rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import inclusionkit
from inclusionkit._ingest import physical_lines
from inclusionkit._problems import describe
from inclusionkit._rejected import read_with_rejections
from inclusionkit._validate_cli import validate_path
from inclusionkit.cli import cli

TODAY = dt.date(2025, 6, 30)
HEADER = (
    "participant_id,project_code,gender,birth_date,entry_date,exit_date,labour_status,isced,partner"
)
GOOD = "{pid},POCU/1/1/1,female,1990-01-01,2020-01-01,,unemployed,3,Asociatia"

# Line numbers are the file's own (line 1 is the header). Blank lines and a cell spread over
# three lines sit between the mistakes, so row i is not line i + 2.
CSV_LINES = [
    HEADER,  # 1
    GOOD.format(pid="p1"),  # 2
    "",  # 3: blank
    "p2,POCU/1/1/1,female,1990-01-01,2027-03-01,,unemployed,3,Asociatia",  # 4: entry in future
    'p3,POCU/1/1/1,female,1990-01-01,2020-01-01,,unemployed,3,"Asociatia',  # 5: cell starts
    "de pe",  # 6
    'doua randuri"',  # 7: and ends
    "p4,POCU/1/1/1,female,31.01.90,2020-01-01,,unemployed,3,Asociatia",  # 8: two-digit year
    "",  # 9: blank
    "",  # 10: blank
    "p5,POCU/1/1/1,female,1990-01-01,2020-01-01,2019-01-01,unemployed,3,Asociatia",  # 11
    ",,,,,,,,",  # 12: an empty row
    GOOD.format(pid="p1"),  # 13: repeats line 2
    "p6,POCU/1/1/1,female,31.02.2016,2020-01-01,,unemployed,9,Asociatia",  # 14: two problems
    "p7,POCU/1/1/1,female,1800-01-01,2020-01-01,,unemployed,3,Asociatia",  # 15: aged 220
]
EXPECTED = [
    (4, "entry_date.in_future"),
    (8, "cell.two_digit_year"),
    (11, "exit_date.before_entry"),
    (12, "row.empty"),
    (13, "row.duplicate"),
    (14, "cell.date"),
    (14, "isced.out_of_range"),
    (15, "birth_date.implausible"),
]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "registru.csv"
    path.write_text("\n".join(CSV_LINES) + "\n", encoding="utf-8")
    return path


def _numbers(problems: list[inclusionkit.Problem]) -> list[tuple[int, str]]:
    out = []
    for problem in problems:
        match = re.fullmatch(r"(?:.*row|line) (\d+)", problem.location or "")
        assert match, problem
        assert problem.row == int(match.group(1)), problem  # Problem.row: the same number
        out.append((int(match.group(1)), problem.code))
    return sorted(out)


def test_csv_problems_name_the_physical_line(tmp_path: Path) -> None:
    """Every planted CSV mistake is reported, all in one pass, at its physical line."""
    problems, _ = validate_path(_csv(tmp_path), today=TODAY)
    assert _numbers(problems) == EXPECTED
    duplicate = next(p for p in problems if p.code == "row.duplicate")
    assert duplicate.message == "the row repeats line 2 exactly"
    two_digit = next(p for p in problems if p.code == "cell.two_digit_year")
    assert "1990" in two_digit.message  # the hint
    assert "31.01.90" not in str(two_digit)  # a birth date is personal: not quoted


def test_python_problems_row_is_the_line_and_index_the_position(tmp_path: Path) -> None:
    """validate_participations on a read CSV: ``row`` is the line, ``index`` the 0-based row."""
    frame = inclusionkit.read(_csv(tmp_path), kind="participations", on_error="coerce")
    report = inclusionkit.validate_participations(frame, today=TODAY)
    rows = report.problems[["row", "index", "code"]].itertuples(index=False)
    assert [(r, i, c) for r, i, c in rows if c == "exit_date.before_entry"] == [
        (11, 4, "exit_date.before_entry")
    ]
    assert report.rejected.set_index("index").loc[4, "row"] == 11


def test_rejected_file_rows_are_lines(tmp_path: Path) -> None:
    """``validate --rejected`` writes each rejected row under the line the messages name."""
    rejected = tmp_path / "respinse.csv"
    result = CliRunner().invoke(
        cli,
        ["validate", str(_csv(tmp_path)), "--rejected", str(rejected), "--as-of", "2025-06-30"],
    )
    assert result.exit_code == 2, result.output
    written = pd.read_csv(rejected)
    assert list(written["row"]) == sorted({line for line, _ in EXPECTED})
    for line, _ in EXPECTED:
        assert re.search(rf"registru\.csv, line {line}[,:]", result.output), line


def test_outcome_problems_and_rejected_agree(tmp_path: Path) -> None:
    """read_with_rejections: the rejected table's ``row`` is each problem's line."""
    outcome = read_with_rejections(_csv(tmp_path), today=TODAY)
    assert list(outcome.rejected["row"]) == sorted({line for line, _ in EXPECTED})
    assert list(outcome.rejected["index"]) == [1, 3, 4, 5, 6, 7, 8]
    assert len(outcome.accepted) + len(outcome.rejected) == outcome.rows == 9


def test_xlsx_problems_name_the_sheet_and_its_row(tmp_path: Path) -> None:
    """A title block above the header: problems say the sheet and its own row number."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Registru"
    sheet.append(["Registrul participanților"])  # 1: title
    sheet.append(["Proiect POCU/1/1/1"])  # 2
    sheet.append([])  # 3
    sheet.append(HEADER.split(","))  # 4: header
    sheet.append(GOOD.format(pid="p1").split(","))  # 5
    sheet.append(GOOD.format(pid="p2").replace("2020-01-01", "2027-01-01").split(","))  # 6
    sheet.append(GOOD.format(pid="p3").split(","))  # 7
    sheet.append(GOOD.format(pid="p1").split(","))  # 8: repeats row 5
    sheet.append(GOOD.format(pid="p4").replace(",3,", ",12,").split(","))  # 9
    path = tmp_path / "registru.xlsx"
    workbook.save(path)
    problems, _ = validate_path(path, today=TODAY)
    assert [(p.location, p.code) for p in problems] == [
        ("sheet 'Registru', row 6", "entry_date.in_future"),
        ("sheet 'Registru', row 8", "row.duplicate"),
        ("sheet 'Registru', row 9", "isced.out_of_range"),
    ]
    assert problems[1].message == "the row repeats sheet 'Registru', row 5 exactly"
    assert [p.row for p in problems] == [6, 8, 9]
    frame = inclusionkit.read(path, kind="participations")
    report = inclusionkit.validate_participations(frame, today=TODAY)
    assert list(report.problems["row"]) == [6, 8, 9]
    assert list(report.problems["index"]) == [1, 3, 4]


def test_parquet_rows_are_numbered_from_zero_as_its_readers_do(tmp_path: Path) -> None:
    """A Parquet file has no lines: its rows are said as ``row N`` (0-based), as pyarrow does."""
    frame = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c"],
            "project_code": ["P"] * 3,
            "gender": ["female"] * 3,
            "birth_date": pd.to_datetime(["1990-01-01"] * 3),
            "entry_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2029-01-01"]),
            "labour_status": ["employed"] * 3,
            "isced": [3, 3, 3],
            "disability": [0, 9, 1],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    problems, _ = validate_path(path, today=TODAY)
    assert [(p.location, p.code) for p in problems] == [
        ("row 1", "cell.bool"),
        ("row 2", "entry_date.in_future"),
    ]


def test_report_excluded_rows_are_the_lines_validate_names(tmp_path: Path) -> None:
    """report.excluded names the same line as validate for a participation it leaves out."""
    lines = [line for line in CSV_LINES if "31.0" not in line]  # cells that do not read
    path = tmp_path / "registru.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = inclusionkit.compute(path, "esf-2014")
    excluded = dict(zip(report.excluded["reason"], report.excluded["row"], strict=True))
    # Without lines 8 and 14 the later lines move up: 11 → 10, 12 → 11, 15 → 13.
    assert excluded == {
        "exit_date.before_entry": 10,
        "gender.missing": 11,
        "birth_date.implausible": 13,
    }
    problems, _ = validate_path(path, today=TODAY)
    flagged = {(p.code, p.location) for p in problems}
    assert ("exit_date.before_entry", "line 10") in flagged
    assert ("birth_date.implausible", "line 13") in flagged
    assert ("row.empty", "line 11") in flagged


def test_report_excluded_file_rows_are_lines(tmp_path: Path) -> None:
    """``report --excluded`` writes the line of each participation left out."""
    lines = [line for line in CSV_LINES if "31.0" not in line]
    path = tmp_path / "registru.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    excluded = tmp_path / "excluse.csv"
    result = CliRunner().invoke(
        cli,
        ["report", str(path), "--rules", "esf-2014", "--excluded", str(excluded)],
    )
    assert result.exit_code == 0, result.output
    # Line 4 entered after today (the command's as-of date): listed, as validate names it.
    assert sorted(pd.read_csv(excluded)["row"]) == [4, 10, 11, 13]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_report_excluded_rows_of_a_file_of_one_line_a_row(tmp_path: Path, ending: str) -> None:
    """Without blank lines or quotes (Unix or Windows line ends), row i is listed as line
    i + 2, as validate names it."""
    lines = [HEADER, *(GOOD.format(pid=f"p{i}") for i in range(6))]
    lines[3] = lines[3].replace("female", "")  # row 2, line 4: no gender
    lines[6] = lines[6].replace(",3,", ",,")  # row 5, line 7: no isced
    path = tmp_path / "registru.csv"
    path.write_bytes((ending.join(lines) + ending).encode())
    report = inclusionkit.compute(path, "esf-2014")
    assert sorted(report.excluded["row"]) == [4, 7]
    problems, _ = validate_path(path, today=TODAY)
    assert {"line 4", "line 7"} <= {p.location for p in problems}


@given(
    st.lists(
        st.one_of(st.just(""), st.text(alphabet="ab,1 ", min_size=1, max_size=6)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=2),
)
def test_physical_lines_fast_path_agrees_with_the_csv_module(lines: list[str], skip: int) -> None:
    """Without quotes, counting non-empty lines gives the lines the csv module finds."""
    text = "\n".join(lines) + "\n"
    reader = csv.reader(io.StringIO(text))
    starts, previous = [], 0
    for number, row in enumerate(reader):
        start, previous = previous + 1, reader.line_num
        if number >= skip and row:
            starts.append(start)
    assert physical_lines(text, ",", skip) == starts[1:]


# Dask's Parquet reader (not inclusionkit) uses an option pandas deprecates.
@pytest.mark.filterwarnings(
    "ignore:The inplace keyword in DataFrame.reset_index:pandas.errors.Pandas4Warning"
)
def test_every_engine_names_an_excluded_row_as_the_default_engine_does(tmp_path: Path) -> None:
    """A CSV's excluded rows are its lines with the dask engine too; a Parquet file's are its
    0-based rows with the pandas, streaming and dask engines alike."""
    lines = [line for line in CSV_LINES if "31.0" not in line]
    path = tmp_path / "registru.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def rows(source: Path, engine: str) -> list[int]:
        report = inclusionkit.compute(source, "esf-2014", engine=engine)
        return sorted(report.excluded["row"].tolist())

    assert rows(path, "pandas") == rows(path, "dask") == [10, 11, 13]
    table = inclusionkit.read(path)
    parquet = tmp_path / "registru.parquet"
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), parquet)
    positions = sorted(
        table.index[table["participant_id"].isin(["p5", "p6", "p7"]) | table.isna().all(axis=1)]
    )
    by_engine = {engine: rows(parquet, engine) for engine in ("pandas", "streaming", "dask")}
    wanted = [int(p) for p in positions]
    for engine, rows_seen in by_engine.items():
        assert rows_seen == wanted, engine


def test_streaming_names_a_bad_cell_by_its_file_and_its_row_there(tmp_path: Path) -> None:
    """A dataset directory's bad cell is said at its own file's row, as reading that file says."""
    folder = tmp_path / "set"
    folder.mkdir()
    frame = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c"],
            "project_code": ["P"] * 3,
            "gender": ["female"] * 3,
            "birth_date": ["1990-01-01"] * 3,
            "entry_date": ["2020-01-01"] * 3,
            "labour_status": ["employed"] * 3,
            "isced": ["3", "3", "3"],
        }
    )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "a.parquet")
    second = frame.assign(participant_id=["d", "e", "f"], isced=["3", "doi", "3"])
    pq.write_table(pa.Table.from_pandas(second, preserve_index=False), folder / "b.parquet")
    try:
        inclusionkit.compute(folder, "esf-2014", engine="streaming")
    except inclusionkit.ValidationError as exc:
        streamed = [(p.source, p.location) for p in exc.problems]
    try:
        inclusionkit.read(folder / "b.parquet")
    except inclusionkit.ValidationError as exc:
        alone = [(p.source, p.location) for p in exc.problems]
    assert [(Path(str(s)).name, where) for s, where in streamed] == [("b.parquet", "row 1")]
    assert [(Path(str(s)).name, where) for s, where in alone] == [("b.parquet", "row 1")]


RO_HEADER = HEADER.replace("labour_status", "Statut pe piața muncii").replace("isced", "ISCED")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_problem_names_the_users_header_beside_the_canonical_column(
    tmp_path: Path, suffix: str
) -> None:
    """A mapped header is named as the file has it, with the canonical name beside it."""
    rows = [RO_HEADER, GOOD.format(pid="p1").replace("unemployed", ""), GOOD.format(pid="p2")]
    path = tmp_path / f"registru.{suffix}"
    if suffix == "csv":
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        where = "line 2"
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "Registru"
        for line in rows:
            sheet.append(line.split(","))
        workbook.save(path)
        where = "sheet 'Registru', row 2"
    problems, _ = validate_path(path, today=TODAY)
    assert [(p.column, p.row) for p in problems] == [("labour_status", 2)]
    place = f"{where}, column 'Statut pe piața muncii' (labour_status)"
    assert problems[0].location == place
    assert str(problems[0]).startswith(f"{path}, {place}: ")
    described = describe(problems[0], "ro")
    assert "coloana 'Statut pe piața muncii' (labour_status): " in described
    assert described.count("labour_status") == 1


def test_a_canonical_header_is_named_once(tmp_path: Path) -> None:
    """A header that is the canonical name is said once, as the problem's column."""
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER}\n{GOOD.format(pid='p1').replace('unemployed', '')}\n")
    problems, _ = validate_path(path, today=TODAY)
    assert [(p.location, p.column) for p in problems] == [("line 2", "labour_status")]
    assert str(problems[0]).startswith(f"{path}, line 2, column 'labour_status': ")
