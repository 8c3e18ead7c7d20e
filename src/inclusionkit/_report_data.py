"""A report as read back from a file: its tables and its provenance as plain data.

Exporters accept any object with ``table``, ``excluded``, ``checks`` (DataFrames) and
``provenance`` (an attrs object or a mapping), such as the indicator engine's ``Report``. Reading a
report file cannot rebuild the engine's objects (the rules are not in the file), so importers
return a :class:`ReportData` with the same four attributes, the provenance as a ``dict``.

A report *file* is for publishing: :meth:`ReportData.for_export` is what every exporter writes,
the excluded participations as counts by reason (``reason``, ``count``), never their
``participant_id`` or row, unless the caller asks with ``include_excluded_ids=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from inclusionkit._convert import unstructure
from inclusionkit._pandas import pd

__all__ = [
    "EXCLUDED_IDS_OPTION",
    "ReportData",
    "excluded_by_reason",
    "provenance_dict",
    "report_table",
]

EXCLUDED_IDS_OPTION = "include_excluded_ids"
"""The write option of every report exporter that keeps the excluded participations' ids."""


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@attrs.frozen(kw_only=True, eq=False)
class ReportData:
    """An indicator report as data: ``table`` (tidy: ``indicator``, breakdowns, ``value``),
    ``excluded`` and ``checks`` (DataFrames), and ``provenance`` (JSON-compatible ``dict``).

    Equality is :meth:`equals` (DataFrames have no boolean ``==``).
    """

    table: pd.DataFrame
    excluded: pd.DataFrame = attrs.field(factory=_empty)
    checks: pd.DataFrame = attrs.field(factory=_empty)
    provenance: dict[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_report(cls, report: Any) -> ReportData:
        """Build from any report-like object (``.table`` and ``.provenance``; ``.excluded`` and
        ``.checks`` when present), unstructuring an attrs provenance to a ``dict``."""
        if isinstance(report, ReportData):
            return report
        return cls(
            table=report_table(report),
            excluded=_frame(getattr(report, "excluded", None), "excluded"),
            checks=_frame(getattr(report, "checks", None), "checks"),
            provenance=provenance_dict(report.provenance),
        )

    @classmethod
    def for_export(cls, report: Any, options: Mapping[str, Any] | None = None) -> ReportData:
        """What an exporter writes of ``report``: the excluded rows as counts by reason only,
        unless ``options["include_excluded_ids"]`` is true (then ids, rows and reasons)."""
        data = cls.from_report(report)
        if (options or {}).get(EXCLUDED_IDS_OPTION, False):
            return data
        return attrs.evolve(data, excluded=excluded_by_reason(data.excluded))

    def equals(self, other: Any) -> bool:
        """True if ``other`` (any report-like object) has equal tables and provenance."""
        try:
            that = ReportData.from_report(other)
        except TypeError:
            return False
        return (
            self.table.equals(that.table)
            and self.excluded.equals(that.excluded)
            and self.checks.equals(that.checks)
            and self.provenance == that.provenance
        )


def report_table(report: Any) -> pd.DataFrame:
    """The tidy table of any report-like object, as :meth:`ReportData.from_report` takes it,
    without serialising the provenance (a writer of the table alone does not need it)."""
    if isinstance(report, ReportData):
        return report.table
    for attribute in ("table", "provenance"):
        if not hasattr(report, attribute):
            raise TypeError(
                f"a report needs .table and .provenance; {type(report).__name__} has no "
                f".{attribute}"
            )
    return _frame(report.table, "table")


def excluded_by_reason(excluded: pd.DataFrame) -> pd.DataFrame:
    """The excluded participations as ``reason``, ``count`` (most frequent first): what a
    published report says of them. A table that is already counts (no ``participant_id``, no
    ``row``) is returned as it is; every other column (ids, rows, messages) is dropped."""
    if "reason" not in excluded.columns:
        return pd.DataFrame(
            {"reason": pd.Series(dtype="string"), "count": pd.Series(dtype="int64")}
        )
    if "count" in excluded.columns and not {"participant_id", "row"} & set(excluded.columns):
        return excluded[["reason", "count"]]
    counts = excluded["reason"].value_counts(sort=False)
    counts = counts[counts > 0]  # a categorical (a report's list) counts every category
    out = pd.DataFrame(
        {"reason": counts.index.astype("string"), "count": counts.to_numpy(dtype="int64")}
    )
    return out.sort_values(["count", "reason"], ascending=[False, True], ignore_index=True)


def _frame(value: Any, name: str) -> pd.DataFrame:
    if value is None:
        return pd.DataFrame()
    if not isinstance(value, pd.DataFrame):
        raise TypeError(
            f"a report's .{name} must be a pandas DataFrame, not {type(value).__name__}"
        )
    return value


def provenance_dict(provenance: Any) -> dict[str, Any]:
    """A report's provenance as JSON-compatible data: the one serialisation, the cattrs converter
    (:mod:`inclusionkit._convert`), for attrs provenance records; a mapping as it is."""
    if provenance is None:
        return {}
    if isinstance(provenance, Mapping):
        return dict(provenance)
    if attrs.has(type(provenance)):
        data = unstructure(provenance)
        if isinstance(data, dict):
            return data
    raise TypeError(
        f"a report's .provenance must be an attrs object or a mapping, not "
        f"{type(provenance).__name__}"
    )
