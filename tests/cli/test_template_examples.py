"""`inclusionkit template` writes a blank register that checks itself and reads back;
`inclusionkit examples export` writes the files the README's commands run on."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_romanian_template_has_drop_downs_date_cells_and_instructions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The xlsx template: a list check on gender, labour status, ISCED and every Da/Nu column,
    a date check and DD.MM.YYYY format on the date columns, a Romanian instructions sheet."""
    from openpyxl import load_workbook

    target = tmp_path / "registru.xlsx"
    code, _, err = run(["template", str(target), "--lang", "ro"], capsys)
    assert code == 0, err
    book = load_workbook(target)
    sheet = book["Registru"]
    headers = {cell.value: cell.column_letter for cell in sheet[1]}
    checks = {
        str(ref).split(":")[0][:-1]: check.type
        for check in sheet.data_validations.dataValidation
        for ref in check.sqref.ranges
    }
    for header in ("Gen", "Statut pe piața muncii", "Nivel educație (ISCED)", "Minoritate"):
        assert checks[headers[header]] == "list", header
    assert checks[headers["Data intrării"]] == "date"
    assert sheet[f"{headers['Data intrării']}2"].number_format == "DD.MM.YYYY"
    choices = [cell.value for cell in book["Liste"]["A"][1:] if cell.value]
    assert choices == ["feminin", "masculin", "non-binar"]
    assert "foaia „Registru”" in " ".join(
        str(cell.value) for cell in book["Instrucțiuni"]["A"] if cell.value
    )


def test_a_filled_template_reads_back_without_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row typed into the template with its drop-down values reads as the canonical row."""
    from openpyxl import load_workbook

    target = tmp_path / "registru.xlsx"
    assert run(["template", str(target), "--lang", "ro"], capsys)[0] == 0
    book = load_workbook(target)
    sheet = book["Registru"]
    values = {
        "Cod participant": "P-1",
        "Cod proiect": "POCU/1/2/3",
        "Gen": "feminin",
        "Data nașterii": dt.datetime(1990, 5, 17),
        "Data intrării": dt.datetime(2018, 3, 1),
        "Statut pe piața muncii": "șomer de lungă durată",
        "Nivel educație (ISCED)": "3",
        "Minoritate": "Da",
        "Regiune": "Sud-Muntenia",
    }
    for cell in sheet[1]:
        if cell.value in values:
            sheet.cell(row=2, column=cell.column, value=values[cell.value])
    book.save(target)
    table = inclusionkit.read_participations(target)
    row = table.iloc[0]
    assert (row["gender"], row["labour_status"], int(row["isced"])) == (
        "female",
        "long_term_unemployed",
        3,
    )
    assert bool(row["minority"])
    assert row["region"] == "RO31"
    assert pd.Timestamp(row["entry_date"]) == pd.Timestamp("2018-03-01")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_csv_template_is_a_header_every_command_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """template --format csv: one header line naming every contract column, read without a
    mapping (validate: 0 rows, all valid)."""
    target = tmp_path / "registru.csv"
    assert run(["template", str(target), "--lang", lang, "--format", "csv"], capsys)[0] == 0
    header = target.read_text(encoding="utf-8-sig").strip()
    assert len(re.split("[;,]", header)) == len(inclusionkit.COLUMN_NAMES)
    code, out, err = run(["validate", str(target)], capsys)
    assert code == 0, err
    assert "0 rows, all valid" in out


def test_examples_list_names_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    """examples list: one line per bundled example with its project code."""
    code, out, _ = run(["examples", "list"], capsys)
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == inclusionkit.examples.list()
    assert "POSDRU/165/6.2/S/143094" in out


def test_the_exported_romanian_register_reports_as_the_canonical_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exported Windows-1250 Romanian register gives the report of the canonical table,
    and the identified register's on-the-fly report counts as many participations."""
    assert run(["examples", "export", "dreptul-la-munca", str(tmp_path)], capsys)[0] == 0
    (tmp_path / "registru.csv").read_bytes().decode("cp1250")  # the encoding NGOs' files have
    reports = [
        run(["report", str(tmp_path / name), *extra], capsys)
        for name, extra in (
            ("participants.csv", []),
            ("registru.csv", []),
            ("registru.xlsx", []),
            ("register.csv", ["--key-file", str(tmp_path / "partners.key")]),
        )
    ]
    assert all(code == 0 for code, _, _ in reports), [err for _, _, err in reports]
    assert reports[0][1] == reports[1][1] == reports[2][1]
    assert reports[3][2].split(":")[1] == reports[0][2].split(":")[1]  # counted, excluded


def _tour() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Two minutes with the command line", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_tour_runs_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the README's command-line tour, as written, exits 0 in a fresh folder."""
    monkeypatch.chdir(tmp_path)
    commands = _tour()
    assert commands[0].startswith("inclusionkit examples export")
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "inclusionkit"
        code, _, err = run(argv[1:], capsys)
        assert code == 0, f"{command}: {err}"


GETTING_STARTED = README.parent / "docs" / "getting-started.md"


def test_the_getting_started_commands_run_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `inclusionkit` command of docs/getting-started.md runs as written, in order, in a
    fresh folder: exit 0, or 2 where its comment says so."""
    monkeypatch.chdir(tmp_path)
    text = GETTING_STARTED.read_text(encoding="utf-8")
    lines = [
        line
        for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)
        for line in block.splitlines()
        if line.startswith("inclusionkit ")
    ]
    assert lines[0].startswith("inclusionkit examples export")
    for line in lines:
        command, _, comment = line.partition("  #")
        expected = 2 if "exit 2" in comment else 0
        code, _, err = run(shlex.split(command)[1:], capsys)
        assert code == expected, f"{command}: {err}"
