"""Record sets: the prepared participations, project populations, single rules for progress()."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import inclusionkit._rules as rules
from inclusionkit import InclusionKitError, ValidationError
from inclusionkit._project_io import load_project
from inclusionkit._rules._records import _MIN_INT64, _group_order, parse_as_of
from tests.conftest import MINIMAL_PROJECT
from tests.rules.strategies import table_from_rows

D = dt.date


def _row(pid: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": "P",
        "gender": "female",
        "birth_date": D(1990, 1, 1),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        **values,
    }


def _project(**extra: Any) -> Any:
    document = {
        **MINIMAL_PROJECT,
        "organisations": [
            {"id": "o1", "name": "Primăria", "kind": "public_institution", "tags": ["platform"]},
            {"id": "o2", "name": "Firma", "kind": "company", "tags": ["platform", "sme"]},
        ],
        "activities": [
            {"id": "a1", "kind": "conference", "start": "2014-06-01", "hours": 6},
            {
                "id": "a2",
                "kind": "consultancy",
                "start": "2014-07-01",
                "hours": 40,
                "organisations": ["o1", "o2"],
            },
            {"id": "a3", "kind": "consultancy", "start": "2015-02-01", "hours": 20},
            {"id": "a4", "kind": "information_session", "start": "2015-03-01", "attendance": 120},
        ],
        "deliverables": [
            {"id": "d1", "kind": "local_inclusion_plan", "date": "2014-12-01"},
            {"id": "d2", "kind": "local_inclusion_plan", "date": "2015-05-01"},
        ],
        **extra,
    }
    return load_project(document)


def test_ties_on_the_entry_date_do_not_depend_on_row_order() -> None:
    """Two rows of one participation entering the same day: the same row wins in any order."""
    rows = [
        _row("p", labour_status="employed", exit_date=D(2020, 2, 1), employed_at_exit=True),
        _row("p", labour_status="inactive", exit_date=D(2020, 3, 1), employed_at_exit=False),
    ]
    forward = rules.compute(table_from_rows(rows), by=())
    backward = rules.compute(table_from_rows(rows[::-1]), by=())
    assert forward.table.equals(backward.table)
    assert forward.provenance.merged_rows == 1


def test_a_missing_entry_date_in_a_reentry_makes_it_incomplete() -> None:
    """When one row's entry date is unknown the earliest entry is unknown: not counted."""
    rows = [_row("p"), _row("p", entry_date=None)]
    report = rules.compute(table_from_rows(rows), by=())
    assert report.value("TOTAL") == 0
    assert list(report.excluded["reason"]) == ["entry_date.missing"]


def test_rows_without_a_key_are_never_merged() -> None:
    """Rows with an empty participant id are separate participations (nothing says otherwise)."""
    rows = [_row(None), _row(None)]  # type: ignore[arg-type]
    report = rules.compute(table_from_rows(rows), by=())
    assert report.value("TOTAL") == 2


def test_merged_exit_is_empty_while_any_row_is_open() -> None:
    """A re-entry still open means the participation has not left, whatever earlier rows say."""
    rows = [
        _row("p", exit_date=D(2020, 6, 1), employed_at_exit=True),
        _row("p", entry_date=D(2021, 1, 1)),
    ]
    report = rules.compute(table_from_rows(rows), by=())
    assert report.value("CR04") == 0
    closed = rules.compute(table_from_rows(rows[:1]), by=())
    assert closed.value("CR04") == 1


def test_excluded_messages_list_every_failure() -> None:
    """The reason is the first failing test; the message names all of them."""
    rows = [_row("p", gender=None, isced=9)]
    report = rules.compute(table_from_rows(rows))
    row = report.excluded.iloc[0]
    assert row["reason"] == "gender.missing"
    assert "gender is missing" in row["message"]
    assert "ISCED" in row["message"]
    assert row["row"] == 0


def test_can_evaluate_needs_records_of_the_population() -> None:
    """Participations need a table; other populations need at least one record."""
    project = _project()
    without = rules.RecordSet.from_project(project)
    assert not without.can_evaluate({"population": "participations"})
    assert without.can_evaluate({"population": "activities"})
    assert without.can_evaluate({"population": "partners"})
    with_table = rules.RecordSet.from_project(project, table_from_rows([_row("p")]))
    assert with_table.can_evaluate({"population": "participations"})
    bare = rules.RecordSet.from_project(load_project({**MINIMAL_PROJECT, "activities": []}))
    assert not bare.can_evaluate({"population": "activities"})
    assert not bare.can_evaluate({"population": "deliverables"})
    alone = rules.RecordSet.from_participations(table_from_rows([_row("p")]))
    assert alone.can_evaluate({"population": "participations"})
    assert not alone.can_evaluate({"population": "activities"})


