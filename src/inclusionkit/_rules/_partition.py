"""Counting one partition: a canonical participation table in, its partial counts out.

Every engine counts the same way. The in-memory engine hands the whole table over as one
partition; the streaming and Dask engines hand over many, each holding every row of its
participants. A partition is prepared (as-of cut, re-entry merge, completeness), its breakdown
cells are coded, every indicator's filter becomes a boolean mask (shared sub-predicates computed
once) and is counted per cell. The result, a :class:`Partial`, holds the values per cell, the
cells' labels and the provenance counters; :mod:`._assemble` adds partials up into a report.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeAlias

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES
from inclusionkit._rules._columns import TableColumns
from inclusionkit._rules._grouping import Grouping, check_breakdowns, check_not_output_columns
from inclusionkit._rules._language import Evaluator, columns_used
from inclusionkit._rules._populations import DERIVED_FROM
from inclusionkit._rules._records import (
    EXCLUDED_COLUMNS,
    PreparedParticipations,
    RecordSet,
    in_period,
    parse_as_of,
    period_event,
)
from inclusionkit._rules._reporting import ReportingPeriod, parse_period
from inclusionkit._rules._ruleset import IndicatorSpec, RuleSet
from inclusionkit._threads import THREADS_ENV, count_workers

__all__ = [
    "FLOW_BREAKDOWNS",
    "THREADS_ENV",
    "Partial",
    "Spec",
    "check_table",
    "columns_read",
    "count_workers",
    "evaluate_partition",
    "normalise_by",
    "period_key",
    "tiebreak_columns",
]

FLOW_BREAKDOWNS: tuple[str, ...] = ("year", "flow")
"""The breakdowns a per-year rule set adds in front of the asked ones."""


def period_key(code: str) -> str:
    """The key of an indicator's values for the reporting period (the cumulative values are
    keyed by the code itself; no code holds a colon)."""
    return f"period:{code}"


def normalise_by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """Breakdowns from ``"gender,region"`` or a sequence of names.

    A name of the report's own columns (``indicator``, ``value``, ``scope`` …) is an
    :class:`InclusionKitError`: its labels would clash with that column. Every engine and every
    door (``compute``, the command line, a register) comes through here.
    """
    if by is None:
        return ()
    if isinstance(by, str):
        names = tuple(part.strip() for part in by.split(",") if part.strip())
    else:
        names = tuple(by)
    check_not_output_columns(names)
    return names


KEY_COLUMNS: tuple[str, ...] = (
    "project_code",
    "participant_id",
    "entry_date",
    "exit_date",
    "partner",
)
"""What every report reads: the re-entry key and dates, the partner (the provenance counts the
persons several partners served) and the project code (which tells the programming period)."""

# The derived values' sources, and the age band's (a breakdown of the age at entry).
_DERIVED_FROM: Mapping[str, tuple[str, ...]] = {
    **DERIVED_FROM,
    "age_band": DERIVED_FROM["age_at_entry"],
}


def columns_read(ruleset: RuleSet, breakdowns: Sequence[str]) -> tuple[str, ...]:
    """The participation columns counting ``ruleset`` by ``breakdowns`` reads: the key columns
    (:data:`KEY_COLUMNS`), every column the personal indicators' filters and aggregates test,
    the completeness tests' columns, the rule set's extra columns and the breakdowns (derived
    values stand for the columns they come from). Canonical columns in the contract's order,
    then the others sorted.

    Reading a file for a report reads these alone (a projection), and re-entry ties are broken
    by their content (:func:`tiebreak_columns`), so the report is the same with or without the
    file's other columns.
    """
    ruleset_columns, breakdown_columns = tiebreak_columns(ruleset, breakdowns)
    return (*ruleset_columns, *breakdown_columns)


def tiebreak_columns(
    ruleset: RuleSet, breakdowns: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns whose content breaks a tie between re-entry rows of the same date (see
    :class:`~._records.PreparedParticipations`): first those the rule set reads (the key
    columns, its filters', aggregates', completeness tests' and extra columns), then those only
    the breakdowns read. The rule set's alone choose among rows that count differently, so the
    totals do not depend on the breakdowns; rows equal on both count alike in every cell."""
    names: set[str] = set(KEY_COLUMNS)
    for indicator in ruleset.indicators:
        if indicator.is_entity:
            continue
        names |= columns_used(indicator.node)
        if indicator.aggregate.column is not None:
            names.add(indicator.aggregate.column)
    for test in ruleset.completeness.tests():
        names.add(test.column)
        other = getattr(test, "other", None)
        if isinstance(other, str):
            names.add(other)
    names |= set(ruleset.extra_columns)
    first = _in_order(names)
    second = _in_order(set(breakdowns) - set(first))
    return first, tuple(name for name in second if name not in first)


