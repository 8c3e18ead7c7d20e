"""The built-in CSV format: participation tables, progress tables and report tables.

Reading accepts what Romanian spreadsheets produce: UTF-8 with or without a byte-order mark, or
Windows-1250 / ISO-8859-2 when the file is not UTF-8; ``,`` or ``;`` between fields; ISO or
``DD.MM.YYYY`` dates; decimal commas in the numbers of ``;``-separated progress and report
tables; and the cedilla letters ş/ţ (an old, wrong encoding of Romanian) normalised to the
comma-below ș/ț. Participation tables are parsed by :func:`inclusionkit.read_participations`
(vectorised through pyarrow). Writing is UTF-8 without a BOM, ``,``-separated, ISO dates.

Files are untrusted: one larger than the limit (:mod:`inclusionkit._limits`) is refused before it
is read, and a text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a
leading tab or carriage return) is written with a ``'`` in front (:mod:`inclusionkit._sanitise`);
reading removes that quote again, so a round trip gives back the original text. See
``docs/formats/csv.md`` and ``docs/security.md``.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._formats import Exporter, Importer, Source
from inclusionkit._limits import check_size, limited_source
from inclusionkit._participations import (
    COLUMN_NAMES,
    STRING_COLUMNS,
    csv_quoting,
    read_participations,
    write_participations,
)
from inclusionkit._rejected import coerced
from inclusionkit._report_data import ReportData
from inclusionkit._sanitise import neutralise_frame, restore_frame
from inclusionkit._sfc2021 import Sfc2021Report
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

LEGACY_ENCODINGS: tuple[str, ...] = ("cp1250", "iso-8859-2")
"""Tried in this order when a file is not UTF-8; Windows-1250 wins a tie (it is more common)."""

_CEDILLA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})
_ROMANIAN = frozenset("ăâîșțşţĂÂÎȘȚŞŢ")

_READ_OPTIONS = {"participations": ("keep_extra", "on_error"), "progress": (), "report": ()}

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
    """Read a CSV file as participations, a progress table or a report table."""
    name = source_name(source)
    # A file over the table limit is refused before it is read (a stream: while it is copied).
    with local_path(limited_source(source, "table"), ".csv") as path:
        head = read_head(path)
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
        if kind == "auto":
            kind = _guess_kind(_decode_head(head), name)
        check_options("csv", options, _READ_OPTIONS.get(kind, ()))
        if kind == "participations":
            try:
                return restore_frame(_read_participations(path, head, name, options))
            except pa.ArrowException as exc:
                # A cell the Arrow parsers choke on instead of reporting (found by fuzzing): the
                # file is refused, not the program.
                raise InclusionKitError(f"{name}: cannot read this table ({exc})") from None
        if kind not in ("progress", "report"):
            raise InclusionKitError(f"{name}: the csv format cannot read {kind}")
        # Progress and report tables are small and decoded whole: a document's limit applies.
        try:
            check_size(path, "document")
        except InclusionKitError as exc:
            raise remap_error(exc, path, name) from None
        text = decode_text(path.read_bytes(), name).translate(_CEDILLA)
        frame = restore_frame(_read_frame(text, name))
        if kind == "progress":
            return restore_progress_dtypes(frame)
        return ReportData(table=_report_table(frame, name))


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


def _read_participations(
    path: Path, head: bytes, name: str, options: Mapping[str, Any]
) -> pd.DataFrame:
    if options.get("on_error") == "coerce":
        # Say which rows lost a cell (DataFrame.attrs), so that nothing is lost unseen.
        return coerced(
            lambda mode: _read_participations_once(path, head, name, {**options, "on_error": mode})
        )
    return _read_participations_once(path, head, name, options)


def _read_participations_once(
    path: Path, head: bytes, name: str, options: Mapping[str, Any]
) -> pd.DataFrame:
    if path.suffix.lower() in {".csv", ".txt"} and _is_utf8(head):
        # The common case: read the user's file in place, on the fast path, with no copy.
        try:
            frame = read_participations(path, **options)
        except ValidationError as exc:
            raise remap_error(exc, path, name) from None
        except UnicodeDecodeError:
            pass  # a header line longer than the sample, not UTF-8 past it: decoded below
        except InclusionKitError as exc:
            # Valid UTF-8 at the start but not further on: re-read it decoded, below.
            if "UTF8" not in str(exc) and "UTF-8" not in str(exc):
                raise remap_error(exc, path, name) from None
        else:
            frame = _strip_text(frame)
            return _normalise_frame(frame) if _has_cedilla_utf8(path) else frame
    with tempfile.TemporaryDirectory(prefix="inclusionkit-") as folder:
        copy = Path(folder) / f"{path.stem or 'source'}.csv"
        text = decode_text(path.read_bytes(), name)
        copy.write_text(text, encoding="utf-8")
        try:
            frame = read_participations(copy, **options)
        except InclusionKitError as exc:
            raise remap_error(exc, copy, name) from None
    has_cedilla = any(char in text for char in "şŞţŢ")
    frame = _strip_text(frame)
    return _normalise_frame(frame) if has_cedilla else frame


def _strip_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim spaces around the canonical text cells (``"female "``), vectorised; ``" "`` is empty.

    The typed fast path keeps text as written, and a trailing space would make a gender or a
    region unknown. Extra columns (names) are left as they are.
    """
    for column in STRING_COLUMNS:
        if column in frame.columns and pd.api.types.is_string_dtype(frame[column].dtype):
            text = frame[column].str.strip()
            frame[column] = text.mask(text == "")
    return frame


