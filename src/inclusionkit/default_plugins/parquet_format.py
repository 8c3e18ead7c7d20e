"""The built-in Parquet format: participations, reports and progress tables.

Participation tables go through :func:`inclusionkit.read_participations` and
:func:`inclusionkit.write_participations` (canonical columns and Arrow types). A report's table is
the Parquet data; its provenance, excluded and checks travel as JSON in the file's key-value
metadata (``inclusionkit.provenance`` …), which every Parquet reader keeps and ignores. pandas'
own metadata keeps each column's dtype. See ``docs/formats/parquet.md``.

A file over the table limit, or whose row groups would expand past the expanded limit
(:mod:`inclusionkit._limits`), is refused before its data is read; see ``docs/security.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import Exporter, Importer, Source
from inclusionkit._ingest import (
    PIPELINE_OPTIONS,
    RawTable,
    ingest_raw,
    load_mapping,
    map_headers,
)
from inclusionkit._limits import (
    check_count,
    format_bytes,
    limit,
    limited_source,
    parse_json,
    too_deep,
)
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, write_participations
from inclusionkit._report_data import EXCLUDED_IDS_OPTION, ReportData
from inclusionkit.default_plugins import (
    PROGRESS_MARKERS,
    check_options,
    describe_binary,
    frame_dtypes,
    frame_from_records,
    frame_records,
    local_path,
    not_this_format,
    read_head,
    source_name,
)
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl

KIND_KEY = b"inclusionkit.kind"
PROVENANCE_KEY = b"inclusionkit.provenance"
PART_KEYS = {"excluded": b"inclusionkit.excluded", "checks": b"inclusionkit.checks"}
_READ_OPTIONS: dict[str, tuple[str, ...]] = {}


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the Parquet reader."""
    register(
        Importer(
            name="parquet",
            extensions=(".parquet", ".pq"),
            kinds={"participations", "report", "progress"},
            read=read_parquet,
            read_raw=read_parquet_raw,
            projects=True,
            description="Apache Parquet (typed columns; fast for large tables)",
        )
    )


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the Parquet writer."""
    register(
        Exporter(
            name="parquet",
            extensions=(".parquet", ".pq"),
            kinds={"participations", "report", "progress", "table"},
            write=write_parquet,
            description="Apache Parquet (typed columns; fast for large tables)",
        )
    )


# -- reading -----------------------------------------------------------------------------------


def read_parquet(source: Source, *, kind: str, options: Mapping[str, Any]) -> Any:
    """Read participations, a report or a progress table from a Parquet file."""
    name = source_name(source)
    try:
        return _read(source, name, kind, options)
    except RecursionError:
        # A report's metadata is JSON; a pandas schema nested absurdly deep is refused too.
        raise too_deep(name) from None


def _read(source: Source, name: str, kind: str, options: Mapping[str, Any]) -> Any:
    with local_path(limited_source(source, "table"), ".parquet") as path:
        _check_magic(path, name)
        try:
            parquet = pq.ParquetFile(path)
            schema = parquet.schema_arrow
        except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
            # TypeError and ValueError: pandas metadata that is not what pandas wrote.
            raise InclusionKitError(
                f"{name}: not a readable Parquet file ({exc}); it may be truncated or damaged"
            ) from None
        _check_expanded(parquet.metadata, name)
        metadata = schema.metadata or {}
        if kind == "auto":
            kind = _guess_kind(schema.names, metadata, name, options.get("mapping"))
        if kind == "participations":
            return ingest_raw(
                lambda given: _raw(path, name, parquet, given),
                check=lambda given: check_options("parquet", given, ()),
                **options,
            )
        check_options("parquet", options, _READ_OPTIONS.get(kind, ()))
        frame = _read_frame(path, name)
        if kind == "progress":
            return frame
        if kind == "report":
            return _report(frame, metadata, name)
    raise InclusionKitError(f"{name}: the parquet format cannot read {kind}")


def read_parquet_raw(source: Source, *, options: Mapping[str, Any]) -> RawTable:
    """Read a Parquet file's participations as they are stored, for the ingestion pipeline.

    Only the columns the mapping fills (and the extra ones with ``keep_extra``) are read, and
    with a ``columns`` option (a projection) only those of them; text columns of few distinct
    values are read dictionary-encoded.
    """
    name = source_name(source)
    check_options("parquet", {k: v for k, v in options.items() if k not in PIPELINE_OPTIONS}, ())
    with local_path(limited_source(source, "table"), ".parquet") as path:
        _check_magic(path, name)
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
            raise InclusionKitError(
                f"{name}: not a readable Parquet file ({exc}); it may be truncated or damaged"
            ) from None
        _check_expanded(parquet.metadata, name)
        return _raw(path, name, parquet, options)


def parquet_columns(
    names: list[str],
    mapping: Any,
    keep_extra: bool,
    source: str,
    only: Collection[str] | None = None,
) -> tuple[list[str], list[str]]:
    """The columns of a Parquet file to read for participations, and those to read as
    dictionaries (text of few distinct values): for every reader of Parquet files. ``only``
    (a projection: canonical and extra column names) leaves out the columns it does not name."""
    headers = map_headers(names, mapping, source=source, location="the schema")
    wanted = [
        header
        for target, header in headers.columns.items()
        if (target in COLUMN_NAMES or keep_extra) and (only is None or target in only)
    ]
    if keep_extra or headers.unmapped:
        # A column a strict mapping cannot place is read too: the pipeline stops on it, with
        # every other problem of the file (left unread, the pipeline maps its header all the
        # same).
        wanted += [
            header
            for header in headers.extras
            if header not in wanted and (only is None or header.strip() in only)
        ]
    dictionary = [
        header for target, header in headers.columns.items() if target in _DICTIONARY_COLUMNS
    ]
    return wanted, dictionary


_DICTIONARY_COLUMNS = frozenset({"project_code", "gender", "labour_status", "region", "partner"})


def _raw(path: Path, name: str, parquet: pq.ParquetFile, options: Mapping[str, Any]) -> RawTable:
    schema = parquet.schema_arrow
    only = options.get("columns")
    columns, dictionary = parquet_columns(
        schema.names, options.get("mapping"), bool(options.get("keep_extra")), name, only
    )
    dictionary = [
        c for c in dictionary if c in columns and pa.types.is_string(schema.field(c).type)
    ]
    try:
        # The file's own reader, not pq.read_table: that goes through pyarrow.dataset (and its
        # import of pandas), whose scan holds batches ahead: 10-15 % more memory and CPU here.
        # Without pre-buffering: it would hold every column chunk's compressed bytes at once
        # while they are decoded (about 200 MiB of a 10M-row file, in fresh memory).
        reader = pq.ParquetFile(path, pre_buffer=False, read_dictionary=dictionary)
        table = reader.read(columns=columns)
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        # Damaged data the Arrow readers choke on (found by fuzzing).
        # Arrow's message may list the schema (in a file without a header: a person's row).
        raise InclusionKitError(f"{name}: cannot read this table ({_reason(exc)})") from None
    # The headers left unread are still the file's: the pipeline maps them with the others.
    unread = () if only is None else tuple(n for n in schema.names if n not in columns)
    return RawTable(table=table, source=name, header_location="the schema", unread=unread)


def _check_expanded(metadata: pq.FileMetaData, name: str) -> None:
    """Refuse a file whose row groups say they expand past the limit (a "Parquet bomb")."""
    check_count(name, metadata.num_columns, "columns")  # from the footer, before any data
    names = metadata.schema.to_arrow_schema().names  # top level: nested leaves repeat
    if len(set(names)) != len(names):
        repeated = len(names) - len(set(names))
        raise InclusionKitError(
            f"{name}: {repeated} column name(s) appear more than once in the schema; each "
            "column needs its own name (is the first row data rather than a header?)"
        )
    expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    allowed = limit("expanded")
    if expanded > allowed:
        raise InclusionKitError(
            f"{name}: refused: its data expands to {format_bytes(expanded)}, over the limit of "
            f"{format_bytes(allowed)}; raise INCLUSIONKIT_MAX_EXPANDED_BYTES if it is genuine"
        )


def _reason(exc: BaseException) -> str:
    """Arrow's reason for a failure, without the data or schema it may echo."""
    from inclusionkit._sanitise import arrow_reason

    return arrow_reason(exc).split(" in ", 1)[0].split(":", 1)[0][:200]


