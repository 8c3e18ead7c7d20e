"""The participation table: canonical columns and dtypes, reading CSV/Parquet, object conversion.

The contract is ``shared/reference/participation-table.md`` (``docs/participations.md``). Reading
is vectorised through pyarrow: the typed fast path parses the whole file in C; only if it fails
is the file re-read as text to name every bad cell (line, column, reason), so a clean file never
pays for error reporting and a dirty one is reported completely.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit.models import Beneficiary, Gender, LabourStatus, Participation

ColumnKind = Literal["string", "date", "bool", "int"]


@attrs.frozen(kw_only=True)
class Column:
    """One canonical column of the participation table."""

    name: str
    kind: ColumnKind
    required: bool = False
    sensitive: bool = False
    values: tuple[str, ...] = ()
    description: str = ""


def _bools(*names_and_descriptions: tuple[str, str], sensitive: bool = False) -> list[Column]:
    return [
        Column(name=name, kind="bool", sensitive=sensitive, description=description)
        for name, description in names_and_descriptions
    ]


COLUMNS: tuple[Column, ...] = (
    Column(
        name="participant_id", kind="string", required=True, description="pseudonymous person id"
    ),
    Column(name="project_code", kind="string", required=True, description="the operation's code"),
    Column(name="gender", kind="string", required=True, values=tuple(Gender), description="gender"),
    Column(name="birth_date", kind="date", required=True, description="date of birth"),
    Column(name="entry_date", kind="date", required=True, description="first day of participation"),
    Column(name="exit_date", kind="date", description="last day; empty while still in"),
    Column(
        name="labour_status",
        kind="string",
        required=True,
        values=tuple(LabourStatus),
        description="labour-market status at entry",
    ),
    Column(name="isced", kind="int", required=True, description="ISCED 2011 level at entry, 0-8"),
    *_bools(
        ("jobless_household", "lives in a jobless household"),
        ("dependent_children", "household has dependent children"),
        ("single_adult_household", "lives in a single-adult household"),
    ),
    *_bools(
        ("minority", "minority, including marginalised communities such as the Roma"),
        ("migrant", "migrant"),
        ("foreign_background", "foreign background"),
        sensitive=True,
    ),
    *_bools(("third_country_national", "not a citizen of an EU member state")),
    *_bools(
        ("disability", "participant with disabilities"),
        ("other_disadvantaged", "other disadvantaged"),
        sensitive=True,
    ),
    *_bools(
        ("homeless", "homeless or affected by housing exclusion"),
        ("rural", "lives in a rural area"),
        ("job_searching_at_exit", "engaged in job searching upon leaving"),
        ("education_at_exit", "in education or training upon leaving"),
        ("qualification_at_exit", "gained a qualification upon leaving"),
        ("employed_at_exit", "in employment, including self-employment, upon leaving"),
        ("employed_6m", "in employment six months after leaving"),
        ("improved_situation_6m", "improved labour market situation six months after leaving"),
    ),
    Column(name="region", kind="string", description="NUTS-2 code of residence at entry"),
    Column(name="partner", kind="string", description="the organisation that enrolled the person"),
)
"""The canonical columns, in canonical order."""

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
SENSITIVE_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.sensitive)
BOOL_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "bool")
DATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "date")
STRING_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "string")

STRING_DTYPE = pd.StringDtype("pyarrow")
DATE_DTYPE = np.dtype("datetime64[s]")
_PANDAS_DTYPES: dict[ColumnKind, Any] = {
    "string": STRING_DTYPE,
    "date": DATE_DTYPE,
    "bool": pd.BooleanDtype(),
    "int": pd.Int8Dtype(),
}
_ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "string": pa.string(),
    "date": pa.timestamp("s"),
    "bool": pa.bool_(),
    "int": pa.int8(),
}
DTYPES: dict[str, Any] = {c.name: _PANDAS_DTYPES[c.kind] for c in COLUMNS}
"""The canonical pandas dtype of every column."""

TRUE_VALUES = ["true", "True", "TRUE", "1", "yes", "da", "Da", "DA"]
FALSE_VALUES = ["false", "False", "FALSE", "0", "no", "nu", "Nu", "NU"]

OnError = Literal["raise", "coerce"]


def _check_columns(present: Iterable[str], source: str | None, location: str | None = None) -> None:
    """Raise one :class:`ValidationError` naming every canonical column missing from ``present``."""
    have = set(present)
    missing = [name for name in COLUMN_NAMES if name not in have]
    if missing:
        raise ValidationError(
            [
                Problem(
                    code="column.missing",
                    message=f"the canonical column {name!r} is missing",
                    source=source,
                    location=location,
                    column=name,
                )
                for name in missing
            ],
            source=source,
        )


def empty_table() -> pd.DataFrame:
    """An empty participation table with the canonical columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=DTYPES[c.name]) for c in COLUMNS})


