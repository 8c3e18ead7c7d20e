"""Writing workbooks: round trips, the same numbers through an independent reader, formatting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import inclusionkit_xlsx
import openpyxl
import pandas as pd
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inclusionkit_xlsx import read_xlsx, write_xlsx

import inclusionkit
from conftest import (
    cell_of,
    example_report,
    header_row,
    number,
    progress_example,
    same,
    table_of,
    unpivot,
)
from inclusionkit import COLUMN_NAMES, Exporter, Importer, InclusionKitError
from inclusionkit.plugin import ReportData
from inclusionkit.testing import (
    assert_round_trip,
    participation_tables,
    progress_tables,
    registered_plugin,
    reports,
)

EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def calamine_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as rows of cells, read by python-calamine (not openpyxl)."""
    with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }


# -- round trips ------------------------------------------------------------------------------


@EXAMPLES
@given(table=participation_tables())
def test_participations_round_trip(
    table: pd.DataFrame, importer: Importer, exporter: Exporter
) -> None:
    """A participation table written to xlsx reads back equal, dtypes included."""
    assert_round_trip(table, exporter, importer, kind="participations")


@EXAMPLES
@given(
    report=st.sampled_from([("gender",), ("gender", "region"), ()]).flatmap(
        lambda by: reports(by=by)
    )
)
def test_report_numbers_read_back_by_calamine(
    report: ReportData, exporter: Exporter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every indicator value of a report reads back the same through python-calamine."""
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_xlsx(report, path, kind="report", options={})
    sheets = calamine_sheets(path)
    assert list(sheets) == ["Indicators", "Excluded", "Checks", "Provenance"]
    table = report.table
    breakdowns = [c for c in table.columns if c not in ("indicator", "value")]
    got = unpivot(table_of(sheets["Indicators"]), names=False)
    expected = dict(
        zip(
            zip(table["indicator"], cell_of(table, breakdowns), strict=True),
            table["value"],
            strict=True,
        )
    )
    assert set(got) == set(expected)
    assert all(same(got[cell], value) for cell, value in expected.items())
    published = ReportData.for_export(report)  # excluded: counts by reason, no ids
    for part in ("excluded", "checks"):
        frame = getattr(published, part)
        header, *body = sheets[part.title()]
        assert header == [str(c) for c in frame.columns]
        assert len(body) == len(frame)
        for j, column in enumerate(frame.columns):
            expected = frame[column].tolist()
            got = [row[j] for row in body]
            if pd.api.types.is_bool_dtype(frame[column].dtype):
                assert got == expected
            elif pd.api.types.is_numeric_dtype(frame[column].dtype):
                assert all(same(number(a), b) for a, b in zip(got, expected, strict=True))
            else:
                assert got == ["" if pd.isna(b) else b for b in expected]
    provenance = {row[0]: row[1] for row in sheets["Provenance"][1:]}
    assert provenance["ruleset"] == "esf-2014"
    assert number(provenance["input_rows"]) == report.provenance["input_rows"]
    assert provenance["as_of"] == (report.provenance["as_of"] or "")


@EXAMPLES
@given(table=progress_tables())
def test_progress_numbers_read_back_by_calamine(
    table: pd.DataFrame, exporter: Exporter, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Target, achieved, percent and status of a progress table read back the same via calamine."""
    path = tmp_path_factory.mktemp("progress") / "progress.xlsx"
    write_xlsx(table, path, kind="progress", options={})
    (rows,) = calamine_sheets(path).values()
    header, *body = table_of(rows)
    assert len(body) == len(table)
    columns = dict(zip(table.columns, range(len(header)), strict=True))
    for row, (_, record) in zip(body, table.iterrows(), strict=True):
        for name in ("baseline", "target", "milestone", "achieved", "percent"):
            assert same(number(row[columns[name]]), record[name]), name
        for name in ("objective", "indicator", "name", "status", "source"):
            assert row[columns[name]] == record[name]


# -- the report workbook ---------------------------------------------------------------------


def test_report_layout_and_formatting(tmp_path: Path) -> None:
    """Indicators are rows and breakdown cells columns; headers are bold, frozen and filtered."""
    path = tmp_path / "report.xlsx"
    names = {"TOTAL": "All participants", "CO01": {"en": "Unemployed", "ro": "Șomeri"}}
    write_xlsx(example_report(), path, kind="report", options={"indicator_names": names})
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Indicators", "Excluded", "Checks", "Provenance"]
    sheet = workbook["Indicators"]
    h = header_row(sheet)
    header = [cell.value for cell in sheet[h]]
    assert header[:3] == ["Indicator", "Name", "gender: total / region: total"]
    assert "gender: female / region: RO21" in header
    assert [row[0].value for row in sheet.iter_rows(min_row=h + 1)] == ["TOTAL", "CO01", "CO02"]
    assert [row[1].value for row in sheet.iter_rows(min_row=h + 1)] == [
        "All participants",
        "Unemployed",
        None,
    ]
    assert sheet.freeze_panes == f"C{h + 1}"
    last = openpyxl.utils.get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A{h}:{last}{h + 3}"
    assert all(cell.font.bold for cell in sheet[h])
    assert sheet.cell(row=h + 1, column=3).value == 1234
    assert sheet.cell(row=h + 1, column=3).number_format == "#,##0"
    assert sheet.column_dimensions["B"].width >= len("All participants")
    for name in workbook.sheetnames:
        first = h if name == "Indicators" else 1
        assert workbook[name].freeze_panes is not None
        assert all(cell.font.bold for cell in workbook[name][first])
    checks = workbook["Checks"]
    assert checks["B3"].value is False
    assert checks["B3"].fill.start_color.rgb.endswith("FFC7CE")
    provenance = {row[0].value: row[1].value for row in workbook["Provenance"].iter_rows(min_row=2)}
    assert provenance["ruleset"] == "esf-2014"
    assert provenance["as_of"] is None
    assert provenance["counted"] == 1234
    assert provenance["breakdowns"] == "gender, region"
    assert provenance["exported_by"] == f"inclusionkit-xlsx {inclusionkit_xlsx.__version__}"


def test_report_names_in_romanian(tmp_path: Path) -> None:
    """With lang='ro' sheets, headers and bilingual indicator names are Romanian."""
    path = tmp_path / "raport.xlsx"
    names = {"CO01": {"en": "Unemployed", "ro": "Șomeri"}}
    write_xlsx(
        example_report(), path, kind="report", options={"lang": "ro", "indicator_names": names}
    )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Indicatori", "Excluși", "Verificări", "Proveniență"]
    sheet = workbook["Indicatori"]
    h = header_row(sheet)
    assert [cell.value for cell in sheet[h]][:2] == ["Indicator", "Denumire"]
    assert sheet.cell(row=h + 2, column=2).value == "Șomeri"


def test_report_without_names_shows_codes_only(tmp_path: Path) -> None:
    """Without names anywhere, the sheet has codes and values, frozen after the code column."""
    path = tmp_path / "report.xlsx"
    write_xlsx(example_report(), path, kind="report", options={})
    sheet = openpyxl.load_workbook(path)["Indicators"]
    h = header_row(sheet)
    assert [cell.value for cell in sheet[h]][:2] == ["Indicator", "gender: total / region: total"]
    assert sheet.freeze_panes == f"B{h + 1}"


def test_report_names_from_a_registered_ruleset(tmp_path: Path) -> None:
    """Names come from the registered rule set the provenance names, when nothing else does."""
    document = {
        "name": "esf-2014",
        "version": "1",
        "indicators": [
            {
                "code": "CO01",
                "name": {"en": "Unemployed", "ro": "Șomeri"},
                "unit": "persons",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "count"},
            }
        ],
    }

    class Rules:
        __name__ = "test-rules"

        @staticmethod
        @inclusionkit.hookspecs.hookimpl
        def register_rulesets(register: Any) -> None:
            register(document)

    path = tmp_path / "report.xlsx"
    try:
        with registered_plugin(Rules(), name="test-rules"):
            write_xlsx(example_report(), path, kind="report", options={"lang": "ro"})
    except InclusionKitError as exc:  # a core that already ships esf-2014 refuses the clash
        pytest.skip(f"cannot register a test rule set here: {exc}")
    sheet = openpyxl.load_workbook(path)["Indicatori"]
    assert sheet.cell(row=header_row(sheet) + 2, column=2).value == "Șomeri"


