"""Columns as plain numpy arrays: the representation every compiled predicate works on.

A pandas column is converted once into a :class:`Col`: strings become integer codes into a tuple
of categories (so ``eq``/``in`` compare small integers), booleans become a "known true" mask,
numbers keep their values, dates become day numbers. Every kind carries a validity mask, so
"unknown is never true" is one ``&`` away in every predicate. Conversions are whole-column
(Arrow's dictionary encoding, numpy casts); nothing here loops over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._rules._dates import days_of

Kind = Literal["string", "bool", "int", "float", "date"]
"""The kinds of column the rule language knows; they decide which predicates apply."""

KINDS: tuple[Kind, ...] = ("string", "bool", "int", "float", "date")


@attrs.frozen
class Col:
    """One column as numpy arrays, aligned with the rows being evaluated.

    ``values`` holds integer codes into ``categories`` for strings (``-1`` for missing), the
    known-true mask for booleans, the numbers for ``int``/``float`` and day numbers since
    1970-01-01 for dates. ``valid`` is the not-missing mask.
    """

    kind: Kind
    values: np.ndarray
    valid: np.ndarray
    categories: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def take(self, index: np.ndarray | None) -> Col:
        """The rows at ``index`` (all rows when ``index`` is ``None``)."""
        if index is None:
            return self
        return Col(
            kind=self.kind,
            values=self.values.take(index),
            valid=self.valid.take(index),
            categories=self.categories,
        )


def kind_of_dtype(dtype: Any) -> Kind:
    """The rule-language kind of a pandas dtype."""
    if isinstance(dtype, pd.BooleanDtype) or dtype == np.dtype(bool):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "string"


def arrow_chunks(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A pandas text column as Arrow strings, chunked as stored (never copied when Arrow-backed)."""
    array = series.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        if isinstance(arrow, pa.ChunkedArray) and (
            pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)
        ):
            return arrow
    return arrow_strings(series)


def arrow_strings(series: pd.Series) -> pa.Array:
    """A pandas text column as one contiguous Arrow string array (zero-copy when Arrow-backed)."""
    array = series.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
    else:
        arrow = pa.array(np.asarray(series, dtype=object), from_pandas=True)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    if pa.types.is_dictionary(arrow.type):
        arrow = arrow.cast(arrow.type.value_type)
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        arrow = pc.cast(arrow, pa.large_string())
    return arrow


