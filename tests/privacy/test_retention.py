"""Tests for the retention helper: which participations expire, and the anonymised table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from inclusionkit import COLUMN_NAMES, InclusionKitError
from inclusionkit._privacy import AGE_BOUNDARIES, anonymise, retention
from inclusionkit.testing import participation_tables

P1 = "POCU/449/4/16/127700"
P2 = "POSDRU/165/6.2/S/143094"


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical participation table from partial rows (other cells empty)."""
    from inclusionkit._participations import DTYPES

    frame = pd.DataFrame(rows).reindex(columns=list(COLUMN_NAMES))
    for name in ("birth_date", "entry_date", "exit_date"):
        frame[name] = pd.to_datetime(frame[name])
    return frame.astype(DTYPES)


def person(
    pid: str, project: str, birth: str, entry: str, exit_: str | None = None
) -> dict[str, Any]:
    """One participation row with the required columns filled in."""
    return {
        "participant_id": pid,
        "project_code": project,
        "gender": "female",
        "birth_date": birth,
        "entry_date": entry,
        "exit_date": exit_,
        "labour_status": "unemployed",
        "isced": 2,
        "region": "RO32",
    }


def completed_years(birth: pd.Series, entry: pd.Series) -> pd.Series:
    """Completed years from birth to entry, as participation-table.md defines age at entry."""
    b = birth.dt.year * 10_000 + birth.dt.month * 100 + birth.dt.day
    e = entry.dt.year * 10_000 + entry.dt.month * 100 + entry.dt.day
    return (e - b) // 10_000


def age_class(age: pd.Series) -> np.ndarray:
    """The indicator age class of each age (index into the boundaries)."""
    return np.searchsorted(np.asarray(AGE_BOUNDARIES), age.to_numpy(dtype=float), side="right")


REGISTER = table(
    [
        person("A", P1, "1990-05-17", "2016-03-01", "2016-09-30"),
        person("A", P1, "1990-05-17", "2016-11-01", "2017-01-31"),  # re-entry
        person("B", P1, "1960-12-24", "2017-02-01"),
        person("A", P2, "1990-05-17", "2021-06-01", "2021-12-01"),
    ]
)


def test_projects_expire_years_after_their_end() -> None:
    """A project's participations expire once its end plus the retention years has passed."""
    result = retention(
        REGISTER,
        until=dt.date(2028, 1, 1),
        years=10,
        project_end={P1: dt.date(2017, 12, 31), P2: dt.date(2022, 6, 30)},
    )
    schedule = result.schedule.set_index("project_code")
    assert bool(schedule.loc[P1, "expired"]) is True
    assert bool(schedule.loc[P2, "expired"]) is False
    assert schedule.loc[P1, "retention_end"] == pd.Timestamp("2027-12-31")
    assert list(result.expired["participant_id"]) == ["A", "B"]
    assert list(result.expired["rows"]) == [2, 1]
    assert len(result.anonymised) == 3


def test_the_retention_end_day_itself_counts_as_expired() -> None:
    """Retention ending on the --until day means expired; a day later means not yet."""
    ends = {P1: dt.date(2017, 12, 31), P2: dt.date(2017, 12, 31)}
    on_the_day = retention(REGISTER, until=dt.date(2027, 12, 31), project_end=ends)
    day_before = retention(REGISTER, until=dt.date(2027, 12, 30), project_end=ends)
    assert on_the_day.schedule["expired"].all()
    assert not day_before.schedule["expired"].any()
    assert day_before.anonymised.empty


def test_one_date_for_every_project_and_configurable_years() -> None:
    """A single end date applies to every project; years=3 expires sooner than the default."""
    result = retention(
        REGISTER, until=dt.date(2026, 1, 1), years=3, project_end=dt.date(2022, 6, 30)
    )
    assert result.schedule["expired"].all()
    assert set(result.schedule["end_source"]) == {"given"}


def test_without_end_dates_the_latest_date_in_the_table_is_used() -> None:
    """With no end given, a project's end is its latest entry or exit date, marked as such."""
    result = retention(REGISTER, until=dt.date(2020, 1, 1), years=1)
    schedule = result.schedule.set_index("project_code")
    assert schedule.loc[P1, "project_end"] == pd.Timestamp("2017-02-01")
    assert set(schedule["end_source"]) == {"data"}


def test_a_project_missing_from_the_mapping_is_an_error() -> None:
    """Every project in the table needs an end date when a mapping is given."""
    with pytest.raises(InclusionKitError, match=r"no end date for 1 project"):
        retention(REGISTER, until=dt.date(2030, 1, 1), project_end={P1: dt.date(2017, 1, 1)})
    with pytest.raises(InclusionKitError, match="negative"):
        retention(REGISTER, until=dt.date(2030, 1, 1), years=-1)
    with pytest.raises(InclusionKitError, match="missing column"):
        retention(REGISTER.drop(columns="region"), until=dt.date(2030, 1, 1))