def _check_magic(path: Path, name: str) -> None:
    head = read_head(path, 4096)
    if head.startswith(b"PAR1"):
        return
    what = describe_binary(head) or ("an empty file" if not head else "a text file")
    raise not_this_format(
        name,
        what,
        "a Parquet file",
        "pass the right format= (csv, json, …) or re-export it as Parquet",
    )


@contextlib.contextmanager
def _parquet_named(path: Path) -> Iterator[Path]:
    # read_participations picks Parquet by the extension; give the file one if it has none.
    if path.suffix.lower() == ".parquet":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="inclusionkit-") as folder:
        named = Path(folder) / f"{path.stem or 'source'}.parquet"
        try:
            named.symlink_to(path.resolve())
        except OSError:
            shutil.copyfile(path, named)
        yield named


def _guess_kind(
    names: list[str], metadata: Mapping[bytes, bytes], name: str, mapping: Any = None
) -> str:
    declared = metadata.get(KIND_KEY)
    if declared:
        return declared.decode("utf-8", errors="replace")
    columns = set(names)
    # A register's own headers ("ID participant", or a mapping file's) say participations too.
    mapped = map_headers(names, load_mapping(mapping), source=name, location="the schema")
    if set(COLUMN_NAMES) <= columns or "participant_id" in mapped.columns:
        return "participations"
    if columns >= PROGRESS_MARKERS:
        return "progress"
    if {"indicator", "value"} <= columns:
        return "report"
    raise InclusionKitError(
        f"{name}: cannot tell what this table holds; pass kind='participations', 'progress' or "
        "'report'"
    )


