"""One table of column tests shared by counting and validation.

:data:`COLUMN_TESTS` lists, column by column in the contract's order, every test a single row of a
participation table must pass: a required value present, a value in its vocabulary, a number in its
range, one date not after another. Each test names its :class:`~inclusionkit.ProblemCode`; a code
that makes a participation *incomplete* (``ProblemCode.incomplete``) is a completeness test.

:class:`Completeness` picks, for a rule set, the tests a participation must pass to be counted
(:meth:`Completeness.tests`), and the tests validation runs (:meth:`Completeness.checks`: those
plus the contract's other column tests). ``PreparedParticipations`` and
``validate_participations`` both evaluate their tests with :func:`failures`, whole columns at a
time, so a row that validates is always complete, and the reason a participation is not counted
is always a problem validation reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._participations import COLUMN_NAMES
from inclusionkit._problems import ProblemCode
from inclusionkit._rules._columns import Col, codes_in
from inclusionkit._rules._dates import completed_years
from inclusionkit.models._vocabulary import GENDERS, ISCED_LEVELS, LABOUR_STATUSES, REGION_CODES


class Columns(Protocol):
    """Where tests read their columns: each as a :class:`Col`, and each column's not-empty mask
    (cheaper for key columns, which a test only ever asks whether they are empty)."""

    def col(self, name: str) -> Col:
        """Column ``name`` as a :class:`Col`."""
        ...

    def valid(self, name: str) -> np.ndarray:
        """Where column ``name`` is not empty."""
        ...

    def ymd(self, name: str) -> np.ndarray:
        """``yyyymmdd`` of date column ``name`` (0 where empty), kept: the age test and the
        age at entry read the same dates."""
        ...


@attrs.frozen
class ColumnTest:
    """A test of one column of every row; the rows that fail it have the problem ``code``."""

    column: str
    code: ProblemCode

    def failing(self, columns: Columns) -> np.ndarray:
        """The mask of the rows failing the test."""
        raise NotImplementedError

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """What is wrong with each of ``rows`` (failing rows), in words with the value."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the test asks, in words (for the documentation)."""
        raise NotImplementedError


@attrs.frozen
class Missing(ColumnTest):
    """The column is not empty."""

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows where the column is empty."""
        return ~columns.valid(self.column)

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """The same words for every row (an empty cell has no value to show)."""
        return f"{self.column} is empty"

    def describe(self) -> str:
        """``gender`` is not empty."""
        return f"`{self.column}` is not empty"


@attrs.frozen
class OneOf(ColumnTest):
    """A text column holds one of ``values`` (or is empty: :class:`Missing` says that)."""

    values: tuple[str, ...] = ()

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows with a value outside the vocabulary."""
        col = columns.col(self.column)
        unknown = np.array([*(c not in self.values for c in col.categories), False], dtype=bool)
        return np.asarray(col.valid & codes_in(col.values, unknown))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``gender 'man' is not one of female, male, non_binary``."""
        return _join(
            f"{self.column} '",
            value_text(columns.col(self.column), rows),
            "' is not one of " + ", ".join(self.values),
        )

    def describe(self) -> str:
        """``gender`` is one of …"""
        return f"`{self.column}` is one of " + ", ".join(f"`{v}`" for v in self.values)


@attrs.frozen
class NotReported(OneOf):
    """A value of the contract's vocabulary (``vocabulary``) that the rule set does not report
    (``values``: its reportable genders); a value outside the vocabulary is :class:`OneOf`'s."""

    vocabulary: tuple[str, ...] = ()

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows with a known value the rule set does not report."""
        col = columns.col(self.column)
        known = [c in self.vocabulary and c not in self.values for c in col.categories]
        return np.asarray(col.valid & codes_in(col.values, np.array([*known, False], dtype=bool)))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``gender 'non_binary' is not reported by the rule set (female, male)``."""
        return _join(
            f"{self.column} '",
            value_text(columns.col(self.column), rows),
            "' is not reported by the rule set (" + ", ".join(self.values) + ")",
        )

    def describe(self) -> str:
        """``gender`` is one the rule set reports."""
        return f"`{self.column}` is one the rule set reports"


@attrs.frozen
class Between(ColumnTest):
    """A whole-number column lies in ``low``..``high``."""

    low: int = 0
    high: int = 0
    what: str = ""

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows with a number outside the range."""
        col = columns.col(self.column)
        return np.asarray(col.valid & ((col.values < self.low) | (col.values > self.high)))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``isced 9 is not an ISCED 2011 level 0-8``."""
        return _join(
            f"{self.column} ",
            value_text(columns.col(self.column), rows),
            f" is not {self.what or 'a value'} {self.low}-{self.high}",
        )

    def describe(self) -> str:
        """``isced`` is from 0 to 8."""
        return f"`{self.column}` is from {self.low} to {self.high}"


