"""Stage 3 of the ingestion pipeline: map a file's headers and cell texts to canonical ones.

One mechanism for every format (CSV, XLSX, JSON, Parquet): which header fills which canonical
column, and how a cell's text reads (``F`` is ``female``, ``Da`` is true, ``ISCED 3`` is 3,
``Sud-Muntenia`` is ``RO31``). A mapping is data (JSON valid against
``schemas/mapping.schema.json``). The built-in one, ``default_mapping.json``, lists the Romanian
and English headers real registers use; a project adds its own with ``mapping="my-mapping.json"``
(every reader takes it), and its entries win.

Headers and value texts are compared through :func:`key`: lower case, no diacritics (the cedilla
ş/ţ and the comma-below ș/ț fold alike), punctuation and runs of spaces as one space. So
``"Data nașterii"``, ``"DATA NASTERII"`` and ``"data_naşterii"`` are the same header.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import functools
import json
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import attrs

from inclusionkit._contract import BOOL_COLUMNS, COLUMN_NAMES, COLUMNS
from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._i18n import Deferred, deferred, translate
from inclusionkit._schemas import schema
from inclusionkit.models import Gender, LabourStatus
from inclusionkit.ro._geography import region
from inclusionkit.ro._text import RomanianCodeError, fold

if TYPE_CHECKING:
    import jsonschema

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

    ``unmapped`` says what a header matching nothing is: ``"note"`` (left out, with a warning)
    or ``"error"`` (the read stops, naming it and the closest canonical names: the command line's
    choice, so a register never loses a column silently). ``accepted`` holds the header keys left
    out on purpose (``--ignore-columns``), never an error. ``optional`` names canonical columns a
    reader may go without although the contract requires them (a register read to be
    pseudonymised has no ``participant_id`` yet).
    """

    headers: Mapping[str, Target]
    values: Mapping[str, Mapping[str, Any]]
    sheet: str | int | None = None
    header_row: int | None = None
    project_code: str | None = None
    unmapped: str = "note"
    accepted: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()

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


def _schema() -> Mapping[str, Any]:
    return schema("mapping")


def mapping_schema() -> Mapping[str, Any]:
    """Return the JSON Schema (draft 2020-12) that mapping files must satisfy."""
    return _schema()


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # only a mapping file needs it: the built-in mapping is checked by a test

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