def read_participations(
    path: str | os.PathLike[str],
    *,
    keep_extra: bool = False,
    on_error: OnError = "raise",
) -> pd.DataFrame:
    """Read a participation table from CSV or Parquet into the canonical columns and dtypes.

    CSV may be UTF-8 with or without a BOM, ``,`` or ``;`` separated, with ISO or ``DD.MM.YYYY``
    dates and ``true``/``false`` (also ``1``/``0``, ``da``/``nu``) booleans; an empty cell is
    unknown. Columns beyond the canonical ones (a CNP, names) are dropped unless ``keep_extra``.

    With ``on_error="raise"`` (the default) a cell that cannot be parsed raises
    :class:`ValidationError` naming every such cell by line and column; with ``"coerce"`` it becomes
    unknown (missing) instead. Invalid *values* of the right type (an unknown labour status) are
    kept: they make a participation incomplete, which the indicator report lists.
    """
    from inclusionkit._limits import check_size

    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    if not Path(source).exists():
        raise InclusionKitError(f"{source}: no such file")
    check_size(source, "table")
    if suffix == ".parquet":
        table = _read_parquet(source)
        return from_arrow(table, source=source, keep_extra=keep_extra, on_error=on_error)
    if suffix in {".csv", ".txt"}:
        return _read_csv(source, keep_extra=keep_extra, on_error=on_error)
    raise InclusionKitError(
        f"{source}: cannot tell the format from the extension {suffix or '(none)'!r}; "
        "use .csv or .parquet"
    )


def _read_parquet(source: str) -> pa.Table:
    try:
        return pq.read_table(source)
    except (pa.ArrowException, OSError) as exc:
        raise InclusionKitError(f"{source}: not a readable Parquet file ({exc})") from None


def _sniff_delimiter(head: bytes) -> str:
    first_line = head.split(b"\n", 1)[0]
    return ";" if first_line.count(b";") > first_line.count(b",") else ","


