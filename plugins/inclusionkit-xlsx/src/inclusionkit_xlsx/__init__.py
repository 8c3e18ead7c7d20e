"""inclusionkit-xlsx: read participant registers from Excel, write reports people can hand on.

Installed, it registers the ``xlsx`` format through the ``inclusionkit`` entry-point group:

- reading (``inclusionkit.read("register.xlsx")``): a participant register with the canonical
  headers or the Romanian and English headers projects use, or those a mapping file declares
  (``mapping="my-mapping.json"``); see :func:`read_xlsx` for every option;
- writing (``inclusionkit.write(obj, "out.xlsx")``): a report, a progress table or a participation
  table as a formatted workbook; see :func:`write_xlsx`.

See this distribution's ``README.md`` for what is mapped, how, and what is left out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# The column mapping is inclusionkit's (one mechanism for every format); re-exported here for
# the code that imported it from this plugin before.
from inclusionkit import Exporter, Importer, load_mapping, mapping_schema, validate_mapping
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl
from inclusionkit.plugin import lazy_names

if TYPE_CHECKING:
    from inclusionkit import RawTable
    from inclusionkit_xlsx._read import XlsxImportWarning, read_xlsx, read_xlsx_raw
    from inclusionkit_xlsx._write import write_xlsx

__version__ = "0.1.0"

__all__ = [
    "XlsxImportWarning",
    "__version__",
    "load_mapping",
    "mapping_schema",
    "read_xlsx",
    "read_xlsx_raw",
    "register_exporters",
    "register_importers",
    "validate_mapping",
    "write_xlsx",
]


# public name -> module: imported on first use (PEP 562). inclusionkit loads every plugin to list
# its formats: openpyxl (a quarter of a second) is paid for only by a command that writes a
# workbook, python-calamine and the reader only by one that reads a workbook.
_LAZY: dict[str, str] = {
    "XlsxImportWarning": "inclusionkit_xlsx._read",
    "read_xlsx": "inclusionkit_xlsx._read",
    "read_xlsx_raw": "inclusionkit_xlsx._read",
    "write_xlsx": "inclusionkit_xlsx._write",
}


__getattr__ = lazy_names(__name__, _LAZY)


def _read_workbook(source: Any, *, kind: str, options: Mapping[str, Any]) -> Any:
    from inclusionkit_xlsx._read import read_xlsx

    return read_xlsx(source, kind=kind, options=options)


def _read_workbook_raw(source: Any, *, options: Mapping[str, Any]) -> RawTable:
    from inclusionkit_xlsx._read import read_xlsx_raw

    return read_xlsx_raw(source, options=options)


def _write_workbook(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    from inclusionkit_xlsx._write import write_xlsx

    write_xlsx(obj, path, kind=kind, options=options)


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the xlsx reader of participant registers."""
    register(
        Importer(
            name="xlsx",
            extensions=(".xlsx",),
            kinds={"participations"},
            read=_read_workbook,
            read_raw=_read_workbook_raw,
            description="Excel participant registers (Romanian or English headers, mapping files)",
        )
    )


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the xlsx writer of reports, progress tables and participation tables."""
    register(
        Exporter(
            name="xlsx",
            extensions=(".xlsx",),
            kinds={"report", "progress", "participations", "template"},
            write=_write_workbook,
            description="formatted Excel workbooks: one sheet per table, frozen headers",
        )
    )
