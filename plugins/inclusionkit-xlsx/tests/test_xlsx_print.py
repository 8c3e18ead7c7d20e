"""Print-ready workbooks: title block, A4 page setup, print titles, wrapped names, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from inclusionkit_xlsx import read_xlsx, write_xlsx
from inclusionkit_xlsx._write import WRAP_WIDTH, title_block

import inclusionkit
from conftest import example_report, header_row, progress_example, same, table_of, unpivot
from inclusionkit import COLUMN_NAMES, Exporter, Importer, examples
from inclusionkit.plugin import ReportData
from inclusionkit.testing import assert_round_trip


@pytest.fixture(scope="module")
def seed() -> Any:
    """The dreptul-la-munca seed project and its participations."""
    return examples.load("dreptul-la-munca")


def title_of(sheet: Any) -> list[str]:
    """The title block's lines of an openpyxl sheet (column A above the blank row)."""
    return [str(row[0].value) for row in sheet.iter_rows(max_row=header_row(sheet) - 2)]


def assert_print_ready(sheet: Any) -> int:
    """A4, one page wide, header row repeated and frozen below; returns the header row."""
    h = header_row(sheet)
    setup = sheet.page_setup
    assert setup.paperSize == int(sheet.PAPERSIZE_A4)  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert (sheet.page_margins.left, sheet.page_margins.top) == (0.4, 0.5)
    assert sheet.print_title_rows == f"$${h}:$${h}".replace("$$", "$")
    assert sheet.freeze_panes.endswith(str(h + 1))
    assert all(cell.font.bold for cell in sheet[h] if cell.value is not None)
    return h


def test_report_title_block_and_page_setup_in_english(tmp_path: Path) -> None:
    """A report's Indicators sheet has a title block with the rule set, and prints on A4."""
    path = tmp_path / "report.xlsx"
    names = {"TOTAL": "All participants " * 6}  # longer than a printed column: wraps
    report = example_report()
    write_xlsx(report, path, kind="report", options={"indicator_names": names})
    sheet = openpyxl.load_workbook(path)["Indicators"]
    h = assert_print_ready(sheet)
    title = title_of(sheet)
    assert title[0] == "Indicator report"
    p = ReportData.from_report(report).provenance
    assert f"Rule set: {p['ruleset']}, version {p['ruleset_version']}" in title
    assert title[-1].startswith("Generated: ")
    assert title[-1].endswith(" UTC")
    assert sheet["A1"].font.sz == 14
    name = sheet.cell(row=h + 1, column=2)
    assert name.value == names["TOTAL"]
    assert name.alignment.wrap_text
    assert sheet.column_dimensions["B"].width <= WRAP_WIDTH
    assert sheet.cell(row=h, column=1).alignment.wrap_text  # headers wrap too


def test_report_title_block_in_romanian(tmp_path: Path) -> None:
    """With lang='ro' the title block is Romanian."""
    path = tmp_path / "raport.xlsx"
    report = example_report()
    write_xlsx(report, path, kind="report", options={"lang": "ro"})
    sheet = openpyxl.load_workbook(path)["Indicatori"]
    assert_print_ready(sheet)
    title = title_of(sheet)
    assert title[0] == "Raport de indicatori"
    p = ReportData.from_report(report).provenance
    assert f"Set de reguli: {p['ruleset']}, versiunea {p['ruleset_version']}" in title
    assert title[-1].startswith("Generat la: ")


def test_every_sheet_prints_one_page_wide(tmp_path: Path) -> None:
    """Every sheet of a report, not only the main one, is A4, fit to width, header repeated."""
    path = tmp_path / "report.xlsx"
    write_xlsx(example_report(), path, kind="report", options={})
    book = openpyxl.load_workbook(path)
    for name in ("Excluded", "Checks", "Provenance"):
        sheet = book[name]
        assert sheet.page_setup.paperSize == int(sheet.PAPERSIZE_A4)  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes.endswith("2")


def test_narrow_table_portrait_wide_table_landscape(tmp_path: Path) -> None:
    """A narrow table prints portrait, a wide one (many breakdown columns) landscape."""
    narrow = tmp_path / "narrow.xlsx"
    write_xlsx(example_report(), narrow, kind="report", options={})
    assert openpyxl.load_workbook(narrow)["Indicators"].page_setup.orientation == "portrait"
    wide = tmp_path / "wide.xlsx"
    write_xlsx(progress_example(), wide, kind="progress", options={})
    assert openpyxl.load_workbook(wide)["Progress"].page_setup.orientation == "landscape"


def test_report_numbers_still_read_back(tmp_path: Path) -> None:
    """Below the title block the table reads back with the same numbers."""
    report = example_report()
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path, kind="report", options={})
    sheet = openpyxl.load_workbook(path)["Indicators"]
    got = unpivot(table_of(list(sheet.iter_rows(values_only=True))), names=False)
    assert got
    table = report.table
    for code, value in zip(table["indicator"], table["value"], strict=True):
        assert any(same(v, value) for (c, _), v in got.items() if c == code)


