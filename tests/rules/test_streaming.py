"""The streaming engine gives the in-memory engine's report, whatever the batches and partitions."""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit._rules as rules
import inclusionkit._rules._streaming as streaming
from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._participations import write_participations
from inclusionkit._progressbar import ProgressEvent
from inclusionkit._rules._report import Report
from inclusionkit._rules._streaming import (
    _Dictionaries,
    choose_engine,
    compute_streaming,
)
from tests.rules.strategies import (
    as_of_dates,
    as_of_or_periods,
    participation_tables,
    table_from_rows,
)

BREAKDOWNS = st.sampled_from(
    [
        ("gender",),
        ("region", "gender"),
        ("gender", "age_band"),
        ("partner",),
        (),
        ("entry_year", "gender"),
        ("leaver", "region"),
        ("exit_date",),
    ]
)
RULESETS = st.sampled_from(["esf-2014", "esf-2021", "esf-2007"])


def assert_same_report(got: Report, want: Report) -> None:
    """Two reports agree in every part: table, excluded list, checks and provenance (but for
    the input files' fingerprints, which only a report computed from files has)."""
    pdt.assert_frame_equal(got.table, want.table)
    pdt.assert_frame_equal(got.excluded, want.excluded)
    pdt.assert_frame_equal(got.checks, want.checks)
    assert attrs.evolve(got.provenance, inputs=()) == attrs.evolve(want.provenance, inputs=())


def varied_ids(table: pd.DataFrame) -> pd.DataFrame:
    """Participant ids of very different lengths (the same ids stay equal), so batches differ
    in their widest id: partitioning must not depend on it."""
    ids = table["participant_id"].astype(object)
    longer = ids.map(lambda v: v * (1 + sum(map(ord, v)) % 9), na_action="ignore")
    return table.assign(participant_id=pd.array(longer, dtype=table["participant_id"].dtype))


