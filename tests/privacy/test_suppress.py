"""Tests for disclosure control: primary and secondary suppression, and that nothing is recoverable.

The property tests play the attacker: from the published cells they write down every equation a
reader can (each margin is the sum of its parts; TOTAL = CO01 + CO03 + CO05), then ask a linear
programme for the smallest and the largest value each suppressed cell can take. Protection means
the two differ for every suppressed cell.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit import InclusionKitError
from inclusionkit._privacy import KNOWN_RELATIONS, suppress, suppress_table

GENDERS = ("female", "male", "non_binary")


def gender_rows(indicator: str, counts: dict[str, int]) -> list[dict[str, Any]]:
    """One indicator's cells by gender plus the ``total`` margin."""
    rows = [{"indicator": indicator, "gender": g, "value": v} for g, v in counts.items()]
    rows.append({"indicator": indicator, "gender": "total", "value": sum(counts.values())})
    return rows


def cell(table: pd.DataFrame, **where: str) -> pd.Series:
    """The one row of ``table`` matching every ``column=value`` given."""
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    (position,) = np.flatnonzero(mask)
    return table.iloc[position]


def test_small_cells_are_suppressed_and_marked_not_zeroed() -> None:
    """A count below the threshold becomes NA, flagged primary; other counts stay."""
    table = pd.DataFrame(gender_rows("CO01", {"female": 3, "male": 10, "non_binary": 0}))
    out = suppress(table, 5).table
    female = cell(out, gender="female")
    assert pd.isna(female["value"])
    assert bool(female["suppressed"])
    assert female["status"] == "primary"
    assert cell(out, gender="total")["value"] == 13


def test_zeros_are_published_and_never_chosen_as_secondary() -> None:
    """Zero counts stay published; the secondary cell is the non-zero one."""
    table = pd.DataFrame(gender_rows("CO01", {"female": 3, "male": 10, "non_binary": 0}))
    out = suppress(table, 5).table
    assert cell(out, gender="non_binary")["value"] == 0
    assert cell(out, gender="male")["status"] == "secondary"


def test_a_lone_small_gender_cell_gets_a_partner() -> None:
    """If one gender cell is suppressed, another cell of the same row is too (the total exists)."""
    table = pd.DataFrame(gender_rows("CO16", {"female": 2, "male": 40, "non_binary": 0}))
    result = suppress(table, 5)
    assert result.primary == 1
    assert result.secondary == 1
    assert int(result.table["suppressed"].sum()) == 2


def test_two_ones_under_a_published_total_are_not_enough() -> None:
    """1 + 1 under a published total pins both (zeros are never hidden): a third cell goes."""
    table = pd.DataFrame(gender_rows("CO16", {"female": 1, "male": 1, "non_binary": 30}))
    out = suppress(table, 5).table
    assert cell(out, gender="non_binary")["status"] == "secondary"


def test_zeros_stay_published_when_only_margins_are_left_to_hide() -> None:
    """Small cells among zeros: the margins are hidden, never a zero (a case hypothesis found)."""
    counts = {
        "CO01": {"female": 1, "male": 0, "non_binary": 0},
        "CO03": {"female": 2, "male": 0, "non_binary": 1},
        "CO05": {"female": 5, "male": 1, "non_binary": 2},
    }
    rows = [row for code, parts in counts.items() for row in gender_rows(code, parts)]
    totals = {g: sum(parts[g] for parts in counts.values()) for g in GENDERS}
    table = pd.DataFrame([*rows, *gender_rows("TOTAL", totals)])
    out = suppress(table, 5).table
    assert (table["value"][out["suppressed"].to_numpy(dtype=bool)] > 0).all()
    assert_unrecoverable(table, out)


def test_nothing_below_threshold_means_nothing_suppressed() -> None:
    """A table of zeros and large counts is published as it is."""
    table = pd.DataFrame(gender_rows("CO01", {"female": 30, "male": 10, "non_binary": 0}))
    result = suppress(table, 5)
    assert not result.table["suppressed"].any()
    assert list(result.table["value"]) == list(table["value"])
    assert set(result.table["status"]) == {""}


