"""Bulk validation of a participation table: every row accepted, or rejected with its problems.

Each rule is one whole-column test (a mask over all rows); problems are gathered only for the rows
that fail, so a clean million-row table costs a few dozen numpy passes and a dirty one costs in
proportion to its errors. Exact duplicate rows are found by hashing every row to 64 bits straight
from the column buffers and comparing the few rows whose hashes repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit import _contract
from inclusionkit._errors import Problem, ValidationError
from inclusionkit._ingest._row_problems import (
    ROW_LOCATIONS,
    column_place,
    locate_rows,
    located,
    row_numbers,
)
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, COLUMNS, normalise_participations
from inclusionkit._problems import ProblemCode
from inclusionkit._rules._columns import Col, arrow_chunks, to_col
from inclusionkit._rules._completeness import (
    COLUMN_TESTS,
    DEFAULT_COMPLETENESS,
    ColumnTest,
    Completeness,
    failures,
)
from inclusionkit._rules._dates import completed_years, date_to_days, ymd_of
from inclusionkit._rules._keys import candidates_of, duplicated_keys, finalise
from inclusionkit.models._vocabulary import COLUMN_VOCABULARIES

PROBLEM_COLUMNS: tuple[str, ...] = ("row", "column", "code", "message", "index", "location")

CODES: Mapping[str, str] = MappingProxyType(
    {
        str(code): code.message
        for code in (
            ProblemCode.CELL_DATE,
            ProblemCode.CELL_BOOL,
            ProblemCode.CELL_INT,
            *(test.code for test in COLUMN_TESTS),
            ProblemCode.CELL_TWO_DIGIT_YEAR,
            ProblemCode.ROW_EMPTY,
            ProblemCode.BIRTH_DATE_IN_FUTURE,
            ProblemCode.AGE_BELOW_MINIMUM,
            ProblemCode.ENTRY_DATE_IN_FUTURE,
            ProblemCode.EXIT_DATE_IN_FUTURE,
            ProblemCode.ENTRY_DATE_OUTSIDE_PROJECT,
            ProblemCode.EXIT_DATE_OUTSIDE_PROJECT,
            ProblemCode.PROJECT_CODE_OTHER,
            ProblemCode.CNP_INVALID,
            ProblemCode.CNP_SEX_MISMATCH,
            ProblemCode.CNP_BIRTH_DATE_MISMATCH,
            ProblemCode.CNP_SEVERAL_IDS,
            ProblemCode.ROW_DUPLICATE,
        )
    }
)
"""Every problem code :func:`validate_participations` reports, with what it means (a part of the
catalogue, :class:`~inclusionkit.ProblemCode`)."""

_ERRORS = [code for code in CODES if ProblemCode.lookup(code).is_error]


# Identity equality: comparing reports would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class ValidationReport:
    """The outcome of :func:`validate_participations`.

    ``accepted`` holds the rows without an error (a warning keeps a row) and ``rejected`` the
    others (with ``row``, ``index``, ``codes`` and ``message`` in front of the row's own
    columns); together they are the input, row for row. ``problems`` has one row per problem:
    ``row``, ``column``, ``code`` (see :data:`CODES`), ``message``, ``index`` and ``location``;
    a row can have several.

    ``row`` is the number the user sees: for a table read from a file, the physical line of a CSV
    (blank lines and multi-line cells counted) or the sheet row of a workbook, and ``location``
    says it in words (``line 88``, ``sheet 'Registru', row 9``); for an in-memory table, the
    0-based position (``row 86``). ``index`` is always the 0-based position in the table.
    """

    problems: pd.DataFrame = attrs.field(eq=False)
    rows: int
    source: pd.DataFrame = attrs.field(eq=False, repr=False)
    rejected_mask: np.ndarray = attrs.field(eq=False, repr=False)
    _cache: dict[str, pd.DataFrame] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @property
    def accepted(self) -> pd.DataFrame:
        """The rows without any problem (the input itself when every row is accepted)."""
        if "accepted" not in self._cache:
            if not self.rejected_mask.any():
                self._cache["accepted"] = self.source
            else:
                self._cache["accepted"] = self.source.iloc[np.flatnonzero(~self.rejected_mask)]
        return self._cache["accepted"]

    @property
    def rejected(self) -> pd.DataFrame:
        """One row per rejected input row: ``row``, ``codes``, ``message``, then its columns."""
        if "rejected" not in self._cache:
            self._cache["rejected"] = _rejected(self.source, self.problems, self.rejected_mask)
        return self._cache["rejected"]

    @property
    def accepted_count(self) -> int:
        """The number of accepted rows."""
        return self.rows - int(np.count_nonzero(self.rejected_mask))

    @property
    def ok(self) -> bool:
        """Whether every row was accepted."""
        return not self.rejected_mask.any()

    def counts(self) -> pd.Series:
        """The number of problems of each code, most frequent first (ties by code)."""
        counts = self.problems["code"].astype(object).value_counts()
        order = sorted(counts.index, key=lambda code: (-int(counts[code]), str(code)))
        return counts.reindex(order).astype(np.int64)

    def summary(self) -> str:
        """One line: rows, accepted, rejected and the most frequent problems."""
        rejected = self.rows - self.accepted_count
        head = f"{self.rows} rows: {self.accepted_count} accepted, {rejected} rejected"
        if self.problems.empty:
            return head
        counts = self.problems["code"].value_counts()
        top = ", ".join(f"{code} ({count})" for code, count in counts.head(5).items())
        return f"{head}; problems: {top}"

    def as_problems(self, source: str | None = None) -> list[Problem]:
        """The problems as :class:`~inclusionkit.Problem` records.

        The location is where the row is in the file it was read from (``line 88``, ``sheet
        'Registru', row 9``). A table built in memory has no file: then, with a ``source``, the
        line under a one-line header (row ``i`` is line ``i + 2``), else ``row i`` (0-based).
        """
        located = callable(self.source.attrs.get(ROW_LOCATIONS))
        out = []
        for column, code, message, index, where, row in self.problems[
            ["column", "code", "message", "index", "location", "row"]
        ].itertuples(index=False):
            location = str(where) if located or not source else f"line {int(index) + 2}"
            # A column the file names otherwise is said by the file's header too.
            place = None if pd.isna(column) else column_place(self.source, str(column))
            location = location if place is None else f"{location}, {place}"
            number = int(row) if located or not source else int(index) + 2
            out.append(
                Problem(
                    code=str(code),
                    message=str(message),
                    source=source,
                    location=location,
                    column=None if pd.isna(column) else str(column),
                    row=number,
                )
            )
        return out


class _Collector:
    """Collects (rows, column, code, message) per failing test without touching clean rows."""

    def __init__(self, skip: np.ndarray | None = None) -> None:
        self.skip = skip
        self.rows: list[np.ndarray] = []
        self.columns: list[str] = []
        self.codes: list[str] = []
        self.messages: list[Any] = []

    def add(
        self,
        mask: np.ndarray,
        column: str,
        code: str,
        message: str | Callable[[np.ndarray], Any],
    ) -> None:
        if self.skip is not None:
            mask = mask & ~self.skip
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        self.rows.append(rows)
        self.columns.append(column)
        self.codes.append(str(code))
        self.messages.append(message(rows) if callable(message) else message)

    def frame(self, source: pd.DataFrame) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame(
                {
                    "row": np.zeros(0, dtype=np.int64),
                    "column": pd.array([], dtype=_contract.STRING_DTYPE),
                    "code": pd.array([], dtype=_contract.STRING_DTYPE),
                    "message": pd.array([], dtype=_contract.STRING_DTYPE),
                    "index": np.zeros(0, dtype=np.int64),
                    "location": pd.array([], dtype=_contract.STRING_DTYPE),
                }
            )
        sizes = [rows.size for rows in self.rows]
        messages = [
            pa.array(np.full(size, message, dtype=object), type=pa.large_string())
            if isinstance(message, str)
            else pa.array(message, type=pa.large_string())
            for size, message in zip(sizes, self.messages, strict=True)
        ]
        frame = pd.DataFrame(
            {
                "row": np.concatenate(self.rows).astype(np.int64),
                "column": pd.array(
                    np.repeat(np.array(self.columns, dtype=object), sizes),
                    dtype=_contract.STRING_DTYPE,
                ),
                "code": pd.array(
                    np.repeat(np.array(self.codes, dtype=object), sizes),
                    dtype=_contract.STRING_DTYPE,
                ),
                "message": pd.array(pa.chunked_array(messages), dtype=_contract.STRING_DTYPE),
            }
        )
        # Row order, then the order of the columns in the table (the collector's order).
        order = np.lexsort((np.repeat(np.arange(len(sizes)), sizes), frame["row"].to_numpy()))
        frame = frame.take(order).reset_index(drop=True)
        # The rows as the user sees them (a CSV's physical line, a sheet row): each distinct row
        # located once.
        index = frame["row"].to_numpy()
        distinct, inverse = np.unique(index, return_inverse=True)
        if located(source):
            numbers = row_numbers(source, distinct)
            where = pa.array(locate_rows(source, distinct), pa.large_string())
        else:
            # A table built in memory: its 0-based rows, said without a string per row in Python.
            numbers = distinct.astype(np.int64)
            where = _join("row ", pa.array(distinct.astype(str)), "")
        where = where.take(pa.array(inverse))
        frame["index"] = index
        frame["row"] = numbers[inverse]
        frame["location"] = pd.array(where, dtype=_contract.STRING_DTYPE)
        return frame


def _text(series: pd.Series, rows: np.ndarray) -> pa.Array:
    """The values at ``rows`` as text, for messages."""
    return pc.cast(
        pa.array(series.take(rows).astype(object).to_numpy(), from_pandas=True), pa.large_string()
    )


def _join(prefix: str, values: pa.Array, suffix: str) -> pa.Array:
    text = pc.fill_null(pc.cast(values, pa.large_string()), "")
    return pc.binary_join_element_wise(
        pa.scalar(prefix, pa.large_string()),
        text,
        pa.scalar(suffix, pa.large_string()),
        pa.scalar("", pa.large_string()),
    )


def _dates_text(values: np.ndarray) -> pa.Array:
    return pa.array(np.datetime_as_string(values.astype("datetime64[D]")), type=pa.large_string())


class _TableColumns:
    """The typed table's columns for the column tests (each converted once, on first use)."""

    def __init__(self, typed: pd.DataFrame) -> None:
        self.typed = typed
        self._cols: dict[str, Col] = {}
        self._ymd: dict[str, np.ndarray] = {}

    def col(self, name: str) -> Col:
        col = self._cols.get(name)
        if col is None:
            col = to_col(self.typed[name], vocabulary=COLUMN_VOCABULARIES.get(name))
            self._cols[name] = col
        return col

    def converted(self, names: tuple[str, ...]) -> list[Col]:
        """Those of columns ``names`` already converted (none is converted for the asking)."""
        return [self._cols[name] for name in names if name in self._cols]

    def valid(self, name: str) -> np.ndarray:
        # Asking whether a key is empty should not dictionary-encode a million distinct ids.
        col = self._cols.get(name)
        if col is not None:
            return col.valid
        return np.asarray(self.typed[name].notna().to_numpy(dtype=bool))

    def ymd(self, name: str) -> np.ndarray:
        ymd = self._ymd.get(name)
        if ymd is None:
            col = self.col(name)
            ymd = self._ymd[name] = ymd_of(col.values, col.valid)
        return ymd


