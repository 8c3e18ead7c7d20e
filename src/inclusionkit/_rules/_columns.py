"""Columns as plain numpy arrays: the representation every compiled predicate works on.

A column is converted once into a :class:`Col`, from pandas (an in-memory table) or from Arrow
(the typed table a file is read into: text as ``string``/``large_string`` or dictionary-encoded,
dates as ``timestamp[s]`` or ``date32``, ``bool``, ``int8``), the same :class:`Col` either way:
strings become integer codes into a tuple of categories (so ``eq``/``in`` compare small
integers), booleans become a "known true" mask, numbers keep their values, dates become day
numbers. Every kind carries a validity mask, so "unknown is never true" is one ``&`` away in
every predicate. Conversions are whole-column (Arrow's dictionary encoding, numpy casts);
nothing here loops over rows. :class:`TableColumns` is a whole table, pandas or Arrow, as the
engine reads it.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._ingest._type import bitmap_bits, to_frame
from inclusionkit._pandas import pd
from inclusionkit._rules._dates import DAYS_INT32, SECONDS_PER_DAY, days_of

Column: TypeAlias = "pd.Series | pa.Array | pa.ChunkedArray"
"""One column of a participation table: a pandas column or an Arrow (chunked) array."""

Kind = Literal["string", "bool", "int", "float", "date"]
"""The kinds of column the rule language knows; they decide which predicates apply."""

KINDS: tuple[Kind, ...] = ("string", "bool", "int", "float", "date")


@attrs.frozen
class Col:
    """One column as numpy arrays, aligned with the rows being evaluated.

    ``values`` holds integer codes into ``categories`` for strings (``-1`` for missing), the
    known-true mask for booleans, the numbers for ``int``/``float`` and day numbers since
    1970-01-01 for dates (``int32``: :func:`~._dates.narrow_days`). ``valid`` is the
    not-missing mask: for a column with no missing value, the one read-only mask every such
    column of as many rows shares (:func:`all_valid`). Both may be read-only views of the
    Arrow buffers; neither is ever written in place.
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


_ALL_VALID: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def all_valid(size: int) -> np.ndarray:
    """The not-missing mask of ``size`` rows none of which is missing: one read-only array
    shared by every such column while any holds it (a 10M-row table's dozen complete columns
    hold one 10 MB mask, not a dozen)."""
    mask = _ALL_VALID.get(size)
    if mask is None:
        mask = np.ones(size, dtype=bool)
        mask.flags.writeable = False
        _ALL_VALID[size] = mask
    return mask


def is_all_valid(mask: np.ndarray) -> bool:
    """Whether ``mask`` is the shared mask of :func:`all_valid` (every row known; a mask that
    merely holds only ``True`` is not)."""
    return mask is _ALL_VALID.get(mask.shape[0])


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


def kind_of_type(arrow_type: pa.DataType) -> Kind:
    """The rule-language kind of an Arrow type (a dictionary's: of its values)."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type):
        return "float"
    return "string"


def kind_of(column: Column) -> Kind:
    """The rule-language kind of a pandas or Arrow column."""
    if isinstance(column, pd.Series):
        return kind_of_dtype(column.dtype)
    return kind_of_type(column.type)


def arrow_chunks(series: Column) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow strings, chunked as stored (never copied when Arrow-backed; an
    Arrow column is itself, a dictionary-encoded one included)."""
    if not isinstance(series, pd.Series):
        return series
    array = series.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        if isinstance(arrow, pa.ChunkedArray) and (
            pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)
        ):
            return arrow
    return arrow_strings(series)


