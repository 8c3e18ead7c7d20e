"""Tests for the command line: exit codes, readable errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inclusionkit.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version and exits 0."""
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert "inclusionkit" in out


def test_validate_accepts_a_valid_project(
    tmp_path: Path, project_doc: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """validate says a valid project file is valid and exits 0."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps(project_doc), encoding="utf-8")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0
    assert "valid project" in out


def test_validate_lists_every_problem_and_exits_2(
    tmp_path: Path, project_doc: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """validate lists all problems with paths, exits 2, and shows no traceback."""
    del project_doc["partners"][0]["role"]
    project_doc["objectives"][0]["indicators"][0]["unit"] = "bananas"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(project_doc), encoding="utf-8")
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert "$.partners[0]" in out
    assert ".unit" in out
    assert "2 problem(s)" in err
    assert "Traceback" not in out + err


def test_missing_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input file gives a one-line error and exit code 2."""
    code, _, err = run(["validate", str(tmp_path / "nope.json")], capsys)
    assert code == 2
    assert err.startswith("inclusionkit: error:")
    assert "no such file" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option is a usage error with exit code 2."""
    code, _, err = run(["validate", "--bogus"], capsys)
    assert code == 2
    assert "No such option" in err


def test_validate_reports_every_bad_row_of_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate on a participation table names each bad row by line and column, and exits 2."""
    from tests.test_participations import HEADER, _row

    lines = [HEADER, _row(), _row(participant_id="P2", isced="11"), _row()]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 2
    assert "line 3, column 'isced'" in out
    assert "line 4" in out  # the exact duplicate of line 2
    assert "<NA>" not in out


def test_validate_shows_progress_on_stderr_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate draws no bar into a pipe; --progress draws its read and check phases on stderr."""
    from tests.test_participations import HEADER, _row

    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row()]) + "\n", encoding="utf-8")
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 0, out + err
    assert "\r" not in out + err
    code, out, err = run(["validate", str(path), "--progress"], capsys)
    assert code == 0, out + err
    assert "\r" not in out
    assert "read" in err
    assert "check" in err
    assert "100%" in err


def test_demo_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """demo writes progress, the esf-2014 table and every installed plugin's output."""
    code, out, _ = run(["demo", "--output", str(tmp_path)], capsys)
    assert code == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"dialog-social.progress.csv", "dreptul-la-munca.esf-2014.csv", "sfc2021.csv"} <= names
    assert "CO01" in out


def test_report_suppresses_small_cells_and_writes_sfc2021(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report --suppress marks small cells instead of printing them; --layout sfc2021 works."""
    import io

    import pandas as pd

    from inclusionkit import examples, write_participations

    path = tmp_path / "p.csv"
    write_participations(examples.load("dreptul-la-munca").participations, path)
    code, out, _ = run(["report", str(path), "--suppress", "5"], capsys)
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert "suppressed" in table.columns
    assert "status" not in table.columns  # it would tell primary from secondary (issue 16)
    published = table[~table["suppressed"]]
    assert (published["value"].isna() | (published["value"] == 0) | (published["value"] >= 5)).all()
    assert table.loc[table["suppressed"], "value"].isna().all()
    code, out, err = run(
        ["report", str(path), "--rules", "esf-2021", "--layout", "sfc2021", "--allow-other-period"],
        capsys,
    )
    assert code == 0
    sfc = pd.read_csv(io.StringIO(out))
    assert "EECO01" in set(sfc["indicator"])
    assert "category_of_region" in " ".join(sfc.columns) or "category" in " ".join(sfc.columns)
    code, _, err = run(["report", str(path), "--layout", "sfc2021"], capsys)
    assert code == 2
    assert "--rules esf-2021" in err
