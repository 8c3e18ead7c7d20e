"""The benchmark's imports phase: each whole-process command's imports alone, and the whole
process less them, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.bench import bench_module


def _measured(phase: str, engine: str, seconds: float) -> dict[str, object]:
    return {"phase": phase, "engine": engine, "median_s": seconds}


def test_the_work_after_the_imports_is_each_process_less_its_imports() -> None:
    """A row per input: inclusionkit's work with pandas counted as work and as an import,
    DuckDB's, and their ratios."""
    run = bench_module("run")
    size = {
        "rows": 1_000_000,
        "measurements": [
            _measured("process_parquet", "inclusionkit", 0.80),
            _measured("process_parquet", "duckdb", 0.60),
            _measured("process_imports", "inclusionkit", 0.30),
            _measured("process_imports", "inclusionkit+pandas", 0.45),
            _measured("process_imports", "duckdb", 0.10),
        ],
    }
    (row,) = run._after_imports_rows({"sizes": [size]}, ("process_parquet", "process_csv"))
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
    size = {
        "rows": 10,
        "measurements": [
            _measured("process_parquet", "inclusionkit", 0.8),
            _measured("process_parquet", "duckdb", 0.6),
        ],
    }
    assert run._after_imports_rows({"sizes": [size]}, ("process_parquet",)) == []


def test_each_imports_case_runs_as_a_fresh_process(tmp_path: Path) -> None:
    """Every engine's imports run in a child process that exits cleanly; nothing is counted, so
    there is no report to compare."""
    pytest.importorskip("duckdb")
    generate, run = bench_module("generate"), bench_module("run")
    cases = [c for c in run.CASES if c.phase == run.IMPORTS_PHASE]
    assert {c.engine for c in cases} == {"inclusionkit", "inclusionkit+pandas", "duckdb"}
    assert run.IMPORTS_PHASE in run.DEFAULT_PHASES
    for case in cases:
        spec = {
            "case": {"phase": case.phase, "engine": case.engine, "what": case.what},
            "rows": 10,
            "data": str(tmp_path),
            "as_of": generate.AS_OF.isoformat(),
        }
        measured = run.worker(spec)
        assert measured["seconds"] > 0
        assert measured["peak_rss_mib"] > 0
        assert measured["result_hash"] is None
