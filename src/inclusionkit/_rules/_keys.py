"""Finding re-entries fast: which rows share a (project_code, participant_id) key.

Most tables have no re-entry at all, so the question "is any key repeated?" must cost far less
than grouping a million strings. Each key is hashed to 64 bits straight from the Arrow buffers
(whole-column byte arithmetic, no Python per row); rows whose hash bucket is shared become
candidates; only those are grouped exactly, by their real strings, so a hash collision can never
merge two different participations.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._arrow_text import text_buffers

_PRIME = np.uint64(0x100000001B3)
_SEED = np.uint64(0xCBF29CE484222325)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)

_T = TypeVar("_T")


def run_shared(pool: Executor | None, tasks: Sequence[Callable[[], _T]]) -> list[_T]:
    """The results of ``tasks``, in their order, each run once: by this thread and, when a
    ``pool`` is given, by one of its threads as well, each taking the next task left.

    This thread never waits for the pool to start (its threads may be busy with other work):
    when it has run the last task itself, a helper not yet started is cancelled. Each task
    writes nothing but its result, so who ran it changes nothing.
    """
    results: list[_T | None] = [None] * len(tasks)
    lock = threading.Lock()
    left = iter(range(len(tasks)))

    def work() -> None:
        while True:
            with lock:
                index = next(left, None)
            if index is None:
                return
            results[index] = tasks[index]()

    helper = pool.submit(work) if pool is not None and len(tasks) > 1 else None
    try:
        work()
    finally:
        if helper is not None and not helper.cancel():
            helper.result()
    return results  # type: ignore[return-value]  # every task has run: no None is left


def finalise(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: spreads every input bit over every output bit
    (the top bits are used as bucket numbers)."""
    h ^= h >> np.uint64(33)
    h *= _MIX1
    h ^= h >> np.uint64(33)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


# MASKS[k] keeps the first k bytes of a little-endian 64-bit word.
_MASKS = np.array(
    [0, *((1 << (8 * k)) - 1 for k in range(1, 8)), 0xFFFFFFFFFFFFFFFF], dtype=np.uint64
)