def _read_csv(source: str, *, keep_extra: bool, on_error: OnError) -> pd.DataFrame:
    with open(source, "rb") as handle:
        head = handle.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may cut a multi-byte character at its end; only complain about real damage.
        if exc.start < len(head) - 4:
            raise InclusionKitError(
                f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV and retry"
            ) from None
    delimiter = _sniff_delimiter(head.removeprefix(b"\xef\xbb\xbf"))
    parse = pacsv.ParseOptions(delimiter=delimiter)
    read = pacsv.ReadOptions(use_threads=True, block_size=1 << 24)
    header = _csv_header(source, read, parse)
    _check_columns(header, source, location="line 1")
    # Dates are read as text and parsed strictly afterwards (Arrow's parsers accept 30 February).
    typed = {c.name: pa.string() if c.kind == "date" else _ARROW_TYPES[c.kind] for c in COLUMNS}
    convert = pacsv.ConvertOptions(
        column_types={
            **{name: pa.string() for name in header if name not in typed},
            **typed,
        },
        true_values=TRUE_VALUES,
        false_values=FALSE_VALUES,
        null_values=[""],
        strings_can_be_null=True,
    )
    try:
        table = pacsv.read_csv(
            source, read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid:
        # Some cell does not parse: re-read everything as text to say exactly which ones.
        text_convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            null_values=[""],
            strings_can_be_null=True,
        )
        try:
            raw = pacsv.read_csv(
                source, read_options=read, parse_options=parse, convert_options=text_convert
            )
        except pa.ArrowInvalid as exc:
            raise InclusionKitError(f"{source}: not a well-formed CSV file ({exc})") from None
        frame, problems = _parse_text_frame(raw.to_pandas(types_mapper=_string_mapper), source)
        if problems and on_error == "raise":
            raise ValidationError(problems, source=source) from None
        return _canonical_order(frame, keep_extra=keep_extra)
    return from_arrow(table, source=source, keep_extra=keep_extra, on_error=on_error)