def arrow_strings(series: Column) -> pa.Array:
    """A text column as one contiguous Arrow string array (zero-copy when Arrow-backed; a
    dictionary-encoded one decoded)."""
    array = series if not isinstance(series, pd.Series) else series.array
    if isinstance(array, pa.Array | pa.ChunkedArray):
        arrow = array
    elif hasattr(array, "__arrow_array__"):
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
    series: Column, vocabulary: Sequence[str] | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes of a text column (``-1`` for missing) and the categories they index.

    With ``vocabulary`` the codes index that tuple, and values outside it code as ``-1`` too (the
    caller tells missing from unknown with the null mask). Without it the categories are the
    column's distinct values in order of appearance.
    """
    arrow = arrow_chunks(series)
    if pa.types.is_dictionary(arrow.type):
        return _dictionary_codes(arrow, vocabulary)
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


def _dictionary_codes(
    arrow: pa.Array | pa.ChunkedArray, vocabulary: Sequence[str] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """:func:`string_codes` of a dictionary-encoded column: its dictionary (few values) is coded
    and each row's code looked up by its index, no text read per row. The chunks' dictionaries
    are unified first; values a dictionary repeats get one code."""
    if isinstance(arrow, pa.ChunkedArray):
        if arrow.num_chunks == 0:
            return np.zeros(0, dtype=np.int32), tuple(vocabulary or ())
        if arrow.num_chunks > 1:
            arrow = arrow.unify_dictionaries()
        dictionary = arrow.chunk(0).dictionary
        indices: pa.Array | pa.ChunkedArray = pa.chunked_array(
            [chunk.indices for chunk in arrow.chunks]
        )
    else:
        dictionary, indices = arrow.dictionary, arrow.indices
    if vocabulary is not None:
        value_set = pa.array(list(vocabulary), type=dictionary.type)
        lookup = _int32(pc.fill_null(pc.index_in(dictionary, value_set=value_set), -1))
        categories: tuple[str, ...] = tuple(vocabulary)
    else:
        encoded = pc.dictionary_encode(dictionary)
        lookup = _int32(encoded.indices)
        categories = tuple(encoded.dictionary.to_pylist())
    # One more slot, for a missing row (index -1): code -1.
    lookup = np.append(lookup, np.int32(-1))
    return lookup[_int32(pc.fill_null(indices, -1))], categories


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
    series: Column, kind: Kind | None = None, vocabulary: Sequence[str] | None = None
) -> Col:
    """Convert a pandas or Arrow column to a :class:`Col` of its own (or the given) kind.

    For text, ``vocabulary`` (the values the column should hold) makes coding cheaper; a value
    outside it is still kept, as an extra category.
    """
    if not isinstance(series, pd.Series):
        return _arrow_col(series, kind, vocabulary)
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


def _arrow_col(
    array: pa.Array | pa.ChunkedArray, kind: Kind | None, vocabulary: Sequence[str] | None
) -> Col:
    """:func:`to_col` of an Arrow column: its buffers read by numpy, the same :class:`Col` as
    the pandas column the pipeline would have made of it."""
    kind = kind or kind_of_type(array.type)
    if kind == "string":
        if not (
            pa.types.is_dictionary(array.type)
            or pa.types.is_string(array.type)
            or pa.types.is_large_string(array.type)
        ):
            array = array.cast(pa.large_string())
        codes, categories = string_codes(array, vocabulary)
        if vocabulary is None:
            valid = all_valid(len(codes)) if array.null_count == 0 else codes >= 0
            return Col(kind="string", values=codes, valid=valid, categories=categories)
        valid = _valid(array)
        outside = np.flatnonzero(valid & (codes < 0))
        if outside.size:
            # Only the values outside the vocabulary are coded apart (usually few), after it.
            extra_codes, extra = string_codes(array.take(pa.array(outside)))
            codes = codes.copy() if not codes.flags.writeable else codes
            codes[outside] = extra_codes + len(categories)
            categories = (*categories, *extra)
        return Col(kind="string", values=codes, valid=valid, categories=categories)
    valid = _valid(array)
    if kind == "date":
        return Col(kind="date", values=_arrow_days(array), valid=valid)
    if kind == "bool" and pa.types.is_boolean(array.type):
        # The value bitmaps unpacked once, missing values cleared in place.
        chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
        known = _concatenated([_bits(chunk, 1) for chunk in chunks], len(array))
        if array.null_count:
            known &= valid
        return Col(kind="bool", values=known, valid=valid)
    if kind == "bool":
        return Col(kind="bool", values=_numbers(array, np.bool_) & valid, valid=valid)
    if kind == "int":
        values = _numbers(array, None)
        if values.dtype.kind not in "iu":
            values = values.astype(np.int64)
        return Col(kind="int", values=values, valid=valid)
    values = _numbers(array, np.float64)
    # pandas reads a NaN as missing: so does this.
    valid = valid & ~np.isnan(values)
    return Col(kind="float", values=np.where(valid, values, 0.0), valid=valid)


def _arrow_days(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A date or timestamp column's day numbers since 1970-01-01 (0 where missing): ``int32``
    (:func:`~._dates.narrow_days`), read straight from a ``date32`` column's buffer (read-only)
    when nothing is missing."""
    if not pa.types.is_date32(array.type):
        if pa.types.is_timestamp(array.type):
            seconds = array.cast(pa.timestamp("s")) if array.type != pa.timestamp("s") else array
            low, high = pc.min_max(seconds.cast(pa.int64())).values()
            if low.is_valid and not (
                DAYS_INT32[0] * SECONDS_PER_DAY <= low.as_py()
                and high.as_py() < (DAYS_INT32[1] + 1) * SECONDS_PER_DAY
            ):
                # A day beyond int32 (no register has one): int64 days, floored.
                return _numbers(seconds.cast(pa.int64()), np.int64) // SECONDS_PER_DAY
        # Arrow's cast floors to the day (a date before 1970 stays on its day), whole columns.
        array = array.cast(pa.date32(), safe=False)
    return _numbers(array.cast(pa.int32()), np.int32)


