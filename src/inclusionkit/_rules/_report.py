"""``compute()``: a participation table and a rule set in, the official indicator table out.

The work is done once per report, not once per indicator: the table is prepared (as-of cut,
re-entry merge, completeness), the breakdown cells are coded, the columns the rules read are
converted to numpy arrays as they are first needed, and every indicator's filter becomes a
boolean mask (shared sub-predicates computed once) counted per cell.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from inclusionkit._errors import InclusionKitError
from inclusionkit._participations import DTYPES
from inclusionkit._rules import _checks
from inclusionkit._rules._grouping import Grouping, check_breakdowns
from inclusionkit._rules._language import Evaluator
from inclusionkit._rules._populations import POPULATION_COLUMNS
from inclusionkit._rules._records import (
    EXCLUDED_COLUMNS,
    FrameSource,
    PreparedParticipations,
    RecordSet,
    aggregate_value,
    as_table,
    parse_as_of,
)
from inclusionkit._rules._ruleset import IndicatorSpec, RuleSet, load_ruleset

if TYPE_CHECKING:
    from inclusionkit._progressbar import ProgressCallback

_STRING = DTYPES["project_code"]
FLOW_BREAKDOWNS: tuple[str, ...] = ("year", "flow")


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a report's numbers come from.

    ``input_rows`` rows were read; ``rows_after_as_of`` of them entered after the as-of date and
    were left out; the rest form ``participations`` participations (``merged_rows`` rows were
    re-entries folded into an earlier one), of which ``counted`` are counted and ``excluded`` are
    incomplete (``counted + excluded == participations``). ``not_computed`` lists entity
    indicators left out because no project document was given. ``inputs`` holds each input
    file's path and SHA-256 when the report was computed from files.
    """

    ruleset: str
    ruleset_version: str
    library_version: str
    as_of: dt.date | None
    by: tuple[str, ...]
    input_rows: int
    rows_after_as_of: int
    participations: int
    merged_rows: int
    counted: int
    excluded: int
    not_computed: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The provenance as JSON-ready data (dates as ISO text)."""
        data = attrs.asdict(self)
        data["as_of"] = None if self.as_of is None else self.as_of.isoformat()
        data["by"] = list(self.by)
        data["not_computed"] = list(self.not_computed)
        data["inputs"] = [{"file": name, "sha256": digest} for name, digest in self.inputs]
        return data


# Identity equality: comparing reports would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class Report:
    """The result of :func:`compute`.

    ``table`` is tidy: ``indicator``, one column per breakdown (``year`` and ``flow`` first for
    per-year rule sets), ``value``. ``excluded`` lists every participation not counted
    (``project_code``, ``participant_id``, input ``row``, ``reason``, ``message``). ``checks``
    holds every consistency check per cell (``check``, ``kind``, ``indicator``, ``expression``,
    the breakdowns, ``left``, ``right``, ``passed``). ``provenance`` says what went in.
    """

    table: pd.DataFrame = attrs.field(eq=False)
    excluded: pd.DataFrame = attrs.field(eq=False)
    checks: pd.DataFrame = attrs.field(eq=False)
    provenance: Provenance
    ruleset: RuleSet = attrs.field(eq=False, repr=False)

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The breakdown columns of :attr:`table`, in order."""
        return tuple(c for c in self.table.columns if c not in ("indicator", "value"))

    def suppress(self, threshold: int = 5) -> Any:
        """The table with disclosure control applied, for publication.

        Cells below ``threshold`` are suppressed (primary), and enough others (secondary) that no
        suppressed value can be recomputed from the published totals; suppressed cells are
        marked (``suppressed``, ``status``) and their value is missing, never zero. Returns an
        :class:`inclusionkit.SuppressedTable`; its ``.published`` is what to hand out.
        """
        from inclusionkit._privacy import suppress

        return suppress(self.table, threshold)

    @property
    def indicator_names(self) -> dict[str, dict[str, str]]:
        """Each indicator's names, ``{code: {"en": …, "ro": …}}``, for exporters that label rows."""
        return {
            spec.code: {"en": spec.name_en, "ro": spec.name_ro or spec.name_en}
            for spec in self.ruleset.indicators
        }

    @property
    def ok(self) -> bool:
        """Whether every consistency check passed."""
        return bool(self.checks["passed"].all())

    def failed_checks(self) -> pd.DataFrame:
        """The rows of :attr:`checks` that failed."""
        return self.checks[~self.checks["passed"]].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the tidy table."""
        return self.table.copy()

    def wide(self) -> pd.DataFrame:
        """Indicators as rows, breakdown cells as columns (a column per cell, MultiIndex when
        there are several breakdowns); indicators keep the rule set's order."""
        breakdowns = list(self.breakdowns)
        if not breakdowns:
            return self.table.set_index("indicator")[["value"]]
        wide = self.table.pivot_table(
            index="indicator",
            columns=breakdowns,
            values="value",
            aggfunc="first",
            dropna=False,
            sort=False,
            observed=True,
        )
        order = [code for code in self.ruleset.codes if code in wide.index]
        return wide.reindex(order)

    def value(self, indicator: str, **cell: Any) -> Any:
        """The value of one indicator in one cell: ``report.value("CO01", gender="total")``.

        Breakdowns not named must have a single cell; ``None`` names the missing-value cell (or
        the entity indicators' row). Raises :class:`InclusionKitError` when no single cell
        matches.
        """
        rows = self.table[self.table["indicator"] == indicator]
        for name, wanted in cell.items():
            if name not in rows.columns:
                raise InclusionKitError(f"the report has no breakdown {name!r}")
            if wanted is None or wanted is pd.NA:
                rows = rows[rows[name].isna()]
            else:
                rows = rows[(rows[name].astype(object) == wanted).fillna(False).astype(bool)]
        if len(rows) != 1:
            raise InclusionKitError(
                f"{len(rows)} cells of {indicator!r} match {cell!r}; name every breakdown"
            )
        return rows["value"].iloc[0].item()

    def summary(self) -> str:
        """One line: counted, excluded and failed checks."""
        p = self.provenance
        failed = int((~self.checks["passed"]).sum()) if len(self.checks) else 0
        as_of = f" as of {p.as_of.isoformat()}" if p.as_of else ""
        return (
            f"{p.ruleset} {p.ruleset_version}{as_of}: {p.counted} participations counted, "
            f"{p.excluded} excluded (incomplete), {p.rows_after_as_of} rows after the as-of "
            f"date, {p.merged_rows} re-entry rows merged; {failed} failed checks"
        )