def test_relation_between_indicators_is_protected() -> None:
    """TOTAL = CO01 + CO03 + CO05: a small CO01 cell cannot be got back from the other three."""
    counts = {
        "CO01": {"female": 3, "male": 20},
        "CO03": {"female": 12, "male": 9},
        "CO05": {"female": 30, "male": 8},
    }
    rows = [r for code, c in counts.items() for r in gender_rows(code, c)]
    total = {g: sum(c[g] for c in counts.values()) for g in ("female", "male")}
    rows += gender_rows("TOTAL", total)
    table = pd.DataFrame(rows)
    out = suppress(table, 5).table
    hidden_female = out[(out["gender"] == "female") & out["suppressed"]]
    assert len(hidden_female) >= 2
    assert_unrecoverable(table, out)
    # Without the relation only the gender margins protect the cell.
    bare = suppress(table, 5, relations=None).table
    assert int(bare["suppressed"].sum()) == 2


def test_published_view_hides_which_cells_were_primary() -> None:
    """The published table has no status column; suppress_table returns the full table."""
    table = pd.DataFrame(gender_rows("CO01", {"female": 3, "male": 10, "non_binary": 0}))
    result = suppress(table, 5)
    assert "status" not in result.published.columns
    assert "suppressed" in result.published.columns
    pd.testing.assert_frame_equal(suppress_table(table, 5), result.table)


@pytest.mark.parametrize(
    ("values", "message"),
    [([1.5, 2, 3.5], "whole counts"), ([-1, 2, 1], "whole counts"), ([None, 2, 2], "whole")],
)
def test_non_counts_are_refused(values: list[Any], message: str) -> None:
    """Fractions, negatives and missing values are not counts: an error says so."""
    table = pd.DataFrame({"indicator": "X", "gender": ["female", "male", "total"], "value": values})
    with pytest.raises(InclusionKitError, match=message):
        suppress(table)


def test_duplicate_cells_and_missing_columns_are_refused() -> None:
    """Two rows for one cell, or no indicator column, are errors."""
    table = pd.DataFrame({"indicator": "X", "gender": ["female", "female"], "value": [1, 2]})
    with pytest.raises(InclusionKitError, match="same cell"):
        suppress(table)
    with pytest.raises(InclusionKitError, match="'indicator'"):
        suppress(table.drop(columns="indicator"))
    with pytest.raises(InclusionKitError, match="threshold"):
        suppress(table, 0)


# --- the attacker --------------------------------------------------------------------------------


def published_equations(
    table: pd.DataFrame, dims: list[str], relations: bool = True
) -> list[list[tuple[int, int]]]:
    """Every linear equation a reader can write: (row, coefficient) lists that sum to zero."""
    keys = {
        tuple(row): i
        for i, row in enumerate(table[["indicator", *dims]].itertuples(index=False, name=None))
    }
    equations: list[list[tuple[int, int]]] = []
    for key, position in keys.items():
        for d, label in enumerate(key[1:], start=1):
            if label != "total":
                continue
            parts = [i for k, i in keys.items() if k[d] != "total" and _agree(k, key, d)]
            if parts:
                equations.append([(position, 1), *[(i, -1) for i in parts]])
    if relations:
        for total, parts in KNOWN_RELATIONS:
            for key, position in keys.items():
                if key[0] != total:
                    continue
                found = [keys[(p, *key[1:])] for p in parts if (p, *key[1:]) in keys]
                if found:
                    equations.append([(position, 1), *[(i, -1) for i in found]])
    return equations


def _agree(a: tuple[Any, ...], b: tuple[Any, ...], skip: int) -> bool:
    return all(x == y for i, (x, y) in enumerate(zip(a, b, strict=True)) if i != skip)


def recovery_ranges(
    original: pd.DataFrame, suppressed: pd.DataFrame, lower: float = 0.0
) -> dict[int, tuple[float, float]]:
    """The (min, max) of each suppressed cell over all solutions with cells >= ``lower``."""
    optimize = pytest.importorskip("scipy.optimize")  # a test dependency (the dev extra)
    dims = [c for c in original.columns if c not in {"indicator", "value"}]
    hidden = list(np.flatnonzero(suppressed["suppressed"].to_numpy(dtype=bool)))
    column = {cell: j for j, cell in enumerate(hidden)}
    values = original["value"].to_numpy(dtype=float)
    rows: list[list[float]] = []
    rhs: list[float] = []
    for equation in published_equations(original, dims):
        row = [0.0] * len(hidden)
        constant = 0.0
        for cell, coefficient in equation:
            if cell in column:
                row[column[cell]] += coefficient
            else:
                constant += coefficient * values[cell]
        if any(row):
            rows.append(row)
            rhs.append(-constant)
    ranges: dict[int, tuple[float, float]] = {}
    for cell, j in column.items():
        objective = np.zeros(len(hidden))
        objective[j] = 1.0
        bounds = [(lower, None)] * len(hidden)
        a_eq = np.array(rows) if rows else None
        b_eq = np.array(rhs) if rows else None
        low = optimize.linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = optimize.linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0, low.message
        top = float("inf") if high.status == 3 else -high.fun
        ranges[cell] = (low.fun, top)
    return ranges