def validate_participations(
    participations: pd.DataFrame,
    *,
    today: dt.date | None = None,
    min_age: int | None = None,
    completeness: Completeness = DEFAULT_COMPLETENESS,
    project: Any = None,
) -> ValidationReport:
    """Check every row of a participation table against the contract; never drop a row.

    Checks: required values present (``participant_id``, ``project_code``, ``gender``,
    ``birth_date``, ``entry_date``, ``labour_status``, ``isced``), known gender and labour
    status, ISCED 0-8, birth date not after entry date, exit not before entry, no birth, entry
    or exit date after ``today`` (the as-of date; today by default), an age at entry of at most
    120 (a birth date in 1800 is a mistake, and the report leaves it out too), no exact
    duplicate of an earlier row (the message names that row), an empty row as one problem,
    region a NUTS-2 code RO11..RO42 and, when the table has a ``cnp`` column, a valid CNP whose
    sex and birth date agree with ``gender`` and ``birth_date`` and that is under one
    participant id only. The contract sets no minimum age; ``min_age`` asks for one. With a
    ``project`` (a :class:`~inclusionkit.models.Project`), every row's ``project_code`` is the
    project's and its entry and exit dates are within the project's period. Text cells that do
    not parse are reported too. Accepted plus rejected is always the input.

    The completeness tests are the ones :func:`~inclusionkit.compute` counts by (``completeness``
    picks them, by default today's fields): a row without problems is counted, and a
    participation a report leaves out is a problem here under its ``excluded`` reason. Codes
    come from the catalogue, :class:`~inclusionkit.ProblemCode`.
    """
    today = today or dt.date.today()
    frame = participations.reset_index(drop=True)
    missing_columns = [name for name in COLUMN_NAMES if name not in frame.columns]
    if missing_columns:
        raise ValidationError(
            [
                Problem(
                    code=ProblemCode.COLUMN_MISSING,
                    message=f"the canonical column {name!r} is missing",
                    column=name,
                )
                for name in missing_columns
            ]
        )
    empty = _empty_rows(frame)
    collector = _Collector()
    collector.add(empty, "", ProblemCode.ROW_EMPTY, "the row is empty: remove it")
    # An empty row is one problem, not one per required column.
    collector.skip = empty if empty.any() else None
    typed = _typed(frame, collector)
    columns = _TableColumns(typed)
    failed = failures(completeness.checks(), columns)
    for test, mask in failed:
        collector.add(mask, test.column, test.code, _detail(test, columns))
    _date_checks(collector, typed, columns, today, min_age, project)
    if project is not None:
        _project_code_check(collector, columns, str(project.code))
    if "cnp" in frame.columns:
        _cnp_checks(collector, frame, columns, today, participations)
    repeats, first = _duplicates(frame, columns)
    if repeats.size:
        originals = dict(zip(repeats.tolist(), locate_rows(participations, first), strict=True))
        duplicate = np.zeros(len(frame), dtype=bool)
        duplicate[repeats] = True
        collector.add(
            duplicate,
            "",
            ProblemCode.ROW_DUPLICATE,
            lambda rows: pa.array(
                [f"the row repeats {originals[int(row)]} exactly" for row in rows],
                pa.large_string(),
            ),
        )
    problems = collector.frame(participations)
    problems.loc[problems["column"] == "", "column"] = pd.NA
    # Only errors reject a row; a warning is reported and the row kept.
    errors = problems["code"].isin(_ERRORS).to_numpy(dtype=bool)
    bad = np.zeros(len(frame), dtype=bool)
    bad[problems["index"].to_numpy()[errors]] = True
    return ValidationReport(
        problems=problems, rows=len(frame), source=participations, rejected_mask=bad
    )


