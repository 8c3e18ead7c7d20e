"""Retention: which participations must now leave the register, and what may stay of them.

Personal data may be kept only as long as its purpose needs it (GDPR Art. 5(1)(e)); for
ESF-funded operations that purpose includes the audit trail, which the funding rules require for
years after the operation (see ``docs/privacy.md``, "Retention"). When that period ends,
:func:`retention` lists the participations to delete and produces an anonymised table that
keeps every aggregate of the indicator reports, so the statistics survive the people's data.

The anonymised table is built so that the indicator engine computes exactly the same tables:

- identifier and other non-canonical columns are dropped;
- ``participant_id`` becomes a random token per (``project_code``, ``participant_id``) pair, so
  re-entries into one project still group together but nothing links a person across projects
  (no indicator does; "the same person in two projects is two participations");
- ``birth_date`` is replaced by a date in the same birth year that gives the same completed age
  at entry: 1 January when the birthday had passed at entry, 31 December when it had not. That
  keeps the birth year and one bit, instead of the exact date;
- where a combination of project, region, gender and age at entry is rarer than ``k`` rows, the
  age is generalised to a fixed age of its *indicator age class* (the classes that every
  built-in rule set's age conditions respect: under 15, 15-17, 18-24, 25-29, 30-54, 55-64, 65
  and over), by setting ``birth_date`` to the entry date that many years earlier. No indicator
  cell changes, because every age condition of the rule sets has the same truth value for every
  age in a class. Rows of a participation with two rows on one entry or exit date keep their
  exact age, because the engine picks between such rows by their content. Region, gender,
  partner, labour status and the flags are *not* generalised: each is an indicator or a
  breakdown, so changing it would change a published number;
- entry and exit dates are kept exactly: as-of dates, six-month results and year-of-entry
  breakdowns depend on them;
- the rows are shuffled (participations as units, rows of one participation kept in order), so
  row positions do not link the table back to the deleted register.

This is anonymisation in the sense of "no identifier and no direct quasi-identifier", not a
guarantee: a small project's exact entry dates combined with sensitive flags may still single a
person out to someone who knows them. Treat the anonymised table as confidential statistics.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit import _contract
from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, DATE_DTYPE

__all__ = [
    "AGE_BOUNDARIES",
    "DEFAULT_RETENTION_YEARS",
    "RetentionResult",
    "anonymise",
    "retention",
]

DEFAULT_RETENTION_YEARS = 10
"""Years after a project's end before its participant data may be deleted (see the docs)."""

AGE_BOUNDARIES: tuple[int, ...] = (15, 18, 25, 30, 55, 65)
"""Every age threshold in the built-in rule sets (esf-2007: 15-24 and 55-64; esf-2014: under 25
and over 54; esf-2021: under 18, 18-29, 55 and over): ages between two of them are alike."""

DEFAULT_K = 5
"""A combination of project, region, gender and age with fewer rows than this is rare."""

_KEY = ["project_code", "participant_id"]


@attrs.frozen(kw_only=True)
class RetentionResult:
    """What :func:`retention` found.

    ``expired`` lists the participations (``project_code``, ``participant_id``, ``rows``,
    ``project_end``, ``retention_end``) whose retention period has ended: delete them from the
    register. ``anonymised`` is those participations in anonymised form (canonical columns
    only), to keep instead. ``schedule`` has one row per project: ``project_code``,
    ``project_end``, ``end_source`` (``"given"`` or ``"data"``: the latest entry or exit date,
    a lower bound of the real end), ``retention_end``, ``participations`` and ``expired``.
    ``generalised`` counts anonymised rows whose age was generalised to its class and
    ``still_rare`` those whose combination is still rarer than ``k`` afterwards.
    """

    expired: pd.DataFrame
    anonymised: pd.DataFrame
    schedule: pd.DataFrame
    generalised: int
    still_rare: int


MAX_RETENTION_YEARS = 200
"""The longest retention period :func:`retention` takes, in years."""