def assert_unrecoverable(
    original: pd.DataFrame, suppressed: pd.DataFrame, lower: float = 0.0
) -> None:
    """Every suppressed cell can take at least two values given everything published."""
    for cell, (low, high) in recovery_ranges(original, suppressed, lower).items():
        assert high - low > 1e-6, (
            f"cell {original.iloc[cell].to_dict()} is pinned to {low}..{high}\n{suppressed}"
        )


small_counts = st.one_of(st.integers(0, 6), st.integers(0, 40))


@st.composite
def one_dimensional(draw: st.DrawFn) -> pd.DataFrame:
    """Several indicators by gender with total rows, sometimes linked by the TOTAL identity."""
    linked = draw(st.booleans())
    codes = (
        ["CO01", "CO03", "CO05"] if linked else [f"X{i}" for i in range(draw(st.integers(1, 4)))]
    )
    rows: list[dict[str, Any]] = []
    sums = dict.fromkeys(GENDERS, 0)
    for code in codes:
        counts = {g: draw(small_counts) for g in GENDERS}
        for g in GENDERS:
            sums[g] += counts[g]
        rows += gender_rows(code, counts)
    if linked:
        rows += gender_rows("TOTAL", sums)
    return pd.DataFrame(rows)


@st.composite
def two_dimensional(draw: st.DrawFn) -> pd.DataFrame:
    """Indicators by region x gender, with region totals and gender totals (and their corner)."""
    regions = [
        f"RO{r}"
        for r in draw(
            st.lists(st.sampled_from(["11", "12", "21", "32"]), min_size=1, max_size=4, unique=True)
        )
    ]
    genders = list(GENDERS[: draw(st.integers(2, 3))])
    rows: list[dict[str, Any]] = []
    for code in [f"X{i}" for i in range(draw(st.integers(1, 2)))]:
        counts = {(r, g): draw(small_counts) for r, g in itertools.product(regions, genders)}
        for r in [*regions, "total"]:
            for g in [*genders, "total"]:
                value = sum(
                    v
                    for (rr, gg), v in counts.items()
                    if (r == "total" or rr == r) and (g == "total" or gg == g)
                )
                rows.append({"indicator": code, "region": r, "gender": g, "value": value})
    return pd.DataFrame(rows)


@given(one_dimensional())
def test_no_suppressed_cell_is_recoverable_in_gender_tables(table: pd.DataFrame) -> None:
    """Hypothesis: in gender tables (with TOTAL = CO01 + CO03 + CO05) no hidden cell is pinned."""
    out = suppress(table, 5).table
    assert_unrecoverable(table, out)
    _assert_untouched_elsewhere(table, out)


@given(two_dimensional())
def test_no_suppressed_cell_is_recoverable_in_region_by_gender_tables(table: pd.DataFrame) -> None:
    """Hypothesis: in region x gender tables with both margins no hidden cell is pinned."""
    out = suppress(table, 5).table
    assert_unrecoverable(table, out)
    _assert_untouched_elsewhere(table, out)


def _assert_untouched_elsewhere(table: pd.DataFrame, out: pd.DataFrame) -> None:
    shown = ~out["suppressed"].to_numpy(dtype=bool)
    assert list(out["value"][shown]) == list(table["value"][shown])
    small = ((table["value"] > 0) & (table["value"] < 5)).to_numpy()
    assert (out["status"][small] == "primary").all()
    assert (table["value"][out["suppressed"].to_numpy(dtype=bool)] > 0).all()


def test_the_default_threshold_is_one_constant() -> None:
    """suppress(), Report.suppress and the exporters share DEFAULT_THRESHOLD (5)."""
    import inspect

    from inclusionkit._privacy import DEFAULT_THRESHOLD
    from inclusionkit._rules import Report

    assert DEFAULT_THRESHOLD == 5
    assert inspect.signature(suppress).parameters["threshold"].default == DEFAULT_THRESHOLD
    assert inspect.signature(Report.suppress).parameters["threshold"].default == DEFAULT_THRESHOLD
