"""``inclusionkit register``: init, import, log, history, export; and report from a register."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import examples
from inclusionkit.cli import main
from tests.register.conftest import partner_rows

PROJECT = Path(examples.__file__).parent / "data" / "dreptul-la-munca.json"


def test_the_register_commands(
    register_url: str, seed: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init, import (twice, then --mode full), log, history and export do what they say, and
    `report` and `progress` on the register (file or URL) print what they print on the exported
    Parquet file."""
    assert main(["register", "init", register_url, "--project", str(PROJECT)]) == 0
    rows = partner_rows(seed, "cpe")
    first = tmp_path / "cpe.csv"
    inclusionkit.write(rows, first, kind="participations")
    assert main(["register", "import", register_url, str(first), "--partner", "cpe"]) == 0
    out = capsys.readouterr().out
    assert f"added {len(rows)}, updated 0, unchanged 0, rejected 0, withdrawn 0" in out
    shorter = tmp_path / "cpe-2.csv"
    inclusionkit.write(rows.iloc[1:], shorter, kind="participations")
    command = ["register", "import", register_url, str(shorter), "--partner", "cpe"]
    assert main([*command, "--mode", "full", "--user", "maria"]) == 0
    out = capsys.readouterr().out
    person = str(rows.loc[0, "participant_id"])
    assert "withdrawn (1):" in out
    assert person in out
    assert f"unchanged {len(rows) - 1}, rejected 0, withdrawn 1" in out
    assert main(["register", "log", register_url]) == 0
    out = capsys.readouterr().out
    assert "maria" in out
    assert "cpe-2.csv" in out
    assert main(["register", "history", register_url, "--participant", person]) == 0
    out = capsys.readouterr().out
    assert "added" in out
    assert "withdrawn" in out
    exported = tmp_path / "out.parquet"
    assert main(["register", "export", register_url, str(exported)]) == 0
    assert len(inclusionkit.read(exported)) == len(rows) - 1
    capsys.readouterr()
    assert main(["report", register_url, "--by", "gender,partner"]) == 0
    from_register = capsys.readouterr().out
    assert main(["report", str(exported), "--by", "gender,partner"]) == 0
    assert capsys.readouterr().out == from_register
    assert main(["progress", str(PROJECT), "--participations", register_url]) == 0
    from_register = capsys.readouterr().out
    assert main(["progress", str(PROJECT), "--participations", str(exported)]) == 0
    assert capsys.readouterr().out == from_register


