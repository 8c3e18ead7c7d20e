"""The benchmark's csv_compute phase: a report from a CSV file's path, in process, against DuckDB
and polars reading the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.bench import bench_module

ROWS = 3_000


def test_phase_compares_with_duckdb_at_the_issue_target() -> None:
    """The phase is a DuckDB comparison with the issue's target (≤ 1.0×) and runs by default."""
    run = bench_module("run")
    targets = {(c.reference, c.target) for c in run.COMPARISONS if c.phase == "csv_compute"}
    assert targets == {("duckdb", 1.0), ("polars", None)}
    assert "csv_compute" in run.DEFAULT_PHASES


def test_every_engine_gives_the_same_table(tmp_path: Path) -> None:
    """inclusionkit, DuckDB and polars each count the generated CSV file to one table."""
    pytest.importorskip("duckdb")
    pytest.importorskip("polars")
    generate, run = bench_module("generate"), bench_module("run")
    generate.generate(ROWS, tmp_path, formats=("parquet", "csv"))
    hashes = {}
    for case in (c for c in run.CASES if c.phase == "csv_compute"):
        spec = run.worker_spec(case, ROWS, tmp_path, generate.AS_OF)
        measured = run.worker(spec)
        assert measured["seconds"] > 0
        hashes[case.engine] = measured["result_hash"]
    assert set(hashes) == {"inclusionkit", "duckdb", "polars"}
    assert len(set(hashes.values())) == 1, hashes