def _normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = normalise_cedilla(frame[column])
    return frame


def normalise_cedilla(values: pd.Series) -> pd.Series:
    """Replace the cedilla letters ş Ş ţ Ţ with the comma-below ș Ș ț Ț (vectorised)."""
    for cedilla, comma in (("ş", "ș"), ("Ş", "Ș"), ("ţ", "ț"), ("Ţ", "Ț")):
        values = values.str.replace(cedilla, comma, regex=False)
    return values


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may cut a multi-byte letter at its end; only real damage counts. A file
        # shorter than the sample is all there: any error in it is real.
        return (
            exc.reason == "unexpected end of data"
            and exc.start >= len(head) - 4
            and len(head) >= _HEAD_SIZE
        )
    return True


_HEAD_SIZE = 65536  # read_head's default


_CEDILLA_UTF8 = (b"\xc5\x9f", b"\xc5\x9e", b"\xc5\xa3", b"\xc5\xa2")  # ş Ş ţ Ţ


def _has_cedilla_utf8(path: Path) -> bool:
    """Whether a UTF-8 file contains ş Ş ţ Ţ: a byte search (memchr speed), no decoding.

    Most files have none, and then their text columns are not rewritten at all.
    """
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return any(mm.find(sequence) != -1 for sequence in _CEDILLA_UTF8)