def string_codes(
    series: pd.Series, vocabulary: Sequence[str] | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes of a text column (``-1`` for missing) and the categories they index.

    With ``vocabulary`` the codes index that tuple, and values outside it code as ``-1`` too (the
    caller tells missing from unknown with the null mask). Without it the categories are the
    column's distinct values in order of appearance.
    """
    arrow = arrow_chunks(series)
    if vocabulary is not None:
        value_set = pa.array(list(vocabulary), type=arrow.type)
        codes = pc.fill_null(pc.index_in(arrow, value_set=value_set), -1)
        return _int32(codes), tuple(vocabulary)
    encoded = pc.dictionary_encode(arrow)
    if isinstance(encoded, pa.ChunkedArray):
        if encoded.num_chunks == 0:
            return np.zeros(0, dtype=np.int32), ()
        # One dictionary for every chunk, so the chunks' indices mean the same values.
        encoded = encoded.unify_dictionaries()
        dictionary = encoded.chunk(0).dictionary
        indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks])
    else:
        dictionary, indices = encoded.dictionary, encoded.indices
    return _int32(pc.fill_null(indices, -1)), tuple(dictionary.to_pylist())


FEW_CODES = 8
"""Up to this many codes, rows are tested (or counted) code by code, by comparing (a compare
is a tenth of a gather through a lookup table, whose int32 codes numpy first widens)."""


def codes_in(codes: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """Where ``lookup[codes]`` holds, for codes into categories whose last slot answers for
    code ``-1`` (missing): by comparing against the few codes that hold, else through the
    table."""
    chosen = np.flatnonzero(lookup[:-1])
    if lookup[-1] or chosen.shape[0] > FEW_CODES:
        return np.asarray(lookup[codes])
    if chosen.shape[0] == 0:
        return np.zeros(codes.shape[0], dtype=bool)
    out = np.asarray(codes == int(chosen[0]))
    for code in chosen[1:]:
        out |= codes == int(code)
    return out


def _int32(codes: pa.Array | pa.ChunkedArray) -> np.ndarray:
    values = (
        codes.to_numpy()
        if isinstance(codes, pa.ChunkedArray)
        else codes.to_numpy(zero_copy_only=False)
    )
    return np.asarray(values).astype(np.int32, copy=False)


def to_col(
    series: pd.Series, kind: Kind | None = None, vocabulary: Sequence[str] | None = None
) -> Col:
    """Convert a pandas column to a :class:`Col` of its own (or the given) kind.

    For text, ``vocabulary`` (the values the column should hold) makes coding cheaper; a value
    outside it is still kept, as an extra category.
    """
    kind = kind or kind_of_dtype(series.dtype)
    if kind == "string":
        if vocabulary is not None:
            codes, categories = string_codes(series, vocabulary)
            valid = series.notna().to_numpy(dtype=bool)
            outside = np.flatnonzero(valid & (codes < 0))
            if outside.size:
                # Only the values outside the vocabulary are coded apart (usually few), after it.
                extra_codes, extra = string_codes(series.take(outside))
                codes = codes.copy() if not codes.flags.writeable else codes
                codes[outside] = extra_codes + len(categories)
                categories = (*categories, *extra)
            return Col(kind="string", values=codes, valid=valid, categories=categories)
        codes, categories = string_codes(series)
        return Col(kind="string", values=codes, valid=codes >= 0, categories=categories)
    masked = _masked_parts(series)
    if masked is not None:
        data, missing = masked
        valid = ~missing
        if kind == "bool":
            if not missing.any():
                # Every value known: the column's own array, read-only, instead of a copy.
                known = data.view()
                known.flags.writeable = False
                return Col(kind="bool", values=known, valid=valid)
            return Col(kind="bool", values=data & valid, valid=valid)
        if kind == "int":
            return Col(kind="int", values=np.where(valid, data, 0), valid=valid)
    valid = series.notna().to_numpy(dtype=bool)
    if kind == "bool":
        if series.dtype == np.dtype(bool):
            return Col(kind="bool", values=series.to_numpy(), valid=valid)
        return Col(kind="bool", values=series.to_numpy(dtype=bool, na_value=False), valid=valid)
    if kind == "date":
        values = series.to_numpy()
        if not np.issubdtype(values.dtype, np.datetime64):
            values = pd.to_datetime(series, errors="coerce").to_numpy()
        days, valid = days_of(values)
        return Col(kind="date", values=days, valid=valid)
    if kind == "int":
        dtype = getattr(series.dtype, "numpy_dtype", np.dtype(np.int64))
        return Col(kind="int", values=series.to_numpy(dtype=dtype, na_value=0), valid=valid)
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return Col(kind="float", values=np.where(valid, values, 0.0), valid=valid)


def _masked_parts(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The values and missing-mask numpy arrays behind a nullable (``boolean``/``Int8``) column.

    pandas keeps them as two plain arrays; reading them directly avoids the conversion
    ``to_numpy(na_value=...)`` would make (a copy with a fill per column).
    """
    array = series.array
    if isinstance(array, pd.arrays.BooleanArray | pd.arrays.IntegerArray):
        data = getattr(array, "_data", None)
        missing = getattr(array, "_mask", None)
        if isinstance(data, np.ndarray) and isinstance(missing, np.ndarray):
            return data, missing
    return None


def from_numpy(kind: Kind, values: np.ndarray, valid: np.ndarray | None = None) -> Col:
    """A :class:`Col` from arrays already computed (derived values)."""
    if valid is None:
        valid = np.ones(values.shape[0], dtype=bool)
    return Col(kind=kind, values=values, valid=valid)
