"""Limits on what inclusionkit reads, checked before a file is read whole.

A partner's file is untrusted input: a multi-gigabyte CSV, a JSON document that nests a million
levels deep or an ``.xlsx`` workbook that is a zip bomb must end in a clear
:class:`~inclusionkit.InclusionKitError`, never in memory exhaustion. Three limits apply:

``table`` (default 2 GiB, env ``INCLUSIONKIT_MAX_INPUT_BYTES``)
    the size on disk of a participation table (CSV, Parquet, ``.xlsx``).
``document`` (default 50 MiB, env ``INCLUSIONKIT_MAX_DOCUMENT_BYTES``)
    the size of a document parsed whole into Python objects: JSON (projects, rule sets, reports,
    JSON tables), XML, and progress or report tables in CSV.
``expanded`` (default 4 GiB, env ``INCLUSIONKIT_MAX_EXPANDED_BYTES``)
    what a compressed container may expand to: the members of an ``.xlsx`` zip archive, the
    uncompressed row groups of a Parquet file.

``workbook`` (default 256 MiB, env ``INCLUSIONKIT_MAX_WORKBOOK_BYTES``)
    what the parts of one ``.xlsx`` workbook may expand to (openpyxl holds a workbook in memory
    at some 15 times its XML: 256 MiB of XML is about 4 GiB of memory and a minute).
``columns`` (default 2000, env ``INCLUSIONKIT_MAX_COLUMNS``)
    the columns of a table (a CSV header, a Parquet schema), checked on the header alone.
``breakdown`` (default 10000, env ``INCLUSIONKIT_MAX_BREAKDOWN_VALUES``)
    the distinct values of one breakdown column of a report, checked before computing.

A size is a number of bytes, optionally with a unit (``500M``, ``2GiB``, ``750kB``); a count a
number (``5000``, or ``5k``). A limit set
with :func:`input_limits` (a context manager, for one call or one thread) wins over the
environment, which wins over the default.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, cast

import attrs

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import N_, translate

__all__ = [
    "COUNTS",
    "DEFAULTS",
    "ENV",
    "MAX_DOCUMENT_DEPTH",
    "LimitName",
    "check_count",
    "check_size",
    "format_bytes",
    "input_limits",
    "limit",
    "limited_source",
    "parse_json",
    "parse_size",
    "read_json_document",
    "read_limited",
    "too_deep",
    "too_large",
    "too_many",
]

LimitName = Literal["table", "document", "expanded", "workbook", "columns", "breakdown"]

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

DEFAULTS: dict[str, int] = {
    "table": 2 * GIB,
    "document": 50 * MIB,
    "expanded": 4 * GIB,
    "workbook": 256 * MIB,
    "columns": 2000,
    "breakdown": 10_000,
}
"""The default limits: bytes, but ``columns`` and ``breakdown`` are counts."""

COUNTS = frozenset({"columns", "breakdown"})
"""The limits that count things, not bytes."""

ENV: dict[str, str] = {
    "table": "INCLUSIONKIT_MAX_INPUT_BYTES",
    "document": "INCLUSIONKIT_MAX_DOCUMENT_BYTES",
    "expanded": "INCLUSIONKIT_MAX_EXPANDED_BYTES",
    "workbook": "INCLUSIONKIT_MAX_WORKBOOK_BYTES",
    "columns": "INCLUSIONKIT_MAX_COLUMNS",
    "breakdown": "INCLUSIONKIT_MAX_BREAKDOWN_VALUES",
}
"""The environment variable that overrides each limit."""

_WHAT = {
    "table": N_("tables"),
    "document": N_("documents read whole (JSON, XML, progress and report tables)"),
    "expanded": N_("the expanded content of compressed files"),
    "workbook": N_("the expanded content of an .xlsx workbook"),
    "columns": N_("the columns of a table"),
    "breakdown": N_("the distinct values of a breakdown"),
}

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": KIB,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": MIB,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": GIB,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1024 * GIB,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


@attrs.frozen
class _Override:
    table: int | None = None
    document: int | None = None
    expanded: int | None = None
    workbook: int | None = None
    columns: int | None = None
    breakdown: int | None = None


_NO_OVERRIDE = _Override()
_override: contextvars.ContextVar[_Override | None] = contextvars.ContextVar(
    "inclusionkit_input_limits", default=None
)


def parse_size(text: str, *, what: str = "a size") -> int:
    """Parse ``"2GiB"``, ``"500M"``, ``"1048576"`` into a positive number of bytes.

    ``k``/``M``/``G`` are powers of 1000 and ``KiB``/``MiB``/``GiB`` powers of 1024.
    """
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise InclusionKitError(
            translate(
                "{what}: {text!r} is not a size; write a number of bytes, or one with a unit "
                "such as 500M, 2G or 2GiB"
            ).format(what=what, text=text)
        )
    value = int(float(match.group(1)) * _UNITS[unit])
    if value <= 0:
        raise InclusionKitError(
            translate("{what}: the limit must be more than 0 bytes, not {text!r}").format(
                what=what, text=text
            )
        )
    return value


def limit(name: LimitName) -> int:
    """The limit in force for ``name`` (``table``, ``document``, ``expanded``, ``workbook``: bytes;
    ``columns``, ``breakdown``: a count)."""
    override = getattr(_override.get() or _NO_OVERRIDE, name)
    if override is not None:
        return int(override)
    env = os.environ.get(ENV[name], "").strip()
    if env:
        return parse_size(env, what=ENV[name])
    return DEFAULTS[name]


_limit = limit  # for check_size, whose parameter is called ``limit`` too


@contextlib.contextmanager
def input_limits(
    *,
    table: int | str | None = None,
    document: int | str | None = None,
    expanded: int | str | None = None,
    workbook: int | str | None = None,
    columns: int | str | None = None,
    breakdown: int | str | None = None,
) -> Iterator[None]:
    """Use other limits inside the ``with`` block (this thread or task only).

    Each is a number of bytes or a size such as ``"500M"``; ``None`` keeps the one in force.
    """
    current = _override.get() or _NO_OVERRIDE

    def value(given: int | str | None, name: str, previous: int | None) -> int | None:
        if given is None:
            return previous
        if isinstance(given, bool) or (isinstance(given, int) and given <= 0):
            raise InclusionKitError(f"the {name} limit must be a positive number of bytes")
        return given if isinstance(given, int) else parse_size(given, what=f"the {name} limit")

    token = _override.set(
        _Override(
            table=value(table, "table", current.table),
            document=value(document, "document", current.document),
            expanded=value(expanded, "expanded", current.expanded),
            workbook=value(workbook, "workbook", current.workbook),
            columns=value(columns, "columns", current.columns),
            breakdown=value(breakdown, "breakdown", current.breakdown),
        )
    )
    try:
        yield
    finally:
        _override.reset(token)


def format_bytes(size: int) -> str:
    """``1536`` -> ``"1.5 KiB"``: a size for a person."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return translate("{count} bytes").format(count=size)
            return f"{value:.1f} {unit}"
        value /= 1024
    return translate("{count} bytes").format(count=size)  # pragma: no cover - always returned


