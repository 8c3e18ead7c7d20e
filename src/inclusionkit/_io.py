"""``inclusionkit.read`` and ``inclusionkit.write``: any format any plugin registered.

The format is chosen by name (``format="csv"``) or else by the file's extension; what is read or
written (the *kind*: participations, a project, a report, a progress table …) by ``kind=`` or else
from the object (writing) or the file's content (reading). Every write is atomic: the exporter
writes a temporary file beside the target, which replaces the target only when the exporter
returns normally.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inclusionkit._atomic import atomic_path, guard_inputs, note_input
from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import KINDS, REGISTER_URLS, Exporter, Importer, Source
from inclusionkit._ingest import ingest_with
from inclusionkit._pandas import pd
from inclusionkit._plugins import get_plugin_manager

__all__ = ["AUTO_KIND", "infer_kind", "read", "read_with", "write", "write_with"]

AUTO_KIND = "auto"
"""The ``kind`` an importer receives when the caller did not say and it reads several kinds:
the importer decides from the content."""

PERSONAL_KINDS = frozenset({"participations", "table"})
"""Kinds of one row per person: a new file of them is created owner-only (``0600``)."""

_PROGRESS_MARKERS = frozenset({"indicator", "target", "achieved"})


def read(
    source: Source,
    format: str | None = None,
    kind: str | None = None,
    **options: Any,
) -> Any:
    """Read ``source`` (a path or a binary file object) with the format's importer.

    :param format: a format name (``"csv"``, ``"json"``, ``"parquet"``, or a plugin's); by
        default the one claiming the file's extension.
    :param kind: what to read (``"participations"``, ``"project"``, ``"report"``,
        ``"progress"``, …); by default the only kind the format reads, or what the file holds.
    :param options: passed to the importer; for participations ``mapping=`` (a mapping file),
        ``keep_extra=True`` and ``on_error=`` too, as :func:`read_participations` takes them.
    :returns: a DataFrame (participations, progress), a :class:`~inclusionkit.Project`, a report
        (with ``table``, ``excluded``, ``checks``, ``provenance``), …
    :raises InclusionKitError: unknown format (the message lists the known ones), a file that is
        not what its extension says, a file with problems (:class:`ValidationError`). Nothing is
        returned half-read.
    """
    _check_kind(kind)
    path = _path_of(source)
    if format is None and path is not None and path.startswith(REGISTER_URLS):
        format = "register"  # a database URL has no extension to choose by
    importer = get_plugin_manager().find_importer(format, path, kind)
    return read_with(importer, source, kind=kind, **options)


def read_with(importer: Importer, source: Source, kind: str | None = None, **options: Any) -> Any:
    """Read ``source`` with a given importer (registered or not); see :func:`read`."""
    _check_kind(kind)
    note_input(source)
    if kind is None:
        kind = next(iter(importer.kinds)) if len(importer.kinds) == 1 else AUTO_KIND
    elif kind not in importer.kinds:
        raise InclusionKitError(
            f"format {importer.name!r} cannot read {kind}; it reads "
            f"{', '.join(sorted(importer.kinds))}"
        )
    if kind == "participations":
        # Every participation table goes through the one ingestion pipeline.
        return ingest_with(importer, source, **options)
    return importer.read(source, kind=kind, options=options)


def write(
    obj: Any,
    path: str | os.PathLike[str],
    format: str | None = None,
    kind: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    **options: Any,
) -> None:
    """Write ``obj`` to ``path`` with the format's exporter, atomically.

    :param format: a format name; by default the one claiming the extension of ``path``.
    :param kind: what ``obj`` is; by default inferred (:func:`infer_kind`).
    :param inputs: files ``obj`` was made from: ``path`` must be none of them (compared by
        device and inode, so links count), else :class:`InclusionKitError` and nothing written.
    :param options: passed to the exporter.
    :raises InclusionKitError: unknown format (the message lists the known ones), a format that
        cannot write this kind. If the exporter fails, the previous file at ``path`` is left as
        it was and no partial file remains.
    """
    _check_kind(kind)
    kind = kind or infer_kind(obj)
    exporter = get_plugin_manager().find_exporter(format, os.fspath(path), kind)
    with guard_inputs(inputs):
        write_with(exporter, obj, path, kind=kind, **options)


def write_with(
    exporter: Exporter,
    obj: Any,
    path: str | os.PathLike[str],
    kind: str | None = None,
    **options: Any,
) -> None:
    """Write ``obj`` with a given exporter (registered or not), atomically; see :func:`write`."""
    _check_kind(kind)
    kind = kind or infer_kind(obj)
    if kind not in exporter.kinds:
        raise InclusionKitError(
            f"format {exporter.name!r} cannot write {kind}; it writes "
            f"{', '.join(sorted(exporter.kinds))}"
        )
    target = Path(path)
    # A new file of person-level rows (participations, rejected rows, ids) is owner-only.
    with atomic_path(target, private=kind in PERSONAL_KINDS) as tmp:
        # The exporter gets a fresh path with the target's extension: libraries that choose a
        # writer by extension (pandas.to_excel, write_participations) then just work.
        staged = tmp.with_name(f"{tmp.name}{target.suffix}")
        try:
            exporter.write(obj, staged, kind=kind, options=options)
            if not staged.exists():
                raise InclusionKitError(
                    f"{target}: the {exporter.name!r} exporter (plugin {exporter.plugin!r}) "
                    "returned without writing a file"
                )
            os.replace(staged, tmp)
        finally:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()


def infer_kind(obj: Any) -> str:
    """What ``obj`` is: ``participations``, ``progress``, ``project``, ``report``, ….

    A DataFrame with the canonical participation columns (the required ones at least: an
    optional column it lacks is unknown in every row) is participations, one with
    ``indicator``, ``target`` and ``achieved`` a progress table; a
    :class:`~inclusionkit.Project` is a project; a :class:`~inclusionkit.TechnicalReport` or
    anything with ``.table`` and ``.provenance`` a report; a list of activities or organisations
    is that.
    """
    from inclusionkit._contract import REQUIRED_COLUMNS
    from inclusionkit.models import Activity, Organisation, Project

    if isinstance(obj, pd.DataFrame):
        columns = set(map(str, obj.columns))
        if set(REQUIRED_COLUMNS) <= columns:
            return "participations"
        if columns >= _PROGRESS_MARKERS:
            return "progress"
        raise InclusionKitError(
            "cannot tell what this table is: it has neither the canonical participation "
            "columns nor a progress table's (indicator, target, achieved); pass kind="
        )
    if isinstance(obj, Project):
        return "project"
    from inclusionkit._technical import TechnicalReport

    if isinstance(obj, TechnicalReport):
        return "report"
    if hasattr(obj, "table") and hasattr(obj, "provenance"):
        return "report"
    if isinstance(obj, list | tuple) and obj:
        if all(isinstance(item, Activity) for item in obj):
            return "activities"
        if all(isinstance(item, Organisation) for item in obj):
            return "organisations"
    raise InclusionKitError(
        f"cannot tell what kind of thing a {type(obj).__name__} is; pass kind= "
        f"(one of: {', '.join(KINDS)})"
    )


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise InclusionKitError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")


def _path_of(source: Source) -> str | None:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None