@attrs.frozen
class NotAfter(ColumnTest):
    """A date column is not after the date in ``other`` (when both are given)."""

    other: str = ""

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows whose date is after the other date."""
        col, other = columns.col(self.column), columns.col(self.other)
        return np.asarray(col.valid & other.valid & (col.values > other.values))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``birth_date 2021-01-01 is after entry_date 2020-01-01``."""
        return _pair(columns, rows, self.column, " is after ", self.other)

    def describe(self) -> str:
        """``birth_date`` is not after ``entry_date``."""
        return f"`{self.column}` is not after `{self.other}`"


@attrs.frozen
class NotBefore(ColumnTest):
    """A date column is not before the date in ``other`` (when both are given)."""

    other: str = ""

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows whose date is before the other date."""
        col, other = columns.col(self.column), columns.col(self.other)
        return np.asarray(col.valid & other.valid & (col.values < other.values))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``exit_date 2019-12-31 is before entry_date 2020-01-01``."""
        return _pair(columns, rows, self.column, " is before ", self.other)

    def describe(self) -> str:
        """``exit_date`` is not before ``entry_date``."""
        return f"`{self.column}` is not before `{self.other}`"


MAX_AGE = 120
"""Above this age at entry a birth date is not plausible (``1800-01-01``, the year 1). The
contract sets no minimum age (EECO06 counts children under 18)."""


@attrs.frozen
class AgeAtMost(ColumnTest):
    """The completed years from a date column to ``other`` are at most ``years`` (when both are
    given and in order: a birth after the entry is its own test)."""

    other: str = ""
    years: int = MAX_AGE

    def _ages(self, columns: Columns) -> tuple[np.ndarray, np.ndarray]:
        col, other = columns.col(self.column), columns.col(self.other)
        both = col.valid & other.valid & (col.values <= other.values)
        # The ages are only read where both dates are given.
        return both, completed_years(columns.ymd(self.column), columns.ymd(self.other))

    def failing(self, columns: Columns) -> np.ndarray:
        """Rows older than ``years`` at ``other``."""
        both, ages = self._ages(columns)
        return np.asarray(both & (ages > self.years))

    def detail(self, columns: Columns, rows: np.ndarray) -> str | pa.Array:
        """``age at entry 220 is above 120``."""
        _, ages = self._ages(columns)
        return pc.binary_join_element_wise(
            pa.scalar("age at entry ", pa.large_string()),
            pa.array(ages[rows].astype(str), pa.large_string()),
            pa.scalar(f" is above {self.years}", pa.large_string()),
            pa.scalar("", pa.large_string()),
        )

    def describe(self) -> str:
        """``birth_date`` is at most 120 years before ``entry_date``."""
        return f"`{self.column}` is at most {self.years} years before `{self.other}`"


P = ProblemCode

COLUMN_TESTS: tuple[ColumnTest, ...] = (
    Missing("participant_id", P.PARTICIPANT_ID_MISSING),
    Missing("project_code", P.PROJECT_CODE_MISSING),
    Missing("gender", P.GENDER_MISSING),
    OneOf("gender", P.GENDER_UNKNOWN, values=GENDERS),
    NotReported("gender", P.GENDER_NOT_REPORTED, values=GENDERS, vocabulary=GENDERS),
    Missing("birth_date", P.BIRTH_DATE_MISSING),
    NotAfter("birth_date", P.BIRTH_DATE_AFTER_ENTRY, other="entry_date"),
    AgeAtMost("birth_date", P.BIRTH_DATE_IMPLAUSIBLE, other="entry_date"),
    Missing("entry_date", P.ENTRY_DATE_MISSING),
    NotBefore("exit_date", P.EXIT_DATE_BEFORE_ENTRY, other="entry_date"),
    Missing("labour_status", P.LABOUR_STATUS_MISSING),
    OneOf("labour_status", P.LABOUR_STATUS_UNKNOWN, values=LABOUR_STATUSES),
    Missing("isced", P.ISCED_MISSING),
    Between(
        "isced",
        P.ISCED_OUT_OF_RANGE,
        low=ISCED_LEVELS[0],
        high=ISCED_LEVELS[-1],
        what="an ISCED 2011 level",
    ),
    Missing("jobless_household", P.JOBLESS_HOUSEHOLD_MISSING),
    Missing("dependent_children", P.DEPENDENT_CHILDREN_MISSING),
    Missing("single_adult_household", P.SINGLE_ADULT_HOUSEHOLD_MISSING),
    OneOf("region", P.REGION_UNKNOWN, values=REGION_CODES),
)
"""Every column test of a row, column by column in the contract's order; a participation's
reason for not being counted is its first failing completeness test in this order."""

