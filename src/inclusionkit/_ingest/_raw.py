"""What an importer hands the ingestion pipeline: a participation table as the file has it.

An importer that can (``Importer.read_raw``) returns a :class:`RawTable`: an Arrow table with the
file's own headers and its cells as text (or as the format typed them: Parquet's booleans, an
Excel date), plus where each row sits in the file. The pipeline then maps, cleans and types it
(:mod:`._mapping`, :mod:`._clean`, :mod:`._type`), the same way for every format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._errors import InclusionKitError, Problem
from inclusionkit._i18n import translate
from inclusionkit._ingest._row_problems import LineLocator
from inclusionkit._pandas import pd


def default_location(rows: np.ndarray) -> list[str]:
    return [f"row {int(row)}" for row in rows]


@attrs.frozen(kw_only=True, eq=False)
class RawTable:
    """A participation table as read from a file, before mapping, cleaning and typing.

    ``table`` has the file's headers and one Arrow column per header (text, or typed by the
    format). ``source`` names the file in messages. ``locate`` turns 0-based row numbers into
    where those rows are in the file (``line 12`` for CSV, ``sheet 'Registru', row 12``,
    ``$[3]`` for JSON); the default is ``row N``. ``quoted_formulas`` says the format writes
    formula-like text with a ``'`` in front (CSV), which cleaning removes. ``notes`` are things
    the importer left out (a column without a header); ``row_problems`` are ``(row, Problem)``
    pairs about rows the importer could not read fully (a row without an id). ``defaults`` fill
    a canonical column no header fills (``{"project_code": "POCU/1/2/3"}``).
    ``header_location`` says where the header row is. ``keep_extra`` overrides the caller's
    choice to keep extra columns (an importer option such as the workbook's
    ``keep_identifiers``). ``warn`` (a warning class taking ``(problems, source=)``) issues the
    headers and values left out as that warning; ``strict`` makes them an error.
    ``unread`` names the file's headers the importer did not read (it was asked for some
    ``columns`` only): the pipeline maps them with the others, and never types them.
    """

    table: pa.Table
    source: str
    locate: Callable[[np.ndarray], list[str]] = default_location
    quoted_formulas: bool = False
    notes: tuple[Problem, ...] = ()
    row_problems: tuple[tuple[int, Problem], ...] = ()
    defaults: Mapping[str, Any] = attrs.field(factory=dict)
    header_location: str | None = None
    strict: bool = False
    keep_extra: bool | None = None
    warn: Callable[..., Warning] | None = None
    unread: tuple[str, ...] = ()

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str | None = None, **fields: Any) -> RawTable:
        """A raw table of a DataFrame (an importer's canonical result, an in-memory table)."""
        frame = frame.reset_index(drop=True)
        columns: dict[str, pa.Array] = {}
        for name in frame.columns:
            columns[str(name)] = _arrow_column(frame[name], str(name), source)
        return cls(table=pa.table(columns), source=source or "", **fields)


def _arrow_column(values: pd.Series, name: str, source: str | None) -> pa.Array:
    """One DataFrame column as Arrow; a mixed object column (a spreadsheet's) as text."""
    if values.dtype == object:
        texts = values.map(_cell_text, na_action="ignore")
        try:
            return pa.array(texts.astype(object).where(texts.notna(), None), type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InclusionKitError(
                translate("{source}: column {name!r} cannot be read as text ({reason})").format(
                    source=source or translate("the table"), name=name, reason=exc
                )
            ) from None
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        texts = values.astype(object).where(values.notna(), None).map(_cell_text)
        return pa.array(texts.map(lambda v: None if v is None else str(v)), type=pa.string())


def _cell_text(value: Any) -> Any:
    """A typed cell among text (a spreadsheet's date or number) written as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lines_locator(
    prefix: str, numbers: Sequence[int] | np.ndarray
) -> Callable[[np.ndarray], list[str]]:
    """A ``locate`` saying ``{prefix} {numbers[row]}`` (a CSV line, a sheet row)."""
    positions = np.asarray(numbers, dtype=np.int64)
    return LineLocator(prefix, lambda rows: positions[np.asarray(rows, dtype=np.int64)])


def offset_locator(prefix: str, first: int) -> Callable[[np.ndarray], list[str]]:
    """A ``locate`` saying ``{prefix} {row + first}`` (``line`` from 2 under a header line)."""

    return LineLocator(prefix, lambda rows: np.asarray(rows, dtype=np.int64) + first)
