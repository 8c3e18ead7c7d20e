"""The ingestion pipeline: every way a participation table comes in goes through here.

Stages, each in one module: :mod:`._detect` (which importer), :mod:`._decode` (text encodings,
CSV layout), :mod:`._mapping` (headers and values), :mod:`._clean` (spaces, cedillas, formula
quoting), :mod:`._type` (canonical types, bad cells as problems), and :mod:`._pipeline`, which
runs them. Importers hand over a :class:`RawTable` (:mod:`._raw`). See ``docs/participations.md``.
"""

from __future__ import annotations

from inclusionkit._ingest._decode import (
    LEGACY_ENCODINGS,
    Layout,
    decode_head,
    decode_legacy,
    decode_text,
    is_utf8,
    layout,
    legacy_encoding,
    physical_lines,
)
from inclusionkit._ingest._detect import find_importer, sniff, source_path
from inclusionkit._ingest._mapping import (
    BOOLEAN_WORDS,
    IDENTIFIERS,
    ColumnMapping,
    Target,
    default_mapping,
    key,
    load_mapping,
    map_headers,
    mapping_schema,
    validate_mapping,
)
from inclusionkit._ingest._pipeline import (
    PIPELINE_OPTIONS,
    MappingArg,
    TypedTable,
    canonical_frame,
    from_arrow,
    ingest,
    ingest_raw,
    ingest_typed,
    ingest_with,
    normalise_participations,
    prepare,
    run,
    run_typed,
    text_as_read,
)
from inclusionkit._ingest._raw import RawTable, lines_locator, offset_locator
from inclusionkit._ingest._row_problems import ROW_PROBLEMS, attach_row_problems, coerced, row_of
from inclusionkit._ingest._type import (
    parse_booleans,
    parse_dates,
    strict_arrow_dates,
    to_frame,
)

__all__ = [
    "BOOLEAN_WORDS",
    "IDENTIFIERS",
    "LEGACY_ENCODINGS",
    "PIPELINE_OPTIONS",
    "ROW_PROBLEMS",
    "ColumnMapping",
    "Layout",
    "MappingArg",
    "RawTable",
    "Target",
    "TypedTable",
    "attach_row_problems",
    "canonical_frame",
    "coerced",
    "decode_head",
    "decode_legacy",
    "decode_text",
    "default_mapping",
    "find_importer",
    "from_arrow",
    "ingest",
    "ingest_raw",
    "ingest_typed",
    "ingest_with",
    "is_utf8",
    "key",
    "layout",
    "legacy_encoding",
    "lines_locator",
    "load_mapping",
    "map_headers",
    "mapping_schema",
    "normalise_participations",
    "offset_locator",
    "parse_booleans",
    "parse_dates",
    "physical_lines",
    "prepare",
    "row_of",
    "run",
    "run_typed",
    "sniff",
    "source_path",
    "strict_arrow_dates",
    "text_as_read",
    "to_frame",
    "validate_mapping",
]
