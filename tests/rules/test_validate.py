"""Bulk validation of participation tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import inclusionkit._rules as rules
from inclusionkit import ValidationError
from inclusionkit.ro import cnp_check_digit
from tests.rules.strategies import participation_rows, participation_tables, table_from_rows

D = dt.date
TODAY = D(2025, 1, 15)


def _row(pid: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": "P",
        "gender": "female",
        "birth_date": D(1985, 4, 7),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        "region": "RO32",
        **values,
    }


def _cnp(sex_digit: int, birth: D, county: str = "40") -> str:
    first12 = f"{sex_digit}{birth:%y%m%d}{county}123"
    return first12 + cnp_check_digit(first12)


def _codes(report: rules.ValidationReport) -> list[tuple[int, str]]:
    return [
        (int(r), str(c))
        for r, c in zip(report.problems["row"], report.problems["code"], strict=True)
    ]


def test_a_clean_table_is_accepted_whole() -> None:
    """No problems: ok, every row accepted (the very same frame), none rejected."""
    table = table_from_rows([_row("a"), _row("b")])
    report = rules.validate_participations(table, today=TODAY)
    assert report.ok
    assert report.accepted is table
    assert report.rejected.empty
    assert report.summary() == "2 rows: 2 accepted, 0 rejected"


def test_every_rule_reports_row_column_code_and_message() -> None:
    """Each check of the contract has its code, on the right row and column."""
    rows = [
        _row("ok"),
        _row("g", gender="man"),
        _row("s", labour_status="retired"),
        _row("i", isced=9),
        _row("x", exit_date=D(2019, 12, 31)),
        _row("f", birth_date=D(2026, 1, 1), entry_date=D(2026, 2, 1)),
        _row("y", birth_date=D(2010, 1, 2)),
        _row("m", labour_status=None, isced=None),
        _row("r", region="RO99"),
        _row("ok"),
    ]
    report = rules.validate_participations(table_from_rows(rows), today=TODAY)
    assert _codes(report) == [
        (1, "gender.unknown"),
        (2, "labour_status.unknown"),
        (3, "isced.out_of_range"),
        (4, "exit_date.before_entry"),
        (5, "birth_date.in_future"),
        (5, "entry_date.in_future"),
        (7, "labour_status.missing"),
        (7, "isced.missing"),
        (8, "region.unknown"),
        (9, "row.duplicate"),
    ]
    problems = report.problems.set_index("row")
    assert problems.loc[1, "column"] == "gender"
    assert "man" in problems.loc[1, "message"]
    assert "9" in problems.loc[3, "message"]
    assert pd.isna(problems.loc[9, "column"])
    assert set(report.problems["code"]) <= set(rules.CODES)
    assert list(report.rejected["row"]) == [1, 2, 3, 4, 5, 7, 8, 9]
    assert report.rejected.loc[5, "codes"] == "labour_status.missing; isced.missing"
    assert list(report.accepted["participant_id"]) == ["ok", "y"]


def test_no_minimum_age_unless_asked_for() -> None:
    """The contract sets no minimum age (a child of 9 is valid); min_age asks for one."""
    table = table_from_rows([_row("c", birth_date=D(2010, 1, 2))])
    assert rules.validate_participations(table, today=TODAY).ok
    report = rules.validate_participations(table, today=TODAY, min_age=15)
    assert _codes(report) == [(0, "age.below_minimum")]
    assert "age at entry 9 is below 15" in report.problems.loc[0, "message"]


def test_an_age_above_120_is_implausible() -> None:
    """A birth in 1800 or in the year 1 is a problem (age at entry above 120); 120 is not."""
    table = table_from_rows(
        [
            _row("a", birth_date=D(1800, 1, 1)),
            _row("b", birth_date=D(1, 1, 1)),
            _row("c", birth_date=D(1900, 1, 1)),
        ]
    )
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [(0, "birth_date.implausible"), (1, "birth_date.implausible")]
    assert "age at entry 220 is above 120" in report.problems.loc[0, "message"]


def test_duplicates_keep_the_first_and_respect_every_column() -> None:
    """Exact duplicates are rejected after the first; a row differing anywhere is not one."""
    rows = [_row("a"), _row("a", minority=True), _row("a"), _row(None), _row(None)]  # type: ignore[arg-type]
    report = rules.validate_participations(table_from_rows(rows), today=TODAY)
    duplicates = report.problems[report.problems["code"] == "row.duplicate"]["row"].tolist()
    assert duplicates == [2, 4]


@st.composite
def _tables_with_repeats(draw: st.DrawFn) -> pd.DataFrame:
    """Tables where rows come back: exactly, or differing in one cell (a flag or a partner the
    dates and codes do not show, a missing id or exit), in any order."""
    rows = draw(st.lists(participation_rows(), min_size=1, max_size=10))
    for _ in range(draw(st.integers(0, 12))):
        row = dict(draw(st.sampled_from(rows)))
        change = draw(st.sampled_from([None, None, "participant_id", "minority", "partner"]))
        if change == "participant_id":
            row["participant_id"] = None
        elif change == "minority":
            row["minority"] = not row["minority"]
        elif change == "partner":
            row["partner"] = "other"
        rows.append(row)
    return table_from_rows(draw(st.permutations(rows)))


@given(_tables_with_repeats())
def test_each_exact_duplicate_names_the_first_of_its_equals(table: pd.DataFrame) -> None:
    """Exactly the rows equal in every cell to an earlier row are duplicates, each pointing to
    the first of its equals (rows that share key, dates and codes but differ elsewhere are not)."""
    seen: dict[tuple[Any, ...], int] = {}
    expected = []
    for index, row in enumerate(table.itertuples(index=False)):
        cells = tuple(None if pd.isna(value) else value for value in row)
        if cells in seen:
            expected.append((index, f"the row repeats row {seen[cells]} exactly"))
        else:
            seen[cells] = index
    report = rules.validate_participations(table, today=TODAY)
    found = report.problems[report.problems["code"] == "row.duplicate"]
    assert list(zip(found["row"], found["message"], strict=True)) == expected


def test_a_row_is_empty_only_without_any_value() -> None:
    """A date, a flag, a zero or a word keeps a row; a row of blanks and empty cells is empty."""
    table = table_from_rows(
        [
            {"birth_date": D(1985, 4, 7)},
            {},
            {"minority": False},
            {"partner": "  "},
            {"region": "RO32"},
            {"isced": 0},
            {"partner": " x "},
        ]
    )
    report = rules.validate_participations(table, today=TODAY)
    empty = report.problems[report.problems["code"] == "row.empty"]
    assert list(empty["row"]) == [1, 3]
    as_text = rules.validate_participations(table.astype(object), today=TODAY)
    assert list(as_text.problems[as_text.problems["code"] == "row.empty"]["row"]) == [1, 3]


def test_cnp_checks() -> None:
    """An invalid CNP, a CNP of the other sex, and a CNP with another birth date are reported."""
    table = table_from_rows(
        [
            _row("a"),
            _row("b"),
            _row("c"),
            _row("d"),
            _row("e"),
            _row("f", gender="non_binary"),
        ]
    )
    table["cnp"] = [
        _cnp(2, D(1985, 4, 7)),  # right
        "2850407400000",  # bad check digit
        _cnp(1, D(1985, 4, 7)),  # a man's CNP
        _cnp(2, D(1985, 4, 8)),  # another birth date
        None,  # no CNP: allowed
        _cnp(1, D(1985, 4, 7), county="12"),  # sex not comparable with non_binary
    ]
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [
        (1, "cnp.invalid"),
        (2, "cnp.sex_mismatch"),
        (3, "cnp.birth_date_mismatch"),
    ]
    assert "check_digit" in report.problems.loc[0, "message"]


def test_text_cells_that_do_not_parse_are_problems() -> None:
    """A text table (as from a spreadsheet) is parsed; unreadable cells are reported."""
    typed = table_from_rows([_row("a"), _row("b")])
    text = typed.astype(object).astype(str).replace({"<NA>": "", "NaT": ""})
    for name in ("birth_date", "entry_date", "exit_date"):
        text[name] = typed[name].dt.strftime("%Y-%m-%d").fillna("")
    text.loc[1, "entry_date"] = "31.02.2020"
    text.loc[1, "isced"] = "two"
    report = rules.validate_participations(text, today=TODAY)
    codes = _codes(report)
    assert (1, "cell.date") in codes
    assert (1, "cell.int") in codes
    unreadable = report.problems["code"].str.startswith("cell.")
    assert report.problems[unreadable]["column"].tolist() == ["entry_date", "isced"]


def test_missing_columns_are_a_validation_error() -> None:
    """A table without the canonical columns is not a participation table."""
    with pytest.raises(ValidationError, match="gender"):
        rules.validate_participations(pd.DataFrame({"participant_id": ["a"]}))


@given(participation_tables(max_rows=30), st.booleans())
def test_accepted_plus_rejected_is_the_input(table: pd.DataFrame, with_cnp: bool) -> None:
    """Every input row is accepted or rejected, exactly once, whatever is wrong with it."""
    if with_cnp:
        table = table.assign(cnp=["1234567890123"] * len(table))
    report = rules.validate_participations(table, today=TODAY)
    assert len(report.accepted) + len(report.rejected) == len(table) == report.rows
    rejected = set(report.rejected["row"])
    accepted = set(report.accepted.index)
    assert rejected.isdisjoint(accepted)
    assert rejected | accepted == set(range(len(table)))
    assert set(report.problems["row"]) == rejected
    assert report.ok == (not rejected)


def test_problems_as_problem_records() -> None:
    """as_problems() locates by file line (header = line 1) or by 0-based row."""
    table = table_from_rows([_row("a"), _row("b", isced=9), _row("b", isced=9)])
    report = rules.validate_participations(table, today=TODAY)
    in_file = report.as_problems("t.csv")
    assert [(p.location, p.column, p.code) for p in in_file] == [
        ("line 3", "isced", "isced.out_of_range"),
        ("line 4", "isced", "isced.out_of_range"),
        ("line 4", None, "row.duplicate"),
    ]
    assert str(in_file[0]).startswith("t.csv, line 3, column 'isced': isced 9")
    assert report.as_problems()[0].location == "row 1"