def write_parquet(table: pd.DataFrame, path: Path, row_group_size: int = 3) -> Path:
    """The table as Parquet with tiny row groups (so batches split the file many times)."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    pq.write_table(arrow, path, row_group_size=max(row_group_size, 1))
    return path


@settings(max_examples=60)
@given(
    participation_tables(max_rows=30),
    as_of_or_periods(),
    RULESETS,
    BREAKDOWNS,
    st.integers(1, 7),
    st.integers(1, 9),
)
def test_streaming_equals_the_in_memory_engine(
    tmp_path_factory: pytest.TempPathFactory,
    table: pd.DataFrame,
    when: tuple[dt.date | None, str | None],
    name: str,
    by: tuple[str, ...],
    batch_rows: int,
    partition_rows: int,
) -> None:
    """Many small batches and partitions give exactly the in-memory report, every part of it
    (as of a date, or for a reporting period with its period and cumulative scopes)."""
    as_of, period = when
    table = varied_ids(table)
    path = write_parquet(table, tmp_path_factory.mktemp("stream") / "table.parquet")
    want = rules.compute(table, rules=name, by=by, as_of=as_of, period=period)
    got = compute_streaming(
        path,
        rules=name,
        by=by,
        as_of=as_of,
        period=period,
        batch_rows=batch_rows,
        partition_rows=partition_rows,
    )
    assert_same_report(got, want)


@settings(max_examples=10)
@given(participation_tables(min_rows=1, max_rows=25), st.integers(1, 4), as_of_dates())
def test_a_dataset_directory_streams_like_its_files_end_to_end(
    tmp_path_factory: pytest.TempPathFactory,
    table: pd.DataFrame,
    files: int,
    as_of: dt.date | None,
) -> None:
    """A directory of Parquet files is the concatenation of its files, in name order."""
    folder = tmp_path_factory.mktemp("dataset")
    bounds = np.linspace(0, len(table), files + 1).astype(int)
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        write_parquet(table.iloc[start:end], folder / f"part-{number:03d}.parquet")
    want = rules.compute(table, by=("region", "gender"), as_of=as_of)
    got = compute_streaming(
        folder, by=("region", "gender"), as_of=as_of, batch_rows=2, partition_rows=3
    )
    assert_same_report(got, want)
    assert choose_engine(folder, "auto") == "streaming"


def sample_table(n: int = 60, seed: int = 7) -> pd.DataFrame:
    """A seeded table with re-entries, missing cells and incomplete rows."""
    rng = np.random.default_rng(seed)
    statuses = ["employed", "unemployed", "long_term_unemployed", "inactive", "retired", None]
    rows = []
    for _ in range(n):
        entry = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1500)))
        left = rng.random() < 0.7
        rows.append(
            {
                # Ids of 2 to 14 characters, a third as many as rows: re-entries happen.
                "participant_id": "p" * int(rng.integers(1, 12)) + str(rng.integers(0, n // 3)),
                "project_code": ["POCU/1/4/16/100001", "P2"][int(rng.integers(0, 2))],
                "gender": ["female", "male", "non_binary", None][int(rng.integers(0, 4))],
                "birth_date": entry - dt.timedelta(days=int(rng.integers(15 * 365, 70 * 365))),
                "entry_date": entry,
                "exit_date": entry + dt.timedelta(days=int(rng.integers(0, 800))) if left else None,
                "labour_status": statuses[int(rng.integers(0, len(statuses)))],
                "isced": int(rng.integers(0, 10)),
                "region": ["RO11", "RO42", None][int(rng.integers(0, 3))],
                "employed_6m": bool(rng.random() < 0.5) if left else None,
                "employed_at_exit": bool(rng.random() < 0.5) if left else None,
                "minority": [True, False, None][int(rng.integers(0, 3))],
            }
        )
    return table_from_rows(rows)


def test_extra_columns_used_as_breakdowns_travel_through_the_partitions(tmp_path: Path) -> None:
    """A breakdown on a column outside the contract (a county) streams like in memory."""
    table = sample_table()
    counties = np.array(["TM", "AR", None, "Ș"], dtype=object)[np.arange(len(table)) % 4]
    table["county"] = pd.array(counties, dtype="string")
    path = write_parquet(table, tmp_path / "t.parquet")
    want = rules.compute(path, by=("county", "gender"), engine="pandas")
    got = compute_streaming(path, by=("county", "gender"), batch_rows=2, partition_rows=2)
    assert_same_report(got, want)


def test_texts_spelt_many_ways_stream_like_the_in_memory_read(tmp_path: Path) -> None:
    """A register's texts in many spellings (spaces, diacritics, words mapped to unknown, empty
    and missing cells), new ones appearing row group after row group, count as read in memory."""
    table = sample_table(200)
    rng = np.random.default_rng(3)
    spellings = {
        "gender": ["F", " femeie", "female", "M", "Bărbat ", "male", "nu", "", None, "altceva"],
        "labour_status": ["angajat", "employed", " Șomer", "unemployed", "inactive", None, "?"],
        "region": ["Nord-Est", "nord-est ", "Bucuresti-Ilfov", "București-Ilfov", "Centru", None],
    }
    for name, texts in spellings.items():
        table[name] = pd.array(rng.choice(np.array(texts, dtype=object), len(table)), dtype=object)
    path = tmp_path / "register.parquet"
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path, row_group_size=7)
    want = rules.compute(path, by=("region", "gender"), engine="pandas")
    got = compute_streaming(path, by=("region", "gender"), batch_rows=5, partition_rows=40)
    assert_same_report(got, want)


def test_codes_from_the_typed_dictionary_are_those_of_the_typed_texts() -> None:
    """A row's code is the same whether read through the pipeline's typed dictionary (each
    distinct text looked up once) or by encoding the typed texts themselves."""
    typed = pa.array(["A", "B", None, "B", "A", None, "B", None])
    codes = pa.array([0, 1, None, 1, 0, None, 1, None], pa.int32())
    dictionary = pa.DictionaryArray.from_arrays(codes, pa.array(["A", "B", "C"]))
    for batch in range(2):
        through_dictionary = _Dictionaries()
        by_text = _Dictionaries()
        if batch:  # a dictionary that already holds values from an earlier batch
            through_dictionary.codes("region", pa.array(["Z", "B"]))
            by_text.codes("region", pa.array(["Z", "B"]))
        got = through_dictionary.encode("region", [through_dictionary.codes("region", dictionary)])
        want = by_text.encode("region", [by_text.codes("region", typed)])
        assert got.cast(pa.string()).equals(typed)
        assert want.cast(pa.string()).equals(typed)


def test_an_empty_file_makes_the_empty_report(tmp_path: Path) -> None:
    """No rows: the same (zero) report as the in-memory engine on an empty table."""
    from inclusionkit._participations import empty_table

    path = tmp_path / "empty.parquet"
    write_participations(empty_table(), path)
    for by in (("gender",), ("region", "gender"), ()):
        want = rules.compute(empty_table(), by=by)
        assert_same_report(compute_streaming(path, by=by), want)
    want = rules.compute(empty_table(), rules="esf-2007", by=("gender",), as_of="2020-12-31")
    got = compute_streaming(path, rules="esf-2007", by=("gender",), as_of="2020-12-31")
    assert_same_report(got, want)


def twenty_participants(folder: Path) -> Path:
    """A Parquet file of 20 complete participations in row groups of 4."""
    rows = [
        {
            "participant_id": f"p{i}",
            "project_code": "POCU/1/4/16/100001",
            "gender": "female",
            "birth_date": dt.date(1990, 1, 1),
            "entry_date": dt.date(2020, 1, 1),
            "labour_status": "unemployed",
            "isced": 3,
        }
        for i in range(20)
    ]
    return write_parquet(table_from_rows(rows), folder / "t.parquet", row_group_size=4)


def test_progress_reports_the_scan_then_the_compute(tmp_path: Path) -> None:
    """Events come as scan 0..total then compute 0..total, never going back."""
    path = twenty_participants(tmp_path)
    events: list[ProgressEvent] = []
    compute_streaming(path, progress=events.append, batch_rows=5, partition_rows=6)
    phases = [event.phase for event in events]
    assert phases == sorted(phases, key=["scan", "compute"].index)
    for phase in ("scan", "compute"):
        done = [event.done for event in events if event.phase == phase]
        assert done[0] == 0
        assert done[-1] == 20
        assert done == sorted(done)
        assert {event.total for event in events if event.phase == phase} == {20}
    # Several batches and several partitions, each reported as it is done.
    assert len([e for e in events if e.phase == "scan"]) >= 4
    assert len([e for e in events if e.phase == "compute"]) >= 3


def test_engine_auto_streams_large_parquet_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``auto`` streams Parquet at or above the threshold and reads anything else in memory."""
    from inclusionkit._participations import empty_table

    path = tmp_path / "t.parquet"
    write_participations(empty_table(), path)
    assert choose_engine(path, "auto") == "pandas"
    assert choose_engine(empty_table(), "auto") == "pandas"
    monkeypatch.setenv("INCLUSIONKIT_STREAMING_THRESHOLD", "1")
    assert choose_engine(path, "auto") == "streaming"
    assert choose_engine(tmp_path / "t.csv", "auto") == "pandas"
    assert choose_engine(path, "pandas") == "pandas"
    with pytest.raises(InclusionKitError, match="unknown engine"):
        choose_engine(path, "spark")


