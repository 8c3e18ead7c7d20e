"""The records rules count: prepared participations and the populations of a project document.

Preparing participations follows ``participation-table.md`` ("Which rows are counted"):

1. **As-of.** Rows entering after the as-of date are left out; an exit after it is "not yet left".
2. **Re-entry.** Rows sharing (``project_code``, ``participant_id``) are one participation: the
   characteristics of the row with the earliest ``entry_date``, the latest ``exit_date`` (none if
   any row is still open) and the results of the row with the latest ``exit_date``.
3. **Completeness.** A participation failing a completeness test of the rule set (an empty or
   invalid value of one of its required fields, a gender it does not report) is *incomplete*:
   it counts in the grand total only (indicators with ``records: entered``) and is listed with
   its reason; one with no valid ``entry_date`` cannot be placed in time and counts in no
   indicator. The tests and their codes are the ones validation runs
   (:mod:`inclusionkit._rules._completeness`, codes from :class:`~inclusionkit.ProblemCode`).

A participation is never copied into a new table: it is a pair of row numbers into the input (the
row giving its characteristics and the row giving its results), so the merge costs nothing when
no key repeats (the usual case) and a few small sorts over the repeated rows when some do.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import threading
import weakref
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, TypeAlias

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit import _contract
from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._ingest import TypedTable, ingest, ingest_typed
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, normalise_participations
from inclusionkit._problems import ProblemCode
from inclusionkit._rules._columns import (
    Col,
    Column,
    TableColumns,
    from_numpy,
    is_all_valid,
    to_col,
)
from inclusionkit._rules._completeness import (
    DEFAULT_COMPLETENESS,
    ColumnTest,
    Completeness,
    first_failed,
    value_text,
)
from inclusionkit._rules._dates import (
    completed_years,
    date_to_days,
    date_to_ymd,
    last_exit_observed,
    ymd_of,
)
from inclusionkit._rules._keys import group_candidates, key_candidates, key_text
from inclusionkit._rules._language import TRUE, Evaluator, Node
from inclusionkit._rules._populations import (
    DERIVED,
    LIST_SEPARATOR,
    POPULATION_COLUMNS,
    is_result_column,
)
from inclusionkit._rules._ruleset import Aggregate, RuleSet, check_aggregate, load_ruleset
from inclusionkit.models._vocabulary import COLUMN_VOCABULARIES

_MIN_INT64 = np.iinfo(np.int64).min

EXCLUDED_COLUMNS: tuple[str, ...] = ("project_code", "participant_id", "row", "reason", "message")
EXCLUDED_TEXT: tuple[str, ...] = ("project_code", "reason", "message")
"""The excluded list's repeated text columns: categoricals (see :func:`excluded_list`)."""


