"""The one report assembly: partial counts in, a :class:`~._model.Report` out.

Every engine hands its partitions' partial counts (:class:`~._partition.Partial`) to an
:class:`Assembler`: the in-memory engine one partition, the streaming and Dask engines many.
The assembler adds them up on a grid that grows as partitions bring new cells, and then builds
the report once, the same way for every engine:

- **row order**: blocks (year, flow) for per-year rule sets, then the cells of the other
  breakdowns ordered by :func:`cell_order`, then the rule set's genders and the total;
- **layout**: the tidy table (indicators in the rule set's order, entity indicators included);
- **checks**: every rule-set check per cell and the gender-total check per indicator
  (:mod:`._checks`, the one check engine);
- **provenance**: the counters added up, with the rule set, breakdowns and as-of date.

Counts are additive across disjoint participations; the excluded lists are concatenated
(held compactly until the report is built, as every engine's list is, by
:func:`~._records.excluded_list`: :class:`_ExcludedList`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit import _contract
from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd
from inclusionkit._rules import _checks
from inclusionkit._rules._columns import arrow_chunks, arrow_strings
from inclusionkit._rules._grouping import UNKNOWN_GENDER, age_band_labels
from inclusionkit._rules._language import Evaluator
from inclusionkit._rules._model import Provenance, Report
from inclusionkit._rules._partition import FLOW_BREAKDOWNS, Partial, Spec, period_key
from inclusionkit._rules._period import period_warning
from inclusionkit._rules._populations import POPULATION_COLUMNS
from inclusionkit._rules._records import (
    EXCLUDED_COLUMNS,
    EXCLUDED_TEXT,
    FrameSource,
    RecordSet,
    aggregate_value,
    codes_categorical,
    excluded_list,
    period_event,
)
from inclusionkit._rules._ruleset import Check, RuleSet
from inclusionkit._version import __version__
from inclusionkit.models._vocabulary import GENDERS

__all__ = ["Assembler", "Cells", "cell_order"]

_COUNTERS = (
    "input_rows",
    "rows_after_as_of",
    "participations",
    "merged_rows",
    "counted",
    "pending_6m",
    "several_partners",
)


def cell_order(labels: pd.DataFrame, age_bands: Sequence[int]) -> np.ndarray:
    """The order of a report's cells: by each breakdown's values (ascending; age bands in band
    order; booleans false then true), the first breakdown first, missing values last."""
    keys: list[np.ndarray] = []
    for name in labels.columns:
        column = labels[name]
        if name == "age_band":
            names = age_band_labels(age_bands)
            if age_bands[0] > 0:
                names = [f"<{age_bands[0]}", *names]
            codes = np.asarray(pd.Categorical(column.astype(object), categories=names).codes)
            size = len(names)
        else:
            codes, uniques = pd.factorize(column, sort=True)
            size = len(uniques)
        keys.append(np.where(codes < 0, size, codes))
    # lexsort sorts by the last key first.
    return np.lexsort(keys[::-1]) if keys else np.zeros(0, dtype=np.int64)


@attrs.frozen(kw_only=True, eq=False)
class Cells:
    """A report's breakdown cells: ``other_labels`` (a row per cell of the breakdowns other than
    gender, in report order) and, with gender, ``gender_labels`` (each other cell has a row per
    gender and one for the total)."""

    by: tuple[str, ...]
    gender_labels: tuple[str, ...]
    other_labels: pd.DataFrame

    @property
    def with_gender(self) -> bool:
        """Whether gender is a breakdown."""
        return "gender" in self.by

    @property
    def others(self) -> int:
        """The number of other cells (1 without other breakdowns)."""
        return len(self.other_labels) if any(name != "gender" for name in self.by) else 1

    @property
    def per_other(self) -> int:
        """Rows per other cell: every gender and the total, or one."""
        return len(self.gender_labels) + 1 if self.with_gender else 1


class _Layout:
    """Where each value goes: blocks (year, flow), then other cells, then genders + total.

    The breakdown columns of one indicator's rows are built once; every indicator (and every
    check) repeats them, so the tables are assembled from whole arrays in one step.
    """

    def __init__(self, cells: Cells, blocks: Sequence[tuple[int, str]] | None) -> None:
        self.cells_of = cells
        self.years_flows = blocks
        self.repeat = len(blocks) if blocks is not None else 1
        self.cells = self._frame(gender_rows=True)

    def _frame(self, *, gender_rows: bool) -> pd.DataFrame:
        """Breakdown columns for one indicator's rows (every gender, or one row per cell)."""
        cells = self.cells_of
        repeat = self.repeat
        others = cells.others
        per_block = others * (cells.per_other if gender_rows else 1)
        out: dict[str, Any] = {}
        if self.years_flows is not None:
            years = np.repeat([year for year, _ in self.years_flows], per_block)
            flows = np.repeat([flow for _, flow in self.years_flows], per_block)
            out["year"] = pd.array(years, dtype="Int64")
            out["flow"] = pd.array(flows.astype(object), dtype=_contract.STRING_DTYPE)
        index = np.tile(np.repeat(np.arange(others), cells.per_other if gender_rows else 1), repeat)
        for name in cells.by:
            if name != "gender":
                out[name] = cells.other_labels[name].take(index).reset_index(drop=True)
            elif gender_rows:
                labels = np.array([*cells.gender_labels, "total"], dtype=object)
                out[name] = pd.array(np.tile(labels, others * repeat), dtype=_contract.STRING_DTYPE)
            else:
                out[name] = pd.array([None] * index.shape[0], dtype=_contract.STRING_DTYPE)
        return pd.DataFrame(out, index=range(repeat * per_block))

    def table(
        self,
        ruleset: RuleSet,
        values: Mapping[str, np.ndarray],
        entities: Mapping[str, float],
        integral: bool,
    ) -> pd.DataFrame:
        """The tidy indicator table, indicators in the rule set's order."""
        codes = [ind.code for ind in ruleset.indicators if ind.code in values]
        rows = len(self.cells)
        index = np.tile(np.arange(rows), len(codes))
        table = self.cells.take(index).reset_index(drop=True)
        table.insert(
            0,
            "indicator",
            pd.array(np.repeat(np.array(codes, dtype=object), rows), dtype=_contract.STRING_DTYPE),
        )
        numbers = (
            np.concatenate([values[code].reshape(-1) for code in codes]) if codes else np.zeros(0)
        )
        table["value"] = numbers
        entity_codes = [ind.code for ind in ruleset.indicators if ind.code in entities]
        if entity_codes:
            extra = self._blank(len(entity_codes))
            if "gender" in extra.columns:
                extra["gender"] = pd.array(
                    ["total"] * len(entity_codes), dtype=_contract.STRING_DTYPE
                )
            extra.insert(0, "indicator", pd.array(entity_codes, dtype=_contract.STRING_DTYPE))
            extra["value"] = [entities[code] for code in entity_codes]
            table = pd.concat([table, extra], ignore_index=True)
            position = {code: i for i, code in enumerate(ruleset.codes)}
            order = np.argsort(
                table["indicator"].map(position).to_numpy(dtype=np.int64), kind="stable"
            )
            table = table.take(order).reset_index(drop=True)
        table["value"] = table["value"].astype(np.int64 if integral else np.float64)
        return table

    def _blank(self, rows: int) -> pd.DataFrame:
        """``rows`` rows of empty breakdown cells (entity indicators, checks of no cell)."""
        return pd.DataFrame(
            {
                name: pd.array([None] * rows, dtype=self.cells[name].dtype)
                for name in self.cells.columns
            },
            index=range(rows),
        )

    def checks(
        self,
        ruleset: RuleSet,
        values: Mapping[str, np.ndarray],
        entities: Mapping[str, float],
        checks: Sequence[Check] | None = None,
    ) -> pd.DataFrame:
        """Every check of the rule set (or ``checks``) per cell, and the gender-total check per
        indicator."""
        everything: dict[str, Any] = {
            **values,
            **{code: np.asarray(value) for code, value in entities.items()},
        }
        shape = next(iter(values.values())).shape if values else (1,)
        parts: list[_checks.CheckResult] = []
        for check in ruleset.checks if checks is None else checks:
            personal = any(code in values for code in (*check.left, *check.right))
            result = _checks.run(check, everything, shape if personal else (1,))
            if result is not None:
                parts.append(attrs.evolve(result, cells="gender" if personal else "none"))
        if self.cells_of.with_gender:
            g = len(self.cells_of.gender_labels)
            for code, value in values.items():
                parts.append(
                    _checks.gender_total(
                        code, value[..., g].reshape(-1), value[..., :g].sum(axis=-1).reshape(-1)
                    )
                )
        summary = self._frame(gender_rows=False) if self.cells_of.with_gender else self.cells
        return _checks.frame(
            parts, {"gender": self.cells, "summary": summary, "none": self._blank(1)}
        )


