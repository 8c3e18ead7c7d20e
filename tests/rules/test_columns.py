"""Columns as numpy arrays: text coded against a vocabulary, values outside it kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit._ingest import to_frame
from inclusionkit._rules._columns import Col, codes_in, to_col


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


def _texts(col: Col) -> list[str | None]:
    """The text a coded column stands for, row by row."""
    return [col.categories[c] if ok else None for c, ok in zip(col.values, col.valid, strict=True)]


_TEXT = st.lists(
    st.none() | st.sampled_from(["female", "male", "man", "x", "ă ș", ""]), max_size=30
)


@given(values=_TEXT, vocabulary=st.none() | st.just(("female", "male", "non_binary")))
def test_an_arrow_text_column_codes_as_its_pandas_column(
    values: list[str | None], vocabulary: tuple[str, ...] | None
) -> None:
    """Arrow text (plain, dictionary-encoded in chunks of their own dictionaries, a dictionary
    repeating a value or holding one no row has) gives the pandas column's Col: the same
    texts, validity and kind; with a vocabulary, the same categories."""
    series = pd.Series(values, dtype="string[pyarrow]")
    expected = to_col(series, vocabulary=vocabulary)
    half = len(values) // 2

    def text(part: list[str | None]) -> pa.Array:
        return pa.array(part, pa.string())

    distinct = sorted({v for v in values if v is not None})
    # Each value twice in the dictionary (odd rows point at the second), and one no row has.
    dictionary = text([*distinct, "unused", *distinct])
    indices = [
        None if v is None else distinct.index(v) + (len(distinct) + 1) * (i % 2)
        for i, v in enumerate(values)
    ]
    encoded = [
        pa.chunked_array([text(values[:half]), text(values[half:])]),
        pa.chunked_array(
            [text(values[:half]).dictionary_encode(), text(values[half:]).dictionary_encode()]
        ),
        pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dictionary),
    ]
    for arrow in encoded:
        col = to_col(arrow, vocabulary=vocabulary)
        assert col.kind == "string"
        assert _texts(col) == _texts(expected)
        np.testing.assert_array_equal(col.valid, expected.valid)
        if vocabulary is not None:
            assert col.categories[: len(vocabulary)] == vocabulary


@given(
    days=st.lists(st.none() | st.integers(-30_000, 30_000), max_size=20),
    flags=st.lists(st.none() | st.booleans(), max_size=20),
    numbers=st.lists(st.none() | st.integers(-128, 127), max_size=20),
)
def test_arrow_dates_booleans_and_numbers_convert_as_pandas_ones(
    days: list[int | None], flags: list[bool | None], numbers: list[int | None]
) -> None:
    """timestamp[s] and date32 dates (before 1970 too), nullable booleans and int8 numbers
    convert from Arrow to the Col their pandas columns give."""
    seconds = pa.array([None if d is None else d * 86_400 for d in days], pa.timestamp("s"))
    cases = [
        (seconds, to_frame(pa.table({"d": seconds}))["d"]),
        (seconds.cast(pa.date32()), to_frame(pa.table({"d": seconds}))["d"]),
        (pa.array(flags, pa.bool_()), to_frame(pa.table({"b": pa.array(flags, pa.bool_())}))["b"]),
        (
            pa.array(numbers, pa.int8()),
            to_frame(pa.table({"n": pa.array(numbers, pa.int8())}))["n"],
        ),
    ]
    for arrow, series in cases:
        expected = to_col(series)
        for given_ in (arrow, pa.chunked_array([arrow])):
            col = to_col(given_)
            assert col.kind == expected.kind
            np.testing.assert_array_equal(col.valid, expected.valid)
            np.testing.assert_array_equal(col.values, expected.values)


def test_complete_columns_share_one_read_only_mask() -> None:
    """Arrow columns with no missing value share one read-only all-valid mask; a column with
    a missing value has its own, and a mask merely all true is not taken for the shared one."""
    from inclusionkit._rules._columns import is_all_valid

    dates = to_col(pa.array([1, 2, 3], pa.date32()))
    flags = to_col(pa.array([True, False, True]))
    holed = to_col(pa.array([True, None, False]))
    assert dates.valid is flags.valid
    assert is_all_valid(dates.valid)
    assert not dates.valid.flags.writeable
    assert not is_all_valid(holed.valid)
    assert not is_all_valid(np.ones(3, dtype=bool))
    np.testing.assert_array_equal(dates.valid, [True, True, True])


def test_dates_are_int32_days_floored_before_1970() -> None:
    """Timestamps and date32 dates become int32 day numbers (a time of day before 1970 on its
    own day); a day past int32's range keeps int64 rather than wrapping."""
    seconds = pa.array([-1, -86_401, 0, 86_399, None], pa.timestamp("s"))
    col = to_col(seconds)
    assert col.values.dtype == np.int32
    assert col.values.tolist() == [-1, -2, 0, 0, 0]
    assert col.valid.tolist() == [True, True, True, True, False]
    assert to_col(pa.array([5, None], pa.date32())).values.dtype == np.int32
    far = to_col(pa.array([2**31 * 86_400], pa.timestamp("s")))
    assert far.values.dtype == np.int64
    assert far.values.tolist() == [2**31]


def test_table_columns_of_table_columns_is_the_same_and_lets_arrow_columns_go() -> None:
    """Wrapping a TableColumns gives the same object, so a released Arrow column is gone for
    every holder; a pandas frame keeps its columns."""
    from inclusionkit._rules._columns import TableColumns

    columns = TableColumns(pa.table({"a": [1], "b": [2]}))
    assert TableColumns(columns) is columns
    columns.release(["a", "z"])
    assert TableColumns(columns).names == ("b",)
    frame = pd.DataFrame({"a": [1], "b": [2]})
    kept = TableColumns(frame)
    kept.release(["a"])
    assert kept.names == ("a", "b")