def _parse(
    document: Mapping[str, Any], *, source: str | None, validate: bool = True
) -> ColumnMapping:
    if validate:
        validate_mapping(document, source=source)
    headers: dict[str, Target] = {}
    problems: list[Problem] = []
    for header, target in document.get("columns", {}).items():
        header_key = key(header)
        if not header_key:
            problems.append(
                Problem(
                    code="mapping.header_empty",
                    message=deferred(
                        "the header {header!r} has no letters or digits to match on",
                        header=header,
                    ),
                    source=source,
                    location=f"$.columns[{header!r}]",
                )
            )
            continue
        if header_key in headers:
            problems.append(
                Problem(
                    code="mapping.header_duplicate",
                    message=deferred(
                        "the header {header!r} is listed twice (headers match ignoring case, "
                        "spaces, punctuation and diacritics)",
                        header=header,
                    ),
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
    text = (resources.files("inclusionkit._ingest") / "default_mapping.json").read_text(
        encoding="utf-8"
    )
    # The built-in file is valid (tests/ingest/test_stages.py checks it against the schema):
    # a command that reads with it does not load a JSON Schema validator.
    parsed = _parse(
        json.loads(text), source="inclusionkit/_ingest/default_mapping.json", validate=False
    )
    return _with_canonical_names(parsed)


def _with_canonical_names(mapping: ColumnMapping) -> ColumnMapping:
    headers = {key(name): Target(column=name, header=name) for name in TARGETS}
    headers.update(mapping.headers)
    return attrs.evolve(mapping, headers=headers)


def load_mapping(
    mapping: str | os.PathLike[str] | Mapping[str, Any] | ColumnMapping | None,
) -> ColumnMapping:
    """Load a mapping file (or an already parsed document) and merge it over the built-in one.

    ``None`` is the built-in mapping; a :class:`ColumnMapping` is returned as it is. Raises
    :class:`ValidationError` naming every schema violation, or :class:`InclusionKitError` when the
    file cannot be read as JSON.
    """
    if mapping is None:
        return _COMMAND_MAPPING.get() or default_mapping()
    if isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, Mapping):
        document: Any = mapping
        source = None
    else:
        source = os.fspath(mapping)
        try:
            with open(source, encoding="utf-8-sig") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            raise InclusionKitError(
                translate("{path}: mapping file not found").format(path=source)
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InclusionKitError(
                translate(
                    "{path}: the mapping file is not valid UTF-8 JSON ({reason}); "
                    "see docs/participations.md for its shape"
                ).format(path=source, reason=exc)
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


_COMMAND_MAPPING: contextvars.ContextVar[ColumnMapping | None] = contextvars.ContextVar(
    "inclusionkit_command_mapping", default=None
)


@contextlib.contextmanager
def using_mapping(mapping: ColumnMapping) -> Iterator[ColumnMapping]:
    """Within the block, a read given no mapping uses ``mapping`` (a command's ``--mapping``,
    ``--ignore-columns``): every reader of one command reads the same way."""
    token = _COMMAND_MAPPING.set(mapping)
    try:
        yield mapping
    finally:
        _COMMAND_MAPPING.reset(token)


def current_mapping() -> ColumnMapping:
    """The mapping a read given none uses now: the command's, or the built-in one."""
    return _COMMAND_MAPPING.get() or default_mapping()


def renamed_mapping(mapping: ColumnMapping, columns: Mapping[str, str]) -> ColumnMapping:
    """``mapping`` for a table whose headers were renamed to the columns they fill (``columns``:
    column to the file's header, as :attr:`Headers.columns` has them), for an engine that renames
    them first and maps each part later: each column's name then reads its cells as its header
    did (that header's own values too)."""
    headers = dict(mapping.headers)
    for column, header in columns.items():
        target = mapping.target(header)
        if target is not None:
            headers[key(column)] = target
    return attrs.evolve(mapping, headers=headers)


def strict_mapping(
    mapping: str | os.PathLike[str] | Mapping[str, Any] | ColumnMapping | None = None,
    *,
    ignore: Iterable[str] = (),
    optional: Iterable[str] = (),
) -> ColumnMapping:
    """``mapping`` (a file, a document, or the built-in one) where a header matching nothing
    stops the read, but for the headers in ``ignore`` (left out on purpose); the canonical
    columns in ``optional`` may be missing."""
    resolved = load_mapping(mapping) if mapping is not None else default_mapping()
    return attrs.evolve(
        resolved,
        unmapped="error",
        accepted=resolved.accepted | {key(name) for name in ignore if key(name)},
        optional=resolved.optional | frozenset(optional),
    )


def closest_columns(header: str, mapping: ColumnMapping | None, count: int = 3) -> list[str]:
    """The canonical columns whose known headers (in ``mapping``, or the names themselves) are
    spelled closest to ``header``, best first (for "did you mean")."""
    known = mapping.headers if mapping is not None else default_mapping().headers
    wanted = key(header)
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, wanted, name).ratio(), target.column)
            for name, target in known.items()
            if target.column is not None
        ),
        key=lambda pair: -pair[0],
    )
    columns: list[str] = []
    for score, column in scored:
        if score < 0.5 or len(columns) == count:
            break
        if column not in columns:
            columns.append(column)
    return columns


def unmapped_problem(
    title: str, place: str, mapping: ColumnMapping | None, *, source: str, location: str
) -> Problem:
    """The ``column.unmapped`` error of a header matching nothing, with the closest names."""
    close = closest_columns(title, mapping)
    hint = deferred("; closest canonical names: {names}", names=", ".join(close)) if close else ""
    return Problem(
        code="column.unmapped",
        message=deferred(
            "the header {title!r}{place} matches no known column{hint}. Map it with "
            "--mapping FILE (inclusionkit mapping suggest writes one to edit), or leave it out "
            "with --ignore-columns {title!r}",
            title=title,
            place=place,
            hint=hint,
        ),
        source=source,
        location=location,
        column=title,
    )


# -- the mapping stage ---------------------------------------------------------------------------