def as_offset_strings(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``array`` as Arrow ``string``/``large_string`` (offsets + data buffers), which is what
    the hash reads and what every kernel used here accepts.

    Those two types pass unchanged; anything else is cast to ``large_string``: a
    ``string_view`` (whose buffers are views, not offsets, and which ``take`` does not
    support), a dictionary, an all-null column typed ``null``, numbers.
    """
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array
    return array.cast(pa.large_string())


def string_hash(array: pa.Array | pa.ChunkedArray, pool: Executor | None = None) -> np.ndarray:
    """A 64-bit hash of every string of an Arrow string array (nulls hash alike).

    Reads the values eight bytes at a time through an unaligned ``uint64`` view of the data
    buffer, masking off the bytes past each value's end, so a key of up to 8 bytes costs one
    gather per row and longer keys one more per 8 bytes. A chunked array is hashed chunk by
    chunk (no copy into one buffer). Other text types are cast first (:func:`as_offset_strings`).
    With a ``pool``, one of its threads hashes some of the blocks (:func:`run_shared`).
    """
    array = as_offset_strings(array)
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 0:
            return np.zeros(0, dtype=np.uint64)
        if array.num_chunks == 1:
            # One chunk is hashed as it is: a concatenate would copy its hashes into fresh pages.
            return _chunk_hash(array.chunk(0), pool)
        return np.concatenate([_chunk_hash(chunk, pool) for chunk in array.chunks])
    return _chunk_hash(array, pool)


HASH_BLOCK = 1 << 18
"""Rows hashed at a time: each pass's temporaries (a few arrays of this many words) stay in
the caches and a 10M-row key never needs more than a few MiB of them (whole, ~0.5 GiB at once)."""


def _chunk_hash(array: pa.Array, pool: Executor | None = None) -> np.ndarray:
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    buffers = text_buffers(array)
    assert buffers is not None  # as_offset_strings gave string or large_string
    offsets, raw = buffers
    width = max(
        int(np.diff(offsets[start : start + HASH_BLOCK + 1]).max())
        for start in range(0, n, HASH_BLOCK)
    )
    # Words are read straight from the data buffer (no copy), for every value whose last word
    # ends inside it; the last few values (offsets ascend) read a padded copy of the buffer's end.
    reach = -(-width // 8) * 8
    body = int(np.searchsorted(offsets[:-1], raw.shape[0] - reach, side="right"))
    h = np.empty(n, dtype=np.uint64)

    def block(start: int) -> None:
        stop = min(start + HASH_BLOCK, body)
        # Offsets widened to int64: word positions past a value's start must not wrap in int32.
        window = offsets[start : stop + 1].astype(np.int64)
        h[start:stop] = _words_hash(raw, window[:-1], np.diff(window))

    # Block by block: a value's hash depends on its own bytes alone, never on its block's (so
    # never on which thread hashed it).
    run_shared(pool, [functools.partial(block, start) for start in range(0, body, HASH_BLOCK)])
    if body < n:
        window = offsets[body:].astype(np.int64)
        first = int(window[0])
        last = int(window[-1])
        tail = np.zeros(last - first + reach + 8, dtype=np.uint8)
        tail[: last - first] = raw[first:last]
        h[body:] = _words_hash(tail, window[:-1] - first, np.diff(window))
    if array.null_count:
        h[~np.asarray(array.is_valid().to_numpy(zero_copy_only=False))] = _SEED
    return h


def _words_hash(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of the values at ``starts`` (of ``lengths`` bytes) of ``data``, every word of
    which lies inside ``data``.

    When every value has the same length (a fixed-width identifier), each word is a strided
    view of the buffer instead of a gather.
    """
    n = starts.shape[0]
    h = np.full(n, _SEED, dtype=np.uint64)
    if n == 0:
        return h
    width = int(lengths.max())
    shortest = int(lengths.min())
    # Values are consecutive in the buffer, so equal lengths mean equally spaced starts.
    fixed = width == shortest
    words = (
        None
        if fixed or data.shape[0] < 8
        else np.ndarray(shape=(data.shape[0] - 7,), dtype=np.uint64, buffer=data, strides=(1,))
    )
    with np.errstate(over="ignore"):
        for j in range(0, width, 8):
            if fixed:
                word = np.ndarray(
                    shape=(n,),
                    dtype=np.uint64,
                    buffer=data,
                    offset=int(starts[0]) + j,
                    strides=(max(width, 1),),
                ).copy()
            else:
                assert words is not None
                word = words[starts + j]
            if j + 8 > shortest:
                if fixed:
                    word &= _MASKS[min(width - j, 8)]
                else:
                    word &= _MASKS[np.clip(lengths - j, 0, 8)]
            mixed = (h ^ word) * _PRIME
            mixed ^= mixed >> np.uint64(29)
            # A value that has ended is left alone: its hash must not depend on how long the
            # other values of its chunk are, or equal keys in two chunks (a concatenated table,
            # two batches of a stream) would hash apart and never be merged.
            h = mixed if j < shortest else np.where(lengths > j, mixed, h)
        h ^= lengths.astype(np.uint64) * _GOLDEN
        return finalise(h)


SPLIT_HASHES = 1 << 18
"""From this many hashes, :func:`candidates_of` given a pool looks for repeats in parts: from
about 250k hashes on, the parts (on two threads) take less time than one search, and each
part's table of counts is half the size (docs/performance.md: at 1M rows 21 against 27 ms, and
a report's peak 12 MiB lower)."""

PART_HASHES = 1 << 21
"""At most this many hashes (on average) in one part of :func:`candidates_of`'s search."""


def candidates_of(
    h: np.ndarray, pool: Executor | None = None, include: np.ndarray | None = None
) -> np.ndarray:
    """Positions whose 64-bit hash is repeated (among the ``include`` rows, when given: a
    boolean mask).

    Sorting a million hashes is the expensive way. Instead, bucket the hashes by one slice of
    their bits and keep only positions whose bucket holds more than one hash; repeat with other
    slices. Equal hashes always share every bucket, so they survive; distinct ones are thinned
    out fast, and only the few survivors are sorted.

    With a ``pool`` (and at least :data:`SPLIT_HASHES` hashes), the hashes are searched in
    parts by their top bits (two, or more by :data:`PART_HASHES`: a power of two), a part at
    a time on each thread (:func:`run_shared`): equal hashes share their top bits, so the
    positions are the same. Each part's table of counts is that fraction of the size, so two
    parts at once take no more memory than one search, and more parts less.
    """
    n = h.shape[0]
    if pool is None or n < SPLIT_HASHES:
        if include is None or include.all():
            return _repeated(h, 64, 24)
        positions = np.flatnonzero(include)
        return np.asarray(positions[_repeated(h[positions], 64, 24)])
    # Positions as int32 below two billion rows: half the memory of the default.
    width = np.int32 if n < (1 << 31) else np.int64
    split = max(1, (n - 1) // PART_HASHES).bit_length()
    top = 64 - split

    def part(index: int) -> np.ndarray:
        # Each part finds its own positions (a pass over every hash, on its own thread), so
        # nothing of the split is done by this thread alone before or after. Its hashes are
        # those from index * 2**top up to the next part's first: compares, no shifted copy.
        mine = h >= np.uint64(index << top) if index else None
        if index + 1 < 1 << split:
            below = h < np.uint64((index + 1) << top)
            mine = below if mine is None else np.logical_and(mine, below, out=mine)
            del below
        assert mine is not None
        if include is not None:
            mine &= include
        positions = np.flatnonzero(mine).astype(width, copy=False)
        del mine
        return np.asarray(positions[_repeated(h[positions], top, 24 - split)])

    found = run_shared(pool, [functools.partial(part, index) for index in range(1 << split)])
    return np.sort(np.concatenate(found)).astype(np.int64)


def _repeated(h: np.ndarray, top: int, most_bits: int) -> np.ndarray:
    """:func:`candidates_of` for hashes whose bits from ``top`` up are all alike, with tables
    of counts of at most ``2**most_bits``."""
    n = h.shape[0]
    positions: np.ndarray | None = None
    hashes = h
    for last in (False, False, True):
        if hashes.shape[0] < 4096:
            break
        # About two buckets per hash (a table of counts half the size of four's, kinder to
        # caches, for a few more survivors), from the top bits down, then the lowest bits: each
        # pass reads other bits, and its table shrinks with the hashes still in the running.
        bits = min(max(int(np.ceil(np.log2(hashes.shape[0]))) + 1, 10), most_bits)
        shift = 0 if last else max(top - bits, 0)
        top = shift
        bucket = hashes >> np.uint64(shift)
        if shift + bits < 64:
            bucket &= np.uint64((1 << bits) - 1)
        # Below 2**24 the bucket numbers read as int64 as they are (bincount's index type).
        bucket = bucket.view(np.int64)
        # Gathered from a table of booleans: an eighth of the counts' size, kinder to caches.
        shared = (np.bincount(bucket, minlength=1 << bits) > 1)[bucket]
        kept = np.flatnonzero(shared)
        positions = kept if positions is None else positions[kept]
        hashes = hashes[kept]
    if positions is None:
        positions = np.arange(n)
    if positions.size == 0:
        return positions
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    same_as_next = sorted_hashes[1:] == sorted_hashes[:-1]
    repeated = np.zeros(sorted_hashes.shape[0], dtype=bool)
    repeated[1:] |= same_as_next
    repeated[:-1] |= same_as_next
    return np.sort(positions[order[repeated]])


def _contiguous(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks()
    return array


def duplicated_keys(
    project_code: pa.Array | pa.ChunkedArray,
    participant_id: pa.Array | pa.ChunkedArray,
    include: np.ndarray | None = None,
    pool: Executor | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows sharing a (project_code, participant_id) key, and a group number for each.

    Returns ``(rows, groups)``: positions (ascending) of every row whose key occurs more than once,
    and for each a group id ``0..k-1``. Rows with a missing project code or participant id are
    never grouped: nothing says they are the same participation. ``include`` (a boolean mask)
    restricts the search to some rows (those entered by the as-of date). With a ``pool``,
    another thread hashes and searches part of the keys (the same rows and groups).

    The two steps (:func:`key_candidates`, then :func:`group_candidates`) may also be called
    apart, so a caller can give the pool other work between them.
    """
    project_code, participant_id = key_text(project_code, participant_id)
    candidates = key_candidates(project_code, participant_id, include, pool)
    return group_candidates(project_code, participant_id, candidates)


def key_text(
    project_code: pa.Array | pa.ChunkedArray, participant_id: pa.Array | pa.ChunkedArray
) -> tuple[pa.Array | pa.ChunkedArray, pa.Array | pa.ChunkedArray]:
    """The key columns as :func:`key_candidates` and :func:`group_candidates` read them (cast
    once, for both): text with offsets (:func:`as_offset_strings`), except a dictionary-encoded
    project code, which is read at the few candidates alone, as it is (only those rows' text
    is decoded)."""
    if not pa.types.is_dictionary(project_code.type):
        project_code = as_offset_strings(project_code)
    return project_code, as_offset_strings(participant_id)


def key_candidates(
    project_code: pa.Array | pa.ChunkedArray,
    participant_id: pa.Array | pa.ChunkedArray,
    include: np.ndarray | None = None,
    pool: Executor | None = None,
) -> np.ndarray:
    """The rows (ascending ``int64`` positions) whose participant id's hash is repeated among
    the ``include`` rows with both keys given: every row of a repeated key is one of them (and
    a few others, whose hashes merely collide; :func:`group_candidates` tells them apart).
    The keys are best given as :func:`key_text` made them (else each step casts them)."""
    # The key repeats only where the participant id repeats: hash the ids alone, and look at
    # project codes only for the few rows whose id hash is shared.
    h = string_hash(participant_id, pool)
    known = include
    for array in (project_code, participant_id):
        if array.null_count:
            given = array.is_valid().to_numpy(zero_copy_only=False)
            known = given if known is None else known & given
    return candidates_of(h, pool, known).astype(np.int64, copy=False)


def group_candidates(
    project_code: pa.Array | pa.ChunkedArray,
    participant_id: pa.Array | pa.ChunkedArray,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`duplicated_keys` of the rows ``candidates`` (from :func:`key_candidates`): those
    whose key really repeats, grouped exactly by their text (a hash collision never merges two
    different participations)."""
    if candidates.size == 0:
        return candidates.astype(np.int64), np.zeros(0, dtype=np.int64)
    project_code, participant_id = key_text(project_code, participant_id)
    # Every argument of the join, the separator included, must have the same type: a plain
    # ``str`` separator is ``string`` and has no kernel with ``large_string`` values (pyarrow's
    # ArrowNotImplementedError "binary_join_element_wise ... (large_string, large_string,
    # string)").
    index = pa.array(candidates)
    joined = pc.binary_join_element_wise(
        as_offset_strings(_contiguous(project_code.take(index))).cast(pa.large_string()),
        _contiguous(participant_id.take(index)).cast(pa.large_string()),
        pa.scalar("\x1f", type=pa.large_string()),
    )
    codes = pc.dictionary_encode(joined).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.bincount(codes)
    repeated = counts[codes] > 1
    rows = candidates[repeated]
    groups = codes[repeated]
    _, dense = np.unique(groups, return_inverse=True)
    return rows.astype(np.int64), dense.astype(np.int64)