def retention(
    frame: pd.DataFrame,
    *,
    until: dt.date,
    years: int = DEFAULT_RETENTION_YEARS,
    project_end: Mapping[str, dt.date] | dt.date | None = None,
    k: int = DEFAULT_K,
    age_boundaries: Sequence[int] = AGE_BOUNDARIES,
) -> RetentionResult:
    """Find the participations whose retention ended by ``until`` and anonymise them.

    A project's retention period ends ``years`` after its end (``project_end``: one date for
    every project, a mapping from project code to date, or ``None`` to take the latest entry or
    exit date in the table, which can only be earlier than the real end, so pass the real end
    when you have it). Its participations are expired when that day is on or before ``until``.

    Raises :class:`InclusionKitError` when a project's end is not known from the mapping, or the
    table lacks a canonical column.
    """
    missing = [name for name in COLUMN_NAMES if name not in frame.columns]
    if missing:
        raise InclusionKitError(
            f"not a participation table: missing column(s) {', '.join(missing)}"
        )
    if years < 0:
        raise InclusionKitError(f"the retention period cannot be negative ({years} years)")
    if years > MAX_RETENTION_YEARS:
        raise InclusionKitError(
            f"a retention period of {years} years is not a retention period; at most "
            f"{MAX_RETENTION_YEARS} (check your financing contract: usually 3 to 10)"
        )
    schedule = _schedule(frame, until=until, years=years, project_end=project_end)
    # "\0" stands for a missing project code, which cannot be a dictionary key as NA.
    is_expired = dict(zip(schedule["project_code"].fillna("\0"), schedule["expired"], strict=True))
    codes = frame["project_code"].astype(_contract.STRING_DTYPE).fillna("\0")
    expired_rows = codes.map(is_expired).fillna(False).to_numpy(dtype=bool)
    chosen = frame.loc[expired_rows]

    expired = (
        chosen.assign(project_code=chosen["project_code"].astype(_contract.STRING_DTYPE))
        .groupby(_KEY, dropna=False, sort=True)
        .size()
        .rename("rows")
        .reset_index()
    )
    expired = expired.merge(
        schedule[["project_code", "project_end", "retention_end"]], on="project_code", how="left"
    )
    anonymised, generalised, still_rare = _anonymise(chosen, k=k, age_boundaries=age_boundaries)
    return RetentionResult(
        expired=expired,
        anonymised=anonymised,
        schedule=schedule,
        generalised=generalised,
        still_rare=still_rare,
    )


def anonymise(
    frame: pd.DataFrame, *, k: int = DEFAULT_K, age_boundaries: Sequence[int] = AGE_BOUNDARIES
) -> pd.DataFrame:
    """Anonymise a whole participation table the way :func:`retention` does its expired rows."""
    return _anonymise(frame, k=k, age_boundaries=age_boundaries)[0]


