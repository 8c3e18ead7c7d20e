"""Stage 4 of the ingestion pipeline: clean cell text.

Spaces around a cell are trimmed (``"female "`` is ``female``; a cell of spaces is empty), the
cedilla letters ş/ţ (an old, wrong encoding of Romanian) become the comma-below ș/ț, and, for a
format that writes formula-like text with a ``'`` in front (CSV, see :mod:`inclusionkit._sanitise`),
that quote is removed again. Two forms of the same cleaning: on an Arrow array (vectorised, for
columns of many distinct values such as ids and dates) and on one text (for the few distinct
values of a dictionary-encoded column).
"""

from __future__ import annotations

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._arrow_text import text_buffers
from inclusionkit._sanitise import restore_arrow, restore_text
from inclusionkit.ro._text import fix_diacritics, fix_diacritics_arrow


def clean_array(values: pa.Array, *, trim: bool = True, quoted_formulas: bool = False) -> pa.Array:
    """A text array cleaned; with ``trim`` an empty (or all-space) cell becomes null.

    A step its cells do not need is skipped, as a look at the first and last byte of each cell
    tells (:func:`_edges`): most columns have no spaces around, no quote in front and no empty
    cell, and are then returned as they are.
    """
    edges = _edges(values)
    if trim and (edges is None or edges.spaced):
        values = pc.utf8_trim_whitespace(values)
        edges = _edges(values)
    values = fix_diacritics_arrow(values)  # never makes or empties a cell, nor adds a quote
    if quoted_formulas and (edges is None or edges.quoted):
        values = restore_arrow(values)  # what it unquotes is never empty
    if trim and (edges is None or edges.empty):
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
    return values


@attrs.frozen
class _Edges:
    """What the first and last bytes of a text array's cells say it may need cleaned."""

    spaced: bool
    """A cell may start or end with a space: an ASCII space or control byte, or a letter
    beyond ASCII (some of those are spaces, as U+00A0)."""
    quoted: bool
    """A cell starts with ``'`` (a formula quoted by a CSV writer, perhaps)."""
    empty: bool
    """A cell (not a null) is empty."""


_PRINTABLE_FIRST = np.uint8(0x21)
_PRINTABLE_COUNT = 0x7F - 0x21
"""The bytes that are surely no space are the printable ASCII ones, ``!`` (21) to ``~`` (7E):
a byte minus 21, wrapping round in ``uint8``, is below 5E for those alone."""


def _maybe_space(edge: np.ndarray) -> bool:
    """Whether a byte of ``edge`` may be (part of) a space: an ASCII space or control byte, or
    one of a letter beyond ASCII. One subtraction and one maximum: cheaper than a lookup."""
    return bool(edge.size) and int((edge - _PRINTABLE_FIRST).max()) >= _PRINTABLE_COUNT


def _edges(values: pa.Array) -> _Edges | None:
    """The :class:`_Edges` of a text array, from its offsets and the bytes at them (a few
    array operations, no copy of the text); ``None`` for another type."""
    buffers = text_buffers(values)
    if buffers is None:
        return None
    if len(values) == 0:
        return _Edges(spaced=False, quoted=False, empty=False)
    offsets, data = buffers
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    empty = not filled.all()
    if empty and values.null_count:
        empty = bool((~filled & values.is_valid().to_numpy(zero_copy_only=False)).any())
    if not filled.any():
        return _Edges(spaced=False, quoted=False, empty=empty)
    if filled.all():
        first, last = data[starts], data[ends - 1]
    else:
        first, last = data[starts[filled]], data[ends[filled] - 1]
    return _Edges(
        spaced=_maybe_space(first) or _maybe_space(last),
        quoted=bool((first == ord("'")).any()),
        empty=empty,
    )


def clean_text(text: str, *, trim: bool = True, quoted_formulas: bool = False) -> str | None:
    """One cell text cleaned as :func:`clean_array` cleans a column; ``None`` when empty."""
    if trim:
        text = text.strip()
    text = fix_diacritics(text)
    if quoted_formulas:
        text = restore_text(text)
    return text if text or not trim else None
