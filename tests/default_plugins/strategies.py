"""Test data for the format tests: reports (the engine's when importable), fixed samples."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import strategies as st

from inclusionkit._participations import COLUMN_NAMES, normalise_participations
from inclusionkit.default_plugins import PROGRESS_DTYPES
from inclusionkit.testing import reports


def report_objects() -> st.SearchStrategy[Any]:
    """Synthetic reports shaped like the indicator engine's (see ``inclusionkit.testing.reports``).

    NOTE: the engine's own reports are round-tripped on a fixed sample (``engine_report``):
    drawing hundreds of random tables through ``compute`` costs minutes, and a failure there is
    the engine's, not the format's.
    """
    return reports()


def engine_report() -> Any:
    """``compute(sample_participations())`` from the indicator engine, or skip without it."""
    import pytest

    rules = pytest.importorskip("inclusionkit._rules")
    return rules.compute(sample_participations(), by=("gender", "region"))


def sample_participations() -> pd.DataFrame:
    """A small fixed canonical participation table (for tests that need no hypothesis)."""
    rows = [
        {
            "participant_id": f"P{i}",
            "project_code": "POCU/449/4/16/127700",
            "gender": ["female", "male", None][i],
            "birth_date": ["1990-05-03", "1985-01-31", None][i],
            "entry_date": "2018-09-01",
            "exit_date": [None, "2019-03-01", "2019-06-30"][i],
            "labour_status": ["unemployed", "inactive", None][i],
            "isced": [3, None, 1][i],
            "minority": [True, False, None][i],
            "region": "RO42",
            "partner": ["Asociația Șanse Egale", "lead", None][i],
        }
        for i in range(3)
    ]
    return normalise_participations(pd.DataFrame(rows).reindex(columns=list(COLUMN_NAMES)))


def sample_progress() -> pd.DataFrame:
    """A small fixed progress table with the columns and dtypes of inclusionkit.progress."""
    frame = pd.DataFrame(
        [
            [
                "O1",
                "ROMA",
                "Persoane de etnie romă",
                "persons",
                "output",
                0.0,
                800.0,
                400.0,
                812.0,
                101.5,
                "exceeded",
                "computed",
            ],
            [
                "O1",
                "HRS",
                "Ore de consiliere",
                "hours",
                "output",
                0.0,
                120.0,
                None,
                None,
                None,
                "not started",
                "none",
            ],
        ],
        columns=list(PROGRESS_DTYPES),
    )
    return frame.astype(PROGRESS_DTYPES)
