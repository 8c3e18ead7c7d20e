"""Typing text of few distinct values chunk by chunk (``_type._Codes``), never joined."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusionkit._contract import COLUMNS
from inclusionkit._ingest import _type, default_mapping
from inclusionkit._ingest._mapping import value_words
from inclusionkit._ingest._type import TEXT_CODES, type_column

BY_NAME = {column.name: column for column in COLUMNS}

_TEXTS = ["F", " femeie", "M", "", "Nord-Est", "nord-est ", "Atlantis", "da", "Nu", "9", "2"]
"""Cells typed alike, typed to nothing, unknown or bad in one column or another."""


def _chunk(cells: list[str | None], encoded: bool, extra: list[str | None]) -> pa.Array:
    """A chunk of plain text, or a dictionary of its own (with unused and null entries)."""
    if not encoded:
        return pa.array(cells, pa.string())
    dictionary = [*extra, *dict.fromkeys(cell for cell in cells if cell is not None)]
    place = {text: index for index, text in enumerate(dictionary) if text is not None}
    indices = pa.array([None if cell is None else place[cell] for cell in cells], pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, pa.string()))


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(
        st.tuples(
            st.lists(st.one_of(st.none(), st.sampled_from(_TEXTS)), max_size=12),
            st.booleans(),
            st.lists(st.one_of(st.none(), st.sampled_from(_TEXTS)), max_size=3),
        ),
        max_size=4,
    ),
    name=st.sampled_from(["gender", "region", "partner", "rural", "isced"]),
)
def test_chunks_type_as_their_cells_joined(
    chunks: list[tuple[list[str | None], bool, list[str | None]]], name: str
) -> None:
    """Chunks, each with a dictionary of its own (or plain text), type to one array whose rows,
    bad cells and unknown texts are those of the same cells in one plain array."""
    column = BY_NAME[name]
    words = value_words(default_mapping(), name, name)
    parts = [_chunk(cells, encoded, extra) for cells, encoded, extra in chunks]
    value_type = pa.dictionary(pa.int32(), pa.string())
    parts = [
        part if pa.types.is_dictionary(part.type) else part.dictionary_encode() for part in parts
    ]
    chunked = pa.chunked_array(parts, value_type)
    got = type_column(chunked, column, words)
    want = type_column(
        pa.array([c for cells, _, _ in chunks for c in cells], pa.string()), column, words
    )
    assert isinstance(got.values, pa.Array)
    assert got.values.to_pylist() == want.values.to_pylist()
    if column.kind == "string":
        assert got.values.type == TEXT_CODES
        assert len(set(got.values.dictionary.to_pylist())) == len(got.values.dictionary)
    # A dictionary entry no row uses may be looked at (as a joined dictionary's is): it flags
    # no row.
    assert _flagged(got.bad) == _flagged(want.bad)
    assert _unknown(got.unknown) == _unknown(want.unknown)


def _flagged(bad: np.ndarray | None) -> list[int]:
    return [] if bad is None else np.flatnonzero(bad).tolist()


def _unknown(unknown: Mapping[str, np.ndarray]) -> dict[str, list[int]]:
    return {text: np.flatnonzero(rows).tolist() for text, rows in unknown.items() if rows.any()}


def test_sliced_chunks_read_their_own_rows() -> None:
    """A chunk that is a slice of a longer array (an offset into its indices and validity) gives
    the typed values of its own rows."""
    whole = pa.array(["F", None, "M", "femeie", None, "M", "F"], pa.string()).dictionary_encode()
    chunked = pa.chunked_array([whole.slice(1, 3), whole.slice(5, 2)])
    got = type_column(
        chunked, BY_NAME["gender"], value_words(default_mapping(), "gender", "gender")
    )
    assert got.values.to_pylist() == [None, "male", "female", "male", "female"]


def test_codes_past_the_first_block_keep_their_nulls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Null rows first met in a later block of the validity bitmap (blocks before all valid)
    are null, and the others keep their codes."""
    monkeypatch.setattr(_type, "_CODE_BLOCK", 16)
    rows = np.arange(50, dtype=np.int32) % 3
    rows[[20, 33, 49]] = -1
    codes = _type._code_array(rows.copy())
    codes.validate(full=True)
    want = [None if value < 0 else int(value) for value in rows]
    assert codes.to_pylist() == want