def _empty_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with no value in any column (a line of separators only).

    A row is given as soon as one column has a value, so the cheap null masks of the typed
    columns come first, and text (which must be trimmed to tell a blank from a value) is looked
    at only in the rows still without a value: a table whose dates are all there trims nothing.
    """
    given = np.zeros(len(frame), dtype=bool)
    texts = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            texts.append(name)
            continue
        given |= values.notna().to_numpy(dtype=bool)
        if given.all():
            return ~given
    for name in texts:
        rest = np.flatnonzero(~given)
        if rest.size == 0:
            break
        values = frame[name].iloc[rest]
        text = values.astype("string").str.strip()
        present = values.notna().to_numpy(dtype=bool) & (text != "").fillna(False).to_numpy(
            dtype=bool
        )
        given[rest[present]] = True
    return ~given


def _date_checks(
    collector: _Collector,
    typed: pd.DataFrame,
    columns: _TableColumns,
    today: dt.date,
    min_age: int | None,
    project: Any,
) -> None:
    """Dates after the as-of date, outside the project's period, and implausible ages."""
    birth, entry = columns.col("birth_date"), columns.col("entry_date")
    limit = date_to_days(today)
    future = birth.valid & (birth.values > limit)
    collector.add(
        future,
        "birth_date",
        ProblemCode.BIRTH_DATE_IN_FUTURE,
        _after(typed, "birth_date", f" is after the as-of date ({today.isoformat()})"),
    )
    for name, code in (
        ("entry_date", ProblemCode.ENTRY_DATE_IN_FUTURE),
        ("exit_date", ProblemCode.EXIT_DATE_IN_FUTURE),
    ):
        col = columns.col(name)
        collector.add(
            col.valid & (col.values > limit),
            name,
            code,
            _after(typed, name, f" is after the as-of date ({today.isoformat()})"),
        )
    # A birth after entry is its own problem (a negative age); the age is not asked of it again.
    if min_age is not None:
        both = birth.valid & entry.valid & (birth.values <= entry.values)
        age = completed_years(columns.ymd("birth_date"), columns.ymd("entry_date"))
        collector.add(
            both & ~future & (age < min_age),
            "birth_date",
            ProblemCode.AGE_BELOW_MINIMUM,
            lambda rows: _join(
                "age at entry ", pa.array(age[rows].astype(str)), f" is below {min_age}"
            ),
        )
    if project is None:
        return
    start, end = project.period.start, project.period.end
    words = f"{start.isoformat()} to {end.isoformat() if end else 'open'}"
    for name, code in (
        ("entry_date", ProblemCode.ENTRY_DATE_OUTSIDE_PROJECT),
        ("exit_date", ProblemCode.EXIT_DATE_OUTSIDE_PROJECT),
    ):
        col = columns.col(name)
        outside = col.values < date_to_days(start)
        if end is not None:
            outside |= col.values > date_to_days(end)
        collector.add(
            col.valid & outside,
            name,
            code,
            _after(typed, name, f" is outside the project's period ({words})"),
        )


