"""Real mistakes of a register, found by validate in one pass, and agreed on by report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner

import inclusionkit
import inclusionkit._rules as rules
from inclusionkit._problems import ProblemCode, message_in
from inclusionkit.cli import cli
from inclusionkit.ro import cnp_check_digit
from tests.rules.strategies import table_from_rows

D = dt.date
TODAY = D(2025, 1, 15)


def _row(pid: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": "POCU/1/1/1",
        "gender": "female",
        "birth_date": D(1985, 4, 7),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        **values,
    }


def _codes(report: rules.ValidationReport) -> list[tuple[int, str]]:
    return [
        (int(r), str(c))
        for r, c in zip(report.problems["row"], report.problems["code"], strict=True)
    ]


class _Period:
    start = D(2019, 6, 1)
    end = D(2021, 5, 31)


class _Project:
    code = "POCU/1/1/1"
    period = _Period()


def test_dates_after_the_as_of_date_are_problems() -> None:
    """An entry or exit after the as-of date (today by default) is reported, with the date."""
    table = table_from_rows(
        [
            _row("a"),
            _row("b", entry_date=D(2027, 1, 1)),
            _row("c", exit_date=D(2025, 1, 16)),
            _row("d", exit_date=D(2025, 1, 15)),
        ]
    )
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [(1, "entry_date.in_future"), (2, "exit_date.in_future")]
    assert "2027-01-01 is after the as-of date (2025-01-15)" in report.problems.loc[0, "message"]


def test_a_project_checks_its_code_and_period() -> None:
    """With a project: another project code, an entry or exit outside its period are problems."""
    table = table_from_rows(
        [
            _row("a"),
            _row("b", project_code="POCU/9/9/9"),
            _row("c", entry_date=D(2019, 5, 31)),
            _row("d", exit_date=D(2021, 6, 1)),
            _row("e", entry_date=D(2019, 6, 1), exit_date=D(2021, 5, 31)),
        ]
    )
    assert rules.validate_participations(table, today=TODAY).ok
    report = rules.validate_participations(table, today=TODAY, project=_Project())
    assert _codes(report) == [
        (1, "project_code.other"),
        (2, "entry_date.outside_project"),
        (3, "exit_date.outside_project"),
    ]
    assert "(POCU/1/1/1)" in report.problems.loc[0, "message"]
    assert "2019-06-01 to 2021-05-31" in report.problems.loc[1, "message"]


def _cnp(birth: D, county: str = "40") -> str:
    first12 = f"2{birth:%y%m%d}{county}123"
    return first12 + cnp_check_digit(first12)


def test_one_cnp_under_several_participant_ids() -> None:
    """The same CNP under two ids is flagged on each row, pointing at the first; the CNP is
    never quoted. The same id twice (a re-entry) is not this problem."""
    table = table_from_rows([_row("a"), _row("b"), _row("c"), _row("c", isced=3)])
    cnp = _cnp(D(1985, 4, 7))
    table["cnp"] = [cnp, cnp, _cnp(D(1985, 4, 7), "12"), _cnp(D(1985, 4, 7), "12")]
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [(0, "cnp.several_ids"), (1, "cnp.several_ids")]
    message = report.problems.loc[1, "message"]
    assert "2 participant ids (first at row 0)" in message
    assert cnp not in message


def test_an_empty_row_is_one_problem() -> None:
    """A row of empty cells is ``row.empty``, not one problem per required column."""
    table = table_from_rows([_row("a")])
    blank = pd.DataFrame({name: [None] for name in table.columns}).astype(table.dtypes)
    table = pd.concat([table, blank], ignore_index=True)
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [(1, "row.empty")]


def test_an_exact_duplicate_names_the_row_it_repeats() -> None:
    """Each exact duplicate points to the first of its equals."""
    table = table_from_rows([_row("a"), _row("b"), _row("a"), _row("b"), _row("a")])
    report = rules.validate_participations(table, today=TODAY)
    assert list(report.problems["message"]) == [
        "the row repeats row 0 exactly",
        "the row repeats row 1 exactly",
        "the row repeats row 0 exactly",
    ]


def _write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "t.csv"
    table_from_rows(rows).to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def test_report_leaves_out_what_validate_flags_as_exit_before_entry() -> None:
    """An exit before the entry is rejected by validate and excluded (same code) by report."""
    table = table_from_rows([_row("a"), _row("b", exit_date=D(2019, 1, 1))])
    report = rules.validate_participations(table, today=TODAY)
    assert _codes(report) == [(1, "exit_date.before_entry")]
    counted = inclusionkit.compute(table, "esf-2014")
    excluded = counted.excluded
    assert list(excluded["participant_id"]) == ["b"]
    assert list(excluded["reason"]) == ["exit_date.before_entry"]
    co01 = counted.value("CO01", gender="total")
    grand = counted.value("GRAND_TOTAL", gender="total")
    assert (co01, grand) == (1, 2)


def test_validate_summary_and_max_problems_on_the_command_line(tmp_path: Path) -> None:
    """--summary counts per code (in Romanian with --lang ro); --max-problems caps the list."""
    path = _write(
        tmp_path,
        [_row("a", isced=9), _row("b", isced=9), _row("c", entry_date=D(2099, 1, 1))],
    )
    runner = CliRunner()
    summary = runner.invoke(cli, ["validate", str(path), "--summary", "--lang", "ro"])
    assert summary.exit_code == 2
    assert f"isced.out_of_range: 2 ({message_in('isced.out_of_range', 'ro')})" in summary.output
    assert "entry_date.in_future: 1" in summary.output
    assert "line 2" not in summary.output
    capped = runner.invoke(cli, ["validate", str(path), "--max-problems", "1"])
    assert capped.output.count("t.csv, line") == 1
    assert "and 2 more problem(s) not shown" in capped.output


def test_validate_with_a_project_on_the_command_line(tmp_path: Path) -> None:
    """``validate T --project P`` reports rows of another project and outside its period."""
    from inclusionkit import examples

    project = examples.load(examples.list()[0]).project
    start = project.period.start
    path = _write(
        tmp_path,
        [
            _row("a", project_code=project.code, entry_date=start),
            _row("b", project_code="ALT/1", entry_date=start),
            _row("c", project_code=project.code, entry_date=start - dt.timedelta(days=1)),
        ],
    )
    project_file = tmp_path / "p.json"
    inclusionkit.save_project(project, project_file)
    result = CliRunner().invoke(cli, ["validate", str(path), "--project", str(project_file)])
    assert result.exit_code == 2, result.output
    assert "t.csv, line 3, column 'project_code'" in result.output
    assert "t.csv, line 4, column 'entry_date'" in result.output


def test_every_code_has_a_romanian_message() -> None:
    """The catalogue speaks Romanian for every code (validate --summary --lang ro)."""
    untranslated = [code for code in ProblemCode if message_in(code, "ro") == code.message]
    assert untranslated == []