def test_ids_in_chunks_are_cleaned_chunk_by_chunk() -> None:
    """Ids in chunks are cleaned each where it lies: the engine's typed ids are one array, a
    frame's keep their chunks; either way the same cleaned ids."""
    raw = pa.chunked_array([["p1 ", "p\u015f"], [" ", "p3"]], pa.string())
    column = BY_NAME["participant_id"]
    engine = type_column(raw, column, {})
    frame = type_column(raw, column, {}, as_read=True)
    assert isinstance(engine.values, pa.Array)
    assert isinstance(frame.values, pa.ChunkedArray)
    assert frame.values.num_chunks == 2
    want = ["p1", "p\u0219", None, "p3"]
    assert engine.values.to_pylist() == frame.values.to_pylist() == want


def _python_day(cell: str) -> int | None:
    """The days since 1970-01-01 Python's calendar gives a ``DD.MM.YYYY`` cell of ASCII digits,
    ``None`` for any other cell or a day that does not exist."""
    if len(cell) != 10 or cell[2] != "." or cell[5] != ".":
        return None
    parts = (cell[0:2], cell[3:5], cell[6:10])
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    day, month, year = (int(part) for part in parts)
    try:
        return (dt.date(year, month, day) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None


def test_dotted_days_take_only_digits_and_dots_where_a_date_has_them() -> None:
    """Any byte (0-255) at any of a DD.MM.YYYY cell's ten places: the fast parse takes the cell
    only when it is a date Python's calendar has, and gives its day (years 0 and 9999 too)."""
    cells = ["29.02.2024", "31.12.9999", "01.01.0000", "28.02.1900", "29.02.2000"]
    for base in cells[:2]:
        for place in range(10):
            for byte in range(256):
                changed = bytearray(base.encode())
                changed[place] = byte
                cells.append(changed.decode("latin-1"))
    for cell in cells:
        parsed = _type._fixed_dotted_dates(
            pa.array([cell.encode("latin-1")], pa.binary()).cast(pa.string(), safe=False)
        )
        # Year 0 (1 BC, proleptic) is no year of Python's: its first day counted by hand.
        expected = _python_day(cell) if cell != "01.01.0000" else -719_528
        if expected is None:
            assert parsed is None, cell
        else:
            assert parsed is not None, cell
            assert parsed.cast(pa.int32()).to_pylist() == [expected], cell


def test_dotted_dates_past_a_block_keep_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk of more rows than a block, with empty cells and nulls among the dates: each row
    gets its own day, the empty ones none (the blocks are rows, their cells counted)."""
    monkeypatch.setattr(_type, "_DATE_BLOCK", 4)
    cells = [None, "01.01.2000", "", "02.01.2000", "03.01.2000", None, None, None, "31.12.1999"]
    cells += [f"{day:02d}.03.2001" for day in range(1, 11)] + [None]
    expected = [None if not cell else _python_day(cell) for cell in cells]
    for chunks in ([cells], [cells[:7], cells[7:]], [cells[:1], [], cells[1:]]):
        array = pa.chunked_array([pa.array(part, pa.string()) for part in chunks], pa.string())
        parsed = _type._fixed_dotted_dates(array)
        assert parsed is not None
        assert parsed.cast(pa.int32()).to_pylist() == expected


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(
        st.one_of(st.none(), st.sampled_from(["RO11", "RO4ă", "ab", "x", "12345678", "abc"])),
        max_size=30,
    ),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    start=st.integers(0, 3),
    large=st.booleans(),
)
def test_distinct_texts_are_arrows_own_in_order(
    texts: list[str | None], cuts: list[int], start: int, large: bool
) -> None:
    """The distinct texts of a column (cells of one width read as numbers, or not; chunks
    sliced at any byte) are Arrow's unique texts, in order of first appearance, no null."""
    bounds = sorted({0, len(texts), *(min(cut, len(texts)) for cut in cuts)})
    kind = pa.large_string() if large else pa.string()
    chunks = [
        pa.array(["?" * start, *texts[a:b]], kind).slice(1) for a, b in itertools.pairwise(bounds)
    ]
    values = pa.chunked_array(chunks, kind)
    expected = pc.unique(values).drop_null().to_pylist()
    assert _type._distinct_texts(values).to_pylist() == expected