def _after(typed: pd.DataFrame, name: str, words: str) -> Callable[[np.ndarray], pa.Array]:
    return lambda rows: _join(f"{name} ", _dates_text(typed[name].to_numpy()[rows]), words)


def _project_code_check(collector: _Collector, columns: _TableColumns, code: str) -> None:
    col = columns.col("project_code")
    categories = np.array([*col.categories, code], dtype=object)
    other = col.valid & (categories[np.where(col.valid, col.values, len(categories) - 1)] != code)
    collector.add(
        other,
        "project_code",
        ProblemCode.PROJECT_CODE_OTHER,
        lambda rows: _join(
            "project_code ",
            pa.array(categories[col.values[rows]].astype(str)),
            f" is not the project's ({code})",
        ),
    )


def _detail(test: ColumnTest, columns: _TableColumns) -> Callable[[np.ndarray], Any]:
    return lambda rows: test.detail(columns, rows)


def _typed(frame: pd.DataFrame, collector: _Collector) -> pd.DataFrame:
    """The canonical columns in canonical dtypes; text cells that do not parse are problems."""
    untyped = [name for name in COLUMN_NAMES if frame[name].dtype != _contract.DTYPES[name]]
    if not untyped:
        return frame
    typed = normalise_participations(frame, keep_extra=True, on_error="coerce")
    for name in untyped:
        kind = DTYPES_KIND[name]
        if kind == "string":
            continue  # any text is a string
        raw = frame[name]
        text = raw.astype("string").str.strip()
        given = (text.notna() & (text != "")).to_numpy(dtype=bool)
        lost = given & typed[name].isna().to_numpy(dtype=bool)
        collector.add(lost, name, ProblemCode.unreadable(kind), _unparseable_message(raw, name))
    return typed


