"""Stage 5 of the ingestion pipeline: give every column its canonical type, naming bad cells.

Input is Arrow, as an importer produced it and the header mapping named it; output is Arrow in
the canonical types (``string``, ``date32``, ``bool``, ``int8``). Columns of few distinct
values (booleans, gender, labour status, ISCED, region, …) are dictionary-encoded and each
distinct text is cleaned, mapped and typed once; booleans and numbers are then spread back with
one ``take``, while text stays a dictionary (:data:`TEXT_CODES`) of its distinct typed texts,
each once, which :func:`to_frame` decodes for pandas. Columns of many values (ids, dates) are
cleaned and parsed by Arrow kernels. Dates are strict: ISO ``YYYY-MM-DD`` or
``D.M.YYYY``, and 30 February is not a date. Every cell that does not read is a
:class:`~inclusionkit.Problem` (``cell.date``, ``cell.bool``, ``cell.int``) with its place in the
file; the text of a personal column (an id, a birth date, sensitive data) is never quoted.

Typed cells get the answer their text would get in a CSV, never a silent conversion: a number in
a date column (an Excel serial, seconds since 1970) is a ``cell.date``; a number in a boolean
column other than 0 or 1 (a "refused" code 9, −1, 0.5) is a ``cell.bool``, as the text ``-1`` is;
a two-digit year (``31.01.90``) is a ``cell.two_digit_year`` with a hint. A timezone-aware
timestamp is the date in its own timezone (never shifted to UTC); a time of day other than
midnight is dropped: the date is the calendar day the timestamp names in its own zone (so is
a time written in a date cell, ``2015-01-01 10:00``). Dates are ``date32`` (4 bytes), as Arrow's
CSV reader and Parquet give them: :func:`to_frame` makes them pandas' ``datetime64[s]``.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit import _contract
from inclusionkit._arrow_text import text_buffers
from inclusionkit._contract import (
    ARROW_TYPES,
    COLUMN_NAMES,
    COLUMNS,
    DATE_DTYPE,
    PERSONAL_COLUMNS,
    Column,
)
from inclusionkit._errors import Problem
from inclusionkit._i18n import N_, Deferred, deferred, translate
from inclusionkit._ingest._clean import clean_array, clean_text
from inclusionkit._ingest._mapping import BOOLEAN_WORDS, map_text
from inclusionkit._pandas import pd
from inclusionkit._threads import column_workers

KIND_WORDS = {
    "date": N_("date (expected YYYY-MM-DD or DD.MM.YYYY)"),
    "bool": N_("boolean (expected true/false, 1/0 or da/nu)"),
    "int": N_("whole number"),
}

_FREE_TEXT = frozenset({"participant_id"})
"""Columns of (nearly) one value per row: cleaned by Arrow kernels, not dictionary-encoded."""


@attrs.frozen(kw_only=True)
class TypedColumn:
    """One column in its canonical type, the rows whose cell did not read, the unknown texts."""

    values: pa.Array | pa.ChunkedArray
    bad: np.ndarray | None = None
    raw: pa.Array | None = None
    unknown: Mapping[str, np.ndarray] = attrs.field(factory=dict)
    two_digit_year: np.ndarray | None = None
    nested: bool = False


def one_chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A single Arrow array (dictionaries unified first)."""
    if isinstance(values, pa.ChunkedArray):
        if pa.types.is_dictionary(values.type):
            values = values.unify_dictionaries()
        if values.num_chunks == 0:
            return pa.array([], type=values.type)
        if values.num_chunks == 1:
            return values.chunk(0)  # combine_chunks would copy even a single chunk
        return values.combine_chunks()
    return values


