"""Tests for the built-in Parquet format."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pyarrow.parquet as pq
import pytest
from hypothesis import given

from inclusionkit._errors import InclusionKitError
from inclusionkit._io import read, write
from inclusionkit._report_data import ReportData
from inclusionkit.testing import assert_round_trip, participation_tables, progress_tables
from tests.default_plugins.strategies import (
    engine_report,
    report_objects,
    sample_participations,
    sample_progress,
)


@given(participation_tables())
def test_participations_round_trip(table: pd.DataFrame) -> None:
    """A participation table written as Parquet reads back equal, dtypes included."""
    assert_round_trip(table, "parquet")


@given(progress_tables())
def test_progress_round_trip(table: pd.DataFrame) -> None:
    """A progress table written as Parquet reads back equal."""
    assert_round_trip(table, "parquet")


@given(report_objects())
def test_report_round_trip(report: Any) -> None:
    """A report written as Parquet reads back with equal tables and provenance."""
    assert_round_trip(report, "parquet")


def test_engine_report_round_trip() -> None:
    """A report computed by the indicator engine round-trips (its provenance unstructured)."""
    assert_round_trip(engine_report(), "parquet")


def test_report_parts_travel_in_the_file_metadata(tmp_path: Path) -> None:
    """The table is the data; provenance and the kind are key-value metadata."""
    report = ReportData(
        table=pd.DataFrame({"indicator": ["CO01"], "value": [2.0]}),
        provenance={"ruleset": "esf-2014"},
    )
    write(report, tmp_path / "r.parquet")
    metadata = pq.read_schema(tmp_path / "r.parquet").metadata
    assert metadata[b"inclusionkit.kind"] == b"report"
    assert metadata[b"inclusionkit.provenance"] == b'{"ruleset": "esf-2014"}'
    assert pq.read_table(tmp_path / "r.parquet").column_names == ["indicator", "value"]


def test_kind_is_told_from_the_file(tmp_path: Path) -> None:
    """Without kind=, participations, progress and reports are recognised."""
    write(sample_participations(), tmp_path / "p.parquet")
    write(sample_progress(), tmp_path / "g.parquet")
    write(ReportData(table=pd.DataFrame({"indicator": [], "value": []})), tmp_path / "r.parquet")
    pdt.assert_frame_equal(read(tmp_path / "p.parquet"), sample_participations())
    pdt.assert_frame_equal(read(tmp_path / "g.parquet"), sample_progress())
    assert isinstance(read(tmp_path / "r.parquet"), ReportData)


def test_participations_in_a_file_object_and_another_extension(tmp_path: Path) -> None:
    """A .pq path and a binary stream are read too."""
    write(sample_participations(), tmp_path / "p.pq")
    stream = io.BytesIO((tmp_path / "p.pq").read_bytes())
    pdt.assert_frame_equal(read(stream, format="parquet"), sample_participations())
    pdt.assert_frame_equal(read(tmp_path / "p.pq"), sample_participations())


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"participant_id,project_code\nP1,X\n", "a text file"),
        (b"PK\x03\x04rest of a zip", r"a ZIP archive \(an Excel .xlsx workbook.*\)"),
        (b"", "an empty file"),
    ],
)
def test_not_parquet_is_refused_clearly(tmp_path: Path, content: bytes, what: str) -> None:
    """A file that is not Parquet gets an error naming the file and what it is."""
    path = tmp_path / "p.parquet"
    path.write_bytes(content)
    with pytest.raises(InclusionKitError, match=rf"p\.parquet: this is {what}, not a Parquet file"):
        read(path)


def test_a_truncated_parquet_file_is_refused(tmp_path: Path) -> None:
    """A damaged Parquet file gets a clear error, not a pyarrow traceback."""
    write(sample_participations(), tmp_path / "p.parquet")
    data = (tmp_path / "p.parquet").read_bytes()
    (tmp_path / "p.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(InclusionKitError, match=r"p\.parquet: not a readable Parquet file"):
        read(tmp_path / "p.parquet")