def _unparseable_message(raw: pd.Series, name: str) -> Callable[[np.ndarray], pa.Array]:
    words = _KIND_WORDS[DTYPES_KIND[name]]
    return lambda rows: _join("", _text(raw, rows), f" cannot be read as {words}")


DTYPES_KIND: Mapping[str, str] = {c.name: c.kind for c in COLUMNS}
_KIND_WORDS = {
    "string": "text",
    "date": "a date (YYYY-MM-DD or DD.MM.YYYY)",
    "bool": "true/false",
    "int": "a whole number",
}


def _cnp_checks(
    collector: _Collector,
    frame: pd.DataFrame,
    columns: _TableColumns,
    today: dt.date,
    source: pd.DataFrame,
) -> None:
    from inclusionkit.ro import check_cnp_column

    raw = frame["cnp"]
    given = raw.astype("string").str.strip()
    present = (given.notna() & (given != "")).to_numpy(dtype=bool)
    if not present.any():
        return
    checked = check_cnp_column(given.where(present, None), today=today)
    valid = checked["valid"].to_numpy(dtype=bool)
    reasons = checked["reason"]
    # An empty CNP is allowed (not everyone has one); a CNP that is there must be right.
    collector.add(
        present & ~valid,
        "cnp",
        ProblemCode.CNP_INVALID,
        lambda rows: _join("the CNP is not valid (", _text(reasons, rows), ")"),
    )
    sex = checked["sex"].astype("string")
    gender = columns.col("gender")
    gender_text = np.array([*gender.categories, ""], dtype=object)[gender.values]
    sex_text = sex.fillna("").to_numpy(dtype=object)
    binary = np.isin(gender_text, ["female", "male"])
    mismatch = present & valid & (sex_text != "") & binary & (sex_text != gender_text)
    collector.add(
        mismatch,
        "gender",
        ProblemCode.CNP_SEX_MISMATCH,
        lambda rows: _join("the CNP says ", _text(sex, rows), "; gender says otherwise"),
    )
    _several_ids(collector, given, present, frame["participant_id"], source)
    cnp_birth = checked["birth_date"].to_numpy().astype("datetime64[D]").view(np.int64)
    cnp_known = present & valid & ~np.isnat(checked["birth_date"].to_numpy())
    birth = columns.col("birth_date")
    differs = cnp_known & birth.valid & (cnp_birth != birth.values)
    collector.add(
        differs,
        "birth_date",
        ProblemCode.CNP_BIRTH_DATE_MISMATCH,
        lambda rows: _join(
            "the CNP says born ",
            _dates_text(checked["birth_date"].to_numpy()[rows]),
            "; birth_date says otherwise",
        ),
    )


