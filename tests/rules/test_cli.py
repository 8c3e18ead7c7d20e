"""The report and rulesets commands, and the text of `inclusionkit validate TABLE`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from inclusionkit._participations import write_participations
from inclusionkit.cli import _Group
from inclusionkit.cli._report import (
    report_command,
    rulesets_command,
    validate_table_command_output,
)
from tests.rules.strategies import table_from_rows

D = dt.date


@click.group(cls=_Group)
def cli() -> None:
    """The commands under test, in a group that turns library errors into exit code 2."""


cli.add_command(report_command)
cli.add_command(rulesets_command)


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    """A participation table of three rows (one incomplete), as CSV."""
    return _participations_csv(
        tmp_path,
        [
            {"participant_id": "a", "gender": "female", "region": "RO11"},
            {"participant_id": "b", "gender": "male", "region": "RO32"},
            {"participant_id": "c", "gender": None, "region": None},
        ],
    )


def _participations_csv(folder: Path, rows: list[dict[str, Any]]) -> Path:
    """``participants.csv`` in ``folder``: one complete participation per row, but for
    ``rows``' values."""
    complete = {
        "project_code": "P",
        "birth_date": D(1990, 1, 1),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
    }
    path = folder / "participants.csv"
    write_participations(table_from_rows([{**complete, **row} for row in rows]), path)
    return path


def test_report_prints_the_tidy_csv_and_a_summary(csv_path: Path) -> None:
    """CSV on stdout with the header indicator,<breakdowns>,value; the summary on stderr."""
    result = CliRunner().invoke(cli, ["report", str(csv_path), "--by", "gender,region"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "indicator,gender,region,value"
    assert "TOTAL,total,RO11,1" in lines
    assert "1 excluded" in result.stderr


def test_report_json_on_stdout_counts_the_reasons_present(tmp_path: Path) -> None:
    """--format json on stdout counts each reason present (none of the categoricals' other
    categories), most frequent first, ties in the excluded list's order as counting text did."""
    path = _participations_csv(
        tmp_path,
        [
            {"participant_id": "a", "gender": "female", "labour_status": None},
            {"participant_id": "b", "gender": None},
            {"participant_id": "c", "gender": None},
            {"participant_id": "d", "gender": "male", "isced": None},
            {"participant_id": "e", "gender": "male"},
        ],
    )
    result = CliRunner().invoke(
        cli, ["report", str(path), "--as-of", "2024-12-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    excluded = json.loads(result.stdout)["excluded"]
    assert excluded["count"] == 4
    assert list(excluded["by_reason"].items()) == [
        ("gender.missing", 2),
        ("labour_status.missing", 1),
        ("isced.missing", 1),
    ]


def test_report_json_and_output_file(csv_path: Path, tmp_path: Path) -> None:
    """--format json writes provenance, table and failed checks; --output writes a file."""
    out = tmp_path / "report.json"
    excluded = tmp_path / "excluded.csv"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(csv_path),
            "--rules",
            "esf-2021",
            "--as-of",
            "2024-12-31",
            "--format",
            "json",
            "--output",
            str(out),
            "--excluded",
            str(excluded),
        ],
    )
    assert result.exit_code == 0, result.output
    # The file is the JSON exporter's whole report, which inclusionkit.read reads back.
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["provenance"]["ruleset"] == "esf-2021"
    assert document["provenance"]["as_of"] == "2024-12-31"
    assert [row["reason"] for row in document["excluded"]] == ["gender.missing"]
    assert {"indicator", "gender", "value"} == set(document["table"][0])
    assert pd.read_csv(excluded)["reason"].tolist() == ["gender.missing"]
    # Standard output keeps the short JSON summary.
    printed = CliRunner().invoke(
        cli,
        [
            "report",
            str(csv_path),
            "--rules",
            "esf-2021",
            "--as-of",
            "2024-12-31",
            "--format",
            "json",
        ],
    )
    assert printed.exit_code == 0, printed.output
    summary = json.loads(printed.stdout)
    assert summary["provenance"]["ruleset"] == "esf-2021"
    assert summary["excluded"] == {"count": 1, "by_reason": {"gender.missing": 1}}
    assert {"indicator", "gender", "value"} == set(summary["table"][0])


def test_report_without_breakdown(csv_path: Path) -> None:
    """--by '' gives one row per indicator."""
    result = CliRunner().invoke(cli, ["report", str(csv_path), "--by", ""])
    assert result.stdout.splitlines()[:2] == ["indicator,value", "TOTAL,2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rules", "esf-1999"], "no rule set called 'esf-1999'"),
        (["--by", "regoin"], "cannot break down by 'regoin'"),
        (["--as-of", "yesterday"], "is not a date"),
    ],
)
def test_user_mistakes_exit_2_without_a_traceback(
    csv_path: Path, args: list[str], message: str
) -> None:
    """Bad options are a message and exit code 2, never a traceback."""
    result = CliRunner().invoke(cli, ["report", str(csv_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_and_unreadable_files_are_clean_errors(tmp_path: Path) -> None:
    """A missing file and a file that is not a table exit 2 with a message."""
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "no such file" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(bad)])
    assert result.exit_code == 2
    assert "column" in result.output


def test_rulesets_lists_and_describes(csv_path: Path) -> None:
    """rulesets lists every rule set; with a name, its indicators (in Romanian on request)."""
    result = CliRunner().invoke(cli, ["rulesets"])
    assert result.exit_code == 0
    for name in ("esf-2007", "esf-2014", "esf-2021"):
        assert name in result.stdout
    detail = CliRunner().invoke(cli, ["rulesets", "esf-2014", "--lang", "ro"])
    assert "CR09" in detail.stdout
    assert "șomeri de lungă durată" in detail.stdout
    verbose = CliRunner().invoke(cli, ["rulesets", "--verbose"])
    assert "EECO19" in verbose.stdout
    assert "ISCED97.5_6" in verbose.stdout
    unknown = CliRunner().invoke(cli, ["rulesets", "esf-1999"])
    assert unknown.exit_code == 2


def test_validate_table_output(tmp_path: Path) -> None:
    """The validate text names file, line (header is line 1), column, message and code."""
    rows = [
        {
            "participant_id": "a",
            "project_code": "P",
            "gender": "female",
            "birth_date": D(1990, 1, 1),
            "entry_date": D(2020, 1, 1),
            "labour_status": "retired",
            "isced": 2,
        },
        {
            "participant_id": "b",
            "project_code": "P",
            "gender": "male",
            "birth_date": D(1990, 1, 1),
            "entry_date": D(2020, 1, 1),
            "labour_status": "employed",
            "isced": 3,
        },
    ]
    path = tmp_path / "t.csv"
    write_participations(table_from_rows(rows), path)
    text, ok = validate_table_command_output(path)
    assert not ok
    assert f"{path}, line 2, column 'labour_status': labour_status 'retired'" in text
    assert "[labour_status.unknown]" in text
    assert text.rstrip().endswith(
        "2 rows: 1 accepted, 1 rejected; problems: labour_status.unknown (1)"
    )
    good = tmp_path / "good.csv"
    write_participations(table_from_rows(rows[1:]), good)
    text, ok = validate_table_command_output(good)
    assert ok
    assert "1 rows: 1 accepted, 0 rejected" in text
    broken = tmp_path / "broken.csv"
    broken.write_text(path.read_text(encoding="utf-8").replace("2020-01-01", "2020-13-01", 1))
    text, ok = validate_table_command_output(broken)
    assert not ok
    assert "cannot be read" in text
