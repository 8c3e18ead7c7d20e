"""The ingestion pipeline: one way from a participation file to the canonical table.

1. detect the format (:mod:`._detect`), through the registered importers;
2. the importer reads the file: CSV decodes it (:mod:`._decode`); every importer hands over a
   :class:`~._raw.RawTable` (Arrow, the file's own headers, where each row sits in the file);
3. map headers and values (:mod:`._mapping`), with the built-in mapping or a user's file;
4. clean (:mod:`._clean`): trim, cedilla to comma-below, formula quoting undone;
5. type (:mod:`._type`), naming every bad cell as a :class:`~inclusionkit.Problem`;
6. convert to pandas once. Validation of the contract (vocabularies, completeness, dates in
   order) is :func:`inclusionkit.validate_participations`, on the result.

Stages 1 to 5 alone (:func:`ingest_typed`, :func:`run_typed`) give the typed Arrow table and
where its rows are in the file (a :class:`TypedTable`): what ``compute`` counts from a file,
with no pandas frame of every row. Stage 6 is :func:`canonical_frame` of that, one path.

An importer without ``read_raw`` (a third-party plugin) returns a DataFrame; it goes through
stages 3 to 6 all the same, so every door gives the same table.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._arrow_text import text_buffers
from inclusionkit._contract import COLUMN_NAMES, COLUMNS, Column, OnError
from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._formats import REGISTER_URLS, Importer, Source
from inclusionkit._i18n import deferred, translate
from inclusionkit._ingest._clean import clean_array
from inclusionkit._ingest._detect import find_importer, source_path
from inclusionkit._ingest._mapping import (
    IDENTIFIERS,
    ColumnMapping,
    dropped_unmapped,
    load_mapping,
    map_headers,
    missing_columns,
    missing_problem,
    value_words,
)
from inclusionkit._ingest._raw import RawTable, default_location
from inclusionkit._ingest._row_problems import (
    ROW_LOCATIONS,
    ROW_PROBLEMS,
    RowLocations,
    attach_row_problems,
    row_locations,
)
from inclusionkit._ingest._type import (
    TypedColumn,
    cell_problems,
    constant_column,
    one_chunk,
    to_frame,
    type_column,
    unknown_value_problems,
)
from inclusionkit._pandas import import_in_background, pd
from inclusionkit._threads import column_workers

PIPELINE_OPTIONS = ("mapping", "keep_extra", "on_error", "columns")
"""Options every reader of participations takes; the rest are the importer's own.

``columns`` is a projection: the canonical (and extra) column names wanted. The pipeline maps
every header, but types, checks and converts only those columns; an importer that declares
``Importer.projects`` is handed the names and may leave the file's other columns unread.
"""

MappingArg = str | os.PathLike[str] | Mapping[str, Any] | ColumnMapping | None

_TITLES = "inclusionkit.titles"
"""Schema metadata key of a prepared table: its canonical columns' headers in the file (JSON)."""

_FRAME_BOUND: ContextVar[bool] = ContextVar("inclusionkit_frame_bound", default=False)
"""Set while a table is read to become a pandas frame (:func:`text_as_read`)."""


def text_as_read() -> bool:
    """Whether the participations being read become a pandas frame (:func:`ingest`,
    :func:`run` …), rather than a typed table for the engine (:func:`ingest_typed`).

    Then a text column of few distinct values may be handed over as plain text, not
    dictionary-encoded: where every distinct text is already its typed text (clean, a known
    value), the typed column is that text as read (:func:`~._type.type_column`), which the frame
    takes without decoding a dictionary. An importer may ask (the CSV reader does, as pyarrow's
    own reader reads); either way the frame is the same. The engine's typed table keeps its
    dictionaries (fewer bytes held, codes to count by).
    """
    return _FRAME_BOUND.get()


@contextlib.contextmanager
def _frame_bound() -> Iterator[None]:
    token = _FRAME_BOUND.set(True)
    try:
        yield
    finally:
        _FRAME_BOUND.reset(token)


@attrs.frozen(kw_only=True, eq=False)
class TypedTable:
    """A participation table after stages 1 to 5: the typed Arrow table (canonical Arrow types,
    :data:`~inclusionkit._contract.ARROW_TYPES`; a text column may be dictionary-encoded),
    where its rows are in the file (``locations``: ``None`` for a table not read from a file,
    whose rows are numbered from 0) and, in coerce mode, the cells blanked
    (``problems``: ``(row, Problem)`` pairs; ``None`` in raise mode)."""

    table: pa.Table
    locations: RowLocations | None = None
    problems: tuple[tuple[int, Problem], ...] | None = None


