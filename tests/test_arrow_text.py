"""Tests for the offsets and bytes of Arrow text arrays."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest

from inclusionkit._arrow_text import text_buffers


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_each_cell_is_its_bytes_between_two_offsets_also_in_a_slice(kind: pa.DataType) -> None:
    """A slice's offsets are its own window: each cell is the data between two of them."""
    values = pa.array(["ab", None, "", "ță", "xyz"], type=kind).slice(1, 4)
    buffers = text_buffers(values)
    assert buffers is not None
    offsets, data = buffers
    assert len(offsets) == len(values) + 1
    cells = [bytes(data[start:end]).decode() for start, end in itertools.pairwise(offsets)]
    assert cells == ["", "", "ță", "xyz"]


def test_an_empty_array_and_another_type() -> None:
    """An empty text array has one offset and no bytes; a number array has no text buffers."""
    buffers = text_buffers(pa.array([], type=pa.string()))
    assert buffers is not None
    assert buffers[0].tolist() == [0]
    assert len(buffers[1]) == 0
    assert text_buffers(pa.array([1, 2])) is None