@pytest.mark.parametrize(
    ("lang", "first", "project"),
    [
        ("en", "SFC2021 report: output indicators (table 6)", "Project: "),
        ("ro", "Raport SFC2021: indicatori de realizare (tabelul 6)", "Proiect: "),
    ],
)
def test_sfc2021_title_block(
    tmp_path: Path, seed: Any, lang: str, first: str, project: str
) -> None:
    """The SFC2021 outputs and results sheets name the project, rule set and version."""
    report = inclusionkit.sfc2021_table(seed.participations)
    path = tmp_path / "sfc.xlsx"
    inclusionkit.write(report, path, lang=lang)
    book = openpyxl.load_workbook(path)
    outputs, results = book.worksheets[:2]
    for sheet in (outputs, results):
        h = assert_print_ready(sheet)
        assert sheet.page_setup.orientation == "landscape"
        names = [row[4].value for row in sheet.iter_rows(min_row=h + 1)]
        assert names
        assert all(row[4].alignment.wrap_text for row in sheet.iter_rows(min_row=h + 1))
    title = title_of(outputs)
    assert title[0] == first
    assert f"{project}{seed.participations['project_code'].iloc[0]}" in title
    p = report.provenance
    assert any(p.ruleset in line and p.ruleset_version in line for line in title)
    h = header_row(outputs)
    wide = report.wide("outputs", lang)
    assert outputs.cell(row=h, column=1).value == report.headers(lang)[wide.columns[0]]
    assert outputs.max_row == h + len(wide)


@pytest.mark.parametrize(("lang", "first"), [("ro", "Raport tehnic"), ("en", "Technical report")])
def test_technical_report_title_block(tmp_path: Path, seed: Any, lang: str, first: str) -> None:
    """The technical report's tables are headed by the project code, title and period."""
    report = inclusionkit.technical_report(seed.project, seed.participations, period="2015-Q2")
    path = tmp_path / "rt.xlsx"
    write_xlsx(report, path, kind="report", options={"lang": lang})
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets[1:]:
        h = assert_print_ready(sheet)
        title = title_of(sheet)
        assert title[0].startswith(first)
        assert any(report.project_code in line and report.project_title in line for line in title)
        assert any(str(report.period) in line for line in title)
        body = table_of(list(sheet.iter_rows(values_only=True)))
        assert body[0][0] == sheet.cell(row=h, column=1).value
    indicators = report.tables(lang)["indicators"]
    sheet = book.worksheets[1]
    assert sheet.max_row == header_row(sheet) + len(indicators)


def test_progress_title_names_the_project(tmp_path: Path) -> None:
    """A progress table with one project code names it in the title block (Romanian here)."""
    frame = progress_example().assign(project_code="POCU/1/2/3/4")
    path = tmp_path / "progres.xlsx"
    write_xlsx(frame, path, kind="progress", options={"lang": "ro"})
    sheet = openpyxl.load_workbook(path)["Progres"]
    assert_print_ready(sheet)
    assert title_of(sheet)[:2] == ["Progresul indicatorilor", "Proiect: POCU/1/2/3/4"]


def test_participations_with_a_title_block_read_back(
    tmp_path: Path, romanian_register: Path, importer: Importer, exporter: Exporter
) -> None:
    """The importer finds the header below the title block: the table reads back equal."""
    table = read_xlsx(romanian_register, kind="participations", options={})
    path = tmp_path / "p.xlsx"
    write_xlsx(table, path, kind="participations", options={"lang": "ro"})
    sheet = openpyxl.load_workbook(path)["Participanți"]
    assert_print_ready(sheet)
    assert title_of(sheet)[0] == "Participanți"
    assert [c.value for c in sheet[header_row(sheet)]] == list(COLUMN_NAMES)
    back = inclusionkit.read(path)
    pd.testing.assert_frame_equal(back, table[list(COLUMN_NAMES)])
    assert_round_trip(table[list(COLUMN_NAMES)], exporter, importer, kind="participations")


def test_title_block_lines() -> None:
    """The title lines come from the provenance: project, period, as-of, rule set, time."""
    generated = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    provenance = {
        "ruleset": "esf-2021",
        "ruleset_version": "2021.1",
        "as_of": "2024-12-31",
        "period": ["2024-10-01", "2024-12-31"],
    }
    assert title_block(
        "ro", "report", provenance=provenance, project="P1", generated=generated
    ) == [
        "Raport de indicatori",
        "Proiect: P1",
        "Perioada: 2024-10-01 – 2024-12-31",
        "La data de: 2024-12-31",
        "Set de reguli: esf-2021, versiunea 2021.1",
        "Generat la: 2025-01-02 03:04 UTC",
    ]
    assert title_block("en", "progress", generated=generated) == [
        "Indicator progress",
        "Generated: 2025-01-02 03:04 UTC",
    ]
