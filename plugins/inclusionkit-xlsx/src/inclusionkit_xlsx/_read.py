"""Read a participant register from an ``.xlsx`` workbook into the canonical participation table.

The steps, each of which either succeeds for the whole file or raises (nothing is half-imported):

1. *Sniff* the bytes: an encrypted (password-protected) workbook, an old ``.xls``, a CSV or HTML
   file renamed ``.xlsx``, an OpenDocument file or a damaged archive each get their own message.
2. *Find the sheet and its header row*: the first of the top 20 rows with two or more known
   headers (``sheet`` and ``header_row`` options override); merged cells in that row, or merged
   cells over the data of a mapped column, are refused.
3. *Find the columns* through inclusionkit's column mapping (:func:`inclusionkit.load_mapping`);
   a header that matches nothing is reported (a :class:`XlsxImportWarning`, or an error with
   ``strict=True``), never guessed.
4. *Hand over* the mapped columns, cells as text, with each row's sheet row, as a
   :class:`inclusionkit.RawTable`: inclusionkit's ingestion pipeline maps the values, cleans and
   types them exactly as for a CSV file, and names every cell that does not parse.

Cells are read with python-calamine: it is fast, returns Excel date cells as dates, and reports
merged ranges and encryption.

A workbook is untrusted input (``docs/security.md``): one larger than the table limit of
:mod:`inclusionkit._limits` is refused before it is read, and so is a zip bomb, before anything
is decompressed: too many parts, parts that declare more than the expanded limit in total, or a
part that inflates past what it declares (every part is inflated once, bounded, and its CRC
checked, before calamine sees the file). Calamine expands no XML entity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import os
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine as calamine

from inclusionkit import (
    COLUMNS,
    IDENTIFIER_COLUMNS,
    ColumnMapping,
    InclusionKitError,
    IngestWarning,
    Problem,
    RawTable,
    ValidationError,
    ingest_raw,
    load_mapping,
    map_headers,
)
from inclusionkit import mapping_key as key
from inclusionkit.plugin import format_bytes, limit, read_limited
from inclusionkit_xlsx._translator import TRANSLATOR

Cell = Any
HEADER_SEARCH_ROWS = 20
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
IDENTIFIERS = IDENTIFIER_COLUMNS
"""Personal identifiers a register may hold: read only with ``keep_identifiers``."""
OPTIONS = (
    "mapping",
    "keep_identifiers",
    "keep_extra",
    "sheet",
    "header_row",
    "project_code",
    "strict",
    "on_error",
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
MAX_PARTS = 10_000
"""A workbook with more zip members than this is refused (Excel writes a few dozen)."""
SOURCE_ROWS = "inclusionkit.source_rows"
"""``DataFrame.attrs`` key: the sheet's row number (1-based) of each row of the table."""
_CHUNK = 1 << 20


class XlsxImportWarning(IngestWarning):
    """Something in a register was left out rather than guessed (an unknown header or value).

    ``problems`` lists each one as an :class:`inclusionkit.Problem`. Pass
    ``options={"strict": True}`` to make these errors instead.
    """


@attrs.frozen(kw_only=True)
class _Options:
    mapping: ColumnMapping
    keep_identifiers: bool
    sheet: str | int | None
    header_row: int | None
    project_code: str | None
    strict: bool
    on_error: str


def _options(options: Mapping[str, Any], name: str) -> _Options:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"{name}: unknown xlsx read option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(OPTIONS)}"
        )
    mapping = load_mapping(options.get("mapping"))
    on_error = options.get("on_error", "raise")
    if on_error not in ("raise", "coerce"):
        raise InclusionKitError(f"{name}: on_error must be 'raise' or 'coerce', not {on_error!r}")
    header_row = options.get("header_row", mapping.header_row)
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise InclusionKitError(
            f"{name}: header_row must be a row number from 1, not {header_row!r}"
        )
    return _Options(
        mapping=mapping,
        keep_identifiers=bool(options.get("keep_identifiers") or options.get("keep_extra")),
        sheet=options.get("sheet", mapping.sheet),
        header_row=header_row,
        project_code=options.get("project_code", mapping.project_code),
        strict=bool(options.get("strict", False)),
        on_error=on_error,
    )


