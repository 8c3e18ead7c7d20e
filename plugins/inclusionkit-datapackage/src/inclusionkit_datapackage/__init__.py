"""inclusionkit-datapackage: a project as a Frictionless data package.

Installed, it registers the ``datapackage`` format (writing, kinds ``project`` and ``report``,
extension ``.zip``) through the ``inclusionkit`` entry-point group:

>>> import inclusionkit
>>> inclusionkit.write(project, "project.zip", participations=table)  # doctest: +SKIP
>>> inclusionkit.write(report, "indicators.zip", project=project)  # doctest: +SKIP

writes a zipped package; :func:`write_datapackage` writes a folder (or a zip) directly, and
:func:`build_datapackage` builds the package in memory. The package holds CSV tables for the
project, its locations, partners, objectives, indicators with targets, target groups,
activities, deliverables and progress, and, given the participation table, the indicator table
by gender with the rule set's indicator definitions; every table has a Table Schema with types,
constraints, primary and foreign keys. The project's tables are declared as data
(``tables.json``, :func:`table_specs`); the indicator table is one :class:`inclusionkit.Report`
(given, or computed once), suppressed by ``Report.suppress``. Aggregates only: no
participant-level data.

See this distribution's ``README.md`` and ``docs/formats/datapackage.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inclusionkit import Exporter
from inclusionkit.hookspecs import RegisterExporter, hookimpl
from inclusionkit.plugin import lazy_names

if TYPE_CHECKING:
    from inclusionkit_datapackage._build import DEFAULT_RULES, build_datapackage
    from inclusionkit_datapackage._model import (
        DataPackage,
        Field,
        ForeignKey,
        Table,
        read_csv_rows,
    )
    from inclusionkit_datapackage._tables import TABLE_NAMES, table_specs
    from inclusionkit_datapackage._write import (
        write_datapackage,
        write_datapackage_zip,
        write_folder,
        write_zip,
    )

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_RULES",
    "TABLE_NAMES",
    "DataPackage",
    "Field",
    "ForeignKey",
    "Table",
    "__version__",
    "build_datapackage",
    "read_csv_rows",
    "register_exporters",
    "table_specs",
    "write_datapackage",
    "write_datapackage_zip",
    "write_folder",
    "write_zip",
]


# public name -> module: imported on first use (PEP 562). inclusionkit loads every plugin to list
# its formats; the package builder is paid for only by a command that writes a data package.
_LAZY: dict[str, str] = {
    "DEFAULT_RULES": "inclusionkit_datapackage._build",
    "build_datapackage": "inclusionkit_datapackage._build",
    "DataPackage": "inclusionkit_datapackage._model",
    "Field": "inclusionkit_datapackage._model",
    "ForeignKey": "inclusionkit_datapackage._model",
    "Table": "inclusionkit_datapackage._model",
    "read_csv_rows": "inclusionkit_datapackage._model",
    "TABLE_NAMES": "inclusionkit_datapackage._tables",
    "table_specs": "inclusionkit_datapackage._tables",
    "write_datapackage": "inclusionkit_datapackage._write",
    "write_datapackage_zip": "inclusionkit_datapackage._write",
    "write_folder": "inclusionkit_datapackage._write",
    "write_zip": "inclusionkit_datapackage._write",
}


__getattr__ = lazy_names(__name__, _LAZY)


def _write_zip(obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]) -> None:
    from inclusionkit_datapackage._write import write_datapackage_zip

    write_datapackage_zip(obj, path, kind=kind, options=options)


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the data package writer (a zipped package, since the host writes one file)."""
    register(
        Exporter(
            name="datapackage",
            extensions=(".zip",),
            kinds={"project", "report"},
            write=_write_zip,
            description="Frictionless tabular data package (zip): CSV tables with Table Schemas",
        )
    )