def test_report_with_a_duplicate_cell_is_refused(tmp_path: Path) -> None:
    """Two values for one indicator and cell cannot be laid out and are refused."""
    report = example_report()
    table = pd.concat([report.table, report.table.head(1)])
    with pytest.raises(InclusionKitError, match="two rows for indicator 'TOTAL'"):
        write_xlsx(
            attrs.evolve(report, table=table), tmp_path / "r.xlsx", kind="report", options={}
        )


def test_engine_report_round_trip_numbers(tmp_path: Path, romanian_register: Path) -> None:
    """A report computed by the engine writes, and its numbers read back via calamine."""
    compute = getattr(inclusionkit, "compute", None)
    if compute is None:
        pytest.skip("the indicator engine (inclusionkit.compute) is not in this core yet")
    frame = read_xlsx(romanian_register, kind="participations", options={})
    report = compute(frame, rules="esf-2014", by=("gender",))
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path, kind="report", options={})
    table = report.table
    got = unpivot(table_of(calamine_sheets(path)["Indicators"]), names=True)
    for code, cell, value in zip(
        table["indicator"], cell_of(table, ["gender"]), table["value"], strict=True
    ):
        assert same(got[code, cell], value)


# -- progress and participations -----------------------------------------------------------


def test_progress_formatting(tmp_path: Path) -> None:
    """One Progress sheet: labelled headers, frozen, percent format and coloured statuses."""
    path = tmp_path / "progress.xlsx"
    write_xlsx(progress_example(), path, kind="progress", options={})
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Progress"]
    sheet = workbook["Progress"]
    h = header_row(sheet)
    header = [cell.value for cell in sheet[h]]
    assert header == [
        "Objective",
        "Indicator",
        "Name",
        "Unit",
        "Kind",
        "Baseline",
        "Target",
        "Milestone",
        "Achieved",
        "Percent (%)",
        "Status",
        "Source",
    ]
    assert sheet.freeze_panes == f"D{h + 1}"
    assert sheet[f"J{h + 2}"].value == 71.0
    assert sheet[f"J{h + 2}"].number_format == "0.0"
    assert sheet[f"I{h + 2}"].number_format == "#,##0.00"
    assert sheet[f"H{h + 1}"].value is None
    assert sheet[f"K{h + 1}"].fill.start_color.rgb.endswith("C6EFCE")
    assert sheet[f"K{h + 2}"].fill.start_color.rgb.endswith("FFEB9C")