KNOWN_VALUES: Mapping[str, frozenset[str]] = {
    "gender": frozenset(Gender),
    "labour_status": frozenset(LabourStatus),
}
"""The closed vocabularies: a text that maps to none of these is reported as unknown."""


@attrs.frozen(kw_only=True)
class Headers:
    """A file's headers mapped: ``columns`` maps each target filled to the header filling it.

    ``unmapped`` holds the errors of the headers a strict mapping (``unmapped="error"``) cannot
    place: the read stops on them when those columns would be dropped (not kept as extras).
    ``missing`` holds those of the required columns no header fills (an importer's default,
    ``project_code=CODE``, may still stand for one), named with the unmapped ones when a read
    stops on them.
    """

    columns: Mapping[str, str]
    extras: tuple[str, ...]
    left_out: tuple[Problem, ...]
    unmapped: tuple[Problem, ...] = ()
    missing: tuple[Problem, ...] = ()


def map_headers(
    names: Sequence[str],
    mapping: ColumnMapping | None,
    *,
    source: str,
    location: str,
    places: Sequence[str] | None = None,
) -> Headers:
    """Map a file's headers to canonical columns (and identifiers) through ``mapping``.

    With ``mapping=None`` only the canonical names themselves are recognised (an in-memory
    table). A header that matches nothing is an extra column; a header mapped to ``null`` is
    ignored. Two headers filling one column raise :class:`ValidationError` (``column.duplicate``).
    ``places`` says where each header stands (``"column B"``), for the messages.
    """
    columns: dict[str, str] = {}
    extras: list[str] = []
    left_out: list[Problem] = []
    duplicates: list[Problem] = []
    unmapped: list[Problem] = []
    for number, name in enumerate(names):
        title = name.strip() if isinstance(name, str) else str(name)
        # Deferred: a plugin's place ("column B") is said in the run's language with the rest.
        place = Deferred(" ({place})", None, {"place": places[number]}) if places else ""
        if mapping is None:
            target = Target(column=title, header=title) if title in TARGETS else None
        else:
            target = mapping.target(title)
        if target is None:
            extras.append(name)
            if mapping is not None and key(title) in mapping.accepted:
                continue  # left out on purpose (--ignore-columns): no note
            if mapping is not None and mapping.unmapped == "error":
                unmapped.append(
                    unmapped_problem(title, place, mapping, source=source, location=location)
                )
            left_out.append(
                Problem(
                    code="column.unmapped",
                    message=deferred(
                        "the header {title!r}{place} matches no known column, so the column "
                        'is left out; map it in a mapping file ("columns": {{"{name}": '
                        "COLUMN}}, or null to ignore it)",
                        title=title,
                        place=place,
                        name=title,
                    ),
                    source=source,
                    location=location,
                    column=title,
                )
            )
            continue
        if target.column is None:
            continue
        if target.column in columns:
            duplicates.append(
                Problem(
                    code="column.duplicate",
                    message=deferred(
                        "the headers {first!r} and {second!r} both fill {column!r}; keep one, "
                        "or map the other to null in a mapping file",
                        first=columns[target.column],
                        second=title,
                        column=target.column,
                    ),
                    source=source,
                    location=location,
                    column=title,
                )
            )
            continue
        columns[target.column] = name
    if duplicates:
        raise ValidationError(duplicates, source=source)
    if unmapped and _first_row_is_data(names, len(columns)):
        # The first row holds a person's data, not names: naming its cells would print them.
        unmapped = [_no_header_problem(len(names), source=source, location=location)]
        left_out = list(unmapped)
    missing = (
        missing_problem(name, mapping, source=source, location=location)
        for name in missing_columns(columns, mapping)
    )
    return Headers(
        columns=columns,
        extras=tuple(extras),
        left_out=tuple(left_out),
        unmapped=tuple(unmapped),
        missing=tuple(missing),
    )


def _looks_like_data(title: str) -> bool:
    """A header with a digit or an ``@`` is a date, a number, a CNP or an address, not a name."""
    return any(character.isdigit() for character in title) or "@" in title


