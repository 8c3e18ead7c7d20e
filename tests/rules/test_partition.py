"""What a report reads: the columns counting reads, and the same report from those alone."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inclusionkit
from inclusionkit._ingest import RawTable, run_typed, to_frame
from inclusionkit._participations import write_participations
from inclusionkit._rules import _keys, _partition
from inclusionkit._rules._columns import TableColumns
from inclusionkit._rules._partition import (
    KEY_COLUMNS,
    Partial,
    Spec,
    columns_read,
    evaluate_partition,
    tiebreak_columns,
)
from inclusionkit._rules._ruleset import builtin_names, get_ruleset
from inclusionkit._sanitise import frame_to_csv
from tests.rules.strategies import (
    as_of_dates,
    as_of_or_periods,
    participation_tables,
    table_from_rows,
)

BREAKDOWNS = st.sampled_from(
    [(), ("gender",), ("region", "gender"), ("age_band",), ("partner",), ("entry_year", "rural")]
)
RULESETS = st.sampled_from(builtin_names())


def _rows(count: int) -> pd.DataFrame:
    row = {
        "project_code": "POCU/1/4/16/100001",
        "gender": "female",
        "birth_date": dt.date(1990, 5, 1),
        "entry_date": dt.date(2020, 3, 2),
        "labour_status": "unemployed",
        "isced": 3,
        "region": "RO11",
    }
    return table_from_rows([{**row, "participant_id": f"p{i}"} for i in range(count)])


def _with_extras(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """``table`` with the rule set's true/false extra columns (yei-2014's), varied by row."""
    extra = {
        column: pd.array(
            [None if i % 5 == 4 else bool((i + k) % 3 == 0) for i in range(len(table))],
            dtype="boolean",
        )
        for k, column in enumerate(get_ruleset(name).extra_columns)
    }
    return table.assign(**extra)


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a CSV writes it: ISO dates, true/false, empty for missing."""
    out = table.astype(object)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            out[column] = values.dt.strftime("%Y-%m-%d").astype(object)
        elif pd.api.types.is_bool_dtype(values.dtype):
            out[column] = values.map({True: "true", False: "false"}, na_action="ignore")
    return out.where(out.notna(), None)


def _same_report(pruned: inclusionkit.Report, whole: inclusionkit.Report) -> None:
    pd.testing.assert_frame_equal(pruned.table, whole.table)
    pd.testing.assert_frame_equal(pruned.excluded, whole.excluded)
    assert attrs.evolve(pruned.provenance, inputs=()) == attrs.evolve(whole.provenance, inputs=())


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=participation_tables(max_rows=30),
    as_of=as_of_dates(),
    by=BREAKDOWNS,
    name=RULESETS,
    suffix=st.sampled_from([".parquet", ".csv"]),
)
def test_a_file_read_for_its_columns_gives_the_report_of_the_whole_table(
    tmp_path_factory: pytest.TempPathFactory,
    table: pd.DataFrame,
    as_of: dt.date | None,
    by: tuple[str, ...],
    name: str,
    suffix: str,
) -> None:
    """compute(path) of a Parquet or CSV file reads only the columns counting reads, and its
    report equals the whole table's cell for cell, with the same excluded rows (by row, a
    CSV's by line) and provenance."""
    path = tmp_path_factory.mktemp("projection") / f"participations{suffix}"
    table = _with_extras(table, name)
    if suffix == ".csv":
        frame_to_csv(_as_text(table), path)
    else:
        table.to_parquet(path)
    pruned = inclusionkit.compute(path, rules=name, by=by, as_of=as_of)
    whole_table = inclusionkit.read_participations(path, keep_extra=True)
    assert list(whole_table.columns) == list(table.columns)
    whole = inclusionkit.compute(whole_table, rules=name, by=by, as_of=as_of)
    _same_report(pruned, whole)