def read_xlsx(source: Any, *, kind: str, options: Mapping[str, Any]) -> pd.DataFrame:
    """Read the participant register in ``source`` (a path or a binary file object).

    The workbook is read raw (:func:`read_xlsx_raw`) and goes through inclusionkit's ingestion
    pipeline, which maps, cleans and types it exactly as it does a CSV file.

    Options (all optional): ``mapping`` (path of a mapping file, or its parsed dict),
    ``keep_identifiers`` (carry names and CNP as extra columns; default ``False``), ``sheet``
    (name or 0-based index), ``header_row`` (1-based), ``project_code`` (for registers without a
    project-code column), ``strict`` (unknown headers and values are errors, not warnings) and
    ``on_error`` (``"raise"`` or ``"coerce"``, as for
    :func:`inclusionkit.read_participations`).
    """
    name = _source_name(source)
    if kind not in ("participations", "auto"):
        raise InclusionKitError(f"{name}: the xlsx reader reads participations, not {kind!r}")
    given = dict(options)
    _options(given, name)  # refuse an unknown option before reading anything
    keep = bool(given.pop("keep_identifiers", False)) or bool(given.pop("keep_extra", False))
    return ingest_raw(
        lambda raw_options: read_xlsx_raw(source, options=raw_options),
        mapping=given.pop("mapping", None),
        keep_extra=keep,
        on_error=given.pop("on_error", "raise"),
        **given,
    )


def read_xlsx_raw(source: Any, *, options: Mapping[str, Any]) -> RawTable:
    """Read the register in a workbook as it is written: its mapped columns under their headers,
    cells as text, each row's sheet row (for the ingestion pipeline; see :func:`read_xlsx`)."""
    name = _source_name(source)
    opts = _options(options, name)
    data = _read_bytes(source, name)
    _sniff(data, name)
    try:
        with calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheet, header_index = _locate(workbook, opts, name)
            sheet_name = sheet.name
            with _no_cycle_collection():
                rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
            del sheet  # calamine's own copy of the cells, freed before they are converted
    except calamine.PasswordError:
        raise _encrypted(name) from None
    except (calamine.CalamineError, ValueError, OverflowError) as exc:
        # ValueError/OverflowError: a cell calamine cannot turn into a Python value (a date
        # out of range in a damaged file).
        raise _damaged(name, exc) from None
    except BaseException as exc:
        # A panic inside calamine's Rust code arrives as pyo3's PanicException, which derives
        # from BaseException; a damaged file must not take the program down with it.
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(name, exc) from None
    return _table(rows, header_index, merged, sheet_name=sheet_name, name=name, opts=opts)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while calamine makes a Python object of every cell.

    Those lists, strings, numbers and dates hold no reference cycle, but each batch of new
    lists triggers a collection that walks every object made so far: half the time of
    ``to_python`` on a large sheet. The collector runs again as soon as the cells are made.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _damaged(name: str, exc: BaseException) -> InclusionKitError:
    return InclusionKitError(
        TRANSLATOR.translate(
            "{name}: the workbook is damaged and cannot be read ({reason}); open it in Excel "
            "or LibreOffice and save it again as .xlsx, or ask for a fresh copy"
        ).format(name=name, reason=exc)
    )


