"""What plugins register: importers and exporters of the things inclusionkit reads and writes.

A format plugin describes itself with an :class:`Importer` or :class:`Exporter` and hands it to the
``register`` callback of the ``register_importers`` / ``register_exporters`` hooks. The host picks
one by name or file extension (:func:`inclusionkit.read`, :func:`inclusionkit.write`) and makes
every write atomic, so a plugin's ``write`` only has to write to the path it is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, Protocol, get_args

import attrs

Kind = Literal[
    "participations",
    "project",
    "report",
    "progress",
    "activities",
    "organisations",
    "table",
    "template",
]
KINDS: tuple[str, ...] = get_args(Kind)

TECHNICAL_LAYOUT = "raport-tehnic"
"""The technical progress report's layout (``progress --layout raport-tehnic``), here in the light
formats module so the command line names it without importing the report (and pandas)."""
"""The kinds of thing a format may read or write. ``table`` is any other table, written as it
is (every column): the rows a report excluded or a validation rejected, with their reasons.
``template`` is a blank register to fill in (a :class:`~inclusionkit.RegisterTemplate`)."""

REGISTER_SUFFIXES: tuple[str, ...] = (".db", ".sqlite", ".sqlite3")
"""File extensions taken for an SQLite register: here, in the light formats module, so that
registering the register's importer does not import SQLAlchemy on every command (0.17 s)."""

REGISTER_URLS = ("postgresql://", "postgresql+psycopg://", "postgres://", "sqlite:///")
"""Database URLs read by the register importer (``docs/register.md``): every reader of
participations (:func:`inclusionkit.read`, the ingestion pipeline) gives them to it."""

Source = str | os.PathLike[str] | IO[bytes]


class ReadFunction(Protocol):
    """Read ``source`` (a path or a binary file object) as a ``kind`` of thing."""

    def __call__(self, source: Source, *, kind: str, options: Mapping[str, Any]) -> Any: ...


class ReadRawFunction(Protocol):
    """Read ``source`` as participations *as the file has them*: a ``RawTable`` (see
    :class:`inclusionkit.RawTable`), for the ingestion pipeline to map, clean and type.

    ``options`` holds the caller's options for the format, plus the pipeline's: ``mapping`` (the
    resolved :class:`inclusionkit.ColumnMapping`, to choose which columns to read), ``keep_extra``
    and ``on_error``.
    """

    def __call__(self, source: Source, *, options: Mapping[str, Any]) -> Any: ...


class WriteFunction(Protocol):
    """Write ``obj`` (a ``kind`` of thing) to the file at ``path``."""

    def __call__(
        self, obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
    ) -> None: ...


def _kinds(value: Any) -> frozenset[str]:
    kinds = frozenset(value)
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    return kinds


def _extensions(value: Any) -> tuple[str, ...]:
    return tuple(ext.lower() if ext.startswith(".") else f".{ext.lower()}" for ext in value)


@attrs.frozen(kw_only=True)
class Importer:
    """A reader of one file format.

    ``name`` is the format's name (``"csv"``, ``"xlsx"``); ``extensions`` the file extensions it
    claims (``(".csv",)``); ``kinds`` what it can read (``{"participations", "project"}``);
    ``read`` the function doing it; ``plugin`` is filled in by the host with the registering
    plugin's name.

    ``read_raw`` (optional, added with the ingestion pipeline) reads participations *raw*: the
    file's own headers and cells, and where each row sits in the file (a ``RawTable``). With it
    the host's pipeline maps, cleans and types the table. Without it, ``read`` returns a
    DataFrame for ``kind="participations"``, which the pipeline cleans and types all the same:
    every door (``inclusionkit.read``, ``read_participations``, ``compute(path)``, the command
    line) gives the same table either way.

    ``projects`` says ``read_raw`` takes a ``columns`` option (the canonical and extra column
    names wanted) and may leave the file's other columns unread, naming them in
    ``RawTable.unread``; the pipeline applies the projection for every importer either way.
    """

    name: str
    extensions: tuple[str, ...] = attrs.field(converter=_extensions)
    kinds: frozenset[str] = attrs.field(converter=_kinds)
    read: ReadFunction = attrs.field(eq=False)
    description: str = ""
    plugin: str = ""
    read_raw: ReadRawFunction | None = attrs.field(default=None, eq=False)
    projects: bool = False


@attrs.frozen(kw_only=True)
class Exporter:
    """A writer of one file format; fields as for :class:`Importer`, with ``write``."""

    name: str
    extensions: tuple[str, ...] = attrs.field(converter=_extensions)
    kinds: frozenset[str] = attrs.field(converter=_kinds)
    write: WriteFunction = attrs.field(eq=False)
    description: str = ""
    plugin: str = ""


RegisterImporter = Callable[[Importer], None]
RegisterExporter = Callable[[Exporter], None]
RegisterRuleset = Callable[[Any], None]
RegisterVocabulary = Callable[[str, str], None]
