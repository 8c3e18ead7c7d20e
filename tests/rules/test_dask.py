"""The Dask engine on a two-worker LocalCluster gives the in-memory engine's report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit._rules as rules
from inclusionkit._participations import write_participations
from inclusionkit._progressbar import ProgressEvent
from tests.rules.strategies import as_of_or_periods, participation_tables
from tests.rules.test_streaming import assert_same_report, sample_table, varied_ids

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

# dask 2026.8's Parquet reader calls reset_index(inplace=True), which pandas 3.1 deprecates;
# the warning is Dask's to fix, not a failure of this engine.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The inplace keyword in DataFrame.reset_index:pandas.errors.Pandas4Warning"
)

BREAKDOWNS = st.sampled_from(
    [("gender",), ("region", "gender"), ("gender", "age_band"), (), ("partner", "leaver")]
)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of two single-threaded workers in this process, as the active client.

    In-process workers start in a fraction of a second and need no importable test module; the
    partial results still travel through the scheduler as they would on a real cluster.
    """
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as active:
        yield active


@settings(max_examples=10, deadline=None)
@given(
    participation_tables(max_rows=30),
    as_of_or_periods(),
    st.sampled_from(["esf-2014", "esf-2021", "esf-2007"]),
    BREAKDOWNS,
    st.integers(1, 4),
)
def test_dask_equals_the_in_memory_engine(
    client: Any,
    table: pd.DataFrame,
    when: tuple[dt.date | None, str | None],
    name: str,
    by: tuple[str, ...],
    npartitions: int,
) -> None:
    """A Dask DataFrame of several partitions computes exactly the in-memory report (as of a
    date, or for a reporting period)."""
    as_of, period = when
    table = varied_ids(table)
    frame = dd.from_pandas(table, npartitions=npartitions, sort=False)
    want = rules.compute(table, rules=name, by=by, as_of=as_of, period=period)
    got = rules.compute(frame, rules=name, by=by, as_of=as_of, period=period)
    assert_same_report(got, want)


def test_dask_reads_parquet_and_csv_paths(client: Any, tmp_path: Path) -> None:
    """Parquet and CSV paths read with Dask give the in-memory engine's report of the file."""
    table = sample_table(80)
    for suffix in (".parquet", ".csv"):
        path = tmp_path / f"table{suffix}"
        write_participations(table, path)
        want = rules.compute(path, by=("region", "gender"), as_of="2021-06-30", engine="pandas")
        events: list[ProgressEvent] = []
        got = rules.compute(
            path,
            by=("region", "gender"),
            as_of="2021-06-30",
            engine="dask",
            progress=events.append,
        )
        assert_same_report(got, want)
        assert events[-1].done == len(table)
        assert [e.done for e in events] == sorted(e.done for e in events)


def test_dask_without_a_client_uses_the_default_scheduler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no distributed client, Dask's local scheduler computes the same report."""
    import inclusionkit._rules._dask as engine

    monkeypatch.setattr(engine, "_client", lambda: None)
    table = sample_table(50, seed=3)
    events: list[ProgressEvent] = []
    got = rules.compute(
        dd.from_pandas(table, npartitions=3, sort=False),
        by=("gender",),
        engine="auto",
        progress=events.append,
    )
    assert_same_report(got, rules.compute(table, by=("gender",)))
    assert events[0].done == 0
    assert events[-1].done == len(table)
    assert all(e.total is None for e in events)


def test_the_task_context_survives_pickling() -> None:
    """What every task carries (the rule set spec) pickles, as worker processes need."""
    import pickle

    from inclusionkit._rules._partition import Spec
    from inclusionkit._rules._ruleset import load_ruleset

    spec = Spec(ruleset=load_ruleset("esf-2007"), breakdowns=("gender",), as_of=None)
    assert pickle.loads(pickle.dumps(spec)).ruleset.name == "esf-2007"


def test_the_cli_computes_with_dask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``inclusionkit report FILE --engine dask`` prints the in-memory engine's table."""
    from click.testing import CliRunner

    import inclusionkit._rules._dask as engine
    from inclusionkit.cli import cli

    # The command has no --scheduler here: Dask's local scheduler, whatever else is running.
    monkeypatch.setattr(engine, "_client", lambda: None)
    path = tmp_path / "table.parquet"
    write_participations(sample_table(40, seed=5), path)
    result = CliRunner().invoke(cli, ["report", str(path), "--engine", "dask", "--by", "region"])
    assert result.exit_code == 0, result.output
    want = rules.compute(path, by=("region",), engine="pandas")
    assert result.stdout == want.table.to_csv(index=False, lineterminator="\n")
