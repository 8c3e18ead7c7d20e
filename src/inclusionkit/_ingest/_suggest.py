"""Propose a mapping file for a register, from its headers and values (``mapping suggest``).

The proposal is a mapping document (valid against ``schemas/mapping.schema.json``) for the user
to check and edit: every header of the file with the column it seems to fill. A header is
placed by the built-in mapping (Romanian and English headers, any case, with or without
diacritics); else by the closest known spelling; else by its values (13-digit CNPs, genders,
labour statuses, regions). A header nothing places is written as ``null`` (left out) and listed
in :attr:`Suggestion.unresolved`. A cell text of a closed vocabulary that is not recognised
(``Feminin``) gets the closest word it may stand for, in ``values``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._contract import BOOL_COLUMNS, COLUMN_NAMES
from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._formats import Source
from inclusionkit._i18n import N_, translate
from inclusionkit._ingest._detect import find_importer, source_path
from inclusionkit._ingest._mapping import (
    KNOWN_VALUES,
    ColumnMapping,
    Target,
    default_mapping,
    key,
    map_text,
    validate_mapping,
    value_words,
)
from inclusionkit._ingest._raw import RawTable

SAMPLE_ROWS = 2000
"""How many rows' values are looked at, at most."""

CLOSE_HEADER = 0.8
"""How alike (difflib's ratio of the matching keys) a header must be to a known one."""

CLOSE_VALUE = 0.75
"""How alike a cell text must be to a known word of its column's vocabulary."""

_CNP = re.compile(r"[1-9]\d{12}")


@attrs.frozen(kw_only=True)
class Suggestion:
    """A proposed mapping: ``document`` (write it as JSON), the headers nothing placed
    (``unresolved``) and, for each header placed by spelling or values, how (``reasons``)."""

    document: Mapping[str, Any]
    unresolved: tuple[str, ...]
    reasons: Mapping[str, str]


def suggest_mapping(source: Source, format: str | None = None, **options: Any) -> Suggestion:
    """Propose a mapping file for the participation register at ``source`` (any format an
    importer reads participations from), from its headers and values.

    ``options`` go to the importer (``sheet=``, ``header_row=``). The result's ``document`` is a
    mapping to check, edit and pass as ``mapping=`` (or ``--mapping``); ``unresolved`` lists the
    headers it could not place (written as ``null``: left out).
    """
    if isinstance(source, str | os.PathLike) and not os.path.exists(source):
        raise InclusionKitError(translate("{path}: no such file").format(path=os.fspath(source)))
    importer = find_importer(source, format)
    if importer.read_raw is None:
        raise InclusionKitError(
            translate(
                "the {name!r} importer cannot show its headers as written; write the "
                "mapping by hand (see docs/participations.md)"
            ).format(name=importer.name)
        )
    raw, unknown = _read(importer.read_raw, source, options)
    builtin = default_mapping()
    columns: dict[str, Any] = {}
    values: dict[str, dict[str, Any]] = {}
    reasons: dict[str, str] = {}
    unresolved: list[str] = []
    taken: set[str] = set()
    names = [str(name).strip() for name in raw.table.column_names]
    texts = {name: _sample(raw.table.column(index)) for index, name in enumerate(names)}
    # Headers a reader kept no column of: placed by spelling only.
    names += [name for name in unknown if name not in texts]
    texts.update({name: [] for name in unknown if name not in texts})
    for name in names:
        if not name or name in columns:
            continue
        target = builtin.target(name)
        column = target.column if target is not None else None
        if target is None:
            column, reasons[name] = _guess(name, texts[name], builtin)
        if column is not None and column in taken:
            reasons[name] = translate("would fill {column!r}, which another header fills").format(
                column=column
            )
            column = None
        if column is None:
            if target is None:
                unresolved.append(name)
            columns[name] = None
            continue
        taken.add(column)
        columns[name] = column
        guessed = _value_guesses(name, column, texts[name], builtin)
        if guessed:
            values.setdefault(column, {}).update(guessed)
    document: dict[str, Any] = {
        "description": translate(
            "Proposed by `inclusionkit mapping suggest` from {file}: check every line. null "
            "leaves a column out."
        ).format(file=os.path.basename(source_path(source) or translate("the register"))),
        "columns": columns,
    }
    if values:
        document["values"] = values
    validate_mapping(document, source="the suggested mapping")
    return Suggestion(document=document, unresolved=tuple(unresolved), reasons=reasons)


