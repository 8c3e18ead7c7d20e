"""The catalogue of problem codes: every problem reading, validating or counting a participation
table can report, once.

Each :class:`ProblemCode` is a string (``gender.missing``) that tables and :class:`Problem`
records carry, with an English message (its Romanian is in the core catalogue of
``inclusionkit._i18n``), a :class:`Severity` and whether it makes a participation *incomplete*,
that is, left out of every indicator and listed in ``Report.excluded`` with the code
as its reason. Validation (:func:`~inclusionkit.validate_participations`) and counting
(:func:`~inclusionkit.compute`) test completeness with one table of column tests (see
``inclusionkit._rules._completeness``), so a row that validates is counted and a participation
that is not counted is a problem ``validate`` reports, under the same code.

``docs/problems.md`` is generated from this catalogue (``scripts/generate_problem_docs.py``); a
test fails when it is stale.
"""

from __future__ import annotations

import ast
import enum
import re

from inclusionkit._errors import Problem, names_column
from inclusionkit._i18n import N_, Deferred, resolve_language, translate
from inclusionkit.models._vocabulary import GENDERS, ISCED_LEVELS, LABOUR_STATUSES, REGION_CODES


class Severity(enum.StrEnum):
    """How bad a problem is: an ``error`` rejects the row (or the file), a ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"


class Stage(enum.StrEnum):
    """Where a problem is found: reading a file, checking a row against the contract, or a
    report's own layout."""

    READ = "read"
    ROW = "row"
    REPORT = "report"


_E, _W = Severity.ERROR, Severity.WARNING
_READ, _ROW, _REPORT = Stage.READ, Stage.ROW, Stage.REPORT


