"""Formula-injection neutralisation of text cells written to CSV (and undoing it on reading).

A spreadsheet opening a CSV file runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a leading tab or carriage return
can hide one. A participant register comes from partners, so any text cell may be hostile. As
OWASP recommends, such a cell is written with a single quote ``'`` in front, which spreadsheets
show as text.

Only *text* cells are touched: numbers (a negative count), dates and booleans are not text, and
a text cell that is a plain number (``-5``, ``+40.5``) cannot be a formula, so it is left as it
is. Canonical codes (``female``, ``RO42``, ``POCU/449/4/16/127700``) never start with those
characters.

The escape is reversible: a cell that already starts with quotes followed by one of the
characters gets one more quote, and :func:`restore_text` removes exactly one, so writing and
reading back gives the original text, whatever it was.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._pandas import pd

__all__ = [
    "FORMULA_PREFIXES",
    "arrow_reason",
    "csv_quoting",
    "frame_to_csv",
    "needs_quote",
    "neutralise_frame",
    "neutralise_text",
    "neutralise_values",
    "restore_arrow",
    "restore_frame",
    "restore_text",
    "restore_values",
    "write_csv_text",
]

FORMULA_PREFIXES = "=+-@\t\r"
"""The first characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

_QUOTE = "'"
# Any quotes, then a formula character: needs one more quote (see the module docstring).
_RISKY = r"^'*[=+\-@\t\r]"
# A plain number cannot be a formula: "-5", "+3.25", "-1,5", "1e-3".
_NUMBER = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
_RISKY_RE = re.compile(_RISKY)
_NUMBER_RE = re.compile(_NUMBER)


def needs_quote(text: str) -> bool:
    """Whether ``text`` would be escaped by :func:`neutralise_text`."""
    return bool(_RISKY_RE.match(text)) and not _NUMBER_RE.match(text)


def neutralise_text(text: str) -> str:
    """``"=1+1"`` -> ``"'=1+1"``; text that cannot start a formula is returned unchanged."""
    return _QUOTE + text if needs_quote(text) else text


def restore_text(text: str) -> str:
    """Undo :func:`neutralise_text`: ``"'=1+1"`` -> ``"=1+1"``; other text is unchanged."""
    if text.startswith(_QUOTE) and needs_quote(text[1:]):
        return text[1:]
    return text


def _is_text_column(values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) or dtype == "str":
        return True
    # An object column may hold text among other things (report labels, provenance).
    return bool(dtype == np.dtype(object))


def _risky_mask(values: pd.Series) -> np.ndarray:
    """Which cells of a text column start like a formula (vectorised; missing is not)."""
    if values.dtype == object:
        texts = values.map(lambda v: v if isinstance(v, str) else None).astype("string")
    else:
        texts = values.astype("string")
    risky: np.ndarray = texts.str.match(_RISKY).fillna(False).to_numpy(dtype=bool)
    if not risky.any():
        return risky
    number: np.ndarray = texts.str.match(_NUMBER).fillna(False).to_numpy(dtype=bool)
    out: np.ndarray = risky & ~number
    return out