def _read(read_raw: Any, source: Source, options: Mapping[str, Any]) -> tuple[RawTable, list[str]]:
    """The raw table with every column's cells, and the headers found unknown on the way.

    A reader that keeps only the columns a mapping places (a workbook's) stops on an unknown
    header under a strict mapping: it is then read again with each such header placed in a
    column of its own (one no canonical name has), so its values can be looked at too.
    """
    mapping = attrs.evolve(default_mapping(), unmapped="error", optional=frozenset(COLUMN_NAMES))
    given = {**options, "keep_extra": True, "on_error": "coerce"}
    headers: list[str] = []
    for _ in range(2):
        try:
            raw: RawTable = read_raw(source, options={**given, "mapping": mapping})
        except ValidationError as exc:
            found = [
                problem.column
                for problem in exc.problems
                if problem.code == "column.unmapped" and problem.column
            ]
            keys = {key(name): name for name in found}
            if not keys or set(keys) <= set(mapping.headers):
                raise
            headers += found
            placed = {
                header_key: Target(column=f"{_UNKNOWN}{header_key}", header=name)
                for header_key, name in keys.items()
            }
            mapping = attrs.evolve(mapping, headers={**mapping.headers, **placed})
            continue
        return raw, headers
    raise InclusionKitError("cannot read the register's headers")  # pragma: no cover


_UNKNOWN = "unknown header: "
"""The column an unknown header is placed in for a second read (never a canonical name)."""


def _sample(values: pa.ChunkedArray) -> list[str]:
    """The distinct non-empty texts of a column's first rows."""
    head = values.slice(0, SAMPLE_ROWS)
    if not pa.types.is_string(head.type) and not pa.types.is_large_string(head.type):
        try:
            head = pc.cast(head, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return []
    distinct = pc.unique(head).to_pylist()
    return sorted({text.strip() for text in distinct if text and text.strip()})


def _guess(name: str, texts: list[str], mapping: ColumnMapping) -> tuple[str | None, str]:
    """The column a header unknown to ``mapping`` seems to fill, and why."""
    # Values first: a closed vocabulary says more than a header spelled like another.
    if texts and all(_CNP.fullmatch(text) for text in texts):
        return "cnp", translate("its values are 13-digit CNPs")
    for column in ("gender", "labour_status", "region"):
        words = _column_words(mapping, name, column)
        recognised = [map_text(text, column, words, regions=True)[1] for text in texts]
        if texts and all(recognised):
            return column, translate(_VALUE_REASONS[column])
    wanted = key(name)
    close = difflib.get_close_matches(wanted, list(mapping.headers), n=1, cutoff=CLOSE_HEADER)
    if close:
        target = mapping.headers[close[0]]
        if target.column is not None:
            return target.column, translate("spelled like {header!r}").format(header=target.header)
    return None, translate("no known header is spelled like it and its values tell nothing")


_VALUE_REASONS = {
    "gender": N_("its values are gender values"),
    "labour_status": N_("its values are labour status values"),
    "region": N_("its values are region values"),
}
"""Why a header is placed by its values, for each closed vocabulary."""


def _column_words(mapping: ColumnMapping, header: str, column: str) -> dict[str, Any]:
    """Every text known for ``column``, under any header that fills it (``Gen``'s ``femeie``
    for a header ``Persoana``)."""
    words: dict[str, Any] = {}
    for target in mapping.headers.values():
        if target.column == column:
            words.update(target.values)
    words.update(value_words(mapping, header, column))
    return words


def _value_guesses(
    header: str, column: str, texts: list[str], mapping: ColumnMapping
) -> dict[str, Any]:
    """For a column of a closed vocabulary: each text not recognised, with the closest word."""
    if column not in KNOWN_VALUES and column not in BOOL_COLUMNS:
        return {}
    words = _column_words(mapping, header, column)
    guesses: dict[str, Any] = {}
    for text in texts:
        if key(text) in words:
            continue
        close = difflib.get_close_matches(key(text), list(words), n=1, cutoff=CLOSE_VALUE)
        if close:
            guesses[text] = words[close[0]]
    return guesses
