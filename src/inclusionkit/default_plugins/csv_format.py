"""The built-in CSV format: participation tables, progress tables and report tables.

Reading accepts what Romanian spreadsheets produce: UTF-8 with or without a byte-order mark, or
Windows-1250 / ISO-8859-2 when the file is not UTF-8; ``,`` or ``;`` between fields; ISO or
``DD.MM.YYYY`` dates; decimal commas in the numbers of ``;``-separated progress and report
tables; and the cedilla letters ş/ţ (an old, wrong encoding of Romanian) normalised to the
comma-below ș/ț. Participation tables are read raw (:func:`read_csv_raw`) and go through the
ingestion pipeline (:mod:`inclusionkit._ingest`), like every other format's. Writing is UTF-8
without a BOM, ``,``-separated, ISO dates.

Files are untrusted: one larger than the limit (:mod:`inclusionkit._limits`) is refused before it
is read, and a text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a
leading tab or carriage return) is written with a ``'`` in front (:mod:`inclusionkit._sanitise`);
reading removes that quote again, so a round trip gives back the original text. See
``docs/formats/csv.md`` and ``docs/security.md``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import threading
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._formats import Exporter, Importer, Source
from inclusionkit._i18n import resolve_language
from inclusionkit._i18n._tables import translate_table
from inclusionkit._ingest import (
    BOOLEAN_WORDS,
    PIPELINE_OPTIONS,
    Layout,
    RawTable,
    decode_head,
    decode_text,
    ingest_raw,
    is_utf8,
    layout,
    legacy_encoding,
    load_mapping,
    map_headers,
    physical_lines,
    text_as_read,
)
from inclusionkit._ingest._decode import HEAD_SIZE, file_line_starts, row_lines
from inclusionkit._ingest._mapping import dropped_unmapped
from inclusionkit._ingest._row_problems import LineLocator
from inclusionkit._limits import ENV, check_count, check_size, limit, limited_source
from inclusionkit._pandas import pd
from inclusionkit._participations import (
    COLUMN_NAMES,
    COLUMNS,
    DATE_COLUMNS,
    write_participations,
)
from inclusionkit._report_data import ReportData, report_table
from inclusionkit._sanitise import arrow_reason, frame_to_csv, restore_frame
from inclusionkit._sfc2021 import Sfc2021Report
from inclusionkit._technical import LAYOUT, TechnicalReport
from inclusionkit.default_plugins import (
    PROGRESS_DTYPES,
    PROGRESS_MARKERS,
    check_options,
    describe_binary,
    local_path,
    not_this_format,
    read_head,
    remap_error,
    restore_progress_dtypes,
    source_name,
)
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl

_CEDILLA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})

_READ_OPTIONS = {"progress": (), "report": ()}

# Numbers written with a decimal comma ("12,5"), as Romanian spreadsheets write them in
# ';'-separated files. Only these columns are numbers; a text column is never converted.
_DECIMAL_COMMA = r"^\s*[+-]?\d+(?:,\d+)?\s*$"
_NUMBER_COLUMNS = frozenset(
    {name for name, dtype in PROGRESS_DTYPES.items() if dtype.lower().startswith("float")}
    | {"value"}
)
_MARKUP = re.compile(rb"^\s*<(?:\?xml|!doctype|html|svg|iati-activities)", re.IGNORECASE)
_JSON_START = re.compile(rb'^\s*(?:\{\s*"|\[\s*[\[{"\]]|\[\s*$)')


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the CSV reader."""
    register(
        Importer(
            name="csv",
            extensions=(".csv", ".txt"),
            kinds={"participations", "progress", "report"},
            read=read_csv,
            read_raw=read_csv_raw,
            projects=True,
            description="comma- or semicolon-separated text (UTF-8, Windows-1250, ISO-8859-2)",
        )
    )


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the CSV writer."""
    register(
        Exporter(
            name="csv",
            extensions=(".csv",),
            kinds={"participations", "progress", "report", "table"},
            write=write_csv,
            description="UTF-8, comma-separated, ISO dates (a report's table only)",
        )
    )


# -- reading -----------------------------------------------------------------------------------


def read_csv(source: Source, *, kind: str, options: Mapping[str, Any]) -> Any:
    """Read a CSV file as participations, a progress table or a report table.

    Participations go through the ingestion pipeline (:func:`inclusionkit.read_participations`),
    from :func:`read_csv_raw`.
    """
    name = source_name(source)
    # A file over the table limit is refused before it is read (a stream: while it is copied).
    with local_path(limited_source(source, "table"), ".csv") as path:
        head = read_head(path)
        _check_text(head, name)
        if kind == "auto":
            kind = _guess_kind(decode_head(head), name, options.get("mapping"))
        if kind == "participations":
            staged = not isinstance(source, str | os.PathLike)
            return ingest_raw(
                lambda given: _raw(path, name, head, given, staged=staged),
                check=lambda given: check_options("csv", given, ()),
                **options,
            )
        check_options("csv", options, _READ_OPTIONS.get(kind, ()))
        if kind not in ("progress", "report"):
            raise InclusionKitError(f"{name}: the csv format cannot read {kind}")
        # Progress and report tables are small and decoded whole: a document's limit applies.
        try:
            check_size(path, "document")
        except InclusionKitError as exc:
            raise remap_error(exc, path, name) from None
        text = decode_text(path.read_bytes(), name).translate(_CEDILLA)
        text_columns = _PROGRESS_TEXT if kind == "progress" else ()
        frame = restore_frame(_read_frame(text, name, text_columns))
        if kind == "progress":
            return restore_progress_dtypes(frame)
        return ReportData(table=_report_table(frame, name))


def read_csv_raw(source: Source, *, options: Mapping[str, Any]) -> RawTable:
    """Read a CSV file's participations as they are written, for the ingestion pipeline.

    Only the columns the mapping fills (and the extra ones with ``keep_extra``) are read, and with
    a ``columns`` option (a projection) only those of them, the others never converted; a UTF-8
    file is read in place by Arrow, a Windows-1250 or ISO-8859-2 one decoded first. Columns of
    few distinct values are read dictionary-encoded, so each distinct text is cleaned and typed
    once; for a pandas frame (:func:`~inclusionkit._ingest.text_as_read`) the text ones and the
    ids are read as plain ``large_string``, which the frame takes as read when it is clean.
    """
    name = source_name(source)
    with local_path(limited_source(source, "table"), ".csv") as path:
        head = read_head(path)
        _check_text(head, name)
        check_options("csv", {k: v for k, v in options.items() if k not in PIPELINE_OPTIONS}, ())
        staged = not isinstance(source, str | os.PathLike)
        return _raw(path, name, head, options, staged=staged)


def _check_text(head: bytes, name: str) -> None:
    binary = describe_binary(head)
    if binary is not None:
        raise not_this_format(
            name,
            binary,
            "a CSV text file",
            "export it from your spreadsheet as CSV (UTF-8), or pass the right format "
            "(for a workbook, install inclusionkit-xlsx and use format='xlsx')",
        )
    _check_not_markup(head, name)


class _NotUtf8(Exception):
    """The file is not UTF-8 past its first bytes."""


def _raw(
    path: Path, name: str, head: bytes, options: Mapping[str, Any], *, staged: bool
) -> RawTable:
    form = layout(head)
    mapping = options.get("mapping")
    keep_extra = bool(options.get("keep_extra", False))
    only = options.get("columns")
    try:
        if not is_utf8(head, whole=len(head) < HEAD_SIZE):
            raise _NotUtf8
        table, unread = _arrow_read(path, name, head, form, mapping, keep_extra, only)
    except _NotUtf8:
        # Windows-1250 or ISO-8859-2, chosen from a count of the bytes; Arrow decodes the file
        # in streaming blocks as it parses (never a decoded copy of the whole file).
        encoding = legacy_encoding(path, name)
        try:
            table, unread = _arrow_read(path, name, head, form, mapping, keep_extra, only, encoding)
        except _NotUtf8:  # pragma: no cover - every byte decodes in the encoding chosen
            raise InclusionKitError(f"{name}: cannot decode the file") from None
    # A staged copy (of a stream) is gone once read: keep its bytes for the line numbers.
    data = path.read_bytes() if staged else None

    def lines() -> int | np.ndarray:
        if data is not None:
            return np.asarray(physical_lines(data, form.delimiter, form.skip_lines), np.int64)
        return file_line_starts(path, form.delimiter, form.skip_lines)  # in blocks, never whole

    return RawTable(
        table=table,
        source=name,
        # For the engine (a report, which lists the rows it excludes by line), the lines are
        # looked for now, beside the typing and counting, rather than after them.
        locate=_line_locator(lines, form, ahead=data is None and not text_as_read()),
        quoted_formulas=True,
        header_location=f"line {form.skip_lines + 1}",
        unread=unread,
    )


def _line_locator(
    physical: Callable[[], int | np.ndarray], form: Layout, *, ahead: bool = False
) -> LineLocator:
    """Say ``line N``: the physical line of each row, worked out once, when a problem first
    needs it, or (``ahead``) from now on in a thread of its own: the look at a file's bytes
    (10M rows: 0.45 s of CPU) then overlaps the work that follows the read."""
    found: list[int | np.ndarray | None] = []

    def find() -> None:
        try:
            found.append(physical())
        except (csv.Error, OSError, InclusionKitError):
            found.append(None)

    worker = threading.Thread(target=find, name="inclusionkit-csv-lines", daemon=True)
    if ahead:
        worker.start()

    def numbers(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):  # nothing to say where: never scan the whole file
            return rows
        if ahead:
            worker.join()  # the look started at the read: its answer (at once, if it is done)
        if not found:
            find()
        return row_lines(found[0], rows, 2 + form.skip_lines)

    return LineLocator("line", numbers)


def _header(path: Path, name: str, form: Layout, encoding: str = "utf8") -> list[str]:
    # Only the header line is needed; asking Arrow would parse a whole 16 MB block.
    # A header line is at most some 256 characters a column: never read a whole file as one.
    longest = max(1 << 20, 256 * limit("columns"))
    try:
        text_encoding = "utf-8-sig" if encoding == "utf8" else encoding
        with open(path, encoding=text_encoding, newline="") as handle:
            for _ in range(form.skip_lines):
                handle.readline(longest)
            first = handle.readline(longest + 1)
    except UnicodeDecodeError:
        raise _NotUtf8 from None
    if len(first) > longest:
        raise InclusionKitError(
            f"{name}: refused: the header line is longer than {longest:,} characters, more than "
            f"{limit('columns'):,} columns could need; raise {ENV['columns']} if it is genuine"
        )
    try:
        names = next(csv.reader([first], delimiter=form.delimiter))
    except (StopIteration, csv.Error) as exc:
        raise InclusionKitError(f"{name}: no header row ({exc or 'the file is empty'})") from None
    # Checked on the header alone, before Arrow parses a column (10^6 columns: minutes).
    check_count(name, len(names), "columns")
    return names


def _arrow_read(
    path: Path,
    name: str,
    head: bytes,
    form: Layout,
    mapping: Any,
    keep_extra: bool,
    only: Collection[str] | None = None,
    encoding: str = "utf8",
) -> tuple[pa.Table, tuple[str, ...]]:
    """The columns needed, as Arrow: first optimistically typed, then as text if a cell is not;
    and the headers left unread. ``only`` (a projection: canonical and extra column names) leaves
    out the columns it does not name: Arrow never converts them. ``encoding`` is the file's
    (Arrow decodes a legacy one in blocks).

    Booleans and ISCED levels written plainly (``true``, ``Da``, ``3``) are typed by Arrow's
    parser in C, the fastest path; when any cell is not (``ISCED 3``, ``da `` with a space,
    a header with its own value map) those columns are read as dictionary-encoded text instead
    and the pipeline maps each distinct text once. Dates written ``YYYY-MM-DD`` (as the file's
    first rows show, :func:`_iso_head`) are typed by Arrow's ``date32`` conversion as it parses,
    strictly; a cell it does not take (``30.02.2015``, ``2015-02-30``, a time) reads the dates
    as text again, for the pipeline to parse and name the bad cells. The result is the same
    either way.
    """
    names = _header(path, name, form, encoding)
    headers = map_headers(names, mapping, source=name, location=f"line {form.skip_lines + 1}")
    unmapped = dropped_unmapped(headers, keep_extra=keep_extra, columns=only)
    if unmapped:  # a strict mapping (the command line's): no column dropped silently
        # With the required columns no header fills, as the pipeline names them (one stop).
        raise ValidationError([*unmapped, *headers.missing], source=name)
    text: dict[str, pa.DataType] = {}
    typed: dict[str, pa.DataType] = {}
    dated: dict[str, pa.DataType] = {}
    as_read = text_as_read()
    for target, header in headers.columns.items():
        if only is not None and target not in only:
            continue
        if target in _PLAIN_TEXT or (target not in COLUMN_NAMES and keep_extra):
            text[header] = _FRAME_TEXT if target == "participant_id" and as_read else pa.string()
            if _KINDS.get(target) == "date":
                dated[header] = pa.date32()
        elif target in COLUMN_NAMES:
            kind = _KINDS[target]
            # Text for a frame is read plain, as pyarrow's reader reads it: the typed column is
            # then mostly the text as read, which the frame takes as it is (text_as_read).
            text[header] = _FRAME_TEXT if kind == "string" and as_read else _DICTIONARY
            values = {} if mapping is None else mapping.value_map(header, target)
            if kind == "bool" and not values:
                typed[header] = pa.bool_()
            elif kind == "int" and not any(text.isdigit() for text in values):
                # A value map of words ("ISCED 3") leaves plain numbers to the parser.
                typed[header] = pa.int8()
    if keep_extra:
        text.update(
            {
                header: pa.string()
                for header in headers.extras
                if header not in text and (only is None or header.strip() in only)
            }
        )
    # The headers left unread are still the file's: the pipeline maps them with the others.
    unread = () if only is None else tuple(header for header in names if header not in text)
    if dated and not _iso_head(head, form, dated, encoding):
        dated = {}  # D.M.YYYY dates (or none at all): read as text, typed by the pipeline
    # The most typed read first; a cell it does not take sends it to the next one.
    attempts = [{**text, **typed, **dated}] if dated else []
    if typed:
        attempts.append({**text, **typed})
    for types in attempts:
        try:
            return _read_arrow(path, form, types, encoding), unread
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "UTF-8" in str(exc):
                raise _NotUtf8 from None
            if "date32" not in str(exc):
                break  # a boolean's or a number's cell the parser does not take: all as text
            # A date not written YYYY-MM-DD: the next read takes the dates as text.
        except pa.ArrowException as exc:
            raise InclusionKitError(
                f"{name}: cannot read this table ({arrow_reason(exc)})"
            ) from None
    try:
        return _read_arrow(path, form, text, encoding), unread
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise _NotUtf8 from None
        where = _bad_row_line(path, form, encoding)
        raise InclusionKitError(
            f"{name}: {where}not a well-formed CSV file ({arrow_reason(exc)}); "
            "check that row's quotes and delimiters"
        ) from None
    except pa.ArrowException as exc:
        # A file the Arrow parser chokes on instead of reporting (found by fuzzing): the file
        # is refused, not the program.
        raise InclusionKitError(f"{name}: cannot read this table ({arrow_reason(exc)})") from None


def _iso_head(head: bytes, form: Layout, dated: Mapping[str, pa.DataType], encoding: str) -> bool:
    """Whether the date columns of the file's first rows (in ``head``) read as ISO dates.

    Arrow's own ``date32`` conversion then types them as it parses (strictly: ``YYYY-MM-DD``,
    a day that exists, spaces around allowed); the text path and its problems remain for a
    file where a later cell does not read so (:func:`_arrow_read`).
    """
    whole = head.rfind(b"\n") + 1
    try:
        _read_arrow(pa.py_buffer(head[:whole]), form, dated, encoding, threads=False)
    except pa.ArrowException:
        return False  # another spelling, or a head Arrow does not take whole: text it is
    return whole > 0


def _bad_row_line(path: Path, form: Layout, encoding: str = "utf8") -> str:
    """``"line N: "`` of the first row with too many or too few cells, or ``""``.

    Read again single-threaded, so that Arrow numbers the rows, only once a read has failed.
    """
    found: list[int] = []

    def handler(row: Any) -> str:
        if row.number is not None:
            found.append(int(row.number))
        return "error"

    with contextlib.suppress(pa.ArrowException, OSError):
        pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=False, skip_rows=form.skip_lines, encoding=encoding
            ),
            parse_options=pacsv.ParseOptions(delimiter=form.delimiter, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(include_columns=[]),
        )
    # Arrow numbers rows from 1 at the header, after the skipped lines.
    return f"line {found[0] + form.skip_lines}: " if found else ""


def _read_arrow(
    source: Path | pa.Buffer,
    form: Layout,
    types: Mapping[str, pa.DataType],
    encoding: str = "utf8",
    *,
    threads: bool = True,
) -> pa.Table:
    """The ``types`` columns of a CSV file (or of the bytes of its first rows) as Arrow."""
    return pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(
            use_threads=threads, block_size=_BLOCK, skip_rows=form.skip_lines, encoding=encoding
        ),
        parse_options=pacsv.ParseOptions(delimiter=form.delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            include_columns=list(types),
            null_values=[""],
            strings_can_be_null=True,
            true_values=_TRUE_WORDS,
            false_values=_FALSE_WORDS,
        ),
    )


def _spellings(words: Any) -> list[str]:
    return sorted({form for word in words for form in (word, word.title(), word.upper())})


_BLOCK = 1 << 22
"""Bytes of the file Arrow parses at a time. 4 MiB blocks took less CPU time and a lower peak
than 16 MiB ones at 1M rows (docs/performance.md, 2026-12-07)."""
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_FRAME_TEXT = pa.large_string()
"""The text columns of a table read for a pandas frame (:func:`text_as_read`): the type pandas'
``string`` dtype holds, so the frame takes the cells as read, with no copy of new offsets."""
_PLAIN_TEXT = frozenset({"participant_id", *DATE_COLUMNS})
"""Columns of (nearly) one value per row: read as plain text, not dictionary-encoded."""
_KINDS = {column.name: column.kind for column in COLUMNS}
_TRUE_WORDS = _spellings([*(w for w, v in BOOLEAN_WORDS.items() if v is True), "adevărat"])
_FALSE_WORDS = _spellings(w for w, v in BOOLEAN_WORDS.items() if v is False)


def _check_not_markup(head: bytes, name: str) -> None:
    """Refuse XML, HTML or JSON named ``.csv``: they would read as a one-column table."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _MARKUP.match(text):
        raise not_this_format(
            name,
            "an XML or HTML file",
            "a CSV text file",
            "for an IATI file pass format='iati'; otherwise export the table as CSV",
        )
    if _JSON_START.match(text):
        raise not_this_format(
            name, "a JSON file", "a CSV text file", "rename it to .json or pass format='json'"
        )


