"""The benchmark's read_xlsx phase: its Excel register and both of its cases."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from tests.benchmarks.bench import bench_module

ROWS = 300


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = bench_module("generate")
    path: Path = generate.generate_xlsx(tmp_path_factory.mktemp("bench"), rows=ROWS)
    return path


def test_register_is_the_first_rows_of_the_table(register: Path) -> None:
    """The workbook reads back as the first rows of the 1M table: same ids, same date cells."""
    generate = bench_module("generate")
    table = generate.generate_chunk(0, generate.CHUNK_ROWS).slice(0, ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the data's few invalid labour statuses are reported
        frame = inclusionkit.read_participations(register)
    assert list(frame["participant_id"]) == table.column("participant_id").to_pylist()
    births = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame["birth_date"]]
    assert births == table.column("birth_date").to_pylist()


def test_both_cases_run(register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker runs the inclusionkit and the calamine case of the phase on the register."""
    generate, run = bench_module("generate"), bench_module("run")
    monkeypatch.setattr(generate, "XLSX_ROWS", ROWS)
    assert generate.xlsx_path(register.parent) == register
    (comparison,) = [c for c in run.COMPARISONS if c.phase == run.XLSX_PHASE]
    assert (comparison.engine, comparison.reference, comparison.target) == (
        "inclusionkit",
        "calamine",
        1.5,
    )
    for case in (c for c in run.CASES if c.phase == run.XLSX_PHASE):
        spec = run.worker_spec(case, 1_000_000, register.parent, generate.AS_OF)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            measured = run.worker(spec)
        assert measured["seconds"] > 0
        assert measured["peak_rss_mib"] > 0
