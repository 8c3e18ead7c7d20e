"""Bounded-memory streaming: ``compute()`` over a Parquet file or dataset larger than memory.

The in-memory engine needs the whole table at once because of the re-entry merge: the rows of
one participation (same ``project_code`` and ``participant_id``) may be anywhere in the file.
Streaming therefore makes two passes:

1. **Scan.** The file is read in batches (``pyarrow.dataset``, only the columns a report reads)
   and every row is sent to one of N on-disk partitions (Arrow IPC streams in a temporary
   directory) by a hash of its ``participant_id``. All rows of a participation (indeed of a
   person) land in the same partition, so each partition is self-contained. Every row carries
   its position in the input, so the excluded list names the same rows as the in-memory engine.
2. **Compute.** Each partition is read back and evaluated by the in-memory engine
   (:func:`~inclusionkit._rules._report.evaluate`), which yields per-cell value arrays; these
   are added up (:class:`Totals`). Counts are additive across disjoint participations; the
   excluded lists are concatenated; the consistency checks are recomputed on the sums.

Peak memory is one batch during the scan and one partition (``partition_rows`` rows, about two
million by default) during the compute, whatever the size of the file. The Dask engine
(:mod:`._dask`) evaluates partitions the same way and adds them up with the same
:class:`Totals`.

Hashing by ``participant_id`` (rather than the pair of keys) keeps a person's participations in
different projects together too, so ``count_distinct`` of ``participant_id`` also adds up across
partitions; ``count_distinct`` of any other column cannot be split and is refused.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._ingest import RawTable, default_mapping, map_headers, offset_locator, prepare
from inclusionkit._participations import COLUMN_NAMES, from_arrow
from inclusionkit._progressbar import ProgressCallback, emit
from inclusionkit._rules._grouping import Grouping, age_band_labels
from inclusionkit._rules._keys import string_hash
from inclusionkit._rules._records import EXCLUDED_COLUMNS, GENDERS, RecordSet, parse_as_of
from inclusionkit._rules._report import (
    FLOW_BREAKDOWNS,
    Provenance,
    Report,
    _entity_values,
    _Flows,
    _Layout,
    _library_version,
    check_table,
    evaluate,
    normalise_by,
)
from inclusionkit._rules._ruleset import RuleSet, load_ruleset

__all__ = [
    "BATCH_ROWS",
    "ENGINES",
    "PARTITION_ROWS",
    "STREAMING_THRESHOLD_BYTES",
    "Partial",
    "Spec",
    "Totals",
    "choose_engine",
    "compute_streaming",
    "evaluate_partition",
    "partition_numbers",
]

ENGINES: tuple[str, ...] = ("auto", "pandas", "streaming", "dask")
"""The values ``compute(engine=...)`` accepts."""

STREAMING_THRESHOLD_BYTES = 512 * 2**20
"""With ``engine="auto"``, a Parquet file at least this large (on disk) is streamed.

The in-memory engine peaks at about 17 times the Parquet size (4 GB for the 240 MB, 10-million
row benchmark file), so 512 MiB of Parquet (about 20 million rows) would need about 8 GB.
The ``INCLUSIONKIT_STREAMING_THRESHOLD`` environment variable (bytes) overrides it.
"""

BATCH_ROWS = 1_000_000
"""Rows read and scattered at a time during the scan."""

PARTITION_ROWS = 1_000_000
"""Rows per on-disk partition (on average): what the compute pass holds in memory at once.