def too_large(name: str, size: int | None, which: LimitName | int) -> InclusionKitError:
    """The error for an input over a limit (``size`` ``None``: not known exactly).

    ``which`` names one of the limits, or is a number of bytes a caller chose.
    """
    allowed = which if isinstance(which, int) else limit(which)
    how_big = format_bytes(size) if size is not None else translate("more than that")
    if isinstance(which, int):
        return InclusionKitError(
            translate("{name}: refused: {size} is over the limit of {limit}").format(
                name=name, size=how_big, limit=format_bytes(allowed)
            )
        )
    return InclusionKitError(
        translate(
            "{name}: refused: {size} is over the limit of {limit} for {what}. If the file is "
            "genuine, raise the limit with {variable}=<bytes> (for example {variable}=8G)"
        ).format(
            name=name,
            size=how_big,
            limit=format_bytes(allowed),
            what=translate(_WHAT[which]),
            variable=ENV[which],
        )
    )


def too_many(name: str, count: int, which: LimitName) -> InclusionKitError:
    """The error for an input with more things (columns, distinct values) than a count limit."""
    return InclusionKitError(
        translate(
            "{name}: refused: {count:,} is over the limit of {limit:,} for {what}. If it is "
            "genuine, raise the limit with {variable}=<number>"
        ).format(
            name=name,
            count=count,
            limit=limit(which),
            what=translate(_WHAT[which]),
            variable=ENV[which],
        )
    )


def check_count(name: str, count: int, which: LimitName) -> None:
    """Refuse ``count`` things (``columns``, ``breakdown`` values) over the limit in force."""
    if count > limit(which):
        raise too_many(name, count, which)


def check_size(path: str | os.PathLike[str], limit: LimitName | int = "table") -> int:
    """Refuse the file at ``path`` if it is larger than ``limit``; return its size.

    ``limit`` is one of the limits by name (``table``, ``document``, ``expanded``: the value in
    force, see the module docstring) or a number of bytes. Only the file's metadata is read
    (``os.stat``), so a huge file costs nothing to refuse.
    """
    name = os.fspath(path)
    allowed = limit if isinstance(limit, int) else _limit(limit)
    try:
        size = Path(name).stat().st_size
    except FileNotFoundError:
        raise InclusionKitError(translate("{path}: no such file").format(path=name)) from None
    except OSError as exc:
        raise InclusionKitError(
            translate("{path}: cannot read the file ({reason})").format(
                path=name, reason=exc.strerror
            )
        ) from None
    if size > allowed:
        raise too_large(name, size, limit)
    return size