def _is_text(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def type_column(
    values: pa.Array | pa.ChunkedArray,
    column: Column,
    words: Mapping[str, Any],
    *,
    quoted_formulas: bool = False,
    regions: bool = True,
    as_read: bool = False,
) -> TypedColumn:
    """One column of a raw table in its canonical type (see the module docstring).

    With ``as_read`` (the table becomes a pandas frame: :func:`~._pipeline.text_as_read`), a
    plain text column of few distinct values whose every distinct text is its own typed text
    (clean, a known value or a text no word matches) is returned as it was read, not as a
    dictionary, and the ids and the dates typed by the format are kept in their chunks, never
    joined. Text of few distinct values is typed chunk by chunk either way (:class:`_Codes`).
    """
    kind = column.kind
    wanted = ARROW_TYPES[kind]
    if values.type == wanted and kind in ("bool", "int"):
        return TypedColumn(values=values)  # typed by the format: no copy
    if as_read and kind == "string" and column.name not in _FREE_TEXT and _is_text(values.type):
        unknown = _typed_as_written(
            values, column, words, quoted_formulas=quoted_formulas, regions=regions
        )
        if unknown is not None:
            # The rows of each text no vocabulary word matched (kept as written), for the notes.
            masks = {
                text: pc.fill_null(pc.equal(values, text), False).to_numpy(zero_copy_only=False)
                for text in unknown
            }
            return TypedColumn(values=values, raw=values, unknown=masks)
    if column.name in _FREE_TEXT and isinstance(values, pa.ChunkedArray) and _is_text(values.type):
        # Cleaned chunk by chunk (the cleaning is cell by cell): each chunk's look at its bytes
        # reuses the scratch memory of the one before, where the joined ids would need scratch
        # arrays of their size, fresh memory each (slow to touch in these VMs).
        chunks = [
            clean_array(
                chunk if as_read or chunk.type == pa.string() else chunk.cast(pa.string()),
                quoted_formulas=quoted_formulas,
            )
            for chunk in values.chunks
        ]
        if as_read:
            # The frame takes the chunks as they are: the ids are never joined.
            return TypedColumn(values=pa.chunked_array(chunks, values.type))
        # The engine takes rows of the ids (re-entries, the excluded list), and Arrow's take
        # joins a chunked array every time: they are joined once, here, once cleaned.
        return TypedColumn(values=one_chunk(pa.chunked_array(chunks, pa.string())))
    if as_read and kind == "date" and values.type == wanted:
        # Typed by the format: the frame converts the dates chunk by chunk, never joined (the
        # engine's typed table holds them in one array, which it reads as it is).
        return TypedColumn(values=values)
    if kind == "date" and pa.types.is_string(values.type):
        # Written DD.MM.YYYY, the dates are parsed from the chunks: the text is never joined.
        fixed = _fixed_dotted_dates(values)
        if fixed is not None:
            return TypedColumn(values=fixed)
    if kind != "date" and column.name not in _FREE_TEXT and _is_coded_text(values.type):
        # Text of few distinct values: typed chunk by chunk, never joined (see _Codes).
        return _few_values(values, column, words, quoted_formulas=quoted_formulas, regions=regions)
    array = one_chunk(values)
    if pa.types.is_null(array.type):
        return TypedColumn(values=constant_column(column, None, len(array)))
    if pa.types.is_nested(array.type):
        # A list, struct or map (a nested Parquet column) is no cell value: each one is a bad cell.
        bad = array.is_valid().to_numpy(zero_copy_only=False)
        return TypedColumn(
            values=constant_column(column, None, len(array)),
            bad=bad if bad.any() else None,
            nested=True,
        )
    if kind == "date":
        return _dates(array, quoted_formulas)
    if array.type == wanted and kind != "string":
        return TypedColumn(values=array)
    if kind == "int" and (pa.types.is_integer(array.type) or pa.types.is_floating(array.type)):
        return _numbers(array)
    if kind == "bool" and (pa.types.is_integer(array.type) or pa.types.is_floating(array.type)):
        return _numeric_booleans(array)
    if kind == "string" and column.name in _FREE_TEXT:
        if pa.types.is_dictionary(array.type) and _is_text(array.type.value_type):
            # Each distinct text cleaned once, then spread over the rows by one gather.
            distinct = array.dictionary.cast(pa.string())
            cleaned = clean_array(distinct, quoted_formulas=quoted_formulas)
            return TypedColumn(values=cleaned.take(array.indices))
        text = array if _is_text(array.type) else _as_text(array)
        return TypedColumn(
            values=clean_array(text.cast(pa.string()), quoted_formulas=quoted_formulas)
        )
    return _few_values(array, column, words, quoted_formulas=quoted_formulas, regions=regions)


def _is_coded_text(data_type: pa.DataType) -> bool:
    """Whether a column of this type is text or a dictionary of text (:func:`_codes` reads it
    chunk by chunk)."""
    if pa.types.is_dictionary(data_type):
        return _is_text(data_type.value_type)
    return _is_text(data_type)


def _few_values(
    values: pa.Array | pa.ChunkedArray,
    column: Column,
    words: Mapping[str, Any],
    *,
    quoted_formulas: bool,
    regions: bool,
) -> TypedColumn:
    """A column of few distinct values, each distinct text typed once (:func:`_distinct`)."""
    if column.kind == "string" and not words and not (column.name == "region" and regions):
        # Text without a vocabulary (a project code, a partner): each distinct text cleaned once.
        codes = _codes(values)
        cleaned = clean_array(codes.distinct, quoted_formulas=quoted_formulas)
        return TypedColumn(values=_spread(codes, cleaned))
    return _distinct(values, column, words, quoted_formulas=quoted_formulas, regions=regions)


def _typed_as_written(
    values: pa.Array | pa.ChunkedArray,
    column: Column,
    words: Mapping[str, Any],
    *,
    quoted_formulas: bool,
    regions: bool,
) -> list[str] | None:
    """The texts no vocabulary word matched when every distinct text of a plain text column is
    its own typed text, ``None`` when one is not: the cleaning changes none (no spaces around,
    no quote, no cedilla, none empty) and, for a column with a vocabulary, each is a known value
    typed to itself or a text no word matches (kept as written, as :func:`_distinct` keeps it);
    the typing of :func:`type_column` would then give back the column's cells as they are."""
    if not words and not (column.name == "region" and regions):
        # The texts type_column only cleans (a project code, a partner): the cleaning, cell by
        # cell, leaves every chunk as it is (a look at the cells' edges and bytes, no hashing).
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        for chunk in chunks:
            cleaned = clean_array(chunk, quoted_formulas=quoted_formulas)
            if cleaned is not chunk and not cleaned.equals(chunk):
                return None
        return []
    distinct = _distinct_texts(values)
    if len(distinct) > _AS_WRITTEN_DISTINCT:
        return None  # not few distinct values after all: typed as a dictionary
    unknown = []
    for text in distinct.to_pylist():
        cell = clean_text(text, quoted_formulas=quoted_formulas)
        if cell is None or cell != text:
            return None
        value, recognised = map_text(cell, column.name, words, regions=regions)
        if value is None or _typed(value, column, cell) != text:
            return None
        if not recognised:
            unknown.append(text)
    return unknown


_AS_WRITTEN_DISTINCT = 1 << 16
"""At most this many distinct texts are looked at one by one (:func:`_typed_as_written`)."""


def _distinct_texts(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each text of a text column once (no null), in order of first appearance.

    A column whose every cell has text of one width of 1, 2, 4 or 8 bytes (a NUTS region code,
    ``RO11``) is hashed as the numbers its cells' bytes are (3 ms at 1M rows against 9 ms for
    Arrow's hashing of text); any other by Arrow's ``unique``.
    """
    numbers = _fixed_width_numbers(values)
    if numbers is None:
        return pc.unique(values).drop_null()
    distinct = pc.unique(numbers).to_numpy()
    width = distinct.itemsize
    offsets = np.arange(0, (len(distinct) + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(distinct), [None, pa.py_buffer(offsets), pa.py_buffer(distinct)]
    )


def _fixed_width_numbers(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The cells of a text column as unsigned numbers of their bytes (views, no copy), when no
    cell is null and every cell is 1, 2, 4 or 8 bytes long, all alike; else ``None``."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    width = 0
    numbers = []
    for chunk in chunks:
        buffers = text_buffers(chunk)
        if buffers is None or chunk.null_count:
            return None
        offsets, data = buffers
        if not len(chunk):
            continue
        width = width or int(offsets[1] - offsets[0])
        if width not in _WIDTH_NUMBERS or not (np.diff(offsets) == width).all():
            return None
        numbers.append(pa.array(data[offsets[0] : offsets[-1]].view(_WIDTH_NUMBERS[width])))
    return (
        pa.chunked_array(numbers, pa.from_numpy_dtype(_WIDTH_NUMBERS[width])) if numbers else None
    )


_WIDTH_NUMBERS: dict[int, type[np.unsignedinteger[Any]]] = {
    1: np.uint8,
    2: np.uint16,
    4: np.uint32,
    8: np.uint64,
}
"""The unsigned number of each width of text :func:`_fixed_width_numbers` reads as numbers."""


TEXT_CODES = pa.dictionary(pa.int32(), pa.string())
"""The type of a typed text column of few distinct values (all but :data:`_FREE_TEXT`)."""


def constant_column(column: Column, value: Any, rows: int) -> pa.Array:
    """A column the table lacks: ``value`` (``None``: unknown) in every row, in the type
    :func:`type_column` gives the column (text of few distinct values as :data:`TEXT_CODES`)."""
    few = column.kind == "string" and column.name not in _FREE_TEXT
    wanted = TEXT_CODES if few else ARROW_TYPES[column.kind]
    if value is None:
        return pa.nulls(rows, wanted)
    if few:
        return pa.DictionaryArray.from_arrays(
            pa.repeat(pa.scalar(0, pa.int32()), rows), pa.array([value], pa.string())
        )
    return pa.repeat(pa.scalar(value, wanted), rows)


def _dictionary(array: pa.Array) -> pa.DictionaryArray:
    """``array`` as a dictionary of texts (as it is when it already is one)."""
    if pa.types.is_dictionary(array.type) and _is_text(array.type.value_type):
        return array
    text = array if _is_text(array.type) else _as_text(array)
    encoded: pa.DictionaryArray = pc.dictionary_encode(text)
    return encoded


@attrs.frozen
class _Codes:
    """A column of few distinct values as codes into its distinct texts, chunk by chunk.

    Each chunk stays as it is (a dictionary and its indices): only the entries of its
    dictionary are coded, and a value of each row is written once, by :meth:`spread`, straight
    into the typed column. The chunks are never joined (at 10M rows a join is 40 MB of indices
    copied, and their dictionaries unified into more), nor their rows' codes gathered apart.
    """

    distinct: pa.Array
    """Each text once (``string``, no null), in order of first appearance in the chunks'
    dictionaries (the order Arrow's ``unify_dictionaries`` gives them)."""
    chunks: tuple[tuple[np.ndarray, pa.Array], ...]
    """Each chunk's dictionary entries' codes into :attr:`distinct` (``-1``: a null entry),
    and its indices."""
    rows: int

    def spread(self, per_code: np.ndarray, missing: Any) -> np.ndarray:
        """``per_code[code]`` of each row's text (``missing`` for a null cell), as one new
        array from Arrow's pool (:func:`pool_array`), written chunk by chunk."""
        out = pool_array(self.rows, per_code.dtype)
        # One slot more: an entry coded -1 (a null entry) takes the missing value.
        table = np.append(per_code, np.array([missing], dtype=per_code.dtype))
        start = 0
        for entries, indices in self.chunks:
            stop = start + len(indices)
            if stop == start:
                continue
            dest = out[start:stop]
            start = stop
            if len(entries) == 0 or indices.null_count == len(indices):
                dest[:] = missing
                continue
            width = np.dtype(indices.type.to_pandas_dtype())
            raw = np.frombuffer(indices.buffers()[1], dtype=width)[
                indices.offset : indices.offset + len(indices)
            ]
            # mode="wrap" (the fastest that writes to dest directly): a valid cell's index is in
            # range; a null cell's slot may hold any number, and is overwritten below.
            np.take(table[entries], raw, out=dest, mode="wrap")
            if indices.null_count:
                dest[~bitmap_bits(indices.buffers()[0], indices.offset, len(indices))] = missing
        return out


def _codes(values: pa.Array | pa.ChunkedArray) -> _Codes:
    """``values`` as :class:`_Codes`: a dictionary's chunks as they are, plain text encoded
    chunk by chunk; another type (numbers in a text column) as text, in one chunk."""
    if not _is_coded_text(values.type):
        chunks = [_dictionary(one_chunk(values))]
    else:
        chunks = [
            chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
            for chunk in (values.chunks if isinstance(values, pa.ChunkedArray) else [values])
        ]
    dictionaries = [chunk.dictionary.cast(pa.string()) for chunk in chunks]
    entries = pa.concat_arrays(dictionaries) if dictionaries else pa.array([], pa.string())
    encoded = pc.dictionary_encode(entries)
    codes = np.asarray(
        pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.intp
    )
    ends = np.cumsum([len(dictionary) for dictionary in dictionaries], dtype=np.intp)
    parts = np.split(codes, ends[:-1]) if chunks else []
    return _Codes(
        distinct=encoded.dictionary,
        chunks=tuple((part, chunk.indices) for part, chunk in zip(parts, chunks, strict=True)),
        rows=len(values),
    )


def _spread(codes: _Codes, per_code: pa.Array) -> pa.Array:
    """The typed value of each row, given the typed value of each distinct text (``per_code``,
    a null where the text types to nothing); a null cell is null.

    Text is a :data:`TEXT_CODES` dictionary holding each typed text once (two raw texts that
    type alike share one code): the rows are coded by one gather of integers, not of texts.
    """
    if pa.types.is_string(per_code.type):
        typed = pc.dictionary_encode(per_code)
        lookup = np.asarray(
            pc.fill_null(typed.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int32
        )
        return pa.DictionaryArray.from_arrays(
            _code_array(codes.spread(lookup, -1)), typed.dictionary, safe=False
        )
    rows = codes.spread(np.arange(len(per_code), dtype=np.int32), -1)
    return per_code.take(_code_array(rows))


def _code_array(rows: np.ndarray) -> pa.Array:
    """``int32`` codes (``-1``: null) as an Arrow array over the same memory, a null's slot
    set to 0; the validity bitmap made block by block (small scratch arrays)."""
    validity: np.ndarray | None = None
    for first in range(0, len(rows), _CODE_BLOCK):
        block = rows[first : first + _CODE_BLOCK]
        valid = block >= 0
        if validity is None:
            if valid.all():
                continue
            validity = pool_array((len(rows) + 7) // 8, np.uint8)
            validity[: first // 8] = 0xFF  # every block before was valid
        validity[first // 8 : (first + len(block) + 7) // 8] = np.packbits(valid, bitorder="little")
        block[~valid] = 0
    return pa.Array.from_buffers(
        pa.int32(),
        len(rows),
        [None if validity is None else pa.py_buffer(validity), pa.py_buffer(rows)],
    )


_CODE_BLOCK = 1 << 16
"""How many rows :func:`_code_array` looks at a time (a multiple of 8: whole bitmap bytes)."""


def _as_text(array: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        return array.cast(array.type.value_type)
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, "true", "false")
    if pa.types.is_floating(array.type):
        # 3.0 reads as "3" (a spreadsheet's whole number), 2.5 as "2.5".
        whole = pc.fill_null(pc.equal(pc.floor(array), array), False)
        as_int = pc.cast(pc.if_else(whole, array, None), pa.int64(), safe=False)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(array, pa.string()))
    try:
        return pc.cast(array, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())


def _dates(array: pa.Array, quoted_formulas: bool) -> TypedColumn:
    if pa.types.is_timestamp(array.type):
        if array.type.tz is not None:
            array = pc.local_timestamp(array)
        return TypedColumn(values=_day_of(array))
    if pa.types.is_date(array.type):
        return TypedColumn(values=array if array.type == _DATE else array.cast(_DATE))
    text = _as_text(array) if not _is_text(array.type) else array
    text = text.cast(pa.string())
    parsed, bad = strict_arrow_dates(text)
    if not bad.any():
        return TypedColumn(values=parsed, raw=text)
    # Spaces around a date, a quote in front: clean, then parse again.
    cleaned = clean_array(text, quoted_formulas=quoted_formulas)
    parsed, bad = strict_arrow_dates(cleaned)
    if not bad.any():
        return TypedColumn(values=parsed, raw=text)
    short = pc.fill_null(pc.match_substring_regex(cleaned, _TWO_DIGIT_YEAR), False)
    two_digit = np.logical_and(bad, short.to_numpy(zero_copy_only=False))
    return TypedColumn(
        values=parsed, bad=bad, raw=text, two_digit_year=two_digit if two_digit.any() else None
    )


_TWO_DIGIT_YEAR = r"^[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2}$|^[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}$"
"""``31.01.90``, ``31/01/90``, ``90-01-31``: a date whose year has two digits."""


def _numeric_booleans(array: pa.Array) -> TypedColumn:
    """A number in a boolean column: 1 is true, 0 false, anything else (9, −1, 0.5) a bad cell."""
    number = array.cast(pa.float64())
    one = pc.fill_null(pc.equal(number, 1.0), False)
    zero = pc.fill_null(pc.equal(number, 0.0), False)
    good = pc.or_(one, zero)
    values = pc.if_else(good, one, pa.scalar(None, pa.bool_()))
    bad = pc.and_(pc.is_valid(array), pc.invert(good)).to_numpy(zero_copy_only=False)
    return TypedColumn(values=values, bad=bad if bad.any() else None, raw=array)


def _numbers(array: pa.Array) -> TypedColumn:
    number = array.cast(pa.float64())
    good = pc.and_(
        pc.and_(pc.equal(pc.floor(number), number), pc.greater_equal(number, -128)),
        pc.less_equal(number, 127),
    )
    good = pc.fill_null(good, False)
    bad = pc.and_(pc.is_valid(array), pc.invert(good)).to_numpy(zero_copy_only=False)
    values = pc.cast(pc.if_else(good, number, None), pa.int8(), safe=False)
    return TypedColumn(values=values, bad=bad if bad.any() else None, raw=array)


def _distinct(
    values: pa.Array | pa.ChunkedArray,
    column: Column,
    words: Mapping[str, Any],
    *,
    quoted_formulas: bool,
    regions: bool,
) -> TypedColumn:
    """Clean, map and type each distinct text once (few distinct values: :class:`_Codes`)."""
    codes = _codes(values)
    out: list[Any] = []
    bad_codes: list[int] = []
    unknown_codes: dict[str, int] = {}
    for code, text in enumerate(codes.distinct.to_pylist()):
        cell = None if text is None else clean_text(text, quoted_formulas=quoted_formulas)
        if cell is None:
            out.append(None)
            continue
        value, recognised = map_text(cell, column.name, words, regions=regions)
        if not recognised:
            unknown_codes[text] = code
        if value is None:  # mapped to unknown on purpose ("Nu": null)
            out.append(None)
            continue
        typed = _typed(value, column, cell)
        if typed is None:
            bad_codes.append(code)
        out.append(typed)
    per_code = pa.array(out, type=ARROW_TYPES[column.kind])
    bad: np.ndarray | None = None
    if bad_codes:
        flags = np.zeros(len(out), dtype=bool)
        flags[bad_codes] = True
        bad = codes.spread(flags, False)
    unknown = {}
    for text, code in unknown_codes.items():
        flags = np.zeros(len(out), dtype=bool)
        flags[code] = True
        unknown[text] = codes.spread(flags, False)
    return TypedColumn(values=_spread(codes, per_code), bad=bad, raw=values, unknown=unknown)


_SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?")


def _typed(value: Any, column: Column, cell: str = "") -> Any:
    if column.kind == "bool":
        if _SIGNED_NUMBER.fullmatch(cell.strip()) and cell.strip() not in ("0", "1"):
            return None  # "-1", "9", "0.5": not a yes or no, whatever the mapping's words say
        return value if isinstance(value, bool) else None
    if column.kind == "int":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value if -128 <= value <= 127 else None
        try:
            number = float(str(value))
        except ValueError:
            return None
        return int(number) if number.is_integer() and -128 <= number <= 127 else None
    return value if isinstance(value, str) else str(value)


def cell_problems(
    typed: TypedColumn, column: Column, source: str, locate: Any, header: str | None = None
) -> list[tuple[int, Problem]]:
    """A ``cell.<kind>`` problem for every cell of ``typed`` that did not read.

    The problem names the column as the file does (``header``), saying what it was read as.
    """
    if typed.bad is None:
        return []
    rows = np.flatnonzero(typed.bad)
    places = locate(rows)
    texts: list[Any] = (
        [None] * len(rows)
        if typed.raw is None or column.name in PERSONAL_COLUMNS
        else _texts(typed.raw.take(pa.array(rows)))
    )
    title = column.name if header is None else header.strip()
    read_as = "" if title == column.name else deferred(" (read as {name!r})", name=column.name)
    short = (
        np.zeros(len(rows), dtype=bool)
        if typed.two_digit_year is None
        else typed.two_digit_year[rows]
    )
    out = []
    for row, place, text, two_digit in zip(
        rows.tolist(), places, texts, short.tolist(), strict=True
    ):
        what = deferred("the cell") if text is None else repr(text)
        message: Deferred
        if typed.nested:
            code = "cell.nested"
            message = deferred(
                "the cell holds a list or a record (a nested column), not one value{read_as}",
                read_as=read_as,
            )
        else:
            code = f"cell.{column.kind}"
            message = deferred(
                "{what} is not a valid {kind}{read_as}",
                what=what,
                kind=deferred(KIND_WORDS[column.kind]),
                read_as=read_as,
            )
        if two_digit:
            code = "cell.two_digit_year"
            message = deferred(
                "{what} has a two-digit year, so the century is unknown; write the year in "
                "full (31.01.1990, or 1990-01-31){read_as}",
                what=what,
                read_as=read_as,
            )
        out.append(
            (
                row,
                Problem(
                    code=code,
                    message=message,
                    source=source or None,
                    location=place,
                    column=title,
                ),
            )
        )
    return out


def _texts(values: pa.Array) -> list[Any]:
    text = values if _is_text(values.type) else _as_text(values)
    return list(text.to_pylist())


_PLURAL_PLACES = {"line": N_("lines {numbers}"), "row": N_("rows {numbers}")}
"""Several rows of a file said at once (``rows 3, 5``), in the run's language."""


def unknown_value_problems(
    typed: TypedColumn, header: str, source: str, locate: Any
) -> list[Problem]:
    """A ``value.unknown`` note for each text of a closed vocabulary that matched nothing."""
    problems = []
    for text, mask in sorted(typed.unknown.items()):
        rows = np.flatnonzero(mask)
        places = locate(rows[:5])
        more = translate(" and {count} more").format(count=len(rows) - 5) if len(rows) > 5 else ""
        prefixes = {place.rsplit(" ", 1)[0] for place in places}
        if len(prefixes) == 1 and len(places) > 1:
            # "sheet 'X', rows 3, 5" rather than the prefix again and again.
            numbers = ", ".join(place.rsplit(" ", 1)[1] for place in places)
            head, _, word = prefixes.pop().rpartition(" ")
            plural = _PLURAL_PLACES.get(word)
            said = (
                f"{word}s {numbers}"
                if plural is None
                else translate(plural).format(numbers=numbers)
            )
            places = [f"{head} {said}".lstrip()]
        problems.append(
            Problem(
                code="value.unknown",
                message=deferred(
                    "{text!r} is not a known value, so it is kept as written and those "
                    "participations will be incomplete; add it to the mapping's 'values'",
                    text=text,
                ),
                source=source or None,
                location=", ".join(places) + more,
                column=header,
            )
        )
    return problems


def strict_arrow_dates(array: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Parse ISO or ``D.M.YYYY`` text to ``date32`` in Arrow, strictly and vectorised.

    Returns the parsed array (null where the text is empty or invalid) and a boolean mask of the
    cells that had text but no valid date. Arrow's ``strptime`` rolls impossible days over into
    the next month (``2014-02-30`` becomes 2 March), so the day written must equal the day parsed.
    """
    # Clean ISO dates (the common case): Arrow's cast is strict and several times faster; ISO
    # dates with a time of day (``2015-01-01 10:00``) are the days they name.
    for target in (_DATE, pa.timestamp("s")):
        try:
            # A failing cast of a large array is slow to fail: try the first cells first.
            pc.cast(array.slice(0, 4096), target)
            typed = pc.cast(array, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        typed = typed.combine_chunks() if isinstance(typed, pa.ChunkedArray) else typed
        return (typed if target == _DATE else _day_of(typed)), np.zeros(len(typed), dtype=bool)
    # One chunk: pyarrow 26 crashes on some temporal kernels over multi-chunk arrays.
    text = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    fixed = _fixed_dotted_dates(text)
    if fixed is not None:
        return fixed, np.zeros(len(fixed), dtype=bool)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    # The spelling of the first cell is tried first on every cell; the other one only when
    # cells are left (a column is nearly always written one way: one pass of kernels, not two).
    spellings = [_iso_dates, _dotted_dates]
    first = pc.drop_null(text.slice(0, 4096))
    if len(first) and _DOTTED_START.match(first[0].as_py().strip()):
        spellings.reverse()
    result = spellings[0](text)
    if result.null_count > text.null_count:
        result = pc.coalesce(result, spellings[1](text))
    bad = pc.and_(pc.is_valid(text), pc.is_null(result))
    return result.cast(_DATE), bad.to_numpy(zero_copy_only=False)


_DATE = ARROW_TYPES["date"]


def _day_of(stamps: Any) -> Any:
    """The calendar day each timestamp names (a time of day dropped), as a date."""
    return pc.floor_temporal(stamps, unit="day").cast(_DATE)


_DOTTED_START = re.compile(r"[0-9]{1,2}\.")
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)
"""The days of each month (1 to 12) in a common year."""
_MONTH_START = np.concatenate(([0], np.cumsum(_MONTH_DAYS)[:-1])).astype(np.int32)
"""The days of a common year before each month (1 to 12)."""
_YEARS = np.arange(10000, dtype=np.int32)
_LEAP_YEAR = (_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))
"""Whether each year 0 to 9999 is a leap year (proleptic Gregorian)."""
_YEAR_START = (
    (_YEARS * 365 + (_YEARS + 3) // 4 - (_YEARS + 99) // 100 + (_YEARS + 399) // 400) - 719528
).astype(np.int32)
"""The days from 1970-01-01 to 1 January of each year 0 to 9999."""


def _fixed_dotted_dates(text: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """Dates all written ``DD.MM.YYYY`` (what a Romanian spreadsheet writes), parsed strictly.

    Every cell being 10 bytes, the cells lie end to end in the array's data: their digits are
    read as numbers by a few array operations over those bytes, and a day must exist in its
    month (30 February is no date). ``None`` when a cell is written otherwise (``1.2.2015``,
    spaces, another spelling) or is no date: the general, slower path then says which cells are
    bad. An empty cell is no date (null), as there. A chunked array's text is never joined into
    one Arrow array: only the bytes of its dates are gathered, once.
    """
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    parts = []
    for chunk in chunks:
        part = _written_cells(chunk)
        if part is None:
            return None
        parts.append(part)
    if not any(written.any() for _, written in parts):
        return None
    # Each chunk's cells are read where they lie (never gathered into one array), block by
    # block, so the scratch arrays stay small (the peak memory of a read is the table's, not
    # this arithmetic's); the days are written once, into memory from Arrow's pool.
    days = pool_array(sum(len(written) for _, written in parts), np.int32)
    scratch = _DottedScratch(min(_DATE_BLOCK, max(len(cells) for cells, _ in parts)))
    start = 0
    for cells, written in parts:
        out = days[start : start + len(written)]
        start += len(written)
        every = len(cells) == len(written)
        if not every:
            out[:] = 0
        taken = 0  # the cells of the rows before this block
        for first in range(0, len(written), _DATE_BLOCK):
            if every:
                block = cells[first : first + _DATE_BLOCK]
                if not _dotted_days(block, out[first : first + len(block)], scratch):
                    return None
                continue
            # A block of rows, some without a date: its cells' days are put in its written rows.
            rows = written[first : first + _DATE_BLOCK]
            count = int(np.count_nonzero(rows))
            into = scratch.days[:count]
            if not _dotted_days(cells[taken : taken + count], into, scratch):
                return None
            taken += count
            out[first : first + len(rows)][rows] = into
    if all(written.all() for _, written in parts):
        validity = None
    else:
        written = np.concatenate([written for _, written in parts])
        validity = pa.py_buffer(np.packbits(written, bitorder="little"))
    return pa.Array.from_buffers(_DATE, len(days), [validity, pa.py_buffer(days)])


def _written_cells(text: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The 10-byte cells of one array (rows of bytes, a view of its data) and which of its
    cells they are; ``None`` when a cell with text is not 10 bytes long."""
    buffers = text_buffers(text) if pa.types.is_string(text.type) else None
    if buffers is None:
        return None
    offsets, data = buffers
    lengths = np.diff(offsets)
    written = lengths == 10
    if ((lengths != 0) & ~written).any():
        return None
    if text.null_count:
        valid = bitmap_bits(text.buffers()[0], text.offset, len(text))
        if (written & ~valid).any():
            return None  # a null slot with bytes (Arrow allows it): the cells are not end to end
    return data[offsets[0] : offsets[-1]].reshape(-1, 10), written


_DATE_BLOCK = 1 << 16
"""How many dates :func:`_fixed_dotted_dates` works on at a time."""


class _DottedScratch:
    """The scratch arrays of :func:`_dotted_days` for blocks of up to ``rows`` cells, made once
    for a column from Arrow's pool (:func:`pool_array`) and reused by every block: numpy's
    temporaries would be fresh memory for each operation (slow to touch in these VMs)."""

    def __init__(self, rows: int) -> None:
        self.digits = pool_array(rows * 10, np.uint8)
        self.flags = pool_array(rows * 10, np.bool_)
        self.key = pool_array(rows, np.intp)
        self.part = pool_array(rows, np.intp)
        self.day = pool_array(rows, np.uint8)
        self.length = pool_array(rows, np.uint8)
        self.fits = pool_array(rows, np.bool_)
        self.days = pool_array(rows, np.int32)


def _dotted_days(cells: np.ndarray, out: np.ndarray, scratch: _DottedScratch) -> bool:
    """Write into ``out`` the days since 1970-01-01 of ``DD.MM.YYYY`` cells (rows of 10 bytes);
    ``False`` when one is no date (a byte that is no digit or dot, month 13, 30 February …).

    A dozen whole-array operations, each over every byte or cell at once, into ``scratch``:
    the bytes less the pattern's (a dot becomes 0, a digit its number, anything else more than
    the pattern allows), the digits weighed (tens by 10) and each pair of bytes summed as one
    16-bit item, which gives the day, the month's two digits, the century and the year in it;
    then one look-up of (year, month) for the month's first day and length."""
    zero, most, weight, month_first, month_length = _dotted_tables(_DATE_BLOCK)
    size = cells.size
    digits = scratch.digits[:size]
    np.subtract(cells.reshape(-1), zero[:size], out=digits)
    if np.greater(digits, most[:size], out=scratch.flags[:size]).any():
        return False
    np.multiply(digits, weight[:size], out=digits)
    # Two bytes (a, b) as one little-endian item a + 256 b: times 257 puts a + b in its high
    # byte (the products wrap past 16 bits), shifted down. Each pair is then one number.
    pairs = digits.view(np.uint16)
    np.multiply(pairs, np.uint16(257), out=pairs)
    np.right_shift(pairs, np.uint16(8), out=pairs)
    # Per cell: the day, the month's tens (times 10) and units, the century, the year in it.
    day, tens, units, century, year = pairs.reshape(-1, 5).T
    rows = len(day)
    key, part = scratch.key[:rows], scratch.part[:rows]
    np.multiply(century, 100 * _MONTH_SLOTS, out=key, dtype=np.intp)
    np.multiply(year, _MONTH_SLOTS, out=part, dtype=np.intp)
    key += part
    np.add(tens, units, out=part, dtype=np.intp)
    # A month past 12 takes slot 13, whose length is 0: no day fits in it (nor in month 0).
    np.minimum(part, 13, out=part)
    key += part
    # The day less one (day 0 wraps round to 255) must be less than the month's length.
    before = scratch.day[:rows]
    np.subtract(day, 1, out=before, casting="unsafe")
    length = np.take(month_length, key, out=scratch.length[:rows])
    if not np.less(before, length, out=scratch.fits[:rows]).all():
        return False
    np.take(month_first, key, out=out)
    out += before
    return True


@functools.cache
def _dotted_tables(block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`_dotted_days` compares and looks up, made on the first ``DD.MM.YYYY`` file
    (3 MB, left unmade by a process that reads none):

    - each byte of a cell's value 0 (a dot is 0 at its place), and the most each byte may be
      less that (a digit 9, a dot 0), and each digit's weight in its two-digit number, each
      repeated for a ``block`` of cells;
    - the days from 1970-01-01 to the first of each (year, month) slot, :data:`_MONTH_SLOTS`
      slots a year from year 0 to 9999, and each slot's days (0 for a slot that is no month).
    """
    zero = np.tile(np.frombuffer(b"00.00.0000", dtype=np.uint8), block)
    most = np.tile(np.array([9, 9, 0, 9, 9, 0, 9, 9, 9, 9], dtype=np.uint8), block)
    weight = np.tile(np.array([10, 1, 0, 10, 1, 0, 10, 1, 10, 1], dtype=np.uint8), block)
    slots = np.arange(_MONTH_SLOTS)
    month = np.where((slots >= 1) & (slots <= 12), slots, 0)
    leap = _LEAP_YEAR[:, None]
    first = (_YEAR_START[:, None] + _MONTH_START[month] + (leap & (month > 2))).astype(np.int32)
    length = np.where(month > 0, _MONTH_DAYS[month] + (leap & (month == 2)), 0).astype(np.uint8)
    return zero, most, weight, first.ravel(), length.ravel()


_MONTH_SLOTS = 16
"""Slots per year in :func:`_dotted_tables` (0 and 13 to 15: no month)."""


# Not pa.scalar(None, ...): that imports pandas (pyarrow looks for it), at import time.
_NO_DATE = pa.nulls(1, pa.timestamp("s"))[0]


def _iso_dates(text: pa.Array) -> pa.Array:
    """The cells written ``YYYY-MM-DD`` (a four-digit year), parsed strictly; null otherwise."""
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    # A year is four digits: strptime's %Y takes "90" as the year 90.
    shape = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{4}-"), False)
    written = pc.utf8_slice_codeunits(text, 8, 10)
    # Only one or two digits name a day ("2015-01- 3" parses, but its day text is not a number).
    digits = pc.fill_null(pc.match_substring_regex(written, r"^[0-9]{1,2}$"), False)
    return _same_day(parsed, pc.and_(shape, digits), written)


def _dotted_dates(text: pa.Array) -> pa.Array:
    """The cells written ``D.M.YYYY`` (spaces around allowed), parsed strictly; null otherwise."""
    trimmed = pc.utf8_trim_whitespace(text)
    parsed = pc.strptime(trimmed, format="%d.%m.%Y", unit="s", error_is_null=True)
    shape = pc.fill_null(
        pc.match_substring_regex(trimmed, r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$"), False
    )
    # The day is the one or two digits before the first dot (the shape says there are).
    written = pc.replace_substring(pc.utf8_slice_codeunits(trimmed, 0, 2), ".", "")
    return _same_day(parsed, shape, written)


def _same_day(parsed: pa.Array, usable: pa.Array, written: pa.Array) -> pa.Array:
    """``parsed`` where the text had the right shape and the day written is the day parsed.

    Arrow's ``strptime`` rolls impossible days over into the next month (``2014-02-30`` becomes
    2 March), so 30 February parses to another day than the one written, and is no date.
    """
    usable = pc.and_(pc.is_valid(parsed), usable)
    written_day = pc.cast(pc.if_else(usable, written, None), pa.int64())
    good = pc.fill_null(pc.equal(written_day, pc.day(parsed)), False)
    return pc.if_else(good, parsed, _NO_DATE)


def _arrow_mapper(arrow_type: pa.DataType) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _contract.PANDAS_DTYPES["string"]
    if pa.types.is_boolean(arrow_type):
        return _contract.PANDAS_DTYPES["bool"]
    if pa.types.is_int8(arrow_type):
        return _contract.PANDAS_DTYPES["int"]
    return None


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The typed Arrow table as the canonical pandas table: converted once, canonical dtypes
    (for the canonical columns it has: a projection has some only).

    Each column becomes its pandas array directly and the frame is made of them without a copy:
    no pandas block of several columns is consolidated, no column inserted (each a copy), so
    every column's memory is written once (fresh memory is slow to touch in these VMs).
    """
    arrays = _pandas_arrays(table)
    if not arrays:
        return pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    # By position, then named: a table may repeat a name (extra columns kept as written).
    frame = pd.DataFrame(dict(enumerate(arrays)), copy=False)
    frame.columns = pd.Index(table.column_names)
    casts = {
        name: _contract.DTYPES[name]
        for name in COLUMN_NAMES
        if name in frame.columns and frame[name].dtype != _contract.DTYPES[name]
    }
    if casts:
        frame = frame.astype(casts)
    return frame


def _pandas_arrays(table: pa.Table) -> list[Any]:
    """Each column of ``table`` as its pandas array (:func:`_pandas_array`), in order: for a
    large table, each converted by one of several threads (:func:`column_workers`; numpy's
    copies and gathers run without Python's lock), in a copy of the caller's context."""
    columns = table.columns
    workers = column_workers(table.num_rows, len(columns))
    if workers < 2:
        return [_pandas_array(values) for values in columns]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inclusionkit-frame") as pool:
        converted = [
            pool.submit(contextvars.copy_context().run, _pandas_array, values) for values in columns
        ]
        return [future.result() for future in converted]


def _pandas_array(values: pa.ChunkedArray) -> Any:
    """One typed Arrow column as the pandas array :func:`to_frame` makes of it."""
    data_type = values.type
    if pa.types.is_boolean(data_type):
        # Its bits unpacked directly (pandas' own conversion is several times slower).
        return _boolean_array(values)
    if pa.types.is_dictionary(data_type) and _is_text(data_type.value_type):
        return _contract.STRING_DTYPE.__from_arrow__(decoded_text(values))
    if pa.types.is_date32(data_type):
        return _date_seconds(values)
    if pa.types.is_int8(data_type):
        array = one_chunk(values)
        numbers = pool_array(len(array), np.int8)
        data = array.buffers()[1]
        if data is None:  # no buffer (an empty or all-null array): no number to copy
            numbers[:] = 0
        else:
            numbers[:] = np.frombuffer(data, dtype=np.int8)[
                array.offset : array.offset + len(array)
            ]
        return pd.arrays.IntegerArray(numbers, _missing(array))
    mapped = _arrow_mapper(data_type)
    if mapped is not None:
        return mapped.__from_arrow__(values)
    series = values.to_pandas(types_mapper=_arrow_mapper)
    array = series.array
    if isinstance(series.dtype, np.dtype) and not np.asarray(array).flags.writeable:
        # A view of Arrow's memory is read-only: the frame's columns can be written to.
        array = array.copy()
    return array


def _date_seconds(values: pa.ChunkedArray) -> np.ndarray:
    """``date32`` dates as pandas' ``datetime64[s]``, written once into one new array from
    Arrow's pool (:func:`pool_array`; a missing date is ``NaT``)."""
    out = pool_array(len(values), DATE_DTYPE)
    seconds = out.view(np.int64)
    start = 0
    for chunk in values.chunks:
        stop = start + len(chunk)
        if len(chunk):
            days = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[
                chunk.offset : chunk.offset + len(chunk)
            ]
            np.multiply(days, 86_400, out=seconds[start:stop], dtype=np.int64)
            if chunk.null_count:
                missing = ~bitmap_bits(chunk.buffers()[0], chunk.offset, len(chunk))
                seconds[start:stop][missing] = np.iinfo(np.int64).min
        start = stop
    return out


def decoded_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary text column decoded to ``large_string``, the type pandas' Arrow-backed
    ``string`` dtype holds (so pandas takes it as it is, with no second copy): each chunk's
    dictionary cast, then gathered by the codes."""
    chunks = [
        chunk.dictionary.cast(pa.large_string()).take(chunk.indices) for chunk in values.chunks
    ]
    return pa.chunked_array(chunks, pa.large_string())


def _boolean_array(values: pa.ChunkedArray) -> pd.arrays.BooleanArray:
    """An Arrow boolean column as pandas' nullable booleans, its bitmaps unpacked by numpy into
    memory from Arrow's pool (:func:`pool_array`)."""
    array = one_chunk(values)
    data = array.buffers()[1]
    bits = pool_array(len(array), np.bool_)
    _unpack_bits(data, array.offset, bits)
    return pd.arrays.BooleanArray(bits, _missing(array))


def _missing(array: pa.Array) -> np.ndarray:
    """Which cells of ``array`` are null, as a new numpy boolean array (:func:`pool_array`)."""
    missing = pool_array(len(array), np.bool_)
    validity = array.buffers()[0]
    if validity is None or array.null_count == 0:
        missing[:] = False
    else:
        _unpack_bits(validity, array.offset, missing)
        np.logical_not(missing, out=missing)
    return missing


def pool_array(length: int, dtype: Any) -> np.ndarray:
    """A new, writable numpy array of ``length`` items in memory from Arrow's pool.

    The pandas frame's columns are written once into new memory, and in these VMs fresh memory
    from ``malloc`` costs a page fault every 4 KiB (numpy's arrays under 4 MiB get no huge
    pages); Arrow's pool (mimalloc) hands out memory that is several times cheaper to write
    for the first time (docs/performance.md, 2026-12-07). The array keeps its buffer alive.
    """
    dtype = np.dtype(dtype)
    buffer = pa.allocate_buffer(length * dtype.itemsize)
    return np.frombuffer(buffer, dtype=dtype, count=length)


_BYTE_BITS = (
    np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
    .view(np.uint64)
    .ravel()
)
"""The eight booleans (bytes) of each byte's bits, least significant first, as one 8-byte
item: a gather of these unpacks a bitmap into a given array (``np.unpackbits`` cannot)."""


def _unpack_bits(buffer: pa.Buffer | None, offset: int, out: np.ndarray) -> None:
    """Write ``len(out)`` bits of an Arrow bitmap from bit ``offset`` into the booleans ``out``
    (what :func:`bitmap_bits` returns, without a new array)."""
    length = len(out)
    if buffer is None or length == 0:
        out[:] = False
        return
    if offset % 8:
        out[:] = bitmap_bits(buffer, offset, length)
        return
    first = offset // 8
    packed = np.frombuffer(buffer, dtype=np.uint8)[first : first + (length + 7) // 8]
    whole = length // 8
    # mode="clip": every byte is an index of the table, and the gather writes straight to out.
    np.take(_BYTE_BITS, packed[:whole], out=out[: whole * 8].view(np.uint64), mode="clip")
    if length > whole * 8:
        out[whole * 8 :] = bitmap_bits(buffer, offset + whole * 8, length - whole * 8)


def gathered_booleans(values: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """An Arrow boolean column's ``rows`` (positions, as ``take`` would gather them), its bitmaps
    unpacked, gathered and packed again by numpy: several times faster than Arrow's ``take``
    of bits."""
    array = one_chunk(values)
    length = len(array)
    validity, data = array.buffers()
    bits = np.packbits(bitmap_bits(data, array.offset, length)[rows], bitorder="little")
    if validity is None or array.null_count == 0:
        return pa.Array.from_buffers(pa.bool_(), len(rows), [None, pa.py_buffer(bits)])
    valid = np.packbits(bitmap_bits(validity, array.offset, length)[rows], bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(rows), [pa.py_buffer(valid), pa.py_buffer(bits)])


def bitmap_bits(buffer: pa.Buffer | None, offset: int, length: int) -> np.ndarray:
    """``length`` bits of an Arrow bitmap from bit ``offset``, as a numpy boolean array."""
    if buffer is None or length == 0:
        return np.zeros(length, dtype=bool)
    first = offset // 8
    packed = np.frombuffer(buffer, dtype=np.uint8)[first : (offset + length + 7) // 8]
    start = offset - first * 8
    bits: np.ndarray = np.unpackbits(packed, bitorder="little")[start : start + length]
    return bits.view(bool)


# -- the text forms, for a pandas Series (the pseudonymiser, tests) -----------------------------


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse ISO ``YYYY-MM-DD`` or ``D.M.YYYY`` text strictly; anything else becomes NaT."""
    values = pa.array(text.astype(object).where(text.notna(), None), type=pa.string())
    parsed, _ = strict_arrow_dates(values)
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index).astype(DATE_DTYPE)


_BOOLEAN_COLUMN = next(c for c in COLUMNS if c.kind == "bool")


def parse_booleans(text: pd.Series) -> pd.Series:
    """Parse ``true``/``false``, ``1``/``0``, ``yes``/``no``, ``da``/``nu``; others become NA."""
    values = pa.array(text.astype(object).where(text.notna(), None), type=pa.string())
    typed = _distinct(values, _BOOLEAN_COLUMN, BOOLEAN_WORDS, quoted_formulas=False, regions=False)
    return pd.Series(typed.values.to_pandas(types_mapper=_arrow_mapper), index=text.index)