A million rows peak at about 0.9 GB in this process (the 10-million-row benchmark file); two
million at about 1.6 GB, with no gain in speed."""

MAX_PARTITIONS = 1_000
"""At most this many partitions (one open file each during the scan), and never more than the
process may open: beyond ``MAX_PARTITIONS * partition_rows`` rows partitions grow instead."""

ROW_COLUMN = "__inclusionkit_row__"
"""The input position each row carries through the partitions (for the excluded list)."""

# zstd: 40% smaller than lz4 for the same CPU time on the benchmark data (398 vs 672 MiB per
# 10M rows), which matters once the partitions no longer fit in the page cache.
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")
# Rows decoded at a time from a Parquet file (a row group of the benchmark files).
_READ_ROWS = 131_072


def is_dask_collection(value: Any) -> bool:
    """Whether ``value`` is a Dask DataFrame (checked without importing Dask)."""
    return type(value).__module__.split(".")[0] == "dask" and hasattr(value, "npartitions")


def _threshold() -> int:
    text = os.environ.get("INCLUSIONKIT_STREAMING_THRESHOLD")
    if not text:
        return STREAMING_THRESHOLD_BYTES
    try:
        return int(text)
    except ValueError:
        raise InclusionKitError(
            f"INCLUSIONKIT_STREAMING_THRESHOLD={text!r} is not a number of bytes"
        ) from None


def choose_engine(participations: Any, engine: str) -> str:
    """The engine that will compute ``participations`` (``engine`` may be ``"auto"``)."""
    if engine not in ENGINES:
        raise InclusionKitError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    if is_dask_collection(participations):
        return "dask"
    if isinstance(participations, str | os.PathLike):
        path = Path(participations)
        if path.is_dir():
            return "streaming"
        if path.suffix.lower() == ".parquet" and path.is_file():
            return "streaming" if path.stat().st_size >= _threshold() else "pandas"
    return "pandas"


# --- one partition ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Spec:
    """What every partition is evaluated for: the rule set, breakdowns and as-of date."""

    ruleset: RuleSet
    breakdowns: tuple[str, ...]
    as_of: dt.date | None

    def __attrs_post_init__(self) -> None:
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
    """The per-cell values of one partition, with what is needed to add them up.

    ``values`` maps each personal indicator to an array shaped ``(blocks, other cells, genders
    + total)``, laid out by this partition's own cells: ``other_labels`` (one row per other
    cell) and ``gender_labels``. With per-year flows, the blocks are ``(year, flow)`` from
    ``first_year``, plus one last year whose values hold for every later year; ``data_years``
    is the span of the partition's counted participations. ``excluded`` has input positions (or
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
    sources: tuple[np.ndarray, np.ndarray] | None = None


def evaluate_partition(table: pd.DataFrame, rows: np.ndarray | None, spec: Spec) -> Partial:
    """Evaluate one self-contained partition (a canonical table).

    ``rows`` gives each row's input position (``None``: its position in ``table``).
    """
    records = RecordSet(participations=table, as_of=spec.as_of)
    evaluation = evaluate(records, spec.ruleset, spec.breakdowns, extra_years=1)
    prepared = evaluation.prepared
    excluded = prepared.excluded_frame()[list(EXCLUDED_COLUMNS)]
    if rows is not None and len(excluded):
        excluded["row"] = rows[excluded["row"].to_numpy()]
    flows = evaluation.flows
    return Partial(
        values=evaluation.values,
        other_labels=evaluation.grouping.other_labels,
        gender_labels=evaluation.grouping.gender_labels,
        first_year=None if flows is None else int(flows.years[0]),
        data_years=None if flows is None else flows.data_years,
        excluded=excluded,
        input_rows=prepared.input_rows,
        rows_after_as_of=prepared.rows_after_as_of,
        participations=prepared.participations,
        merged_rows=prepared.merged,
        counted=prepared.counted_count,
    )


# --- adding partitions up -----------------------------------------------------------------------


class _Cells(Grouping):
    """The cells of a whole table assembled from its partitions: what the layout reads."""

    def __init__(
        self, by: Sequence[str], gender_labels: tuple[str, ...], other_labels: pd.DataFrame
    ) -> None:
        self.by = tuple(by)
        self.with_gender = "gender" in self.by
        self.gender_labels = gender_labels
        self.other_labels = other_labels
        others = [name for name in self.by if name != "gender"]
        self.O = len(other_labels) if others else 1
        self.G = len(gender_labels) if self.with_gender else 1
        self.C = self.O * self.G


class _Years(_Flows):
    """The (year, flow) blocks of a whole table assembled from its partitions."""

    def __init__(self, flows: Sequence[str], years: np.ndarray) -> None:
        self.flows = tuple(flows)
        self.years = years


def _sort_order(labels: pd.DataFrame, age_bands: Sequence[int]) -> np.ndarray:
    """The order the in-memory engine gives these cells: by each breakdown's codes (values
    ascending, age bands in band order, booleans false then true), missing last."""
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


