"""``inclusionkit report`` reads only the report's columns (its projection) in every case: with
``--allow-by`` (a breakdown outside the contract), ``--key-file`` and a register's URL."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import COLUMN_NAMES, ValidationError, examples
from inclusionkit._register import _store
from inclusionkit._rules._report import report_columns
from inclusionkit.cli import main

AS_OF = "2026-12-01"
RULES = "esf-2007"  # the example's project codes' rule set; it reads no third_country_national


def _report(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["report", *args, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _example() -> pd.DataFrame:
    table = examples.load("dreptul-la-munca").participations
    assert table is not None
    return table


def _with_bad_cell(path: Path, clean: pd.DataFrame) -> Path:
    """``clean`` written to ``path`` with a cell no reader can type, in a column the report
    of :data:`RULES` does not read."""
    assert "third_country_national" not in (report_columns(RULES, ["gender"]) or ())
    bad = clean.astype(str).replace({"<NA>": "", "NaT": "", "nan": ""})
    bad.loc[3, "third_country_national"] = "maybe"
    bad.to_csv(path, index=False)
    with pytest.raises(ValidationError):  # a whole read stops on it
        inclusionkit.read(path, kind="participations", keep_extra=True)
    return path


def test_allow_by_reads_the_projection_and_the_breakdown_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--allow-by COLUMN reads the report's columns and COLUMN: a bad cell elsewhere is unread."""
    table = _example().assign(cohort=lambda frame: frame["partner"].astype(str).str[:3])
    clean = tmp_path / "clean.csv"
    inclusionkit.write(table, clean, kind="table")
    bad = _with_bad_cell(tmp_path / "bad.csv", table)
    options = ["--rules", RULES, "--allow-by", "cohort", "--by", "gender,cohort"]
    expected = _report([str(clean), *options, "--excluded", str(tmp_path / "a.csv")], capsys)
    assert "cohort" in expected.splitlines()[0]
    assert _report([str(bad), *options, "--excluded", str(tmp_path / "b.csv")], capsys) == expected
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_key_file_reads_the_projection_and_what_pseudonymising_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--key-file reads the names it hashes and the report's columns: a bad cell elsewhere is
    unread, and the report (ids, excluded rows' lines) is the clean register's."""
    table = _example()
    register = table.drop(columns="participant_id").assign(
        last_name=table["participant_id"], first_name="Ion"
    )
    register["birth_date"] = register["birth_date"].fillna(pd.Timestamp("1990-01-01"))
    clean = tmp_path / "clean.csv"
    inclusionkit.write(register, clean, kind="table")
    bad = _with_bad_cell(tmp_path / "bad.csv", register)
    key = tmp_path / "key.txt"
    key.write_text(secrets.token_hex(32))
    options = ["--rules", RULES, "--key-file", str(key), "--by", "gender,age_band"]
    expected = _report([str(clean), *options, "--excluded", str(tmp_path / "a.csv")], capsys)
    assert _report([str(bad), *options, "--excluded", str(tmp_path / "b.csv")], capsys) == expected
    excluded = (tmp_path / "a.csv").read_text()
    assert "ik1_" in excluded
    assert excluded == (tmp_path / "b.csv").read_text()


def test_a_register_url_is_read_for_the_projection_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register's URL is asked for the report's columns alone, and reported as a whole read."""
    example = examples.load("dreptul-la-munca")
    path = tmp_path / "registru.db"
    table = _example()
    with inclusionkit.init_register(path, example.project) as register:
        for partner, rows in table.groupby("partner"):
            source = tmp_path / f"{partner}.csv"
            inclusionkit.write(rows, source, kind="participations")
            register.import_table(source, partner=str(partner))
        whole = register.participations()
    asked: list[tuple[str, ...]] = []
    counted_arrow = _store.Register.counted_arrow

    def spy(self: _store.Register, **options: Any) -> Any:
        asked.append(tuple(options.get("columns", COLUMN_NAMES)))
        return counted_arrow(self, **options)

    monkeypatch.setattr(_store.Register, "counted_arrow", spy)
    out = _report([f"sqlite:///{path}", "--rules", RULES, "--by", "gender,age_band"], capsys)
    projection = report_columns(RULES, ["gender", "age_band"]) or ()
    assert asked == [tuple(name for name in COLUMN_NAMES if name in projection)]
    assert len(asked[0]) < len(COLUMN_NAMES)  # this rule set reads fewer columns than there are
    expected = inclusionkit.compute(whole, RULES, by=["gender", "age_band"], as_of=AS_OF)
    from inclusionkit.cli._report import report_csv

    assert out == report_csv(expected.table)


@pytest.mark.parametrize("engine", ["streaming", "dask"])
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_register_url_with_a_file_engine_is_refused_before_it_is_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    engine: str,
    lang: str,
) -> None:
    """A register's URL with --engine streaming or dask (engines that read Parquet files) stops
    with what to do instead, in the user's language, before the register is read, and the URL
    (which may hold a password) is not echoed."""
    path = tmp_path / "registru.db"
    with inclusionkit.init_register(path, examples.load("dreptul-la-munca").project):
        pass
    read: list[object] = []
    monkeypatch.setattr(_store.Register, "counted_arrow", lambda *a, **k: read.append(a))
    url = f"sqlite:///{path}"
    code = main(["report", url, "--engine", engine, "--lang", lang, "-o", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert code != 0
    assert not read
    assert url not in err
    assert "Traceback" not in err
    assert f"--engine {engine}" in err
    assert ("nu un registru" in err) == (lang == "ro")
    assert ("not a register" in err) == (lang == "en")
    assert not (tmp_path / "r.csv").exists()
