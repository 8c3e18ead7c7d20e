"""Columns as numpy arrays: text coded against a vocabulary, values outside it kept."""

from __future__ import annotations

import pandas as pd

from inclusionkit._rules._columns import to_col


def test_values_outside_the_vocabulary_are_coded_after_it() -> None:
    """A value outside the vocabulary gets its own category after the vocabulary's."""
    series = pd.Series(["male", "man", None, "female", "man", "x"], dtype="string[pyarrow]")
    col = to_col(series, vocabulary=("female", "male", "non_binary"))
    assert col.categories == ("female", "male", "non_binary", "man", "x")
    text = [
        col.categories[code] if ok else None for code, ok in zip(col.values, col.valid, strict=True)
    ]
    assert text == ["male", "man", None, "female", "man", "x"]