def _valid(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The not-missing mask of an Arrow column (its validity bitmaps unpacked by numpy)."""
    if array.null_count == 0:
        return all_valid(len(array))
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return _concatenated([_bits(chunk, 0) for chunk in chunks], len(array))


def _concatenated(parts: list[np.ndarray], size: int) -> np.ndarray:
    """``parts`` as one writable array (the one part itself)."""
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.ones(size, dtype=bool)


def _bits(chunk: pa.Array, buffer: int) -> np.ndarray:
    """One chunk's bitmap ``buffer`` (0: validity, every row valid when absent; 1: a boolean
    array's values) unpacked, as a new writable boolean array."""
    bitmap = chunk.buffers()[buffer]
    if bitmap is None or (buffer == 0 and chunk.null_count == 0):
        return np.ones(len(chunk), dtype=bool)
    return bitmap_bits(bitmap, chunk.offset, len(chunk))


def _numbers(array: pa.Array | pa.ChunkedArray, dtype: Any) -> np.ndarray:
    """An Arrow column's values as numpy, a missing value as zero (false): a read-only view of
    the Arrow buffer where it can be one (numbers without a missing value)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if array.null_count:
        array = pc.fill_null(array, pa.scalar(0 if dtype is not np.bool_ else False, array.type))
    values = np.asarray(array.to_numpy(zero_copy_only=False))
    return values if dtype is None else values.astype(dtype, copy=False)


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
        valid = all_valid(values.shape[0])
    return Col(kind=kind, values=values, valid=valid)


class TableColumns:
    """A participation table as the engine reads it: a pandas DataFrame (an in-memory table)
    or the typed Arrow table a file was read into (no pandas frame of every row made).

    The engine asks it for columns by name (each converted by :func:`to_col`, the same
    :class:`Col` either way), their kinds, their text as Arrow, their distinct values, and the
    canonical pandas frame of a few rows (re-entry ties, the excluded list's keys), which for an
    Arrow table is converted as the pipeline converts the whole (:func:`to_frame`).

    ``TableColumns(columns)`` of a :class:`TableColumns` is that same object: every holder of
    a table shares one, so the Arrow columns it lets go (:meth:`release`) are gone for all.
    """

    def __new__(cls, table: pd.DataFrame | pa.Table | TableColumns) -> TableColumns:
        if isinstance(table, TableColumns):
            return table
        return super().__new__(cls)

    def __init__(self, table: pd.DataFrame | pa.Table | TableColumns) -> None:
        if table is self:
            return
        assert not isinstance(table, TableColumns)
        self.table: pd.DataFrame | pa.Table = table
        self.arrow = isinstance(table, pa.Table)

    @property
    def names(self) -> tuple[str, ...]:
        """The columns' names, in the table's order."""
        return (
            tuple(str(name) for name in self.table.columns)
            if not self.arrow
            else tuple(self.table.column_names)
        )

    def __len__(self) -> int:
        return int(self.table.num_rows) if self.arrow else len(self.table)

    def __contains__(self, name: object) -> bool:
        return name in (self.table.column_names if self.arrow else self.table.columns)

    def __getitem__(self, name: str) -> Column:
        column: Column = self.table.column(name) if self.arrow else self.table[name]
        return column

    def kind(self, name: str) -> Kind:
        """The rule-language kind of column ``name``."""
        return kind_of(self[name])

    def col(self, name: str, vocabulary: Sequence[str] | None = None) -> Col:
        """Column ``name`` as a :class:`Col` (:func:`to_col`)."""
        return to_col(self[name], vocabulary=vocabulary)

    def text(self, name: str) -> pa.Array | pa.ChunkedArray:
        """Text column ``name`` as Arrow, as stored (:func:`arrow_chunks`)."""
        return arrow_chunks(self[name])

    def text_at(self, name: str, rows: np.ndarray) -> pa.Array:
        """Text column ``name`` at ``rows``, as one Arrow string array (decoded)."""
        if self.arrow:
            taken = self.table.column(name).take(pa.array(rows, type=pa.int64()))
            return arrow_strings(taken)
        return arrow_strings(self.table[name].take(rows))

    def distinct(self, name: str) -> list[Any]:
        """The distinct values of column ``name``, missing left out (in order of appearance)."""
        if not self.arrow:
            return list(self.table[name].dropna().unique())
        column = self.table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.unify_dictionaries()
        values = pc.unique(column)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        return list(pc.unique(values.drop_null()).to_pylist())

    def rows(self, rows: np.ndarray, names: Sequence[str] | None = None) -> pd.DataFrame:
        """The canonical pandas frame of ``rows`` (0-based positions), of the columns ``names``
        (default: every one)."""
        names = self.names if names is None else [name for name in names if name in self]
        if self.arrow:
            taken = self.table.select(list(names)).take(pa.array(rows, type=pa.int64()))
            return to_frame(taken)
        return pd.DataFrame({name: self.table[name].take(rows) for name in names})

    def series(self, name: str) -> pd.Series:
        """Column ``name`` as the canonical pandas column (an Arrow one converted as the
        pipeline converts it)."""
        if self.arrow:
            return to_frame(self.table.select([name]))[name]
        column: pd.Series = self.table[name]
        return column

    def release(self, names: Sequence[str]) -> None:
        """Let an Arrow table's columns ``names`` go (once converted, their :class:`Col` holds
        what counting reads: a 10M-row table's dates and coded text are ~0.5 GiB of Arrow
        buffers), and hand their memory back to the system. The table no longer has them; a
        pandas frame (the caller's) keeps all."""
        if not self.arrow:
            return
        gone = [name for name in dict.fromkeys(names) if name in self.table.column_names]
        if gone:
            self.table = self.table.drop_columns(gone)
            # Arrow's pool keeps freed memory for Arrow's next allocations, which counting
            # (numpy) never makes: handed back to the system, or a 10M-row table's columns let
            # go (~250 MiB) would stay resident under the engine's arrays, more or less of it
            # from run to run.
            pa.default_memory_pool().release_unused()

    def replaced(self, columns: dict[str, pd.Series]) -> TableColumns:
        """The table with ``columns`` (pandas, as long as the table) in place of its own."""
        if not columns:
            return self
        if not self.arrow:
            return TableColumns(self.table.assign(**columns))
        table = self.table
        for name, series in columns.items():
            table = table.set_column(table.column_names.index(name), name, pa.array(series))
        return TableColumns(table)