COMPLETENESS_FIELDS: tuple[str, ...] = (
    "gender",
    "birth_date",
    "entry_date",
    "labour_status",
    "isced",
)
"""The fields a participation needs to be counted when a rule set does not declare its own
(``completeness`` in the rule set document): those of ``esf-2014``, ``esf-2021`` and
``esf-2007`` (``participation-table.md``, "Which rows are counted", 3)."""

HOUSEHOLD_FIELDS: tuple[str, ...] = (
    "jobless_household",
    "dependent_children",
    "single_adult_household",
)
"""The household situation: required by the SFC FAQ of 12.12.2014 (``esf-2014@2014``), no longer
after the Omnibus Regulation 2018/1046 made CO12-CO14 sample-based."""


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _check_fields(
    instance: Completeness, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    tested = {t.column for t in COLUMN_TESTS if t.code.incomplete}
    for field in value:
        if field not in COLUMN_NAMES:
            raise ValueError(f"{field!r} is not a column of the participation table")
        if field not in tested:
            raise ValueError(f"no completeness test of {field!r} is in the catalogue")
    if "entry_date" not in value:
        raise ValueError("entry_date is always required: without it a participation is in no time")


@attrs.frozen
class Completeness:
    """What a participation needs to be counted: its ``fields`` pass their completeness tests,
    and its gender is one of ``genders`` (the genders the rule set reports). A rule set declares
    both as data (``completeness`` and ``genders`` of its document)."""

    fields: tuple[str, ...] = attrs.field(
        default=COMPLETENESS_FIELDS, converter=_names, validator=_check_fields
    )
    genders: tuple[str, ...] = attrs.field(default=GENDERS, converter=_names)

    def tests(self) -> tuple[ColumnTest, ...]:
        """The tests a participation must pass to be counted, in the order reasons are chosen."""
        return tuple(self._bind(t) for t in COLUMN_TESTS if t.code.incomplete and self._asks(t))

    def checks(self) -> tuple[ColumnTest, ...]:
        """Every column test validation runs: the completeness tests and the contract's others."""
        return tuple(self._bind(t) for t in COLUMN_TESTS if not t.code.incomplete or self._asks(t))

    def _asks(self, test: ColumnTest) -> bool:
        # A date in the wrong order against a required date (an exit before the entry) makes
        # the participation incomplete even though the other date itself is optional.
        return test.column in self.fields or getattr(test, "other", "") in self.fields

    def _bind(self, test: ColumnTest) -> ColumnTest:
        if isinstance(test, NotReported) and test.column == "gender":
            return attrs.evolve(test, values=self.genders)
        return test


DEFAULT_COMPLETENESS = Completeness()
"""Completeness when no rule set says otherwise: gender (any of the contract's), birth date,
entry date, labour status and ISCED level."""


def failures(tests: Sequence[ColumnTest], columns: Columns) -> list[tuple[ColumnTest, np.ndarray]]:
    """Each test with the mask of the rows failing it (one whole-column pass per test)."""
    return [(test, test.failing(columns)) for test in tests]


def first_failed(failed: Sequence[tuple[ColumnTest, np.ndarray]], rows: np.ndarray) -> np.ndarray:
    """For each of ``rows`` (each failing some test), the position in ``failed`` of its first
    failing test."""
    first = np.full(rows.shape[0], len(failed), dtype=np.int64)
    # Later tests first, so the earliest failing test is the one left standing.
    for index in range(len(failed) - 1, -1, -1):
        first[failed[index][1][rows]] = index
    return first


_FIRST_DAY_AD = -719_162  # 0001-01-01 in days since 1970-01-01


def value_text(col: Col, rows: np.ndarray) -> pa.Array:
    """The values of ``col`` at ``rows`` as text (dates as ``YYYY-MM-DD``), for messages."""
    values = col.values[rows]
    if col.kind == "string":
        text = np.array([*col.categories, ""], dtype=object)[values]
    elif col.kind == "date":
        if values.size and values.min() >= _FIRST_DAY_AD and values.max() < 2**31:
            # Arrow's text of a date is numpy's for every year from 1 on, and ten times faster.
            return pc.cast(pa.array(values.astype(np.int32), type=pa.date32()), pa.large_string())
        text = np.datetime_as_string(values.astype("datetime64[D]"))
    else:
        text = values.astype(str)
    return pa.array(text, type=pa.large_string())


def _join(prefix: str, values: pa.Array, suffix: str) -> pa.Array:
    return pc.binary_join_element_wise(
        pa.scalar(prefix, pa.large_string()),
        values,
        pa.scalar(suffix, pa.large_string()),
        pa.scalar("", pa.large_string()),
    )


def _pair(columns: Columns, rows: np.ndarray, column: str, words: str, other: str) -> pa.Array:
    return pc.binary_join_element_wise(
        pa.scalar(f"{column} ", pa.large_string()),
        value_text(columns.col(column), rows),
        pa.scalar(f"{words}{other} ", pa.large_string()),
        value_text(columns.col(other), rows),
        pa.scalar("", pa.large_string()),
    )