def _schedule(
    frame: pd.DataFrame,
    *,
    until: dt.date,
    years: int,
    project_end: Mapping[str, dt.date] | dt.date | None,
) -> pd.DataFrame:
    codes = frame["project_code"].astype(_contract.STRING_DTYPE)
    counts = (
        frame.assign(project_code=codes)
        .drop_duplicates(_KEY)
        .groupby("project_code", dropna=False, sort=True)
        .size()
    )
    projects = counts.index
    if project_end is None:
        latest = pd.concat(
            [
                frame["entry_date"].astype(DATE_DTYPE),
                frame["exit_date"].astype(DATE_DTYPE),
            ]
        )
        by_code = pd.concat([codes, codes])
        inferred = latest.groupby(by_code.to_numpy(), dropna=False).max()
        ends = [inferred.get(code, pd.NaT) for code in projects]
        source = "data"
    elif isinstance(project_end, Mapping):
        unknown = [str(code) for code in projects if pd.isna(code) or code not in project_end]
        if unknown:
            shown = ", ".join(u if u != "<NA>" else "(no project code)" for u in unknown[:10])
            raise InclusionKitError(
                f"no end date for {len(unknown)} project(s) in the table: {shown}; "
                "give every project's end date (or one date for all)"
            )
        ends = [pd.Timestamp(project_end[str(code)]) for code in projects]
        source = "given"
    elif isinstance(project_end, dt.date):
        ends = [pd.Timestamp(project_end)] * len(projects)
        source = "given"
    else:
        raise InclusionKitError(
            f"project_end must be a date, a mapping of project codes to dates or None, "
            f"not {type(project_end).__name__}"
        )
    # Seconds, not nanoseconds: an exit in 2999 plus the retention years is still a date.
    end = pd.Series(pd.to_datetime(pd.Series(ends, dtype=object)), dtype="datetime64[s]")
    try:
        # Calendar years, so a project that ended on 29 February is kept until 28 February.
        retention_end = end + pd.DateOffset(years=years)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        raise InclusionKitError(
            f"a project's end date plus {years} years is past the year 9999; check the "
            "projects' end dates (or the latest entry and exit dates in the table)"
        ) from None
    expired = (retention_end <= pd.Timestamp(until)).fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "project_code": pd.array(list(projects), dtype=_contract.STRING_DTYPE),
            "project_end": end.astype(DATE_DTYPE).to_numpy(),
            "end_source": pd.array([source] * len(projects), dtype=_contract.STRING_DTYPE),
            "retention_end": retention_end.astype(DATE_DTYPE).to_numpy(),
            "participations": counts.to_numpy(dtype=np.int64),
            "expired": expired,
        }
    )