def _source_name(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<file object>"))


def _read_bytes(source: Any, name: str) -> bytes:
    if isinstance(source, str | os.PathLike):
        if os.path.isdir(source):
            raise InclusionKitError(
                TRANSLATOR.translate("{name}: is a folder, not a workbook").format(name=name)
            )
        # Refused by its size on disk before a byte is read (the table limit).
        return read_limited(source, "table", name)
    stream: IO[bytes] = source
    data = stream.read(0)
    if not isinstance(data, bytes):
        raise InclusionKitError(
            TRANSLATOR.translate("{name}: open the workbook in binary mode ('rb')").format(
                name=name
            )
        )
    return read_limited(stream, "table", name)


def _encrypted(name: str) -> InclusionKitError:
    return InclusionKitError(
        TRANSLATOR.translate(
            "{name}: the workbook is password-protected (encrypted), so it cannot be read; open "
            "it in Excel (File > Info > Protect Workbook > Encrypt with Password, clear the "
            "password) or LibreOffice (File > Save As, untick 'Save with password') and save it "
            "without a password"
        ).format(name=name)
    )


def _sniff(data: bytes, name: str) -> None:
    """Refuse, with a message saying what to do, anything that is not an .xlsx workbook."""
    if not data:
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: the file is empty (0 bytes); ask for a fresh copy"
            ).format(name=name)
        )
    if data.startswith(_OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise _encrypted(name)
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: this is an old-style Excel 97-2003 (.xls) or other OLE file, not "
                ".xlsx; open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'"
            ).format(name=name)
        )
    if not data.startswith(_ZIP_MAGIC):
        raise InclusionKitError(f"{name}: {_describe_non_zip(data)}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, data, name)
            members = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in members else b""
            if "xl/workbook.xml" in members:
                return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: the workbook is damaged or incomplete ({reason}); it may have been "
                "cut off while copying or downloading: ask for a fresh copy"
            ).format(name=name, reason=exc)
        ) from None
    except (ValueError, OSError, zlib.error) as exc:
        # zipfile's own parsing of a damaged central directory raises these too.
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: the workbook is damaged ({reason}); ask for a fresh copy"
            ).format(name=name, reason=exc)
        ) from None
    if b"opendocument.spreadsheet" in mimetype:
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: this is an OpenDocument spreadsheet (.ods), not .xlsx; open it in "
                "LibreOffice and save it as 'Excel 2007-365 (.xlsx)'"
            ).format(name=name)
        )
    raise InclusionKitError(
        TRANSLATOR.translate(
            "{name}: this is a ZIP archive but not an Excel workbook (it has no "
            "xl/workbook.xml); check that you picked the right file"
        ).format(name=name)
    )