def test_anonymised_table_drops_identifiers_and_replaces_ids() -> None:
    """Extra columns go, ids become random tokens, re-entries keep one token, projects differ."""
    frame = REGISTER.assign(cnp="2900517400011", nume="Popescu")
    out = retention(frame, until=dt.date(2040, 1, 1), project_end=dt.date(2022, 6, 30)).anonymised
    assert list(out.columns) == list(COLUMN_NAMES)
    assert not set(out["participant_id"]) & {"A", "B"}
    assert out["participant_id"].str.startswith("anon_").all()
    a_in_p1 = out[(out["project_code"] == P1) & (out["entry_date"].dt.year == 2016)]
    a_in_p2 = out[out["project_code"] == P2]
    assert a_in_p1["participant_id"].nunique() == 1
    assert set(a_in_p1["participant_id"]).isdisjoint(a_in_p2["participant_id"])
    # Rows of one participation keep their order.
    assert list(a_in_p1["entry_date"]) == sorted(a_in_p1["entry_date"])


def test_birth_date_keeps_the_year_and_the_age_at_entry() -> None:
    """Without generalisation, the birth date becomes 1 Jan or 31 Dec of the same year."""
    out = anonymise(REGISTER, k=1).sort_values(["project_code", "entry_date"])
    original = REGISTER.sort_values(["project_code", "entry_date"])
    assert list(out["birth_date"].dt.year) == list(original["birth_date"].dt.year)
    assert set(zip(out["birth_date"].dt.month, out["birth_date"].dt.day, strict=True)) <= {
        (1, 1),
        (12, 31),
    }
    assert list(completed_years(out["birth_date"], out["entry_date"])) == list(
        completed_years(original["birth_date"], original["entry_date"])
    )


def _by_participation(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by a key that survives anonymisation, with a participation number per row."""
    columns = [c for c in COLUMN_NAMES if c not in {"participant_id", "birth_date"}]
    ordered = frame.assign(
        _age_class=age_class(completed_years(frame["birth_date"], frame["entry_date"]))
    )
    ordered = ordered.sort_values([*columns, "_age_class"], na_position="first", kind="stable")
    return ordered.reset_index(drop=True)


@given(participation_tables(max_rows=25))
def test_anonymisation_keeps_everything_the_indicators_read(frame: pd.DataFrame) -> None:
    """Hypothesis: all but id and birth date kept row for row; age classes and re-entries kept."""
    out = anonymise(frame)
    assert len(out) == len(frame)
    before, after = _by_participation(frame), _by_participation(out)
    columns = [c for c in COLUMN_NAMES if c not in {"participant_id", "birth_date"}]
    pd.testing.assert_frame_equal(before[[*columns, "_age_class"]], after[[*columns, "_age_class"]])
    assert before["birth_date"].isna().tolist() == after["birth_date"].isna().tolist()
    # Rows that were one participation still are, and no others joined them.
    assert _group_sizes(frame) == _group_sizes(out)


def _group_sizes(frame: pd.DataFrame) -> list[int]:
    known = frame.dropna(subset=["participant_id"])
    return sorted(known.groupby(["project_code", "participant_id"], dropna=False).size().tolist())


def test_rare_combinations_are_generalised_within_their_age_class() -> None:
    """A lone person in a project, region, gender and age is given a fixed age of its class."""
    rows = [person(f"P{i}", P1, "1980-06-15", "2016-03-01") for i in range(6)]
    rows.append(person("LONE", P1, "1971-02-03", "2016-03-01"))  # 45: alone at that age
    frame = table(rows)
    result = retention(frame, until=dt.date(2040, 1, 1), project_end=dt.date(2017, 1, 1))
    assert result.generalised == 1
    out = result.anonymised
    ages = completed_years(out["birth_date"], out["entry_date"])
    assert sorted(ages) == [30, 35, 35, 35, 35, 35, 35]
    assert result.still_rare == 1  # the generalised person is still alone at age 30


def compute_or_skip() -> Callable[..., Any]:
    """The indicator engine's compute(), or skip while it is not there."""
    try:
        from inclusionkit._rules import compute  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("the indicator engine (inclusionkit._rules.compute) is not available yet")
    return compute  # type: ignore[no-any-return]


@pytest.mark.parametrize("by", [("gender",), ("region", "gender")])
@pytest.mark.parametrize("rules", ["esf-2014", "esf-2021"])
def test_indicator_reports_are_unchanged(by: tuple[str, ...], rules: str) -> None:
    """The anonymised example register gives exactly the same indicator tables."""
    compute = compute_or_skip()
    from inclusionkit import examples

    original = examples.load("dreptul-la-munca").participations
    assert original is not None
    result = retention(original, until=dt.date(2100, 1, 1), project_end=dt.date(2015, 10, 31))
    assert len(result.anonymised) == len(original)
    assert result.generalised > 0
    expected = compute(original, rules=rules, by=by).table
    actual = compute(result.anonymised, rules=rules, by=by).table
    pd.testing.assert_frame_equal(expected, actual)


@settings(max_examples=30)
@given(participation_tables(min_rows=1, max_rows=25))
def test_indicator_reports_are_unchanged_for_random_tables(frame: pd.DataFrame) -> None:
    """Hypothesis: the anonymised copy gives the same reports for every rule set and breakdown."""
    compute = compute_or_skip()
    out = anonymise(frame)
    # One breakdown per rule set keeps the test quick; the age bands are where a change would show.
    for rules, by in (
        ("esf-2014", ("region", "gender")),
        ("esf-2021", ("age_band", "gender")),
        ("esf-2007", ("age_band", "gender")),
    ):
        expected = compute(frame, rules=rules, by=by).table
        actual = compute(out, rules=rules, by=by).table
        pd.testing.assert_frame_equal(expected, actual)
