"""Breakdown cells: the placed rows ordered by cell, block by block or in one sort."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusionkit._rules import _grouping
from inclusionkit._rules._grouping import Grouping
from inclusionkit._rules._records import RecordSet
from inclusionkit._rules._ruleset import get_ruleset
from tests.rules.strategies import as_of_dates, participation_tables


@settings(max_examples=60, deadline=None)
@given(
    table=participation_tables(max_rows=40),
    as_of=as_of_dates(),
    by=st.sampled_from([("region", "gender"), ("age_band", "gender"), ("region", "partner")]),
    block=st.integers(1, 9),
)
def test_cells_ordered_block_by_block_are_ordered_as_by_one_sort(
    table: pd.DataFrame, as_of: dt.date | None, by: tuple[str, ...], block: int
) -> None:
    """Grouping's order of the placed rows by cell, sorted a block of rows at a time, is the
    one stable sort's (every placed row once, by cell, then by position), and counts alike."""
    ruleset = get_ruleset("esf-2014")
    prepared = RecordSet(participations=table, as_of=as_of).prepared(ruleset.completeness)
    whole = Grouping(prepared, by, ruleset.genders, ruleset.age_bands)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_grouping, "ORDER_BLOCK", block)
        blocks = Grouping(prepared, by, ruleset.genders, ruleset.age_bands)
    assert blocks.mode == whole.mode
    if whole.mode != "sorted":
        return
    keys = np.where(prepared.placed, whole.row_cell, whole.C)
    expected = np.argsort(keys, kind="stable")[: prepared.placed_count]
    np.testing.assert_array_equal(blocks._order, expected)
    np.testing.assert_array_equal(blocks._sizes, whole._sizes)
    assert blocks._bounds == whole._bounds
    mask = np.arange(len(table)) % 3 != 1
    np.testing.assert_array_equal(blocks.count(mask), whole.count(mask))