def test_progress_in_romanian(tmp_path: Path) -> None:
    """With lang='ro' the progress sheet and its headers are Romanian."""
    path = tmp_path / "progres.xlsx"
    write_xlsx(progress_example(), path, kind="progress", options={"lang": "ro"})
    sheet = openpyxl.load_workbook(path)["Progres"]
    headers = [cell.value for cell in sheet[header_row(sheet)]]
    assert headers[6:10] == ["Țintă", "Jalon", "Realizat", "Procent (%)"]


def test_participations_export_has_canonical_columns_only(
    tmp_path: Path, romanian_register: Path
) -> None:
    """Identifiers carried in a table never reach the exported workbook."""
    table = read_xlsx(romanian_register, kind="participations", options={"keep_identifiers": True})
    assert "cnp" in table.columns
    path = tmp_path / "p.xlsx"
    write_xlsx(table, path, kind="participations", options={})
    (rows,) = calamine_sheets(path).values()
    assert table_of(rows)[0] == list(COLUMN_NAMES)
    assert all("2900102123456" not in map(str, row) for row in rows)
    assert all("Popescu" not in map(str, row) for row in rows)


def test_participation_dates_are_date_cells(tmp_path: Path, romanian_register: Path) -> None:
    """Dates are written as date cells in ISO format, not as text."""
    table = read_xlsx(romanian_register, kind="participations", options={})
    path = tmp_path / "p.xlsx"
    write_xlsx(table, path, kind="participations", options={})
    sheet = openpyxl.load_workbook(path)["Participations"]
    entry = sheet.cell(row=header_row(sheet) + 1, column=COLUMN_NAMES.index("entry_date") + 1)
    assert isinstance(entry.value, dt.datetime)
    assert entry.number_format == "yyyy-mm-dd"


def test_unknown_write_option_is_refused(tmp_path: Path) -> None:
    """A misspelt write option is an error."""
    with pytest.raises(InclusionKitError, match="language"):
        write_xlsx(
            progress_example(), tmp_path / "p.xlsx", kind="progress", options={"language": "ro"}
        )


def test_unsupported_kind_is_refused(tmp_path: Path) -> None:
    """The writer says what it writes when asked for something else."""
    with pytest.raises(
        InclusionKitError, match="writes reports, progress tables and participations"
    ):
        write_xlsx(progress_example(), tmp_path / "p.xlsx", kind="project", options={})


def test_failed_write_leaves_no_file(tmp_path: Path, exporter: Exporter) -> None:
    """Through the host, a write that fails leaves neither the target nor a partial file."""
    from inclusionkit.plugin import write_with

    with pytest.raises(InclusionKitError):
        write_with(exporter, "not a table", tmp_path / "p.xlsx", kind="progress")
    assert list(tmp_path.iterdir()) == []