def _several_ids(
    collector: _Collector,
    cnp: pd.Series,
    present: np.ndarray,
    participant_id: pd.Series,
    source: pd.DataFrame,
) -> None:
    """Rows whose CNP is also given under another participant id (one person, two ids)."""
    rows = np.flatnonzero(present)
    person, _ = pd.factorize(cnp.to_numpy()[rows])
    ids, _ = pd.factorize(participant_id.astype("string").to_numpy()[rows], use_na_sentinel=True)
    pairs = np.unique(np.stack([person, ids]), axis=1)
    distinct = np.bincount(pairs[0], minlength=int(person.max(initial=-1)) + 1)
    several = distinct[person] > 1
    if not several.any():
        return
    # Each such person's first row, to point at; no CNP is quoted.
    first = np.full(distinct.shape[0], -1, dtype=np.int64)
    order = np.argsort(person, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(person[order])) + 1]
    first[person[order][starts]] = rows[order][starts]
    flagged = rows[several]
    firsts = first[person[several]]
    where = dict(zip(flagged.tolist(), locate_rows(source, firsts), strict=True))
    counts = dict(zip(flagged.tolist(), distinct[person[several]].tolist(), strict=True))
    mask = np.zeros(len(cnp), dtype=bool)
    mask[flagged] = True
    collector.add(
        mask,
        "cnp",
        ProblemCode.CNP_SEVERAL_IDS,
        lambda at: pa.array(
            [
                f"the same CNP is under {counts[int(r)]} participant ids (first at "
                f"{where[int(r)]}): one person would be counted more than once"
                for r in at
            ],
            pa.large_string(),
        ),
    )


# The typed columns a row's content hash reads, those of them the checks have coded already
# (dates as days, text as small codes, numbers as numbers; missing as one fixed value).
_CONTENT_COLUMNS = (
    "birth_date",
    "entry_date",
    "exit_date",
    "gender",
    "labour_status",
    "isced",
    "region",
)
_ODD = np.uint64(0x9E3779B97F4A7C15)


def _content_hash(columns: _TableColumns) -> np.ndarray:
    """A 64-bit hash of each row's dates and coded values: rows equal in the table hash alike.

    The typed cells are one function of the cells given, so equal rows have equal codes here;
    unequal rows may collide (the hash only narrows the rows to compare, never decides).
    """
    n = len(columns.typed)
    h = np.zeros(n, dtype=np.uint64)
    wide = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in columns.converted(_CONTENT_COLUMNS):
            np.multiply(h, _ODD, out=h)
            if col.values.dtype == np.int64:
                np.bitwise_xor(h, col.values.view(np.uint64), out=h)
            else:
                # Codes and small numbers widened in place (no new array per column).
                np.copyto(wide, col.values, casting="unsafe")
                np.bitwise_xor(h, wide, out=h)
    return finalise(h)


