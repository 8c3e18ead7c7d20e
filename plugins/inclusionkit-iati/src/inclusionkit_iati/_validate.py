"""Validation against the official IATI 2.03 activity schema, shipped inside this package.

The three XSD files in ``xsd/`` are unmodified copies of the IATI 2.03 release (see
``xsd/README.md`` for their source and licences). Keeping them in the package means validation
works offline and always against the version the exporter claims to write.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"
ACTIVITIES_XSD = XSD_DIR / "iati-activities-schema.xsd"

# The most schema messages an error or warning lists: a broken file can produce thousands, and
# the first few say what is wrong.
MAX_MESSAGES = 20


@functools.cache
def activities_schema() -> etree.XMLSchema:
    """Return the compiled IATI 2.03 activities schema (compiled once per process)."""
    # The schemas are our own files, but the same locked-down parser costs nothing: no network
    # fetch of xml.xsd from w3.org, no entity expansion.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(ACTIVITIES_XSD), parser))


def schema_errors(document: etree._ElementTree | etree._Element) -> list[str]:
    """Return the XSD errors of an IATI activities document, as ``line N: message`` (or the
    element's path instead of the line for a document built in memory).

    An empty list means the document is valid against the IATI 2.03 schema.
    """
    schema = activities_schema()
    if schema.validate(document):
        return []
    # lxml-stubs declares the error log opaque; at run time it is a list of log entries.
    entries: Iterable[Any] = cast(Any, schema.error_log)
    # A parsed file has line numbers; a tree built in memory (an export) has element paths.
    return [
        f"{f'line {entry.line}' if entry.line else entry.path}: {entry.message}"
        for entry in entries
    ]


def summarise(messages: list[str], limit: int = MAX_MESSAGES) -> list[str]:
    """Return at most ``limit`` messages, with a last line counting the ones left out."""
    if len(messages) <= limit:
        return list(messages)
    return [*messages[:limit], f"... and {len(messages) - limit} more"]
