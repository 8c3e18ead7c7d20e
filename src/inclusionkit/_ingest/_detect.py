"""Stage 1 of the ingestion pipeline: which registered importer reads a file.

By name (``format="xlsx"``), else a register's database URL by the register importer, else by
the file's extension, else by its content: a ZIP holding
``xl/workbook.xml`` is a workbook, ``PAR1`` a Parquet file, a leading ``[`` or ``{`` JSON. Every
importer that plugins register is a candidate, so a format added by a plugin (``xlsx``) is read
at every door. A text file with an unknown extension is not guessed to be CSV: the message lists
the formats there are.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import REGISTER_URLS, Importer, Source
from inclusionkit._i18n import translate
from inclusionkit._plugins import get_plugin_manager

_JSON = re.compile(rb"^\s*[\[{]")


def source_path(source: Source) -> str | None:
    """The path of a source (a file object's ``name``), or ``None``."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def sniff(head: bytes) -> str | None:
    """The format a file's first bytes say it is (``xlsx``, ``parquet``, ``json``), or ``None``."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(head)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            # The head is only the start of the archive: look for the part's name in it.
            return "xlsx" if b"xl/" in head else None
        return (
            "xlsx"
            if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names)
            else None
        )
    if _JSON.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "json"
    return None


def find_importer(source: Source, format: str | None = None) -> Importer:
    """The importer of participations for ``source`` (see the module docstring)."""
    manager = get_plugin_manager()
    path = source_path(source)
    if format is None and path is not None and path.startswith(REGISTER_URLS):
        format = "register"  # a database URL has no extension to choose by
    if format is not None:
        return manager.find_importer(format, path, "participations")
    suffix = Path(path).suffix.lower() if path else ""
    importers = [i for i in manager.importers().values() if "participations" in i.kinds]
    if suffix and any(suffix in importer.extensions for importer in importers):
        return manager.find_importer(None, path, "participations")
    sniffed = sniff(_head(source))
    if sniffed is not None:
        for importer in importers:
            if importer.name == sniffed:
                return importer
    known = ", ".join(sorted(ext for i in importers for ext in i.extensions))
    raise InclusionKitError(
        translate(
            "{path}: cannot tell the format from the extension {suffix}; use .csv or .parquet, "
            "or another format's extension ({known}), or pass format="
        ).format(
            path=path or translate("the file"),
            suffix=repr(suffix) if suffix else translate("(none)"),
            known=known,
        )
    )


def _head(source: Source, size: int = 4096) -> bytes:
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as handle:
                return handle.read(size)
        except OSError:
            return b""
    peek = getattr(source, "peek", None)
    if callable(peek):
        data = peek(size)
        return data[:size] if isinstance(data, bytes) else b""
    tell, seek = getattr(source, "tell", None), getattr(source, "seek", None)
    if callable(tell) and callable(seek):
        start = tell()
        data = source.read(size)
        seek(start)
        return data if isinstance(data, bytes) else b""
    return b""