def _duplicates(frame: pd.DataFrame, columns: _TableColumns) -> tuple[np.ndarray, np.ndarray]:
    """The rows that repeat an earlier row exactly (every column equal, missing equal missing),
    each with the first row it repeats.

    Equal rows are equal in any few columns, so the search narrows before it compares: first
    to rows whose dates and coded values (:func:`_content_hash`, from columns the checks have
    already read) are shared, then to those whose (project_code, participant_id) key repeats (or
    is incomplete) and whose key and dates repeat exactly; only those few are compared in every
    column. A table of distinct people hashes no text at all but the few ids left.
    """
    n = len(frame)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    shared = candidates_of(_content_hash(columns))
    if shared.size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    index = pa.array(shared)
    project = arrow_chunks(frame["project_code"]).take(index)
    person = arrow_chunks(frame["participant_id"]).take(index)
    repeated, groups = duplicated_keys(project, person)
    keyed = np.ones(shared.size, dtype=bool)
    for key in (project, person):
        if key.null_count:
            keyed &= key.is_valid().to_numpy(zero_copy_only=False)
    # A row without a full key is compared too; its group is -1 (no key to share).
    number = np.full(shared.size, -1, dtype=np.int64)
    number[repeated] = groups
    kept = np.flatnonzero((number >= 0) | ~keyed)
    candidates, key_group = shared[kept], number[kept]
    if candidates.size > 1:
        # Keep the rows whose key group and dates repeat (pandas' own equality, on these only).
        narrow = pd.DataFrame(
            {
                "key": key_group,
                **{
                    name: frame[name].take(candidates).reset_index(drop=True)
                    for name in ("birth_date", "entry_date", "exit_date")
                },
            }
        )
        candidates = candidates[narrow.duplicated(keep=False).to_numpy(dtype=bool)]
    if candidates.size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Exact comparison of those rows, in input order, so the first of equals is kept.
    rows = frame.iloc[candidates]
    same = rows.duplicated(keep="first").to_numpy(dtype=bool)
    if not same.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # The first of each group of equal rows: number the groups by the rows' content.
    group = rows.groupby(list(rows.columns), dropna=False, sort=False).ngroup().to_numpy()
    first_of = pd.Series(candidates).groupby(group).transform("min").to_numpy()
    return candidates[same].astype(np.int64), first_of[same].astype(np.int64)


def _rejected(
    participations: pd.DataFrame, problems: pd.DataFrame, bad: np.ndarray
) -> pd.DataFrame:
    rows = np.flatnonzero(bad)
    rejected = participations.iloc[rows].reset_index(drop=True)
    if rows.size == 0:
        rejected.insert(0, "row", np.zeros(0, dtype=np.int64))
        rejected.insert(1, "index", np.zeros(0, dtype=np.int64))
        rejected.insert(2, "codes", pd.array([], dtype=_contract.STRING_DTYPE))
        rejected.insert(3, "message", pd.array([], dtype=_contract.STRING_DTYPE))
        return rejected
    # Problems are sorted by row: join the k-th problem of every row for k = 0, 1, ... (rows
    # rarely have more than two), instead of grouping row by row.
    problem_rows = problems["index"].to_numpy()
    group = np.searchsorted(rows, problem_rows)
    starts = np.searchsorted(problem_rows, rows)
    rank = np.arange(problem_rows.shape[0]) - starts[group]
    code_text = pa.array(problems["code"].astype(object).to_numpy(), type=pa.large_string())
    message_text = pa.array(problems["message"].astype(object).to_numpy(), type=pa.large_string())
    code_parts: list[pa.Array] = []
    message_parts: list[pa.Array] = []
    for k in range(int(rank.max()) + 1):
        index = np.full(rows.shape[0], -1, dtype=np.int64)
        at = rank == k
        index[group[at]] = np.flatnonzero(at)
        taken = pa.array(index, mask=index < 0)
        code_parts.append(code_text.take(taken))
        message_parts.append(message_text.take(taken))
    separator = pa.scalar("; ", pa.large_string())
    codes = pc.binary_join_element_wise(*code_parts, separator, null_handling="skip")
    messages = pc.binary_join_element_wise(*message_parts, separator, null_handling="skip")
    shown = problems["row"].to_numpy()[starts]
    rejected.insert(0, "row", shown.astype(np.int64))
    rejected.insert(1, "index", rows.astype(np.int64))
    rejected.insert(2, "codes", pd.array(codes, dtype=_contract.STRING_DTYPE))
    rejected.insert(3, "message", pd.array(messages, dtype=_contract.STRING_DTYPE))
    return rejected
