"""Hypothesis strategies for canonical participation tables, biased towards the contract's edges.

Rows share a small pool of participant ids and project codes, so re-entries into the same project
and the same person in two projects happen often; dates cluster around birthdays (age exactly 25
or 55 at entry, and the day before), the end of February and six months before the as-of dates
the tests use; every optional cell may be empty, and (when asked) required cells may be empty or
invalid so records are incomplete.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from inclusionkit._participations import BOOL_COLUMNS, COLUMN_NAMES, DTYPES

GENDERS = ("female", "male", "non_binary")
STATUSES = (
    "employed",
    "self_employed",
    "unemployed",
    "long_term_unemployed",
    "inactive_in_education",
    "inactive",
)
REGIONS = ("RO11", "RO12", "RO21", "RO22", "RO31", "RO32", "RO41", "RO42")
AS_OF_DATES = (dt.date(2023, 12, 31), dt.date(2024, 2, 29), dt.date(2024, 8, 31))

_entry_dates = st.one_of(
    st.dates(dt.date(2019, 1, 1), dt.date(2024, 12, 31)),
    st.sampled_from([dt.date(2023, 6, 30), dt.date(2023, 8, 31), dt.date(2024, 2, 29)]),
)


@st.composite
def participation_rows(draw: st.DrawFn, *, incomplete: bool = True) -> dict[str, Any]:
    """One row of the participation table as a dict of Python values (``None`` = empty)."""
    entry = draw(_entry_dates)
    age = draw(st.sampled_from([14, 17, 18, 24, 25, 29, 30, 54, 55, 64, 65]) | st.integers(15, 70))
    shift = draw(st.sampled_from([-1, 0, 1]) | st.integers(-200, 200))
    try:
        birth = entry.replace(year=entry.year - age) + dt.timedelta(days=shift)
    except ValueError:  # 29 February in a year that has none
        birth = dt.date(entry.year - age, 3, 1) + dt.timedelta(days=shift)
    exit_date = draw(
        st.none()
        | st.integers(0, 900).map(lambda d: entry + dt.timedelta(days=d))
        | st.sampled_from([dt.date(2023, 6, 30), dt.date(2023, 8, 31), dt.date(2023, 7, 1)]).filter(
            lambda d: d >= entry
        )
    )
    row: dict[str, Any] = {
        "participant_id": draw(st.sampled_from([f"p{i}" for i in range(8)])),
        "project_code": draw(st.sampled_from(["POCU/1/4/16/100001", "POCU/2/4/1/200002"])),
        "gender": draw(st.sampled_from(GENDERS)),
        "birth_date": birth,
        "entry_date": entry,
        "exit_date": exit_date,
        "labour_status": draw(st.sampled_from(STATUSES)),
        "isced": draw(st.integers(0, 8)),
        "region": draw(st.none() | st.sampled_from(REGIONS)),
        "partner": draw(st.none() | st.sampled_from(["lead", "cpe"])),
    }
    for name in BOOL_COLUMNS:
        row[name] = draw(st.none() | st.booleans())
    if incomplete and draw(st.integers(0, 9)) == 0:
        broken = draw(
            st.sampled_from(["gender", "birth_date", "entry_date", "labour_status", "isced"])
        )
        bad = {"gender": "x", "labour_status": "retired", "isced": 9}.get(broken)
        row[broken] = draw(st.sampled_from([None, bad])) if bad is not None else None
    return row


def table_from_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical participation table from row dicts (missing keys are empty cells)."""
    frame = pd.DataFrame.from_records(
        [{name: row.get(name) for name in COLUMN_NAMES} for row in rows],
        columns=list(COLUMN_NAMES),
    )
    for name in ("birth_date", "entry_date", "exit_date"):
        frame[name] = pd.to_datetime(frame[name].astype(object)).astype("datetime64[s]")
    for name in BOOL_COLUMNS:
        frame[name] = frame[name].astype(object).astype("boolean")
    return frame.astype(DTYPES)


def participation_tables(
    *, min_rows: int = 0, max_rows: int = 25, incomplete: bool = True
) -> st.SearchStrategy[pd.DataFrame]:
    """Canonical participation tables (``inclusionkit`` dtypes), edge cases included."""
    return st.lists(
        participation_rows(incomplete=incomplete), min_size=min_rows, max_size=max_rows
    ).map(table_from_rows)


def as_of_dates() -> st.SearchStrategy[dt.date | None]:
    """As-of dates for reports: none, or dates that sit on the strategy's edges."""
    return st.none() | st.sampled_from(AS_OF_DATES)


PERIODS = ("2023-S2", "2024-Q1", "2023-06-30..2024-02-29", "2024-03-01..2024-08-31")
"""Reporting periods whose edges sit on the strategy's dates (entries, exits, six-month points)."""


def as_of_or_periods() -> st.SearchStrategy[tuple[dt.date | None, str | None]]:
    """An as-of date alone (or none), or a reporting period (whose last day is the as-of date)."""
    return st.tuples(as_of_dates(), st.none()) | st.tuples(st.none(), st.sampled_from(PERIODS))
