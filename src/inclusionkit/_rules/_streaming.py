"""Bounded-memory streaming: ``compute()`` over a Parquet file or dataset larger than memory.

The in-memory engine needs the whole table at once because of the re-entry merge: the rows of
one participation (same ``project_code`` and ``participant_id``) may be anywhere in the file.
Streaming therefore makes two passes:

1. **Scan.** The file is read in batches (``pyarrow.dataset``, only the columns a report reads)
   and every row is sent to one of N on-disk partitions (Arrow IPC streams in a temporary
   directory) by a hash of its ``participant_id``. All rows of a participation (indeed of a
   person) land in the same partition, so each partition is self-contained. Every row carries
   its position in the input, so the excluded list names the same rows as the in-memory engine.
2. **Compute.** Each partition is read back and counted
   (:func:`~inclusionkit._rules._partition.evaluate_partition`), which yields its partial
   counts; the one assembler (:class:`~inclusionkit._rules._assemble.Assembler`) adds them up
   and builds the report, exactly as it does for the in-memory engine's single partition.

Peak memory is two batches during the scan and two partitions (``partition_rows`` rows, half a
million by default) during the compute, whatever the size of the file: a helper thread reads
the next batch (partition) while the current one is scattered (counted). The Dask engine
(:mod:`._dask`) evaluates partitions the same way and hands them to the same assembler.

Hashing by ``participant_id`` (rather than the pair of keys) keeps a person's participations in
different projects together too, so ``count_distinct`` of ``participant_id`` also adds up across
partitions; ``count_distinct`` of any other column cannot be split and is refused.
"""

from __future__ import annotations

import collections
import contextvars
import datetime as dt
import itertools
import math
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._atomic import removed_on_sigterm
from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._ingest import RawTable, map_headers, offset_locator, prepare
from inclusionkit._ingest._mapping import ColumnMapping, current_mapping, default_mapping
from inclusionkit._ingest._type import gathered_booleans
from inclusionkit._pandas import pd
from inclusionkit._participations import from_arrow
from inclusionkit._progressbar import ProgressCallback, emit
from inclusionkit._rules._assemble import Assembler
from inclusionkit._rules._keys import string_hash
from inclusionkit._rules._model import Report
from inclusionkit._rules._partition import (
    Spec,
    check_table,
    columns_read,
    evaluate_partition,
    normalise_by,
)
from inclusionkit._rules._period import choose_ruleset, table_period
from inclusionkit._rules._ruleset import RuleSet
from inclusionkit.default_plugins.parquet_format import parquet_columns