def _completed_years(birth: pd.Series, entry: pd.Series) -> pd.Series:
    """Completed years from ``birth`` to ``entry`` (one less before the birthday)."""
    before_birthday = (entry.dt.month * 100 + entry.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    return (entry.dt.year - birth.dt.year - before_birthday.astype("Int64")).astype("Int64")


def _year_start_or_end(birth: pd.Series, entry: pd.Series) -> pd.Series:
    """A date in ``birth``'s year with the same completed age at ``entry`` (1 Jan or 31 Dec)."""
    years = birth.dt.year
    passed = (entry.dt.month * 100 + entry.dt.day) >= (birth.dt.month * 100 + birth.dt.day)
    # When the entry date is unknown, no age depends on the day: keep the year only.
    passed = passed.fillna(True).astype(bool)
    month_day = np.where(passed.to_numpy(), "-01-01", "-12-31")
    text = years.astype("Int64").astype(_contract.STRING_DTYPE) + pd.Series(
        month_day, index=birth.index
    )
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype(DATE_DTYPE)


def _years_before(dates: pd.Series, years: np.ndarray[Any, np.dtype[np.int64]]) -> pd.Series:
    """Each date ``years`` calendar years earlier; 29 February becomes 28 February when needed.

    The completed age on ``dates`` of the result is then exactly ``years``.
    """
    year = dates.dt.year.to_numpy(dtype=np.int64) - years
    month = dates.dt.month.to_numpy(dtype=np.int64)
    day = dates.dt.day.to_numpy(dtype=np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    parts = pd.DataFrame({"year": year, "month": month, "day": day}, index=dates.index)
    return pd.to_datetime(parts).astype(DATE_DTYPE)


def _random_tokens(count: int) -> pd.arrays.ArrowStringArray:
    """``count`` random 128-bit tokens (``anon_`` + 32 hex digits) from the OS's generator.

    Two of a million tokens coincide with probability about 10**12 / 2**129, below 10**-26, so
    uniqueness is not checked.
    """
    hex_digits = np.frombuffer(os.urandom(16 * count).hex().encode("ascii"), dtype="S1")
    prefix = np.broadcast_to(np.frombuffer(b"anon_", dtype="S1"), (count, 5))
    joined = np.concatenate([prefix, hex_digits.reshape(count, 32)], axis=1)
    binary = pa.array(np.ascontiguousarray(joined).view("S37").ravel(), type=pa.binary(37))
    return pd.arrays.ArrowStringArray(binary.cast(pa.string()))


def _group_codes(
    frame: pd.DataFrame, columns: Sequence[str]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """One integer per distinct combination of ``columns`` (missing values form their own group)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for name in columns:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        # -1 (missing) becomes its own code; renumber after each column so numbers stay small.
        combined = combined * (len(uniques) + 1) + (codes.astype(np.int64) + 1)
        combined = pd.factorize(combined)[0].astype(np.int64)
    return combined


def _in_tied_participation(
    table: pd.DataFrame, pairs: np.ndarray[Any, np.dtype[np.int64]]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows of participations where two rows share an entry date or an exit date (or none)."""
    tied = np.zeros(int(pairs.max()) + 1, dtype=bool)
    for column in ("entry_date", "exit_date"):
        days = table[column].to_numpy(dtype="datetime64[s]").view(np.int64)
        both = pd.DataFrame({"pair": pairs, "day": days})
        repeated = both.duplicated(keep=False).to_numpy(dtype=bool)
        tied[pairs[repeated]] = True
    flags: np.ndarray[Any, np.dtype[np.bool_]] = tied[pairs]
    return flags


def _combination_sizes(
    frame: pd.DataFrame, columns: Sequence[str], age: pd.Series
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """For each row, how many rows share its ``columns`` and its age."""
    codes = _group_codes(frame.assign(_age=age), [*columns, "_age"])
    sizes: np.ndarray[Any, np.dtype[np.int64]] = np.bincount(codes)[codes]
    return sizes


def _anonymise(
    frame: pd.DataFrame, *, k: int, age_boundaries: Sequence[int]
) -> tuple[pd.DataFrame, int, int]:
    table = frame[list(COLUMN_NAMES)].astype(_contract.DTYPES).reset_index(drop=True)
    if table.empty:
        return table, 0, 0

    # Random token per (project, person): re-entries stay one participation.
    pairs = _group_codes(table, _KEY)
    count = int(pairs.max()) + 1
    tokens = pd.Series(_random_tokens(count)).take(pairs).reset_index(drop=True)
    table["participant_id"] = tokens.where(table["participant_id"].notna().to_numpy())

    birth = table["birth_date"]
    entry = table["entry_date"]
    table["birth_date"] = _year_start_or_end(birth, entry).where(birth.notna())

    generalised = 0
    still_rare = 0
    age = _completed_years(birth, entry)
    if k > 1:
        bounds = np.asarray(sorted(set(age_boundaries)), dtype=np.int64)
        cells = ["project_code", "region", "gender"]
        size = _combination_sizes(table, cells, age)
        # Only ages inside the outer boundaries: below or above them a rule set (or the engine's
        # plausibility checks) may treat ages differently, so those are not touched.
        inside = (age.notna() & (age >= bounds[0]) & (age < bounds[-1])).to_numpy(dtype=bool)
        # A participation with two rows on one entry or exit date leaves the engine a choice
        # between them, which it makes from the rows' content: keep those rows' ages exact.
        rows = np.flatnonzero((size < k) & inside & ~_in_tied_participation(table, pairs))
        if len(rows):
            ages = age.iloc[rows].to_numpy(dtype=np.int64)
            representative = bounds[np.searchsorted(bounds, ages, side="right") - 1]
            table.loc[table.index[rows], "birth_date"] = _years_before(
                entry.iloc[rows], representative
            ).to_numpy()
            generalised = len(rows)
        after = _completed_years(table["birth_date"], entry)
        still_rare = int((_combination_sizes(table, cells, after) < k).sum())

    # Shuffle participations, keeping the rows of one participation in their order.
    rng = np.random.default_rng(int.from_bytes(os.urandom(8), "big"))
    rank = rng.permutation(count)[pairs]
    order = np.lexsort((np.arange(len(table)), rank))
    return table.iloc[order].reset_index(drop=True), generalised, still_rare
