"""Exported workbooks open in LibreOffice Calc and show the same numbers there.

Runs only where LibreOffice is installed (Debian: ``apt-get install libreoffice-calc-nogui``);
Calc converts each sheet to CSV headless, and the numbers are compared with the tables written.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from inclusionkit_xlsx import write_xlsx

import inclusionkit
from conftest import cell_of, example_report, progress_example, table_of, unpivot
from inclusionkit import examples
from inclusionkit.plugin import translate_table

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not on PATH (Debian package: libreoffice-calc-nogui)",
)

# Comma-separated, '"'-quoted, UTF-8 (76), from line 1; raw values, not "as shown" (token 9);
# every sheet to its own file (token 12 = -1, LibreOffice 7.2+).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _convert(workbook: Path, target: str, out: Path, tmp_path: Path) -> str:
    """Convert ``workbook`` headless with LibreOffice to ``target`` (a filter) into ``out``, with
    a profile of its own under ``tmp_path``; returns what LibreOffice printed."""
    assert SOFFICE is not None
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return f"{result.stdout} {result.stderr}"


def calc_sheets(workbook: Path, tmp_path: Path) -> dict[str, list[list[str]]]:
    """Convert every sheet of ``workbook`` to CSV with LibreOffice Calc and read them back."""
    assert SOFFICE is not None
    out = tmp_path / "calc"
    out.mkdir()
    printed = _convert(workbook, CSV_FILTER, out, tmp_path)
    sheets = {}
    for path in sorted(out.glob("*.csv")):
        sheet = path.stem.removeprefix(f"{workbook.stem}-")
        with open(path, encoding="utf-8", newline="") as handle:
            sheets[sheet] = list(csv.reader(handle))
    assert sheets, f"LibreOffice wrote no CSV: {printed}"
    return sheets


def test_report_opens_in_calc_with_the_same_numbers(tmp_path: Path) -> None:
    """Calc reads every sheet of a report workbook, and every indicator value is the same."""
    report = example_report()
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path, kind="report", options={"indicator_names": {"TOTAL": "All"}})
    sheets = calc_sheets(path, tmp_path)
    assert set(sheets) == {"Indicators", "Excluded", "Checks", "Provenance"}
    rows: list[list[object]] = table_of(sheets["Indicators"])
    got = unpivot(
        [rows[0], *[[*row[:2], *(float(c) for c in row[2:])] for row in rows[1:]]], names=True
    )
    table = report.table
    for code, cell, value in zip(
        table["indicator"], cell_of(table, ["gender", "region"]), table["value"], strict=True
    ):
        assert got[code, cell] == float(value)
    assert sheets["Checks"][2][1:] == ["FALSE", "1234", "1230"]
    provenance = dict(row[:2] for row in sheets["Provenance"][1:])
    assert provenance["counted"] == "1234"


def test_progress_opens_in_calc_with_the_same_numbers(tmp_path: Path) -> None:
    """Calc reads a progress workbook with the same targets, achievements and percentages."""
    table = progress_example()
    path = tmp_path / "progress.xlsx"
    write_xlsx(table, path, kind="progress", options={"lang": "ro"})
    (rows,) = calc_sheets(path, tmp_path).values()
    assert rows[0][0] == "Progresul indicatorilor"  # the title block, then the table
    header, *body = table_of(rows)
    assert header[6] == "Țintă"
    words = translate_table(table, "ro", headers=False)  # statuses in Romanian (atins, depășit)
    for row, (_, record), status in zip(body, table.iterrows(), words["status"], strict=True):
        for position, name in ((6, "target"), (7, "milestone"), (8, "achieved"), (9, "percent")):
            expected = record[name]
            assert (row[position] == "") if pd.isna(expected) else float(row[position]) == expected
        assert row[10] == status


def pdf_pages(workbook: Path, tmp_path: Path) -> int:
    """How many pages LibreOffice prints ``workbook`` on (every sheet, converted to PDF)."""
    assert SOFFICE is not None
    out = tmp_path / "pdf"
    out.mkdir()
    _convert(workbook, "pdf", out, tmp_path)
    pdf = (out / f"{workbook.stem}.pdf").read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_sfc2021_workbook_prints_on_a_few_pages(tmp_path: Path) -> None:
    """The SFC2021 workbook of a seed project prints one page wide: a few pages in all."""
    seed = examples.load("dreptul-la-munca")
    path = tmp_path / "sfc2021.xlsx"
    inclusionkit.write(inclusionkit.sfc2021_table(seed.participations), path, lang="ro")
    pages = pdf_pages(path, tmp_path)
    # 7 sheets, each one page wide; the outputs and results tables fit on a page or two each.
    assert 7 <= pages <= 12, pages