@pytest.mark.parametrize(
    ("rule", "as_of", "value"),
    [
        (
            {
                "population": "activities",
                "filter": {"eq": ["kind", "conference"]},
                "aggregate": {"function": "count"},
            },
            None,
            1,
        ),
        (
            {
                "population": "activities",
                "filter": {"in": ["kind", ["consultancy", "mentoring"]]},
                "aggregate": {"function": "sum", "column": "hours"},
            },
            None,
            60,
        ),
        (
            {
                "population": "activities",
                "filter": {"in": ["kind", ["consultancy", "mentoring"]]},
                "aggregate": {"function": "sum", "column": "hours"},
            },
            "2014-12-31",
            40,
        ),
        (
            {"population": "activities", "aggregate": {"function": "sum", "column": "attendance"}},
            None,
            120,
        ),
        (
            {
                "population": "deliverables",
                "filter": {"eq": ["kind", "local_inclusion_plan"]},
                "aggregate": {"function": "count"},
            },
            "2015-01-01",
            1,
        ),
        (
            {
                "population": "organisations",
                "filter": {"contains": ["tags", "platform"]},
                "aggregate": {"function": "count"},
            },
            None,
            2,
        ),
        (
            {
                "population": "organisations",
                "filter": {"is_null": "role"},
                "aggregate": {"function": "count_distinct", "column": "kind"},
            },
            None,
            2,
        ),
        (
            {
                "population": "partners",
                "filter": {"eq": ["role", "lead"]},
                "aggregate": {"function": "count"},
            },
            None,
            1,
        ),
        (
            {
                "population": "activities",
                "filter": {"ge": ["start", "2015-01-01"]},
                "aggregate": {"function": "count"},
            },
            None,
            2,
        ),
        (
            {
                "population": "activities",
                "aggregate": {"function": "sum", "column": "n_organisations"},
            },
            None,
            2,
        ),
    ],
)
def test_evaluate_rule_on_project_records(
    rule: dict[str, Any], as_of: str | None, value: float
) -> None:
    """Counts and sums over activities, deliverables and organisations, as of a date."""
    records = rules.RecordSet.from_project(_project(), as_of=as_of)
    assert rules.evaluate_rule(rule, records) == value


def test_evaluate_rule_on_participations_uses_the_ruleset_scope() -> None:
    """A project rule can count distinct persons and reuse esf-2014 definitions and indicators."""
    rows = [
        _row("p1", minority=True),
        _row("p1", project_code="Q", minority=True),
        _row("p2", disability=True, birth_date=D(1960, 1, 1)),
        _row("p3", gender=None, minority=True),  # incomplete: never counted
    ]
    records = rules.RecordSet.from_participations(table_from_rows(rows))
    persons = {
        "population": "participations",
        "filter": {"is_true": "minority"},
        "aggregate": {"function": "count_distinct", "column": "participant_id"},
    }
    assert rules.evaluate_rule(persons, records) == 1
    disadvantaged = {
        "population": "participations",
        "filter": {"ref": "disadvantaged"},
        "aggregate": {"function": "count"},
    }
    assert rules.evaluate_rule(disadvantaged, records) == 3
    older = {
        "population": "participations",
        "filter": {"indicator": "CO07"},
        "aggregate": {"function": "count"},
    }
    assert rules.evaluate_rule(older, records) == 1


def test_evaluate_rule_reports_bad_rules_and_missing_records() -> None:
    """A rule that does not compile is a ValidationError; missing records an InclusionKitError."""
    records = rules.RecordSet.from_project(_project())
    with pytest.raises(ValidationError) as info:
        rules.evaluate_rule(
            {
                "population": "activities",
                "filter": {"eq": ["knd", "x"]},
                "aggregate": {"function": "count"},
            },
            records,
        )
    assert info.value.problems[0].location == "$.filter.eq[0]"
    with pytest.raises(ValidationError):
        rules.evaluate_rule({"population": "activities"}, records)
    with pytest.raises(InclusionKitError, match="no participation table"):
        rules.evaluate_rule(
            {"population": "participations", "aggregate": {"function": "count"}}, records
        )


