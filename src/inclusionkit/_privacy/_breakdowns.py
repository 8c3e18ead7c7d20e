"""Which breakdowns a published report may have: never one row per person.

A breakdown by an identifier (``participant_id``, a CNP, a name, an e-mail, an address) or by a
column of nearly one value per person (a birth date, an entry or exit date) publishes one row per
person, whatever the suppression: its labels are the identifiers. The command line refuses those
and any column the participation contract does not define (a register's own columns are
unknown: they may be identifiers) unless the user names it with ``--allow-by COLUMN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from inclusionkit._contract import COLUMN_NAMES
from inclusionkit._errors import InclusionKitError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "PER_PERSON_COLUMNS",
    "check_breakdown_values",
    "check_publishable_breakdowns",
]

PER_PERSON_COLUMNS: frozenset[str] = frozenset(
    {"participant_id", "birth_date", "entry_date", "exit_date"}
)
"""Contract columns of (nearly) one value per person: never a breakdown of a published table."""


def check_publishable_breakdowns(by: Sequence[str], allowed: Iterable[str] = ()) -> None:
    """Raise :class:`InclusionKitError` for a breakdown that would publish one row per person.

    ``by`` are the breakdown names; the contract's categorical columns and the derived
    breakdowns (``age_band``, ``entry_year`` …, any name that is not a column here and that the
    engine checks) pass. A per-person contract column and a name of the report's own columns
    (``OUTPUT_COLUMNS`` of the engine's grouping) are refused always; any other column not in
    the contract is refused unless it is in ``allowed``.
    """
    from inclusionkit._rules._grouping import DERIVED_BREAKDOWNS, check_not_output_columns
    from inclusionkit._rules._partition import FLOW_BREAKDOWNS

    permitted = set(allowed)
    check_not_output_columns(by)
    for name in by:
        if name in PER_PERSON_COLUMNS:
            raise InclusionKitError(
                f"--by {name}: a breakdown by {name!r} publishes one row per person; break down "
                "by a category instead (age_band, entry_year, gender, region …)"
            )
        known = name in COLUMN_NAMES or name in DERIVED_BREAKDOWNS or name in FLOW_BREAKDOWNS
        if not known and name not in permitted:
            raise InclusionKitError(
                f"cannot break down by {name!r}: not a column of the participation contract, so "
                "it may identify people (a CNP, a name, an address); if it is a category of the "
                f"table, allow it with --allow-by {name}"
            )


def check_breakdown_values(frame: pd.DataFrame | pa.Table | str, by: Sequence[str]) -> None:
    """Refuse a breakdown column of more distinct values than the ``breakdown`` limit
    (``INCLUSIONKIT_MAX_BREAKDOWN_VALUES``, :mod:`inclusionkit._limits`), before computing.

    ``frame`` is a pandas or typed Arrow table, or the path of a Parquet file or directory (what
    the streaming engine reads):
    then only the columns outside the contract are read, one at a time. A breakdown by a column
    of one value per person (an allowed column that is in fact an id)
    would build a table as long as the register and publish it; counting its distinct values is
    one pass over one column.
    """
    from inclusionkit._limits import limit, too_many

    allowed = limit("breakdown")
    if isinstance(frame, str):
        _check_parquet_breakdowns(frame, by, allowed)
        return
    names = frame.column_names if hasattr(frame, "column_names") else frame.columns
    for name in by:
        if name not in names:
            continue  # derived (age_band …) or unknown: the engine says so
        count = _distinct_count(frame, name)
        if count > allowed:
            # So many values publish (nearly) one row per person, and cost a table as long.
            raise too_many(f"--by {name}", count, "breakdown")


def _distinct_count(frame: pd.DataFrame | pa.Table, name: str) -> int:
    """How many distinct values column ``name`` of a pandas or Arrow table holds (missing not
    counted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(frame, pa.Table):
        return int(frame[name].nunique(dropna=True))
    column = frame.column(name)
    if pa.types.is_dictionary(column.type):
        # A dictionary may hold values no row has, or one value twice: the rows' own values.
        column = pc.unique(column.unify_dictionaries())
        column = column.cast(column.type.value_type)
    return int(pc.count_distinct(column, mode="only_valid").as_py())


def _check_parquet_breakdowns(path: str, by: Sequence[str], allowed: int) -> None:
    extras = [name for name in by if name not in COLUMN_NAMES]
    if not extras:
        return  # the contract's categories have few values
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds  # only here: its import costs a report that needs none

    from inclusionkit._limits import too_many

    try:
        dataset = ds.dataset(path, format="parquet")
    except (pa.ArrowException, OSError, ValueError):
        return  # not a readable dataset: the engine says why
    for name in extras:
        if name not in dataset.schema.names:
            continue
        column = dataset.to_table(columns=[name]).column(name)
        count = int(pc.count_distinct(column).as_py())
        if count > allowed:
            raise too_many(f"--by {name}", count, "breakdown")
