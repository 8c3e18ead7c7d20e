"""Finding re-entries fast: which rows share a (project_code, participant_id) key.

Most tables have no re-entry at all, so the question "is any key repeated?" must cost far less
than grouping a million strings. Each key is hashed to 64 bits straight from the Arrow buffers
(whole-column byte arithmetic, no Python per row); rows whose hash bucket is shared become
candidates; only those are grouped exactly, by their real strings, so a hash collision can never
merge two different participations.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_PRIME = np.uint64(0x100000001B3)
_SEED = np.uint64(0xCBF29CE484222325)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


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


def string_hash(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of every string of an Arrow string array (nulls hash alike).

    Reads the values eight bytes at a time through an unaligned ``uint64`` view of the data
    buffer, masking off the bytes past each value's end, so a key of up to 8 bytes costs one
    gather per row and longer keys one more per 8 bytes. A chunked array is hashed chunk by
    chunk (no copy into one buffer). Other text types are cast first (:func:`as_offset_strings`).
    """
    array = as_offset_strings(array)
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 0:
            return np.zeros(0, dtype=np.uint64)
        return np.concatenate([_chunk_hash(chunk) for chunk in array.chunks])
    return _chunk_hash(array)


def _chunk_hash(array: pa.Array) -> np.ndarray:
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    if pa.types.is_string(array.type):
        array = array.cast(pa.large_string())
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[array.offset : array.offset + n + 1]
    raw = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(0, dtype=np.uint8)
    )
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    width = int(lengths.max())
    shortest = int(lengths.min())
    # Spare zero bytes so every word read from any value's start stays inside the buffer.
    data = np.concatenate([raw[: int(offsets[-1])], np.zeros(width + 8, dtype=np.uint8)])
    words = np.ndarray(shape=(data.shape[0] - 7,), dtype=np.uint64, buffer=data, strides=(1,))
    h = np.full(n, _SEED, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(0, width, 8):
            word = words[starts + j]
            if j + 8 > shortest:
                word &= _MASKS[np.clip(lengths - j, 0, 8)]
            mixed = (h ^ word) * _PRIME
            mixed ^= mixed >> np.uint64(29)
            # A value that has ended is left alone: its hash must not depend on how long the
            # other values of its chunk are, or equal keys in two chunks (a concatenated table,
            # two batches of a stream) would hash apart and never be merged.
            h = mixed if j < shortest else np.where(lengths > j, mixed, h)
        h ^= lengths.astype(np.uint64) * _GOLDEN
        h = finalise(h)
    if array.null_count:
        h[~np.asarray(array.is_valid().to_numpy(zero_copy_only=False))] = _SEED
    return h


def candidates_of(h: np.ndarray) -> np.ndarray:
    """Positions whose 64-bit hash is repeated.

    Sorting a million hashes is the expensive way. Instead, bucket the hashes by one slice of
    their bits and keep only positions whose bucket holds more than one hash; repeat with other
    slices. Equal hashes always share every bucket, so they survive; distinct ones are thinned
    out fast, and only the few survivors are sorted.
    """
    n = h.shape[0]
    bits = min(max(int(np.ceil(np.log2(max(n, 2)))) + 2, 10), 24)
    positions: np.ndarray | None = None
    hashes = h
    for shift in (64 - bits, 64 - 2 * bits, 0):
        if hashes.shape[0] < 4096:
            break
        bucket = ((hashes >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.intp)
        shared = np.bincount(bucket, minlength=1 << bits)[bucket] > 1
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
) -> tuple[np.ndarray, np.ndarray]:
    """Rows sharing a (project_code, participant_id) key, and a group number for each.

    Returns ``(rows, groups)``: positions (ascending) of every row whose key occurs more than once,
    and for each a group id ``0..k-1``. Rows with a missing project code or participant id are
    never grouped: nothing says they are the same participation. ``include`` (a boolean mask)
    restricts the search to some rows (those entered by the as-of date).
    """
    project_code = as_offset_strings(project_code)
    participant_id = as_offset_strings(participant_id)
    # The key repeats only where the participant id repeats: hash the ids alone, and look at
    # project codes only for the few rows whose id hash is shared.
    h = string_hash(participant_id)
    known = np.ones(len(h), dtype=bool) if include is None else include.copy()
    for array in (project_code, participant_id):
        if array.null_count:
            known &= array.is_valid().to_numpy(zero_copy_only=False)
    positions = np.flatnonzero(known) if not known.all() else None
    candidates = candidates_of(h if positions is None else h[positions])
    if positions is not None:
        candidates = positions[candidates]
    if candidates.size == 0:
        return candidates.astype(np.int64), np.zeros(0, dtype=np.int64)
    # Exact grouping of the few candidates by their real strings. Every argument of the join,
    # the separator included, must have the same type: a plain ``str`` separator is ``string``
    # and has no kernel with ``large_string`` values (pyarrow's ArrowNotImplementedError
    # "binary_join_element_wise ... (large_string, large_string, string)").
    index = pa.array(candidates)
    joined = pc.binary_join_element_wise(
        _contiguous(project_code.take(index)).cast(pa.large_string()),
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
