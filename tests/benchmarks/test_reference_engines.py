"""The benchmark's DuckDB and polars queries and inclusionkit compute exactly the same tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_duckdb_polars_and_inclusionkit_agree() -> None:
    """benchmarks/check.py finds every engine's esf-2014 table identical, hand-checked rows too."""
    pytest.importorskip("duckdb")
    pytest.importorskip("polars")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "check.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all engines agree" in result.stdout
