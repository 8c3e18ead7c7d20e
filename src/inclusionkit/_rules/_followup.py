"""The six-month follow-up: which leavers reach their six-month point in a window.

The longer-term results (CR06-CR09, EECR05-EECR06, the YEI's six-month results) ask for a
participant's situation six months after leaving. :func:`followup` lists the participations
whose six-month point (the exit date plus six calendar months, the same day as the contract's
``observed_6m``: 31 August + 6 months is 28 or 29 February) falls in a window, so a project
knows whom to ask and when. Participations are prepared as a report prepares them (re-entries
merged: the latest exit counts), as of the window's last day.

Privacy: the list holds the pseudonymous ``participant_id`` and ``project_code`` with the exit
date and the six-month date, never a CNP, a name or any other column of the table
(``docs/followup.md``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from inclusionkit import _contract
from inclusionkit._pandas import pd
from inclusionkit._rules._dates import last_exit_observed, ymd_of
from inclusionkit._rules._partition import tiebreak_columns
from inclusionkit._rules._period import choose_ruleset
from inclusionkit._rules._records import RecordSet, as_table
from inclusionkit._rules._reporting import parse_period
from inclusionkit._rules._ruleset import RuleSet

__all__ = ["FOLLOWUP_COLUMNS", "followup", "parse_window", "six_month_dates"]

FOLLOWUP_COLUMNS: tuple[str, ...] = (
    "project_code",
    "participant_id",
    "exit_date",
    "six_month_date",
    "counted",
)
"""The columns of the follow-up list: pseudonymous keys and dates, nothing else of the table."""

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def parse_window(value: Any) -> tuple[dt.date, dt.date]:
    """A window ``(start, end)``, both days included, read by the one period parser
    (:func:`inclusionkit.parse_period`): ``"2016-01-01..2016-01-31"`` (either side
    ``YYYY-MM-DD`` or ``DD.MM.YYYY``), ``2016-Q1``, ``2016-S1``, ``2016-01``, ``2016`` or a pair
    of dates."""
    period = parse_period(value)
    return period.start, period.end


def six_month_dates(exit_ymd: np.ndarray) -> np.ndarray:
    """``yyyymmdd`` of each exit date plus six calendar months (the day clamped to the month's
    last: 2015-08-31 gives 2016-02-29), whole columns at once."""
    year, month, day = exit_ymd // 10_000, exit_ymd // 100 % 100, exit_ymd % 100
    month0 = month - 1 + 6
    year, month = year + month0 // 12, month0 % 12 + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[month] + (leap & (month == 2))
    return np.asarray(year * 10_000 + month * 100 + np.minimum(day, last))


def followup(
    participations: pd.DataFrame | str | os.PathLike[str],
    window: str | tuple[Any, Any],
    *,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The leavers whose six-month point falls in ``window`` (both days included).

    ``participations`` is a participation table or its file; ``window`` is
    ``"2016-01-01..2016-01-31"`` or a pair of dates; ``rules`` the rule set whose completeness
    decides ``counted`` (by default the one of the table's programming period, as in
    :func:`inclusionkit.compute`). Re-entries are merged as in a report (the latest exit), as of
    the window's last day, so a participant who came back and is still in by then is not
    listed.

    Returns one row per participation, ordered by six-month date and key, with the columns
    :data:`FOLLOWUP_COLUMNS`: ``project_code``, ``participant_id`` (pseudonymous), ``exit_date``,
    ``six_month_date`` and ``counted`` (complete, hence in the indicators; an incomplete one may
    be worth completing at the follow-up). No other column of the table is ever copied.
    """
    start, end = parse_window(window)
    table = as_table(participations)
    ruleset, _ = choose_ruleset(rules, table["project_code"].dropna().unique())
    # Re-entry ties broken as a report breaks them (by the rule set's columns), so a row the
    # report counts is the row listed here as counted.
    prepared = RecordSet(participations=table, as_of=end).prepared(
        ruleset.completeness, tiebreak=tiebreak_columns(ruleset, ())
    )
    source = prepared.source
    exit_ = source.col("exit_date")
    # The six-month point is monotone in the exit date: two threshold days bound the window.
    low = last_exit_observed(start - dt.timedelta(days=1))
    high = last_exit_observed(end)
    rows = np.flatnonzero(
        prepared.placed
        & source.col("leaver").values
        & (exit_.values > low)
        & (exit_.values <= high)
    )
    exit_ymd = ymd_of(exit_.values[rows], np.ones(rows.shape[0], dtype=bool))
    frame = pd.DataFrame(
        {
            "project_code": table["project_code"].take(rows).to_numpy(),
            "participant_id": table["participant_id"].take(rows).to_numpy(),
            "exit_date": exit_.values[rows].astype("datetime64[D]").astype("datetime64[s]"),
            "six_month_date": _dates(six_month_dates(exit_ymd)),
            "counted": prepared.counted[rows],
        }
    )
    frame = frame.astype(
        {
            "project_code": _contract.DTYPES["project_code"],
            "participant_id": _contract.DTYPES["participant_id"],
        }
    )
    return frame.sort_values(
        ["six_month_date", "project_code", "participant_id"], ignore_index=True
    )[list(FOLLOWUP_COLUMNS)]


def _dates(ymd: np.ndarray) -> np.ndarray:
    """Dates (``datetime64[s]``) from ``yyyymmdd`` integers, whole columns at once."""
    months = (ymd // 10_000 - 1970) * 12 + (ymd // 100 % 100 - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray(first + (ymd % 100 - 1).astype("timedelta64[D]")).astype("datetime64[s]")