class ProblemCode(enum.StrEnum):
    """A problem of a participation table: its code string, message, severity, and whether it
    makes the participation incomplete (counted in no indicator).

    A member *is* its code string (``ProblemCode.GENDER_MISSING == "gender.missing"``), so it can
    stand wherever a code is written; :meth:`lookup` finds the member of a code string.
    """

    _value_: str
    message: str
    severity: Severity
    incomplete: bool
    stage: Stage

    def __new__(
        cls,
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
        incomplete: bool = False,
        stage: Stage = Stage.ROW,
    ) -> ProblemCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.message = message
        member.severity = severity
        member.incomplete = incomplete
        member.stage = stage
        return member

    # -- reading a file: columns, headers, cells
    COLUMN_MISSING = "column.missing", "a canonical column is missing", _E, False, _READ
    COLUMN_DUPLICATE = "column.duplicate", "two headers fill the same column", _E, False, _READ
    COLUMN_UNNAMED = (
        "column.unnamed",
        "a column has values but no header; it is left out",
        _W,
        False,
        _READ,
    )
    COLUMN_UNMAPPED = (
        "column.unmapped",
        "a header matches no known column; the column is left out",
        _W,
        False,
        _READ,
    )
    HEADER_MERGED = "header.merged", "header cells are merged", _E, False, _READ
    CELLS_MERGED = (
        "cells.merged",
        "cells of a column are merged, leaving all but the first empty",
        _E,
        False,
        _READ,
    )
    MAPPING_HEADER_EMPTY = (
        "mapping.header_empty",
        "a header of the mapping file has no letters or digits to match on",
        _E,
        False,
        _READ,
    )
    MAPPING_HEADER_DUPLICATE = (
        "mapping.header_duplicate",
        "a header is listed twice in the mapping file",
        _E,
        False,
        _READ,
    )
    VALUE_UNKNOWN = (
        "value.unknown",
        "a value the mapping does not know is kept as written",
        _W,
        False,
        _READ,
    )
    IMPORT_WARNING = "import.warning", "the importer warned about the file", _W, False, _READ
    CELL_DATE = "cell.date", "the cell is not a date (YYYY-MM-DD or DD.MM.YYYY)", _E, False, _READ
    CELL_BOOL = "cell.bool", "the cell is not true or false", _E, False, _READ
    CELL_INT = "cell.int", "the cell is not a whole number", _E, False, _READ
    CELL_NESTED = (
        "cell.nested",
        "the cell holds a list or a record (a nested column), not one value",
        _E,
        False,
        _READ,
    )
    CELL_TWO_DIGIT_YEAR = (
        "cell.two_digit_year",
        "the date's year has two digits (31.01.90): which century is not known",
        _E,
        False,
        _READ,
    )
    ROW_EMPTY = (
        "row.empty",
        "the row is empty (only separators): remove it",
        _E,
        False,
        _READ,
    )
    ROW_NO_ID = "row.no_id", "the row has values but no participant id", _E, False, _READ
    PARTICIPANT_ID_CNP = (
        "participant_id.cnp",
        "the participant id is a valid CNP: pseudonymise the register first",
        _E,
        False,
        _READ,
    )
    ROW_INVALID = "row.invalid", "the row's values do not fit the participation model", _E

    # -- a row against the contract (in the order of the contract's columns)
    PARTICIPANT_ID_MISSING = "participant_id.missing", "participant_id is missing"
    PROJECT_CODE_MISSING = "project_code.missing", "project_code is missing"
    GENDER_MISSING = "gender.missing", "gender is missing", _E, True
    GENDER_UNKNOWN = "gender.unknown", "gender is not one of " + ", ".join(GENDERS), _E, True
    GENDER_NOT_REPORTED = (
        "gender.not_reported",
        "gender is not one the rule set reports (2014-2020 and 2007-2013 report women and men)",
        _E,
        True,
    )
    BIRTH_DATE_MISSING = "birth_date.missing", "birth_date is missing", _E, True
    BIRTH_DATE_AFTER_ENTRY = "birth_date.after_entry", "birth_date is after entry_date", _E, True
    BIRTH_DATE_IMPLAUSIBLE = (
        "birth_date.implausible",
        "age at entry is above 120: the birth date is not plausible",
        _E,
        True,
    )
    BIRTH_DATE_IN_FUTURE = "birth_date.in_future", "birth_date is in the future"
    AGE_BELOW_MINIMUM = (
        "age.below_minimum",
        "age at entry is below the minimum asked for (min_age; the contract sets none)",
    )
    ENTRY_DATE_MISSING = "entry_date.missing", "entry_date is missing", _E, True
    ENTRY_DATE_IN_FUTURE = (
        "entry_date.in_future",
        "entry_date is after the as-of date (today by default)",
    )
    ENTRY_DATE_OUTSIDE_PROJECT = (
        "entry_date.outside_project",
        "entry_date is outside the project's period",
    )
    EXIT_DATE_BEFORE_ENTRY = "exit_date.before_entry", "exit_date is before entry_date", _E, True
    EXIT_DATE_IN_FUTURE = (
        "exit_date.in_future",
        "exit_date is after the as-of date (today by default)",
    )
    EXIT_DATE_OUTSIDE_PROJECT = (
        "exit_date.outside_project",
        "exit_date is outside the project's period",
    )
    PROJECT_CODE_OTHER = (
        "project_code.other",
        "project_code is not the code of the project being validated",
    )
    LABOUR_STATUS_MISSING = "labour_status.missing", "labour_status is missing", _E, True
    LABOUR_STATUS_UNKNOWN = (
        "labour_status.unknown",
        "labour_status is not one of " + ", ".join(LABOUR_STATUSES),
        _E,
        True,
    )
    ISCED_MISSING = "isced.missing", "isced is missing", _E, True
    ISCED_OUT_OF_RANGE = (
        "isced.out_of_range",
        f"isced is not an ISCED 2011 level from {ISCED_LEVELS[0]} to {ISCED_LEVELS[-1]}",
        _E,
        True,
    )
    JOBLESS_HOUSEHOLD_MISSING = (
        "jobless_household.missing",
        "jobless_household is missing (required by the rule set)",
        _E,
        True,
    )
    DEPENDENT_CHILDREN_MISSING = (
        "dependent_children.missing",
        "dependent_children is missing (required by the rule set)",
        _E,
        True,
    )
    SINGLE_ADULT_HOUSEHOLD_MISSING = (
        "single_adult_household.missing",
        "single_adult_household is missing (required by the rule set)",
        _E,
        True,
    )
    REGION_UNKNOWN = (
        "region.unknown",
        f"region is not a NUTS-2 code {REGION_CODES[0]}..{REGION_CODES[-1]}",
    )
    CNP_INVALID = "cnp.invalid", "the CNP is not valid"
    CNP_SEX_MISMATCH = "cnp.sex_mismatch", "the sex encoded in the CNP contradicts gender"
    CNP_BIRTH_DATE_MISMATCH = (
        "cnp.birth_date_mismatch",
        "the birth date encoded in the CNP contradicts birth_date",
    )
    CNP_SEVERAL_IDS = (
        "cnp.several_ids",
        "one CNP is under several participant ids (one person would be counted twice)",
    )
    ROW_DUPLICATE = "row.duplicate", "the row repeats an earlier row exactly"

    # -- a report's layout
    SFC2021_PROJECT_CODE_MISSING = (
        "sfc2021.project_code.missing",
        "participations without a project code are left out of the SFC2021 table",
        _W,
        False,
        _REPORT,
    )
    SFC2021_REGION_MISSING = (
        "sfc2021.region.missing",
        "participations without a region are left out of the SFC2021 table",
        _W,
        False,
        _REPORT,
    )
    SFC2021_REGION_UNKNOWN = (
        "sfc2021.region.unknown",
        "participations with an unknown region are left out of the SFC2021 table",
        _W,
        False,
        _REPORT,
    )

    @classmethod
    def lookup(cls, code: str) -> ProblemCode:
        """The member whose code string is ``code``; raises :class:`KeyError` for another."""
        member = cls._value2member_map_.get(code)
        if not isinstance(member, ProblemCode):
            raise KeyError(f"{code!r} is not a problem code of the catalogue")
        return member

    @classmethod
    def missing(cls, column: str) -> ProblemCode:
        """The code of an empty required ``column`` (``gender`` → ``gender.missing``)."""
        return cls.lookup(f"{column}.missing")

    @classmethod
    def unreadable(cls, kind: str) -> ProblemCode:
        """The code of a cell that cannot be read as its column's ``kind`` (``cell.date``)."""
        return cls.lookup(f"cell.{kind}")

    @property
    def is_error(self) -> bool:
        """Whether a row (or file) with this problem is rejected."""
        return self.severity is Severity.ERROR