def test_streaming_refuses_what_it_cannot_stream(tmp_path: Path) -> None:
    """CSV, DataFrames and distinct counts of other columns are refused with a clear message."""
    from inclusionkit._participations import empty_table

    csv = tmp_path / "t.csv"
    write_participations(empty_table(), csv)
    with pytest.raises(InclusionKitError, match="reads Parquet"):
        rules.compute(csv, engine="streaming")
    with pytest.raises(InclusionKitError, match="Parquet file or dataset directory"):
        rules.compute(empty_table(), engine="streaming")
    with pytest.raises(InclusionKitError, match="no such file"):
        rules.compute(tmp_path / "missing.parquet", engine="streaming")
    distinct = {
        "name": "distinct-projects",
        "version": "1",
        "indicators": [
            {
                "code": "P",
                "name": {"en": "projects with a participant"},
                "unit": "projects",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "count_distinct", "column": "project_code"},
            }
        ],
    }
    path = tmp_path / "t.parquet"
    write_participations(empty_table(), path)
    with pytest.raises(InclusionKitError, match="does not add up across partitions"):
        rules.compute(path, rules=distinct, engine="streaming")


def test_the_cli_streams_a_directory(tmp_path: Path) -> None:
    """``inclusionkit report DIR --engine streaming`` prints the in-memory engine's table."""
    from inclusionkit.cli import cli

    table = sample_table()
    folder = tmp_path / "dataset"
    folder.mkdir()
    write_parquet(table.iloc[:5], folder / "a.parquet")
    write_parquet(table.iloc[5:], folder / "b.parquet")
    result = CliRunner().invoke(
        cli, ["report", str(folder), "--by", "gender,region", "--engine", "streaming"]
    )
    assert result.exit_code == 0, result.output
    want = rules.compute(table, by=("gender", "region"))
    assert result.stdout == want.table.to_csv(index=False, lineterminator="\n")