def _check_parts(archive: zipfile.ZipFile, data: bytes, name: str) -> None:
    """Refuse a zip bomb before calamine inflates anything; check every part's CRC.

    The sizes in the zip directory are only claims: each part is inflated here once, in bounded
    chunks, and refused as soon as it yields more than it claims.
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: refused: the file has {count} parts (an Excel workbook has a few "
                "dozen, at most {most} are read)"
            ).format(name=name, count=len(parts), most=MAX_PARTS)
        )
    declared = sum(part.file_size for part in parts)
    allowed = _workbook_limit()
    if declared > allowed:
        raise _bomb(
            name,
            TRANSLATOR.translate("its parts would expand to {size}").format(
                size=format_bytes(declared)
            ),
            allowed,
        )
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InclusionKitError(
                TRANSLATOR.translate(
                    "{name}: part {part!r} uses a compression Excel does not write (method "
                    "{method}); re-save the workbook in Excel or LibreOffice"
                ).format(name=name, part=part.filename, method=part.compress_type)
            )
        if _inflated_crc(data, part, name) != part.CRC:
            raise InclusionKitError(
                TRANSLATOR.translate(
                    "{name}: the workbook is damaged (part {part!r} fails its checksum); ask "
                    "for a fresh copy or re-save it in Excel or LibreOffice"
                ).format(name=name, part=part.filename)
            )


def _inflated_crc(data: bytes, part: zipfile.ZipInfo, name: str) -> int:
    """Inflate one part from its raw bytes, at most one byte past its claimed size; its CRC."""
    start = part.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"part {part.filename!r} has no local header")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    begin = start + 30 + name_length + extra_length
    raw = memoryview(data)[begin : begin + part.compress_size]
    if len(raw) < part.compress_size:
        raise zipfile.BadZipFile(f"part {part.filename!r} is cut off")
    if part.compress_type == zipfile.ZIP_STORED:
        if part.compress_size != part.file_size:
            raise zipfile.BadZipFile(f"part {part.filename!r} has inconsistent sizes")
        return zlib.crc32(raw)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    crc, produced, position = 0, 0, 0
    pending = b""
    while True:
        if inflater.unconsumed_tail:
            pending = inflater.unconsumed_tail
        elif position < len(raw):
            pending = bytes(raw[position : position + _CHUNK])
            position += len(pending)
        else:
            break
        # Never more than one byte past the claimed size: a lie is caught with bounded memory.
        room = part.file_size - produced + 1
        out = inflater.decompress(pending, min(room, _CHUNK))
        produced += len(out)
        if produced > part.file_size:
            raise _bomb(
                name,
                TRANSLATOR.translate("part {part!r} inflates past the {size} it claims").format(
                    part=part.filename, size=format_bytes(part.file_size)
                ),
                limit("expanded"),
            )
        crc = zlib.crc32(out, crc)
        if inflater.eof:
            break
    if produced != part.file_size:
        raise zipfile.BadZipFile(f"part {part.filename!r} is shorter than it claims")
    return crc


def _workbook_limit() -> int:
    """What a workbook's parts may expand to: the workbook limit (within the expanded one)."""
    return min(limit("workbook"), limit("expanded"))


def _bomb(name: str, what: str, allowed: int) -> InclusionKitError:
    return InclusionKitError(
        TRANSLATOR.translate(
            "{name}: refused: {what}, over the limit of {limit} for the expanded content of "
            "a workbook (a 'zip bomb'?). If the workbook is genuine, raise "
            "INCLUSIONKIT_MAX_WORKBOOK_BYTES (or save it as CSV)"
        ).format(name=name, what=what, limit=format_bytes(allowed))
    )


