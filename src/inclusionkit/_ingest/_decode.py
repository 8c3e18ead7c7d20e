"""Stage 2 of the ingestion pipeline: decode a text file (CSV) to UTF-8 and find its layout.

A file is UTF-8 with or without a byte-order mark, or else Windows-1250 or ISO-8859-2 (what
Romanian versions of Excel write), whichever reads better. A UTF-8 file is never copied through
Python: Arrow reads it in place (the fast path), and only a file that is not UTF-8 is decoded and
staged as UTF-8. Excel's ``sep=;`` first line names the separator; otherwise the header line's
more frequent of ``,`` and ``;`` is it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import attrs
import numpy as np

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import translate

LEGACY_ENCODINGS: tuple[str, ...] = ("cp1250", "iso-8859-2")
"""Tried in this order when a file is not UTF-8; Windows-1250 wins a tie (it is more common)."""

HEAD_SIZE = 65536
"""How many bytes of a file are sniffed."""

_ROMANIAN = frozenset("ăâîșțşţĂÂÎȘȚŞŢ")
_SEP_LINE = re.compile(rb"^sep=(.)[ \t]*\r?$", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


@attrs.frozen(kw_only=True)
class Layout:
    """How a CSV file is laid out: its separator and the lines before its header (``sep=;``)."""

    delimiter: str
    skip_lines: int = 0


def is_utf8(head: bytes, *, whole: bool = False) -> bool:
    """Whether ``head`` (the first bytes of a file) is UTF-8 text.

    The sample may cut a multi-byte letter at its end; only real damage counts, unless ``whole``
    says the sample is the whole file.
    """
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            not whole
            and exc.reason == "unexpected end of data"
            and exc.start >= len(head) - 4
            and len(head) >= HEAD_SIZE
        )
    return True


def layout(head: bytes) -> Layout:
    """The separator and the lines to skip, from the first line(s) of a file (bytes)."""
    text = head.removeprefix(_BOM)
    first = text.partition(b"\n")[0]
    match = _SEP_LINE.match(first)
    if match is not None:
        return Layout(delimiter=match.group(1).decode("latin-1"), skip_lines=1)
    return Layout(delimiter=";" if first.count(b";") > first.count(b",") else ",")


def decode_text(data: bytes, name: str = "<data>") -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), else Windows-1250/ISO-8859-2."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_legacy(data, name)[0]


def decode_head(head: bytes) -> str:
    """Decode the first bytes of a file (possibly cut in a letter) for sniffing."""
    if is_utf8(head):
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
    encoding = _best_encoding(_byte_counts(data), name)
    text = data.decode(encoding).removeprefix("\ufeff")
    return text, encoding


def legacy_encoding(path: str | os.PathLike[str], name: str = "<data>") -> str:
    """The encoding :func:`decode_legacy` would choose for the file at ``path``, worked out from
    a count of its bytes read in blocks: the file is never decoded whole (Arrow then decodes it
    in streaming blocks). The blocks are read into one buffer of 1 MiB, which stays in the
    processor's cache: a new 16 MiB block each time (fresh memory, and a mask of it out of the
    cache) took three times as long (0.17 s against 0.06 s for 200 MB)."""
    counts = np.zeros(256, dtype=np.int64)
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            counts += _byte_counts(view[:size])
    return _best_encoding(counts, name)


def _byte_counts(data: bytes | memoryview) -> np.ndarray:
    """How many times each byte value occurs, for those beyond ASCII (the only ones the choice
    of encoding looks at; ASCII bytes count 0): a mask and a count of the few such bytes, not a
    count of every byte (which widens each to 8 bytes: seconds for a file of 200 MB)."""
    view = np.frombuffer(data, dtype=np.uint8)
    return np.bincount(view[view >= 0x80], minlength=256).astype(np.int64)


def _best_encoding(counts: np.ndarray, name: str) -> str:
    """The legacy encoding whose decoding of bytes with these ``counts`` scores best.

    A single-byte encoding turns each byte into one letter, so the score of the decoded text
    (more Romanian letters, no control codes) is a sum over the bytes present."""
    best: tuple[int, str] | None = None
    present = [byte for byte in range(0x80, 0x100) if counts[byte]]
    for encoding in LEGACY_ENCODINGS:
        try:
            score = sum(
                int(counts[byte]) * _weight(bytes([byte]).decode(encoding)) for byte in present
            )
        except UnicodeDecodeError:
            continue
        if best is None or score > best[0]:
            best = (score, encoding)
    if best is None:
        raise InclusionKitError(
            translate(
                "{name}: not text in UTF-8, Windows-1250 or ISO-8859-2; save it as 'CSV UTF-8' "
                "from your spreadsheet and retry"
            ).format(name=name)
        )
    return best[1]


def _weight(char: str) -> int:
    if char in _ROMANIAN:
        return 3
    if char.isalpha():
        return 1
    if "\x80" <= char <= "\x9f":
        return -10
    return -1


def physical_lines(text: str | bytes, delimiter: str, skip_lines: int) -> list[int]:
    """The 1-based line on which each data row of a CSV text starts (only for messages).

    Arrow skips empty lines and a quoted cell may span lines, so row ``i`` is not always line
    ``i + 2``; this is computed only when a problem has to be located. ``text`` may be the
    file's bytes (UTF-8 or a legacy encoding): without quotes, and with carriage returns only
    at line ends, its lines are found in the bytes, never decoded.
    """
    import csv
    import io

    if isinstance(text, bytes):
        data = text.removeprefix(_BOM)
        if b'"' not in data and _crlf_only(data):
            return _unquoted_lines(data, skip_lines)
        text = decode_text(data)
    if '"' not in text and "\r" not in text:
        # No quoted cell can span lines: a row is a line that is not empty (fast, no parsing).
        lines = np.array(text.split("\n"), dtype=object)
        numbers = np.flatnonzero(lines != "") + 1
        numbers = numbers[numbers > skip_lines]
        return [int(n) for n in numbers[1:]]  # the first is the header
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts: list[int] = []
    previous = 0
    for number, row in enumerate(reader):
        start = previous + 1
        previous = reader.line_num
        if number < skip_lines or not row:
            continue
        starts.append(start)
    return starts[1:]  # the first is the header


def _crlf_only(data: bytes) -> bool:
    """Whether every carriage return of ``data`` ends a line (Windows line ends, or none)."""
    # Most files have no carriage return at all: one search (memchr) settles it, where the
    # two counts read every byte twice (0.28 s for a 1M-row, 197 MB file; 0.01 s for this).
    if b"\r" not in data:
        return True
    return data.count(b"\r") == data.count(b"\r\n")


def _unquoted_lines(data: bytes, skip_lines: int) -> list[int]:
    """:func:`physical_lines` of bytes without quotes, whose carriage returns end lines: the
    lines that are not empty (a newline is byte 10 in UTF-8 and in the legacy encodings alike;
    ``\r\n`` alone is an empty line, as the CSV parser reads it)."""
    view = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(view == 10)
    crlf = view[np.maximum(newlines - 1, 0)] == 13 if len(view) else np.zeros(0, dtype=bool)
    return _non_empty_lines(newlines, crlf & (newlines > 0), len(view), 0, skip_lines)


def _non_empty_lines(
    newlines: np.ndarray, crlf: np.ndarray, size: int, first: int, skip_lines: int
) -> list[int]:
    """The data rows' lines, from where the ``newlines`` of ``size`` bytes are and which of them
    end in ``\r\n`` (``crlf``), the text starting at byte ``first`` (after a BOM): the lines
    that are not empty, but the header."""
    starts = np.concatenate(([first], newlines + 1))
    ends = np.concatenate((newlines, [size]))
    carriage = np.concatenate((crlf, [False]))
    empty = (ends == starts) | ((ends == starts + 1) & carriage)
    numbers = np.flatnonzero(~empty) + 1
    numbers = numbers[numbers > skip_lines]
    return list(numbers[1:].tolist())  # the first is the header


def file_lines(
    path: str | os.PathLike[str], delimiter: str, skip_lines: int, block: int = 1 << 24
) -> list[int]:
    """:func:`physical_lines` of the CSV file at ``path``, read in blocks of ``block`` bytes: a
    file without quotes, whose carriage returns end lines, is never held whole (its newlines
    are found block by block)."""
    found: list[np.ndarray] = []
    returns: list[np.ndarray] = []
    size = 0
    first = 0
    with open(path, "rb") as handle:
        for data in iter(lambda: handle.read(block), b""):
            if data.endswith(b"\r"):
                data += handle.read(1)  # never cut a block between \r and \n
            if b'"' in data or not _crlf_only(data):
                break  # a quote, or a carriage return inside a line: the CSV parser decides
            if size == 0 and data.startswith(_BOM):
                first = len(_BOM)
            view = np.frombuffer(data, dtype=np.uint8)
            newlines = np.flatnonzero(view == 10)
            # A \n at the block's start follows no \r: a block never ends with one (above).
            returns.append((newlines > 0) & (view[np.maximum(newlines - 1, 0)] == 13))
            found.append(newlines + size)
            size += len(data)
        else:
            empty = np.zeros(0, dtype=np.int64)
            return _non_empty_lines(
                np.concatenate(found) if found else empty,
                np.concatenate(returns) if returns else empty.astype(bool),
                size,
                first,
                skip_lines,
            )
    with open(path, "rb") as handle:
        return physical_lines(handle.read(), delimiter, skip_lines)


def first_row_line(
    path: str | os.PathLike[str], skip_lines: int, block: int = 1 << 20
) -> int | None:
    """The line the first data row of the CSV file at ``path`` starts on, when row ``r`` is on
    that line plus ``r``: a file without quotes (no cell spans lines), whose carriage returns end
    lines, with no empty line; ``None`` otherwise (:func:`file_lines` then finds each row's).

    One look at the bytes, block by block into one buffer: where each of millions of newlines
    is (an index each) and a list of the rows' lines (10M rows: 2.3 s) are never made.
    """
    buffer = bytearray(block)
    view = np.frombuffer(buffer, dtype=np.uint8)
    line_ended = True  # the text starts a line: a newline first is an empty line
    carriage = False  # the previous block ended with \r: this one starts with its \n
    start = len(_BOM)
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            if start and not (size >= start and buffer[:start] == _BOM):
                start = 0  # no byte-order mark: the text starts at the file's first byte
            if buffer.find(b'"', start, size) >= 0:
                return None  # a quoted cell may span lines: the CSV parser decides
            data = view[start:size]
            newline = data == 10
            if carriage and not newline[0]:
                return None
            carriage = False
            if buffer.find(b"\r", start, size) >= 0:
                returns = data == 13
                if (returns[:-1] & ~newline[1:]).any():
                    return None  # a carriage return inside a line
                carriage = bool(returns[-1])
                newline = newline[~returns]  # a line's end is its \n; \r\n alone is empty
            start = 0
            if not newline.size:
                continue
            if (line_ended and newline[0]) or (newline[1:] & newline[:-1]).any():
                return None  # an empty line, which the parser skips: the rows after move down
            line_ended = bool(newline[-1])
    return None if carriage else skip_lines + 2


def file_line_starts(
    path: str | os.PathLike[str], delimiter: str, skip_lines: int
) -> int | np.ndarray:
    """Where the data rows of the CSV file at ``path`` start: the first row's line when each row
    is the line after the previous one (:func:`first_row_line`), else each row's line
    (:func:`file_lines`)."""
    first = first_row_line(path, skip_lines)
    if first is not None:
        return first
    return np.asarray(file_lines(path, delimiter, skip_lines), dtype=np.int64)


def row_lines(starts: int | np.ndarray | None, rows: np.ndarray, first: int) -> np.ndarray:
    """The line each of the 0-based ``rows`` starts on, from where the rows start (the first
    row's line, or each row's: :func:`file_line_starts`); ``row + first`` for a row beyond them
    (or when they are not known: ``None``)."""
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(starts, int):
        return rows + starts
    if starts is None or not starts.size:
        return rows + first
    inside = rows < starts.shape[0]
    return np.where(inside, starts[np.where(inside, rows, 0)], rows + first)


def csv_row_lines(path: str) -> Callable[[np.ndarray], np.ndarray]:
    """For a local CSV file: turn 0-based data rows into the physical lines they start on
    (for an engine that reads the file in blocks; worked out only when asked, once)."""
    found: list[tuple[Layout, int | np.ndarray]] = []

    def locate(rows: np.ndarray) -> np.ndarray:
        if not found:
            with open(path, "rb") as handle:
                form = layout(handle.read(HEAD_SIZE))
            found.append((form, file_line_starts(path, form.delimiter, form.skip_lines)))
        form, starts = found[0]
        return row_lines(starts, rows, 2 + form.skip_lines)

    return locate