class _Codes:
    """One text column of the excluded list as codes into a dictionary that grows as partitions
    bring new values (a project code, a reason or a message repeats over many rows)."""

    def __init__(self) -> None:
        self.values = pa.array([], type=pa.large_string())
        self.parts: list[np.ndarray] = []

    def add(self, column: pd.Series) -> None:
        """Add a partition's categorical column: its codes (-1 for a missing value), new values
        appended."""
        categorical = column.array
        assert isinstance(categorical, pd.Categorical)
        local = arrow_strings(pd.Series(categorical.categories)).cast(pa.large_string())
        known = pc.index_in(local, value_set=self.values)
        new = np.asarray(known.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        where = np.asarray(known.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        where[new] = len(self.values) + np.arange(np.count_nonzero(new))
        if new.any():
            self.values = pa.concat_arrays([self.values, local.filter(pa.array(new))])
        # A missing value's code is -1: it takes the last code, -1. Each part is held in the
        # smallest integers its codes fit (they are joined in the widest of them).
        where = np.append(where, -1).astype(np.min_scalar_type(-max(len(self.values), 1)))
        self.parts.append(where[np.asarray(categorical.codes)])

    def codes(self) -> np.ndarray:
        """Every partition's codes, in order (the parts are let go)."""
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)
        self.parts = []
        return codes

    def categorical(self) -> pd.Categorical:
        """Every partition's values, in order, as the excluded list's categorical."""
        return codes_categorical(self.codes(), self.values)


class _ExcludedList:
    """The excluded rows of every partition, held compactly until the report is built.

    A partition's list (sorted by key, then row) is kept as it is while it is the only one, so
    the in-memory engine's list is returned untouched. From the second non-empty list on, the
    lists are held as codes (project code, reason and message, which repeat), the participant
    ids as Arrow text and the rows as integers. The report's list is then built once by
    :func:`~._records.excluded_list`, as every engine's is: the same rows, order, values and
    dtypes as sorting the concatenated lists, its text categories the values it holds, sorted.
    """

    def __init__(self) -> None:
        self.first: pd.DataFrame | None = None
        self.text = {name: _Codes() for name in EXCLUDED_TEXT}
        self.ids: list[pa.Array | pa.ChunkedArray] = []
        self.rows: list[np.ndarray] = []

    def add(self, frame: pd.DataFrame) -> None:
        """Add one partition's list (columns :data:`EXCLUDED_COLUMNS`, sorted; built by
        :func:`~._records.excluded_list`)."""
        if self.rows:
            if len(frame):
                self._hold(frame)
            return
        if self.first is None or not len(self.first):
            # Empty lists are not kept (one stays, to give the columns and dtypes).
            self.first = frame
        elif len(frame):
            self._hold(self.first)
            self.first = None
            self._hold(frame)

    def _hold(self, frame: pd.DataFrame) -> None:
        for name, codes in self.text.items():
            codes.add(frame[name])
        self.ids.append(arrow_chunks(frame["participant_id"]))
        rows = frame["row"].to_numpy(dtype=np.int64)
        # Input positions below 2**31 (every file but the largest) are held in half the bytes.
        small = rows.size and rows.min() >= -(2**31) and rows.max() < 2**31
        self.rows.append(rows.astype(np.int32) if small else rows)

    def frame(self, rows: Callable[[np.ndarray], np.ndarray] | None) -> pd.DataFrame:
        """The whole list, sorted by key, then row (``rows`` turns the codes in ``row`` into
        input positions)."""
        if not self.rows:
            assert self.first is not None
            frame = self.first[list(EXCLUDED_COLUMNS)]
            if rows is None or not len(frame):
                return frame
            return excluded_list(
                project_code=frame["project_code"].array,
                participant_id=arrow_chunks(frame["participant_id"]),
                row=rows(frame["row"].to_numpy(dtype=np.int64)),
                reason=frame["reason"].array,
                message=frame["message"].array,
            )
        # Nothing is kept here: excluded_list lets each column go once it is taken in order.
        return excluded_list(
            project_code=self.text["project_code"].categorical(),
            participant_id=self._ids(),
            row=self._rows(rows),
            reason=self.text["reason"].categorical(),
            message=self.text["message"].categorical(),
        )

    def _ids(self) -> pa.ChunkedArray:
        """Every partition's participant ids, in order (the parts are let go)."""
        ids = pa.chunked_array(
            [chunk for part in self.ids for chunk in _chunks(part)], type=pa.large_string()
        )
        self.ids = []
        return ids

    def _rows(self, rows: Callable[[np.ndarray], np.ndarray] | None) -> np.ndarray:
        """Every partition's rows, in order, as ``int64`` input positions (the parts are let
        go)."""
        at = np.concatenate(self.rows).astype(np.int64)
        self.rows = []
        return at if rows is None else rows(at)


def _chunks(array: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """An Arrow text array's chunks, as large strings."""
    parts = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return [part.cast(pa.large_string()) for part in parts]


class Assembler:
    """The sum of the partial counts of one table, and the report it makes.

    Values are held on a grid that grows as partitions bring new cells: other cells in order of
    arrival (put in report order at the end), every gender the rule set or the contract knows
    plus the total, and, for per-year flows, the years seen so far plus a *tail*, the values
    that hold for every year after them.
    """

    def __init__(self, spec: Spec) -> None:
        ruleset = spec.ruleset
        self.spec = spec
        self.with_gender = "gender" in spec.breakdowns
        self.others = [name for name in spec.breakdowns if name != "gender"]
        self.gender_axis: tuple[str, ...] = (
            (*ruleset.genders, *(g for g in GENDERS if g not in ruleset.genders), UNKNOWN_GENDER)
            if self.with_gender
            else ()
        )
        self.width = len(self.gender_axis) + 1 if self.with_gender else 1
        self.flows = tuple(ruleset.flows)
        self.labels: pd.DataFrame | None = None
        self.n_other = 0 if self.others else 1
        self.first: int | None = None
        self.grid: dict[str, np.ndarray] = {}  # (years, flows, other cells, genders + total)
        self.tail: dict[str, np.ndarray] = {}  # (flows, other cells, genders + total)
        self.data_years: tuple[int, int] | None = None
        self.genders_seen: set[str] = set()
        self.excluded = _ExcludedList()
        self.counts = dict.fromkeys(_COUNTERS, 0)
        self.partitions = 0

    # -- adding

    def add(self, partial: Partial) -> None:
        """Add one partition's values, counters and excluded rows."""
        self.partitions += 1
        for name in self.counts:
            self.counts[name] += int(getattr(partial, name))
        self.excluded.add(partial.excluded)
        self.genders_seen.update(partial.gender_labels)
        if partial.data_years is not None:
            first, last = partial.data_years
            if self.data_years is not None:
                first = min(first, self.data_years[0])
                last = max(last, self.data_years[1])
            self.data_years = (first, last)
        if self.partitions == 1:
            self._start(partial.values)
        other = self._other_index(partial.other_labels)
        genders = self._gender_index(partial.gender_labels)
        if not self.flows:
            for code, block in partial.values.items():
                self._grow_dtype(code, block.dtype)
                # Cells are distinct within a partition, so an in-place fancy add is exact.
                self.grid[code][0, 0][np.ix_(other, genders)] += block[0]
            return
        if not partial.values:
            return
        assert partial.first_year is not None
        size = len(self.flows)
        years = next(iter(partial.values.values())).shape[0] // size - 1
        self._cover(partial.first_year, partial.first_year + years - 1)
        assert self.first is not None
        start = partial.first_year - self.first
        held = next(iter(self.grid.values())).shape[0]
        flow_index = np.arange(size)
        for code, block in partial.values.items():
            self._grow_dtype(code, block.dtype)
            shaped = block.reshape(years + 1, size, *block.shape[1:])
            grid, tail = self.grid[code], self.tail[code]
            grid[np.ix_(np.arange(start, start + years), flow_index, other, genders)] += shaped[
                :years
            ]
            # The partition's last block holds for every later year: those held and the tail.
            after = np.arange(start + years, held)
            grid[np.ix_(after, flow_index, other, genders)] += shaped[years][np.newaxis]
            tail[np.ix_(flow_index, other, genders)] += shaped[years]

    def _start(self, values: Mapping[str, np.ndarray]) -> None:
        blocks = max(len(self.flows), 1)
        for code, block in values.items():
            self.grid[code] = np.zeros((0 if self.flows else 1, blocks, 0, self.width), block.dtype)
            self.tail[code] = np.zeros((blocks, 0, self.width), block.dtype)
        self._grow_other(self.n_other)

    def _grow_dtype(self, code: str, dtype: np.dtype[Any]) -> None:
        wanted = np.result_type(self.grid[code].dtype, dtype)
        if wanted != self.grid[code].dtype:
            self.grid[code] = self.grid[code].astype(wanted)
            self.tail[code] = self.tail[code].astype(wanted)

    def _grow_other(self, n_other: int) -> None:
        for code, grid in self.grid.items():
            extra = n_other - grid.shape[2]
            if extra > 0:
                pad = np.zeros((*grid.shape[:2], extra, self.width), grid.dtype)
                self.grid[code] = np.concatenate([grid, pad], axis=2)
                tail = self.tail[code]
                pad_tail = np.zeros((tail.shape[0], extra, self.width), tail.dtype)
                self.tail[code] = np.concatenate([tail, pad_tail], axis=1)

    def _other_index(self, labels: pd.DataFrame) -> np.ndarray:
        """Where each of a partition's other cells sits on the grid (new cells are added)."""
        if not self.others:
            return np.zeros(1, dtype=np.int64)
        labels = labels.reset_index(drop=True)
        if self.labels is None:
            # The first partition's cells are the grid's: no lookup needed.
            self.labels = labels
            self.n_other = len(labels)
            self._grow_other(self.n_other)
            return np.arange(len(labels), dtype=np.int64)
        known = len(self.labels)
        combined = pd.concat([self.labels, labels], ignore_index=True)
        # Groups are numbered in order of first appearance: the known cells keep 0..known-1.
        ids: np.ndarray = (
            combined.groupby(self.others, dropna=False, sort=False)
            .ngroup()
            .to_numpy(dtype=np.int64)[known:]
        )
        new = ids >= known
        if new.any():
            self.labels = pd.concat([self.labels, labels[new]], ignore_index=True)
            self.n_other = len(self.labels)
            self._grow_other(self.n_other)
        return ids

    def _gender_index(self, labels: tuple[str, ...]) -> np.ndarray:
        if not self.with_gender:
            return np.zeros(1, dtype=np.int64)
        return np.array([*(self.gender_axis.index(g) for g in labels), self.width - 1])

    def _cover(self, first: int, last: int) -> None:
        """Make the grid hold the years ``first``..``last``: earlier new years start at zero
        (no partition had anyone there yet), later ones at the tail."""
        held = next(iter(self.grid.values())).shape[0]
        if self.first is None:
            low, high = first, last
        else:
            low, high = min(first, self.first), max(last, self.first + held - 1)
        if self.first is not None and low == self.first and high == self.first + held - 1:
            return
        offset = 0 if self.first is None else self.first - low
        for code, grid in self.grid.items():
            grown = np.zeros((high - low + 1, *grid.shape[1:]), grid.dtype)
            grown[offset : offset + held] = grid
            grown[offset + held :] = self.tail[code][np.newaxis]
            self.grid[code] = grown
        self.first = low

    # -- the report

    def _years(self) -> np.ndarray:
        """The years a per-year report shows: from the first year anyone entered to the last
        anyone entered or left, or to the as-of date's year."""
        as_of = self.spec.as_of
        if self.data_years is not None:
            first, last = self.data_years
        else:
            first = last = as_of.year if as_of else dt.date.today().year
        if as_of is not None:
            last = as_of.year
        return np.arange(first, max(last, first) + 1)

    def _final_values(
        self, code: str, years: np.ndarray | None, order: np.ndarray, genders: np.ndarray
    ) -> np.ndarray:
        grid = self.grid[code]
        if years is None:
            blocks = grid[0]
        else:
            held = grid.shape[0]
            index = years - (self.first if self.first is not None else 0)
            blocks = np.zeros((years.shape[0], *grid.shape[1:]), grid.dtype)
            inside = (index >= 0) & (index < held)
            blocks[inside] = grid[index[inside]]
            blocks[index >= held] = self.tail[code][np.newaxis]
            blocks = blocks.reshape(years.shape[0] * grid.shape[1], *grid.shape[2:])
        return np.ascontiguousarray(blocks[:, order][:, :, genders])

    def report(
        self, project: Any = None, rows: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> Report:
        """The report of the whole table (``rows`` turns the excluded list's codes into input
        positions, for the Dask engine); ``project`` gives the entity indicators. Called once:
        the excluded list is built from the held parts, which are let go as it is."""
        spec, ruleset = self.spec, self.spec.ruleset
        if not self.partitions:
            raise InclusionKitError("no partition was evaluated")
        # The rule set's genders always; others (and unknown) only when someone has them.
        gender_labels = (
            tuple(g for g in self.gender_axis if g in ruleset.genders or g in self.genders_seen)
            if self.with_gender
            else ()
        )
        genders = (
            np.array([*(self.gender_axis.index(g) for g in gender_labels), self.width - 1])
            if self.with_gender
            else np.zeros(1, dtype=np.int64)
        )
        if self.others:
            assert self.labels is not None
            order = cell_order(self.labels, ruleset.age_bands)
            other_labels = self.labels.take(order).reset_index(drop=True)
        else:
            order = np.zeros(1, dtype=np.int64)
            other_labels = pd.DataFrame(index=range(1))
        years = self._years() if self.flows else None
        personal = [ind.code for ind in ruleset.indicators if ind.code in self.grid]
        values = {code: self._final_values(code, years, order, genders) for code in personal}
        in_period = {
            code: self._final_values(period_key(code), years, order, genders)
            for code in personal
            if period_key(code) in self.grid
        }
        cells = Cells(by=spec.breakdowns, gender_labels=gender_labels, other_labels=other_labels)
        blocks = (
            [(int(year), flow) for year in years for flow in self.flows]
            if years is not None
            else None
        )
        entities, not_computed = _entity_values(ruleset, project, spec.as_of)
        integral = all(
            ind.aggregate.function != "sum" for ind in ruleset.indicators if ind.code in values
        )
        layout = _Layout(cells, blocks)
        counts = self.counts
        provenance = Provenance(
            ruleset=ruleset.name,
            ruleset_version=ruleset.version,
            library_version=__version__,
            as_of=spec.as_of,
            by=(*(FLOW_BREAKDOWNS if blocks is not None else ()), *spec.breakdowns),
            input_rows=counts["input_rows"],
            rows_after_as_of=counts["rows_after_as_of"],
            participations=counts["participations"],
            merged_rows=counts["merged_rows"],
            counted=counts["counted"],
            excluded=counts["participations"] - counts["counted"],
            several_partners=counts["several_partners"],
            not_computed=not_computed,
            pending_6m=counts["pending_6m"] if _six_month_results(ruleset) else None,
            table_period=spec.table_period,
            period=None if spec.period is None else (spec.period.start, spec.period.end),
            warnings=tuple(w for w in (period_warning(ruleset, spec.table_period),) if w),
        )
        table = layout.table(ruleset, values, entities, integral)
        checks = layout.checks(ruleset, values, entities)
        if spec.period is not None:
            # Entity indicators (timing "project") have no date: they are cumulative only.
            table = _scoped(ruleset, layout.table(ruleset, in_period, {}, integral), table)
            checks = _scoped(
                ruleset,
                layout.checks(ruleset, in_period, {}, _period_checks(ruleset)),
                checks,
                by_indicator=False,
            )
        return Report(
            table=table,
            excluded=self.excluded.frame(rows),
            checks=checks,
            provenance=provenance,
            ruleset=ruleset,
        )


def _six_month_results(ruleset: RuleSet) -> bool:
    """Whether the rule set has results measured six months after leaving (CR06-CR09,
    EECR05-EECR06, YEI-CR10-12): only then does a report say how many leavers are pending."""
    return any(ind.timing == "six_months_after_leaving" for ind in ruleset.indicators)


def _period_checks(ruleset: RuleSet) -> list[Check]:
    """The checks that hold within a period: those comparing indicators placed in it by the
    same event (outputs with outputs; not results of leavers with outputs of entrants)."""
    events = {ind.code: period_event(ind.timing, ind.kind) for ind in ruleset.indicators}
    return [
        check
        for check in ruleset.checks
        if len({events.get(code) for code in (*check.left, *check.right)}) == 1
    ]


def _scoped(
    ruleset: RuleSet,
    period: pd.DataFrame,
    cumulative: pd.DataFrame,
    *,
    by_indicator: bool = True,
) -> pd.DataFrame:
    """The rows of the period and the cumulative ones in one table, a ``scope`` column second:
    per indicator (rule set order), its period rows, then its cumulative ones (or, not
    ``by_indicator``, every period row first)."""
    parts = []
    for scope, frame in (("period", period), ("cumulative", cumulative)):
        frame = frame.copy()
        frame.insert(1, "scope", pd.array([scope] * len(frame), dtype=_contract.STRING_DTYPE))
        parts.append(frame)
    both = pd.concat(parts, ignore_index=True)
    if not by_indicator or not len(both):
        return both
    position = {code: i for i, code in enumerate(ruleset.codes)}
    keys = both["indicator"].astype(object).map(position).fillna(len(position))
    order = np.argsort(keys.to_numpy(dtype=np.int64), kind="stable")
    return both.take(order).reset_index(drop=True)


def _entity_values(
    ruleset: RuleSet, project: Any, as_of: dt.date | None
) -> tuple[dict[str, float], tuple[str, ...]]:
    """The entity indicators' values from the project document, and those left out without one."""
    values: dict[str, float] = {}
    skipped: list[str] = []
    records = RecordSet(participations=None, project=project, as_of=as_of)
    for indicator in ruleset.indicators:
        if not indicator.is_entity:
            continue
        if project is None:
            skipped.append(indicator.code)
            continue
        frame = records.frame(indicator.population)
        source = FrameSource(frame, POPULATION_COLUMNS[indicator.population])
        mask = Evaluator(source).mask(indicator.node)
        values[indicator.code] = aggregate_value(indicator.aggregate, mask, source)
    return values, tuple(skipped)