@settings(max_examples=40, deadline=None)
@given(table=participation_tables(max_rows=30), as_of=as_of_dates(), by=BREAKDOWNS, name=RULESETS)
def test_the_columns_counting_reads_are_enough_to_count(
    table: pd.DataFrame, as_of: dt.date | None, by: tuple[str, ...], name: str
) -> None:
    """A table cut to columns_read (every other column empty) gives the whole table's report:
    no other column's values change a count, a cell, an exclusion or a re-entry's row."""
    table = _with_extras(table, name)
    kept = list(columns_read(get_ruleset(name), by))
    pruned = inclusionkit.compute(table[kept], rules=name, by=by, as_of=as_of)
    whole = inclusionkit.compute(table, rules=name, by=by, as_of=as_of)
    _same_report(pruned, whole)


def test_columns_read_are_the_rule_sets_then_the_breakdowns() -> None:
    """The key columns and the rule set's come first, derived breakdowns stand for their columns,
    and a column no rule set and no breakdown reads is left out."""
    ruleset = get_ruleset("esf-2007")
    first, then = tiebreak_columns(ruleset, ("age_band", "rural"))
    assert set(KEY_COLUMNS) <= set(first)
    assert {"gender", "birth_date", "entry_date", "labour_status", "isced"} <= set(first)
    assert then == ("rural",)
    assert columns_read(ruleset, ("age_band", "rural")) == (*first, *then)
    assert "third_country_national" not in columns_read(get_ruleset("esf-2014"), ("gender",))
    assert columns_read(ruleset, ("age_band",)) == first  # birth and entry dates already read


def test_a_report_from_parquet_reads_only_the_columns_it_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Parquet reader is asked for the columns counting reads alone (esf-2007 reads 15)."""
    table = _rows(3)
    path = tmp_path / "participations.parquet"
    write_participations(table, path)
    asked: list[list[str]] = []
    read = pq.ParquetFile.read

    def spy(self: pq.ParquetFile, *args: object, **kwargs: object) -> object:
        asked.append(list(kwargs.get("columns") or []))  # type: ignore[call-overload]
        return read(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read", spy)
    inclusionkit.compute(path, rules="esf-2007", by="region")
    assert sorted(asked[-1]) == sorted(columns_read(get_ruleset("esf-2007"), ("region",)))


def test_a_report_from_csv_converts_only_the_columns_it_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV reader asks Arrow to convert the columns counting reads alone (esf-2007: 15)."""
    import pyarrow.csv as pacsv

    path = tmp_path / "participations.csv"
    write_participations(_rows(3), path)
    asked: list[list[str]] = []
    read_csv = pacsv.read_csv

    def spy(*args: object, **kwargs: object) -> object:
        convert = kwargs.get("convert_options")
        asked.append(list(getattr(convert, "include_columns", [])))
        return read_csv(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pacsv, "read_csv", spy)
    report = inclusionkit.compute(path, rules="esf-2007", by="region")
    assert sorted(asked[-1]) == sorted(columns_read(get_ruleset("esf-2007"), ("region",)))
    whole = inclusionkit.compute(inclusionkit.read_participations(path), "esf-2007", by="region")
    pd.testing.assert_frame_equal(report.table, whole.table)


def test_an_unknown_breakdown_names_the_columns_of_the_whole_file(tmp_path: Path) -> None:
    """A breakdown the file lacks is refused with the file's own extra columns listed, as when
    every column is read."""
    table = _rows(2).assign(judet="Cluj")
    path = tmp_path / "participations.parquet"
    table.to_parquet(path)
    with pytest.raises(inclusionkit.InclusionKitError, match="judet"):
        inclusionkit.compute(path, rules="esf-2014", by="county")


@settings(max_examples=60, deadline=None)
@given(
    table=participation_tables(max_rows=30),
    when=as_of_or_periods(),
    by=BREAKDOWNS,
    name=RULESETS,
)
def test_a_partition_counted_with_a_second_thread_counts_the_same(
    table: pd.DataFrame,
    when: tuple[dt.date | None, str | None],
    by: tuple[str, ...],
    name: str,
) -> None:
    """evaluate_partition with threads (text columns converted, keys hashed and searched, the
    excluded list and cells built and each mask counted on other threads) gives the same
    values, labels, excluded list and counters as without, whatever the number of threads."""
    table = _with_extras(table, name)
    as_of, period = when
    spec = Spec.build(get_ruleset(name), by, as_of, None, period)
    rows = np.arange(len(table)) * 3 + 7
    alone = evaluate_partition(table, rows, spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_partition, "THREADED_ROWS", 0)
        patch.setattr(_keys, "HASH_BLOCK", 3)
        patch.setattr(_keys, "SPLIT_HASHES", 0)
        for threads in (True, 2, 3):
            threaded = evaluate_partition(table, rows, spec, threads=threads)
            _same_partial(threaded, alone)


