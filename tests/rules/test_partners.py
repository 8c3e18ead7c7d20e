"""A person served by several partners: one participation of the project, one in each partner's
breakdown, and the report says how many such persons there are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit._rules as rules
from tests.rules.strategies import as_of_dates, participation_tables, table_from_rows

_PERSONAL = [i.code for i in rules.get_ruleset("esf-2014").indicators if not i.is_entity]


def _several_partners(table: pd.DataFrame, as_of: dt.date | None) -> int:
    """By hand: (project, person) keys whose rows entered by ``as_of`` name several partners."""
    entered = table if as_of is None else table[~(table["entry_date"] > pd.Timestamp(as_of))]
    keyed = entered.dropna(subset=["project_code", "participant_id"])
    partners = keyed.groupby(["project_code", "participant_id"])["partner"].nunique(dropna=False)
    return int((partners > 1).sum())


@settings(max_examples=60, deadline=None)
@given(table=participation_tables(max_rows=20), as_of=as_of_dates())
def test_each_partner_counts_what_its_own_rows_count(
    table: pd.DataFrame, as_of: dt.date | None
) -> None:
    """By partner, each partner's figures equal the report of its rows alone (a person it shares
    with another partner included, re-entries merged within the partner); the project's report
    counts the person once; both say how many persons several partners served."""
    table["partner"] = table["partner"].fillna("lead")
    by_partner = rules.compute(table, rules="esf-2014", by="partner", as_of=as_of)
    whole = rules.compute(table, rules="esf-2014", by=(), as_of=as_of)
    several = _several_partners(table, as_of)
    assert by_partner.provenance.several_partners == whole.provenance.several_partners == several
    labels = set(by_partner.table["partner"].dropna())
    for partner in sorted(set(table["partner"])):
        own = table[table["partner"] == partner].reset_index(drop=True)
        alone = rules.compute(own, rules="esf-2014", by=(), as_of=as_of)
        for code in _PERSONAL:
            mine = by_partner.value(code, partner=partner) if partner in labels else 0
            assert mine == alone.value(code), (partner, code)
    assert whole.provenance.participations <= by_partner.provenance.participations
    assert whole.provenance.participations + several <= by_partner.provenance.participations


def test_a_person_two_partners_served_is_in_both_and_once_in_the_project() -> None:
    """The same person enrolled by two partners (and re-entering at one of them) is one
    participation of the project, one of each partner, and the summary says so."""
    person = {
        "participant_id": "p1",
        "project_code": "POCU/1/4/16/100001",
        "gender": "female",
        "birth_date": dt.date(1990, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
    }
    table = table_from_rows(
        [
            {**person, "entry_date": dt.date(2020, 1, 1), "partner": "lead"},
            {**person, "entry_date": dt.date(2020, 6, 1), "partner": "cpe"},
            {**person, "entry_date": dt.date(2021, 1, 1), "partner": "cpe"},
            {**person, "participant_id": "p2", "entry_date": dt.date(2020, 1, 1), "partner": "cpe"},
        ]
    )
    by_partner = rules.compute(table, rules="esf-2014", by="partner")
    assert by_partner.value("CO01", partner="lead") == 1
    assert by_partner.value("CO01", partner="cpe") == 2
    assert by_partner.provenance.several_partners == 1
    assert by_partner.provenance.merged_rows == 1
    assert "1 persons served by more than one partner" in by_partner.summary()
    whole = rules.compute(table, rules="esf-2014", by="gender")
    assert whole.value("CO01", gender="total") == 2
    assert whole.provenance.several_partners == 1
    assert whole.provenance.merged_rows == 2
    one = rules.compute(table[table["participant_id"] == "p2"], rules="esf-2014", by="partner")
    assert one.provenance.several_partners == 0
    assert "more than one partner" not in one.summary()


@settings(max_examples=20, deadline=None)
@given(table=participation_tables(min_rows=1, max_rows=20), seed=st.randoms())
def test_by_partner_does_not_depend_on_row_order(table: pd.DataFrame, seed: object) -> None:
    """Shuffling the rows changes nothing in a report by partner."""
    order = list(range(len(table)))
    seed.shuffle(order)  # type: ignore[attr-defined]
    first = rules.compute(table, rules="esf-2014", by="partner").table
    again = rules.compute(
        table.iloc[order].reset_index(drop=True), rules="esf-2014", by="partner"
    ).table
    pd.testing.assert_frame_equal(first, again)
