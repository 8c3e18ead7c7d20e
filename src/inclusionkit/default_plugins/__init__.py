"""The built-in formats, each an ordinary plugin module registered through the same hooks.

``csv_format``, ``json_format`` and ``parquet_format`` are listed in
:data:`inclusionkit._plugins.DEFAULT_PLUGINS`. This package module holds what they share: telling
a file that is not what its extension says, staging file objects on disk, the progress table's
dtypes, and turning DataFrames into JSON-compatible data and back without losing their dtypes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._formats import Source
from inclusionkit._pandas import pd

PROGRESS_DTYPES: dict[str, str] = {
    "objective": "str",
    "indicator": "str",
    "name": "str",
    "unit": "str",
    "kind": "str",
    "baseline": "float64",
    "target": "float64",
    "milestone": "Float64",
    "achieved": "Float64",
    "percent": "Float64",
    "status": "str",
    "source": "str",
}
"""The dtype of every column of a progress table (see ``inclusionkit.progress``)."""

PROGRESS_MARKERS = frozenset({"indicator", "target", "achieved"})
"""Columns that make a table a progress table when no kind is given."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook, an OpenDocument file or a .zip)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls or a password-protected workbook"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def source_name(source: Source) -> str:
    """The name to show for a source in messages: its path, or a file object's ``name``."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


def describe_binary(head: bytes) -> str | None:
    """Say what binary content ``head`` (the first bytes of a file) is; ``None`` for text."""
    for magic, description in _MAGIC:
        if head.startswith(magic):
            return description
    if b"\x00" in head[:4096]:
        # Text never contains NUL bytes (UTF-16 does, and is not supported either).
        return "binary data (or UTF-16 text)"
    return None


def not_this_format(name: str, what: str, expected: str, advice: str) -> InclusionKitError:
    """The error for a file whose content is not what its extension or ``format`` says."""
    return InclusionKitError(f"{name}: this is {what}, not {expected}; {advice}")


@contextlib.contextmanager
def local_path(source: Source, suffix: str) -> Iterator[Path]:
    """Yield a path to read ``source`` from, staging a file object's bytes in a temporary file."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InclusionKitError(
                f"{os.fspath(source)}: no such file"
                if not path.exists()
                else f"{os.fspath(source)}: not a file"
            )
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="inclusionkit-") as folder:
        staged = Path(folder) / f"source{suffix}"
        with open(staged, "wb") as handle:
            _copy(source, handle)
        yield staged


def _copy(source: IO[bytes], target: IO[bytes]) -> None:
    while chunk := source.read(1 << 20):
        if isinstance(chunk, str):
            raise InclusionKitError(
                f"{source_name(source)}: opened in text mode; open it with 'rb' and retry"
            )
        target.write(chunk)


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes of a file."""
    with open(path, "rb") as handle:
        return handle.read(size)


def remap_error(exc: InclusionKitError, staged: Path, name: str) -> InclusionKitError:
    """The same error naming ``name`` where it named the staged temporary copy."""
    if str(staged) == name:
        return exc
    if isinstance(exc, ValidationError):
        import attrs

        problems = [
            attrs.evolve(problem, source=name) if problem.source == str(staged) else problem
            for problem in exc.problems
        ]
        return ValidationError(problems, source=name)
    return InclusionKitError(str(exc).replace(str(staged), name))


def check_options(format: str, options: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Refuse options a format does not understand, rather than ignoring a typo."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise InclusionKitError(
            f"the {format} format does not take the option(s) {', '.join(unknown)}; known: {known}"
        )


def restore_progress_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast the progress table's known columns (read from text) to their dtypes."""
    casts = {name: dtype for name, dtype in PROGRESS_DTYPES.items() if name in frame.columns}
    for name, dtype in casts.items():
        if dtype == "str" and frame[name].isna().all():
            # An all-empty text column reads as float NaN; make it text again.
            frame[name] = frame[name].astype(object)
    try:
        return frame.astype(casts)
    except (TypeError, ValueError) as exc:
        raise InclusionKitError(f"not a valid progress table: {exc}") from None


# -- DataFrames as JSON-compatible data ------------------------------------------------------


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-compatible dicts (missing -> ``None``, dates -> ISO text).

    Floats are kept as Python floats (``json`` writes them exactly), unlike ``DataFrame.to_json``
    which rounds to 10 significant digits by default.
    """
    out = frame.astype(object).where(frame.notna(), None)
    return [
        {str(key): _json_value(value) for key, value in row.items()}
        for row in out.to_dict("records")
    ]


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return None if math.isnan(number) else number
    return value


def frame_dtypes(frame: pd.DataFrame) -> dict[str, str]:
    """The dtype of each column by name, as text ``DataFrame.astype`` understands."""
    return {str(name): str(dtype) for name, dtype in frame.dtypes.items()}


def frame_from_records(
    records: Any, dtypes: Mapping[str, str] | None, *, what: str
) -> pd.DataFrame:
    """Rebuild a DataFrame from :func:`frame_records` output and :func:`frame_dtypes`."""
    if not isinstance(records, list) or not all(isinstance(row, dict) for row in records):
        raise InclusionKitError(f"{what} must be a list of records (objects)")
    columns = list(dtypes) if dtypes else None
    if columns is None:
        seen: dict[str, None] = {}
        for row in records:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    frame = (
        pd.DataFrame.from_records(records, columns=columns)
        if records
        else pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})
    )
    if not dtypes:
        return frame
    for name, dtype in dtypes.items():
        try:
            if dtype.startswith("datetime64"):
                frame[name] = pd.to_datetime(frame[name]).astype(dtype)
            elif dtype == "str" and frame[name].isna().all():
                frame[name] = frame[name].astype(object).astype(dtype)
            else:
                frame[name] = frame[name].astype(dtype)
        except (TypeError, ValueError) as exc:
            raise InclusionKitError(
                f"{what}: column {name!r} does not fit its dtype {dtype!r} ({exc})"
            ) from None
    return frame