__all__ = [
    "BATCH_ROWS",
    "ENGINES",
    "PARTITION_ROWS",
    "STREAMING_THRESHOLD_BYTES",
    "choose_engine",
    "compute_streaming",
    "is_dask_collection",
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

BATCH_ROWS = 500_000
"""Rows read and scattered at a time during the scan."""

PARTITION_ROWS = 500_000
"""Rows per on-disk partition (on average): what the compute pass holds in memory at once.

The compute pass counts one partition while it reads the next. Half a million rows peak at
about 0.85 GB in this process on the 10-million-row benchmark file, a million at about 1.2 GB
(and took no less CPU time)."""

MAX_PARTITIONS = 1_000
"""At most this many partitions (one open file each during the scan), and never more than the
process may open: beyond ``MAX_PARTITIONS * partition_rows`` rows partitions grow instead."""

ROW_COLUMN = "__inclusionkit_row__"
"""The input position each row carries through the partitions (for the excluded list)."""

# Uncompressed: with the text of few distinct values as dictionaries, dates as days (the
# pipeline types them as date32) and input positions in 4 bytes a partition is about 56 bytes
# a row (72 with 8-byte dates and positions), and compressing it cost more than everything
# else the scan does to write it (zstd 0.45 s, lz4 0.3 s, none 0.1 s of CPU per million rows
# written and read back).
# A dictionary that grows is written as a delta (its new values only), see _Dictionaries.
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression=None, emit_dictionary_deltas=True)
# Rows decoded at a time from a Parquet file (a row group of the benchmark files).
_READ_ROWS = 131_072
# Helper threads that sort the scan's batches by partition (:func:`_in_order`): with one the
# sort and the writing shared a thread, which was the scan's slowest.
_SORTERS = 2
# Each partition file is written through a buffer of this size: unbuffered, a write of a
# slice is a system call per Arrow buffer (about 86 per write of the 28 columns, 1.7 million at
# 100M rows in 200 partitions); 64 KiB took a third off the writing (1 MiB a partition, 200 MiB
# for 200 partitions, was slower: its first touch).
_WRITE_BUFFER = 64 * 2**10


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
    column of the files that fills it (a ``Data nașterii`` header fills ``birth_date``), by
    ``mapping``: the ingestion pipeline's when the dataset was opened (a command's ``--mapping``,
    else the built-in one), with which every batch is read. ``file_schema`` is the files' own.
    """

    files: tuple[str, ...]
    schema: pa.Schema
    headers: Mapping[str, str] = attrs.field(factory=dict)
    mapping: ColumnMapping = attrs.field(factory=default_mapping)
    file_schema: pa.Schema = attrs.field(factory=lambda: pa.schema([]))

    def read_plan(self, columns: Sequence[str]) -> tuple[list[str], list[str], tuple[str, ...]]:
        """For the participation ``columns`` (a projection): the files' columns to read, those
        of them to read as dictionaries, and the files' other columns (left unread), as every
        reader of Parquet files chooses them (:func:`parquet_columns`)."""
        names = self.file_schema.names
        read, dictionary = parquet_columns(
            names, self.mapping, keep_extra=True, source=self.files[0], only=columns
        )
        dictionary = [
            name
            for name in dictionary
            if name in read and pa.types.is_string(self.file_schema.field(name).type)
        ]
        return read, dictionary, tuple(name for name in names if name not in read)

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
    # The ingestion pipeline's header mapping (a command's --mapping, else the built-in one) and
    # types, on the files' schema.
    mapping = current_mapping()
    headers = map_headers(dataset.schema.names, mapping, source=source, location="the schema")
    names = {**headers.columns, **{name: name for name in headers.extras}}
    raw = RawTable(table=dataset.schema.empty_table(), source=source, header_location="the schema")
    typed, _, _ = prepare(raw, mapping=mapping, keep_extra=True)
    # Name order, so "the input row number" of a directory means something stable.
    return _Dataset(
        files=tuple(sorted(dataset.files)),
        schema=typed.schema,
        headers={name: names[name] for name in typed.schema.names if name in names},
        mapping=mapping,
        file_schema=dataset.schema,
    )


def _project_codes(dataset: _Dataset, batch_rows: int) -> list[Any]:
    """The distinct project codes of the dataset, read a batch of one column at a time."""
    import pyarrow.parquet as pq

    # The files' own header for the column (a register's "Cod proiect"), as the pipeline maps it.
    column = dataset.headers.get("project_code", "project_code")
    if "project_code" not in dataset.schema.names:
        return []
    names = dataset.file_schema.names
    text = column in names and pa.types.is_string(dataset.file_schema.field(column).type)
    seen: set[Any] = set()
    for path in dataset.files:
        # Text as a dictionary: a row group's few distinct codes are decoded, not every row's.
        reader = pq.ParquetFile(path, read_dictionary=[column] if text else None)
        for batch in reader.iter_batches(batch_rows, columns=[column]):
            codes = batch.column(0)
            if pa.types.is_dictionary(codes.type):
                codes = _used_values(codes)
            codes = pc.utf8_trim_whitespace(codes.cast(pa.large_string()))
            seen.update(pc.unique(codes).to_pylist())
    return sorted(code for code in seen if code)


def _used_values(codes: pa.DictionaryArray) -> pa.Array:
    """The dictionary values some row of ``codes`` points at: its indices counted by numpy (a
    tenth of hashing them; a file's dictionary may hold values no row has)."""
    size = len(codes.dictionary)
    indices = codes.indices
    if indices.null_count:
        indices = pc.fill_null(indices, size)  # a missing code counts in the extra slot
    counts = np.bincount(indices.to_numpy(zero_copy_only=False), minlength=size + 1)
    return codes.dictionary.take(pa.array(np.flatnonzero(counts[:size])))


def _distinct_codes(column: pa.ChunkedArray) -> list[Any]:
    """The distinct non-empty values of a typed ``project_code`` column (its dictionaries'
    values some row points at, as :func:`_project_codes` reads them)."""
    seen: set[Any] = set()
    for chunk in column.chunks:
        values = _used_values(chunk) if pa.types.is_dictionary(chunk.type) else pc.unique(chunk)
        seen.update(values.to_pylist())
    return [code for code in seen if code]


def source_period(source: Any) -> str | None:
    """The programming period of a participation table given as a DataFrame, or as the path of
    a Parquet file or dataset directory (only its ``project_code`` column is read)."""
    if isinstance(source, pd.DataFrame):
        return table_period(source["project_code"].dropna().unique())
    return table_period(_project_codes(_open_dataset(os.fspath(source)), BATCH_ROWS))


def _batches(
    dataset: _Dataset, columns: list[str], batch_rows: int, encode: Collection[str] = ()
) -> Iterator[pa.Table]:
    """The dataset's ``columns`` (a projection) in input order, in tables of about
    ``batch_rows`` rows; the text columns named in ``encode`` (those the pipeline types as
    dictionaries) on one growing dictionary each (:class:`_Dictionaries`).

    Each file is read row group by row group, on demand, one batch decoded ahead in a helper
    thread (:func:`_decoded`; ``pyarrow.dataset``'s scanner reads ahead of a slow consumer,
    hundreds of MB on the 10M-row file). Only the files' columns that fill ``columns`` are
    decoded (text of few distinct values as dictionaries, as every Parquet reader reads it);
    each batch goes through the ingestion pipeline's mapping, cleaning and typing of those
    columns (a bad cell is an error naming its row; every header is still mapped, so a missing
    required column stops the read as always); batches are gathered up to ``batch_rows`` rows
    so every partition gets fewer, larger writes.
    """
    read, dictionary, unread = dataset.read_plan(columns)
    mapping = dataset.mapping
    dictionaries = _Dictionaries()
    pending: list[pa.Table] = []
    codes: dict[str, list[pa.Array]] = {name: [] for name in encode}
    # The typed texts of those columns are not kept: their codes replace them.
    kept = [name for name in columns if name not in codes]
    schema = pa.schema([dataset.schema.field(name) for name in kept])
    held = 0

    def gathered() -> pa.Table:
        # Not combined: the scatter's gather (:func:`_gathered`) copies the rows once, in
        # partition order, straight from the row groups' chunks.
        table = pa.concat_tables(pending)
        arrays = {name: table.column(name) for name in kept}
        for name, parts in codes.items():
            arrays[name] = dictionaries.encode(name, parts)
            parts.clear()
        return pa.table([arrays[name] for name in columns], names=columns)

    # Decoded in a helper thread of its own, a batch ahead: Parquet's decoding (Arrow's threads,
    # without the GIL) overlaps the typing of the batch before.
    for path, offset, batch in _ahead(_decoded(dataset.files, read, dictionary, batch_rows)):
        raw = RawTable(
            table=pa.Table.from_batches([batch]),
            source=path,
            locate=offset_locator("row", offset),
            unread=unread,
        )
        typed, problems, _ = prepare(
            raw, mapping=mapping, keep_extra=True, notes=False, columns=columns
        )
        if problems:
            raise ValidationError([problem for _, problem in problems], source=path)
        for name, parts in codes.items():
            parts.append(dictionaries.codes(name, typed.column(name)))
        # Files of one dataset may type a column differently (int32 / int8, ...).
        pending.append(typed.select(kept).cast(schema))
        held += batch.num_rows
        if held >= batch_rows:
            yield gathered()
            pending, held = [], 0
    if pending:
        yield gathered()


def _decoded(
    files: Sequence[str], read: list[str], dictionary: list[str], batch_rows: int
) -> Iterator[tuple[str, int, pa.RecordBatch]]:
    """The non-empty record batches of the Parquet ``files`` (the columns ``read``, those in
    ``dictionary`` as dictionaries), each with its file and the position of its first row
    there: a bad cell is named by its file and its row in that file (0-based, as every reader
    of Parquet numbers them), as the in-memory reader names it.

    Each file is read row group by row group, on demand (``iter_batches`` without
    pre-buffering holds one batch), at most :data:`_READ_ROWS` rows at a time.
    """
    import pyarrow.parquet as pq

    for path in files:
        offset = 0
        reader = pq.ParquetFile(path, pre_buffer=False, read_dictionary=dictionary)
        for batch in reader.iter_batches(batch_size=min(batch_rows, _READ_ROWS), columns=read):
            if batch.num_rows:
                yield path, offset, batch
                offset += batch.num_rows


_T = TypeVar("_T")
_U = TypeVar("_U")


class _Dictionaries:
    """One dictionary per text column for the whole scan, grown as batches bring new values.

    Every batch encoded against the same dictionary means every partition's stream carries it
    once (and each growth as a delta of the new values), not once per write: 200 partitions
    times 100 batches would otherwise write 1.6 GB of project codes at 100M rows.

    The ingestion pipeline types a text column of few distinct values as a dictionary of its
    distinct typed texts, so a row's code here follows from its code there: each distinct text
    is looked up once (:meth:`codes`), and the rows re-coded by one gather of integers.
    """

    def __init__(self) -> None:
        self._values: dict[str, pa.Array] = {}
        # Per column, the last typed dictionary seen and its values' positions: row groups of a
        # file mostly type to the same few values, which then need no lookup (a dictionary only
        # grows, so positions once found stay right).
        self._last: dict[str, tuple[pa.Array, pa.Array | None]] = {}

    def _positions(self, name: str, values: pa.Array) -> pa.Array:
        """Each of ``values``' position in the dictionary of ``name`` (which takes in the new
        ones), null for a missing value."""
        distinct = pc.unique(values.drop_null())
        known = self._values.get(name)
        if known is None:
            known = distinct
        else:
            new = distinct.filter(pc.is_null(pc.index_in(distinct, value_set=known)))
            if len(new):
                known = pa.concat_arrays([known, new])
        self._values[name] = known
        return pc.index_in(values, value_set=known)

    def codes(self, name: str, typed: pa.Array | pa.ChunkedArray) -> pa.Array:
        """The code of each row of the typed text column ``typed`` (null for a missing value):
        a dictionary as the pipeline types it, or plain text (encoded here first)."""
        typed = typed.combine_chunks() if isinstance(typed, pa.ChunkedArray) else typed
        if not pa.types.is_dictionary(typed.type):
            typed = pc.dictionary_encode(typed)
        last = self._last.get(name)
        if last is not None and last[0].equals(typed.dictionary):
            positions = last[1]
        else:
            found = self._positions(name, typed.dictionary)
            same = found.null_count == 0 and np.array_equal(found.to_numpy(), np.arange(len(found)))
            # Its values in the order the scan's dictionary has them (often so): its codes
            # are ours (no positions to map them through).
            positions = None if same else found
            self._last[name] = (typed.dictionary, positions)
        codes: pa.Array = typed.indices if positions is None else positions.take(typed.indices)
        return codes

    def encode(self, name: str, codes: Sequence[pa.Array]) -> pa.DictionaryArray:
        """Rows' :meth:`codes` as one dictionary array (on the dictionary as it stands)."""
        indices = pa.concat_arrays(list(codes)).cast(pa.int32())
        return pa.DictionaryArray.from_arrays(indices, self._values[name], safe=False)


def _ahead(items: Iterator[_T]) -> Iterator[_T]:
    """``items``, each made in a helper thread while the caller works on the one before.

    Exactly one item is made ahead, so at most two are held at once. Reading and decoding
    (Parquet, Arrow, the ingestion pipeline's kernels) and the caller's work (hashing, sorting,
    writing; counting) mostly release the GIL, so the two overlap on two cores. The helper runs
    in a copy of the caller's context (the language of messages); an error there is raised here.
    """
    from concurrent.futures import ThreadPoolExecutor

    def step(context: contextvars.Context) -> list[_T]:
        """The next item (none at the end), made in ``context``."""
        return context.run(lambda: list(itertools.islice(items, 1)))

    with ThreadPoolExecutor(1, thread_name_prefix="inclusionkit-stream") as pool:
        making = pool.submit(step, contextvars.copy_context())
        while True:
            item = making.result()
            if not item:
                return
            making = pool.submit(step, contextvars.copy_context())
            yield item[0]


@attrs.frozen
class _Sorted:
    """A batch in partition order, ready to write: its rows (with their input positions in
    :data:`ROW_COLUMN`), the number of rows of each partition, and its distinct project codes
    (when the scan collects them)."""

    table: pa.Table
    counts: np.ndarray
    codes: list[Any]


def _sorted(
    table: pa.Table, offset: int, partitions: int, position_type: np.dtype, codes: bool
) -> _Sorted:
    """The batch ``table`` (its first row at input position ``offset``) sorted by partition.

    Everything here is the batch's own (no state of the scan), so batches are sorted in helper
    threads, several at once, while the scan writes the one before (:func:`_in_order`)."""
    n = table.num_rows
    found = _distinct_codes(table.column("project_code")) if codes else []
    part = partition_numbers(table.column("participant_id"), partitions)
    counts = np.bincount(part, minlength=partitions)
    if partitions > 1:
        # A stable sort keeps each partition's rows in input order (numpy sorts 16-bit keys by
        # radix, several times faster than 64-bit ones).
        keys = part.astype(np.uint16) if partitions <= 2**16 else part
        order = np.argsort(keys, kind="stable")
        table = _gathered(table, order)
        # The rows' input positions, in the same order: no column to gather.
        positions = order + offset
    else:
        positions = np.arange(offset, offset + n)
    table = table.append_column(ROW_COLUMN, pa.array(positions.astype(position_type, copy=False)))
    return _Sorted(table, counts, found)


def _in_order(work: Callable[[_T], _U], items: Iterator[_T], workers: int) -> Iterator[_U]:
    """``work(item)`` for each of ``items``, in their order, up to ``workers`` at once in
    helper threads (each in a copy of the caller's context; an error there is raised here).

    At most ``workers`` results wait to be taken, so memory stays bounded; items are taken
    from ``items`` as workers free up (``items`` is closed at the end, on an error too).
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    waiting: collections.deque[Future[_U]] = collections.deque()
    with ThreadPoolExecutor(workers, thread_name_prefix="inclusionkit-sort") as pool:
        try:
            for item in items:
                waiting.append(pool.submit(contextvars.copy_context().run, work, item))
                if len(waiting) >= workers:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            for future in waiting:
                future.cancel()
            # A generator (the scan's reading threads) is stopped now, not when collected.
            close = getattr(items, "close", None)
            if close is not None:
                close()


def _scatter(
    dataset: _Dataset,
    columns: list[str],
    partitions: int,
    folder: Path,
    batch_rows: int,
    total: int,
    progress: ProgressCallback | None,
    codes: set[Any] | None = None,
) -> list[tuple[Path, int]]:
    """Spread the rows over ``partitions`` Arrow IPC files by participant; return the
    non-empty files with their row counts. With ``codes``, the distinct typed project codes of
    the rows are added to it (so a rule set given by the caller needs no read of the column
    before the scan: :func:`compute_streaming`).

    The text columns the ingestion pipeline types as dictionaries (a project code, a region:
    few distinct values) are written as dictionaries too, so each row moves and stores a 4-byte
    code rather than its text (:func:`_read_partition` keeps them so: the engine reads the codes).

    Three stages overlap: a helper thread reads and types the batches in input order
    (:func:`_batches`, :func:`_ahead`), :data:`_SORTERS` helper threads hash and sort them by
    partition (:func:`_sorted`, :func:`_in_order`), and this thread writes each sorted batch's
    slices to the partitions' files.
    """
    encode = {name for name in columns if pa.types.is_dictionary(dataset.schema.field(name).type)}
    writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
    sinks: list[pa.NativeFile] = []
    sizes = np.zeros(partitions, dtype=np.int64)
    # A row's input position in 4 bytes when every position fits (read back as int64).
    position_type = np.dtype(np.uint32 if total < 2**32 else np.int64)
    offset = 0
    emit(progress, "scan", 0, total)

    def positioned() -> Iterator[tuple[pa.Table, int]]:
        """The typed batches, each with the input position of its first row."""
        start = 0
        for table in _ahead(_batches(dataset, columns, batch_rows, encode)):
            yield table, start
            start += table.num_rows

    def sort(item: tuple[pa.Table, int]) -> _Sorted:
        return _sorted(item[0], item[1], partitions, position_type, codes is not None)

    try:
        for batch in _in_order(sort, positioned(), _SORTERS):
            table, counts = batch.table, batch.counts
            if codes is not None:
                codes.update(batch.codes)
            start = 0
            for number in np.flatnonzero(counts).tolist():
                writer = writers.get(number)
                if writer is None:
                    path = folder / f"part-{number:05d}.arrows"
                    sink = pa.output_stream(str(path), buffer_size=_WRITE_BUFFER)
                    sinks.append(sink)
                    writer = pa.ipc.new_stream(sink, table.schema, options=_IPC_OPTIONS)
                    writers[number] = writer
                writer.write_table(table.slice(start, int(counts[number])))
                start += int(counts[number])
            sizes += counts
            offset += table.num_rows
            del batch, table
            emit(progress, "scan", offset, total)
    finally:
        # The writer ends its stream; the file (its buffer flushed) is closed apart.
        for writer in writers.values():
            writer.close()
        for sink in sinks:
            sink.close()
    return [(folder / f"part-{n:05d}.arrows", int(sizes[n])) for n in sorted(writers)]


def _gathered(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table.take(rows)``, its boolean columns gathered by numpy (:func:`gathered_booleans`:
    Arrow's ``take`` of bits was two thirds of the scan's sorting of a batch)."""
    indices = pa.array(rows)
    columns = [
        gathered_booleans(column, rows)
        if pa.types.is_boolean(column.type)
        else column.take(indices)
        for column in table.columns
    ]
    return pa.Table.from_arrays(columns, schema=table.schema)


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


def _read_partition(path: Path) -> tuple[pa.Table, np.ndarray]:
    """A partition as :func:`_scatter` wrote it, one chunk per column, and its rows' input
    positions; its dictionary columns kept as dictionaries (the engine reads their codes: no
    text spread over the rows). The scan typed every cell: the engine reads it as it is.

    The file is mapped, not read: its batches are views of the page cache, copied once, by the
    joining of the chunks (a read copied them into fresh memory first: 0.15 s of CPU per 10M
    rows, most of it the kernel's, and that memory's page faults). Windows cannot remove a
    file while it is mapped (a one-chunk column stays a view of it): there it is read."""
    opened = pa.memory_map(str(path), "r") if os.name != "nt" else pa.OSFile(str(path), "rb")
    with opened as source:
        table = pa.ipc.open_stream(source).read_all()
    for index, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(index, field.name, _joined(table.column(index)))
    # One chunk per column: fewer, larger arrays convert faster, and some pyarrow kernels
    # misbehave on many-chunk arrays (performance notes).
    table = table.combine_chunks()
    rows = table.column(ROW_COLUMN).to_numpy().astype(np.int64)
    return table.drop_columns([ROW_COLUMN]), rows


def _joined(column: pa.ChunkedArray) -> pa.Array:
    """A dictionary column of a partition as one dictionary array, on the last dictionary.

    Each write of the scan extends the one dictionary (a delta), so every chunk's dictionary
    is the start of the last one: the chunks' codes are joined and mean the same values in the
    last dictionary, rather than each chunk decoded.
    """
    value_type = column.type.value_type
    if column.num_chunks == 0:
        return pa.array([], type=value_type)
    chunks = column.chunks
    last = chunks[-1].dictionary
    if any(not chunk.dictionary.equals(last.slice(0, len(chunk.dictionary))) for chunk in chunks):
        # Not one growing dictionary (never written so by the scan): decode each chunk.
        return column.cast(value_type).combine_chunks()
    indices = pa.concat_arrays([chunk.indices for chunk in chunks])
    return pa.DictionaryArray.from_arrays(indices, last)


def _partitions(files: list[tuple[Path, int]]) -> Iterator[tuple[pa.Table, np.ndarray, int]]:
    """Each partition file as its typed Arrow table, its rows' input positions and its row
    count; the file is removed once read."""
    for path, size in files:
        table, rows = _read_partition(path)
        path.unlink()
        yield table, rows, size


def compute_streaming(
    participations: str | os.PathLike[str],
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    by: str | Sequence[str] = ("gender",),
    as_of: dt.date | str | None = None,
    project: Any = None,
    *,
    period: Any = None,
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
    source = os.fspath(participations)
    dataset = _open_dataset(source)
    # Without a rule set the project codes choose it: the column is read first. With one, the
    # scan collects the codes as it goes (their period is only the report's provenance).
    ruleset, codes_period = choose_ruleset(
        rules, _project_codes(dataset, batch_rows) if rules is None else ()
    )
    breakdowns = normalise_by(by)
    spec = Spec.build(ruleset, breakdowns, as_of, codes_period, period)
    spec.require_additive()
    names = list(dataset.schema.names)
    # The in-memory engine's column checks, on an empty table of the file's schema.
    template = from_arrow(dataset.schema.empty_table(), source=source, keep_extra=True)
    check_table(ruleset, breakdowns, template)
    # Only the columns the report reads (as the in-memory engine reads a file).
    columns = [name for name in columns_read(ruleset, breakdowns) if name in names]
    # (``project_code`` is part of the re-entry key: a file the engine can count has it.)
    codes: set[Any] | None = set() if rules is not None and "project_code" in columns else None
    total = int(dataset.count_rows())
    partitions = min(max(1, math.ceil(total / partition_rows)), _partition_limit())
    # SIGTERM (a scheduler's timeout, `kill`) unwinds like an exception, so the partitions
    # (about the input's size on disk) are removed rather than left in the temporary folder.
    with (
        removed_on_sigterm(),
        tempfile.TemporaryDirectory(prefix="inclusionkit-stream-", dir=temp_dir) as folder,
    ):
        files = _scatter(
            dataset, columns, partitions, Path(folder), batch_rows, total, progress, codes
        )
        if codes is not None:
            spec = attrs.evolve(spec, table_period=table_period(codes))
        totals = Assembler(spec)
        # Hand the scan's buffers back to the system before the partitions need memory.
        pa.default_memory_pool().release_unused()
        done = 0
        emit(progress, "compute", 0, total)
        # The next partition is read while this one is counted.
        for table, rows, size in _ahead(_partitions(files)):
            totals.add(evaluate_partition(table, rows, spec))
            del table, rows
            # The partition is Arrow memory: handed back, or Arrow's pool would keep it from the
            # next partition's numpy arrays.
            pa.default_memory_pool().release_unused()
            done += size
            emit(progress, "compute", done, total)
    if not totals.partitions:
        # An empty input still makes a report: the in-memory engine's, of an empty table.
        totals.add(evaluate_partition(template, None, spec))
    # The partitions' scratch memory goes back to the system before the report is built: the
    # excluded list is about a twentieth of the rows, and sorting it is the last peak.
    pa.default_memory_pool().release_unused()
    return totals.report(project)