_TERMINATED_MIDWAY = """
import os, signal, sys
from inclusionkit._rules import _streaming

counted = _streaming.evaluate_partition


def terminated(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)  # as a scheduler's timeout would, partitions on disk
    return counted(*args, **kwargs)


_streaming.evaluate_partition = terminated
_streaming.compute_streaming(sys.argv[1], temp_dir=sys.argv[2], batch_rows=5, partition_rows=6)
"""


def test_sigterm_midway_removes_the_partitions(tmp_path: Path) -> None:
    """A streaming run terminated (SIGTERM) while counting exits 143 and leaves no partitions."""
    path = twenty_participants(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _TERMINATED_MIDWAY, str(path), str(scratch)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 143, done.stderr.decode(errors="replace")
    assert list(scratch.iterdir()) == []


def test_a_files_project_codes_are_those_its_rows_hold(tmp_path: Path) -> None:
    """A Parquet dictionary holding a code no row has (a categorical's unused category, written
    as it is) does not make that code's period the file's: the streaming engine tells the period
    from the codes its rows hold, as the in-memory engine does."""
    from inclusionkit._rules._streaming import source_period

    table = pa.Table.from_pandas(sample_table(8).assign(project_code="P"), preserve_index=False)
    dictionary = pa.array(["POSDRU/1/1.1/S/1", " POCU/1/4/16/100001 ", ""])
    indices = pa.array([1, None, 2, 1, 1, 1, 1, 1], pa.int32())
    position = table.column_names.index("project_code")
    table = table.set_column(
        position, "project_code", pa.DictionaryArray.from_arrays(indices, dictionary)
    )
    path = tmp_path / "codes.parquet"
    pq.write_table(table, path)
    written = pq.ParquetFile(path, read_dictionary=["project_code"]).read()
    assert written.column("project_code").chunk(0).dictionary.equals(dictionary)
    assert source_period(path) == "2014-2020"
    assert source_period(path) == source_period(written.to_pandas())


def test_a_typed_dictionary_seen_again_gives_the_same_codes() -> None:
    """Row groups typed to the same dictionary reuse its lookup, and a new dictionary after it
    (other values, or the same values in another order) is looked up afresh."""
    scan = _Dictionaries()
    first = pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 1], pa.int32()), ["A", "B"])
    again = pa.DictionaryArray.from_arrays(pa.array([1, 1, 0], pa.int32()), ["A", "B"])
    swapped = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), ["B", "A", "C"])
    parts = [scan.codes("region", batch) for batch in (first, again, swapped, again)]
    got = scan.encode("region", parts).cast(pa.string())
    want = pa.concat_arrays([b.cast(pa.string()) for b in (first, again, swapped, again)])
    assert got.equals(want)


def test_an_error_counting_a_partition_is_raised_and_the_partitions_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partition whose counting fails stops the compute pass with that error, and the
    partition files are still removed."""
    path = twenty_participants(tmp_path)
    calls: list[int] = []

    def failing(table: object, rows: object, spec: object) -> object:
        calls.append(1)
        raise InclusionKitError("counting failed")

    monkeypatch.setattr(streaming, "evaluate_partition", failing)
    with pytest.raises(InclusionKitError, match="counting failed"):
        compute_streaming(path, batch_rows=5, partition_rows=4, temp_dir=tmp_path)
    assert calls
    assert not list(tmp_path.glob("inclusionkit-stream-*"))


def test_a_given_rule_set_takes_the_codes_period_from_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a rule set given, the project codes are not read before the scan: the scan collects
    the codes its rows hold (not a dictionary's unused ones, spaces trimmed), and the report's
    period and warning are the in-memory engine's; without one the codes are read first."""
    table = pa.Table.from_pandas(sample_table(8).assign(project_code="P"), preserve_index=False)
    dictionary = pa.array(["POSDRU/1/1.1/S/1", " POCU/1/4/16/100001 ", "", "PEO/1/2/3"])
    indices = pa.array([1, None, 2, 0, 1, 1, 1, 1], pa.int32())
    position = table.column_names.index("project_code")
    table = table.set_column(
        position, "project_code", pa.DictionaryArray.from_arrays(indices, dictionary)
    )
    path = tmp_path / "codes.parquet"
    pq.write_table(table, path, row_group_size=3)
    frame = table.to_pandas()
    frame["project_code"] = frame["project_code"].astype(object)
    want = rules.compute(frame, rules="esf-2021", by=("gender",))
    assert want.provenance.table_period == "2007-2013, 2014-2020"
    assert want.provenance.warnings

    reads: list[object] = []
    real = streaming._project_codes
    monkeypatch.setattr(streaming, "_project_codes", lambda *a: reads.append(a) or real(*a))
    got = compute_streaming(path, rules="esf-2021", by=("gender",), batch_rows=2)
    assert reads == []
    assert_same_report(got, want)
    guessed = compute_streaming(path, by=("gender",), batch_rows=2)
    assert len(reads) == 1
    assert guessed.provenance.table_period == want.provenance.table_period