def parse_as_of(value: Any) -> dt.date | None:
    """An as-of date from a date, datetime, ``YYYY-MM-DD`` or ``DD.MM.YYYY`` text, or ``None``."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        day: dt.date = value.date()
        return day
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise InclusionKitError(f"{value!r} is not a date; use YYYY-MM-DD")


def as_table(
    participations: pd.DataFrame | str | os.PathLike[str],
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """A canonical participation table from a DataFrame or the path of a participation file.

    A path goes through the ingestion pipeline (:func:`inclusionkit.read_participations`: any
    registered format, headers and values mapped, text cleaned), keeping any extra columns, or
    only ``columns`` (a projection: the file's other columns are neither typed nor kept). A
    DataFrame whose canonical columns already have the canonical dtypes is used as it is (no
    copy); otherwise it is normalised (text cells cleaned and parsed), keeping extra columns.
    """
    if isinstance(participations, str | os.PathLike):
        return ingest(participations, keep_extra=True, columns=columns)
    if not isinstance(participations, pd.DataFrame):
        raise InclusionKitError(
            "participations must be a pandas DataFrame or the path of a participation file "
            "(.csv, .parquet, .json, or a plugin's format such as .xlsx), "
            f"not {type(participations).__name__}"
        )
    frame = participations
    missing = [name for name in COLUMN_NAMES if name not in frame.columns]
    typed = not missing and all(
        frame[name].dtype == _contract.DTYPES[name] for name in COLUMN_NAMES
    )
    if typed and isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0:
        return frame
    if typed:
        return frame.reset_index(drop=True)
    try:
        return normalise_participations(frame, keep_extra=True)
    except ValidationError:
        raise
    except (TypeError, ValueError) as exc:
        raise InclusionKitError(f"cannot read the participation table: {exc}") from None


def typed_table(path: str | os.PathLike[str], columns: Collection[str] | None = None) -> TypedTable:
    """A participation file read as :func:`as_table` reads it, up to the typed Arrow table
    (what the engine counts from a file: no pandas frame of every row) and where its rows are."""
    return ingest_typed(path, keep_extra=True, columns=columns)


_NOT_TIEBREAKERS = frozenset({"participant_id", "project_code", "birth_date"})

_KEPT = frozenset({"project_code", "participant_id"})
"""The columns an Arrow table keeps while counting: the excluded list reads their text."""


class PreparedParticipations:
    """Participations after the as-of cut, the re-entry merge and the completeness test.

    Every input row keeps its position (nothing is copied): ``active`` marks the rows that stand
    for a participation (not entered after the as-of date, not a re-entry folded into the row
    of an earlier entry), ``placed`` the active rows with a valid entry date (the grand total),
    ``counted`` the active rows that are complete. When re-entries are
    merged, the row of the earliest entry stands for the participation and only its exit date
    and results are replaced (by the merged exit and the results of the latest exit).

    ``several_partners`` counts the participations (persons of a project) whose rows name more
    than one partner. With ``per_partner`` (a report by partner) such a person is one
    participation per partner that served them: re-entries are merged within each partner.

    ``tiebreak`` says whose content breaks a tie between re-entry rows of the same date: groups
    of columns, each hashed apart, the first deciding first (default: one group, every
    canonical column). A report passes the columns its rule set reads, then its breakdowns'
    (:func:`~._partition.tiebreak_columns`): the rule set's columns alone choose among rows that
    count differently, so a breakdown cannot change a total; rows equal on every column counting
    reads count alike, whichever is chosen; and the table may hold those columns only (a
    projection) and give the same report.

    With a ``pool`` (an executor of other threads), the ``early`` columns are converted
    there while this thread finds the re-entries: coding text columns (Arrow kernels) and
    hashing the keys (numpy) both run without Python's lock, so a second core shortens the
    preparation. The completeness tests of the columns the merge leaves alone run there too,
    while this thread groups and merges the re-entries. Nothing else changes: each column is
    still converted once, the same way, and each test gives the same mask.
    """

    def __init__(
        self,
        table: pd.DataFrame | pa.Table | TableColumns,
        as_of: dt.date | None,
        completeness: Completeness = DEFAULT_COMPLETENESS,
        *,
        per_partner: bool = False,
        tiebreak: Sequence[Sequence[str]] | None = None,
        pool: Executor | None = None,
        early: Sequence[str] = (),
    ) -> None:
        # A pandas frame (an in-memory table) or the typed Arrow table a file was read into.
        self.table = table = TableColumns(table)
        self.as_of = as_of
        self.completeness = completeness
        self.per_partner = per_partner
        self.tiebreak = (
            (COLUMN_NAMES,) if tiebreak is None else tuple(tuple(group) for group in tiebreak)
        )
        self.input_rows = len(table)
        self.size = self.input_rows
        self._input_cols: dict[str, Col] = {}
        self._patched: dict[str, Col] = {}
        # Held while a column is converted or derived: with a pool, counting's threads read
        # columns at once, and each is still converted once (its Arrow buffers let go after).
        self.lock = threading.RLock()
        # The series are taken here, in this thread; the other thread only converts them.
        self._early: dict[str, Future[Col]] = (
            {
                name: pool.submit(_convert, name, table[name])
                for name in dict.fromkeys(early)
                if name in table
            }
            if pool is not None
            else {}
        )
        self.as_of_days = None if as_of is None else date_to_days(as_of)
        self.as_of_ymd = None if as_of is None else date_to_ymd(as_of)
        self._merged = False
        self._merge_rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        # The source refers back to this object weakly: a cycle would keep each partition's
        # columns alive until the garbage collector runs (a streaming run at 10M rows peaked
        # at twice its memory). Whoever holds the source holds this object too (Grouping).
        # One source for the tests and for counting: a column or derived value (the dates'
        # yyyymmdd, which the age test and the age at entry share) is computed once.
        self.source = ParticipationSource(weakref.proxy(self))
        tests = self.completeness.tests()
        tested = self._merge(pool, tests)
        # The re-entry ties and partners were read from the table: from here on each column is
        # read once, converted, and its Arrow buffers let go (:meth:`input_col`). Under the
        # lock: the pool may be converting a column for the completeness tests meanwhile.
        with self.lock:
            self._merged = True
            self.table.release([name for name in self._input_cols if name not in _KEPT])
        self._completeness(tests, tested)

    def let_go(self, names: Sequence[str]) -> None:
        """Let the input table's columns ``names`` go (an Arrow table's:
        :meth:`TableColumns.release`), columns nothing reads any more, converted or not (the
        key text, once the excluded list is built)."""
        with self.lock:
            self.table.release(names)

    def input_col(self, name: str) -> Col:
        """A column of the input table as a :class:`Col` (converted once)."""
        col = self._input_cols.get(name)
        if col is not None:
            return col
        with self.lock:
            return self._input_col(name)

    def prefetch(self, names: Sequence[str], pool: Executor) -> None:
        """Have ``pool`` convert the input columns ``names`` (those not converted nor asked
        for yet), for :meth:`input_col` to find done. A conversion the pool has not started
        when its column is asked for is done by the asking thread instead (the pool may be busy
        with other work): the same conversion, either way."""
        with self.lock:
            for name in dict.fromkeys(names):
                if (
                    name in self._input_cols
                    or name in self._early
                    or name in self._patched
                    or name not in self.table
                ):
                    continue
                self._early[name] = pool.submit(_convert, name, self.table[name])

    def _input_col(self, name: str) -> Col:
        col = self._input_cols.get(name)
        if col is None:
            early = self._early.pop(name, None)
            if early is not None and not early.cancel():
                col = early.result()
            elif name not in self.table:
                raise InclusionKitError(f"the participation table has no column {name!r}")
            else:
                col = _convert(name, self.table[name])
            self._input_cols[name] = col
            if self._merged and name not in _KEPT:
                self.table.release([name])
        return col

    def column(self, name: str) -> Col:
        """Column ``name`` for every row (merged exit date and results where re-entries were
        folded together)."""
        col = self._patched.get(name)
        if col is not None:
            return col
        with self.lock:
            if name in self._patched:
                return self._patched[name]
            if self._merge_rows is not None and (name == "exit_date" or is_result_column(name)):
                self._patched[name] = self._patch(name)
                return self._patched[name]
            return self.input_col(name)

    # -- as-of and re-entry

    def _merge(self, pool: Executor | None, tests: Sequence[ColumnTest]) -> Future[_Failed] | None:
        """Cut at the as-of date and merge re-entries. With a ``pool``, the completeness tests
        of columns the merge leaves as they are (every one but the exit date and the results)
        are started there once the re-entry candidates are found (the pool's share of finding
        them done), while this thread groups them and merges: returned as a future."""
        n = self.input_rows
        entry = self.input_col("entry_date")
        # Read here, not under the pool's tests (which hold the lock while converting a column).
        exit_col = self.input_col("exit_date")
        active = np.ones(n, dtype=bool)
        self.rows_after_as_of = 0
        self.after_as_of = np.zeros(n, dtype=bool)
        if self.as_of_days is not None:
            after = entry.valid & (entry.values > self.as_of_days)
            self.rows_after_as_of = int(np.count_nonzero(after))
            self.after_as_of = after
            active &= ~after
        project_code, participant_id = key_text(
            self.table.text("project_code"), self.table.text("participant_id")
        )
        candidates = key_candidates(
            project_code,
            participant_id,
            include=active if self.rows_after_as_of else None,
            pool=pool,
        )
        early = None
        unchanged = [test for test in tests if not _merge_changes(test)]
        if pool is not None and unchanged:
            early = pool.submit(_failed, unchanged, self.source, n)
        dup_rows, groups = group_candidates(project_code, participant_id, candidates)
        del project_code, participant_id, candidates
        self.merged = 0
        self.several_partners = 0
        if dup_rows.size and "partner" in self.table:
            dup_rows, groups = self._partners(dup_rows, groups)
        if dup_rows.size:
            char, res, exit_days, exit_valid = self._merge_repeated(
                dup_rows, groups, entry, exit_col
            )
            active[dup_rows] = False
            active[char] = True
            self.merged = int(dup_rows.shape[0] - char.shape[0])
            # The pool's tests read no column this patches (:func:`_merge_changes`).
            self._merge_rows = (char, res, exit_days, exit_valid)
        self.active = active
        self.participations = int(np.count_nonzero(active))
        return early

    def _partners(self, dup_rows: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Count the groups of repeated keys whose rows name several partners; with
        ``per_partner``, split each group by partner (a group of one row is no re-entry)."""
        partners = self.table.rows(dup_rows, ["partner"])["partner"]
        partner, names = pd.factorize(partners, use_na_sentinel=False)
        pairs, split = np.unique(groups * len(names) + partner, return_inverse=True)
        self.several_partners = int(np.count_nonzero(np.bincount(pairs // len(names)) > 1))
        if not self.per_partner or not self.several_partners:
            return dup_rows, groups
        repeated = np.bincount(split)[split] > 1
        _, groups = np.unique(split[repeated], return_inverse=True)
        return dup_rows[repeated], groups.astype(np.int64)

    def _merge_repeated(
        self, dup_rows: np.ndarray, groups: np.ndarray, entry: Col, exit_col: Col
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        # A missing entry date sorts first: the earliest row is then unknown, hence incomplete.
        entry_key = np.where(
            entry.valid[dup_rows], entry.values[dup_rows].astype(np.int64), _MIN_INT64
        )
        exit_key = np.where(
            exit_col.valid[dup_rows], exit_col.values[dup_rows].astype(np.int64), _MIN_INT64
        )
        char = dup_rows[self._pick(dup_rows, groups, entry_key, first=True)]
        res = dup_rows[self._pick(dup_rows, groups, exit_key, first=False)]
        count = char.shape[0]
        still_open = np.bincount(groups[~exit_col.valid[dup_rows]], minlength=count) > 0
        return char, res, exit_col.values[res], exit_col.valid[res] & ~still_open

    def _pick(
        self, dup_rows: np.ndarray, groups: np.ndarray, keys: np.ndarray, *, first: bool
    ) -> np.ndarray:
        """Per group, the position (in ``dup_rows``) of the row with the smallest (``first``)
        or largest key. Ties are broken by the rows' content, never by their position, so
        shuffling the input cannot change which row's values are used."""
        order = _group_order(groups, keys)
        sorted_groups, sorted_keys = groups[order], keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
        ends = np.r_[starts[1:] - 1, sorted_groups.shape[0] - 1]
        chosen = starts if first else ends
        other = chosen + 1 if first else chosen - 1
        inside = (other >= 0) & (other < sorted_groups.shape[0])
        other = np.clip(other, 0, sorted_groups.shape[0] - 1)
        tied = (
            inside
            & (sorted_groups[other] == sorted_groups[chosen])
            & (sorted_keys[other] == sorted_keys[chosen])
        )
        if not tied.any():
            return np.asarray(order[chosen])
        # Hash the content of the rows of tied groups only (usually none, always few).
        tied_groups = np.zeros(int(groups.max()) + 1, dtype=bool)
        tied_groups[sorted_groups[chosen[tied]]] = True
        in_tied = np.flatnonzero(tied_groups[groups])
        read = {name for group in self.tiebreak for name in group} | {"birth_date", "entry_date"}
        rows = self.table.rows(dup_rows[in_tied], [n for n in self.table.names if n in read])
        # Most significant first; lexsort takes its keys least significant first.
        hashes = [
            self._content_hash(rows, group, in_tied, groups.shape[0]) for group in self.tiebreak
        ]
        order = np.lexsort((*reversed(hashes), keys, groups))
        return np.asarray(order[chosen])

    @staticmethod
    def _content_hash(
        rows: pd.DataFrame, columns: Sequence[str], at: np.ndarray, size: int
    ) -> np.ndarray:
        """A hash of ``rows`` over ``columns``, placed at positions ``at`` of ``size`` zeros."""
        hashed = np.zeros(size, dtype=np.uint64)
        # The key columns are equal within a group, and the birth date is what anonymisation
        # coarsens: leaving them out keeps the choice the same for a renamed or anonymised table.
        # The age at entry stands in for the birth date.
        content = rows[[c for c in columns if c not in _NOT_TIEBREAKERS]]
        if "birth_date" in columns:
            birth, entry = rows["birth_date"], rows["entry_date"]
            before_birthday = (entry.dt.month * 100 + entry.dt.day) < (
                birth.dt.month * 100 + birth.dt.day
            )
            # Always Int64: a float column (a tied row without a birth date) would hash apart.
            age = (entry.dt.year - birth.dt.year - before_birthday.astype("Int64")).astype("Int64")
            content = content.assign(age_at_entry=age)
        if content.shape[1]:
            hashed[at] = pd.util.hash_pandas_object(content, index=False).to_numpy()
        return hashed

    def _patch(self, name: str) -> Col:
        assert self._merge_rows is not None
        char, res, exit_days, exit_valid = self._merge_rows
        col = self.input_col(name)
        # The input's own column is not read again once patched: drop it (asked for again, it
        # would be converted again).
        del self._input_cols[name]
        new_valid = exit_valid if name == "exit_date" else col.valid[res]
        values = self._own(col.values)
        if is_all_valid(col.valid) and new_valid.all():
            valid = col.valid
        else:
            valid = self._own(col.valid)
            valid[char] = new_valid
        values[char] = exit_days if name == "exit_date" else col.values[res]
        return Col(kind=col.kind, values=values, valid=valid, categories=col.categories)

    def _own(self, array: np.ndarray) -> np.ndarray:
        """``array`` to patch in place: itself when this engine made it (a writable array
        converted from an Arrow table, which nobody else holds), else a copy (a pandas frame's
        own column, an Arrow buffer, the shared all-valid mask)."""
        return array if self.table.arrow and array.flags.writeable else array.copy()

    # -- completeness

    def _completeness(self, tests: Sequence[ColumnTest], early: Future[_Failed] | None) -> None:
        source = self.source
        if early is None:
            failed, incomplete = _failed(tests, source, self.size)
        else:
            # The tests of columns the merge changes, here; the others' (the pool's) joined in
            # the tests' order, which decides each participation's reason.
            late = [test for test in tests if _merge_changes(test)]
            failed, incomplete = _failed(late, source, self.size)
            done, incomplete_early = early.result()
            incomplete |= incomplete_early
            del incomplete_early
            masks = dict(failed + done)
            failed = [(test, masks[test]) for test in tests]
        self.placed = self.active & source.valid("entry_date")
        self.placed_count = int(np.count_nonzero(self.placed))
        # Counted: active and complete (made in place, no other array of every row).
        self.counted = counted = np.logical_not(incomplete, out=incomplete)
        counted &= self.active
        del incomplete
        self.counted_count = int(np.count_nonzero(self.counted))
        self.all_counted = self.counted_count == self.size
        # The excluded rows are all excluded_frame reads of the tests' masks: keep those alone.
        self._excluded_rows = np.flatnonzero(self.active & ~self.counted)
        self._failures: list[tuple[ColumnTest, np.ndarray]] = [
            (test, _failing_at(failing, self._excluded_rows)) for test, failing in failed
        ]

    def excluded_frame(self) -> pd.DataFrame:
        """One row per participation not counted: key, input row, reason code and message.

        ``reason`` is the code of the first failing completeness test (in the order of
        :data:`~inclusionkit._rules._completeness.COLUMN_TESTS`); ``message`` gives the message
        of every failing test. A row entered after the as-of date is listed too, under the code
        ``validate`` gives it (``entry_date.in_future``): it is not counted, and never silently.
        Built by :func:`excluded_list`, as every engine's list is.
        """
        rows = self._excluded_rows
        at = np.arange(rows.shape[0])
        # Reason codes by number (the last one: entered after the as-of date), as Arrow text.
        names = [str(test.code) for test, _ in self._failures]
        codes = pa.array([*names, str(ProblemCode.ENTRY_DATE_IN_FUTURE)], type=pa.string())
        reason = first_failed(self._failures, at)
        none = pa.scalar(None, pa.string())
        parts = [
            pc.if_else(pa.array(failed), pa.scalar(test.code.message, pa.string()), none)
            for test, failed in self._failures
        ]
        message = (
            pc.binary_join_element_wise(*parts, "; ", null_handling="skip")
            if rows.size
            else pa.array([], type=pa.string())
        )
        after = np.flatnonzero(self.after_as_of)
        if after.size:
            assert self.as_of is not None
            entered = value_text(self.input_col("entry_date"), after)
            said = pc.binary_join_element_wise(
                pa.scalar("entry_date ", pa.large_string()),
                entered,
                pa.scalar(
                    f" is after the as-of date ({self.as_of.isoformat()}); not counted",
                    pa.large_string(),
                ),
                pa.scalar("", pa.large_string()),
            )
            rows = np.concatenate([rows, after])
            reason = np.concatenate([reason, np.full(after.size, len(codes) - 1)])
            message = pa.concat_arrays([message.cast(pa.large_string()), said])
        rows = rows.astype(np.int64)
        return excluded_list(
            project_code=text_categorical(self.table.text_at("project_code", rows)),
            participant_id=self.table.text_at("participant_id", rows),
            row=rows,
            reason=text_categorical(codes.take(pa.array(reason))),
            message=text_categorical(message),
        )


def _group_order(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """An order of positions sorting by ``groups`` (``0..k-1``), then ``keys`` (``int64``, a
    missing date ``_MIN_INT64``, first), tied positions in any order
    (:meth:`PreparedParticipations._pick` breaks ties by content).

    One sort of a combined key where it fits in ``int64`` (always, for days): a third of the
    time of a two-key ``lexsort``."""
    present = keys != _MIN_INT64
    if not present.any():
        return np.asarray(np.argsort(groups))
    low = int(keys.min(where=present, initial=np.iinfo(np.int64).max))
    high = int(keys.max(where=present, initial=_MIN_INT64))
    # 0 for a missing date, 1.. for the others in their order.
    width = high - low + 2
    if (int(groups.max()) + 1) * width >= 1 << 62:
        return np.asarray(np.lexsort((keys, groups)))
    combined = np.where(present, keys - (low - 1), 0)
    combined += groups.astype(np.int64) * width
    return np.asarray(np.argsort(combined))


_Failed: TypeAlias = "tuple[list[tuple[ColumnTest, np.ndarray]], np.ndarray]"
"""Each completeness test with the rows failing it (:func:`_failed`), and the rows failing any."""


def _failed(tests: Sequence[ColumnTest], source: ParticipationSource, size: int) -> _Failed:
    """``tests``' failures over ``source`` and the rows failing any (a new mask).

    Each test's mask is kept as the positions failing it (ascending), once joined to the rows
    failing any: most rows pass every test, and a dozen masks of every row (~120 MiB at 10M
    rows) would otherwise be held until the excluded rows are known. A test that more than
    an eighth of the rows fail keeps its mask (smaller then). :func:`_failing_at` reads
    either."""
    incomplete = np.zeros(size, dtype=bool)
    failed: list[tuple[ColumnTest, np.ndarray]] = []
    for test in tests:
        mask = test.failing(source)
        incomplete |= mask
        count = int(np.count_nonzero(mask))
        failed.append((test, mask if count > size // 8 else np.flatnonzero(mask)))
        del mask
    return failed, incomplete


def _failing_at(failing: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` (ascending positions) fail a test whose failures :func:`_failed`
    kept: a mask of every row, or the ascending positions failing it."""
    if failing.dtype == np.bool_:
        return np.asarray(failing[rows])
    if failing.size == 0:
        return np.zeros(rows.shape[0], dtype=bool)
    at = np.searchsorted(failing, rows)
    np.minimum(at, failing.size - 1, out=at)
    return np.asarray(failing[at] == rows)


def _merge_changes(test: ColumnTest) -> bool:
    """Whether ``test`` reads a column the re-entry merge patches (the exit date, a result)."""
    return any(
        name == "exit_date" or is_result_column(name)
        for name in (test.column, getattr(test, "other", ""))
        if name
    )


def _convert(name: str, series: Column) -> Col:
    """Input column ``name`` as a :class:`Col` (text coded against its vocabulary, if any)."""
    return to_col(series, vocabulary=COLUMN_VOCABULARIES.get(name))


def text_categorical(text: pa.Array | pa.ChunkedArray) -> pd.Categorical:
    """Arrow text as a categorical (:func:`codes_categorical`) of the values it holds."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    encoded = text.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes_categorical(codes, encoded.dictionary)


def codes_categorical(codes: np.ndarray, values: pa.Array) -> pd.Categorical:
    """Text given as ``codes`` (-1: missing) into ``values`` (distinct, in any order) as a
    categorical: its categories the canonical text dtype, sorted by code point (Arrow's order of
    UTF-8 bytes, pandas' order of text), so one list has the same categories whichever way, and
    in whatever pieces, it was built. No text is materialised per row."""
    order = np.asarray(pc.sort_indices(values).to_numpy(), dtype=np.int64)
    rank = np.empty(len(values) + 1, dtype=np.int64)
    rank[order] = np.arange(len(values))
    rank[-1] = -1  # code -1 (missing) stays -1
    categories = pd.Index(
        pd.array(values.take(pa.array(order)), dtype=_contract.DTYPES["project_code"])
    )
    return pd.Categorical.from_codes(
        rank[np.asarray(codes, dtype=np.int64)], dtype=pd.CategoricalDtype(categories)
    )


def excluded_list(
    *,
    project_code: pd.Categorical,
    participant_id: pa.Array | pa.ChunkedArray,
    row: np.ndarray,
    reason: pd.Categorical,
    message: pd.Categorical,
) -> pd.DataFrame:
    """The excluded list as a report gives it (``Report.excluded``), whatever the engine: one
    row per participation not counted, sorted by key (project code, participant id), then row.

    ``project_code``, ``reason`` and ``message`` are categoricals (of the canonical text dtype,
    categories sorted: :func:`codes_categorical`): they repeat over many rows, and a list of
    millions of rows held as text is most of a streaming run's memory. ``participant_id`` is
    the canonical text dtype, ``row`` an ``int64``.
    """
    if isinstance(participant_id, pa.ChunkedArray) and participant_id.num_chunks > 1:
        # One array first (the chunks let go): Arrow's take over many chunks joins them itself
        # and keeps the chunks too, three copies of the ids at once (~100 MiB more at the
        # peak of a 100M-row streaming report, whose list comes in one chunk per partition).
        participant_id = participant_id.combine_chunks()
    codes = np.asarray(project_code.codes)  # pandas picks a width that holds the categories count
    ranks = np.where(codes < 0, len(project_code.categories), codes)
    order = excluded_order(ranks, participant_id, row)
    del codes, ranks
    # Each column is taken in order and its input let go before the next (the caller keeps
    # none): at millions of rows the ids are the largest, taken first.
    ids = participant_id.take(pa.array(order))
    del participant_id
    columns: dict[str, Any] = {
        "project_code": project_code.take(order),
        "participant_id": pd.array(ids, dtype=_contract.DTYPES["participant_id"]),
    }
    del ids, project_code
    columns["row"] = np.asarray(row, dtype=np.int64)[order]
    del row
    columns["reason"] = reason.take(order)
    columns["message"] = message.take(order)
    return pd.DataFrame(columns, index=range(len(order)))


def excluded_order(
    project_code: pa.Array | pa.ChunkedArray,
    participant_id: pa.Array | pa.ChunkedArray,
    rows: np.ndarray,
) -> np.ndarray:
    """The order of an excluded list: by key (project code, participant id), then input row.

    Arrow compares text by its UTF-8 bytes, which is the order of code points (pandas' order),
    and puts a missing key last (its default), as pandas does. ``project_code`` may also be
    given as ranks (integers in the order of the codes, a missing one null or above the rest).
    """
    return np.asarray(
        pc.sort_indices(
            pa.table({"project_code": project_code, "participant_id": participant_id, "row": rows}),
            sort_keys=[(name, "ascending") for name in ("project_code", "participant_id", "row")],
        ).to_numpy(),
        dtype=np.int64,
    )


class ParticipationSource:
    """The columns (canonical, extra and derived) of prepared participations, one per input row.

    Rows that are not counted are still there (their values are never counted): evaluating every
    row costs less than copying the counted ones out of every column.
    """

    def __init__(self, prepared: PreparedParticipations) -> None:
        self.prepared = prepared
        self.n = prepared.size
        self._cols: dict[str, Col] = {}
        self._ymd: dict[str, np.ndarray] = {}

    def col(self, name: str) -> Col:
        """Column ``name`` (derived values computed on first use, once: under the prepared
        participations' lock)."""
        col = self._cols.get(name)
        if col is None:
            with self.prepared.lock:
                col = self._cols.get(name)
                if col is None:
                    col = self._derive(name) if name in DERIVED else self.prepared.column(name)
                    self._cols[name] = col
        return col

    def valid(self, name: str) -> np.ndarray:
        """Where column ``name`` is not empty."""
        return self.col(name).valid

    def ymd(self, name: str) -> np.ndarray:
        """``yyyymmdd`` of a date column (0 where missing)."""
        ymd = self._ymd.get(name)
        if ymd is None:
            with self.prepared.lock:
                ymd = self._ymd.get(name)
                if ymd is None:
                    col = self.col(name)
                    ymd = ymd_of(col.values, col.valid)
                    self._ymd[name] = ymd
        return ymd

    def _derive(self, name: str) -> Col:
        prepared = self.prepared
        if name == "age_at_entry":
            birth, entry = self.col("birth_date"), self.col("entry_date")
            age = completed_years(self.ymd("birth_date"), self.ymd("entry_date"))
            return from_numpy("int", age, birth.valid & entry.valid)
        if name in ("entry_year", "exit_year"):
            column = "entry_date" if name == "entry_year" else "exit_date"
            return from_numpy("int", self.ymd(column) // 10_000, self.col(column).valid)
        exit_ = self.col("exit_date")
        leaver = exit_.valid.copy()
        if prepared.as_of_days is not None:
            leaver &= exit_.values <= prepared.as_of_days
        if name == "leaver":
            return from_numpy("bool", leaver)
        # observed_6m: six calendar months after the exit is not after the as-of date.
        if prepared.as_of is None:
            return from_numpy("bool", leaver)
        # exit + 6 months <= as-of is monotone in the exit date: one threshold day answers it.
        return from_numpy("bool", leaver & (exit_.values <= last_exit_observed(prepared.as_of)))


PERIOD_EVENTS: tuple[str, ...] = ("entry", "upon_leaving", "six_months_after_leaving")
"""What places a participation in a reporting period, by the indicator's timing."""


def period_event(timing: str | None, kind: str) -> str:
    """What places a participation in a reporting period for an indicator of ``timing`` (the
    rule set's) and ``kind``: its ``entry`` (outputs), its exit (``upon_leaving``: immediate
    results) or its six-month point (``six_months_after_leaving``: longer-term results)."""
    if timing in PERIOD_EVENTS:
        assert timing is not None
        return timing
    return "entry" if kind == "output" or timing == "per_year" else "upon_leaving"


def in_period(source: ParticipationSource, event: str, start: dt.date) -> np.ndarray:
    """Where a participation's ``event`` (:func:`period_event`) falls on or after ``start``.

    The period's end is the as-of date of the prepared participations, which already leaves out
    later entries, exits (``leaver``) and six-month points (``observed_6m``); combined with an
    indicator's mask this is the indicator's value for the period.
    """
    if event == "entry":
        entry = source.col("entry_date")
        return entry.valid & (entry.values >= date_to_days(start))
    exit_ = source.col("exit_date")
    as_of = source.prepared.as_of
    if event == "upon_leaving":
        first = date_to_days(start)
        last = None if as_of is None else date_to_days(as_of)
    else:
        # The six-month point is on or after ``start`` exactly when it is after the day before.
        first = last_exit_observed(start - dt.timedelta(days=1)) + 1
        last = None if as_of is None else last_exit_observed(as_of)
    inside = exit_.valid & (exit_.values >= first)
    return inside if last is None else inside & (exit_.values <= last)


class FrameSource:
    """The columns of a small population frame (activities, organisations, ...)."""

    def __init__(self, frame: pd.DataFrame, kinds: Mapping[str, Any]) -> None:
        self.frame = frame
        self.kinds = kinds
        self.n = len(frame)
        self._cols: dict[str, Col] = {}

    def col(self, name: str) -> Col:
        """Column ``name`` converted to its kind."""
        col = self._cols.get(name)
        if col is None:
            col = to_col(self.frame[name], self.kinds[name])
            self._cols[name] = col
        return col


# --- populations of a project document ---------------------------------------------------------


def _string(values: Sequence[Any]) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype=_contract.DTYPES["project_code"]))


def _dates(values: Sequence[dt.date | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(list(values), dtype=object)).astype("datetime64[s]"))


def project_frames(
    project: Any, as_of: dt.date | None, since: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """The activities, deliverables, organisations, partners and the project itself as tables.

    Only activities held by ``as_of`` count: an activity (its sessions from ``start`` to
    ``end``) counts once its last day (``end``, or ``start`` for a one-day event) is not after
    ``as_of``, so one still running is not counted whole. Deliverables dated after it are left
    out. With ``since`` (a reporting period's first day), activities whose last day and
    deliverables whose date come before it are left out too.
    """
    activities = [
        a
        for a in project.activities
        if (as_of is None or (a.end or a.start) <= as_of)
        and (since is None or (a.end or a.start) >= since)
    ]
    deliverables = [
        d
        for d in project.deliverables
        if (as_of is None or d.date <= as_of) and (since is None or d.date >= since)
    ]
    code = project.code
    frames: dict[str, pd.DataFrame] = {}
    frames["activities"] = pd.DataFrame(
        {
            "id": _string([a.id for a in activities]),
            "kind": _string([a.kind for a in activities]),
            "start": _dates([a.start for a in activities]),
            "end": _dates([a.end for a in activities]),
            "year": pd.array([a.start.year for a in activities], dtype="Int64"),
            "title": _string([a.title.ro if a.title else None for a in activities]),
            "city": _string([a.city for a in activities]),
            "hours": pd.array([a.hours for a in activities], dtype="Float64"),
            "attendance": pd.array([a.attendance for a in activities], dtype="Int64"),
            "partner": _string([a.partner for a in activities]),
            "organisations": _string([LIST_SEPARATOR.join(a.organisations) for a in activities]),
            "participants": _string([LIST_SEPARATOR.join(a.participants) for a in activities]),
            "n_organisations": pd.array([len(a.organisations) for a in activities], dtype="Int64"),
            "n_participants": pd.array([len(a.participants) for a in activities], dtype="Int64"),
            "project_code": _string([code] * len(activities)),
        }
    )
    frames["deliverables"] = pd.DataFrame(
        {
            "id": _string([d.id for d in deliverables]),
            "kind": _string([d.kind for d in deliverables]),
            "date": _dates([d.date for d in deliverables]),
            "year": pd.array([d.date.year for d in deliverables], dtype="Int64"),
            "title": _string([d.title.ro if d.title else None for d in deliverables]),
            "city": _string([d.city for d in deliverables]),
            "partner": _string([d.partner for d in deliverables]),
            "project_code": _string([code] * len(deliverables)),
        }
    )
    partner_rows: list[tuple[Any, str | None]] = [
        (p.organisation, str(p.role)) for p in project.partners
    ]
    served_rows: list[tuple[Any, str | None]] = [(o, None) for o in project.organisations]
    frames["partners"] = _organisation_frame(partner_rows, code)
    frames["organisations"] = _organisation_frame(served_rows + partner_rows, code)
    frames["projects"] = pd.DataFrame(
        {
            "project_code": _string([code]),
            "programme": _string([project.programme]),
            "focus": _string([LIST_SEPARATOR.join(project.focus)]),
        }
    )
    return frames


def _organisation_frame(rows: Sequence[tuple[Any, str | None]], code: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": _string([o.id for o, _ in rows]),
            "name": _string([o.name for o, _ in rows]),
            "name_en": _string([o.name_en for o, _ in rows]),
            "kind": _string([str(o.kind) for o, _ in rows]),
            "city": _string([o.city for o, _ in rows]),
            "country": _string([o.country for o, _ in rows]),
            "tags": _string([LIST_SEPARATOR.join(o.tags) for o, _ in rows]),
            "role": _string([role for _, role in rows]),
            "supported": pd.array([o.supported for o, _ in rows], dtype="boolean"),
            "project_code": _string([code] * len(rows)),
        }
    )


# --- the record set ----------------------------------------------------------------------------


# Identity equality: comparing two record sets would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class RecordSet:
    """Everything a rule can count: prepared participations and a project's records.

    Build it with :meth:`from_project` or :meth:`from_participations`. Preparation (as-of cut,
    re-entry merge, completeness) happens once, on first use. ``since`` makes them the records
    of a reporting period from that day to ``as_of``: participations placed in it by their
    entry or exit (:func:`in_period`), activities and deliverables held in it; organisations,
    partners and the project have no date, so they have no value for a period.
    """

    participations: pd.DataFrame | pa.Table | TableColumns | None = None
    project: Any = None
    as_of: dt.date | None = None
    since: dt.date | None = None
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @classmethod
    def from_project(
        cls,
        project: Any,
        participations: pd.DataFrame | str | os.PathLike[str] | None = None,
        as_of: dt.date | str | None = None,
    ) -> RecordSet:
        """The records of ``project`` (and its participation table, when given) as of a date."""
        table = None if participations is None else as_table(participations)
        return cls(participations=table, project=project, as_of=parse_as_of(as_of))

    @classmethod
    def from_participations(
        cls,
        participations: pd.DataFrame | str | os.PathLike[str],
        as_of: dt.date | str | None = None,
    ) -> RecordSet:
        """The records of a participation table alone (no project document)."""
        return cls(participations=as_table(participations), as_of=parse_as_of(as_of))

    def prepared(
        self,
        completeness: Completeness = DEFAULT_COMPLETENESS,
        *,
        per_partner: bool = False,
        tiebreak: Sequence[Sequence[str]] | None = None,
        pool: Executor | None = None,
        early: Sequence[str] = (),
    ) -> PreparedParticipations:
        """The prepared participations (complete by ``completeness``, by default today's fields;
        one per partner that served a person with ``per_partner``; re-entry ties broken by the
        ``tiebreak`` columns, see :class:`PreparedParticipations`; ``early`` columns converted
        in ``pool`` meanwhile); raises when no participation table was given."""
        if self.participations is None:
            raise InclusionKitError("no participation table was given")
        key = "participations" if completeness == DEFAULT_COMPLETENESS else repr(completeness)
        key += " per partner" if per_partner else ""
        key += "" if tiebreak is None else f" ties by {tiebreak!r}"
        prepared = self._cache.get(key)
        if prepared is None:
            prepared = PreparedParticipations(
                self.participations,
                self.as_of,
                completeness,
                per_partner=per_partner,
                tiebreak=tiebreak,
                pool=pool,
                early=early,
            )
            self._cache[key] = prepared
        assert isinstance(prepared, PreparedParticipations)
        return prepared

    def frame(self, population: str) -> pd.DataFrame:
        """The table of a project population (``activities``, ``organisations``, ...)."""
        if self.project is None:
            raise InclusionKitError(f"counting {population} needs a project document")
        if self.since is not None and population not in _DATED:
            raise InclusionKitError(f"{population} have no date: no value for a period")
        frames = self._cache.get("frames")
        if frames is None:
            frames = project_frames(self.project, self.as_of, self.since)
            self._cache["frames"] = frames
        frame: pd.DataFrame = frames[population]
        return frame

    def has(self, population: str) -> bool:
        """Whether records of ``population`` were given (a table, or at least one record)."""
        if population == "participations":
            return self.participations is not None
        if self.project is None:
            return False
        if self.since is not None and population not in _DATED:
            return False
        return {
            "activities": bool(self.project.activities),
            "deliverables": bool(self.project.deliverables),
            "organisations": bool(self.project.organisations or self.project.partners),
            "partners": bool(self.project.partners),
            "projects": True,
        }.get(population, False)

    def can_evaluate(self, rule: Mapping[str, Any]) -> bool:
        """Whether ``rule``'s population has records here (a table, or at least one record)."""
        population = rule.get("population") if isinstance(rule, Mapping) else None
        return isinstance(population, str) and self.has(population)


_DATED = frozenset({"participations", "activities", "deliverables"})
"""The populations whose records have a date, so a value for a reporting period."""


# --- evaluating a single rule ------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _compile_rule(text: str, ruleset_name: str) -> tuple[str, Node, Aggregate]:
    from inclusionkit._schemas import iter_schema_problems

    rule = json.loads(text)
    # Validate against the schema's rule shape by wrapping the rule in a one-indicator rule set.
    wrapped = {
        "name": "rule",
        "version": "1",
        "indicators": [
            {"code": "rule", "name": {"en": "rule"}, "unit": "number", "kind": "output", **rule}
        ],
    }
    problems = [
        attrs.evolve(p, location=(p.location or "$").replace("$.indicators[0]", "$", 1))
        for p in iter_schema_problems(wrapped, "ruleset")
    ]
    if problems:
        raise ValidationError(problems)
    ruleset = load_ruleset(ruleset_name)
    compiler = ruleset.compiler()
    population = rule["population"]
    filter_doc = rule.get("filter")
    node = (
        TRUE
        if filter_doc is None
        else compiler.predicate(filter_doc, population, "$.filter", "rule")
    )
    aggregate = Aggregate(
        function=rule["aggregate"]["function"], column=rule["aggregate"].get("column")
    )
    check_aggregate(compiler, aggregate, population, "$.aggregate", "rule")
    if compiler.problems:
        raise ValidationError(compiler.problems)
    return population, node, aggregate


def evaluate_rule(
    rule: Mapping[str, Any],
    records: RecordSet,
    *,
    ruleset: RuleSet | str = "esf-2014",
    kind: str = "output",
) -> float:
    """The value of one rule (population, filter, aggregate) over ``records``.

    ``ref`` and ``indicator`` in the rule resolve against ``ruleset`` (by default ``esf-2014``:
    ``{"ref": "disadvantaged"}``, ``{"indicator": "CO07"}``). Participations count only when
    complete by the rule set's completeness, as in a report. For the records of a reporting
    period (``records.since``) an ``output`` counts participations that entered in it, any
    other ``kind`` (a result) those who left in it. Raises
    :class:`~inclusionkit.ValidationError` for a rule that does not compile and
    :class:`~inclusionkit.InclusionKitError` when its records are missing.
    """
    if not isinstance(rule, Mapping):
        raise InclusionKitError(f"a rule is an object with population and aggregate, not {rule!r}")
    name = ruleset if isinstance(ruleset, str) else ruleset.name
    population, node, aggregate = _compile_rule(json.dumps(rule, sort_keys=True), name)
    source: Any
    if population == "participations":
        prepared = records.prepared(load_ruleset(name).completeness)
        source = ParticipationSource(prepared)
        mask = Evaluator(source).mask(node) & prepared.counted
        if records.since is not None:
            mask &= in_period(source, period_event(None, kind), records.since)
    else:
        source = FrameSource(records.frame(population), POPULATION_COLUMNS[population])
        mask = Evaluator(source).mask(node)
    return aggregate_value(aggregate, mask, source)


def aggregate_value(aggregate: Aggregate, mask: np.ndarray, source: Any) -> float:
    """One number from a mask: count, count of distinct values, or sum of a column."""
    if aggregate.function == "count":
        return float(np.count_nonzero(mask))
    assert aggregate.column is not None
    col = source.col(aggregate.column)
    present = mask & col.valid
    if aggregate.function == "sum":
        return float(col.values[present].sum())
    return float(np.unique(col.values[present]).shape[0])
