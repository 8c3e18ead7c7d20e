"""The benchmark's imports phase: each whole-process command's imports alone, and the whole
process less them, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.bench import bench_module


def _report(rows: int, *medians: tuple[str, str, float]) -> dict[str, object]:
    """A run's report of one size with the given (phase, engine, median seconds) cases."""
    measurements = [
        {"phase": phase, "engine": engine, "median_s": seconds}
        for phase, engine, seconds in medians
    ]
    return {"sizes": [{"rows": rows, "measurements": measurements}]}


def test_the_work_after_the_imports_is_each_process_less_its_imports() -> None:
    """A row per input: inclusionkit's work with pandas counted as work and as an import,
    DuckDB's, and their ratios."""
    run = bench_module("run")
    report = _report(
        1_000_000,
        ("process_parquet", "inclusionkit", 0.80),
        ("process_parquet", "duckdb", 0.60),
        ("process_imports", "inclusionkit", 0.30),
        ("process_imports", "inclusionkit+pandas", 0.45),
        ("process_imports", "duckdb", 0.10),
    )
    (row,) = run._after_imports_rows(report, ("process_parquet", "process_csv"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells == [
        "parquet",
        "1,000,000",
        "0.300 (0.450)",
        "0.100",
        "0.500 (0.350)",
        "0.500",
        "1.00× (0.70×)",
    ]


def test_no_row_without_the_imports_measured() -> None:
    """A run without the imports phase (``--phases process_parquet``) shows no such table."""
    run = bench_module("run")
    report = _report(
        10, ("process_parquet", "inclusionkit", 0.8), ("process_parquet", "duckdb", 0.6)
    )
    assert run._after_imports_rows(report, ("process_parquet",)) == []


def test_each_imports_case_runs_as_a_fresh_process(tmp_path: Path) -> None:
    """Every engine's imports run in a child process that exits cleanly; nothing is counted, so
    there is no report to compare."""
    pytest.importorskip("duckdb")
    generate, run = bench_module("generate"), bench_module("run")
    cases = [c for c in run.CASES if c.phase == run.IMPORTS_PHASE]
    assert {c.engine for c in cases} == {"inclusionkit", "inclusionkit+pandas", "duckdb"}
    assert run.IMPORTS_PHASE in run.DEFAULT_PHASES
    for case in cases:
        spec = run.worker_spec(case, 10, tmp_path, generate.AS_OF)
        measured = run.worker(spec)
        assert measured["seconds"] > 0
        assert measured["peak_rss_mib"] > 0
        assert measured["result_hash"] is None