def _in_order(names: set[str]) -> tuple[str, ...]:
    """``names`` (derived values replaced by the columns they come from): the canonical ones in
    the contract's order, then the others sorted."""
    read = {column for name in names for column in _DERIVED_FROM.get(name, (name,))}
    canonical = [name for name in COLUMN_NAMES if name in read]
    return (*canonical, *sorted(read - set(COLUMN_NAMES)))


def check_table(
    ruleset: RuleSet, breakdowns: Sequence[str], table: pd.DataFrame | pa.Table | TableColumns
) -> None:
    """Raise :class:`InclusionKitError` when the table (pandas or typed Arrow) lacks a column the
    rule set reads, or a breakdown is unknown (only its columns are looked at: it may be
    empty)."""
    table = TableColumns(table)
    missing = [name for name in ruleset.extra_columns if name not in table]
    if missing:
        raise InclusionKitError(
            f"rule set {ruleset.name!r} reads the columns {', '.join(missing)}, "
            "which the participation table does not have"
        )
    check_breakdowns(breakdowns, table.names, FLOW_BREAKDOWNS if ruleset.flows else ())


@attrs.frozen(kw_only=True)
class Spec:
    """What every partition is evaluated for: the rule set, breakdowns and as-of date (and the
    programming period of the table's project codes, for the provenance). With a reporting
    ``period`` (whose last day is the as-of date) every personal indicator is also counted for
    the period, under :func:`period_key` (per-year rule sets: by year and flow, of the
    participations that entered in the period)."""

    ruleset: RuleSet
    breakdowns: tuple[str, ...]
    as_of: dt.date | None
    table_period: str | None = None
    period: ReportingPeriod | None = None

    @classmethod
    def build(
        cls,
        ruleset: RuleSet,
        breakdowns: tuple[str, ...],
        as_of: Any,
        table_period: str | None,
        period: Any = None,
    ) -> Spec:
        """The spec every engine evaluates: ``as_of`` read by :func:`parse_as_of`, ``period`` by
        :func:`~._reporting.parse_period` (its last day is then the as-of date; an as-of date
        given too must be that day)."""
        day = parse_as_of(as_of)
        span = None if period is None else parse_period(period)
        if span is not None:
            if day is not None and day != span.end:
                raise InclusionKitError(
                    f"as of {day.isoformat()} and the period {span}: a report for a period is "
                    "as of its last day; give one of them"
                )
            day = span.end
        return cls(
            ruleset=ruleset,
            breakdowns=breakdowns,
            as_of=day,
            table_period=table_period,
            period=span,
        )

    def __attrs_post_init__(self) -> None:
        if self.period is not None and self.as_of != self.period.end:
            raise InclusionKitError(
                f"a report for the period {self.period} is as of its last day "
                f"({self.period.end.isoformat()}), not {self.as_of}"
            )

    def require_additive(self) -> None:
        """Raise :class:`InclusionKitError` when an indicator's values do not add up across
        partitions (``count_distinct`` of anything but ``participant_id``, by which partitions
        are cut): only the in-memory engine, one partition, can compute it."""
        for indicator in self.ruleset.indicators:
            aggregate = indicator.aggregate
            if (
                not indicator.is_entity
                and aggregate.function == "count_distinct"
                and aggregate.column != "participant_id"
            ):
                raise InclusionKitError(
                    f"indicator {indicator.code!r} counts distinct {aggregate.column!r}, which "
                    "does not add up across partitions; use engine='pandas'"
                )