class _LimitedReader(io.RawIOBase):
    """A read-only view of a binary stream that raises once more than ``allowed`` bytes came."""

    def __init__(self, stream: IO[bytes], allowed: int, name: str, which: LimitName) -> None:
        super().__init__()
        self._stream = stream
        self._left = allowed
        self.name = name
        self._which: LimitName = which

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        # One byte past the limit tells a stream at the limit from one over it.
        wanted = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._stream.read(wanted)
        if isinstance(data, str):
            raise InclusionKitError(
                translate("{path}: opened in text mode; open it with 'rb' and retry").format(
                    path=self.name
                )
            )
        self._left -= len(data)
        if self._left < 0:
            raise too_large(self.name, None, self._which)
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def limited_source(
    source: str | os.PathLike[str] | IO[bytes], which: LimitName = "table"
) -> str | os.PathLike[str] | IO[bytes]:
    """``source`` checked against the ``which`` limit before anyone reads it.

    A path is refused at once when the file is too large (:func:`check_size`); a file object is
    wrapped so that reading past the limit raises, having held at most the limit in memory.
    """
    if isinstance(source, str | os.PathLike):
        if Path(source).is_file():
            check_size(source, which)
        return source
    name = getattr(source, "name", None)
    shown = name if isinstance(name, str) else "<stream>"
    # A RawIOBase is a binary file object; typeshed does not relate it to typing.IO.
    return cast(IO[bytes], _LimitedReader(source, limit(which), shown, which))


def read_limited(source: str | os.PathLike[str] | IO[bytes], which: LimitName, name: str) -> bytes:
    """All the bytes of ``source`` (a path or a binary file object), refused past the limit."""
    if isinstance(source, str | os.PathLike):
        from inclusionkit._atomic import note_input

        note_input(source)
        check_size(source, which)
        try:
            with open(source, "rb") as handle:
                data = handle.read(limit(which) + 1)
        except IsADirectoryError:
            raise InclusionKitError(
                translate("{path}: is a folder, not a file").format(path=name)
            ) from None
        except OSError as exc:
            raise InclusionKitError(
                translate("{path}: cannot read the file ({reason})").format(
                    path=name, reason=exc.strerror
                )
            ) from None
    else:
        data = source.read(limit(which) + 1)
        if not isinstance(data, bytes):
            raise InclusionKitError(
                translate("{path}: opened in text mode; open it with 'rb' and retry").format(
                    path=name
                )
            )
    if len(data) > limit(which):
        # The file grew between stat and read, or a stream was too long.
        raise too_large(name, None, which)
    return data


# -- JSON, parsed defensively ----------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(data: bytes | str, name: str, *, max_depth: int | None = None) -> Any:
    """Parse JSON text or UTF-8 bytes (a BOM is allowed), refusing what would be ambiguous.

    Refused with an :class:`~inclusionkit.InclusionKitError`: text that is not UTF-8 or not JSON,
    an object with the same key twice (which value was meant?), ``NaN``/``Infinity`` (not JSON),
    whole numbers of more than 4300 digits, and nesting deeper than Python's recursion limit,
    or than ``max_depth`` when given (for documents that recursive code checks afterwards:
    projects, rule sets, mappings; a walk of the whole document, so not for large tables).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InclusionKitError(
                translate("{path}: not UTF-8 text (byte {byte}); JSON files must be UTF-8").format(
                    path=name, byte=exc.start
                )
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InclusionKitError(
            translate("{path}: not valid JSON at line {line}, column {column}: {reason}").format(
                path=name, line=exc.lineno, column=exc.colno, reason=exc.msg
            )
        ) from None
    except _DuplicateKeyError as exc:
        raise InclusionKitError(
            translate(
                "{path}: the key {key!r} appears twice in one JSON object; keep one of them"
            ).format(path=name, key=exc.key)
        ) from None
    except RecursionError:
        raise too_deep(name) from None
    except ValueError as exc:
        # NaN/Infinity, or a number too long to convert (sys.get_int_max_str_digits()).
        raise InclusionKitError(
            translate("{path}: not valid JSON: {reason}").format(path=name, reason=exc)
        ) from None
    if max_depth is not None and _depth_over(document, max_depth):
        raise too_deep(name)
    return document


MAX_DOCUMENT_DEPTH = 64
"""How deeply a project, rule set or mapping document may nest (they need about ten levels)."""


def read_json_document(path: str | os.PathLike[str]) -> Any:
    """Read a JSON document file (a project, a rule set, a mapping) with every guard on.

    A file over the document limit (``INCLUSIONKIT_MAX_DOCUMENT_BYTES``, 50 MiB by default) is
    refused before it is read; duplicate keys, ``NaN`` and nesting deeper than
    :data:`MAX_DOCUMENT_DEPTH` are refused too (see :func:`parse_json`).
    """
    name = os.fspath(path)
    # Checking a project or rule set recurses into it: refuse absurd nesting at the door.
    return parse_json(read_limited(name, "document", name), name, max_depth=MAX_DOCUMENT_DEPTH)


def _depth_over(document: Any, max_depth: int) -> bool:
    """Whether ``document`` nests lists and objects more than ``max_depth`` deep (no recursion)."""
    if not isinstance(document, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def too_deep(name: str) -> InclusionKitError:
    """The error for a document nested too deeply to process."""
    return InclusionKitError(
        translate(
            "{path}: refused: the document is nested too deeply (arrays or objects inside each "
            "other hundreds of levels deep); no inclusionkit document needs that"
        ).format(path=name)
    )