class Totals:
    """The sum of the partials of one table, and the report it makes.

    Values are held on a grid that grows as partitions bring new cells: other cells in order of
    arrival (sorted at the end), every gender the rule set or the contract knows plus the total,
    and, for per-year flows, the years seen so far plus a *tail*, the values that hold for every
    year after them.
    """

    def __init__(self, spec: Spec) -> None:
        ruleset = spec.ruleset
        self.spec = spec
        self.with_gender = "gender" in spec.breakdowns
        self.others = [name for name in spec.breakdowns if name != "gender"]
        self.gender_axis: tuple[str, ...] = (
            (*ruleset.genders, *(g for g in GENDERS if g not in ruleset.genders))
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
        self.genders_seen: set[str] = set()
        self.data_years: tuple[int, int] | None = None
        self.excluded: list[pd.DataFrame] = []
        self.counts = dict.fromkeys(
            ("input_rows", "rows_after_as_of", "participations", "merged_rows", "counted"), 0
        )
        self.partitions = 0

    # -- adding

    def add(self, partial: Partial) -> None:
        """Add one partition's values, counts and excluded rows."""
        self.partitions += 1
        for name in self.counts:
            self.counts[name] += int(getattr(partial, name))
        if len(partial.excluded) or not self.excluded:
            # Empty lists are not kept (one stays, to give the columns and dtypes).
            self.excluded = [frame for frame in self.excluded if len(frame)]
            self.excluded.append(partial.excluded)
        self.genders_seen.update(partial.gender_labels)
        if partial.data_years is not None:
            first, last = partial.data_years
            if self.data_years is not None:
                first = min(first, self.data_years[0])
                last = max(last, self.data_years[1])
            self.data_years = (first, last)
        if not self.grid:
            self._start(partial.values)
        other = self._other_index(partial.other_labels)
        genders = self._gender_index(partial.gender_labels)
        if not self.flows:
            for code, block in partial.values.items():
                self._grow_dtype(code, block.dtype)
                # Cells are distinct within a partition, so an in-place fancy add is exact.
                self.grid[code][0, 0][np.ix_(other, genders)] += block[0]
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
            self.labels = labels.iloc[:0]
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
        """The years the in-memory engine would report (see ``_Flows``)."""
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
        positions, for the Dask engine)."""
        spec, ruleset = self.spec, self.spec.ruleset
        if not self.grid:
            raise InclusionKitError("no partition was evaluated")
        extra = [g for g in GENDERS if g in self.genders_seen and g not in ruleset.genders]
        gender_labels = (*ruleset.genders, *extra) if self.with_gender else ()
        genders = (
            np.array([*(self.gender_axis.index(g) for g in gender_labels), self.width - 1])
            if self.with_gender
            else np.zeros(1, dtype=np.int64)
        )
        if self.others:
            assert self.labels is not None
            order = _sort_order(self.labels, ruleset.age_bands)
            other_labels = self.labels.take(order).reset_index(drop=True)
        else:
            order = np.zeros(1, dtype=np.int64)
            other_labels = pd.DataFrame(index=range(1))
        years = self._years() if self.flows else None
        personal = [ind.code for ind in ruleset.indicators if ind.code in self.grid]
        values = {code: self._final_values(code, years, order, genders) for code in personal}
        grouping = _Cells(spec.breakdowns, gender_labels, other_labels)
        flows = _Years(self.flows, years) if years is not None else None
        records = RecordSet(participations=None, project=project, as_of=spec.as_of)
        entities, not_computed = _entity_values(ruleset, records)
        integral = all(
            ind.aggregate.function != "sum" for ind in ruleset.indicators if ind.code in values
        )
        layout = _Layout(grouping, flows)
        table = layout.table(ruleset, values, entities, integral)
        checks = layout.checks(ruleset, values, entities)
        excluded = (
            pd.concat(self.excluded, ignore_index=True)
            if len(self.excluded) > 1
            else self.excluded[0]
        )
        if rows is not None and len(excluded):
            excluded["row"] = rows(excluded["row"].to_numpy(dtype=np.int64))
        excluded = excluded.sort_values(["project_code", "participant_id", "row"]).reset_index(
            drop=True
        )
        counts = self.counts
        provenance = Provenance(
            ruleset=ruleset.name,
            ruleset_version=ruleset.version,
            library_version=_library_version(),
            as_of=spec.as_of,
            by=(*(FLOW_BREAKDOWNS if flows else ()), *spec.breakdowns),
            input_rows=counts["input_rows"],
            rows_after_as_of=counts["rows_after_as_of"],
            participations=counts["participations"],
            merged_rows=counts["merged_rows"],
            counted=counts["counted"],
            excluded=counts["participations"] - counts["counted"],
            not_computed=not_computed,
        )
        return Report(
            table=table,
            excluded=excluded[list(EXCLUDED_COLUMNS)],
            checks=checks,
            provenance=provenance,
            ruleset=ruleset,
        )


# --- the streaming engine -----------------------------------------------------------------------


def partition_numbers(participant_id: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray:
    """The partition (``0..partitions-1``) of each row, from a hash of its participant id."""
    if partitions == 1:
        return np.zeros(len(participant_id), dtype=np.intp)
    h = string_hash(participant_id)
    # The high half of the hash: the finaliser mixes every input bit into it.
    return ((h >> np.uint64(32)) % np.uint64(partitions)).astype(np.intp)


@attrs.frozen
class _Dataset:
    """A Parquet file or a directory of them: the files (in name order) and one schema.

    ``schema`` is the participation table's as the ingestion pipeline gives it (canonical names
    and types, the file's extra columns after them); ``headers`` maps each of its columns to the
    column of the files that fills it (a ``Data nașterii`` header fills ``birth_date``).
    """

    files: tuple[str, ...]
    schema: pa.Schema
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def count_rows(self) -> int:
        """The number of rows, from the files' footers (no data is read)."""
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(path).metadata.num_rows for path in self.files)