def ingest(
    source: Source,
    format: str | None = None,
    *,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read a participation table from any registered format into the canonical table.

    See :func:`inclusionkit.read_participations`, which is this function. ``columns`` reads
    only those columns (see :data:`PIPELINE_OPTIONS`): the others are left out of the table.
    """
    return ingest_with(
        _importer_for(source, format),
        source,
        mapping=mapping,
        keep_extra=keep_extra,
        on_error=on_error,
        columns=columns,
        **options,
    )


def ingest_typed(
    source: Source,
    format: str | None = None,
    *,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> TypedTable:
    """:func:`ingest` up to the typed Arrow table (stages 1 to 5), not converted to pandas:
    the same problems raised the same way."""
    return _typed_with(
        _importer_for(source, format),
        source,
        mapping=mapping,
        keep_extra=keep_extra,
        on_error=on_error,
        columns=columns,
        **options,
    )


def _importer_for(source: Source, format: str | None) -> Importer:
    """The importer of ``source`` (``format``, else found by the file), after checking that a
    file named is there."""
    path = os.fspath(source) if isinstance(source, str | os.PathLike) else None
    # A register's database URL is read by the register importer: it is no file.
    if path is not None and not path.startswith(REGISTER_URLS) and not os.path.exists(path):
        raise InclusionKitError(translate("{path}: no such file").format(path=path))
    return find_importer(source, format)


def ingest_with(
    importer: Importer,
    source: Source,
    *,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read participations with a given importer, through the pipeline (see :func:`ingest`)."""
    with _frame_bound():
        return canonical_frame(
            _typed_with(
                importer,
                source,
                mapping=mapping,
                keep_extra=keep_extra,
                on_error=on_error,
                columns=columns,
                **options,
            )
        )


def _typed_with(
    importer: Importer,
    source: Source,
    *,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> TypedTable:
    """:func:`ingest_with` up to the typed Arrow table."""
    if on_error not in ("raise", "coerce"):
        raise InclusionKitError(f"on_error must be 'raise' or 'coerce', not {on_error!r}")
    read_raw = getattr(importer, "read_raw", None)
    if read_raw is not None:
        projects = importer.projects

        def read(given: Mapping[str, Any]) -> RawTable:
            # Only an importer that says so is handed the projection; the pipeline applies it.
            if not projects:
                given = {key: value for key, value in given.items() if key != "columns"}
            # pyarrow imports pandas at the first array the typing makes: imported while the
            # file is read, mostly outside Python's lock, it costs next to nothing.
            import_in_background()
            raw: RawTable = read_raw(source, options=given)
            return raw

        return _typed_raw(
            read,
            mapping=mapping,
            keep_extra=keep_extra,
            on_error=on_error,
            columns=columns,
            **options,
        )
    resolved = load_mapping(mapping)
    # A third-party importer's DataFrame goes through the same mapping, cleaning and typing.
    # Only what the caller gave: an importer may refuse options it does not know.
    given = dict(options)
    if keep_extra:
        given["keep_extra"] = True
    if on_error != "raise":
        given["on_error"] = on_error
    if mapping is not None:
        given["mapping"] = mapping
    frame = importer.read(source, kind="participations", options=given)
    if not isinstance(frame, pd.DataFrame):
        raise InclusionKitError(
            f"the {importer.name!r} importer returned a {type(frame).__name__}, not a "
            "participation table (a DataFrame)"
        )
    row_problems = tuple(frame.attrs.get(ROW_PROBLEMS, ()))
    raw = RawTable.from_frame(frame, source=source_path(source) or "", row_problems=row_problems)
    del frame
    return run_typed(
        raw, mapping=resolved, keep_extra=keep_extra, on_error=on_error, columns=columns
    )


def ingest_raw(
    read_raw: Callable[[Mapping[str, Any]], RawTable],
    *,
    check: Callable[[Mapping[str, Any]], None] | None = None,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Run the pipeline on what ``read_raw(options)`` reads (for importers' ``read``).

    ``check`` validates the importer's own options first (those besides the pipeline's).
    ``columns`` (a projection, :data:`PIPELINE_OPTIONS`) is handed to ``read_raw`` as the
    ``columns`` option when given.
    """
    with _frame_bound():
        return canonical_frame(
            _typed_raw(
                read_raw,
                check=check,
                mapping=mapping,
                keep_extra=keep_extra,
                on_error=on_error,
                columns=columns,
                **options,
            )
        )


def _typed_raw(
    read_raw: Callable[[Mapping[str, Any]], RawTable],
    *,
    check: Callable[[Mapping[str, Any]], None] | None = None,
    mapping: MappingArg = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    columns: Collection[str] | None = None,
    **options: Any,
) -> TypedTable:
    """:func:`ingest_raw` up to the typed Arrow table."""
    if on_error not in ("raise", "coerce"):
        raise InclusionKitError(f"on_error must be 'raise' or 'coerce', not {on_error!r}")
    if check is not None:
        check(options)
    resolved = load_mapping(mapping)
    given = {**options, "mapping": resolved, "keep_extra": keep_extra, "on_error": on_error}
    if columns is not None:
        columns = frozenset(columns)
        given["columns"] = columns
    # Handed over without a name kept here, so the raw table is freed once it is typed.
    return run_typed(
        read_raw(given),
        mapping=resolved,
        keep_extra=keep_extra,
        on_error=on_error,
        columns=columns,
    )


def run(
    raw: RawTable,
    *,
    mapping: ColumnMapping | None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    strict: bool = False,
    warn: Callable[..., Warning] | None = None,
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """Stages 3 to 6 on a raw table: map, clean, type, convert (see the module docstring):
    :func:`run_typed`, then :func:`canonical_frame`."""
    with _frame_bound():
        return canonical_frame(
            run_typed(
                raw,
                mapping=mapping,
                keep_extra=keep_extra,
                on_error=on_error,
                strict=strict,
                warn=warn,
                columns=columns,
            )
        )


def run_typed(
    raw: RawTable,
    *,
    mapping: ColumnMapping | None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    strict: bool = False,
    warn: Callable[..., Warning] | None = None,
    columns: Collection[str] | None = None,
) -> TypedTable:
    """Stages 3 to 5 on a raw table: map, clean, type (see the module docstring); the typed
    Arrow table and where its rows are.

    ``mapping=None`` recognises the canonical names and values only (an in-memory table).
    Unknown headers and values are ``notes``: with ``warn`` they are issued as that warning
    (``strict`` makes them an error); the raw table's own ``keep_extra``, ``strict`` and ``warn``
    (an importer's) take precedence. ``columns`` keeps only those columns (:func:`prepare`).
    Problems in cells raise :class:`ValidationError` unless ``on_error="coerce"``.
    """
    keep_extra = keep_extra if raw.keep_extra is None else raw.keep_extra
    strict = strict or raw.strict
    warn = warn if raw.warn is None else raw.warn
    source, locate, header = raw.source, raw.locate, raw.header_location or "line 1"
    wanted = strict or warn is not None
    typed, problems, notes = prepare(
        raw, mapping=mapping, keep_extra=keep_extra, notes=wanted, columns=columns
    )
    # The raw table is typed: unless the caller still holds it, its memory and the reader's
    # scratch memory go back to the system (Arrow's pool would keep them from pandas and numpy).
    del raw
    pa.default_memory_pool().release_unused()
    if strict and notes:
        raise ValidationError(notes, source=source or None)
    if problems and on_error == "raise":
        raise ValidationError([problem for _, problem in problems], source=source or None)
    titles = json.loads((typed.schema.metadata or {}).get(_TITLES.encode(), b"{}"))
    if warn is not None and notes:
        warnings.warn(warn(notes, source=source or None), stacklevel=5)
    return TypedTable(
        table=typed,
        # A file says where its rows are; a frame does not.
        locations=None
        if locate is default_location
        else row_locations(locate, header=header, titles=titles),
        problems=tuple(problems) if on_error == "coerce" else None,
    )


def canonical_frame(typed: TypedTable) -> pd.DataFrame:
    """Stage 6: the typed table as the canonical pandas table, converted once, its rows'
    locations (:data:`~._row_problems.ROW_LOCATIONS`) and, in coerce mode, the cells blanked
    (:data:`~._row_problems.ROW_PROBLEMS`) attached."""
    table, locations, problems = typed.table, typed.locations, typed.problems
    # Handed over without a name kept by the caller: the typed table goes once converted.
    del typed
    frame = to_frame(table)
    del table
    pa.default_memory_pool().release_unused()
    if locations is not None:
        frame.attrs[ROW_LOCATIONS] = locations
    if problems is not None:
        attach_row_problems(frame, problems)
    return frame


def prepare(
    raw: RawTable,
    *,
    mapping: ColumnMapping | None,
    keep_extra: bool = False,
    notes: bool = True,
    columns: Collection[str] | None = None,
) -> tuple[pa.Table, list[tuple[int, Problem]], list[Problem]]:
    """Stages 3 to 5, in Arrow: the typed table, the bad cells by row, and (with ``notes``) the
    headers and values left out. The table's text of few distinct values (every text column but
    ``participant_id``) is a dictionary of its distinct typed texts (``_type.TEXT_CODES``), or,
    for a frame (:func:`text_as_read`), the plain text as read where that is its typed text;
    :func:`to_frame` makes it the canonical pandas table.

    With ``columns`` (a projection) every header is still mapped (a missing required column,
    a header a strict mapping cannot place stop the read as always), but only the columns named
    are typed, checked and kept: the table has those columns alone, and the problems are those
    of their cells. The headers the importer left unread (``raw.unread``) are mapped with the
    others.
    """
    table = raw.table
    source = raw.source
    headers = map_headers(
        [*table.column_names, *raw.unread],
        mapping,
        source=source,
        location=raw.header_location or "line 1",
    )
    kept = None if columns is None else frozenset(columns)
    missing = missing_columns(headers.columns, mapping, defaults=raw.defaults)
    # A column that matches nothing and would be dropped stops the read (strict mappings only).
    unmapped = dropped_unmapped(headers, keep_extra=keep_extra, columns=kept)
    if missing:
        raise ValidationError(
            [
                *headers.unmapped,  # named too, even where they would be kept
                *(
                    missing_problem(name, mapping, source=source, location=raw.header_location)
                    for name in missing
                ),
            ],
            source=source or None,
        )
    rows = table.num_rows
    as_read = text_as_read()  # a frame's text may be the text as read (see text_as_read)
    arrays: dict[str, pa.Array] = {}
    problems: list[tuple[int, Problem]] = list(raw.row_problems)
    left_out: list[Problem] = [*raw.notes, *(headers.left_out if mapping is not None else ())]
    wanted = [
        (column, headers.columns.get(column.name))
        for column in COLUMNS
        if kept is None or column.name in kept
    ]

    def typed_column(column: Column, header: str) -> TypedColumn:
        return type_column(
            table.column(header),
            column,
            value_words(mapping, header, column.name),
            quoted_formulas=raw.quoted_formulas,
            regions=mapping is not None,
            as_read=as_read,
        )

    typing = _typing_ahead(
        rows, [(column, header) for column, header in wanted if header is not None], typed_column
    )
    for column, header in wanted:
        if header is None:
            arrays[column.name] = constant_column(column, raw.defaults.get(column.name), rows)
            continue
        typed = typing[column.name].result()
        arrays[column.name] = typed.values
        problems += cell_problems(typed, column, source, raw.locate, header)
        if column.name == "participant_id":
            problems += _cnp_id_problems(typed.values, source, raw.locate, header)
        if notes:
            left_out += unknown_value_problems(typed, header, source, raw.locate)
    if keep_extra:
        for target in IDENTIFIERS:
            if target in headers.columns and (kept is None or target in kept):
                arrays[target] = _extra(table.column(headers.columns[target]), raw)
        for header in headers.extras:
            name = header.strip()
            if name and name not in arrays and (kept is None or name in kept):
                arrays[name] = _extra(table.column(header), raw)
    order = {name: index for index, name in enumerate(COLUMN_NAMES)}
    problems.sort(key=lambda pair: (pair[0], order.get(pair[1].column or "", len(order))))
    if unmapped:
        raise ValidationError([*unmapped, *(problem for _, problem in problems)], source=source)
    # The file's own header of each canonical column, for the problems found later (``run``).
    titles = {name: header for name, header in headers.columns.items() if name in arrays}
    table = pa.table(arrays).replace_schema_metadata({_TITLES: json.dumps(titles)})
    return table, problems, left_out if notes else []


def _typing_ahead(
    rows: int,
    columns: list[tuple[Column, str]],
    typed_column: Callable[[Column, str], TypedColumn],
) -> dict[str, Future[TypedColumn]]:
    """Each column's :class:`TypedColumn`, by name, as futures: typed on other threads for a
    large table (:func:`~inclusionkit._threads.column_workers`), the widest columns first, or
    here, one by one. The caller makes the problems from them in the contract's order,
    whichever thread typed them; each thread runs in a copy of the caller's context (the
    language, the mapping)."""
    workers = column_workers(rows, len(columns))
    if workers < 2:
        return {column.name: _done(typed_column(column, header)) for column, header in columns}
    # The free-text ids and the dates take longest: started first, they end with the rest.
    order = sorted(columns, key=lambda pair: pair[0].kind != "date" and pair[0].name not in _IDS)
    # Leaving the pool waits for every column: none is typed past this call.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inclusionkit-type") as pool:
        return {
            column.name: pool.submit(contextvars.copy_context().run, typed_column, column, header)
            for column, header in order
        }


_IDS = frozenset({"participant_id"})
"""The column of (nearly) one value per row: cleaned cell by cell, the longest to type."""


def _done(value: TypedColumn) -> Future[TypedColumn]:
    future: Future[TypedColumn] = Future()
    future.set_result(value)
    return future


def _cnp_id_problems(
    values: pa.Array | pa.ChunkedArray, source: str, locate: Any, header: str
) -> list[tuple[int, Problem]]:
    """A ``participant_id.cnp`` problem for each id that is a valid CNP (never printed)."""
    from inclusionkit.ro._cnp import cnp_id_rows

    # A CNP is 13 digits: only the ids of 13 bytes or more are looked at (often none are).
    candidates = _long_cells(values, 13)
    if not candidates.size:
        return []
    rows = candidates[cnp_id_rows(values.take(pa.array(candidates)))]
    message = deferred(
        "the participant id is a valid CNP, which would leave in every output; pseudonymise "
        "the register first (inclusionkit pseudonymise IN OUT --key-file KEY)"
    )
    return [
        (
            row,
            Problem(
                code="participant_id.cnp",
                message=message,
                source=source or None,
                location=place,
                column=header.strip(),
            ),
        )
        for row, place in zip(rows.tolist(), locate(rows), strict=True)
    ]


def _long_cells(values: pa.Array | pa.ChunkedArray, length: int) -> np.ndarray:
    """The rows of a text column whose cell holds at least ``length`` bytes (a null cell may
    be one: Arrow lets a null slot hold bytes), found from the offsets block by block: each
    block's scratch array reuses the last one's memory, where the lengths of every cell at once
    would be fresh memory (slow to touch in these VMs)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    found = []
    start = 0
    for chunk in chunks:
        buffers = text_buffers(chunk)
        assert buffers is not None, chunk.type  # the typed ids are text
        offsets = buffers[0]
        for first in range(0, len(chunk), _LENGTH_BLOCK):
            lengths = np.diff(offsets[first : first + _LENGTH_BLOCK + 1])
            long = np.flatnonzero(lengths >= length)
            if long.size:
                found.append(long + (start + first))
        start += len(chunk)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


_LENGTH_BLOCK = 1 << 16
"""How many cells :func:`_long_cells` measures at a time."""


def _extra(values: pa.ChunkedArray, raw: RawTable) -> pa.Array:
    """An extra column (a CNP, a name): cedilla and formula quoting undone, spaces kept."""
    array = one_chunk(values)
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    if not pa.types.is_string(array.type):
        return array
    return clean_array(array, trim=False, quoted_formulas=raw.quoted_formulas)


def from_arrow(
    table: pa.Table,
    *,
    source: str | None = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    mapping: MappingArg = None,
    quoted_formulas: bool = False,
) -> pd.DataFrame:
    """An Arrow table (a batch, a partition) through the pipeline's stages 3 to 6.

    Only the canonical names and values are recognised unless a ``mapping`` is given;
    ``quoted_formulas`` for text that came from CSV.
    """
    raw = RawTable(table=table, source=source or "", quoted_formulas=quoted_formulas)
    resolved = None if mapping is None else load_mapping(mapping)
    return run(raw, mapping=resolved, keep_extra=keep_extra, on_error=on_error)


def normalise_participations(
    frame: pd.DataFrame,
    *,
    source: str | None = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    mapping: MappingArg = None,
) -> pd.DataFrame:
    """Turn a frame with the canonical column names (text or typed cells) into canonical form.

    The pipeline's mapping, cleaning and typing on a DataFrame: text cells are trimmed and parsed
    (ISO or ``DD.MM.YYYY`` dates, ``true``/``da``/``1`` booleans, whole numbers), every column
    cast to its canonical dtype. Only the canonical names and values are recognised unless a
    ``mapping`` is given. Cells that do not parse raise :class:`ValidationError` naming each
    (row, column) unless ``on_error="coerce"``.
    """
    resolved = None if mapping is None else load_mapping(mapping)
    raw = RawTable.from_frame(frame, source=source)
    return run(raw, mapping=resolved, keep_extra=keep_extra, on_error=on_error)
