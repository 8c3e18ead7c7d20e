"""The built-in JSON format: participations, projects, reports and progress tables.

- participations: a list of records, each valid against ``schemas/participation.schema.json``;
- a project: the document of ``schemas/project.schema.json`` (through ``_project_io``);
- a report: ``{"provenance": …, "table": [records], "excluded": [records], "checks": [records],
  "dtypes": {"table": {column: dtype}, …}}``;
- a progress table: a list of records.

Text is UTF-8 (a BOM is accepted on reading). Reading is defensive (see ``docs/security.md``): a
file over the document limit (:mod:`inclusionkit._limits`, 50 MiB by default) is refused before
it is read, and so are duplicate keys, ``NaN``, numbers of thousands of digits and documents
nested too deeply to process. See ``docs/formats/json.md``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from inclusionkit._contract import PERSONAL_COLUMNS
from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._formats import Exporter, Importer, Source
from inclusionkit._ingest import PIPELINE_OPTIONS, RawTable, ingest_raw, load_mapping, map_headers
from inclusionkit._limits import limited_source, parse_json, too_deep
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, DATE_COLUMNS, with_optional_columns
from inclusionkit._project_io import project_from_dict, project_to_dict
from inclusionkit._report_data import EXCLUDED_IDS_OPTION, ReportData
from inclusionkit.default_plugins import (
    PROGRESS_DTYPES,
    PROGRESS_MARKERS,
    check_options,
    describe_binary,
    frame_dtypes,
    frame_from_records,
    frame_records,
    local_path,
    not_this_format,
    restore_progress_dtypes,
    source_name,
)
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl
from inclusionkit.models import Project

if TYPE_CHECKING:
    # Imported where a JSON participation file is validated: loading the plugin (every command
    # does) does not load a JSON Schema validator.
    import jsonschema

REPORT_PARTS: tuple[str, ...] = ("table", "excluded", "checks")
_READ_OPTIONS: dict[str, tuple[str, ...]] = {}
_CSV_LIKE = re.compile(r"^[^{}\[\]]*[,;][^{}\[\]]*$")


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the JSON reader."""
    register(
        Importer(
            name="json",
            extensions=(".json",),
            kinds={"participations", "project", "report", "progress"},
            read=read_json,
            read_raw=read_json_raw,
            description="JSON documents (projects, reports) and record lists (tables)",
        )
    )


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the JSON writer."""
    register(
        Exporter(
            name="json",
            extensions=(".json",),
            kinds={"participations", "project", "report", "progress", "table"},
            write=write_json,
            description="UTF-8 JSON; tables as lists of records",
        )
    )


# -- reading -----------------------------------------------------------------------------------


def read_json(source: Source, *, kind: str, options: Mapping[str, Any]) -> Any:
    """Read a project, participations, a report or a progress table from JSON."""
    name = source_name(source)
    try:
        return _read(source, name, kind, options)
    except RecursionError:
        # Parsing stops at Python's recursion limit; checking a document nested just below it
        # (schemas, models) can still recurse too deep.
        raise too_deep(name) from None


def _read(source: Source, name: str, kind: str, options: Mapping[str, Any]) -> Any:
    document = _load(source, name)
    if kind == "auto":
        kind = _guess_kind(document, name, options.get("mapping"))
    if kind == "participations":
        return _participations(document, name, options)
    check_options("json", options, _READ_OPTIONS.get(kind, ()))
    if kind == "project":
        if not isinstance(document, dict):
            raise InclusionKitError(f"{name}: a project document is a JSON object, not a list")
        return project_from_dict(document, source=name)
    if kind == "report":
        return _report(document, name)
    if kind == "progress":
        if document == []:
            return restore_progress_dtypes(pd.DataFrame(columns=list(PROGRESS_DTYPES)))
        frame = frame_from_records(document, None, what=f"{name}: a progress table")
        try:
            return restore_progress_dtypes(frame)
        except InclusionKitError as exc:
            raise InclusionKitError(f"{name}: {exc}") from None
    raise InclusionKitError(f"{name}: the json format cannot read {kind}")


def _load(source: Source, name: str) -> Any:
    # JSON is parsed whole into Python objects (about ten times its size): the document limit.
    with local_path(limited_source(source, "document"), ".json") as path:
        data = path.read_bytes()
    binary = describe_binary(data[:65536])
    if binary is not None:
        raise not_this_format(
            name, binary, "a JSON text file", "check the file, or pass the right format="
        )
    try:
        return parse_json(data, name)
    except InclusionKitError as exc:
        first = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        first_line = first.split("\n", 1)[0]
        if "not valid JSON" in str(exc) and _CSV_LIKE.match(first_line):
            raise not_this_format(
                name,
                "CSV text (its first line is separated by ',' or ';')",
                "a JSON file",
                "rename it to .csv or pass format='csv'",
            ) from None
        raise


def _guess_kind(document: Any, name: str, mapping: Any = None) -> str:
    if isinstance(document, dict):
        if "table" in document and "provenance" in document:
            return "report"
        if "partners" in document or "code" in document:
            return "project"
    elif isinstance(document, list) and document and isinstance(document[0], dict):
        headers = map_headers(
            list(document[0]), load_mapping(mapping), source=name, location="$[0]"
        )
        if "participant_id" in headers.columns:
            return "participations"
        if set(document[0]) >= PROGRESS_MARKERS:
            return "progress"
    raise InclusionKitError(
        f"{name}: cannot tell whether this JSON holds participations, a project, a report or a "
        "progress table; pass kind="
    )


def _participations(document: Any, name: str, options: Mapping[str, Any]) -> pd.DataFrame:
    return ingest_raw(
        lambda given: _raw(document, name, given),
        check=lambda given: check_options("json", given, ()),
        **options,
    )


def read_json_raw(source: Source, *, options: Mapping[str, Any]) -> RawTable:
    """Read a JSON list of participation records as they are, for the ingestion pipeline."""
    name = source_name(source)
    check_options("json", {k: v for k, v in options.items() if k not in PIPELINE_OPTIONS}, ())
    try:
        return _raw(_load(source, name), name, options)
    except RecursionError:
        raise too_deep(name) from None


def _raw(document: Any, name: str, options: Mapping[str, Any]) -> RawTable:
    """The records as an Arrow table, checked against the participation schema when they use
    the canonical names (a document with other headers is mapped by the pipeline first)."""
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        errors = sorted(
            _participations_validator().iter_errors(document),
            key=lambda e: list(e.absolute_path),
        )
        raise ValidationError([_schema_problem(error, name) for error in errors], source=name)
    coerce = options.get("on_error") == "coerce"
    coerced_rows: list[tuple[int, Problem]] = []
    if _canonical(document):
        errors = sorted(
            _participations_validator().iter_errors(document),
            key=lambda e: list(e.absolute_path),
        )
        if errors and coerce:
            # As for a CSV cell that does not parse: a value of the wrong type becomes unknown,
            # and the row stays (validation then says what it lacks). Nothing is dropped, and
            # the table says which rows lost a value (DataFrame.attrs).
            coerced_rows = [
                (error.absolute_path[0], _schema_problem(error, name))
                for error in errors
                if error.absolute_path and isinstance(error.absolute_path[0], int)
            ]
            document = _coerce(document, errors)
            errors = []
        if errors:
            raise ValidationError([_schema_problem(error, name) for error in errors], source=name)
    names: dict[str, None] = {}
    for row in document:
        names.update(dict.fromkeys(row))
    if _canonical(document):
        # A record may leave out a key: that value is unknown (null), as the schema says.
        names = dict.fromkeys(COLUMN_NAMES) | names
    table = pa.table({key: _column([row.get(key) for row in document]) for key in names})
    return RawTable(
        table=table,
        source=name,
        locate=_json_rows,
        row_problems=tuple(coerced_rows),
        header_location="$[0]",
    )


def _canonical(records: list[dict[str, Any]]) -> bool:
    return all("participant_id" in row for row in records)


def _json_rows(rows: Any) -> list[str]:
    return [f"$[{int(row)}]" for row in rows]


def _column(values: list[Any]) -> pa.Array:
    """One key's values as Arrow: typed when JSON typed them alike, else as text."""
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        array = None
    if array is not None and (
        pa.types.is_null(array.type)
        or pa.types.is_string(array.type)
        or pa.types.is_boolean(array.type)
        or pa.types.is_integer(array.type)
        or pa.types.is_floating(array.type)
    ):
        return array
    return pa.array(
        [
            None
            if value is None
            else value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False)
            for value in values
        ],
        type=pa.string(),
    )


