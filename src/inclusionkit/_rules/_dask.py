"""The Dask engine: ``compute(..., engine="dask")`` on a Dask DataFrame, locally or on a cluster.

The same plan as the streaming engine (:mod:`._streaming`), with Dask moving the data:

1. The input (a ``dask.dataframe.DataFrame``, or a Parquet/CSV path read with Dask) keeps only
   the columns a report reads; each row is tagged with its input partition and position there.
2. ``shuffle(on="participant_id")`` hash-partitions the rows, so every participation (indeed
   every person) is in one partition.
3. Each partition is counted into partial counts
   (:func:`~inclusionkit._rules._partition.evaluate_partition`), on the workers.
4. The small partial counts come back to the caller as they finish and are handed to the one
   assembler (:class:`~inclusionkit._rules._assemble.Assembler`), which builds the report; the
   excluded rows' tags become input row numbers.

It runs on whatever ``dask.distributed`` client is active (``Client("tcp://scheduler:8786")``
before the call), or else on Dask's default scheduler. Dask is an optional dependency
(``pip install inclusionkit[dask]``), imported only here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._errors import InclusionKitError
from inclusionkit._ingest import decode_legacy, is_utf8, layout, map_headers
from inclusionkit._ingest._decode import HEAD_SIZE, csv_row_lines
from inclusionkit._ingest._mapping import (
    ColumnMapping,
    check_headers,
    current_mapping,
    renamed_mapping,
)
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, COLUMNS, from_arrow
from inclusionkit._progressbar import ProgressCallback, emit
from inclusionkit._rules._assemble import Assembler
from inclusionkit._rules._model import Report
from inclusionkit._rules._partition import (
    Partial,
    Spec,
    check_table,
    evaluate_partition,
    normalise_by,
)
from inclusionkit._rules._period import choose_ruleset
from inclusionkit._rules._records import as_table
from inclusionkit._rules._ruleset import RuleSet
from inclusionkit._rules._streaming import is_dask_collection
from inclusionkit._sanitise import restore_frame

__all__ = ["CSV_BLOCKSIZE", "PARQUET_ROW_GROUPS", "compute_dask", "read_dask"]

PART_COLUMN = "__inclusionkit_partition__"
POSITION_COLUMN = "__inclusionkit_position__"
# A row's tag is partition * 2**40 + position: a partition of up to a trillion rows, and up to
# eight million partitions, fit in an int64.
_POSITION_BITS = 40

PARQUET_ROW_GROUPS = 4
"""Row groups per Dask partition when reading Parquet: one partition per file (Dask's default)
leaves one worker doing everything (performance notes: 2-3x slower on two workers)."""

CSV_BLOCKSIZE = "64MB"
"""Bytes of CSV per Dask partition."""


def _import_dask() -> Any:
    try:
        import dask
        import dask.dataframe
    except ImportError:
        raise InclusionKitError(
            "engine='dask' needs Dask: pip install 'inclusionkit[dask]'"
        ) from None
    return dask


def read_dask(path: str | os.PathLike[str]) -> tuple[Any, ColumnMapping]:
    """A Parquet file/directory or CSV file as a Dask DataFrame with its headers renamed to the
    columns they fill, and the mapping its partitions are then read with (the ingestion
    pipeline's, :func:`~inclusionkit._ingest._mapping.current_mapping`: a command's
    ``--mapping``, else the built-in one), as the in-memory reader reads them."""
    _import_dask()
    import dask.dataframe as dd

    source = os.fspath(path)
    target = Path(source)
    # A URL (s3://, gs://, hdfs://...) is for the workers to open; only local paths are checked.
    remote = "://" in source
    if not remote and not target.exists():
        raise InclusionKitError(f"{source}: no such file or directory")
    suffix = target.suffix.lower()
    if suffix not in {".csv", ".txt"} and (remote or target.is_dir() or suffix == ".parquet"):
        frame = dd.read_parquet(
            source, dtype_backend="pyarrow", split_row_groups=PARQUET_ROW_GROUPS
        )
        return _canonical_names(frame, source)
    if suffix in {".csv", ".txt"}:
        # fsspec (a Dask dependency) opens local paths and URLs alike; it has no type hints.
        fsspec: Any = importlib.import_module("fsspec")
        with fsspec.open(source, "rb") as handle:
            head = handle.read(HEAD_SIZE)
        # The ingestion pipeline's decoding: UTF-8 (BOM or not), else Windows-1250/ISO-8859-2;
        # Excel's "sep=;" line.
        encoding = "utf-8-sig" if is_utf8(head) else decode_legacy(head, source)[1]
        form = layout(head)
        # Every cell as text: mapping, cleaning and typing are the ingestion pipeline's
        # (``from_arrow``), done per partition on the workers.
        frame = dd.read_csv(
            source,
            sep=form.delimiter,
            skiprows=form.skip_lines,
            dtype="string[pyarrow]",
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            blocksize=CSV_BLOCKSIZE,
        )
        # CSV quotes formula-like text with a "'" (see _sanitise): undone, as on every door.
        frame = frame.map_partitions(restore_frame, meta=frame._meta)
        return _canonical_names(frame, source)
    raise InclusionKitError(
        f"{source}: the Dask engine reads .parquet, .csv or a directory of Parquet files"
    )


def _canonical_names(frame: Any, source: str) -> tuple[Any, ColumnMapping]:
    """The frame with its headers mapped to canonical names (the ingestion pipeline's mapping),
    and the mapping that reads the renamed columns' cells."""
    mapping = current_mapping()
    headers = map_headers(
        [str(name) for name in frame.columns],
        mapping,
        source=source,
        location="line 1",
    )
    renames = {header: target for target, header in headers.columns.items() if header != target}
    if renames:
        frame = frame.rename(columns=renames)
    # An optional column the file lacks is unknown in every row, as in the in-memory reader.
    absent = [c.name for c in COLUMNS if not c.required and c.name not in headers.columns]
    mapping = renamed_mapping(mapping, headers.columns)
    return (frame.assign(**dict.fromkeys(absent)) if absent else frame), mapping


def _tag(part: pd.DataFrame, partition_info: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Add each row's input partition and position in it (to name excluded rows later)."""
    number = 0 if partition_info is None else int(partition_info["number"])
    return part.assign(
        **{
            PART_COLUMN: np.full(len(part), number, dtype=np.int64),
            POSITION_COLUMN: np.arange(len(part), dtype=np.int64),
        }
    )


def _canonical(frame: pd.DataFrame, mapping: ColumnMapping | None) -> pd.DataFrame:
    """A partition as a canonical participation table: read with ``mapping`` (a file's), or
    (``None``, a Dask DataFrame given) as a pandas DataFrame is."""
    if mapping is None:
        return as_table(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # ``string`` is what the in-memory readers produce, and what from_arrow keeps as it is.
    table = table.cast(
        pa.schema(
            [
                pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
                for f in table.schema
            ]
        )
    )
    return from_arrow(table, keep_extra=True, mapping=mapping)


def evaluate_dask_partition(
    part: pd.DataFrame, spec: Spec, mapping: ColumnMapping | None
) -> Partial:
    """Evaluate one shuffled partition (runs on a worker)."""
    part = part.reset_index(drop=True)
    origin = part[PART_COLUMN].to_numpy(dtype=np.int64)
    tags = (origin << _POSITION_BITS) | part[POSITION_COLUMN].to_numpy(dtype=np.int64)
    table = _canonical(part.drop(columns=[PART_COLUMN, POSITION_COLUMN]), mapping)
    partial = evaluate_partition(table, tags, spec)
    return attrs.evolve(partial, sources=np.unique(origin, return_counts=True))


def _client() -> Any:
    """The active ``dask.distributed`` client, or ``None``."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None


def _parquet_rows(path: str) -> int | None:
    """The rows of a Parquet file or directory, from the footers (for progress)."""
    if "://" in path:
        return None
    try:
        import pyarrow.dataset as ds

        return int(ds.dataset(path, format="parquet").count_rows())
    except (pa.ArrowException, OSError, ValueError):
        return None


def compute_dask(
    participations: Any,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    by: str | Sequence[str] = ("gender",),
    as_of: dt.date | str | None = None,
    project: Any = None,
    *,
    period: Any = None,
    progress: ProgressCallback | None = None,
    npartitions: int | None = None,
) -> Report:
    """:func:`~inclusionkit.compute` with Dask: the same report as the in-memory engine.

    ``participations`` is a Dask DataFrame with the canonical columns (typed or text, as for a
    pandas DataFrame), or the path of a Parquet file, Parquet directory or CSV file. The work
    runs on the active ``dask.distributed`` client when there is one, else on Dask's default
    scheduler. ``npartitions`` sets the number of partitions after the shuffle (default: as
    many as the input has). Progress comes as ``compute`` events, one per finished partition.
    """
    dask = _import_dask()
    breakdowns = normalise_by(by)
    total: int | None = None
    mapping: ColumnMapping | None = None
    if is_dask_collection(participations):
        frame = participations
    elif isinstance(participations, str | os.PathLike):
        frame, mapping = read_dask(participations)
        source = os.fspath(participations)
        if Path(source).suffix.lower() not in {".csv", ".txt"}:
            total = _parquet_rows(source)
    else:
        raise InclusionKitError(
            "engine='dask' takes a Dask DataFrame or the path of a Parquet or CSV file, "
            f"not {type(participations).__name__}"
        )
    # The in-memory engine's column checks, on the frame's empty metadata.
    meta = frame._meta
    missing = [name for name in COLUMN_NAMES if name not in meta.columns]
    if missing:
        _canonical(meta, mapping)  # raises the reader's ValidationError naming every column
    codes = frame["project_code"].dropna().unique().compute()
    ruleset, codes_period = choose_ruleset(rules, codes.astype(str).tolist())
    spec = Spec.build(ruleset, breakdowns, as_of, codes_period, period)
    spec.require_additive()
    check_table(ruleset, breakdowns, meta)
    wanted = {*breakdowns, *ruleset.extra_columns}
    columns = [
        *COLUMN_NAMES,
        *(name for name in meta.columns if name not in COLUMN_NAMES and name in wanted),
    ]
    if mapping is not None:
        # A column nothing reads is left behind: under a command's strict mapping it stops the
        # command, as it does every other reader (never lost silently).
        check_headers(
            [str(name) for name in meta.columns if name not in columns],
            source=os.fspath(participations),
        )
    tagged = frame[columns].map_partitions(_tag, meta=_tag(meta[columns]))
    shuffled = tagged.shuffle(on="participant_id", npartitions=npartitions)
    tasks = [
        dask.delayed(evaluate_dask_partition)(part, spec, mapping) for part in shuffled.to_delayed()
    ]
    totals = Assembler(spec)
    sources: dict[int, int] = {}
    done = 0
    emit(progress, "compute", 0, total)

    def add(partial: Partial) -> None:
        nonlocal done
        totals.add(partial)
        if partial.sources is not None:
            for number, count in zip(*partial.sources, strict=True):
                sources[int(number)] = sources.get(int(number), 0) + int(count)
        done += partial.input_rows
        emit(progress, "compute", done, total)

    client = _client()
    if client is not None:
        from distributed import as_completed

        # Partial results are small; take each as it finishes so the caller holds few at once.
        for future in as_completed(client.compute(tasks)):  # type: ignore[no-untyped-call]
            add(future.result())
            future.release()
    else:
        from dask.callbacks import Callback

        # The default schedulers run callbacks in this thread: report each partition as it ends.
        added: set[int] = set()

        def posttask(key: Any, result: Any, *args: Any) -> None:
            if isinstance(result, Partial) and id(result) not in added:
                added.add(id(result))
                add(result)

        with Callback(posttask=posttask):  # type: ignore[no-untyped-call]
            results = dask.compute(*tasks)
        # A scheduler that calls no callbacks (or copies results) still gets every partition
        # added exactly once.
        if len(added) != len(results):
            totals, sources, done = Assembler(spec), {}, 0
            for result in results:
                add(result)
    if not totals.partitions:
        empty = _canonical(meta[columns], mapping)
        totals.add(evaluate_partition(empty, None, spec))
    offsets = np.zeros(max(sources, default=-1) + 2, dtype=np.int64)
    for number, count in sources.items():
        offsets[number + 1] = count
    offsets = np.cumsum(offsets)

    # A local CSV's rows are said by their physical line, as the in-memory engine says them.
    lines = (
        csv_row_lines(os.fspath(participations))
        if isinstance(participations, str | os.PathLike)
        and os.path.isfile(participations)
        and Path(participations).suffix.lower() in {".csv", ".txt"}
        else None
    )

    def rows(tags: np.ndarray) -> np.ndarray:
        origin = tags >> _POSITION_BITS
        found = np.asarray(offsets[origin] + (tags & ((1 << _POSITION_BITS) - 1)))
        return found if lines is None else lines(found)

    return totals.report(project, rows)