def _describe_non_zip(data: bytes) -> str:
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    stripped = head.lstrip()
    if stripped[:1] == b"<":
        return TRANSLATOR.translate(
            "this is an HTML or XML file named .xlsx (some web systems export tables like that), "
            "not an Excel workbook; open it in Excel or LibreOffice and save it as .xlsx"
        )
    text: str | None = None
    for encoding in ("utf-8", "cp1250"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is not None and "\x00" not in text:
        first = text.splitlines()[0] if text.splitlines() else ""
        if any(sep in first for sep in (",", ";", "\t")):
            return TRANSLATOR.translate(
                "this is a CSV (text) file named .xlsx, not an Excel workbook; rename it to .csv "
                "and read it as CSV, or open it in Excel or LibreOffice and save it as .xlsx"
            )
        return TRANSLATOR.translate(
            "this is a text file, not an Excel workbook; open it in Excel or LibreOffice and "
            "save it as .xlsx"
        )
    return TRANSLATOR.translate(
        "this is not an Excel .xlsx workbook (its first bytes are not those of one); it may be "
        "damaged or another format: ask for a fresh copy or re-save it as .xlsx"
    )


# -- finding the sheet and the header row ----------------------------------------------------


def _text(cell: Cell) -> str | None:
    """A header cell as text, or ``None`` when empty."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell).strip()
    return text or None


def _known_headers(row: Sequence[Cell], mapping: ColumnMapping) -> int:
    return sum(
        1
        for cell in row
        if isinstance(cell, str) and cell.strip() and mapping.target(cell) is not None
    )


def _find_header(rows: Sequence[Sequence[Cell]], mapping: ColumnMapping) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _known_headers(row, mapping) >= 2:
            return index
    return None


def _locate(
    workbook: calamine.CalamineWorkbook, opts: _Options, name: str
) -> tuple[calamine.CalamineSheet, int]:
    """The sheet to read and the 0-based index of its header row."""
    worksheets = [
        meta for meta in workbook.sheets_metadata if meta.typ == calamine.SheetTypeEnum.WorkSheet
    ]
    loaded: dict[str, calamine.CalamineSheet] = {}  # loading a sheet parses all of it: once

    def head(sheet: str) -> list[list[Cell]]:
        if sheet not in loaded:
            loaded[sheet] = workbook.get_sheet_by_name(sheet)
        rows = max(HEADER_SEARCH_ROWS, opts.header_row or 0)
        return loaded[sheet].to_python(skip_empty_area=False, nrows=rows)

    def found_in(sheet: str, rows: list[list[Cell]]) -> tuple[calamine.CalamineSheet, int]:
        return loaded[sheet], _header_index(rows, opts, name, sheet)

    if opts.sheet is not None:
        chosen = _choose_sheet([meta.name for meta in worksheets], opts.sheet, name)
        return found_in(chosen, head(chosen))
    visible = [
        meta.name for meta in worksheets if meta.visible == calamine.SheetVisibleEnum.Visible
    ]
    if len(visible) == 1:
        return found_in(visible[0], head(visible[0]))
    heads = {sheet: head(sheet) for sheet in visible}
    found = [
        sheet
        for sheet, rows in heads.items()
        if opts.header_row is not None or _find_header(rows, opts.mapping) is not None
    ]
    if len(found) == 1:
        return found_in(found[0], heads[found[0]])
    if not found:
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: no visible sheet has a header row (looked at the top {count} rows of "
                "{sheets}); the register needs one row naming its columns, such as 'ID "
                "participant', 'Sex', 'Data nașterii' (or name the sheet with "
                "options={{'sheet': NAME}})"
            ).format(
                name=name,
                count=HEADER_SEARCH_ROWS,
                sheets=", ".join(map(repr, visible)) or TRANSLATOR.translate("no sheet"),
            )
        )
    raise InclusionKitError(
        TRANSLATOR.translate(
            "{name}: {count} sheets look like participant registers ({sheets}); choose one "
            "with options={{'sheet': NAME}} (or 'sheet' in a mapping file)"
        ).format(name=name, count=len(found), sheets=", ".join(map(repr, found)))
    )


def _choose_sheet(sheets: list[str], wanted: str | int, name: str) -> str:
    if isinstance(wanted, int):
        if 0 <= wanted < len(sheets):
            return sheets[wanted]
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: there is no sheet number {wanted} (0-based); the workbook has "
                "{count}: {sheets}"
            ).format(
                name=name, wanted=wanted, count=len(sheets), sheets=", ".join(map(repr, sheets))
            )
        )
    if wanted in sheets:
        return wanted
    by_key = {key(sheet): sheet for sheet in sheets}
    if key(wanted) in by_key:
        return by_key[key(wanted)]
    raise InclusionKitError(
        TRANSLATOR.translate(
            "{name}: there is no sheet {wanted!r}; the workbook has {sheets}"
        ).format(name=name, wanted=wanted, sheets=", ".join(map(repr, sheets)))
    )


def _header_index(rows: Sequence[Sequence[Cell]], opts: _Options, name: str, sheet: str) -> int:
    if opts.header_row is not None:
        index = opts.header_row - 1
        row = rows[index] if index < len(rows) else []
        if not any(isinstance(cell, str) and cell.strip() for cell in row):
            raise InclusionKitError(
                TRANSLATOR.translate(
                    "{name}: sheet {sheet!r}, row {row} (the header_row asked for) has no "
                    "header text; point header_row at the row naming the columns"
                ).format(name=name, sheet=sheet, row=opts.header_row)
            )
        return index
    found = _find_header(rows, opts.mapping)
    if found is None:
        # Where the data starts and how wide it is; never its cells (a CNP, a name).
        sample = next((i for i, row in enumerate(rows) if any(_text(c) for c in row)), None)
        seen = (
            ""
            if sample is None
            else TRANSLATOR.translate("; its data starts at row {row}: {preview}").format(
                row=sample + 1, preview=_preview(rows[sample])
            )
        )
        raise InclusionKitError(
            TRANSLATOR.translate(
                "{name}: sheet {sheet!r} has no header row (none of its top {count} rows "
                "names two or more known columns){seen}. Add a row of headers such as 'ID "
                "participant', 'Cod proiect', 'Sex', 'Data nașterii', or declare the headers in "
                "a mapping file (options={{'mapping': PATH}})"
            ).format(name=name, sheet=sheet, count=HEADER_SEARCH_ROWS, seen=seen)
        )
    return found


def _preview(row: Sequence[Cell]) -> str:
    filled = sum(_text(cell) is not None for cell in row)
    return TRANSLATOR.translate("{count} filled cell(s), none a known header").format(count=filled)


# -- building the table ----------------------------------------------------------------------


def _column_letter(number: int) -> str:
    """Excel's name of the 1-based column ``number``: 1 is A, 27 is AA."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _cell_ref(row: int, column: int) -> str:
    return f"{_column_letter(column + 1)}{row + 1}"


def _table(
    rows: list[list[Cell]],
    header_index: int,
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    *,
    sheet_name: str,
    name: str,
    opts: _Options,
) -> RawTable:
    header = rows[header_index]
    width = max((len(row) for row in rows), default=0)
    # The body column by column (one 2-D object array of calamine's cells): every column is
    # turned into Arrow text in a few vectorised steps, never a Python call per cell.
    body = _grid(rows, header_index + 1, width)
    texts: dict[int, pa.StringArray] = {}

    def text(j: int) -> pa.StringArray:
        if j not in texts:
            texts[j] = _texts(body[:, j])
        return texts[j]

    where = f"sheet {sheet_name!r}"
    header_where = f"{where}, row {header_index + 1}"
    left_out: list[Problem] = []
    named: list[tuple[int, str]] = []
    for j in range(width):
        title = _text(header[j]) if j < len(header) else None
        if title is not None:
            named.append((j, title))
        elif _filled(text(j)).any():
            left_out.append(
                Problem(
                    code="column.unnamed",
                    message=TRANSLATOR.deferred(
                        "column {letter} has values but no header; it is left out (give it a "
                        "header and map it)",
                        letter=_column_letter(j + 1),
                    ),
                    source=name,
                    location=header_where,
                )
            )
    # The one header mapping of the pipeline; only the column letters are the workbook's own.
    headers = map_headers(
        [title for _, title in named],
        opts.mapping,
        source=name,
        location=header_where,
        places=[
            TRANSLATOR.deferred("column {letter}", letter=_column_letter(j + 1)) for j, _ in named
        ],
    )
    left_out += headers.left_out
    missing = [
        column
        for column in REQUIRED
        if column not in headers.columns
        and not (column == "project_code" and opts.project_code)
        and column not in opts.mapping.optional
    ]
    if headers.unmapped:  # a strict mapping (the command line's): no column dropped silently
        # With the required columns no header fills, all in one stop.
        raise ValidationError(
            [
                *headers.unmapped,
                *(_missing_problem(column, name, header_where, opts) for column in missing),
            ],
            source=name,
        )
    position: dict[str, int] = {}
    for j, title in named:
        position.setdefault(title, j)
    # target -> (column index, header as written)
    columns = {target: (position[title], title) for target, title in headers.columns.items()}
    _check_merged(merged, header_index, columns, name=name, where=where)
    if "participant_id" not in columns and "participant_id" not in opts.mapping.optional:
        raise InclusionKitError(
            f"{name}: {where} has no participant id column (looked for headers such as "
            "'ID participant', 'Cod participant', 'participant_id'). Each person needs a stable, "
            "pseudonymous id: add such a column, or pseudonymise the names/CNP into one before "
            "importing. inclusionkit does not derive ids from personal data by itself."
        )
    if missing:
        raise ValidationError(
            [_missing_problem(column, name, header_where, opts) for column in missing], source=name
        )
    if left_out and opts.strict:
        raise ValidationError(left_out, source=name)

    # A row is a participation when a mapped column has a value: rows that only carry a
    # pre-filled "Nr. crt." or a note in an ignored column (or nothing) are not.
    filled = {j: _filled(text(j)) for j in sorted({j for j, _ in columns.values()})}
    participation = np.zeros(len(body), dtype=bool)
    for mask in filled.values():
        participation |= mask
    kept = np.flatnonzero(participation)
    excel_rows = (kept + header_index + 2).tolist()
    # The raw table: each mapped column under its header as written, cells as text (a date
    # cell as ISO text); the pipeline maps, cleans and types it like any other format's.
    rows_kept = pa.array(kept)
    table = pa.table(
        {
            title: text(j).take(rows_kept)
            for target, (j, title) in columns.items()
            if target not in IDENTIFIERS or opts.keep_identifiers
        }
    )
    no_id: list[tuple[int, Problem]] = []
    if "participant_id" in columns:
        id_column, id_title = columns["participant_id"]
        no_id = [
            (
                position,
                Problem(
                    code="row.no_id",
                    message="the row has values but no participant id (a totals row? remove it)",
                    source=name,
                    location=f"{where}, row {excel_rows[position]}",
                    column=id_title,
                ),
            )
            for position in np.flatnonzero(~filled[id_column][kept]).tolist()
        ]
    return RawTable(
        table=table,
        source=name,
        locate=_rows_locator(f"{where}, row", excel_rows),
        notes=tuple(left_out),
        row_problems=tuple(no_id),
        defaults={"project_code": opts.project_code} if opts.project_code else {},
        header_location=header_where,
        strict=opts.strict,
        keep_extra=opts.keep_identifiers,
        warn=XlsxImportWarning,
    )


def _rows_locator(prefix: str, excel_rows: list[int]) -> Any:
    def locate(rows: Any) -> list[str]:
        return [f"{prefix} {excel_rows[int(row)]}" for row in rows]

    return locate


def _grid(rows: list[list[Cell]], start: int, width: int) -> npt.NDArray[np.object_]:
    """``rows[start:]`` as one 2-D object array ``width`` cells wide (a short row padded with
    empty cells; calamine's rows all have the sheet's width)."""
    body = rows[start:]
    if any(len(row) != width for row in body):
        body = [[*row, *[""] * (width - len(row))] for row in body]
    grid = np.empty((len(body), width), dtype=object)
    if body and width:
        grid[...] = body
    return grid


def _texts(cells: npt.NDArray[np.object_]) -> pa.StringArray:
    """A column of body cells as Arrow text, as :func:`_cell` writes each one; an empty cell is
    null. Column-wise: the cells of each Python type are converted together, in Arrow."""
    try:  # the common column: text (and empty cells, "" from calamine, made null in Arrow)
        texts: pa.StringArray = pa.array(cells, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    else:
        return pc.if_else(pc.equal(texts, ""), pa.scalar(None, pa.string()), texts)
    empty = np.equal(cells, "")
    kinds = set(map(type, cells[~empty])) - {type(None)}
    if len(kinds) == 1:  # dates, or numbers, ... (and empty cells)
        return _kind_texts(kinds.pop(), cells, empty)
    # A column of mixed types: each type's cells converted apart, then put in their places.
    cell_kinds = np.fromiter(map(type, cells), dtype=object, count=len(cells))
    texts = pa.nulls(len(cells), pa.string())
    for kind in kinds:
        chosen = (cell_kinds == kind) & ~empty
        texts = pc.replace_with_mask(texts, pa.array(chosen), _kind_texts(kind, cells[chosen]))
    return texts


def _kind_texts(
    kind: type, cells: npt.NDArray[np.object_], empty: npt.NDArray[np.bool_] | None = None
) -> pa.StringArray:
    """Cells all of one Python type but the ``empty`` ones (null) as text, as :func:`_cell`."""
    texts: pa.StringArray
    if kind is str:
        texts = pa.array(cells, type=pa.string(), mask=empty)
    elif kind is bool:
        texts = pc.if_else(pa.array(cells, type=pa.bool_(), mask=empty), "true", "false")
    elif kind is dt.datetime:  # calamine's datetimes are naive: their date, as _cell
        stamps = pa.array(cells, type=pa.timestamp("us"), mask=empty)
        texts = pc.cast(stamps, pa.date32(), safe=False).cast(pa.string())
    elif kind is dt.date:
        texts = pa.array(cells, type=pa.date32(), mask=empty).cast(pa.string())
    elif kind is float:
        numbers = pa.array(cells, type=pa.float64(), mask=empty).to_numpy(zero_copy_only=False)
        # A whole number without ".0" (through int64, within its range); any other, and a
        # whole number past int64, as _cell writes it.
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(numbers) & (np.floor(numbers) == numbers)
            whole &= np.abs(numbers) < 2.0**63
        texts = pa.array(np.where(whole, numbers, 0).astype(np.int64), mask=empty).cast(pa.string())
        other = ~whole if empty is None else ~whole & ~empty
        if other.any():
            rest = pa.array([_cell(number) for number in cells[other]], type=pa.string())
            texts = pc.replace_with_mask(texts, pa.array(other), rest)
    else:  # Python ints (any size), times, ...: cell by cell, as _cell writes them
        texts = pa.array([_cell(cell) for cell in cells], type=pa.string())
    return texts


def _filled(texts: pa.StringArray) -> npt.NDArray[np.bool_]:
    """Which cells have a value (:func:`_text` is not ``None``: not empty, not only spaces)."""
    # An empty cell is null; utf8_is_space is Python's str.isspace (the same characters).
    blank = pc.fill_null(pc.utf8_is_space(texts), True)
    filled: npt.NDArray[np.bool_] = pc.invert(blank).to_numpy(zero_copy_only=False)
    return filled


def _cell(cell: Cell) -> str | None:
    """A body cell as text: a date cell as ISO text, a whole number without ``.0``."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _missing_problem(column: str, name: str, where: str, opts: _Options) -> Problem:
    examples = opts.mapping.headers_for(column)[:3]
    hint = f" (a header such as {', '.join(map(repr, examples))})" if examples else ""
    extra = ", or pass options={'project_code': CODE}" if column == "project_code" else ""
    return Problem(
        code="column.missing",
        message=f"no column fills the required {column!r}{hint}; add one or map yours in a "
        f"mapping file{extra}",
        source=name,
        location=where,
        column=column,
    )


def _check_merged(
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    header_index: int,
    columns: Mapping[str, tuple[int, str]],
    *,
    name: str,
    where: str,
) -> None:
    mapped = {j for j, _ in columns.values()}
    problems = []
    for (top, left), (bottom, right) in merged:
        span = f"{_cell_ref(top, left)}:{_cell_ref(bottom, right)}"
        if top <= header_index <= bottom:
            problems.append(
                Problem(
                    code="header.merged",
                    message=f"header cells {span} are merged; unmerge them so that every column "
                    "has its own header in one row (Excel: Home > Merge & Center > Unmerge Cells)",
                    source=name,
                    location=where,
                )
            )
        elif top > header_index and any(left <= j <= right for j in mapped):
            problems.append(
                Problem(
                    code="cells.merged",
                    message=f"cells {span} are merged, which leaves all but the first of them "
                    "empty; unmerge them and fill in every row",
                    source=name,
                    location=where,
                )
            )
    if problems:
        raise ValidationError(problems, source=name)