def test_progress_computes_from_rules() -> None:
    """progress() takes achieved values from rules where the records allow it."""
    from inclusionkit._progress import progress

    indicator = {
        "code": "CONS",
        "name": {"ro": "ore de consultanță"},
        "unit": "hours",
        "kind": "output",
        "target": 640,
        "rule": {
            "population": "activities",
            "filter": {"eq": ["kind", "consultancy"]},
            "aggregate": {"function": "sum", "column": "hours"},
        },
    }
    project = _project(objectives=[{"id": "O1", "title": {"ro": "x"}, "indicators": [indicator]}])
    frame = progress(project)
    assert frame.loc[0, "achieved"] == 60
    assert frame.loc[0, "source"] == "computed"


def test_as_of_accepts_dates_and_text() -> None:
    """Dates, datetimes, ISO and Romanian text; anything else is a clean error."""
    assert parse_as_of("2024-06-30") == D(2024, 6, 30)
    assert parse_as_of("30.06.2024") == D(2024, 6, 30)
    assert parse_as_of(dt.datetime(2024, 6, 30, 12)) == D(2024, 6, 30)
    assert parse_as_of(None) is None
    with pytest.raises(InclusionKitError):
        parse_as_of("June")


def test_a_table_with_text_cells_is_normalised() -> None:
    """A frame of text (as from a spreadsheet) is parsed to canonical dtypes first."""
    typed = table_from_rows([_row("p")])
    table = typed.astype(object).astype(str).replace({"<NA>": "", "NaT": ""})
    for name in ("birth_date", "entry_date", "exit_date"):
        table[name] = typed[name].dt.strftime("%d.%m.%Y").fillna("")
    report = rules.compute(table, by=())
    assert report.value("TOTAL") == 1
    assert np.issubdtype(report.table["value"].dtype, np.integer)


def test_excluded_rows_are_sorted_like_pandas_sorts_them() -> None:
    """The excluded list is ordered by key (code points, a missing key last), then by row."""
    keys = [("ș1", "P1"), ("a", None), ("Z", "P1"), ("", "Ă"), (None, "P1"), ("é", "p1")]
    rows = [_row("", participant_id=pid, project_code=code, gender=None) for pid, code in keys]
    excluded = (
        rules.RecordSet.from_participations(table_from_rows(rows)).prepared().excluded_frame()
    )
    expected = excluded.sample(frac=1, random_state=1).sort_values(
        ["project_code", "participant_id", "row"]
    )
    assert excluded["row"].tolist() == expected["row"].tolist()