def _pools(patch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the pools evaluate_partition makes from here on (``patch`` undoes it)."""
    sizes: list[int] = []
    real = _partition.ThreadPoolExecutor

    def recording(workers: int, **options: Any) -> Any:
        sizes.append(workers)
        return real(workers, **options)

    patch.setattr(_partition, "ThreadPoolExecutor", recording)
    return sizes


def test_the_number_of_counting_threads_is_the_one_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """threads=True counts with INCLUSIONKIT_THREADS threads, the calling one included (1: no
    other thread at all), else with the processors the process may run on; a number asks for
    that many; a partition below THREADED_ROWS rows, or threads=False, is counted on the
    calling thread alone."""
    table = _rows(50)
    spec = Spec.build(get_ruleset("esf-2014"), ("gender",), "2023-12-31", None)
    sizes = _pools(monkeypatch)
    monkeypatch.setattr(_partition, "THREADED_ROWS", 0)
    monkeypatch.setenv(_partition.THREADS_ENV, "3")
    assert _partition.count_workers() == 3
    evaluate_partition(table, None, spec, threads=True)
    monkeypatch.setenv(_partition.THREADS_ENV, "1")
    evaluate_partition(table, None, spec, threads=True)
    evaluate_partition(table, None, spec, threads=4)
    evaluate_partition(table, None, spec, threads=1)
    evaluate_partition(table, None, spec)
    assert sizes == [2, 3]
    monkeypatch.delenv(_partition.THREADS_ENV)
    assert _partition.count_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(_partition, "THREADED_ROWS", 51)
    evaluate_partition(table, None, spec, threads=4)
    assert sizes == [2, 3]


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5"])
def test_a_number_of_threads_that_is_none_is_refused(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """INCLUSIONKIT_THREADS of anything but a whole number from 1 is an error naming it."""
    monkeypatch.setenv(_partition.THREADS_ENV, text)
    with pytest.raises(inclusionkit.InclusionKitError, match="INCLUSIONKIT_THREADS"):
        _partition.count_workers()


def _dictionary_text(table: pa.Table) -> pa.Table:
    """``table`` with every text column dictionary-encoded, in two chunks of dictionaries of
    their own, each holding a value no row has and every value twice (odd rows point at the
    second): what a reader keeping dictionaries may give."""
    half = table.num_rows // 2
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(index).combine_chunks()
            chunks = []
            for chunk in (column.slice(0, half), column.slice(half)):
                encoded = chunk.dictionary_encode()
                size = len(encoded.dictionary)
                odd = np.arange(len(chunk)) % 2 == 1
                indices = pc.add(encoded.indices, pa.array(np.where(odd, size + 1, 0), pa.int32()))
                dictionary = pa.concat_arrays(
                    [encoded.dictionary, pa.array(["\uffffunused"]), encoded.dictionary]
                )
                chunks.append(pa.DictionaryArray.from_arrays(indices, dictionary))
            table = table.set_column(index, field.name, pa.chunked_array(chunks))
    return table


def _same_partial(other: Partial, partial: Partial) -> None:
    """``other`` holds what ``partial`` holds: values, labels, excluded list, every counter."""
    assert other.values.keys() == partial.values.keys()
    for code, values in partial.values.items():
        np.testing.assert_array_equal(other.values[code], values, err_msg=code)
    pd.testing.assert_frame_equal(other.other_labels, partial.other_labels)
    pd.testing.assert_frame_equal(other.excluded, partial.excluded)
    for field in attrs.fields(Partial):
        if field.name not in ("values", "other_labels", "excluded", "sources"):
            assert getattr(other, field.name) == getattr(partial, field.name), field.name


@settings(max_examples=80, deadline=None)
@given(
    table=participation_tables(max_rows=30),
    as_of_period=as_of_or_periods(),
    by=BREAKDOWNS,
    name=RULESETS,
    encoding=st.sampled_from(["plain", "dictionary", "date32", "text extras"]),
)
def test_a_partition_counts_the_same_from_its_typed_arrow_table(
    table: pd.DataFrame,
    as_of_period: tuple[dt.date | None, str | None],
    by: tuple[str, ...],
    name: str,
    encoding: str,
) -> None:
    """evaluate_partition of the typed Arrow table a file is read into (text plain or
    dictionary-encoded, dates timestamp[s] or date32, true/false extras as text) gives what it
    gives of that table's pandas frame: the same values, labels, excluded list (its dtypes too)
    and counters."""
    as_of, period = as_of_period
    typed = run_typed(
        RawTable.from_frame(_with_extras(table, name)), mapping=None, keep_extra=True
    ).table
    frame = to_frame(typed)
    extras = get_ruleset(name).extra_columns
    if encoding == "dictionary":
        typed = _dictionary_text(typed)
    elif encoding == "date32":
        for index, field in enumerate(typed.schema):
            if pa.types.is_timestamp(field.type):
                typed = typed.set_column(index, field.name, typed.column(index).cast(pa.date32()))
    elif encoding == "text extras" and extras:
        for column in extras:
            index = typed.column_names.index(column)
            typed = typed.set_column(index, column, typed.column(index).cast(pa.string()))
            frame[column] = frame[column].astype("string")
    spec = Spec.build(get_ruleset(name), by, as_of, None, period)
    rows = np.arange(len(frame), dtype=np.int64) * 3 + 2
    _same_partial(evaluate_partition(typed, rows, spec), evaluate_partition(frame, rows, spec))


@settings(max_examples=40, deadline=None)
@given(
    table=participation_tables(max_rows=30),
    as_of=as_of_dates(),
    by=BREAKDOWNS,
    threads=st.sampled_from([1, 2]),
)
def test_a_partition_lets_the_key_text_go_once_its_excluded_list_is_built(
    table: pd.DataFrame, as_of: dt.date | None, by: tuple[str, ...], threads: int
) -> None:
    """Counting a typed Arrow table lets its key text (project code, participant id, partner)
    go once the excluded list is built (a breakdown's column goes once converted); on one
    thread or two, it counts what the pandas frame counts."""
    typed = run_typed(RawTable.from_frame(table), mapping=None, keep_extra=True).table
    frame = to_frame(typed)
    spec = Spec.build(get_ruleset("esf-2014"), by, as_of, None)
    columns = TableColumns(typed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_partition, "THREADED_ROWS", 0)
        partial = evaluate_partition(columns, None, spec, threads=threads)
    _same_partial(partial, evaluate_partition(frame, None, spec))
    assert [name for name in _partition.KEY_TEXT if name in columns] == []


def test_a_counted_partition_leaves_no_cycle_holding_its_columns() -> None:
    """Once a partition is counted (from pandas or from Arrow), its evaluator and the columns it
    read are freed without the garbage collector: the streaming engine's next partitions do not
    pile up on them."""
    import gc
    import weakref

    from inclusionkit._rules import _language

    made: list[weakref.ref[Any]] = []
    init = _language.Evaluator.__init__

    def tracked(self: _language.Evaluator, *args: Any, **kwargs: Any) -> None:
        made.append(weakref.ref(self))
        init(self, *args, **kwargs)

    table = _rows(20)
    spec = Spec.build(get_ruleset("esf-2014"), ("region", "gender"), None, None)
    typed = run_typed(RawTable.from_frame(table), mapping=None).table
    gc.disable()
    try:
        _language.Evaluator.__init__ = tracked  # type: ignore[method-assign]
        for partition in (table, typed):
            evaluate_partition(partition, None, spec)
    finally:
        _language.Evaluator.__init__ = init  # type: ignore[method-assign]
        gc.enable()
    assert len(made) == 2
    assert all(ref() is None for ref in made)
