"""Reporting periods: the one parser of ``--period`` (and of any other window of dates).

A reporting period is the span of days a progress report covers (a quarter, a semester, the
dates the contract sets). It is not the programming period of a rule set (2014-2020,
:mod:`._period`). :func:`parse_period` reads every way a period is written:

- ``2015-01-01..2015-03-31`` (also ``DD.MM.YYYY`` dates), both days included;
- ``2015-Q1`` … ``2015-Q4`` (quarters; ``2015-T1``, *trimestru*, too);
- ``2015-S1``, ``2015-S2`` (semesters);
- ``2015-03`` (a month) and ``2015`` (a year);
- a ``(start, end)`` pair of dates or texts, or a :class:`ReportingPeriod`.

A report for a period counts, in scope ``period``, the outputs of participations that entered in
it and the results of those who left in it (longer-term results: whose six-month point falls in
it), beside the ``cumulative`` figures to its last day (see :func:`inclusionkit.compute`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs

from inclusionkit._errors import InclusionKitError
from inclusionkit._rules._records import parse_as_of

__all__ = ["PERIOD_SCOPES", "ReportingPeriod", "parse_period"]

PERIOD_SCOPES: tuple[str, ...] = ("period", "cumulative")
"""The values of the ``scope`` column of a report computed for a period, in table order."""

_PART = re.compile(r"^(\d{4})-?([QqTtSs])([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


@attrs.frozen
class ReportingPeriod:
    """A span of days, ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InclusionKitError(
                f"the period ends ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()})"
            )

    @property
    def before(self) -> dt.date:
        """The day before the period: the as-of date of the previous report."""
        return self.start - dt.timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _end_of_month(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse_period(value: Any) -> ReportingPeriod:
    """A :class:`ReportingPeriod` from ``2015-01-01..2015-03-31``, ``2015-Q1``, ``2015-S1``,
    ``2015-03``, ``2015``, a ``(start, end)`` pair or a period.

    Raises :class:`~inclusionkit.InclusionKitError` saying what is accepted when the text is
    none of these, or when the period ends before it starts.
    """
    if isinstance(value, ReportingPeriod):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        start, end = (parse_as_of(part) for part in value)
        if start is None or end is None:
            raise InclusionKitError(f"a period needs a start and an end, not {value!r}")
        return ReportingPeriod(start, end)
    if not isinstance(value, str):
        raise InclusionKitError(f"{value!r} is not a period: {_FORMS}")
    text = value.strip()
    if ".." in text:
        first, _, last = text.partition("..")
        try:
            start, end = parse_as_of(first), parse_as_of(last)
        except InclusionKitError:
            raise InclusionKitError(f"{value!r} is not a period: {_FORMS}") from None
        if start is None or end is None:  # pragma: no cover - parse_as_of reads text or raises
            raise InclusionKitError(f"{value!r} is not a period: {_FORMS}")
        return ReportingPeriod(start, end)
    if match := _PART.match(text):
        year, kind, number = int(match[1]), match[2].upper(), int(match[3])
        months = 6 if kind == "S" else 3
        if kind == "S" and number > 2:
            raise InclusionKitError(f"{value!r}: a year has two semesters, S1 and S2")
        first_month = (number - 1) * months + 1
        return ReportingPeriod(
            dt.date(year, first_month, 1), _end_of_month(year, first_month + months - 1)
        )
    if (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
        return ReportingPeriod(dt.date(year, month, 1), _end_of_month(year, month))
    if match := _YEAR.match(text):
        year = int(match[1])
        return ReportingPeriod(dt.date(year, 1, 1), dt.date(year, 12, 31))
    raise InclusionKitError(f"{value!r} is not a period: {_FORMS}")


_FORMS = (
    "use START..END (2015-01-01..2015-03-31), a quarter (2015-Q1), a semester (2015-S1), "
    "a month (2015-03) or a year (2015)"
)
