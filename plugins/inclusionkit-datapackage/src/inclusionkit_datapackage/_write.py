"""Writing a data package: as a folder (replaced atomically) or as one zip file.

A data package is a folder: ``datapackage.json`` beside ``data/*.csv``. The host's exporter hook
stages a single *file* and renames it over the target, which cannot carry a folder, so:

- through the host (``inclusionkit.write(project, "x.zip")``, format ``datapackage``) the package
  is written as a zip with ``datapackage.json`` at its root, which ``frictionless validate
  x.zip`` reads directly; the host makes that write atomic;
- :func:`write_datapackage` with a folder path makes the folder atomic itself: everything is
  written into a fresh hidden folder beside the target, which is renamed into place only once
  complete. An existing package there is swapped out and then deleted; the only moment without a
  package at the path is between two renames on one file system.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from inclusionkit import InclusionKitError, Project, Report, write
from inclusionkit_datapackage._build import Options, build_datapackage
from inclusionkit_datapackage._model import DataPackage

# Fixed member timestamps make the zip byte-for-byte reproducible (1980 is the zip epoch).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_datapackage(
    project: Project,
    path: str | os.PathLike[str],
    participations: Any = None,
    **options: Any,
) -> Path:
    """Write the data package of ``project`` to ``path`` and return the path.

    ``path`` ending in ``.zip`` gives a zipped package; anything else a folder, created or
    replaced atomically. An existing folder is replaced only when it is empty or holds a data
    package (a ``datapackage.json``), so a mistyped path never wipes unrelated files.
    ``options`` are those of :func:`~inclusionkit_datapackage.build_datapackage` (``as_of``,
    ``rules``, ``lang``, ``suppress``, ``license``).
    """
    target = Path(path)
    settings = Options.from_mapping({"participations": participations, **options})
    if target.suffix.lower() == ".zip":
        # Through the host, which stages the file beside the target and renames it over it.
        write(project, target, format="datapackage", participations=participations, **options)
        return target
    _check_folder(target)
    package = _build(project, settings)
    _replace_folder(target, package)
    return target


def write_datapackage_zip(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """The host exporter: write a project's (kind ``project``) or an indicator report's (kind
    ``report``, with the ``project`` option for the project's tables) data package as a zip to
    the staged ``path``."""
    settings = Options.from_mapping(options)
    if kind == "report" and isinstance(obj, Report):
        settings = attrs.evolve(settings, report=obj)
        project = settings.project
    elif kind == "project" and isinstance(obj, Project):
        project = obj
    else:
        raise InclusionKitError(
            "the datapackage format writes a project (with its participations as an option) or "
            f"an inclusionkit Report, not {kind!r} ({type(obj).__name__})"
        )
    write_zip(_build(project, settings), Path(path))


def write_zip(package: DataPackage, path: Path) -> None:
    """Write ``package`` as a zip: ``datapackage.json`` at the root, the CSVs under ``data/``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in package.files().items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def write_folder(package: DataPackage, folder: Path) -> None:
    """Write ``package`` into ``folder`` (which must exist and be empty); not atomic."""
    for name, data in package.files().items():
        file = folder / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)


def _build(project: Project | None, settings: Options) -> DataPackage:
    if project is not None and not isinstance(project, Project):
        raise InclusionKitError(
            f"a data package is written from an inclusionkit Project, not {type(project).__name__}"
        )
    return build_datapackage(
        project,
        settings.participations,
        as_of=settings.as_of,
        rules=settings.rules,
        lang=settings.lang,
        suppress=settings.suppress,
        license=settings.license,
        report=settings.report,
    )


def _check_folder(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InclusionKitError(
            f"{target}: exists and is not a folder; a data package is a folder "
            "(or give a .zip path)"
        )
    if target.is_dir() and any(target.iterdir()) and not (target / "datapackage.json").is_file():
        raise InclusionKitError(
            f"{target}: the folder is not empty and holds no datapackage.json; refusing to "
            "replace it. Choose a new or empty folder"
        )


def _replace_folder(target: Path, package: DataPackage) -> None:
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    try:
        # mkdtemp makes a 0700 folder; give the package the permissions mkdir would.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        write_folder(package, staging)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "package")
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old / "package", target)  # put the previous package back
                raise
        else:
            os.replace(staging, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
