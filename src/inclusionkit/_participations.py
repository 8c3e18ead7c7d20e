"""The participation table: its contract, reading, writing, and conversion to and from objects.

The contract is ``shared/reference/participation-table.md`` (``docs/participations.md``); its
columns and dtypes are defined in :mod:`inclusionkit._contract`. Reading is the ingestion pipeline
(:mod:`inclusionkit._ingest`): :func:`read_participations` is its public entry point, and every
other door (``inclusionkit.read``, ``compute(path)``, the command line, the engines) goes through
it. Writing is vectorised too (CSV or Parquet, canonical columns only).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from inclusionkit import _contract
from inclusionkit._contract import (
    ARROW_TYPES,
    BOOL_COLUMNS,
    COLUMN_NAMES,
    COLUMNS,
    DATE_COLUMNS,
    DATE_DTYPE,
    FALSE_VALUES,
    PERSONAL_COLUMNS,
    SENSITIVE_COLUMNS,
    STRING_COLUMNS,
    TRUE_VALUES,
    Column,
    ColumnKind,
    OnError,
    empty_table,
)
from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._ingest import (
    MappingArg,
    from_arrow,
    ingest,
    normalise_participations,
    parse_booleans,
    parse_dates,
    strict_arrow_dates,
)
from inclusionkit._pandas import pd
from inclusionkit._sanitise import csv_quoting, frame_to_csv
from inclusionkit.models import Beneficiary, Gender, LabourStatus, Participation

__all__ = [
    "BOOL_COLUMNS",
    "COLUMNS",
    "COLUMN_NAMES",
    "DATE_COLUMNS",
    "DATE_DTYPE",
    "DTYPES",
    "FALSE_VALUES",
    "PERSONAL_COLUMNS",
    "SENSITIVE_COLUMNS",
    "STRING_COLUMNS",
    "STRING_DTYPE",
    "TRUE_VALUES",
    "Column",
    "ColumnKind",
    "OnError",
    "csv_quoting",
    "empty_table",
    "from_arrow",
    "normalise_participations",
    "parse_booleans",
    "parse_dates",
    "participations_from_table",
    "participations_to_table",
    "read_participations",
    "strict_arrow_dates",
    "with_optional_columns",
    "write_participations",
]

if TYPE_CHECKING:
    from inclusionkit._contract import DTYPES, STRING_DTYPE


def __getattr__(name: str) -> Any:
    """The contract's pandas dtypes (``DTYPES``, ``STRING_DTYPE``), made on first use."""
    if name in _contract.PANDAS_NAMES:
        return getattr(_contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_participations(
    path: str | os.PathLike[str] | Any,
    *,
    keep_extra: bool = False,
    on_error: OnError = "raise",
    mapping: MappingArg = None,
    format: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read a participation table, in any registered format, into the canonical table.

    The one entry point of the ingestion pipeline (``docs/participations.md``): the format is
    told by ``format=``, the extension or the content (CSV, Parquet, JSON, and a plugin's such as
    ``xlsx``); CSV may be UTF-8 with or without a BOM, Windows-1250 or ISO-8859-2, ``,`` or ``;``
    separated (or as Excel's ``sep=;`` line says). Headers and values are mapped (Romanian and
    English headers, ``F``/``M``, ``Da``/``Nu``, ``ISCED 3``, region names; plus a ``mapping``
    file's own), text is trimmed, cedilla letters become comma-below ones, formula quoting
    (``'=``) is undone, dates (ISO or ``DD.MM.YYYY``), booleans and numbers are parsed. Columns
    beyond the canonical ones (a CNP, names) are dropped unless ``keep_extra``; an optional
    column the file lacks is unknown in every row.

    With ``on_error="raise"`` (the default) a cell that cannot be parsed raises
    :class:`ValidationError` naming every such cell by its place in the file and its column; with
    ``"coerce"`` it becomes unknown instead and ``DataFrame.attrs`` lists the rows that lost a
    cell. Invalid *values* of the right type (an unknown labour status) are kept: they make a
    participation incomplete, which :func:`inclusionkit.validate_participations` and the report
    list. Other ``options`` go to the format's importer (``sheet=`` for a workbook, …).
    """
    return ingest(
        path, format, mapping=mapping, keep_extra=keep_extra, on_error=on_error, **options
    )


def with_optional_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every optional canonical column it lacks added, empty (unknown)."""
    absent = [c.name for c in COLUMNS if not c.required and c.name not in frame.columns]
    if not absent:
        return frame
    return frame.assign(
        **{
            name: pd.Series(pd.NA, index=frame.index, dtype=_contract.DTYPES[name])
            for name in absent
        }
    )


def write_participations(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the canonical columns of a participation table to CSV or Parquet, atomically.

    Extra columns (identifiers) are never written: personal data leaves only on request. An
    optional column the frame lacks (a table older than ``roma``) is written empty: unknown.
    """
    from inclusionkit._atomic import atomic_path

    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    table = with_optional_columns(frame)[list(COLUMN_NAMES)]
    with atomic_path(source, private=True) as tmp:
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
            frame_to_csv(out, tmp)  # formula-like text quoted, as every CSV written
        else:
            raise InclusionKitError(
                f"{source}: cannot write {suffix or 'no extension'!r}; use .csv or .parquet"
            )


def _parquet_type(kind: ColumnKind) -> pa.DataType:
    return pa.date32() if kind == "date" else ARROW_TYPES[kind]


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
    return frame.astype(_contract.DTYPES)


def participations_from_table(frame: pd.DataFrame) -> list[Participation]:
    """Build :class:`Participation` objects from a canonical table (one per row).

    Raises :class:`ValidationError` naming every row whose values do not fit the model (an
    unknown gender, an exit before the entry).
    """
    table = with_optional_columns(frame)[list(COLUMN_NAMES)]
    records = table.astype(object).where(table.notna(), None)
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
