"""Repeated (project_code, participant_id) keys across chunks, text types and duplicate rows."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit._rules as rules
from inclusionkit._rules import _keys
from inclusionkit._rules._keys import (
    candidates_of,
    duplicated_keys,
    group_candidates,
    key_candidates,
    key_text,
    run_shared,
    string_hash,
)
from inclusionkit.testing import participation_tables

# Lengths on both sides of the 8-byte words the hash reads, so chunks differ in their widest value.
_IDS = st.sampled_from(["p1", "p2", "", "person-0000001", "a" * 20, "ș" * 5])
_PROJECTS = st.sampled_from(["A", "B", "POCU/1/4/16/100001", ""])
_TEXT_TYPES = st.sampled_from(
    [pa.string(), pa.large_string(), pa.string_view(), pa.dictionary(pa.int32(), pa.string())]
)


def _chunked(values: list[str | None], cuts: list[int], kind: pa.DataType) -> pa.ChunkedArray:
    bounds = [0, *sorted(min(c, len(values)) for c in cuts), len(values)]
    chunks = [
        pa.array(values[a:b], type=pa.string()).cast(kind) for a, b in itertools.pairwise(bounds)
    ]
    return pa.chunked_array(chunks, type=kind)


@given(
    st.lists(st.tuples(st.none() | _PROJECTS, st.none() | _IDS), max_size=40),
    st.lists(st.integers(0, 40), max_size=4),
    st.lists(st.integers(0, 40), max_size=4),
    _TEXT_TYPES,
    _TEXT_TYPES,
)
def test_repeated_keys_are_found_whatever_the_chunks_and_types(
    pairs: list[tuple[str | None, str | None]],
    project_cuts: list[int],
    person_cuts: list[int],
    project_type: pa.DataType,
    person_type: pa.DataType,
) -> None:
    """Equal keys group together across chunks of different widths and in every text type."""
    projects = _chunked([p for p, _ in pairs], project_cuts, project_type)
    people = _chunked([q for _, q in pairs], person_cuts, person_type)
    rows, groups = duplicated_keys(projects, people)
    counts = Counter(pair for pair in pairs if None not in pair)
    expected = [i for i, pair in enumerate(pairs) if None not in pair and counts[pair] > 1]
    assert rows.tolist() == expected
    for a, ga in zip(rows, groups, strict=True):
        for b, gb in zip(rows, groups, strict=True):
            assert (ga == gb) == (pairs[a] == pairs[b])


@given(st.lists(_IDS, min_size=1, max_size=30), st.lists(st.integers(0, 30), max_size=3))
def test_a_value_hashes_alike_in_any_chunk(values: list[str], cuts: list[int]) -> None:
    """A string's hash does not depend on the other values of its chunk (their lengths)."""
    whole = string_hash(pa.array(values, type=pa.large_string()))
    assert (string_hash(_chunked(list(values), cuts, pa.string())) == whole).all()
    for i, value in enumerate(values):
        assert string_hash(pa.array([value]))[0] == whole[i]


def _variable_ids(table: pd.DataFrame) -> pd.DataFrame:
    """The same table with participant ids of very different lengths (same equalities)."""
    ids = table["participant_id"].astype(object)
    longer = ids.map(lambda v: v + "-" * (3 * (sum(map(ord, v)) % 7)), na_action="ignore")
    return table.assign(participant_id=pd.array(longer, dtype=table["participant_id"].dtype))