def normalise_by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """Breakdowns from ``"gender,region"`` or a sequence of names."""
    if by is None:
        return ()
    if isinstance(by, str):
        return tuple(part.strip() for part in by.split(",") if part.strip())
    return tuple(by)


def compute(
    participations: pd.DataFrame | str | os.PathLike[str] | Any,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] = "esf-2014",
    by: str | Sequence[str] = ("gender",),
    as_of: dt.date | str | None = None,
    project: Any = None,
    *,
    engine: str = "auto",
    progress: ProgressCallback | None = None,
) -> Report:
    """Compute a rule set's indicators from a participation table.

    ``participations`` is a canonical DataFrame or the path of a CSV/Parquet file; ``rules`` a
    rule set name (``"esf-2014"``, ``"esf-2021"``, ``"esf-2007"``), document, path or
    :class:`RuleSet`; ``by`` the breakdowns (any column, or ``age_band``, ``entry_year``,
    ``exit_year``); ``as_of`` the reporting date (default: no limit); ``project`` a project
    document, needed for entity indicators (CO20-CO23, EECO18-19).

    When ``gender`` is a breakdown every gender of the rule set appears, zeros included, plus a
    ``total`` row per cell of the other breakdowns. Per-year rule sets (``esf-2007``) add the
    ``year`` and ``flow`` breakdowns.

    ``engine`` chooses how: ``"pandas"`` reads the whole table into memory; ``"streaming"``
    reads a Parquet file or dataset directory in batches, in bounded memory; ``"dask"``
    evaluates a Dask DataFrame (or a Parquet/CSV path read with Dask) on the active
    ``dask.distributed`` client or the default scheduler. ``"auto"`` (the default) picks
    ``"dask"`` for a Dask DataFrame, ``"streaming"`` for a dataset directory or a Parquet file
    of at least :data:`~inclusionkit._rules._streaming.STREAMING_THRESHOLD_BYTES`, and
    ``"pandas"`` otherwise. Every engine gives the same report. ``progress`` is called with a
    :class:`~inclusionkit._progressbar.ProgressEvent` as reading and computing advance.
    """
    from inclusionkit._rules._streaming import choose_engine

    chosen = choose_engine(participations, engine)
    if chosen == "streaming":
        from inclusionkit._rules._streaming import compute_streaming

        report = compute_streaming(
            participations, rules, by=by, as_of=as_of, project=project, progress=progress
        )
    elif chosen == "dask":
        from inclusionkit._rules._dask import compute_dask

        report = compute_dask(
            participations, rules, by=by, as_of=as_of, project=project, progress=progress
        )
    else:
        report = _compute_pandas(participations, rules, by, as_of, project, progress)
    if isinstance(participations, str | os.PathLike) and os.path.exists(participations):
        inputs = input_fingerprints(participations)
        report = attrs.evolve(report, provenance=attrs.evolve(report.provenance, inputs=inputs))
    return report


