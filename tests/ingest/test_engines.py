"""The streaming and Dask engines read files through the ingestion pipeline too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from tests.ingest.test_doors import RO_HEADERS, _ro_csv, _rows


def _same_report(left: inclusionkit.Report, right: inclusionkit.Report) -> None:
    pd.testing.assert_frame_equal(
        left.table.reset_index(drop=True), right.table.reset_index(drop=True)
    )


def test_streaming_maps_a_parquet_register_like_the_in_memory_reader(tmp_path: Path) -> None:
    """A Parquet register with Romanian headers and words streams to the in-memory report."""
    frame = pd.DataFrame(_rows(), columns=RO_HEADERS).replace("", None)
    path = tmp_path / "r.parquet"
    frame.to_parquet(path, index=False)
    table = inclusionkit.read_participations(path)
    _same_report(inclusionkit.compute(path, engine="streaming"), inclusionkit.compute(table))


def test_dask_reads_a_windows_1250_register_like_the_in_memory_reader(tmp_path: Path) -> None:
    """A Windows-1250 ';' CSV with Romanian headers gives Dask the in-memory report."""
    pytest.importorskip("dask.dataframe")
    path = _ro_csv(tmp_path / "r.csv", encoding="cp1250")
    table = inclusionkit.read_participations(path)
    _same_report(inclusionkit.compute(path, engine="dask"), inclusionkit.compute(table))