# Identity equality: comparing partials would compare arrays.
@attrs.frozen(kw_only=True, eq=False)
class Partial:
    """The partial counts of one partition: values per cell, the cells' labels and the
    provenance counters.

    ``values`` maps each personal indicator to an array shaped ``(blocks, other cells, genders
    + total)``, laid out by this partition's own cells: ``other_labels`` (one row per other
    cell) and ``gender_labels``. With per-year flows, the blocks are ``(year, flow)`` from
    ``first_year``, plus one last year whose values hold for every later year; ``data_years``
    is the span of the partition's placed participations. ``excluded`` has input positions (or
    the codes the Dask engine resolves into positions) in ``row``.
    """

    values: dict[str, np.ndarray]
    other_labels: pd.DataFrame
    gender_labels: tuple[str, ...]
    first_year: int | None
    data_years: tuple[int, int] | None
    excluded: pd.DataFrame
    input_rows: int
    rows_after_as_of: int
    participations: int
    merged_rows: int
    counted: int
    pending_6m: int = 0
    several_partners: int = 0
    sources: tuple[np.ndarray, np.ndarray] | None = None


THREADED_ROWS = 200_000
"""From this many rows a partition evaluated with ``threads`` uses other threads."""


def evaluate_partition(
    table: pd.DataFrame | pa.Table | TableColumns,
    rows: np.ndarray | None,
    spec: Spec,
    *,
    threads: bool | int = False,
) -> Partial:
    """Count one self-contained partition (a canonical table: a pandas frame, or the typed Arrow
    table a file was read into, read as it is: :class:`~._columns.TableColumns`).

    ``rows`` gives each row's input position (``None``: its position in ``table``). ``threads``
    (the in-memory engine, which has the machine to itself) is ``True`` for
    :func:`count_workers` threads, or a number of them; from two, a partition of at least
    :data:`THREADED_ROWS` rows is counted by the calling thread and a pool of the others.
    They convert the text columns and hash and search part of the keys while the re-entries
    are found, then build the excluded list and count each indicator's mask per cell while the
    calling thread codes the cells and evaluates the next masks: Arrow and numpy work that
    runs without Python's lock. The counts are the same, whatever the number of threads.
    """
    table = TableColumns(table)
    workers = (count_workers() if threads is True else int(threads)) if threads else 1
    if workers < 2 or len(table) < THREADED_ROWS:
        return _evaluate(table, rows, spec, None)
    # The calling thread is one of the workers. (Each other thread gets its own malloc arena,
    # which keeps some of what it freed: one more thread than needed is memory held.)
    pool = ThreadPoolExecutor(workers - 1, thread_name_prefix="inclusionkit-count")
    try:
        return _evaluate(table, rows, spec, pool)
    finally:
        # Stopped early (an error, Ctrl-C), the other threads' queued work is dropped.
        pool.shutdown(wait=True, cancel_futures=True)


def _text_read(table: TableColumns, spec: Spec) -> list[str]:
    """The text columns counting converts, in the order it first reads them: the
    completeness tests', the breakdowns', then the indicators' (for :func:`_evaluate`'s other
    thread to convert early)."""
    ruleset = spec.ruleset
    names: list[str] = []
    for test in ruleset.completeness.tests():
        names += [test.column, getattr(test, "other", "")]
    names += spec.breakdowns
    for indicator in ruleset.indicators:
        if not indicator.is_entity:
            names += sorted(columns_used(indicator.node))
    return [name for name in dict.fromkeys(names) if name in table and table.kind(name) == "string"]


def _evaluate(
    table: TableColumns, rows: np.ndarray | None, spec: Spec, pool: Executor | None
) -> Partial:
    ruleset = spec.ruleset
    table = _typed_extras(table, ruleset)
    records = RecordSet(participations=table, as_of=spec.as_of)
    prepared = records.prepared(
        ruleset.completeness,
        per_partner="partner" in spec.breakdowns,
        tiebreak=tiebreak_columns(ruleset, spec.breakdowns),
        pool=pool,
        early=_text_read(table, spec) if pool is not None else (),
    )
    personal = [ind for ind in ruleset.indicators if not ind.is_entity]
    done = _keys_done(personal, spec)
    excluded_later = None if pool is None else pool.submit(_excluded, prepared, rows, done)
    # The cells on this thread (the pool's builds the excluded list meanwhile), then the masks.
    cells = grouping, flows = _cells(prepared, spec, records.as_of)
    values = _indicator_values(personal, spec, prepared, cells, pool)
    excluded = (
        _excluded(prepared, rows, done) if excluded_later is None else excluded_later.result()
    )
    return Partial(
        values=values,
        other_labels=grouping.other_labels,
        gender_labels=grouping.gender_labels,
        first_year=None if flows is None else int(flows.years[0]),
        data_years=None if flows is None else flows.data_years,
        excluded=excluded,
        input_rows=prepared.input_rows,
        rows_after_as_of=prepared.rows_after_as_of,
        participations=prepared.participations,
        merged_rows=prepared.merged,
        counted=prepared.counted_count,
        pending_6m=_pending_6m(grouping, prepared),
        several_partners=prepared.several_partners,
    )