def input_fingerprints(path: str | os.PathLike[str]) -> tuple[tuple[str, str], ...]:
    """``(file, SHA-256)`` of an input file, or of every file of an input directory."""
    import hashlib

    root = os.fspath(path)
    files = (
        sorted(str(p) for p in Path(root).rglob("*") if p.is_file())
        if os.path.isdir(root)
        else [root]
    )
    out = []
    for name in files:
        digest = hashlib.sha256()
        with open(name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        out.append((name, digest.hexdigest()))
    return tuple(out)


def _compute_pandas(
    participations: pd.DataFrame | str | os.PathLike[str],
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str],
    by: str | Sequence[str],
    as_of: dt.date | str | None,
    project: Any,
    progress: ProgressCallback | None,
) -> Report:
    """The in-memory engine: the whole table as one DataFrame."""
    from inclusionkit._progressbar import emit

    ruleset = load_ruleset(rules)
    breakdowns = normalise_by(by)
    reading = not isinstance(participations, pd.DataFrame)
    if reading:
        emit(progress, "read", 0, None)
    table = as_table(participations)
    rows = len(table)
    if reading:
        emit(progress, "read", rows, rows)
    check_table(ruleset, breakdowns, table)
    emit(progress, "compute", 0, rows)
    records = RecordSet(participations=table, project=project, as_of=parse_as_of(as_of))
    evaluation = evaluate(records, ruleset, breakdowns)
    prepared, flows, values = evaluation.prepared, evaluation.flows, evaluation.values
    entities, not_computed = _entity_values(ruleset, records)
    integral = all(
        ind.aggregate.function != "sum" for ind in ruleset.indicators if ind.code in values
    )
    layout = _Layout(evaluation.grouping, flows)
    report_table = layout.table(ruleset, values, entities, integral)
    checks = layout.checks(ruleset, values, entities)
    excluded = prepared.excluded_frame()
    provenance = Provenance(
        ruleset=ruleset.name,
        ruleset_version=ruleset.version,
        library_version=_library_version(),
        as_of=records.as_of,
        by=(*(FLOW_BREAKDOWNS if flows else ()), *breakdowns),
        input_rows=prepared.input_rows,
        rows_after_as_of=prepared.rows_after_as_of,
        participations=prepared.participations,
        merged_rows=prepared.merged,
        counted=prepared.counted_count,
        excluded=prepared.participations - prepared.counted_count,
        not_computed=not_computed,
    )
    emit(progress, "compute", rows, rows)
    return Report(
        table=report_table,
        excluded=excluded[list(EXCLUDED_COLUMNS)],
        checks=checks,
        provenance=provenance,
        ruleset=ruleset,
    )


def _library_version() -> str:
    from inclusionkit._version import __version__

    return __version__


def check_table(ruleset: RuleSet, breakdowns: Sequence[str], table: pd.DataFrame) -> None:
    """Raise :class:`InclusionKitError` when the table lacks a column the rule set reads, or a
    breakdown is unknown (only the columns of ``table`` are looked at: it may be empty)."""
    missing = [name for name in ruleset.extra_columns if name not in table.columns]
    if missing:
        raise InclusionKitError(
            f"rule set {ruleset.name!r} reads the columns {', '.join(missing)}, "
            "which the participation table does not have"
        )
    check_breakdowns(breakdowns, table, FLOW_BREAKDOWNS if ruleset.flows else ())


# Identity equality: comparing evaluations would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class Evaluation:
    """The personal indicators of one table, per cell, before they are laid out as a report.

    ``values`` maps each code to an array shaped ``(blocks, other cells, genders + total)``
    (one block unless the rule set has per-year flows). The streaming and Dask engines evaluate
    one partition at a time and add these arrays up.
    """

    prepared: PreparedParticipations
    grouping: Grouping
    flows: _Flows | None
    values: dict[str, np.ndarray]


