"""IATI activity XML 2.03 for inclusionkit: export projects, import IATI activities as projects.

Installed, this plugin registers the format ``iati`` (extension ``.xml``) for the kind
``project``::

    inclusionkit.write(project, "project.xml", format="iati", as_of="2024-06-30")
    project = inclusionkit.read("activity.xml", kind="project", format="iati")

The functions below are the same operations with every option spelt out:
:func:`project_to_iati` (a validated document as bytes) and :func:`read_iati` (every activity of
a file, with the import's warnings as data). See ``docs/formats/iati.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inclusionkit import Exporter, Importer
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl
from inclusionkit.plugin import lazy_names

if TYPE_CHECKING:
    from inclusionkit import Project
    from inclusionkit_iati._export import DEFAULT_SUPPRESS, ReportingOrg, project_to_iati
    from inclusionkit_iati._import import (
        DEFAULT_MAX_BYTES,
        IatiImport,
        IatiImportWarning,
        read_iati,
    )
    from inclusionkit_iati._validate import schema_errors

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SUPPRESS",
    "IatiImport",
    "IatiImportWarning",
    "ReportingOrg",
    "__version__",
    "project_to_iati",
    "read_iati",
    "register_exporters",
    "register_importers",
    "schema_errors",
]

FORMAT_NAME = "iati"
# IATI files are published as plain .xml; no other inclusionkit format writes XML today. Should one
# come, callers name the format (format="iati") rather than rely on the extension.
EXTENSIONS = (".xml",)

# public name -> module: imported on first use (PEP 562). inclusionkit loads every plugin to list
# its formats; lxml and the XSD-backed modules are paid for only by a command that reads or
# writes IATI XML.
_LAZY: dict[str, str] = {
    "DEFAULT_MAX_BYTES": "inclusionkit_iati._import",
    "DEFAULT_SUPPRESS": "inclusionkit_iati._export",
    "IatiImport": "inclusionkit_iati._import",
    "IatiImportWarning": "inclusionkit_iati._import",
    "ReportingOrg": "inclusionkit_iati._export",
    "project_to_iati": "inclusionkit_iati._export",
    "read_iati": "inclusionkit_iati._import",
    "schema_errors": "inclusionkit_iati._validate",
}


__getattr__ = lazy_names(__name__, _LAZY)


def _write_project(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    from inclusionkit_iati._export import write_project

    write_project(obj, path, kind=kind, options=options)


def _read_project(source: Any, *, kind: str, options: Mapping[str, Any]) -> Project:
    from inclusionkit_iati._import import read_project

    return read_project(source, kind=kind, options=options)


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the IATI 2.03 activity exporter for projects."""
    register(
        Exporter(
            name=FORMAT_NAME,
            extensions=EXTENSIONS,
            kinds={"project"},
            write=_write_project,
            description="IATI 2.03 activity XML (validated against the official schema)",
        )
    )


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the IATI activity importer for projects."""
    register(
        Importer(
            name=FORMAT_NAME,
            extensions=EXTENSIONS,
            kinds={"project"},
            read=_read_project,
            description="IATI 2.0x activity XML (each guess reported as an IatiImportWarning)",
        )
    )