_Cells: TypeAlias = "tuple[Grouping, _Flows | None]"
"""The breakdown cells of a partition and, for a per-year rule set, its years' flows."""

IN_FLIGHT = 2
"""Masks evaluated ahead of their counting on another thread (each a byte per row)."""


def _cells(prepared: PreparedParticipations, spec: Spec, as_of: dt.date | None) -> _Cells:
    ruleset = spec.ruleset
    grouping = Grouping(prepared, spec.breakdowns, ruleset.genders, ruleset.age_bands)
    return grouping, (_Flows(grouping, ruleset.flows, as_of) if ruleset.flows else None)


def _mask_values(
    indicator: IndicatorSpec,
    mask: np.ndarray,
    prepared: PreparedParticipations,
    in_period_mask: np.ndarray | None,
    cells: _Cells,
) -> list[np.ndarray]:
    """An indicator's values per cell (per year and flow) from its filter's mask: of the
    participations it counts (:func:`_counted`), then of those in the reporting period (when
    ``in_period_mask`` is given)."""
    grouping, flows = cells
    counted = _counted(mask, indicator, prepared)
    del mask
    masks = [counted] if in_period_mask is None else [counted, counted & in_period_mask]
    del counted
    return [
        flows.values(indicator, mask) if flows else _cell_values(indicator, mask, grouping)
        for mask in masks
    ]


def _indicator_values(
    indicators: Sequence[IndicatorSpec],
    spec: Spec,
    prepared: PreparedParticipations,
    cells: _Cells,
    pool: Executor | None,
) -> dict[str, np.ndarray]:
    """The values per cell of ``indicators`` (personal ones), and with a reporting period
    their values for the period (under :func:`period_key`), in the indicators' order.

    With a ``pool`` each filter's mask is counted there while this thread evaluates the next
    ones, :data:`IN_FLIGHT` at most ahead; each value is still computed from its own mask
    alone, by the same function."""
    source = prepared.source
    evaluator = Evaluator(source)
    evaluator.plan([ind.node for ind in indicators])
    events: dict[str, np.ndarray] = {}
    per_indicator: list[list[np.ndarray] | Future[list[np.ndarray]]] = []
    in_flight: deque[Future[list[np.ndarray]]] = deque()
    reads = [_input_columns(indicator) for indicator in indicators]
    for index, indicator in enumerate(indicators):
        if pool is not None:
            # The columns of the indicators just ahead converted on the pool meanwhile (queued
            # between the counts), so this thread only evaluates masks.
            ahead = reads[index : index + PREFETCH_AHEAD + 1]
            prepared.prefetch([name for names in ahead for name in names], pool)
        in_period_mask = None
        if spec.period is not None:
            event = period_event(indicator.timing, indicator.kind)
            if event not in events:
                events[event] = in_period(source, event, spec.period.start)
            in_period_mask = events[event]
        mask = evaluator.mask(indicator.node)
        if pool is None:
            per_indicator.append(_mask_values(indicator, mask, prepared, in_period_mask, cells))
            continue
        later = pool.submit(_mask_values, indicator, mask, prepared, in_period_mask, cells)
        del mask
        per_indicator.append(later)
        in_flight.append(later)
        if len(in_flight) > IN_FLIGHT:
            in_flight.popleft().result()
    values: dict[str, np.ndarray] = {}
    for indicator, computed in zip(indicators, per_indicator, strict=True):
        found = computed.result() if isinstance(computed, Future) else computed
        values[indicator.code] = found[0]
        if spec.period is not None:
            values[period_key(indicator.code)] = found[1]
    return values