def test_a_bad_cell_found_by_the_reading_thread_is_the_usual_error(tmp_path: Path) -> None:
    """A bad cell met by the scan's reading threads (a batch ahead, after partitions were
    written) stops the run with the usual error naming its row, and the partitions are removed."""
    path = twenty_participants(tmp_path)
    table = pq.read_table(path)
    bad = pa.array(["3"] * 17 + ["doi"] + ["3"] * 2)
    table = table.set_column(table.schema.get_field_index("isced"), "isced", bad)
    pq.write_table(table, path, row_group_size=4)
    with pytest.raises(ValidationError) as caught:
        compute_streaming(path, "esf-2014", batch_rows=5, partition_rows=4, temp_dir=tmp_path)
    assert [(p.column, p.location) for p in caught.value.problems] == [("isced", "row 17")]
    assert not list(tmp_path.glob("inclusionkit-stream-*"))


@pytest.mark.parametrize("stage", ["decoding", "sorting"])
def test_an_error_in_a_scan_thread_is_raised_and_the_partitions_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """An error in the thread decoding the file or in one sorting a batch, after earlier batches
    were written, is raised as it was raised there, and the partition files are removed."""
    path = twenty_participants(tmp_path)
    written: list[int] = []

    def failing_after(real: Callable[..., Any], calls: int) -> Callable[..., Any]:
        count = itertools.count()

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if next(count) == calls:
                written.extend(len(list(folder.iterdir())) for folder in scratch())
                raise InclusionKitError(f"{stage} failed")
            return real(*args, **kwargs)

        return wrapped

    def scratch() -> list[Path]:
        return list(tmp_path.glob("inclusionkit-stream-*"))

    if stage == "decoding":
        real = streaming._decoded

        def decoded(*args: Any) -> Iterator[Any]:
            fail = failing_after(lambda item: item, 12)
            for item in real(*args):
                yield fail(item)

        monkeypatch.setattr(streaming, "_decoded", decoded)
    else:
        monkeypatch.setattr(streaming, "_sorted", failing_after(streaming._sorted, 12))
    # Batches of one row: the twelfth is met only once earlier ones were written (each stage
    # holds a bounded number of batches).
    with pytest.raises(InclusionKitError, match=f"{stage} failed"):
        compute_streaming(path, "esf-2014", batch_rows=1, partition_rows=4, temp_dir=tmp_path)
    assert written  # it failed, and
    assert written[0] > 0  # partitions had been written by then
    assert not scratch()


def test_batches_sorted_in_helper_threads_come_in_their_order() -> None:
    """``_in_order`` gives each item's result in the items' order whatever order the threads
    finish in, runs the work in the caller's context, raises a worker's error, and closes the
    items it was reading."""
    import time

    language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")
    language.set("ro")

    def slow_for_small(item: int) -> tuple[int, str]:
        time.sleep(0.002 * (10 - item))
        return item * item, language.get()

    got = list(streaming._in_order(slow_for_small, iter(range(10)), 3))
    assert got == [(i * i, "ro") for i in range(10)]

    closed: list[bool] = []

    def items() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            closed.append(True)

    def failing(item: int) -> int:
        if item == 5:
            raise InclusionKitError("item 5")
        return item

    seen: list[int] = []

    def take_all() -> None:
        seen.extend(streaming._in_order(failing, items(), 2))

    with pytest.raises(InclusionKitError, match="item 5"):
        take_all()
    assert seen == [0, 1, 2, 3, 4]
    assert closed == [True]
