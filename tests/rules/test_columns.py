"""Columns as numpy arrays: text coded against a vocabulary, values outside it kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit._rules._columns import codes_in, to_col


def test_values_outside_the_vocabulary_are_coded_after_it() -> None:
    """A value outside the vocabulary gets its own category after the vocabulary's."""
    series = pd.Series(["male", "man", None, "female", "man", "x"], dtype="string[pyarrow]")
    col = to_col(series, vocabulary=("female", "male", "non_binary"))
    assert col.categories == ("female", "male", "non_binary", "man", "x")
    text = [
        col.categories[code] if ok else None for code, ok in zip(col.values, col.valid, strict=True)
    ]
    assert text == ["male", "man", None, "female", "man", "x"]


@given(
    lookup=st.lists(st.booleans(), min_size=1, max_size=14),
    data=st.data(),
)
def test_codes_in_is_the_lookup_through_the_table(lookup: list[bool], data: st.DataObject) -> None:
    """codes_in (comparing the few codes that hold, or gathering) equals lookup[codes] for
    every code, -1 (missing: the table's last slot) included."""
    table = np.array(lookup, dtype=bool)
    codes = np.array(
        data.draw(st.lists(st.integers(-1, len(lookup) - 2), max_size=40)), dtype=np.int32
    )
    np.testing.assert_array_equal(codes_in(codes, table), table[codes])