_TWO_DIGIT_YEAR = re.compile(r"\s*[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2}\s*$")


def _schema_problem(error: jsonschema.ValidationError, name: str) -> Problem:
    path = list(error.absolute_path)
    column = path[1] if len(path) >= 2 and isinstance(path[1], str) else None
    code, message = f"schema.{error.validator}", error.message
    instance = error.instance
    if isinstance(instance, dict | list):
        # A record or a list of them: never echoed (its cells are a person's data).
        message = message.replace(
            repr(instance), "the record" if isinstance(instance, dict) else "the list"
        )
    elif column is None or column in PERSONAL_COLUMNS or column not in COLUMN_NAMES:
        # A personal or an unknown (maybe identifier) column's cell is never quoted.
        message = message.replace(repr(instance), "the cell")
    if column in DATE_COLUMNS and isinstance(instance, str) and _TWO_DIGIT_YEAR.match(instance):
        code = "cell.two_digit_year"
        message = (
            "the date has a two-digit year, so the century is unknown; write the year in full "
            "(31.01.1990, or 1990-01-31)"
        )
    return Problem(
        code=code,
        message=message,
        source=name,
        location=_json_path(error.absolute_path),
        column=column,
    )


def _coerce(records: list[Any], errors: list[jsonschema.ValidationError]) -> list[Any]:
    """The records with every value a schema error points at set to ``None``."""
    out: list[Any] = [dict(row) if isinstance(row, dict) else {} for row in records]
    for error in errors:
        path = list(error.absolute_path)
        if len(path) >= 2 and isinstance(path[0], int) and isinstance(path[1], str):
            out[path[0]][path[1]] = None
    return out