def _contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows with the key columns rebuilt as one contiguous chunk each."""
    out = frame.reset_index(drop=True)
    for name in ("participant_id", "project_code"):
        out[name] = pd.array(list(out[name].astype(object)), dtype=out[name].dtype)
    return out


@settings(max_examples=40)
@given(participation_tables(min_rows=1, max_rows=30), st.data())
def test_duplicate_rows_compute_like_one_table(table: pd.DataFrame, data: st.DataObject) -> None:
    """Duplicate rows, spread over the chunks of a concatenated table, compute as in one chunk."""
    # Guards the exact grouping's join (a ``string`` separator with ``large_string`` values has
    # no kernel) and the key hash, which depended on the widest value of each chunk.
    table = _variable_ids(table)
    picks = data.draw(st.lists(st.integers(0, len(table) - 1), min_size=1, max_size=30))
    cut = data.draw(st.integers(0, len(table)))
    doubled = pd.concat([table.iloc[:cut], table.iloc[picks], table.iloc[cut:]], ignore_index=True)
    for frame in (doubled, doubled.drop_duplicates()):
        got = rules.compute(frame, by=("gender",))
        want = rules.compute(_contiguous(frame), by=("gender",))
        pdt.assert_frame_equal(got.table, want.table)
        pdt.assert_frame_equal(got.excluded, want.excluded)
        assert got.provenance == want.provenance
    # Every picked row repeats a complete key, so each is folded into a participation.
    assert rules.compute(doubled).provenance.merged_rows >= len(picks)


def test_a_long_table_in_two_chunks_merges_its_reentries() -> None:
    """A re-entry whose two rows sit in chunks of different widths is merged (regression)."""
    people = pa.chunked_array(
        [pa.array(["p1", "p2"]), pa.array(["p1", "a-much-longer-identifier-" + "x" * 30])]
    )
    projects = pa.chunked_array([pa.array(["A", "A"]), pa.array(["A", "A"])])
    rows, groups = duplicated_keys(projects, people)
    assert rows.tolist() == [0, 2]
    assert np.unique(groups).size == 1


@given(
    st.integers(0, 20),
    st.lists(st.integers(0, 25), min_size=1, max_size=60),
    st.integers(0, 5),
)
def test_fixed_width_ids_hash_as_in_a_mixed_table(width: int, seeds: list[int], skip: int) -> None:
    """Ids of one length (read as strided words) hash as they do beside a longer id (gathered)."""
    values = [(chr(97 + s) * (width + 1))[:width] for s in seeds]
    fixed = pa.array(values, type=pa.large_string()).slice(min(skip, len(values) - 1))
    mixed = pa.array([*values, "x" * 30], type=pa.large_string()).slice(fixed.offset)
    assert (string_hash(fixed) == string_hash(mixed)[: len(fixed)]).all()


@given(
    st.lists(_IDS, min_size=1, max_size=60),
    st.integers(1, 7),
    st.sampled_from([pa.string(), pa.large_string()]),
)
def test_hashing_block_by_block_changes_no_hash(
    values: list[str], block: int, kind: pa.DataType
) -> None:
    """A column hashed a few rows at a time (as a long one is) hashes as in one block."""
    import inclusionkit._rules._keys as keys

    array = pa.array(values, type=kind)
    whole = string_hash(array)
    saved = keys.HASH_BLOCK
    keys.HASH_BLOCK = block
    try:
        blocked = string_hash(array)
    finally:
        keys.HASH_BLOCK = saved
    assert blocked.tolist() == whole.tolist()
    for i, value in enumerate(values):
        assert string_hash(pa.array([value]))[0] == whole[i]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.none() | _PROJECTS, st.none() | _IDS), max_size=60),
    st.integers(1, 7),
    st.integers(0, 8),
    st.sampled_from([pa.string(), pa.large_string()]),
)
def test_keys_searched_with_a_pool_give_the_same_rows_and_groups(
    pairs: list[tuple[str | None, str | None]], block: int, split: int, kind: pa.DataType
) -> None:
    """Hashing blocks and searching hash halves on a pool's thread finds the same repeated
    keys, in the same groups, as one thread does."""
    projects = pa.array([p for p, _ in pairs], type=kind)
    people = pa.array([q for _, q in pairs], type=kind)
    alone = duplicated_keys(projects, people)
    with ThreadPoolExecutor(2) as pool, pytest.MonkeyPatch.context() as patch:
        patch.setattr(_keys, "HASH_BLOCK", block)
        patch.setattr(_keys, "SPLIT_HASHES", split)
        shared = duplicated_keys(projects, people, pool=pool)
        hashes = string_hash(people, pool)
    assert hashes.tolist() == string_hash(people).tolist()
    assert shared[0].tolist() == alone[0].tolist()
    assert shared[1].tolist() == alone[1].tolist()


@given(
    st.lists(st.tuples(st.none() | _PROJECTS, st.none() | _IDS), max_size=40),
    st.none() | st.integers(0, 2**32),
    _TEXT_TYPES,
)
def test_the_two_steps_of_the_key_search_find_the_repeated_keys(
    pairs: list[tuple[str | None, str | None]], seed: int | None, kind: pa.DataType
) -> None:
    """key_candidates keeps every row of a repeated key (among the included rows), and
    group_candidates of those rows gives duplicated_keys' rows and groups."""
    projects = pa.array([p for p, _ in pairs], type=pa.string()).cast(kind)
    people = pa.array([q for _, q in pairs], type=pa.string()).cast(kind)
    include = None if seed is None else np.random.default_rng(seed).random(len(pairs)) < 0.7
    code, person = key_text(projects, people)
    candidates = key_candidates(code, person, include)
    rows, groups = group_candidates(code, person, candidates)
    expected = duplicated_keys(projects, people, include)
    assert rows.tolist() == expected[0].tolist()
    assert groups.tolist() == expected[1].tolist()
    kept = [i for i in range(len(pairs)) if include is None or include[i]]
    counts = Counter(pairs[i] for i in kept if None not in pairs[i])
    repeated = [i for i in kept if None not in pairs[i] and counts[pairs[i]] > 1]
    assert set(repeated) <= set(candidates.tolist())
    assert rows.tolist() == repeated


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=300),
    st.integers(0, 40),
    st.none() | st.integers(0, 2**32),
    st.sampled_from([1, 5, 64, 1 << 21]),
)
def test_repeated_hashes_are_found_alike_in_parts(
    values: list[int], copies: int, seed: int | None, part: int
) -> None:
    """candidates_of given a pool (the hashes searched apart in parts by their top bits: two,
    or as many as PART_HASHES asks for) gives the positions of the repeated hashes among the
    included rows, as without."""
    h = np.array([*values, *values[:copies]], dtype=np.uint64)
    include = None if seed is None else np.random.default_rng(seed).random(h.shape[0]) < 0.7
    with ThreadPoolExecutor(1) as pool, pytest.MonkeyPatch.context() as patch:
        patch.setattr(_keys, "SPLIT_HASHES", 0)
        patch.setattr(_keys, "PART_HASHES", part)
        split = candidates_of(h, pool, include)
    kept = [i for i in range(h.shape[0]) if include is None or include[i]]
    counts = Counter(h[kept].tolist())
    assert split.tolist() == [i for i in kept if counts[int(h[i])] > 1]
    assert split.tolist() == candidates_of(h, None, include).tolist()
    assert split.dtype == np.int64


def test_shared_tasks_run_once_each_in_order_whoever_runs_them() -> None:
    """run_shared gives every task's result in the tasks' order, runs each once, and does not
    wait for a pool whose threads are busy: this thread then runs every task."""
    ran: list[int] = []
    tasks = [lambda i=i: ran.append(i) or i * i for i in range(50)]
    with ThreadPoolExecutor(1) as pool:
        assert run_shared(pool, tasks) == [i * i for i in range(50)]
        assert sorted(ran) == list(range(50))
        release = threading.Event()
        busy = pool.submit(release.wait)
        ran.clear()
        by = set()
        tasks = [lambda i=i: by.add(threading.get_ident()) or i for i in range(5)]
        assert run_shared(pool, tasks) == list(range(5))
        assert by == {threading.get_ident()}
        release.set()
        busy.result()
    assert run_shared(None, [lambda: 1, lambda: 2]) == [1, 2]
