"""Properties of compute() on generated participation tables (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

import inclusionkit._rules as rules
import inclusionkit.testing
from inclusionkit import ProblemCode
from tests.rules import reference
from tests.rules.strategies import as_of_dates, participation_tables

RULESETS = st.sampled_from(["esf-2014", "esf-2021"])


def _totals(report: rules.Report) -> dict[str, int]:
    table = report.table
    if "gender" in table.columns:
        table = table[table["gender"] == "total"]
    return {str(k): int(v) for k, v in zip(table["indicator"], table["value"], strict=True)}


@given(participation_tables(), as_of_dates(), RULESETS)
def test_engine_matches_a_row_by_row_reading_of_the_contract(
    table: pd.DataFrame, as_of: dt.date | None, name: str
) -> None:
    """Every indicator by gender equals a plain-Python, participation-by-participation count."""
    expected, ambiguous = reference.counts(table, name, as_of)
    assume(not ambiguous)
    report = rules.compute(table, rules=name, by=("gender",), as_of=as_of)
    for row in report.table.itertuples(index=False):
        assert row.value == expected.get((row.indicator, row.gender), 0), (
            row.indicator,
            row.gender,
        )


@given(participation_tables(), as_of_dates())
def test_total_is_the_sum_of_the_three_statuses(table: pd.DataFrame, as_of: dt.date | None) -> None:
    """TOTAL = CO01 + CO03 + CO05 in every cell (esf-2014), EECO01 likewise (esf-2021)."""
    for name, total, parts in (
        ("esf-2014", "TOTAL", ("CO01", "CO03", "CO05")),
        ("esf-2021", "EECO01", ("EECO02", "EECO04", "EECO05")),
    ):
        report = rules.compute(table, rules=name, by=("gender", "region"), as_of=as_of)
        wide = report.table.pivot_table(
            index=["gender", "region"], columns="indicator", values="value", dropna=False
        )
        if len(wide):
            assert (wide[total] == sum(wide[code] for code in parts)).all()


@given(participation_tables(), as_of_dates(), RULESETS)
def test_every_check_holds(table: pd.DataFrame, as_of: dt.date | None, name: str) -> None:
    """Every subset, sum and at-most check of the rule set passes in every cell."""
    report = rules.compute(table, rules=name, by=("gender", "age_band"), as_of=as_of)
    assert report.ok, report.failed_checks()


@given(participation_tables(), as_of_dates(), RULESETS)
def test_gender_rows_add_up_to_the_total_row(
    table: pd.DataFrame, as_of: dt.date | None, name: str
) -> None:
    """For every indicator and cell the gender rows sum to the total row; every gender shows."""
    report = rules.compute(table, rules=name, by=("region", "gender"), as_of=as_of)
    genders = report.table[report.table["gender"] != "total"]
    totals = report.table[report.table["gender"] == "total"]
    summed = genders.groupby(["indicator", "region"], dropna=False)["value"].sum()
    shown = totals.set_index(["indicator", "region"])["value"]
    assert (summed.reindex(shown.index) == shown).all()
    for gender in report.ruleset.genders:
        assert len(report.table[report.table["gender"] == gender]) == len(totals)


@given(participation_tables(), as_of_dates(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(
    table: pd.DataFrame, as_of: dt.date | None, random: object
) -> None:
    """The table, the checks and the excluded participations do not depend on row order."""
    order = np.arange(len(table))
    random.shuffle(order)  # type: ignore[attr-defined]
    shuffled = table.iloc[order].reset_index(drop=True)
    first = rules.compute(table, by=("gender", "region"), as_of=as_of)
    second = rules.compute(shuffled, by=("gender", "region"), as_of=as_of)
    pd.testing.assert_frame_equal(first.table, second.table)
    pd.testing.assert_frame_equal(first.checks, second.checks)
    keys = ["project_code", "participant_id", "reason", "message"]
    pd.testing.assert_frame_equal(
        first.excluded[keys].sort_values(keys).reset_index(drop=True),
        second.excluded[keys].sort_values(keys).reset_index(drop=True),
    )
    assert first.provenance == second.provenance


@given(
    participation_tables(),
    st.sampled_from([dt.date(2020, 6, 30), dt.date(2022, 12, 31), dt.date(2023, 12, 31)]),
    st.integers(1, 800),
    RULESETS,
)
def test_a_later_as_of_never_lowers_an_output_indicator(
    table: pd.DataFrame, as_of: dt.date, days: int, name: str
) -> None:
    """Cumulative output indicators only grow as the as-of date moves forward."""
    earlier = _totals(rules.compute(table, rules=name, as_of=as_of))
    later = _totals(rules.compute(table, rules=name, as_of=as_of + dt.timedelta(days=days)))
    outputs = [i.code for i in rules.get_ruleset(name).indicators if i.kind == "output"]
    for code in outputs:
        if code in earlier:
            assert later[code] >= earlier[code], code


@given(participation_tables(), as_of_dates())
def test_counted_and_excluded_make_up_the_participations(
    table: pd.DataFrame, as_of: dt.date | None
) -> None:
    """Provenance adds up, and every excluded participation is listed once with a reason."""
    report = rules.compute(table, as_of=as_of)
    p = report.provenance
    assert p.counted + p.excluded == p.participations
    assert p.participations + p.merged_rows + p.rows_after_as_of == p.input_rows
    after = report.excluded["reason"] == "entry_date.in_future"
    assert int(after.sum()) == p.rows_after_as_of  # listed too, under validate's code
    assert len(report.excluded) == p.excluded + p.rows_after_as_of
    assert report.excluded["reason"].notna().all()
    assert _totals(report).get("TOTAL", 0) == p.counted


@given(participation_tables(incomplete=False), as_of_dates())
def test_breakdown_cells_partition_the_total(table: pd.DataFrame, as_of: dt.date | None) -> None:
    """Summing any breakdown's cells gives the unbroken-down value (counts are additive); by
    partner too, unless a person several partners served is one participation of each of them
    (then the partners' grand totals add up to more; see test_partners.py)."""
    overall = _totals(rules.compute(table, by=(), as_of=as_of))
    for by in (("region",), ("age_band",), ("entry_year",), ("partner", "region")):
        report = rules.compute(table, by=by, as_of=as_of)
        summed = report.table.groupby("indicator")["value"].sum()
        if "partner" in by and report.provenance.several_partners:
            assert summed.get("GRAND_TOTAL", 0) > overall.get("GRAND_TOTAL", 0)
            continue
        for code, value in overall.items():
            assert summed.get(code, 0) == value, (by, code)


TODAY = dt.date(2025, 1, 15)

# Broken values of every completeness test (and of the tests that do not make a row incomplete).
_BREAKS: dict[str, list[object]] = {
    "gender": [None, "x", " female", "Female"],
    "labour_status": [None, "retired", "unemployed "],
    "isced": [None, 9, -1],
    "entry_date": [None],
    "birth_date": [None, "after_entry"],
    "exit_date": ["before_entry"],
    "region": ["RO99"],
    "participant_id": [None],
}


@st.composite
def messy_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Participation tables with a few cells broken in every way a column test can catch."""
    table = draw(participation_tables() | inclusionkit.testing.participation_tables())
    table = table.reset_index(drop=True)
    n = len(table)
    if n == 0:
        return table
    breaks = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(sorted(_BREAKS))), max_size=n)
    )
    for row, column in breaks:
        value = draw(st.sampled_from(_BREAKS[column]))
        entry = table.at[row, "entry_date"]
        if value in ("after_entry", "before_entry"):
            if pd.isna(entry):
                continue
            shift = pd.Timedelta(days=draw(st.integers(1, 400)))
            value = entry + shift if value == "after_entry" else entry - shift
        table.at[row, column] = value
    return table


def _one_row_per_participation(table: pd.DataFrame) -> pd.DataFrame:
    ids = pd.array([f"u{i}" for i in range(len(table))], dtype=table["participant_id"].dtype)
    return table.assign(participant_id=ids)


@given(messy_tables(), RULESETS)
def test_a_row_that_validates_is_counted(table: pd.DataFrame, name: str) -> None:
    """One row per participation and no as-of date: a row validate accepts (by the rule set's
    completeness) is counted."""
    table = _one_row_per_participation(table)
    report = rules.compute(table, rules=name, by=())
    completeness = rules.get_ruleset(name).completeness
    validation = rules.validate_participations(table, today=TODAY, completeness=completeness)
    accepted = set(range(len(table))) - set(validation.rejected["row"])
    assert accepted.isdisjoint(set(report.excluded["row"]))
    assert len(accepted) <= report.provenance.counted


@given(messy_tables(), as_of_dates(), RULESETS)
def test_an_excluded_participation_is_a_problem_with_its_reason(
    table: pd.DataFrame, as_of: dt.date | None, name: str
) -> None:
    """Every participation compute leaves out has validate's problem of the same code, on the
    row that stands for it (re-entries merged or not, any as-of date)."""
    report = rules.compute(table, rules=name, by=(), as_of=as_of)
    completeness = rules.get_ruleset(name).completeness
    validation = rules.validate_participations(table, today=TODAY, completeness=completeness)
    problems = set(
        zip(validation.problems["row"], validation.problems["code"].astype(str), strict=True)
    )
    if as_of is not None:
        # A row entered after the as-of date: validate of that date says it with the same code.
        later = rules.validate_participations(table, today=as_of, completeness=completeness)
        problems |= {
            (row, code)
            for row, code in zip(
                later.problems["row"], later.problems["code"].astype(str), strict=True
            )
            if code == "entry_date.in_future"
        }
    for row, reason in zip(report.excluded["row"], report.excluded["reason"], strict=True):
        assert (row, reason) in problems, (row, reason)
        if reason == "entry_date.in_future":
            continue
        code = ProblemCode.lookup(reason)
        assert code.incomplete
        assert code.is_error