def _open_dataset(source: str) -> _Dataset:
    import pyarrow.dataset as ds

    path = Path(source)
    if not path.exists():
        raise InclusionKitError(f"{source}: no such file or directory")
    if path.is_file() and path.suffix.lower() != ".parquet":
        raise InclusionKitError(
            f"{source}: the streaming engine reads Parquet (a .parquet file or a directory of "
            "them); use engine='pandas' or engine='dask' for CSV"
        )
    try:
        dataset = ds.dataset(source, format="parquet")
    except (pa.ArrowException, OSError) as exc:
        raise InclusionKitError(f"{source}: not a readable Parquet dataset ({exc})") from None
    # The ingestion pipeline's header mapping and types, on the files' schema.
    mapping = default_mapping()
    headers = map_headers(dataset.schema.names, mapping, source=source, location="the schema")
    names = {**headers.columns, **{name: name for name in headers.extras}}
    raw = RawTable(table=dataset.schema.empty_table(), source=source, header_location="the schema")
    typed, _, _ = prepare(raw, mapping=mapping, keep_extra=True)
    # Name order, so "the input row number" of a directory means something stable.
    return _Dataset(
        files=tuple(sorted(dataset.files)),
        schema=typed.schema,
        headers={name: names[name] for name in typed.schema.names if name in names},
    )


def _batches(dataset: _Dataset, columns: list[str], batch_rows: int) -> Iterator[pa.Table]:
    """The dataset in input order, in tables of about ``batch_rows`` rows.

    Each file is read row group by row group, on demand: ``pyarrow.dataset``'s scanner reads
    ahead of a slow consumer (hundreds of MB on the 10M-row file), while ``iter_batches``
    without pre-buffering holds one batch. Each batch goes through the ingestion pipeline's
    mapping, cleaning and typing (a bad cell is an error naming its row); batches are gathered
    up to ``batch_rows`` rows so every partition gets fewer, larger writes.
    """
    import pyarrow.parquet as pq

    schema = pa.schema([dataset.schema.field(name) for name in columns])
    files = [dataset.headers.get(name, name) for name in columns]
    mapping = default_mapping()
    pending: list[pa.Table] = []
    held = 0
    offset = 0
    for path in dataset.files:
        reader = pq.ParquetFile(path, pre_buffer=False)
        for batch in reader.iter_batches(batch_size=min(batch_rows, _READ_ROWS), columns=files):
            if batch.num_rows == 0:
                continue
            raw = RawTable(
                table=pa.Table.from_batches([batch]),
                source=path,
                locate=offset_locator("row", offset),
            )
            typed, problems, _ = prepare(raw, mapping=mapping, keep_extra=True)
            if problems:
                raise ValidationError([problem for _, problem in problems], source=path)
            offset += batch.num_rows
            # Files of one dataset may type a column differently (int32 / int8, ...).
            pending.append(typed.select(columns).cast(schema))
            held += batch.num_rows
            if held >= batch_rows:
                yield pa.concat_tables(pending).combine_chunks()
                pending, held = [], 0
    if pending:
        yield pa.concat_tables(pending).combine_chunks()


