"""The participation table's contract: canonical columns, their kinds and dtypes.

The contract is ``shared/reference/participation-table.md`` (``docs/participations.md``). This
module holds only the definitions every reader and writer shares; reading is the ingestion
pipeline (:mod:`inclusionkit._ingest`), writing and object conversion are in
:mod:`inclusionkit._participations`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._errors import Problem, ValidationError
from inclusionkit._pandas import pd
from inclusionkit.models import Gender, LabourStatus

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
        ("roma", "of Roma ethnicity (a minority: CO15 and EECO15 count it as they count minority)"),
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
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
"""The columns a participation table cannot lack; an optional column it lacks is unknown."""
BOOL_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "bool")
DATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "date")
STRING_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "string")

DATE_DTYPE = np.dtype("datetime64[s]")
ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "int": pa.int8(),
}

# The pandas dtypes are made when first asked for (``__getattr__`` below): making them imports
# pandas, which a module importing this one may never need (inclusionkit._pandas).
PANDAS_NAMES = ("STRING_DTYPE", "PANDAS_DTYPES", "DTYPES")
"""This module's names that are pandas objects, made on first use."""
if TYPE_CHECKING:
    STRING_DTYPE: pd.StringDtype
    """The canonical dtype of a text column: pandas' string dtype stored in Arrow."""
    PANDAS_DTYPES: dict[ColumnKind, Any]
    """The canonical pandas dtype of each kind of column."""
    DTYPES: dict[str, Any]
    """The canonical pandas dtype of every column."""


def __getattr__(name: str) -> Any:
    """:data:`PANDAS_NAMES`, made (once) when first looked up."""
    if name not in PANDAS_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in globals():  # made already (this module's own functions call this directly)
        return globals()[name]
    string = pd.StringDtype("pyarrow")
    kinds: dict[ColumnKind, Any] = {
        "string": string,
        "date": DATE_DTYPE,
        "bool": pd.BooleanDtype(),
        "int": pd.Int8Dtype(),
    }
    made = {
        "STRING_DTYPE": string,
        "PANDAS_DTYPES": kinds,
        "DTYPES": {c.name: kinds[c.kind] for c in COLUMNS},
    }
    # setdefault: threads asking at once all get the first one's objects
    return {key: globals().setdefault(key, value) for key, value in made.items()}[name]


PERSONAL_COLUMNS: frozenset[str] = frozenset(
    {"participant_id", "birth_date", *(c.name for c in COLUMNS if c.sensitive)}
)
"""Columns whose cell values are never quoted in a message (an id, a birth date, sensitive data)."""

TRUE_VALUES = ["true", "True", "TRUE", "1", "yes", "da", "Da", "DA"]
FALSE_VALUES = ["false", "False", "FALSE", "0", "no", "nu", "Nu", "NU"]

OnError = Literal["raise", "coerce"]


def check_columns(present: Iterable[str], source: str | None, location: str | None = None) -> None:
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
    return pd.DataFrame(
        {c.name: pd.Series([], dtype=__getattr__("DTYPES")[c.name]) for c in COLUMNS}
    )
