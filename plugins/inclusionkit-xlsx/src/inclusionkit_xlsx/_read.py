"""Read a participant register from an ``.xlsx`` workbook into the canonical participation table.

The steps, each of which either succeeds for the whole file or raises (nothing is half-imported):

1. *Sniff* the bytes: an encrypted (password-protected) workbook, an old ``.xls``, a CSV or HTML
   file renamed ``.xlsx``, an OpenDocument file or a damaged archive each get their own message.
2. *Find the sheet and its header row*: the first of the top 20 rows with two or more known
   headers (``sheet`` and ``header_row`` options override); merged cells in that row, or merged
   cells over the data of a mapped column, are refused.
3. *Map headers* to canonical columns through the :mod:`~inclusionkit_xlsx._mapping`; a header
   that matches nothing is reported (a :class:`XlsxImportWarning`, or an error with
   ``strict=True``), never guessed.
4. *Map values* (Romanian and English words to canonical values), then hand the frame to
   :func:`inclusionkit._participations.normalise_participations`, which parses dates, booleans and
   numbers and names every cell that does not parse.

Cells are read with python-calamine: it is fast, returns Excel date cells as dates, and reports
merged ranges and encryption.

A workbook is untrusted input (``docs/security.md``): one larger than the table limit of
:mod:`inclusionkit._limits` is refused before it is read, and so is a zip bomb, before anything
is decompressed: too many parts, parts that declare more than the expanded limit in total, or a
part that inflates past what it declares (every part is inflated once, bounded, and its CRC
checked, before calamine sees the file). Calamine expands no XML entity.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import attrs
import pandas as pd
import python_calamine as calamine
from openpyxl.utils import get_column_letter

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._limits import format_bytes, limit, read_limited
from inclusionkit._participations import (
    BOOL_COLUMNS,
    COLUMNS,
    STRING_DTYPE,
    OnError,
    normalise_participations,
)
from inclusionkit._rejected import attach_row_problems
from inclusionkit.models import Gender, LabourStatus
from inclusionkit.ro import fix_diacritics, region
from inclusionkit.ro._text import RomanianCodeError
from inclusionkit_xlsx._mapping import (
    BOOLEAN_WORDS,
    IDENTIFIERS,
    ColumnMapping,
    default_mapping,
    key,
    load_mapping,
)

Cell = Any
HEADER_SEARCH_ROWS = 20
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
KNOWN_VALUES: Mapping[str, frozenset[str]] = {
    "gender": frozenset(Gender),
    "labour_status": frozenset(LabourStatus),
}
OPTIONS = (
    "mapping",
    "keep_identifiers",
    "sheet",
    "header_row",
    "project_code",
    "strict",
    "on_error",
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ROW = re.compile(r"^row (\d+)$")
MAX_PARTS = 10_000
"""A workbook with more zip members than this is refused (Excel writes a few dozen)."""
SOURCE_ROWS = "inclusionkit.source_rows"
"""``DataFrame.attrs`` key: the sheet's row number (1-based) of each row of the table."""
_CHUNK = 1 << 20


class XlsxImportWarning(UserWarning):
    """Something in a register was left out rather than guessed (an unknown header or value).

    ``problems`` lists each one as an :class:`inclusionkit._errors.Problem`. Pass
    ``options={"strict": True}`` to make these errors instead.
    """

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        lines = [f"{source or 'workbook'}: {len(self.problems)} thing(s) left out:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


@attrs.frozen(kw_only=True)
class _Options:
    mapping: ColumnMapping
    keep_identifiers: bool
    sheet: str | int | None
    header_row: int | None
    project_code: str | None
    strict: bool
    on_error: OnError


def _options(options: Mapping[str, Any], name: str) -> _Options:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"{name}: unknown xlsx read option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(OPTIONS)}"
        )
    mapping = (
        load_mapping(options["mapping"])
        if options.get("mapping") is not None
        else default_mapping()
    )
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
        keep_identifiers=bool(options.get("keep_identifiers", False)),
        sheet=options.get("sheet", mapping.sheet),
        header_row=header_row,
        project_code=options.get("project_code", mapping.project_code),
        strict=bool(options.get("strict", False)),
        on_error=on_error,
    )


