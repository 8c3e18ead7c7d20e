"""The one report assembly: partitions added in any order give the one-partition report."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit._rules as rules
from inclusionkit._rules._assemble import Assembler, _ExcludedList, cell_order
from inclusionkit._rules._partition import Spec, evaluate_partition
from inclusionkit._rules._records import EXCLUDED_TEXT, excluded_list, text_categorical
from inclusionkit._rules._ruleset import load_ruleset
from tests.rules.strategies import as_of_dates, participation_tables

RULES = Path(__file__).parents[2] / "src" / "inclusionkit" / "_rules"


@settings(max_examples=40, deadline=None)
@given(
    participation_tables(max_rows=30),
    as_of_dates(),
    st.sampled_from(["esf-2014", "esf-2021", "esf-2007"]),
    st.sampled_from([("gender",), ("region", "gender"), ("age_band",), ()]),
    st.integers(1, 5),
    st.randoms(use_true_random=False),
)
def test_partitions_in_any_order_give_the_in_memory_report(
    table: pd.DataFrame,
    as_of: dt.date | None,
    name: str,
    by: tuple[str, ...],
    parts: int,
    random: object,
) -> None:
    """Cutting a table by participant into partitions, added in a random order, changes nothing."""
    want = rules.compute(table, rules=name, by=by, as_of=as_of)
    period = want.provenance.table_period
    spec = Spec(ruleset=load_ruleset(name), breakdowns=by, as_of=as_of, table_period=period)
    ids = table["participant_id"].astype(object).fillna("").map(lambda v: sum(map(ord, v)))
    number = ids.to_numpy(dtype=np.int64) % parts
    order = list(range(parts))
    random.shuffle(order)  # type: ignore[attr-defined]
    assembler = Assembler(spec)
    for part in order:
        rows = np.flatnonzero(number == part)
        if len(rows):
            piece = table.iloc[rows].reset_index(drop=True)
            assembler.add(evaluate_partition(piece, rows, spec))
    if not assembler.partitions:
        assembler.add(evaluate_partition(table, None, spec))
    got = assembler.report()
    pdt.assert_frame_equal(got.table, want.table)
    pdt.assert_frame_equal(got.excluded, want.excluded)
    pdt.assert_frame_equal(got.checks, want.checks)
    assert got.provenance == want.provenance


def test_cell_order_puts_missing_last_and_bands_in_band_order() -> None:
    """Cells are ordered by value, age bands by band, booleans false first, missing last."""
    labels = pd.DataFrame(
        {
            "age_band": pd.array(["55+", None, "<18", "18-54"], dtype="string"),
            "leaver": pd.array([True, False, None, False], dtype="boolean"),
        }
    )
    order = cell_order(labels, [18, 55])
    assert labels["age_band"].take(order).tolist()[:3] == ["<18", "18-54", "55+"]
    assert pd.isna(labels["age_band"].take(order).tolist()[3])


def _imports(module: str) -> set[str]:
    tree = ast.parse((RULES / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.rsplit(".", 1)[-1])
    return found


def test_dependencies_go_one_way_engines_assembler_model() -> None:
    """The model imports no assembler or engine, the assembler no engine, engines no compute()."""
    engines = {"_report", "_streaming", "_dask"}
    assert not _imports("_model") & {"_assemble", "_partition", *engines}
    assert not _imports("_assemble") & engines
    assert not _imports("_partition") & {"_assemble", "_model", *engines}
    assert "_report" not in _imports("_streaming") | _imports("_dask")
    assert "_dask" not in _imports("_streaming")


TEXT = st.one_of(st.none(), st.sampled_from(["", "a", "B", "é", "ab", "Ă1", "z", "a b", "ß"]))


@st.composite
def excluded_lists(draw: st.DrawFn) -> pd.DataFrame:
    """An excluded list (sorted, as a partition gives it) of rows with repeated, missing and
    non-ASCII text."""
    n = draw(st.integers(0, 12))
    text = {
        name: pd.array([draw(TEXT) for _ in range(n)], dtype=pd.StringDtype("pyarrow"))
        for name in ("project_code", "participant_id", "reason", "message")
    }
    rows = np.array(draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True)))
    frame = pd.DataFrame({**text, "row": rows.astype(np.int64)})
    frame = frame[["project_code", "participant_id", "row", "reason", "message"]]
    return frame.sort_values(["project_code", "participant_id", "row"]).reset_index(drop=True)


def _as_partition_gives(frame: pd.DataFrame) -> pd.DataFrame:
    """A text excluded list as a partition hands it over (built by ``excluded_list``)."""
    arrow = {
        name: pa.array(frame[name].astype(object), type=pa.string(), from_pandas=True)
        for name in (*EXCLUDED_TEXT, "participant_id")
    }
    return excluded_list(
        project_code=text_categorical(arrow["project_code"]),
        participant_id=arrow["participant_id"],
        row=frame["row"].to_numpy(),
        reason=text_categorical(arrow["reason"]),
        message=text_categorical(arrow["message"]),
    )


def _categorised(frame: pd.DataFrame) -> pd.DataFrame:
    """A text excluded list with its repeated text columns as the report gives them: categoricals
    whose categories are the values present, sorted (by pandas, independently of the engines)."""
    out = frame.copy()
    for name in EXCLUDED_TEXT:
        present = sorted(set(frame[name].dropna()))
        categories = pd.Index(pd.array(present, dtype=pd.StringDtype("pyarrow")))
        out[name] = frame[name].astype(pd.CategoricalDtype(categories))
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(excluded_lists(), min_size=1, max_size=6), st.booleans())
def test_excluded_lists_held_compactly_give_the_sorted_concatenation(
    parts: list[pd.DataFrame], resolve: bool
) -> None:
    """The excluded lists of many partitions, held as codes, give what concatenating and sorting
    the text lists gives: the same rows, order and values, text categories sorted (rows resolved
    or not)."""
    held = _ExcludedList()
    for part in parts:
        held.add(_as_partition_gives(part))
    rows = (lambda codes: codes * 3 + 1) if resolve else None
    want = pd.concat(parts, ignore_index=True)
    if rows is not None:
        want["row"] = rows(want["row"].to_numpy())
    want = want.sort_values(["project_code", "participant_id", "row"]).reset_index(drop=True)
    want = _categorised(want)
    got = held.frame(rows)
    pdt.assert_frame_equal(got, want)
    assert got["row"].dtype == np.int64
