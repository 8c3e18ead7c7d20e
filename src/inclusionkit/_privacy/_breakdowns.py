"""Which breakdowns a published report may have: never one row per person.

A breakdown by an identifier (``participant_id``, a CNP, a name, an e-mail, an address) or by a
column of nearly one value per person (a birth date, an entry or exit date) publishes one row per
person, whatever the suppression: its labels are the identifiers. The command line refuses those
and any column the participation contract does not define (a register's own columns are
unknown: they may be identifiers) unless the user names it with ``--allow-by COLUMN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inclusionkit._contract import COLUMN_NAMES
from inclusionkit._errors import InclusionKitError

__all__ = ["OUTPUT_COLUMNS", "PER_PERSON_COLUMNS", "check_publishable_breakdowns"]

PER_PERSON_COLUMNS: frozenset[str] = frozenset(
    {"participant_id", "birth_date", "entry_date", "exit_date"}
)
"""Contract columns of (nearly) one value per person: never a breakdown of a published table."""


OUTPUT_COLUMNS: frozenset[str] = frozenset({"indicator", "value", "suppressed", "status", "name"})
"""Columns of the published table itself: a breakdown of that name would clash with them."""


def check_publishable_breakdowns(by: Sequence[str], allowed: Iterable[str] = ()) -> None:
    """Raise :class:`InclusionKitError` for a breakdown that would publish one row per person.

    ``by`` are the breakdown names; the contract's categorical columns and the derived
    breakdowns (``age_band``, ``entry_year`` …, any name that is not a column here and that the
    engine checks) pass. A per-person contract column and a name of the report's own columns
    (:data:`OUTPUT_COLUMNS`) are refused always; any other column not in the contract is refused
    unless it is in ``allowed``.
    """
    from inclusionkit._rules._grouping import DERIVED_BREAKDOWNS
    from inclusionkit._rules._partition import FLOW_BREAKDOWNS

    permitted = set(allowed)
    for name in by:
        if name in OUTPUT_COLUMNS:
            raise InclusionKitError(
                f"cannot break down by {name!r}: the report's table has a column {name!r} of its "
                "own; rename the register's column (with a mapping file) to break down by it"
            )
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