def _scatter(
    dataset: _Dataset,
    columns: list[str],
    partitions: int,
    folder: Path,
    batch_rows: int,
    total: int,
    progress: ProgressCallback | None,
) -> list[tuple[Path, int]]:
    """Spread the rows over ``partitions`` Arrow IPC files by participant; return the
    non-empty files with their row counts."""
    writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
    sizes = np.zeros(partitions, dtype=np.int64)
    offset = 0
    emit(progress, "scan", 0, total)
    try:
        for table in _batches(dataset, columns, batch_rows):
            n = table.num_rows
            table = table.append_column(
                ROW_COLUMN, pa.array(np.arange(offset, offset + n, dtype=np.int64))
            )
            part = partition_numbers(table.column("participant_id"), partitions)
            counts = np.bincount(part, minlength=partitions)
            if partitions > 1:
                # A stable sort keeps each partition's rows in input order.
                table = table.take(pa.array(np.argsort(part, kind="stable")))
            start = 0
            for number in np.flatnonzero(counts).tolist():
                writer = writers.get(number)
                if writer is None:
                    path = folder / f"part-{number:05d}.arrows"
                    writer = pa.ipc.new_stream(str(path), table.schema, options=_IPC_OPTIONS)
                    writers[number] = writer
                writer.write_table(table.slice(start, int(counts[number])))
                start += int(counts[number])
            sizes += counts
            offset += n
            emit(progress, "scan", offset, total)
    finally:
        for writer in writers.values():
            writer.close()
    return [(folder / f"part-{n:05d}.arrows", int(sizes[n])) for n in sorted(writers)]


def _partition_limit() -> int:
    """:data:`MAX_PARTITIONS`, or fewer when the process may not open that many files."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return MAX_PARTITIONS
    if soft == resource.RLIM_INFINITY:
        return MAX_PARTITIONS
    # Leave room for the files the rest of the process has open.
    return max(1, min(MAX_PARTITIONS, soft - 64))


def _read_partition(path: Path) -> pa.Table:
    with pa.OSFile(str(path), "rb") as source:
        table = pa.ipc.open_stream(source).read_all()
    # One chunk per column: fewer, larger arrays convert faster, and some pyarrow kernels
    # misbehave on many-chunk arrays (performance notes).
    return table.combine_chunks()


def compute_streaming(
    participations: str | os.PathLike[str],
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] = "esf-2014",
    by: str | Sequence[str] = ("gender",),
    as_of: dt.date | str | None = None,
    project: Any = None,
    *,
    progress: ProgressCallback | None = None,
    batch_rows: int = BATCH_ROWS,
    partition_rows: int = PARTITION_ROWS,
    temp_dir: str | os.PathLike[str] | None = None,
) -> Report:
    """:func:`~inclusionkit.compute` over a Parquet file or dataset directory, in bounded memory.

    The same report as the in-memory engine. ``batch_rows`` rows are read at a time; the rows are
    spread over partitions of about ``partition_rows`` rows in a temporary directory (under
    ``temp_dir``, by default the system's; it needs about the size of the input in free space
    and is removed at the end), then each partition is computed and the results added up.
    Progress is reported in two phases, ``scan`` then ``compute``.
    """
    if not isinstance(participations, str | os.PathLike):
        raise InclusionKitError(
            "the streaming engine reads a Parquet file or dataset directory; pass its path "
            f"(not a {type(participations).__name__})"
        )
    if batch_rows < 1 or partition_rows < 1:
        raise InclusionKitError("batch_rows and partition_rows must be positive")
    ruleset = load_ruleset(rules)
    breakdowns = normalise_by(by)
    spec = Spec(ruleset=ruleset, breakdowns=breakdowns, as_of=parse_as_of(as_of))
    source = os.fspath(participations)
    dataset = _open_dataset(source)
    names = list(dataset.schema.names)
    # The in-memory engine's column checks, on an empty table of the file's schema.
    template = from_arrow(dataset.schema.empty_table(), source=source, keep_extra=True)
    check_table(ruleset, breakdowns, template)
    wanted = {*breakdowns, *ruleset.extra_columns}
    columns = [
        *COLUMN_NAMES,
        *(name for name in names if name not in COLUMN_NAMES and name in wanted),
    ]
    total = int(dataset.count_rows())
    partitions = min(max(1, math.ceil(total / partition_rows)), _partition_limit())
    totals = Totals(spec)
    with tempfile.TemporaryDirectory(prefix="inclusionkit-stream-", dir=temp_dir) as folder:
        files = _scatter(dataset, columns, partitions, Path(folder), batch_rows, total, progress)
        # Hand the scan's buffers back to the system before the partitions need memory.
        pa.default_memory_pool().release_unused()
        done = 0
        emit(progress, "compute", 0, total)
        for path, size in files:
            frame = from_arrow(_read_partition(path), source=source, keep_extra=True)
            rows = frame.pop(ROW_COLUMN).to_numpy(dtype=np.int64)
            totals.add(evaluate_partition(frame, rows, spec))
            del frame
            path.unlink()
            done += size
            emit(progress, "compute", done, total)
    if not totals.partitions:
        # An empty input still makes a report: the in-memory engine's, of an empty table.
        totals.add(evaluate_partition(template, None, spec))
    return totals.report(project)
