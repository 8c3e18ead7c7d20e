"""Column mappings: which workbook header fills which canonical column, and how cell text reads.

A mapping is data (JSON valid against ``schemas/mapping.schema.json``). The built-in one,
``mappings/default.json``, lists the Romanian and English headers real registers use; a project
adds its own with ``options={"mapping": "my-mapping.json"}``, and its entries win.

Headers and value texts are compared through :func:`key`: lower case, no diacritics (the cedilla
ş/ţ and the comma-below ș/ț fold alike), punctuation and runs of spaces as one space. So
``"Data nașterii"``, ``"DATA NASTERII"`` and ``"data_naşterii"`` are the same header.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs
import jsonschema

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._participations import COLUMN_NAMES
from inclusionkit.ro import fold

IDENTIFIERS: tuple[str, ...] = ("last_name", "first_name", "cnp")
"""Personal identifiers a register may hold: read only with ``keep_identifiers``."""

TARGETS: tuple[str, ...] = (*COLUMN_NAMES, *IDENTIFIERS)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Boolean words for every boolean column, before any per-column value map.
BOOLEAN_WORDS: Mapping[str, bool] = {
    "da": True,
    "nu": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "adevarat": True,
    "fals": False,
    "1": True,
    "0": False,
}


def key(text: str) -> str:
    """Return the matching key of a header or a value text (see the module docstring)."""
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


@attrs.frozen(kw_only=True)
class Target:
    """What one header fills: a column (``None`` = ignored on purpose) and header-only values.

    ``header`` is the header as the mapping wrote it (for messages).
    """

    column: str | None
    header: str = ""
    values: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ColumnMapping:
    """A resolved mapping: header keys to targets, column value maps, and reading hints.

    ``headers`` maps a header *key* to its :class:`Target`; ``values`` maps a canonical column to
    a value map whose keys are value *keys*. ``sheet``, ``header_row`` and ``project_code`` are
    hints a mapping file may give (options passed to the reader override them).
    """

    headers: Mapping[str, Target]
    values: Mapping[str, Mapping[str, Any]]
    sheet: str | int | None = None
    header_row: int | None = None
    project_code: str | None = None

    def target(self, header: str) -> Target | None:
        """The target of ``header`` as written, or ``None`` when the header is unknown."""
        return self.headers.get(key(header))

    def value_map(self, header: str, column: str) -> dict[str, Any]:
        """The value map for cells under ``header`` filling ``column`` (header rules win)."""
        merged = dict(self.values.get(column, {}))
        target = self.target(header)
        if target is not None:
            merged.update(target.values)
        return merged

    def headers_for(self, column: str) -> list[str]:
        """Every header, as the mapping wrote it, that fills ``column`` (for messages)."""
        return [target.header for target in self.headers.values() if target.column == column]


@functools.cache
def _schema() -> dict[str, Any]:
    text = (resources.files("inclusionkit_xlsx") / "schemas" / "mapping.schema.json").read_text(
        encoding="utf-8"
    )
    document: dict[str, Any] = json.loads(text)
    return document


def mapping_schema() -> Mapping[str, Any]:
    """Return the JSON Schema (draft 2020-12) that mapping files must satisfy."""
    return _schema()


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def validate_mapping(document: Any, *, source: str | None = None) -> None:
    """Raise :class:`ValidationError` listing every way ``document`` breaks the mapping schema."""
    errors = sorted(_validator().iter_errors(document), key=lambda error: list(error.path))
    if errors:
        raise ValidationError(
            [
                Problem(
                    code=f"mapping.{error.validator}",
                    message=error.message,
                    source=source,
                    location=error.json_path,
                )
                for error in errors
            ],
            source=source,
        )


def _parse(document: Mapping[str, Any], *, source: str | None) -> ColumnMapping:
    validate_mapping(document, source=source)
    headers: dict[str, Target] = {}
    problems: list[Problem] = []
    for header, target in document.get("columns", {}).items():
        header_key = key(header)
        if not header_key:
            problems.append(
                Problem(
                    code="mapping.header_empty",
                    message=f"the header {header!r} has no letters or digits to match on",
                    source=source,
                    location=f"$.columns[{header!r}]",
                )
            )
            continue
        if header_key in headers:
            problems.append(
                Problem(
                    code="mapping.header_duplicate",
                    message=f"the header {header!r} is listed twice (headers match ignoring "
                    "case, spaces, punctuation and diacritics)",
                    source=source,
                    location=f"$.columns[{header!r}]",
                )
            )
            continue
        if isinstance(target, Mapping):
            values = {key(str(text)): value for text, value in target.get("values", {}).items()}
            headers[header_key] = Target(column=target["column"], header=header, values=values)
        else:
            headers[header_key] = Target(column=target, header=header)
    if problems:
        raise ValidationError(problems, source=source)
    values = {
        column: {key(str(text)): value for text, value in value_map.items()}
        for column, value_map in document.get("values", {}).items()
    }
    return ColumnMapping(
        headers=headers,
        values=values,
        sheet=document.get("sheet"),
        header_row=document.get("header_row"),
        project_code=document.get("project_code"),
    )


@functools.cache
def default_mapping() -> ColumnMapping:
    """The built-in mapping: canonical names plus the headers in ``mappings/default.json``."""
    text = (resources.files("inclusionkit_xlsx") / "mappings" / "default.json").read_text(
        encoding="utf-8"
    )
    parsed = _parse(json.loads(text), source="inclusionkit_xlsx/mappings/default.json")
    return _with_canonical_names(parsed)


def _with_canonical_names(mapping: ColumnMapping) -> ColumnMapping:
    headers = {key(name): Target(column=name, header=name) for name in TARGETS}
    headers.update(mapping.headers)
    return attrs.evolve(mapping, headers=headers)


def load_mapping(mapping: str | os.PathLike[str] | Mapping[str, Any]) -> ColumnMapping:
    """Load a mapping file (or an already parsed document) and merge it over the built-in one.

    Raises :class:`ValidationError` naming every schema violation, or :class:`InclusionKitError`
    when the file cannot be read as JSON.
    """
    if isinstance(mapping, Mapping):
        document: Any = mapping
        source = None
    else:
        source = os.fspath(mapping)
        try:
            with open(source, encoding="utf-8-sig") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            raise InclusionKitError(f"{source}: mapping file not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InclusionKitError(
                f"{source}: the mapping file is not valid UTF-8 JSON ({exc}); "
                "see the inclusionkit-xlsx README for its shape"
            ) from None
    parsed = _parse(document, source=source)
    builtin = document.get("builtin_headers", True)
    base = (
        default_mapping()
        if builtin
        else _with_canonical_names(ColumnMapping(headers={}, values={}))
    )
    headers = {**base.headers, **parsed.headers}
    values: dict[str, dict[str, Any]] = {
        column: dict(value_map) for column, value_map in base.values.items()
    }
    for column, value_map in parsed.values.items():
        values.setdefault(column, {}).update(value_map)
    return ColumnMapping(
        headers=headers,
        values=values,
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        project_code=parsed.project_code,
    )
