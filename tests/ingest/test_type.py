"""Typing text of few distinct values chunk by chunk (``_type._Codes``), never joined."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
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