PREFETCH_AHEAD = 1
"""Indicators ahead of the one evaluated whose columns the pool converts meanwhile."""


def _input_columns(indicator: IndicatorSpec) -> list[str]:
    """The input columns an indicator's filter and aggregate read (a derived value's sources
    in its stead), sorted."""
    names = columns_used(indicator.node)
    if indicator.aggregate.column is not None:
        names.add(indicator.aggregate.column)
    return sorted({column for name in names for column in _DERIVED_FROM.get(name, (name,))})


KEY_TEXT: tuple[str, ...] = ("project_code", "participant_id", "partner")
"""The key columns preparing reads as text from the table (re-entries, partners; the excluded
list's keys), not through a converted column."""


def _keys_done(indicators: Sequence[IndicatorSpec], spec: Spec) -> list[str]:
    """The columns of :data:`KEY_TEXT` that nothing reads once the excluded list is built: no
    indicator's filter or aggregate (``indicators``: the personal ones), no breakdown."""
    later = {name for indicator in indicators for name in _input_columns(indicator)}
    later |= {name for by in spec.breakdowns for name in _DERIVED_FROM.get(by, (by,))}
    return [name for name in KEY_TEXT if name not in later]


def _excluded(
    prepared: PreparedParticipations, rows: np.ndarray | None, done: Sequence[str] = ()
) -> pd.DataFrame:
    """The partition's excluded list, its rows as input positions; then the table's ``done``
    columns let go (:func:`_keys_done`: at 10M rows the ids alone are ~140 MiB of Arrow text,
    which counting's last masks would otherwise sit on top of)."""
    excluded = prepared.excluded_frame()[list(EXCLUDED_COLUMNS)]
    prepared.let_go(done)
    if rows is not None and len(excluded):
        excluded["row"] = rows[excluded["row"].to_numpy()]
    return excluded


def _typed_extras(table: TableColumns, ruleset: RuleSet) -> TableColumns:
    """The table with the rule set's true/false extra columns parsed when read as text (a CSV's
    ``true``/``da``), as the optional columns are; others as they are."""
    from inclusionkit._participations import parse_booleans

    text = {
        name: parse_booleans(table.series(name).astype("string").str.strip()).astype("boolean")
        for name, kind in ruleset.extra_columns.items()
        if kind == "bool" and name in table
        if table.kind(name) != "bool"
    }
    return table.replaced(text)


def _pending_6m(grouping: Grouping, prepared: PreparedParticipations) -> int:
    """Counted leavers whose six-month point is after the as-of date (not yet observed)."""
    if prepared.as_of is None:
        return 0
    source = grouping.source
    waiting = source.col("leaver").values & ~source.col("observed_6m").values
    return int(np.count_nonzero(waiting & prepared.counted))


def _counted(
    mask: np.ndarray, indicator: IndicatorSpec, prepared: PreparedParticipations
) -> np.ndarray:
    """An indicator's mask limited to the participations it counts: the complete ones, or (the
    grand total) every one placed in time."""
    if indicator.records == "entered":
        return mask if prepared.placed_count == prepared.size else mask & prepared.placed
    return mask if prepared.all_counted else mask & prepared.counted


def _with_totals(per_cell: np.ndarray, grouping: Grouping, totals: np.ndarray | None) -> np.ndarray:
    """(C,) per-cell values to (O, G + 1) with a total column, or (O, 1) without gender."""
    matrix = per_cell.reshape(grouping.O, grouping.G)
    if not grouping.with_gender:
        return matrix
    total = matrix.sum(axis=1) if totals is None else totals
    return np.concatenate([matrix, total.reshape(-1, 1)], axis=1)


def _cell_values(indicator: IndicatorSpec, mask: np.ndarray, grouping: Grouping) -> np.ndarray:
    aggregate = indicator.aggregate
    if aggregate.function == "count":
        return _with_totals(grouping.count(mask), grouping, None)[np.newaxis]
    assert aggregate.column is not None
    col = grouping.source.col(aggregate.column)
    if aggregate.function == "sum":
        weights = np.where(col.valid, col.values, 0).astype(np.float64)
        return _with_totals(grouping.weighted(mask, weights), grouping, None)[np.newaxis]
    per_cell = grouping.distinct(mask, col, across_genders=False)
    totals = grouping.distinct(mask, col, across_genders=True) if grouping.with_gender else None
    return _with_totals(per_cell, grouping, totals)[np.newaxis]