def test_every_engine_gives_the_excluded_list_as_categoricals_with_equal_values(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In memory, streaming (many partitions) and Dask give one excluded list: the repeated
    text as categoricals (categories the values present, sorted), ids as text, rows int64."""
    import pandas as pd
    import pandas.testing as pdt

    from inclusionkit._rules._streaming import compute_streaming
    from tests.rules.test_streaming import sample_table, write_parquet

    table = sample_table(80, seed=5)
    as_of = D(2021, 6, 30)  # rows entered later are listed too (entry_date.in_future)
    want = rules.compute(table, by=("gender",), as_of=as_of).excluded
    path = write_parquet(table, tmp_path / "table.parquet")
    lists = {
        "streaming": compute_streaming(
            path, by=("gender",), as_of=as_of, batch_rows=7, partition_rows=9
        ).excluded
    }
    dd = pytest.importorskip("dask.dataframe")
    import inclusionkit._rules._dask as engine

    monkeypatch.setattr(engine, "_client", lambda: None)
    frame = dd.from_pandas(table, npartitions=4, sort=False)
    lists["dask"] = rules.compute(frame, by=("gender",), as_of=as_of, engine="dask").excluded
    assert want["reason"].nunique() > 1
    assert want["message"].nunique() > 1
    for name in ("project_code", "reason", "message"):
        dtype = want[name].dtype
        assert isinstance(dtype, pd.CategoricalDtype)
        assert not dtype.ordered
        assert dtype.categories.dtype == pd.StringDtype("pyarrow")
        assert list(dtype.categories) == sorted(set(want[name].dropna()))
    assert want["participant_id"].dtype == pd.StringDtype("pyarrow")
    assert want["row"].dtype == np.int64
    for got in lists.values():
        pdt.assert_frame_equal(got, want)


def test_prepared_participations_are_freed_without_the_garbage_collector() -> None:
    """No reference cycle keeps a partition's prepared columns alive once it is dropped."""
    import gc
    import weakref

    from inclusionkit._rules._records import RecordSet

    table = table_from_rows([_row("p"), _row("q", entry_date=None)])
    gc.disable()
    try:
        prepared = RecordSet(participations=table).prepared()
        assert prepared.source.col("age_at_entry").valid.any()
        alive = weakref.ref(prepared)
        del prepared
        assert alive() is None
    finally:
        gc.enable()


def test_an_arrow_table_keeps_only_the_key_text_once_prepared(tmp_path: Any) -> None:
    """Preparing a typed Arrow table lets the converted columns' Arrow buffers go (the key text
    stays for the excluded list), and the merged exit is the same as from pandas."""
    from inclusionkit import write
    from inclusionkit._rules._columns import TableColumns
    from inclusionkit._rules._records import RecordSet, typed_table

    rows = [
        _row("p", exit_date=D(2020, 6, 1), employed_at_exit=True),
        _row("p", entry_date=D(2020, 7, 1), exit_date=D(2020, 9, 1), employed_at_exit=False),
        _row("q", exit_date=D(2020, 3, 1)),
    ]
    frame = table_from_rows(rows)
    path = tmp_path / "p.parquet"
    write(frame, path, kind="table")
    table = TableColumns(typed_table(path).table)
    prepared = RecordSet(participations=table).prepared()
    assert "exit_date" not in table
    assert "entry_date" not in table
    assert "project_code" in table
    assert "participant_id" in table
    from_pandas = RecordSet(participations=frame).prepared()
    for name in ("exit_date", "employed_at_exit"):
        np.testing.assert_array_equal(prepared.column(name).values, from_pandas.column(name).values)
        np.testing.assert_array_equal(prepared.column(name).valid, from_pandas.column(name).valid)


def test_merging_reentries_leaves_the_callers_frame_as_it_was() -> None:
    """The merged exit and results are patched into the engine's arrays, never into the
    DataFrame the caller passed."""
    rows = [
        _row("p", exit_date=D(2020, 6, 1), employed_at_exit=True),
        _row("p", entry_date=D(2020, 7, 1), exit_date=D(2020, 9, 1), employed_at_exit=False),
    ]
    frame = table_from_rows(rows)
    before = frame.copy(deep=True)
    report = rules.compute(frame, by=())
    assert report.provenance.merged_rows == 1
    assert frame.equals(before)


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.none() | st.integers(-(2**40), 2**40)),
        min_size=1,
        max_size=60,
    )
)
def test_rows_are_ordered_by_group_then_date_as_lexsort_orders_them(
    pairs: list[tuple[int, int | None]],
) -> None:
    """_group_order (one sort of a combined key, or lexsort when it would not fit) orders by
    group, then key, a missing date first, as a two-key lexsort does."""
    groups = np.array([g for g, _ in pairs], dtype=np.int64)
    keys = np.array([_MIN_INT64 if k is None else k for _, k in pairs], dtype=np.int64)
    order = _group_order(groups, keys)
    expected = np.lexsort((keys, groups))
    assert sorted(order.tolist()) == list(range(len(pairs)))
    assert groups[order].tolist() == groups[expected].tolist()
    assert keys[order].tolist() == keys[expected].tolist()


@given(
    st.lists(st.booleans(), max_size=80),
    st.lists(st.booleans(), max_size=80),
)
def test_a_tests_failures_kept_as_rows_or_mask_read_alike_at_any_rows(
    failing: list[bool], asked: list[bool]
) -> None:
    """_failed keeps each completeness test's failures as positions (or, when more than an
    eighth of the rows fail, the mask), joins them to the rows failing any, and
    _failing_at reads either at any ascending rows as the mask would."""
    from inclusionkit._rules._records import _failed, _failing_at

    size = len(failing)
    mask = np.array(failing, dtype=bool)
    rows = np.flatnonzero(np.resize(np.array(asked or [False], dtype=bool), size))

    class Failing:
        def failing(self, columns: Any) -> np.ndarray:
            return mask.copy()

    kept, incomplete = _failed([Failing(), Failing()], None, size)  # type: ignore[list-item, arg-type]
    np.testing.assert_array_equal(incomplete, mask)
    for _, failures in kept:
        assert (failures.dtype == np.bool_) == (np.count_nonzero(mask) > size // 8)
        np.testing.assert_array_equal(_failing_at(failures, rows), mask[rows])