def read_xlsx(source: Any, *, kind: str, options: Mapping[str, Any]) -> pd.DataFrame:
    """Read the participant register in ``source`` (a path or a binary file object).

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
    opts = _options(options, name)
    data = _read_bytes(source, name)
    _sniff(data, name)
    try:
        with calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheet, header_index = _locate(workbook, opts, name)
            sheet_name = sheet.name
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
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


def _damaged(name: str, exc: BaseException) -> InclusionKitError:
    return InclusionKitError(
        f"{name}: the workbook is damaged and cannot be read ({exc}); open it in Excel or "
        "LibreOffice and save it again as .xlsx, or ask for a fresh copy"
    )


def _source_name(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<file object>"))


def _read_bytes(source: Any, name: str) -> bytes:
    if isinstance(source, str | os.PathLike):
        if os.path.isdir(source):
            raise InclusionKitError(f"{name}: is a folder, not a workbook")
        # Refused by its size on disk before a byte is read (the table limit).
        return read_limited(source, "table", name)
    stream: IO[bytes] = source
    data = stream.read(0)
    if not isinstance(data, bytes):
        raise InclusionKitError(f"{name}: open the workbook in binary mode ('rb')")
    return read_limited(stream, "table", name)


def _encrypted(name: str) -> InclusionKitError:
    return InclusionKitError(
        f"{name}: the workbook is password-protected (encrypted), so it cannot be read; open it "
        "in Excel (File > Info > Protect Workbook > Encrypt with Password, clear the password) or "
        "LibreOffice (File > Save As, untick 'Save with password') and save it without a password"
    )


def _sniff(data: bytes, name: str) -> None:
    """Refuse, with a message saying what to do, anything that is not an .xlsx workbook."""
    if not data:
        raise InclusionKitError(f"{name}: the file is empty (0 bytes); ask for a fresh copy")
    if data.startswith(_OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise _encrypted(name)
        raise InclusionKitError(
            f"{name}: this is an old-style Excel 97-2003 (.xls) or other OLE file, not .xlsx; "
            "open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'"
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
            f"{name}: the workbook is damaged or incomplete ({exc}); it may have been cut off "
            "while copying or downloading: ask for a fresh copy"
        ) from None
    except (ValueError, OSError, zlib.error) as exc:
        # zipfile's own parsing of a damaged central directory raises these too.
        raise InclusionKitError(
            f"{name}: the workbook is damaged ({exc}); ask for a fresh copy"
        ) from None
    if b"opendocument.spreadsheet" in mimetype:
        raise InclusionKitError(
            f"{name}: this is an OpenDocument spreadsheet (.ods), not .xlsx; open it in "
            "LibreOffice and save it as 'Excel 2007-365 (.xlsx)'"
        )
    raise InclusionKitError(
        f"{name}: this is a ZIP archive but not an Excel workbook (it has no xl/workbook.xml); "
        "check that you picked the right file"
    )


def _check_parts(archive: zipfile.ZipFile, data: bytes, name: str) -> None:
    """Refuse a zip bomb before calamine inflates anything; check every part's CRC.

    The sizes in the zip directory are only claims: each part is inflated here once, in bounded
    chunks, and refused as soon as it yields more than it claims.
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise InclusionKitError(
            f"{name}: refused: the file has {len(parts)} parts (an Excel workbook has a few "
            f"dozen, at most {MAX_PARTS} are read)"
        )
    declared = sum(part.file_size for part in parts)
    allowed = limit("expanded")
    if declared > allowed:
        raise _bomb(name, f"its parts would expand to {format_bytes(declared)}", allowed)
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InclusionKitError(
                f"{name}: part {part.filename!r} uses a compression Excel does not write "
                f"(method {part.compress_type}); re-save the workbook in Excel or LibreOffice"
            )
        if _inflated_crc(data, part, name) != part.CRC:
            raise InclusionKitError(
                f"{name}: the workbook is damaged (part {part.filename!r} fails its checksum); "
                "ask for a fresh copy or re-save it in Excel or LibreOffice"
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
                f"part {part.filename!r} inflates past the {format_bytes(part.file_size)} it "
                "claims",
                limit("expanded"),
            )
        crc = zlib.crc32(out, crc)
        if inflater.eof:
            break
    if produced != part.file_size:
        raise zipfile.BadZipFile(f"part {part.filename!r} is shorter than it claims")
    return crc