def _on_categories(values: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a column change to a categorical's categories (each distinct value once)."""
    categories = pd.Series(values.cat.categories, dtype=values.cat.categories.dtype)
    changed = change(categories)
    if changed is categories:
        return values
    return values.cat.rename_categories(list(changed))


def neutralise_values(values: pd.Series) -> pd.Series:
    """A text column with every formula-like cell quoted; other columns are returned as they are.

    The check is one vectorised regular-expression pass over the column; only when some cell
    needs a quote is a new column built, so a clean column costs no copy.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _on_categories(values, neutralise_values)
    if not _is_text_column(values) or values.empty:
        return values
    risky = _risky_mask(values)
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = [_QUOTE + str(text) for text in values[risky]]
    return out


def restore_values(values: pd.Series) -> pd.Series:
    """Undo :func:`neutralise_values` on a column read back from CSV (vectorised)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _on_categories(values, restore_values)
    if not _is_text_column(values) or values.empty:
        return values
    texts = (
        values.map(lambda v: v if isinstance(v, str) else None).astype("string")
        if values.dtype == object
        else values.astype("string")
    )
    quoted = texts.str.startswith(_QUOTE).fillna(False).to_numpy(dtype=bool)
    if not quoted.any():
        return values
    rest = texts[quoted].str.slice(1)
    undo = np.zeros(len(values), dtype=bool)
    undo[np.flatnonzero(quoted)] = _risky_mask(rest)
    if not undo.any():
        return values
    out = values.copy()
    out[undo] = [str(text)[1:] for text in values[undo]]
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with formula-like text cells and column names quoted, for writing as CSV.

    The input is never modified; when nothing needs a quote it is returned as it is.
    """
    columns = {name: neutralise_values(frame[name]) for name in _unique(frame.columns)}
    changed = [name for name, values in columns.items() if values is not frame[name]]
    headers = [neutralise_text(name) if isinstance(name, str) else name for name in frame.columns]
    if not changed and headers == list(frame.columns):
        return frame
    out = frame.copy()
    for name in changed:
        out[name] = columns[name]
    out.columns = pd.Index(headers)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_frame` on a table read from CSV (column names and text cells)."""
    headers = [restore_text(name) if isinstance(name, str) else name for name in frame.columns]
    columns = {name: restore_values(frame[name]) for name in _unique(frame.columns)}
    changed = [name for name, values in columns.items() if values is not frame[name]]
    if not changed and headers == list(frame.columns):
        return frame
    out = frame.copy()
    for name in changed:
        out[name] = columns[name]
    out.columns = pd.Index(headers)
    return out


def csv_quoting(frame: pd.DataFrame) -> int:
    """``QUOTE_ALL`` when a text cell holds a carriage return, else ``QUOTE_MINIMAL``.

    Python's csv writer quotes a cell with a line feed but not one with a lone carriage return
    (the line terminator is "\\n"), which every reader then takes for the end of a row: a cell
    from an old Mac or a hostile file would split its row in two.
    """
    for column in frame.columns:
        values = frame[column]
        if isinstance(values, pd.Series) and pd.api.types.is_string_dtype(values.dtype):
            texts = values.astype("string") if values.dtype == object else values
            if bool(texts.str.contains("\r", regex=False).fillna(False).any()):
                return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL


def frame_to_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str] | None = None, *, sep: str = ","
) -> str:
    """The one way inclusionkit writes a table as CSV, to ``path`` or (``None``) as text.

    Formula-like text cells and headers are quoted (:func:`neutralise_frame`), a cell with a
    carriage return is quoted (:func:`csv_quoting`), UTF-8, ``\\n`` line ends, ISO dates. Every
    CSV the library and the command line write goes through here: a file, standard output, the
    rejected and excluded rows, the examples' registers (``sep=";"`` as Romanian registers are
    kept). Returns the text (empty when written to ``path``).
    """
    safe = neutralise_frame(frame)
    text = safe.to_csv(
        path,
        sep=sep,
        index=False,
        lineterminator="\n",
        encoding="utf-8",
        date_format="%Y-%m-%d",
        quoting=csv_quoting(safe),
    )
    return text or ""


def write_csv_text(frame: pd.DataFrame, *, sep: str = ",") -> str:
    """``frame`` as CSV text, written the one way inclusionkit writes every CSV.

    The public face of :func:`frame_to_csv` for plugins (``inclusionkit.plugin.write_csv_text``):
    formula-like text cells and headers quoted (undone by :func:`restore_frame` on reading), a
    cell with a carriage return quoted, ``\\n`` line ends, ISO dates, no index. Encode the text
    as UTF-8 to write it.
    """
    return frame_to_csv(frame, None, sep=sep)


def _unique(names: Iterable[Any]) -> list[Any]:
    # A column name that appears twice selects a DataFrame, not a column: leave those alone.
    names = list(names)
    counts = Counter(names)
    return [name for name in names if counts[name] == 1]


def restore_arrow(values: pa.Array) -> pa.Array:
    """Undo :func:`neutralise_values` on an Arrow text array (vectorised, no copy if clean)."""
    quoted = pc.starts_with(values, _QUOTE)
    if not pc.any(quoted).as_py():
        return values
    rest = pc.utf8_slice_codeunits(values, 1)
    undo = pc.and_(
        pc.fill_null(quoted, False),
        pc.and_not(
            pc.fill_null(pc.match_substring_regex(rest, _RISKY), False),
            pc.fill_null(pc.match_substring_regex(rest, _NUMBER), False),
        ),
    )
    return pc.if_else(undo, rest, values)


# -- error messages without cell content ------------------------------------------------------

_RAGGED = re.compile(r"Expected (\d+) columns?, got (\d+)")
_QUOTED_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def arrow_reason(exc: BaseException) -> str:
    """Arrow's error message without the data it echoes: the reason only.

    Arrow's CSV reader ends a parse error with the row it could not read ("Expected 33 columns,
    got 34: 1780511400041,Popescu,…") and a conversion error with the value ("invalid value
    '1780511400041'"); a message from inclusionkit never carries a row or a personal cell, so
    the row is cut off and quoted values are replaced by ``…``.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    ragged = _RAGGED.search(text)
    if ragged is not None:
        return f"expected {ragged.group(1)} columns, got {ragged.group(2)}"
    text = _QUOTED_VALUE.sub("…", text)
    # Whatever follows "value:" / "row:" is data, not a reason.
    return re.sub(r"((?:value|row|line|string)s?):\s.*$", r"\1", text, flags=re.I)