def evaluate(
    records: RecordSet,
    ruleset: RuleSet,
    breakdowns: Sequence[str],
    extra_years: int = 0,
) -> Evaluation:
    """Evaluate the personal indicators of ``ruleset`` over ``records``' participations.

    ``extra_years`` adds years after the last one of per-year flows (see :class:`_Flows`).
    """
    prepared = records.prepared()
    grouping = Grouping(prepared, breakdowns, ruleset.genders, ruleset.age_bands)
    evaluator = Evaluator(grouping.source)
    personal = [ind for ind in ruleset.indicators if not ind.is_entity]
    evaluator.plan([ind.node for ind in personal])
    flows = _Flows(grouping, ruleset.flows, records.as_of, extra_years) if ruleset.flows else None
    values: dict[str, np.ndarray] = {}
    for indicator in personal:
        mask = evaluator.mask(indicator.node)
        values[indicator.code] = (
            flows.values(indicator, mask) if flows else _cell_values(indicator, mask, grouping)
        )
    return Evaluation(prepared=prepared, grouping=grouping, flows=flows, values=values)


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
    """

    def __init__(
        self,
        grouping: Grouping,
        flows: Sequence[str],
        as_of: dt.date | None,
        extra_years: int = 0,
    ) -> None:
        self.grouping = grouping
        self.flows = tuple(flows)
        source = grouping.source
        counted = grouping.counted
        self.counted = counted
        entry_year = source.col("entry_year")
        exit_year = source.col("exit_year")
        self.leaver = source.col("leaver").values
        self.entry_year = entry_year.values
        self.exit_year = exit_year.values
        # The years the data span (before the as-of date extends them): partitions of one table
        # report theirs, so the engine that adds them up can find the whole table's. A partition
        # also asks for one extra year: its values there hold for every later year (nobody
        # enters or leaves after its last year; those still in stay carried over).
        self.data_years: tuple[int, int] | None = None
        if counted.any():
            first = int(entry_year.values[counted].min())
            last = int(entry_year.values[counted].max())
            left = counted & self.leaver
            if left.any():
                last = max(last, int(exit_year.values[left].max()))
            self.data_years = (first, last)
        else:
            first = last = as_of.year if as_of else dt.date.today().year
        if as_of is not None:
            last = as_of.year
        self.years = np.arange(first, max(last, first) + 1 + extra_years)

    @property
    def blocks(self) -> list[tuple[int, str]]:
        """The (year, flow) of each block of cells, in order."""
        return [(int(year), flow) for year in self.years for flow in self.flows]

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
        base = mask & self.counted
        cells = np.where(self.counted, grouping.row_cell, 0)
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


def _entity_values(
    ruleset: RuleSet, records: RecordSet
) -> tuple[dict[str, float], tuple[str, ...]]:
    values: dict[str, float] = {}
    skipped: list[str] = []
    for indicator in ruleset.indicators:
        if not indicator.is_entity:
            continue
        if records.project is None:
            skipped.append(indicator.code)
            continue
        frame = records.frame(indicator.population)
        source = FrameSource(frame, POPULATION_COLUMNS[indicator.population])
        mask = Evaluator(source).mask(indicator.node)
        values[indicator.code] = aggregate_value(indicator.aggregate, mask, source)
    return values, tuple(skipped)


class _Layout:
    """The row order of a report: blocks (year, flow), then other cells, then genders + total.

    The breakdown columns of one indicator's rows are built once; every indicator (and every
    check) repeats them, so the tables are assembled from whole arrays in one step.
    """

    def __init__(self, grouping: Grouping, flows: _Flows | None) -> None:
        self.grouping = grouping
        self.flows = flows
        self.blocks = flows.blocks if flows else [None]
        self.per_other = grouping.G + 1 if grouping.with_gender else 1
        self.cells = self._frame(gender_rows=True)

    def _frame(self, *, gender_rows: bool) -> pd.DataFrame:
        """Breakdown columns for one indicator's rows (every gender, or one row per cell)."""
        grouping = self.grouping
        repeat = len(self.blocks)
        per_block = grouping.O * (self.per_other if gender_rows else 1)
        out: dict[str, Any] = {}
        if self.flows is not None:
            years = np.repeat([year for year, _ in self.flows.blocks], per_block)
            flows = np.repeat([flow for _, flow in self.flows.blocks], per_block)
            out["year"] = pd.array(years, dtype="Int64")
            out["flow"] = pd.array(flows.astype(object), dtype=_STRING)
        if gender_rows:
            out.update(grouping.labels_frame(repeat))
        else:
            index = np.tile(np.arange(grouping.O), repeat)
            for name in grouping.by:
                if name == "gender":
                    out[name] = pd.array([None] * index.shape[0], dtype=_STRING)
                else:
                    out[name] = grouping.other_labels[name].take(index).reset_index(drop=True)
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
            0, "indicator", pd.array(np.repeat(np.array(codes, dtype=object), rows), dtype=_STRING)
        )
        numbers = (
            np.concatenate([values[code].reshape(-1) for code in codes]) if codes else np.zeros(0)
        )
        table["value"] = numbers
        entity_codes = [ind.code for ind in ruleset.indicators if ind.code in entities]
        if entity_codes:
            extra = pd.DataFrame(
                {
                    name: pd.array([None] * len(entity_codes), dtype=self.cells[name].dtype)
                    for name in self.cells.columns
                },
                index=range(len(entity_codes)),
            )
            if "gender" in extra.columns:
                extra["gender"] = pd.array(["total"] * len(entity_codes), dtype=_STRING)
            extra.insert(0, "indicator", pd.array(entity_codes, dtype=_STRING))
            extra["value"] = [entities[code] for code in entity_codes]
            table = pd.concat([table, extra], ignore_index=True)
            position = {code: i for i, code in enumerate(ruleset.codes)}
            order = np.argsort(
                table["indicator"].map(position).to_numpy(dtype=np.int64), kind="stable"
            )
            table = table.take(order).reset_index(drop=True)
        table["value"] = table["value"].astype(np.int64 if integral else np.float64)
        return table

    def checks(
        self,
        ruleset: RuleSet,
        values: Mapping[str, np.ndarray],
        entities: Mapping[str, float],
    ) -> pd.DataFrame:
        """Every check of the rule set per cell, and the gender-total check per indicator."""
        everything: dict[str, Any] = {
            **values,
            **{code: np.asarray(value) for code, value in entities.items()},
        }
        shape = next(iter(values.values())).shape if values else (1,)
        parts: list[dict[str, Any]] = []
        for check in ruleset.checks:
            result = _checks.evaluate(check, everything)
            if result is None:
                continue
            left, right, passed = result
            personal = any(code in values for code in (*check.left, *check.right))
            size = int(np.prod(shape)) if personal else 1
            parts.append(
                {
                    "check": check.id,
                    "kind": check.kind,
                    "indicator": None,
                    "expression": _checks.expression(check),
                    "cells": "gender" if personal else "none",
                    "left": np.broadcast_to(left, shape if personal else (1,)).reshape(-1),
                    "right": np.broadcast_to(right, shape if personal else (1,)).reshape(-1),
                    "passed": np.broadcast_to(passed, shape if personal else (1,)).reshape(-1),
                    "size": size,
                }
            )
        if self.grouping.with_gender:
            g = self.grouping.G
            for code, value in values.items():
                total = value[..., g].reshape(-1)
                genders = value[..., :g].sum(axis=-1).reshape(-1)
                parts.append(
                    {
                        "check": _checks.GENDER_CHECK,
                        "kind": "sum_equals",
                        "indicator": code,
                        "expression": f"{code}[total] = sum of {code}[gender]",
                        "cells": "summary",
                        "left": total,
                        "right": genders,
                        "passed": total == genders,
                        "size": total.shape[0],
                    }
                )
        return self._checks_frame(parts)

    def _checks_frame(self, parts: list[dict[str, Any]]) -> pd.DataFrame:
        summary = self._frame(gender_rows=False) if self.grouping.with_gender else self.cells
        frames = {"gender": self.cells, "summary": summary}
        pieces: list[pd.DataFrame] = []
        for kind in ("gender", "summary", "none"):
            chosen = [part for part in parts if part["cells"] == kind]
            if not chosen:
                continue
            if kind == "none":
                cells = pd.DataFrame(
                    {
                        name: pd.array([None] * len(chosen), dtype=self.cells[name].dtype)
                        for name in self.cells.columns
                    },
                    index=range(len(chosen)),
                )
            else:
                base = frames[kind]
                cells = base.take(np.tile(np.arange(len(base)), len(chosen))).reset_index(drop=True)
            sizes = [part["size"] for part in chosen]
            head = pd.DataFrame(
                {
                    name: pd.array(
                        np.repeat(np.array([part[name] for part in chosen], dtype=object), sizes),
                        dtype=_STRING,
                    )
                    for name in _checks.CHECK_COLUMNS
                }
            )
            body = pd.DataFrame(
                {
                    name: np.concatenate([part[name] for part in chosen])
                    for name in ("left", "right", "passed")
                }
            )
            pieces.append(pd.concat([head, cells, body], axis=1))
        if not pieces:
            columns = {name: pd.array([], dtype=_STRING) for name in _checks.CHECK_COLUMNS}
            empty = pd.DataFrame(columns)
            for name in self.cells.columns:
                empty[name] = pd.array([], dtype=self.cells[name].dtype)
            empty["left"] = np.zeros(0, dtype=np.int64)
            empty["right"] = np.zeros(0, dtype=np.int64)
            empty["passed"] = np.zeros(0, dtype=bool)
            return empty
        out = pd.concat(pieces, ignore_index=True)
        out["passed"] = out["passed"].astype(bool)
        return out