def _csv_header(source: str, read: pacsv.ReadOptions, parse: pacsv.ParseOptions) -> list[str]:
    import csv

    # Only the first line is needed; asking Arrow would parse a whole 16 MB block.
    try:
        with open(source, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError as exc:
        raise InclusionKitError(
            f"{source}: the header is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    try:
        names = next(csv.reader([first], delimiter=parse.delimiter))
    except (StopIteration, csv.Error) as exc:
        raise InclusionKitError(f"{source}: no header row ({exc or 'the file is empty'})") from None
    return [name.strip() for name in names]


def _string_mapper(arrow_type: pa.DataType) -> Any:
    return STRING_DTYPE if pa.types.is_string(arrow_type) else None


def _arrow_mapper(arrow_type: pa.DataType) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return STRING_DTYPE
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_int8(arrow_type):
        return pd.Int8Dtype()
    return None


def from_arrow(
    table: pa.Table,
    *,
    source: str | None = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
) -> pd.DataFrame:
    """Convert an Arrow table (from Parquet or CSV) to a canonical participation table."""
    _check_columns(table.column_names, source)
    columns = {}
    needs_text_parse = []
    date_problems: list[Problem] = []
    for column in COLUMNS:
        array = table.column(column.name)
        wanted = _ARROW_TYPES[column.kind]
        if array.type == wanted:
            columns[column.name] = array
            continue
        is_text = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
        if column.kind == "date" and is_text:
            columns[column.name], bad = strict_arrow_dates(array)
            if bad.any():
                date_problems += _cell_problems(
                    pd.Series(array.to_pandas(), dtype=object)[bad], column, source
                )
            continue
        try:
            if pa.types.is_date(array.type) or pa.types.is_timestamp(array.type):
                columns[column.name] = array.cast(pa.timestamp("s"))
            elif pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                needs_text_parse.append(column.name)
                columns[column.name] = array.cast(pa.string())
            else:
                columns[column.name] = array.cast(wanted)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            needs_text_parse.append(column.name)
            columns[column.name] = array.cast(pa.string())
    extras = {}
    if keep_extra:
        extras = {
            name: table.column(name) for name in table.column_names if name not in COLUMN_NAMES
        }
    typed = pa.table({**columns, **extras})
    frame = typed.to_pandas(types_mapper=_arrow_mapper)
    problems = date_problems
    if needs_text_parse:
        frame, text_problems = _parse_text_frame(frame, source, only=needs_text_parse)
        problems = problems + text_problems
    if problems and on_error == "raise":
        raise ValidationError(sorted(problems, key=_problem_order), source=source)
    return _canonical_order(frame, keep_extra=keep_extra)


def _problem_order(problem: Problem) -> tuple[int, int]:
    number = (problem.location or "0").rsplit(" ", 1)[-1]
    return (int(number) if number.isdigit() else 0, COLUMN_NAMES.index(problem.column or ""))


def strict_arrow_dates(array: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Parse ISO or ``D.M.YYYY`` text to ``timestamp[s]`` in Arrow, strictly and vectorised.

    Returns the parsed array (null where the text is empty or invalid) and a boolean mask of the
    cells that had text but no valid date. Arrow's ``strptime`` rolls impossible days over into
    the next month (``2014-02-30`` becomes 2 March), so the day written must equal the day parsed.
    """
    import pyarrow.compute as pc

    try:
        # Clean ISO dates (the common case): Arrow's cast is strict and several times faster.
        typed = pc.cast(array, pa.timestamp("s"))
        typed = typed.combine_chunks() if isinstance(typed, pa.ChunkedArray) else typed
        return typed, np.zeros(len(typed), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # One chunk: pyarrow 26 crashes on some temporal kernels over multi-chunk arrays.
    text = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    written = pc.utf8_slice_codeunits(text, 8, 10)
    if parsed.null_count > text.null_count:
        # Some cells are not ISO: try the Romanian spelling on those (day before the first dot).
        trimmed = pc.utf8_trim_whitespace(text)
        dotted = pc.strptime(trimmed, format="%d.%m.%Y", unit="s", error_is_null=True)
        day_part = pc.split_pattern(trimmed, pattern=".", max_splits=1)
        dotted_day = pc.list_element(day_part, 0)
        use_dotted = pc.and_(pc.is_null(parsed), pc.is_valid(dotted))
        parsed = pc.if_else(use_dotted, dotted, parsed)
        written = pc.if_else(use_dotted, dotted_day, written)
    # Only one or two digits name a day ("2015-01- 3" parses, but its day text is not a number).
    digits = pc.fill_null(pc.match_substring_regex(written, r"^[0-9]{1,2}$"), False)
    usable = pc.and_(pc.is_valid(parsed), digits)
    written_day = pc.cast(pc.if_else(usable, written, None), pa.int64())
    good = pc.fill_null(pc.equal(written_day, pc.day(parsed)), False)
    result = pc.if_else(good, parsed, pa.scalar(None, pa.timestamp("s")))
    bad = pc.and_(pc.is_valid(text), pc.invert(good))
    return result, bad.to_numpy(zero_copy_only=False)


def _cell_problems(values: pd.Series, column: Column, source: str | None) -> list[Problem]:
    return [
        Problem(
            code=f"cell.{column.kind}",
            message=f"{value!r} is not a valid {_KIND_WORDS[column.kind]}",
            source=source,
            location=_row_location(index, source),
            column=column.name,
        )
        for index, value in values.items()
    ]


def normalise_participations(
    frame: pd.DataFrame,
    *,
    source: str | None = None,
    keep_extra: bool = False,
    on_error: OnError = "raise",
) -> pd.DataFrame:
    """Turn a frame with the canonical column names (text or typed cells) into canonical form.

    For importers: after mapping a file's headers to canonical names, this parses text cells
    (ISO or ``DD.MM.YYYY`` dates, ``true``/``da``/``1`` booleans, whole numbers) vectorised and
    casts every column to its canonical dtype. Cells that do not parse raise
    :class:`ValidationError` naming each (row or line, column) unless ``on_error="coerce"``.
    """
    _check_columns(frame.columns, source)
    frame = frame.reset_index(drop=True)
    untyped = [name for name in COLUMN_NAMES if frame[name].dtype != DTYPES[name]]
    parsed, problems = _parse_text_frame(frame, source, only=untyped)
    if problems and on_error == "raise":
        raise ValidationError(problems, source=source)
    return _canonical_order(parsed, keep_extra=keep_extra)


def _parse_text_frame(
    frame: pd.DataFrame, source: str | None, only: Iterable[str] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse text columns into canonical dtypes, vectorised, listing every cell that fails."""
    names = set(only) if only is not None else set(COLUMN_NAMES)
    problems: list[Problem] = []
    out = frame.copy()
    for column in COLUMNS:
        if column.name not in names:
            continue
        values = frame[column.name]
        if column.kind != "string" and _already_typed(values, column.kind):
            out[column.name] = _cast_typed(values, column.kind)
            continue
        text = _as_text(values)
        if column.kind == "string":
            out[column.name] = text
            continue
        if column.kind == "date":
            parsed = parse_dates(text)
        elif column.kind == "bool":
            parsed = parse_booleans(text)
        else:
            number = pd.to_numeric(text, errors="coerce")
            integral = number.notna() & (number % 1 == 0) & number.between(-128, 127)
            parsed = number.where(integral).astype("Int8")
        bad = text.notna() & parsed.isna()
        problems += _cell_problems(text[bad], column, source)
        out[column.name] = parsed
    return out, problems


def _already_typed(values: pd.Series, kind: ColumnKind) -> bool:
    if kind == "date":
        return bool(pd.api.types.is_datetime64_any_dtype(values.dtype))
    if kind == "bool":
        return bool(pd.api.types.is_bool_dtype(values.dtype))
    return bool(pd.api.types.is_integer_dtype(values.dtype))


def _cast_typed(values: pd.Series, kind: ColumnKind) -> pd.Series:
    if kind == "date":
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        return values.dt.floor("D").astype(DATE_DTYPE)
    return values.astype(_PANDAS_DTYPES[kind])


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; dates and numbers that a spreadsheet typed are written as text."""
    if values.dtype == object:
        # Spreadsheet readers mix typed cells (datetime, float) with text in one column.
        values = values.map(_cell_text, na_action="ignore")
    text = values.astype(STRING_DTYPE).str.strip()
    return text.mask(text == "")


def _cell_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


_KIND_WORDS = {
    "date": "date (expected YYYY-MM-DD or DD.MM.YYYY)",
    "bool": "boolean (expected true/false, 1/0 or da/nu)",
    "int": "whole number",
}


def _row_location(index: Any, source: str | None) -> str:
    # In a file the header is line 1, so data row i (0-based) is line i + 2.
    return f"line {int(index) + 2}" if source else f"row {index}"


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse ISO ``YYYY-MM-DD`` or Romanian ``DD.MM.YYYY`` strings; anything else becomes NaT."""
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    dotted = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    return iso.fillna(dotted).astype(DATE_DTYPE)


_BOOL_WORDS = dict.fromkeys(TRUE_VALUES, True) | dict.fromkeys(FALSE_VALUES, False)


def parse_booleans(text: pd.Series) -> pd.Series:
    """Parse ``true``/``false``, ``1``/``0``, ``yes``/``no``, ``da``/``nu``; others become NA."""
    return text.map(_BOOL_WORDS, na_action="ignore").astype("boolean")


def _canonical_order(frame: pd.DataFrame, *, keep_extra: bool) -> pd.DataFrame:
    extras = [name for name in frame.columns if name not in COLUMN_NAMES] if keep_extra else []
    out = frame[[*COLUMN_NAMES, *extras]]
    out = out.astype({name: DTYPES[name] for name in COLUMN_NAMES})
    return out.reset_index(drop=True)


def write_participations(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the canonical columns of a participation table to CSV or Parquet, atomically.

    Extra columns (identifiers) are never written: personal data leaves only on request.
    """
    from inclusionkit._atomic import atomic_path

    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    table = frame[list(COLUMN_NAMES)]
    with atomic_path(source) as tmp:
        if suffix == ".parquet":
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            arrow = arrow.cast(
                pa.schema([pa.field(c.name, _parquet_type(c.kind)) for c in COLUMNS])
            )
            pq.write_table(arrow, tmp, row_group_size=122_880)
        elif suffix == ".csv":
            out = table.copy()
            for name in DATE_COLUMNS:
                out[name] = out[name].dt.strftime("%Y-%m-%d")
            for name in BOOL_COLUMNS:
                out[name] = out[name].map({True: "true", False: "false"}, na_action="ignore")
            out.to_csv(tmp, index=False, lineterminator="\n", quoting=csv_quoting(out))
        else:
            raise InclusionKitError(
                f"{source}: cannot write {suffix or 'no extension'!r}; use .csv or .parquet"
            )


def csv_quoting(frame: pd.DataFrame) -> int:
    """``QUOTE_ALL`` when a text cell holds a carriage return, else ``QUOTE_MINIMAL``.

    Python's csv writer quotes a cell with a line feed but not one with a lone carriage return
    (the line terminator is "\\n"), which every reader then takes for the end of a row: a cell
    from an old Mac or a hostile file would split its row in two.
    """
    import csv

    for column in frame.columns:
        values = frame[column]
        if isinstance(values, pd.Series) and pd.api.types.is_string_dtype(values.dtype):
            texts = values.astype("string") if values.dtype == object else values
            if bool(texts.str.contains("\r", regex=False).fillna(False).any()):
                return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL


def _parquet_type(kind: ColumnKind) -> pa.DataType:
    return pa.date32() if kind == "date" else _ARROW_TYPES[kind]


def participations_to_table(participations: Iterable[Participation]) -> pd.DataFrame:
    """Build the canonical participation table from :class:`Participation` objects."""
    from inclusionkit._convert import unstructure

    rows = []
    for participation in participations:
        row = {
            name: getattr(participation, name)
            for name in COLUMN_NAMES
            if name not in {"participant_id", "gender", "birth_date"}
        }
        person = participation.beneficiary
        row.update(
            participant_id=person.participant_id,
            gender=None if person.gender is None else unstructure(person.gender),
            birth_date=person.birth_date,
        )
        row["labour_status"] = (
            None if participation.labour_status is None else str(participation.labour_status)
        )
        rows.append(row)
    if not rows:
        return empty_table()
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMN_NAMES))
    for name in DATE_COLUMNS:
        frame[name] = pd.to_datetime(frame[name])
    return frame.astype(DTYPES)


def participations_from_table(frame: pd.DataFrame) -> list[Participation]:
    """Build :class:`Participation` objects from a canonical table (one per row).

    Raises :class:`ValidationError` naming every row whose values do not fit the model (an
    unknown gender, an exit before the entry).
    """
    records = (
        frame[list(COLUMN_NAMES)].astype(object).where(frame[list(COLUMN_NAMES)].notna(), None)
    )
    out: list[Participation] = []
    problems: list[Problem] = []
    for index, record in zip(records.index, records.to_dict("records"), strict=True):
        try:
            out.append(_participation(record))
        except (ValueError, KeyError) as exc:
            problems.append(Problem(code="row.invalid", message=str(exc), location=f"row {index}"))
    if problems:
        raise ValidationError(problems)
    return out


def _participation(record: Mapping[str, Any]) -> Participation:
    def date(value: Any) -> dt.date | None:
        return None if value is None else pd.Timestamp(value).date()

    fields = {
        name: record[name]
        for name in COLUMN_NAMES
        if name not in {"participant_id", "gender", "birth_date"} | set(DATE_COLUMNS)
    }
    fields["entry_date"] = date(record["entry_date"])
    fields["exit_date"] = date(record["exit_date"])
    fields["labour_status"] = (
        None if record["labour_status"] is None else LabourStatus(record["labour_status"])
    )
    fields["isced"] = None if record["isced"] is None else int(record["isced"])
    for name in BOOL_COLUMNS:
        fields[name] = None if record[name] is None else bool(record[name])
    beneficiary = Beneficiary(
        participant_id=record["participant_id"],
        gender=None if record["gender"] is None else Gender(record["gender"]),
        birth_date=date(record["birth_date"]),
    )
    return Participation(beneficiary=beneficiary, **fields)