def _guess_kind(text: str, name: str, mapping: Any = None) -> str:
    form = layout(text.encode("utf-8", errors="replace")[:HEAD_SIZE])
    lines = text.split("\n", form.skip_lines + 1)
    first = lines[form.skip_lines].rstrip("\r") if len(lines) > form.skip_lines else ""
    try:
        row = next(csv.reader([first], delimiter=form.delimiter), [])
    except csv.Error as exc:
        raise InclusionKitError(f"{name}: the header line is not well-formed CSV ({exc})") from None
    check_count(name, len(row), "columns")  # on the header alone, before anything else
    header = {cell.strip() for cell in row}
    # A register's own headers ("ID participant", or a mapping file's) say participations too.
    mapped = set(map_headers(row, load_mapping(mapping), source=name, location="line 1").columns)
    if set(COLUMN_NAMES) <= header or "participant_id" in mapped:
        return "participations"
    if header >= PROGRESS_MARKERS:
        return "progress"
    if {"indicator", "value"} <= header:
        return "report"
    if "participant_id" in header:
        # Close to a participation table: let read_participations name the missing columns.
        return "participations"
    # The header is not echoed: a file without one has a person's row in its place.
    raise InclusionKitError(
        f"{name}: cannot tell what this table holds from its header line ({len(row)} columns, "
        "no participant_id, no indicator and value, no indicator, target and achieved); pass "
        "kind='participations', 'progress' or 'report'"
    )


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