class _Flows:
    """Per-year entries, leavers and carried over (Annex XXIII of Regulation 1828/2006).

    In year Y a participation is an *entry* when it entered in Y, a *leaver* when it left in Y
    (as of the report's date), and *carried over* when it entered before 1 January of Y and had
    not left before that day.

    The years run from the partition's first to its last (or the as-of date's), plus one more
    whose values hold for every later year (nobody enters or leaves after the partition's last
    year; those still in stay carried over), so partitions of different spans add up.
    """

    def __init__(self, grouping: Grouping, flows: Sequence[str], as_of: dt.date | None) -> None:
        self.grouping = grouping
        self.flows = tuple(flows)
        source = grouping.source
        placed = grouping.placed
        self.placed = placed
        entry_year = source.col("entry_year")
        exit_year = source.col("exit_year")
        self.leaver = source.col("leaver").values
        self.entry_year = entry_year.values
        self.exit_year = exit_year.values
        # The years the data span (before the as-of date extends them), so the assembler can
        # find the whole table's.
        self.data_years: tuple[int, int] | None = None
        if placed.any():
            first = int(entry_year.values[placed].min())
            last = int(entry_year.values[placed].max())
            left = placed & self.leaver
            if left.any():
                last = max(last, int(exit_year.values[left].max()))
            self.data_years = (first, last)
        else:
            first = last = as_of.year if as_of else dt.date.today().year
        if as_of is not None:
            last = as_of.year
        self.years = np.arange(first, max(last, first) + 2)

    def values(self, indicator: IndicatorSpec, mask: np.ndarray) -> np.ndarray:
        """Values shaped (years * flows, O, G + 1)."""
        if indicator.aggregate.function == "count_distinct":
            raise InclusionKitError(
                f"indicator {indicator.code!r}: per-year flows support count and sum aggregates"
            )
        grouping = self.grouping
        weights: np.ndarray | None = None
        if indicator.aggregate.function == "sum":
            assert indicator.aggregate.column is not None
            col = grouping.source.col(indicator.aggregate.column)
            weights = np.where(col.valid, col.values, 0).astype(np.float64)
        ny = self.years.shape[0]
        base = mask & self.placed
        cells = np.where(self.placed, grouping.row_cell, 0)
        first = int(self.years[0])
        per_flow: dict[str, np.ndarray] = {}
        entry = self.entry_year - first
        exit_ = self.exit_year - first
        if "entries" in self.flows:
            per_flow["entries"] = self._count(cells, entry, base, weights, ny)
        if "leavers" in self.flows:
            per_flow["leavers"] = self._count(cells, exit_, base & self.leaver, weights, ny)
        if "carried_over" in self.flows:
            start = entry + 1
            end = np.where(self.leaver, exit_, ny - 1)
            active = base & (start <= end) & (start < ny)
            starts = self._count(cells, start, active, weights, ny + 1)
            stops = self._count(cells, end + 1, active, weights, ny + 1)
            per_flow["carried_over"] = np.cumsum(starts - stops, axis=1)[:, :ny]
        stacked = np.stack([per_flow[flow] for flow in self.flows], axis=0)  # (F, C, Y)
        blocks = stacked.transpose(2, 0, 1).reshape(ny * len(self.flows), grouping.C)
        return np.stack([_with_totals(block, grouping, None) for block in blocks], axis=0)

    def _count(
        self,
        cells: np.ndarray,
        year: np.ndarray,
        mask: np.ndarray,
        weights: np.ndarray | None,
        width: int,
    ) -> np.ndarray:
        keep = mask & (year >= 0) & (year < width)
        index = cells[keep] * width + year[keep]
        size = self.grouping.C * width
        if weights is None:
            counts = np.bincount(index, minlength=size)
        else:
            counts = np.bincount(index, weights=weights[keep], minlength=size)
        return counts.reshape(self.grouping.C, width)