def _bomb(name: str, what: str, allowed: int) -> InclusionKitError:
    return InclusionKitError(
        f"{name}: refused: {what}, over the limit of {format_bytes(allowed)} for the expanded "
        "content of a workbook (a 'zip bomb'?). If the workbook is genuine, raise "
        "INCLUSIONKIT_MAX_EXPANDED_BYTES"
    )


def _describe_non_zip(data: bytes) -> str:
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    stripped = head.lstrip()
    if stripped[:1] == b"<":
        return (
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
            return (
                "this is a CSV (text) file named .xlsx, not an Excel workbook; rename it to .csv "
                "and read it as CSV, or open it in Excel or LibreOffice and save it as .xlsx"
            )
        return (
            "this is a text file, not an Excel workbook; open it in Excel or LibreOffice and "
            "save it as .xlsx"
        )
    return (
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
            f"{name}: no visible sheet has a header row (looked at the top {HEADER_SEARCH_ROWS} "
            f"rows of {', '.join(map(repr, visible)) or 'no sheet'}); the register needs one row "
            "naming its columns, such as 'ID participant', 'Sex', 'Data nașterii' (or name the "
            "sheet with options={'sheet': NAME})"
        )
    raise InclusionKitError(
        f"{name}: {len(found)} sheets look like participant registers "
        f"({', '.join(map(repr, found))}); choose one with "
        "options={'sheet': NAME} (or 'sheet' in a mapping file)"
    )


def _choose_sheet(sheets: list[str], wanted: str | int, name: str) -> str:
    if isinstance(wanted, int):
        if 0 <= wanted < len(sheets):
            return sheets[wanted]
        raise InclusionKitError(
            f"{name}: there is no sheet number {wanted} (0-based); the workbook has "
            f"{len(sheets)}: {', '.join(map(repr, sheets))}"
        )
    if wanted in sheets:
        return wanted
    by_key = {key(sheet): sheet for sheet in sheets}
    if key(wanted) in by_key:
        return by_key[key(wanted)]
    raise InclusionKitError(
        f"{name}: there is no sheet {wanted!r}; the workbook has {', '.join(map(repr, sheets))}"
    )


def _header_index(rows: Sequence[Sequence[Cell]], opts: _Options, name: str, sheet: str) -> int:
    if opts.header_row is not None:
        index = opts.header_row - 1
        row = rows[index] if index < len(rows) else []
        if not any(isinstance(cell, str) and cell.strip() for cell in row):
            raise InclusionKitError(
                f"{name}: sheet {sheet!r}, row {opts.header_row} (the header_row asked for) has "
                "no header text; point header_row at the row naming the columns"
            )
        return index
    found = _find_header(rows, opts.mapping)
    if found is None:
        sample = next((row for row in rows if any(_text(cell) for cell in row)), None)
        seen = "" if sample is None else f"; its first row holds {_preview(sample)}"
        raise InclusionKitError(
            f"{name}: sheet {sheet!r} has no header row (none of its top {HEADER_SEARCH_ROWS} "
            f"rows names two or more known columns){seen}. Add a row of headers such as "
            "'ID participant', 'Cod proiect', 'Sex', 'Data nașterii', or declare the headers "
            "in a mapping file (options={'mapping': PATH})"
        )
    return found


def _preview(row: Sequence[Cell]) -> str:
    texts = [repr(_text(cell)) for cell in row if _text(cell) is not None][:4]
    return ", ".join(texts) if texts else "nothing"


# -- building the table ----------------------------------------------------------------------


def _cell_ref(row: int, column: int) -> str:
    return f"{get_column_letter(column + 1)}{row + 1}"


def _table(
    rows: list[list[Cell]],
    header_index: int,
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    *,
    sheet_name: str,
    name: str,
    opts: _Options,
) -> pd.DataFrame:
    header = rows[header_index]
    width = max((len(row) for row in rows), default=0)
    body_index = [
        i for i in range(header_index + 1, len(rows)) if any(_text(cell) for cell in rows[i])
    ]
    where = f"sheet {sheet_name!r}"
    header_where = f"{where}, row {header_index + 1}"
    columns: dict[str, tuple[int, str]] = {}  # target -> (column index, header as written)
    left_out: list[Problem] = []
    duplicates: list[Problem] = []
    for j in range(width):
        title = _text(header[j]) if j < len(header) else None
        if title is None:
            if any(j < len(rows[i]) and _text(rows[i][j]) for i in body_index):
                left_out.append(
                    Problem(
                        code="column.unnamed",
                        message=f"column {get_column_letter(j + 1)} has values but no header; "
                        "it is left out (give it a header and map it)",
                        source=name,
                        location=header_where,
                    )
                )
            continue
        target = opts.mapping.target(title)
        if target is None:
            left_out.append(
                Problem(
                    code="column.unmapped",
                    message=f"the header {title!r} (column {get_column_letter(j + 1)}) matches no "
                    "known column, so the column is left out; map it in a mapping file "
                    '("columns": {"' + title + '": COLUMN}, or null to ignore it)',
                    source=name,
                    location=header_where,
                    column=title,
                )
            )
            continue
        if target.column is None:
            continue
        if target.column in columns:
            first = columns[target.column][1]
            duplicates.append(
                Problem(
                    code="column.duplicate",
                    message=f"the headers {first!r} and {title!r} both fill {target.column!r}; "
                    "keep one, or map the other to null in a mapping file",
                    source=name,
                    location=header_where,
                    column=title,
                )
            )
            continue
        columns[target.column] = (j, title)
    _check_merged(merged, header_index, columns, name=name, where=where)
    if duplicates:
        raise ValidationError(duplicates, source=name)
    if "participant_id" not in columns:
        raise InclusionKitError(
            f"{name}: {where} has no participant id column (looked for headers such as "
            "'ID participant', 'Cod participant', 'participant_id'). Each person needs a stable, "
            "pseudonymous id: add such a column, or pseudonymise the names/CNP into one before "
            "importing. inclusionkit does not derive ids from personal data by itself."
        )
    missing = [
        column
        for column in REQUIRED
        if column not in columns and not (column == "project_code" and opts.project_code)
    ]
    if missing:
        raise ValidationError(
            [_missing_problem(column, name, header_where, opts) for column in missing], source=name
        )
    if left_out and opts.strict:
        raise ValidationError(left_out, source=name)

    # A row is a participation when a mapped column has a value: rows that only carry a
    # pre-filled "Nr. crt." or a note in an ignored column are not.
    mapped = sorted(j for j, _ in columns.values())
    body_index = [
        i for i in body_index if any(j < len(rows[i]) and _text(rows[i][j]) for j in mapped)
    ]
    excel_rows = [i + 1 for i in body_index]
    frame_columns: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for column in (c.name for c in COLUMNS):
        if column in columns:
            j, title = columns[column]
            raw = [rows[i][j] if j < len(rows[i]) else None for i in body_index]
            series, unknown = _map_values(raw, column, opts.mapping.value_map(title, column))
            frame_columns[column] = series
            left_out.extend(
                _unknown_value_problems(unknown, raw, excel_rows, title, name=name, where=where)
            )
        elif column == "project_code":
            frame_columns[column] = pd.Series([opts.project_code] * len(body_index), dtype=object)
        else:
            frame_columns[column] = pd.Series([None] * len(body_index), dtype=object)
    if opts.keep_identifiers:
        for column in IDENTIFIERS:
            if column in columns:
                j, _ = columns[column]
                raw = [rows[i][j] if j < len(rows[i]) else None for i in body_index]
                frame_columns[column] = pd.Series(
                    [_identifier(cell) for cell in raw], dtype=object
                ).astype(STRING_DTYPE)
    frame = pd.DataFrame(frame_columns, index=range(len(body_index)))

    id_title = columns["participant_id"][1]
    no_id: list[tuple[int, Problem]] = []
    for position in frame.index[frame["participant_id"].isna()]:
        no_id.append(
            (
                int(position),
                Problem(
                    code="row.no_id",
                    message="the row has values but no participant id (a totals row? remove it)",
                    source=name,
                    location=f"{where}, row {excel_rows[position]}",
                    column=id_title,
                ),
            )
        )
    problems.extend(problem for _, problem in no_id)
    titles = {column: title for column, (_, title) in columns.items()}
    try:
        table = normalise_participations(frame, keep_extra=opts.keep_identifiers, on_error="raise")
    except ValidationError as error:
        relocated = _relocate(error.problems, excel_rows, titles, name=name, where=where)
        if opts.on_error == "raise":
            raise ValidationError([*problems, *relocated], source=name) from None
        positions = [_frame_row(problem) for problem in error.problems]
        if any(row is None for row in positions):
            raise ValidationError(relocated, source=name) from None
        # Coerce: the cells become unknown, the rows stay, and the table says which rows lost
        # a cell (DataFrame.attrs), so that a caller can reject them: nothing is lost unseen.
        no_id += [
            (row, problem)
            for row, problem in zip(positions, relocated, strict=True)
            if row is not None
        ]
        table = normalise_participations(frame, keep_extra=opts.keep_identifiers, on_error="coerce")
    if opts.on_error == "coerce":
        # A row without an id is kept too (validation rejects it), not dropped.
        attach_row_problems(table, sorted(no_id, key=lambda pair: pair[0]))
    elif problems:
        raise ValidationError(problems, source=name)
    if left_out:
        if opts.strict:
            raise ValidationError(left_out, source=name)
        warnings.warn(XlsxImportWarning(left_out, source=name), stacklevel=3)
    return table


def _frame_row(problem: Problem) -> int | None:
    match = _ROW.match(problem.location or "")
    return int(match.group(1)) if match else None


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


def _identifier(cell: Cell) -> str | None:
    text = _text(cell)
    return None if text is None else fix_diacritics(text)


def _map_values(
    raw: list[Cell], column: str, value_map: Mapping[str, Any]
) -> tuple[pd.Series, set[str]]:
    """Map the cells of one column; return them and the texts a controlled column did not know."""
    words: dict[str, Any] = dict(BOOLEAN_WORDS) if column in BOOL_COLUMNS else {}
    words.update(value_map)
    known = KNOWN_VALUES.get(column)
    if known is not None:
        words.update({key(value): value for value in known if key(value) not in words})
    cache: dict[str, tuple[Any, bool]] = {}
    unknown: set[str] = set()
    out: list[Any] = []
    for cell in raw:
        if cell is None or cell == "":
            out.append(None)
            continue
        if not isinstance(cell, str):
            if isinstance(cell, dt.time | dt.timedelta):
                out.append(str(cell))  # not a date: let the parser name the cell
            else:
                out.append(cell)
            continue
        if cell not in cache:
            cache[cell] = _map_text(cell, column, words, known)
        value, recognised = cache[cell]
        if not recognised:
            unknown.add(cell)
        out.append(value)
    return pd.Series(out, dtype=object), unknown


def _map_text(
    cell: str, column: str, words: Mapping[str, Any], known: frozenset[str] | None
) -> tuple[Any, bool]:
    text = fix_diacritics(cell.strip())
    if not text:
        return None, True
    if not words and column != "region":
        return text, True  # free text (ids, codes, partner names) or a date / number to parse
    cell_key = key(text)
    if cell_key in words:
        return words[cell_key], True
    if column == "region":
        try:
            return region(text).code, True
        except RomanianCodeError:
            return text, False
    return text, known is None


def _unknown_value_problems(
    unknown: set[str],
    raw: list[Cell],
    excel_rows: list[int],
    title: str,
    *,
    name: str,
    where: str,
) -> list[Problem]:
    problems = []
    for value in sorted(unknown):
        rows = [excel_rows[i] for i, cell in enumerate(raw) if cell == value]
        shown = ", ".join(map(str, rows[:5])) + (
            f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        )
        problems.append(
            Problem(
                code="value.unknown",
                message=f"{value!r} is not a known value, so it is kept as written and those "
                "participations will be incomplete; add it to the mapping's 'values'",
                source=name,
                location=f"{where}, row{'s' if len(rows) > 1 else ''} {shown}",
                column=title,
            )
        )
    return problems


def _relocate(
    problems: Iterable[Problem],
    excel_rows: list[int],
    titles: Mapping[str, str],
    *,
    name: str,
    where: str,
) -> list[Problem]:
    """Point the parser's problems (``row i`` of the frame) at the sheet's rows and headers."""
    out = []
    for problem in problems:
        location = problem.location
        match = _ROW.match(location or "")
        if match is not None and int(match.group(1)) < len(excel_rows):
            location = f"{where}, row {excel_rows[int(match.group(1))]}"
        column = problem.column
        message = problem.message
        if column is not None and column in titles and titles[column] != column:
            message = f"{message} (read as {column!r})"
            column = titles[column]
        out.append(
            attrs.evolve(problem, source=name, location=location, column=column, message=message)
        )
    return out