EMPTY_VALUE: frozenset[ProblemCode] = frozenset(
    code for code in ProblemCode if code.stage is Stage.ROW and code.value.endswith(".missing")
)
"""The codes that say a required cell of a row is empty (one per required column)."""

INCOMPLETE: tuple[ProblemCode, ...] = tuple(code for code in ProblemCode if code.incomplete)
"""The codes that leave a participation out of every indicator, in the order they are tested."""


def message_in(code: str, lang: str | None = None) -> str:
    """What problem ``code`` means, in ``lang`` (``en`` or ``ro``; default: the current run's
    language). The English message is the id of its translation in the core catalogue; a code
    outside the catalogue (a plugin's) is said as itself."""
    try:
        member = ProblemCode.lookup(code)
    except KeyError:
        return code
    return translate(member.message, lang)


_PLACE_WORDS = (
    (re.compile(r"\bline (\d+)"), N_("line {place}")),
    (re.compile(r"\brow (\d+)"), N_("row {place}")),
    (re.compile(r"\bsheet ('[^']*')"), N_("sheet {place}")),
    (re.compile(r"^the header()$"), N_("the header{place}")),  # a table read from no file
    (re.compile(r"^the schema()$"), N_("the schema{place}")),  # a Parquet file's
)
"""The words of a problem's location (``line 88``, ``sheet 'Registru', row 9``), translated
where a place is said to a person."""


def describe(problem: Problem, lang: str | None = None) -> str:
    """A problem as one line for a person reading ``lang`` (default: the run's language):
    where it is (file, line or sheet and row, column) and what is wrong. In English it is
    ``str(problem)``; in Romanian the place's words and the code's meaning are Romanian, with
    the English detail after it when the message quotes a value."""
    lang = resolve_language(lang)
    if lang == "en":
        return str(problem)
    where: list[str] = [part for part in (problem.source, problem.location) if part]
    titled = None
    if problem.location:
        location = problem.location
        if problem.column and names_column(location, problem.column):
            # ``line 9, column 'Statut' (labour_status)``: the header is the user's, not words.
            location, _, titled = location.partition(", column ")
            titled = titled.removesuffix(f" ({problem.column})")
        for pattern, text in _PLACE_WORDS:
            template = translate(text, lang)
            location = pattern.sub(
                lambda match, t=template: t.format(place=match.group(1)),  # type: ignore[misc]
                location,
            )
        where[-1] = location
    if titled is not None:
        column = translate("column {name!r}", lang).format(name=ast.literal_eval(titled))
        where.append(f"{column} ({problem.column})")
    elif problem.column:
        where.append(translate("column {name!r}", lang).format(name=problem.column))
    if isinstance(problem.message, Deferred):  # said where it was found, in every language
        meaning = problem.message.in_language(lang)
    else:
        meaning = translate(problem.message, lang)
    if meaning == problem.message and problem.code in ProblemCode._value2member_map_:
        member = ProblemCode.lookup(problem.code)
        meaning = message_in(member, lang)
        if problem.message != member.message and re.search("['\"]", problem.message):
            meaning = f"{meaning} ({problem.message})"  # the detail: the value as written
    prefix = ", ".join(where)
    return f"{prefix}: {meaning}" if prefix else meaning
