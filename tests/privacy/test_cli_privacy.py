"""Tests for the ``pseudonymise`` and ``retention`` commands, run through click directly.

The commands are registered in the main group by a colleague; these tests build a small group of
their own so they do not depend on that registration.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from inclusionkit import COLUMN_NAMES, read_participations
from inclusionkit.cli import _Group
from inclusionkit.cli._privacy import pseudonymise_command, retention_command
from inclusionkit.ro import cnp_check_digit


@click.group(cls=_Group)
def group() -> None:
    """A stand-in for the main group, with its error handling."""


group.add_command(pseudonymise_command)
group.add_command(retention_command)

ANA = "290051740001" + cnp_check_digit("290051740001")
ION = "185030212345" + cnp_check_digit("185030212345")
HEADER = [name for name in COLUMN_NAMES if name != "participant_id"]


def write_register(path: Path, rows: list[dict[str, str]]) -> None:
    """A partner's register as CSV: canonical columns (no participant_id) and identifiers."""
    columns = [*HEADER, "CNP", "Nume", "Prenume", "Telefon"]
    lines = [";".join(columns)]
    for row in rows:
        base = {
            "project_code": "POCU/449/4/16/127700",
            "entry_date": "01.03.2020",
            "labour_status": "unemployed",
            "isced": "2",
            "region": "RO32",
        }
        base.update(row)
        lines.append(";".join(base.get(column, "") for column in columns))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A fresh key file in the documented format (64 hex digits)."""
    path = tmp_path / "key.txt"
    path.write_text(secrets.token_hex(32) + "\n")
    return path


def test_pseudonymise_writes_a_table_without_identifiers(tmp_path: Path, key_file: Path) -> None:
    """The command writes the canonical table with keyed ids and no identifier anywhere."""
    source = tmp_path / "register.csv"
    write_register(
        source,
        [
            {"CNP": ANA, "Nume": "Zamfir", "Prenume": "Ana", "Telefon": "0722111222"},
            {"CNP": "", "Nume": "Vlad", "Prenume": "Ion", "birth_date": "02.03.1985"},
        ],
    )
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(
        group, ["pseudonymise", str(source), str(target), "--key-file", str(key_file)]
    )
    assert result.exit_code == 0, result.output
    assert "2 row(s) pseudonymised (1 from the CNP, 1 from name and birth date)" in result.output
    data = target.read_bytes()
    for secret in (ANA, "Zamfir", "Vlad", "0722111222", key_file.read_text().strip()):
        assert secret.encode() not in data
    table = read_participations(target)
    assert table["participant_id"].str.startswith("ik1_").all()
    assert table.loc[0, "gender"] == "female"
    assert table.loc[0, "birth_date"] == pd.Timestamp("1990-05-17")


def test_pseudonymise_refuses_rejected_rows_unless_asked(tmp_path: Path, key_file: Path) -> None:
    """Bad rows fail the command (exit 2, nothing written) or go to --rejected when given."""
    source = tmp_path / "register.csv"
    write_register(source, [{"CNP": ANA}, {"CNP": "12345"}])
    target = tmp_path / "out.csv"
    runner = CliRunner()
    failed = runner.invoke(
        group, ["pseudonymise", str(source), str(target), "--key-file", str(key_file)]
    )
    assert failed.exit_code == 2
    assert "line 3: the CNP is invalid (length)" in failed.output
    assert "12345" not in failed.output
    assert not target.exists()
    rejected = tmp_path / "rejected.csv"
    ok = runner.invoke(
        group,
        [
            "pseudonymise",
            str(source),
            str(target),
            "--key-file",
            str(key_file),
            "--rejected",
            str(rejected),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert len(read_participations(target)) == 1
    assert "cnp.length" in rejected.read_text()


def test_pseudonymise_without_key_file_explains_how_to_make_one(tmp_path: Path) -> None:
    """A missing key file exits 2 with the command that creates a key."""
    source = tmp_path / "register.csv"
    write_register(source, [{"CNP": ANA}])
    result = CliRunner().invoke(
        group,
        ["pseudonymise", str(source), str(tmp_path / "o.csv"), "--key-file", str(tmp_path / "k")],
    )
    assert result.exit_code == 2
    assert "secrets.token_hex(32)" in result.output


def test_pseudonymise_drops_extra_id_columns(tmp_path: Path, key_file: Path) -> None:
    """--id-columns removes further columns; the written table never has them anyway."""
    source = tmp_path / "register.csv"
    write_register(source, [{"CNP": ION}])
    target = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        group,
        [
            "pseudonymise",
            str(source),
            str(target),
            "--key-file",
            str(key_file),
            "--id-columns",
            "region,partner",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "removed column(s): last_name, first_name, cnp, Telefon" in result.output
    assert ION.encode() not in target.read_bytes()


def test_retention_lists_expired_and_writes_anonymised(tmp_path: Path) -> None:
    """retention prints the schedule, writes the anonymised rows and the expired keys."""
    from inclusionkit import examples

    source = tmp_path / "p.parquet"
    example = examples.load("dreptul-la-munca")
    assert example.participations is not None
    example.participations.to_parquet(source)
    output = tmp_path / "anon.csv"
    expired = tmp_path / "expired.csv"
    result = CliRunner().invoke(
        group,
        [
            "retention",
            str(source),
            "--until",
            "2031-01-01",
            "--project-end",
            "2015-10-31",
            "--output",
            str(output),
            "--expired",
            str(expired),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "900 participation(s) expired by 2031-01-01" in result.output
    assert len(read_participations(output)) == 900
    assert "DLM-0001" in expired.read_text()
    assert "DLM-0001" not in output.read_text()


def test_retention_needs_one_kind_of_end_date(tmp_path: Path) -> None:
    """--project-end and --project together are a usage error; neither gives a note."""
    source = tmp_path / "p.parquet"
    from inclusionkit import examples

    example = examples.load("dreptul-la-munca")
    assert example.participations is not None
    example.participations.to_parquet(source)
    runner = CliRunner()
    both = runner.invoke(
        group,
        [
            "retention",
            str(source),
            "--until",
            "2031-01-01",
            "--project-end",
            "2015-10-31",
            "--project",
            str(source),
        ],
    )
    assert both.exit_code == 2
    neither = runner.invoke(group, ["retention", str(source), "--until", "2020-01-01"])
    assert neither.exit_code == 0
    assert "no project end given" in neither.output
    assert "0 participation(s) expired" in neither.output


def test_retention_takes_end_dates_from_project_files(tmp_path: Path) -> None:
    """--project FILE uses the project's period end for its code."""
    from importlib import resources

    from inclusionkit import examples

    example = examples.load("dreptul-la-munca")
    assert example.participations is not None
    assert example.project.period.end is not None
    source = tmp_path / "p.parquet"
    example.participations.to_parquet(source)
    project = resources.files("inclusionkit.examples") / "data" / "dreptul-la-munca.json"
    end = example.project.period.end
    runner = CliRunner()
    args = ["retention", str(source), "--project", str(project), "--years", "10"]
    before = runner.invoke(group, [*args, "--until", end.replace(year=end.year + 10).isoformat()])
    assert before.exit_code == 0, before.output
    assert "900 participation(s) expired" in before.output
    day_before = end.replace(year=end.year + 10) - dt.timedelta(days=1)
    not_yet = runner.invoke(group, [*args, "--until", day_before.isoformat()])
    assert "0 participation(s) expired" in not_yet.output