def _participations_validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    from inclusionkit._schemas import _registry, schema

    # One validator call over the whole list, so every problem comes back with its $[row] path.
    return jsonschema.Draft202012Validator(
        {"type": "array", "items": {"$ref": schema("participation")["$id"]}},
        registry=_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _json_path(path: Any) -> str:
    from inclusionkit._schemas import json_path

    return json_path(path)


def _report(document: Any, name: str) -> ReportData:
    if not isinstance(document, dict) or "table" not in document:
        raise InclusionKitError(f"{name}: a report is a JSON object with 'table' and 'provenance'")
    dtypes = document.get("dtypes") or {}
    if not isinstance(dtypes, dict) or not all(
        value is None
        or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
        for value in dtypes.values()
    ):
        raise InclusionKitError(
            f"{name}: the report's 'dtypes' must map each part to {{column: dtype name}}"
        )
    parts = {
        part: frame_from_records(
            document.get(part, []), dtypes.get(part), what=f"{name}: the report's {part!r}"
        )
        for part in REPORT_PARTS
    }
    provenance = document.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise InclusionKitError(f"{name}: the report's 'provenance' must be a JSON object")
    return ReportData(provenance=provenance, **parts)


# -- writing -----------------------------------------------------------------------------------


def write_json(obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]) -> None:
    """Write a project, participations, a report or a progress table as UTF-8 JSON."""
    check_options("json", options, (EXCLUDED_IDS_OPTION,) if kind == "report" else ())
    if kind == "participations":
        _write_text(path, _participations_text(obj))
        return
    document: Any
    if kind == "project":
        if not isinstance(obj, Project):
            raise InclusionKitError(f"expected a Project, got {type(obj).__name__}")
        document = project_to_dict(obj)
    elif kind == "report":
        report = ReportData.for_export(obj, options)  # excluded: counts by reason
        document = {"provenance": report.provenance}
        for part in REPORT_PARTS:
            document[part] = frame_records(getattr(report, part))
        document["dtypes"] = {part: frame_dtypes(getattr(report, part)) for part in REPORT_PARTS}
    elif kind in ("progress", "table"):
        document = frame_records(obj)
    else:
        raise InclusionKitError(f"the json format cannot write {kind}")
    _write_text(path, json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def _participations_text(frame: pd.DataFrame) -> str:
    # Canonical columns only (personal identifiers leave only on request), one record a line.
    table = with_optional_columns(frame)[list(COLUMN_NAMES)].copy()
    for column in DATE_COLUMNS:
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    if table.empty:
        return "[]\n"
    lines = table.to_json(orient="records", lines=True, force_ascii=False).strip().split("\n")
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _write_text(path: os.PathLike[str], text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
