"""Stage 4 of the ingestion pipeline: clean cell text.

Spaces around a cell are trimmed (``"female "`` is ``female``; a cell of spaces is empty), the
cedilla letters ş/ţ (an old, wrong encoding of Romanian) become the comma-below ș/ț, and, for a
format that writes formula-like text with a ``'`` in front (CSV, see :mod:`inclusionkit._sanitise`),
that quote is removed again. Two forms of the same cleaning: on an Arrow array (vectorised, for
columns of many distinct values such as ids and dates) and on one text (for the few distinct
values of a dictionary-encoded column).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._sanitise import restore_arrow, restore_text
from inclusionkit.ro._text import fix_diacritics, fix_diacritics_arrow


def clean_array(values: pa.Array, *, trim: bool = True, quoted_formulas: bool = False) -> pa.Array:
    """A text array cleaned; with ``trim`` an empty (or all-space) cell becomes null."""
    if trim:
        values = pc.utf8_trim_whitespace(values)
    values = fix_diacritics_arrow(values)
    if quoted_formulas:
        values = restore_arrow(values)
    if trim:
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
    return values


def clean_text(text: str, *, trim: bool = True, quoted_formulas: bool = False) -> str | None:
    """One cell text cleaned as :func:`clean_array` cleans a column; ``None`` when empty."""
    if trim:
        text = text.strip()
    text = fix_diacritics(text)
    if quoted_formulas:
        text = restore_text(text)
    return text if text or not trim else None