_PROGRESS_TEXT = tuple(name for name, dtype in PROGRESS_DTYPES.items() if dtype == "str")


def _read_frame(text: str, name: str, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(first)
    check_count(name, first.count(delimiter) + 1, "columns")  # before pandas parses them
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            # A text column is text: "true" or "12" in a name stays as written.
            dtype=dict.fromkeys(text_columns, str),
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError) as exc:
        raise InclusionKitError(f"{name}: not a well-formed CSV file ({exc})") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    if delimiter == ";":
        frame = _decimal_commas(frame)
    return frame


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Read "12,5" as 12.5 in the number columns of a ';'-separated table.

    A column is converted only when every cell in it is a number, some with a decimal comma; a
    ',' cannot separate thousands there, since then it would be the only separator in "1,234".
    """
    for column in frame.columns:
        if column not in _NUMBER_COLUMNS or frame.columns.tolist().count(column) != 1:
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue
        texts = values.astype("string")
        given = texts.notna()
        if not given.any() or not texts[given].str.match(_DECIMAL_COMMA).all():
            continue
        frame[column] = pd.to_numeric(texts.str.strip().str.replace(",", ".", regex=False))
    return frame


def _report_table(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if not {"indicator", "value"} <= set(frame.columns):
        raise InclusionKitError(f"{name}: a report table needs the columns 'indicator' and 'value'")
    for column in frame.columns:
        if column == "value":
            continue
        values = frame[column]
        if values.dtype != "str":
            # A breakdown of numbers (a year) or of empty cells is still a label.
            values = values.astype(object).where(values.notna(), None)
            values = values.map(_label, na_action="ignore")
        frame[column] = values.astype("string")
    if frame.empty:
        # A header alone says nothing of the type: counts (int64) are what reports mostly hold.
        frame["value"] = frame["value"].astype("int64")
    # pandas tells counts ("12", int64) from sums ("12.0", float64) as they were written.
    if not pd.api.types.is_numeric_dtype(frame["value"].dtype):
        raise InclusionKitError(f"{name}: the column 'value' has cells that are not numbers")
    return frame


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- writing -----------------------------------------------------------------------------------


_WRITE_OPTIONS = {"report": ("layout", "lang"), "progress": ("lang",), "table": ("lang",)}


def _report_frame(report: Any, options: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a report to write: its tidy table; for an SFC2021 report, the table that
    ``layout`` names (``tidy``, ``wide`` headed in ``lang``, or ``checks``)."""
    layout = options.get("layout", "tidy")
    lang = resolve_language(options.get("lang"))
    if isinstance(report, Sfc2021Report):
        frame = report.layout(layout, lang)
        return frame if layout == "wide" else translate_table(frame, lang)
    if layout != "tidy":
        raise InclusionKitError(
            f"layout {layout!r}: a report is written as its tidy table; the wide and checks "
            "layouts are those of an SFC2021 report"
        )
    return translate_table(report_table(report), lang)