def test_import_writes_rejected_rows_like_validate(
    tmp_path: Path, seed: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """--rejected writes the same file `validate --rejected` writes, and the problems print."""
    db = str(tmp_path / "r.db")
    rows = partner_rows(seed, "cpe").astype({"birth_date": "string"})
    rows.loc[1, "birth_date"] = "1990-02-31"
    source = tmp_path / "bad.csv"
    rows.to_csv(source, index=False)
    assert main(["register", "init", db]) == 0
    args = ["register", "import", db, str(source), "--partner", "cpe"]
    assert main([*args, "--rejected", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "rejected 1" in out
    assert "line 3" in out
    assert main(["validate", str(source), "--rejected", str(tmp_path / "b.csv")]) == 2
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_register_errors_are_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing register is an error message and exit code 2, not a traceback."""
    assert main(["register", "log", str(tmp_path / "missing.db")]) == 2
    assert "no such register" in capsys.readouterr().err


def test_submit_and_diff_commands(
    tmp_path: Path, seed: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """submit prints the frozen report; diff says nothing changed, then lists the correction."""
    db = str(tmp_path / "r.db")
    rows = partner_rows(seed, "cpe")
    source = tmp_path / "cpe.csv"
    inclusionkit.write(rows, source, kind="participations")
    assert main(["register", "init", db, "--project", str(PROJECT)]) == 0
    assert main(["register", "import", db, str(source), "--partner", "cpe"]) == 0
    capsys.readouterr()
    assert main(["register", "submit", db, "--period", "2015-Q1"]) == 0
    assert capsys.readouterr().out.startswith("indicator,gender,value\n")
    assert main(["register", "diff", db, "2015-Q1"]) == 0
    assert "0 figure(s) changed" in capsys.readouterr().out
    fixed = rows.copy()
    was = rows.loc[0, "labour_status"]
    fixed.loc[0, "labour_status"] = "employed" if was != "employed" else "inactive"
    inclusionkit.write(fixed, source, kind="participations")
    assert main(["register", "import", db, str(source), "--partner", "cpe"]) == 0
    capsys.readouterr()
    assert main(["register", "diff", db, "2015-Q1"]) == 0
    out = capsys.readouterr().out
    assert "changes since it was submitted:" in out
    assert "labour_status" in out
    assert main(["register", "submit", db, "--period", "2015-Q1"]) == 2


def test_retention_command(
    tmp_path: Path, seed: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """`register retention` deletes expired rows and writes them anonymised where asked."""
    db = str(tmp_path / "r.db")
    source = tmp_path / "cpe.csv"
    inclusionkit.write(partner_rows(seed, "cpe"), source, kind="participations")
    assert main(["register", "init", db, "--project", str(PROJECT)]) == 0
    assert main(["register", "import", db, str(source), "--partner", "cpe"]) == 0
    capsys.readouterr()
    anonymised = tmp_path / "anon.parquet"
    args = ["register", "retention", db, "--until", "2030-01-01", "--anonymised", str(anonymised)]
    assert main(args) == 0
    assert "row(s) deleted" in capsys.readouterr().out
    assert len(inclusionkit.read(anonymised)) == len(partner_rows(seed, "cpe"))
    assert inclusionkit.read(db, kind="participations").empty


def test_import_keeps_incomplete_rows_and_says_so(
    tmp_path: Path, seed: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row rejected only as incomplete is kept and said so; `report` on the register then
    prints what `report` on the file prints, GRAND_TOTAL included."""
    db = str(tmp_path / "r.db")
    rows = partner_rows(seed, "agentia")
    missing = rows["isced"].isna() | rows["labour_status"].isna()
    assert missing.any()
    source = tmp_path / "agentia.csv"
    inclusionkit.write(rows, source, kind="participations")
    assert main(["register", "init", db]) == 0
    assert main(["register", "import", db, str(source), "--partner", "agentia"]) == 0
    out = capsys.readouterr().out
    assert f"rejected {int(missing.sum())} ({int(missing.sum())} kept as incomplete" in out
    assert main(["report", db, "--by", "gender", "--rules", "esf-2014"]) == 0
    from_register = capsys.readouterr().out
    assert main(["report", str(source), "--by", "gender", "--rules", "esf-2014"]) == 0
    assert capsys.readouterr().out == from_register


def test_report_on_a_register_checks_the_breakdown_limit(
    register_url: str,
    seed: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`report REGISTER --by X` and `register submit --by X` refuse a breakdown over the values
    limit, as `report FILE` does; a breakdown named like a report column is refused by the
    register's submit (the engine) as by the command line."""
    assert main(["register", "init", register_url]) == 0
    source = tmp_path / "cpe.csv"
    inclusionkit.write(partner_rows(seed, "cpe"), source, kind="participations")
    assert main(["register", "import", register_url, str(source), "--partner", "cpe"]) == 0
    assert main(["report", register_url, "--by", "region"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("INCLUSIONKIT_MAX_BREAKDOWN_VALUES", "1")
    assert main(["report", register_url, "--by", "region"]) == 2
    err = capsys.readouterr().err
    assert "--by region" in err
    assert "INCLUSIONKIT_MAX_BREAKDOWN_VALUES" in err
    assert main(["report", str(source), "--by", "region"]) == 2
    assert "INCLUSIONKIT_MAX_BREAKDOWN_VALUES" in capsys.readouterr().err
    assert main(["register", "submit", register_url, "--period", "2016", "--by", "region"]) == 2
    assert "INCLUSIONKIT_MAX_BREAKDOWN_VALUES" in capsys.readouterr().err
    with inclusionkit.open_register(register_url) as register:
        with pytest.raises(inclusionkit.InclusionKitError, match="INCLUSIONKIT_MAX_BREAKDOWN"):
            register.submit("2016", by=["region"])
        with pytest.raises(inclusionkit.InclusionKitError, match="cannot break down by 'value'"):
            register.submit("2016", by=["value"])
        assert register.submitted().empty
