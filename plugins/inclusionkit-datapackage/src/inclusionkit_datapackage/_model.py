"""The parts of a data package: fields, keys, tables (a CSV and its Table Schema) and the package.

Only data: the project's tables are declared in ``tables.json`` (:mod:`._tables`), the
indicator tables built from a report in :mod:`._build`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import pandas as pd

from inclusionkit import InclusionKitError
from inclusionkit.plugin import restore_frame, write_csv_text

__all__ = ["DataPackage", "Field", "FieldType", "ForeignKey", "Table", "read_csv_rows"]

FieldType = Literal["string", "integer", "number", "boolean", "date", "object"]


@attrs.frozen(kw_only=True)
class Field:
    """One column: its Table Schema type, what it holds, and the constraints its values meet."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    pattern: str | None = None

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field descriptor."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "boolean":
            # Say exactly what the CSV holds, so no reader guesses ("yes"? "1"?).
            out["trueValues"] = ["true"]
            out["falseValues"] = ["false"]
        out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = (
                int(self.minimum) if self.type == "integer" else float(self.minimum)
            )
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            out["constraints"] = constraints
        return out


@attrs.frozen(kw_only=True)
class ForeignKey:
    """``fields`` of this table refer to ``reference`` of the table ``resource``."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema foreign-key descriptor."""
        return {
            "fields": list(self.fields),
            "reference": {"resource": self.resource, "fields": list(self.reference)},
        }


@attrs.frozen(kw_only=True)
class Table:
    """One resource of the package: a CSV file under ``data/`` and its Table Schema.

    ``rows`` hold Python values (``str``, ``int``, ``float``, ``bool``, ``datetime.date``,
    ``dict`` for ``object`` fields, ``None`` for a missing value) in field order. ``extra`` holds
    further properties of the resource descriptor (the indicator table's provenance).
    """

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: tuple[tuple[Any, ...], ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def path(self) -> str:
        """The CSV file's path inside the package (POSIX separators, as the spec requires)."""
        return f"data/{self.name}.csv"

    @property
    def field_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(field.name for field in self.fields)

    def csv_bytes(self) -> bytes:
        """The CSV file: a header row, then one line per row, UTF-8, ``\\n`` line ends.

        Written by inclusionkit's one CSV writer (``inclusionkit.plugin.write_csv_text``): a
        text cell a spreadsheet would run as a formula (``=HYPERLINK(…)``, ``@SUM(…)``) gets a
        quote in front, exactly as every other CSV the library writes; :func:`read_csv_rows`
        gives the text back.
        """
        cells = [
            [_text(value, field.type) for value, field in zip(row, self.fields, strict=True)]
            for row in self.rows
        ]
        frame = pd.DataFrame(cells, columns=list(self.field_names), dtype=object)
        return write_csv_text(frame).encode("utf-8")

    def descriptor(self, data: bytes | None = None) -> dict[str, Any]:
        """The resource descriptor; with the CSV bytes, also their size and SHA-256 hash, so a
        validator notices a file changed after export."""
        schema: dict[str, Any] = {
            "fields": [field.descriptor() for field in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [key.descriptor() for key in self.foreign_keys]
        out: dict[str, Any] = {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "title": self.title,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
        }
        if data is not None:
            out["bytes"] = len(data)
            out["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        out["schema"] = schema
        out.update(self.extra)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (Python values, one column per field)."""
        return pd.DataFrame(list(self.rows), columns=list(self.field_names), dtype=object)


@attrs.frozen(kw_only=True)
class DataPackage:
    """A built data package: the ``datapackage.json`` descriptor and the tables it describes."""

    descriptor: Mapping[str, Any]
    tables: tuple[Table, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The resource names, in order."""
        return tuple(table.name for table in self.tables)

    def table(self, name: str) -> Table:
        """The resource called ``name``; :class:`InclusionKitError` if there is none."""
        for table in self.tables:
            if table.name == name:
                return table
        raise InclusionKitError(
            f"the data package has no resource {name!r}; it has {', '.join(self.names)}"
        )

    def files(self) -> dict[str, bytes]:
        """Every file of the package by its path inside it: ``datapackage.json`` and the CSVs."""
        out = {table.path: table.csv_bytes() for table in self.tables}
        text = json.dumps(self.descriptor, ensure_ascii=False, indent=2) + "\n"
        return {"datapackage.json": text.encode("utf-8"), **out}


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    """A package's CSV member read back: one ``{field: text}`` per row (a missing value is
    ``""``), with the formula quotes :meth:`Table.csv_bytes` added removed, so the text is what
    was written (``inclusionkit.plugin.restore_frame``, as inclusionkit's CSV importer does)."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    records: list[dict[str, str]] = restore_frame(frame).to_dict("records")
    return records


def _text(value: Any, kind: FieldType) -> str:
    """A value as CSV text of its field type; a missing value is the empty cell."""
    if value is None or value is pd.NA:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(pd.Timestamp(value).date().isoformat())
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            raise InclusionKitError(f"cannot write the infinite number {number} in a data package")
        # Whole numbers without ".0", so 800 stays 800; others in the shortest exact form.
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    if kind == "object":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)