def _write_technical(
    report: TechnicalReport, path: os.PathLike[str], options: Mapping[str, Any]
) -> None:
    """A technical report (``raport-tehnic``): its indicators table, an empty line, its
    target-group table, each with its header row, headed in ``lang``."""
    layout = options.get("layout", LAYOUT)
    if layout != LAYOUT:
        raise InclusionKitError(
            f"a technical report is written in the {LAYOUT} layout, not {layout!r}"
        )
    parts = [frame_to_csv(frame) for frame in report.tables(options.get("lang")).values()]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(parts))


def write_csv(obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]) -> None:
    """Write participations, a progress table or a report's table as UTF-8 CSV.

    Text cells that a spreadsheet would run as formulas get a ``'`` in front (see
    :mod:`inclusionkit._sanitise`); numbers, dates and canonical codes are written as they are.
    A report, a progress table or another table (rejected or excluded rows) is for people:
    option ``lang`` (default: the run's language, ``--lang``) heads it and words its cells in
    that language. Participations are data and always keep their canonical names.
    """
    check_options("csv", options, _WRITE_OPTIONS.get(kind, ()))
    if kind == "participations":
        if not isinstance(obj, pd.DataFrame):
            raise InclusionKitError(
                f"a participation table is a DataFrame, not {type(obj).__name__}"
            )
        # write_participations quotes formula-like text, as every CSV written (frame_to_csv).
        table = obj[[c for c in COLUMN_NAMES if c in obj.columns]]
        target = Path(path)
        if target.suffix.lower() == ".csv":
            write_participations(table, target)
            return
        # write_participations picks CSV by the extension; give it one, then move into place.
        staged = target.with_name(f"{target.name}.csv")
        try:
            write_participations(table, staged)
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        return
    if kind == "report" and isinstance(obj, TechnicalReport):
        _write_technical(obj, path, options)
        return
    if kind == "progress":
        frame: pd.DataFrame = translate_table(obj, options.get("lang"))
    elif kind == "report":
        frame = _report_frame(obj, options)
    elif kind == "table":
        # Every column as it is, written as participations are: ISO dates, true/false; for
        # people reading Romanian, headed in Romanian (the register's headers, which read back)
        # with each reason said in words.
        frame = translate_table(obj, options.get("lang"), categories=False).copy()
        words = {True: "true", False: "false"}
        for column in frame.columns:
            if pd.api.types.is_bool_dtype(frame[column].dtype):
                frame[column] = frame[column].map(words, na_action="ignore")
    else:
        raise InclusionKitError(f"the csv format cannot write {kind}")
    frame_to_csv(frame, path)