def _first_row_is_data(names: Sequence[str], mapped: int) -> bool:
    """Whether a file's header row is in fact a row of data (no header row): most cells match no
    column and some look like values."""
    titles = [str(name).strip() for name in names]
    return mapped * 2 < len(titles) and any(_looks_like_data(title) for title in titles)


def _no_header_problem(count: int, *, source: str, location: str) -> Problem:
    """The one problem of a header row that holds data: it names no cell (they are personal)."""
    return Problem(
        code="column.unmapped",
        message=deferred(
            "the first row ({count} cells) is not a header: most of its cells match no known "
            "column and some look like values, so the file seems to have no header row; add one "
            "(inclusionkit template writes a register with its headers), or map yours with "
            "--mapping FILE",
            count=count,
        ),
        source=source,
        location=location,
    )


def dropped_unmapped(
    headers: Headers, *, keep_extra: bool, columns: Collection[str] | None = None
) -> list[Problem]:
    """The ``column.unmapped`` errors of the headers a read would drop (none with
    ``keep_extra``, which keeps them, but for those a projection, ``columns``, leaves out): an
    importer reading only the mapped columns stops on them as the pipeline does."""
    if not keep_extra:
        return list(headers.unmapped)
    if columns is None:
        return []
    return [problem for problem in headers.unmapped if problem.column not in columns]


def missing_columns(
    filled: Collection[str],
    mapping: ColumnMapping | None,
    *,
    defaults: Mapping[str, Any] | None = None,
) -> list[str]:
    """The required canonical columns not ``filled`` by a header, that no default
    (``project_code=CODE``) stands for and the mapping does not make optional."""
    defaults = defaults or {}
    return [
        column.name
        for column in COLUMNS
        if column.required
        and column.name not in filled
        and defaults.get(column.name) is None
        and (mapping is None or column.name not in mapping.optional)
    ]


def check_headers(names: Sequence[str], *, source: str, location: str = "the header") -> None:
    """Raise the ``column.unmapped`` errors of ``names`` under the current (command's) mapping:
    for a reader that does not go through the pipeline's mapping (a streamed Parquet file)."""
    mapping = current_mapping()
    if mapping.unmapped != "error":
        return
    headers = map_headers(list(names), mapping, source=source, location=location)
    if headers.unmapped:
        raise ValidationError(list(headers.unmapped), source=source)


def missing_problem(
    column: str, mapping: ColumnMapping | None, *, source: str, location: str | None
) -> Problem:
    """The ``column.missing`` problem of a required column no header fills."""
    examples = [] if mapping is None else mapping.headers_for(column)[:3]
    hint = (
        deferred(" (a header such as {headers})", headers=", ".join(map(repr, examples)))
        if examples
        else ""
    )
    extra = deferred(", or pass project_code=CODE") if column == "project_code" else ""
    return Problem(
        code="column.missing",
        message=deferred(
            "the canonical column {column!r} is missing{hint}; add it or map yours in a "
            "mapping file{extra}",
            column=column,
            hint=hint,
            extra=extra,
        ),
        source=source,
        location=location,
        column=column,
    )


def value_words(mapping: ColumnMapping | None, header: str, column: str) -> dict[str, Any]:
    """The texts (as :func:`key` s) a column's cells may hold, with the value each stands for."""
    words: dict[str, Any] = dict(BOOLEAN_WORDS) if column in BOOL_COLUMNS else {}
    if mapping is not None:
        words.update(mapping.value_map(header, column))
    known = KNOWN_VALUES.get(column)
    if known is not None:
        words.update({key(value): value for value in known if key(value) not in words})
    return words


def map_text(
    text: str, column: str, words: Mapping[str, Any], *, regions: bool
) -> tuple[Any, bool]:
    """The value a (clean, non-empty) cell text stands for, and whether it was recognised.

    Free-text columns (ids, codes, partners) and dates come back as they are; a region name or
    code (``Sud-Muntenia``, ``ro31``) becomes its NUTS-2 code when ``regions``.
    """
    if not words and not (column == "region" and regions):
        return text, True
    cell_key = key(text)
    if cell_key in words:
        return words[cell_key], True
    if column == "region":
        try:
            return region(text).code, True
        except RomanianCodeError:
            return text, False
    return text, column not in KNOWN_VALUES
