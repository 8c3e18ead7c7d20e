"""A report file is for publishing: its excluded participations are counts by reason, and their
participant ids are written only when the caller asks with ``include_excluded_ids=True``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import inclusionkit
from inclusionkit._report_data import ReportData, excluded_by_reason
from inclusionkit.cli import main
from tests.security._samples import example

MARK = "QZXEXCLUDED"
FORMATS = ("json", "parquet", "xlsx")


def _report() -> inclusionkit.Report:
    """A report with five excluded participations whose ids carry a distinctive mark."""
    _, table = example()
    frame = table.head(80).copy()
    frame["participant_id"] = frame["participant_id"].astype("string")
    frame.loc[:4, "participant_id"] = [f"{MARK}{n}" for n in range(5)]
    frame.loc[:4, "isced"] = pd.NA
    report = inclusionkit.compute(frame)
    assert len(report.excluded) == 5
    return report


def _all_text(path: Path) -> str:
    """Every piece of text a reader could get from the file (workbook cells or raw bytes)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_file_has_excluded_counts_not_ids(tmp_path: Path, fmt: str) -> None:
    """write(report, 'r.<fmt>') carries excluded counts by reason and no participant id."""
    report = _report()
    path = tmp_path / f"r.{fmt}"
    inclusionkit.write(report, path)
    assert MARK not in _all_text(path)
    back = ReportData.from_report(inclusionkit.read(path, kind="report")) if fmt != "xlsx" else None
    if back is not None:
        assert list(back.excluded.columns) == ["reason", "count"]
        assert back.excluded["count"].sum() == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_excluded_ids_only_when_asked(tmp_path: Path, fmt: str) -> None:
    """include_excluded_ids=True writes the engine's excluded rows, ids included."""
    path = tmp_path / f"r.{fmt}"
    inclusionkit.write(_report(), path, include_excluded_ids=True)
    assert f"{MARK}0" in _all_text(path)


def test_excluded_by_reason_counts_each_reason_and_is_idempotent() -> None:
    """The summary has one row per reason with its count, and summarising it again changes
    nothing."""
    excluded = _report().excluded
    summary = excluded_by_reason(excluded)
    assert dict(zip(summary["reason"], summary["count"], strict=True)) == (
        excluded["reason"].astype(str).value_counts().to_dict()
    )
    pd.testing.assert_frame_equal(excluded_by_reason(summary), summary)


def test_demo_workbook_has_no_excluded_ids(tmp_path: Path) -> None:
    """The demo's esf workbooks carry an Excluded sheet of reason and count, no participant id."""
    assert main(["demo", "--output", str(tmp_path)]) == 0
    books = sorted(tmp_path.rglob("*.xlsx"))
    assert books
    for book in books:
        workbook = openpyxl.load_workbook(book, read_only=True)
        if "Excluded" in workbook.sheetnames:
            header = next(workbook["Excluded"].iter_rows(values_only=True), ())
            assert "participant_id" not in header, book.name