def decode_text(data: bytes, name: str = "<data>") -> str:
    """Decode a CSV file's bytes: UTF-8 (with or without BOM), else Windows-1250/ISO-8859-2."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_legacy(data, name)[0]


def _decode_head(head: bytes) -> str:
    if _is_utf8(head):
        return head.decode("utf-8-sig", errors="ignore")
    return decode_legacy(head)[0]


def decode_legacy(data: bytes, name: str = "<data>") -> tuple[str, str]:
    """Decode non-UTF-8 Romanian text as Windows-1250 or ISO-8859-2, whichever reads better.

    The two agree on the Romanian letters (ă â î ş ţ), so the tie-breakers are the bytes where
    they differ: Windows-1250 prints 0x80-0x9F (€ „ ” Š š …) where ISO-8859-2 has invisible
    control codes, and ISO-8859-2 has letters (Ą ą Ś ś Ź ź …) where Windows-1250 has symbols
    (¥ ± ¦ ¶ ¬ …). The decoding with more letters and no control codes wins; a tie goes to
    Windows-1250, what Romanian Windows versions of Excel write.
    """
    best: tuple[int, str, str] | None = None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if best is None or score > best[0]:
            best = (score, encoding, text)
    if best is None:
        raise InclusionKitError(
            f"{name}: not text in UTF-8, Windows-1250 or ISO-8859-2; save it as 'CSV UTF-8' "
            "from your spreadsheet and retry"
        )
    text = best[2].removeprefix("\ufeff")
    return text, best[1]


def _score(text: str) -> int:
    score = 0
    for char in set(text):
        if char.isascii():
            continue
        count = text.count(char)
        if char in _ROMANIAN:
            score += 3 * count
        elif char.isalpha():
            score += count
        elif "\x80" <= char <= "\x9f":
            score -= 10 * count
        else:
            score -= count
    return score


def _guess_kind(text: str, name: str) -> str:
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        row = next(csv.reader([first], delimiter=_delimiter(first)), [])
    except csv.Error as exc:
        raise InclusionKitError(f"{name}: the header line is not well-formed CSV ({exc})") from None
    header = {cell.strip() for cell in row}
    if set(COLUMN_NAMES) <= header:
        return "participations"
    if header >= PROGRESS_MARKERS:
        return "progress"
    if {"indicator", "value"} <= header:
        return "report"
    if "participant_id" in header:
        # Close to a participation table: let read_participations name the missing columns.
        return "participations"
    raise InclusionKitError(
        f"{name}: cannot tell what this table holds from its header "
        f"({', '.join(sorted(header)) or 'empty'}); pass kind='participations', 'progress' "
        "or 'report'"
    )


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _read_frame(text: str, name: str) -> pd.DataFrame:
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(first)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
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


_WRITE_OPTIONS = {"report": ("layout", "lang")}


def _report_frame(report: Any, options: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a report to write: its tidy table; for an SFC2021 report, the table that
    ``layout`` names (``tidy``, ``wide`` headed in ``lang``, or ``checks``)."""
    layout = options.get("layout", "tidy")
    lang = options.get("lang", "en")
    if isinstance(report, Sfc2021Report):
        return report.layout(layout, lang)
    if layout != "tidy":
        raise InclusionKitError(
            f"layout {layout!r}: a report is written as its tidy table; the wide and checks "
            "layouts are those of an SFC2021 report"
        )
    return ReportData.from_report(report).table


def write_csv(obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]) -> None:
    """Write participations, a progress table or a report's table as UTF-8 CSV.

    Text cells that a spreadsheet would run as formulas get a ``'`` in front (see
    :mod:`inclusionkit._sanitise`); numbers, dates and canonical codes are written as they are.
    """
    check_options("csv", options, _WRITE_OPTIONS.get(kind, ()))
    if kind == "participations":
        if not isinstance(obj, pd.DataFrame):
            raise InclusionKitError(
                f"a participation table is a DataFrame, not {type(obj).__name__}"
            )
        table = neutralise_frame(obj[[c for c in COLUMN_NAMES if c in obj.columns]])
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
    if kind == "progress":
        frame: pd.DataFrame = obj
    elif kind == "report":
        frame = _report_frame(obj, options)
    elif kind == "table":
        # Every column as it is, written as participations are: ISO dates, true/false.
        frame = obj.copy()
        words = {True: "true", False: "false"}
        for column in frame.columns:
            if pd.api.types.is_bool_dtype(frame[column].dtype):
                frame[column] = frame[column].map(words, na_action="ignore")
    else:
        raise InclusionKitError(f"the csv format cannot write {kind}")
    frame = neutralise_frame(frame)
    frame.to_csv(
        path,
        index=False,
        lineterminator="\n",
        encoding="utf-8",
        date_format="%Y-%m-%d",
        quoting=csv_quoting(frame),
    )