def _read_frame(path: Path, name: str) -> pd.DataFrame:
    try:
        frame: pd.DataFrame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError) as exc:
        # ValueError, TypeError, KeyError: pandas metadata (the dtypes to restore) that is damaged.
        raise InclusionKitError(f"{name}: not a readable Parquet file ({exc})") from None
    return frame


def _report(frame: pd.DataFrame, metadata: Mapping[bytes, bytes], name: str) -> ReportData:
    def part(key: bytes, label: str) -> Any:
        raw = metadata.get(key)
        if raw is None:
            return None
        try:
            return parse_json(raw, f"{name}: the report's {label} metadata")
        except InclusionKitError as exc:
            raise InclusionKitError(f"{exc} (the file is damaged)") from None

    provenance = part(PROVENANCE_KEY, "provenance") or {}
    if not isinstance(provenance, dict):
        raise InclusionKitError(f"{name}: the report's provenance metadata is not a JSON object")
    extra: dict[str, pd.DataFrame] = {}
    for label, key in PART_KEYS.items():
        stored = part(key, label)
        dtypes = stored.get("dtypes") if isinstance(stored, dict) else None
        if stored is not None and (
            not isinstance(stored, dict)
            or not (dtypes is None or isinstance(dtypes, dict))
            or not all(isinstance(v, str) for v in (dtypes or {}).values())
        ):
            raise InclusionKitError(
                f"{name}: the report's {label} metadata is not {{records, dtypes}} (damaged?)"
            )
        extra[label] = (
            pd.DataFrame()
            if stored is None
            else frame_from_records(
                stored.get("records", []),
                stored.get("dtypes"),
                what=f"{name}: the report's {label!r}",
            )
        )
    return ReportData(table=frame, provenance=provenance, **extra)


# -- writing -----------------------------------------------------------------------------------


def write_parquet(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """Write participations, a report or a progress table as Parquet."""
    check_options("parquet", options, (EXCLUDED_IDS_OPTION,) if kind == "report" else ())
    target = Path(path)
    if kind == "participations":
        if target.suffix.lower() == ".parquet":
            write_participations(obj, target)
            return
        # write_participations picks Parquet by the extension; give it one, then move into place.
        staged = target.with_name(f"{target.name}.parquet")
        try:
            write_participations(obj, staged)
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        return
    metadata: dict[bytes, bytes] = {KIND_KEY: kind.encode()}
    if kind in ("progress", "table"):
        frame: pd.DataFrame = obj
    elif kind == "report":
        report = ReportData.for_export(obj, options)  # excluded: counts by reason
        frame = report.table
        metadata[PROVENANCE_KEY] = _json_bytes(report.provenance)
        for label, key in PART_KEYS.items():
            part: pd.DataFrame = getattr(report, label)
            metadata[key] = _json_bytes(
                {"records": frame_records(part), "dtypes": frame_dtypes(part)}
            )
    else:
        raise InclusionKitError(f"the parquet format cannot write {kind}")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, target)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
