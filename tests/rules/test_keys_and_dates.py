"""The vectorised building blocks: string hashing, repeated keys, calendar arithmetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit._rules._dates import (
    civil_ymd,
    completed_years,
    date_to_days,
    date_to_ymd,
    days_of,
    last_exit_observed,
    ymd_of,
)
from inclusionkit._rules._keys import duplicated_keys, string_hash

_text = st.text(alphabet="abcxyzăș0123456789/.-", max_size=30)


@given(st.lists(st.none() | _text, max_size=60))
def test_equal_strings_hash_alike_and_distinct_ones_apart(values: list[str | None]) -> None:
    """Equal values (missing included) have equal hashes; different values differ."""
    h = string_hash(pa.array(values, type=pa.large_string()))
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            assert (h[i] == h[j]) == (a == b), (a, b)


@given(st.lists(_text, min_size=1, max_size=40), st.integers(0, 5))
def test_hash_ignores_the_arrays_offset_and_width(values: list[str], offset: int) -> None:
    """A sliced array or a narrow string type hashes like the values themselves."""
    full = pa.array(["pad"] * offset + values, type=pa.string()).slice(offset)
    assert (string_hash(full) == string_hash(pa.array(values, type=pa.large_string()))).all()


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", None]), st.sampled_from(["p1", "p2", "p3", None])),
        max_size=50,
    )
)
def test_duplicated_keys_finds_exactly_the_repeated_pairs(
    pairs: list[tuple[str | None, str | None]],
) -> None:
    """Rows sharing a complete (project, person) key are grouped; others are not."""
    projects = pa.array([p for p, _ in pairs], type=pa.large_string())
    people = pa.array([q for _, q in pairs], type=pa.large_string())
    rows, groups = duplicated_keys(projects, people)
    counts: dict[tuple[str | None, str | None], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    expected = [i for i, pair in enumerate(pairs) if None not in pair and counts[pair] > 1]
    assert rows.tolist() == expected
    for a, ga in zip(rows, groups, strict=True):
        for b, gb in zip(rows, groups, strict=True):
            assert (ga == gb) == (pairs[a] == pairs[b])


def test_many_unique_keys_have_no_repeats() -> None:
    """A large table of distinct ids (the common case) reports no repeated key."""
    people = pa.array([f"P{i:010d}" for i in range(200_000)], type=pa.large_string())
    projects = pa.array(["X"] * 200_000, type=pa.large_string())
    rows, _ = duplicated_keys(projects, people)
    assert rows.size == 0
    include = np.ones(200_000, dtype=bool)
    include[5] = False
    doubled = pa.concat_arrays([people, people.slice(0, 10)])
    rows, groups = duplicated_keys(pa.concat_arrays([projects, projects.slice(0, 10)]), doubled)
    assert rows.tolist() == [*range(10), *range(200_000, 200_010)]
    assert len(set(groups.tolist())) == 10


@given(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_civil_dates_match_python(day: dt.date) -> None:
    """Day numbers convert to yyyymmdd exactly as the calendar says."""
    assert civil_ymd(np.array([date_to_days(day)]))[0] == date_to_ymd(day)


@given(st.lists(st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), max_size=30))
def test_lookup_table_matches_the_direct_conversion(days: list[dt.date | None]) -> None:
    """The table-driven yyyymmdd equals the arithmetic one; missing dates give 0."""
    values = pd.Series(days, dtype=object).astype("datetime64[s]").to_numpy()
    numbers, valid = days_of(values)
    ymd = ymd_of(numbers, valid)
    for value, got in zip(days, ymd, strict=True):
        assert got == (0 if value is None else date_to_ymd(value))


@given(
    st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)),
    st.dates(dt.date(1940, 1, 1), dt.date(2030, 12, 31)),
)
def test_completed_years_match_birthdays(birth: dt.date, later: dt.date) -> None:
    """Age in completed years, 29 February birthdays turning on 1 March in common years."""
    expected = later.year - birth.year - ((later.month, later.day) < (birth.month, birth.day))
    got = completed_years(np.array([date_to_ymd(birth)]), np.array([date_to_ymd(later)]))[0]
    assert got == expected


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_six_months_threshold_matches_date_offset(as_of: dt.date) -> None:
    """exit <= threshold exactly when exit + 6 calendar months (clipped) is not after as_of."""
    threshold = last_exit_observed(as_of)
    for delta in range(-200, -150):
        exit_date = as_of + dt.timedelta(days=delta)
        plus = (pd.Timestamp(exit_date) + pd.DateOffset(months=6)).date()
        assert (date_to_days(exit_date) <= threshold) == (plus <= as_of), exit_date


def test_six_months_at_month_ends() -> None:
    """31 August + 6 months is 29 February in a leap year; 31 December + 6 months is 30 June."""
    assert last_exit_observed(dt.date(2024, 2, 29)) == date_to_days(dt.date(2023, 8, 31))
    assert last_exit_observed(dt.date(2024, 6, 30)) == date_to_days(dt.date(2023, 12, 31))
    assert last_exit_observed(dt.date(2024, 7, 1)) == date_to_days(dt.date(2024, 1, 1))
