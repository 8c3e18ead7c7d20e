"""The column-wise conversion of a sheet's cells gives what the cell-by-cell rules give."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from inclusionkit_xlsx import read_xlsx_raw
from inclusionkit_xlsx._read import _cell, _filled, _grid, _text, _texts

from conftest import ROMANIAN_HEADERS, ROMANIAN_ROWS, make_workbook

# What python-calamine hands over for a cell: text ("" when empty), a number (float), a
# boolean, a date or datetime, a time or duration; None and ints are handled too.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
CELL = st.one_of(
    TEXT,
    st.just(""),
    st.sampled_from([" ", "\t", "\u00a0", "\u2003 "]),
    st.none(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.floats(),
    st.floats(min_value=-(2.0**70), max_value=2.0**70).map(float.__floor__).map(float),
    st.integers(),
    st.times(),
)


def _column(cells: list[Any]) -> Any:
    column = np.empty(len(cells), dtype=object)
    column[:] = cells
    return column


def _check(cells: list[Any]) -> None:
    texts = _texts(_column(cells))
    assert texts.to_pylist() == [_cell(cell) for cell in cells]
    assert _filled(texts).tolist() == [_text(cell) is not None for cell in cells]


@given(st.lists(CELL, max_size=30))
def test_mixed_columns(cells: list[Any]) -> None:
    """A column of any mix of cell types converts as each cell would on its own."""
    _check(cells)


@given(st.data())
def test_single_type_columns(data: st.DataObject) -> None:
    """A column of one type and empty cells (a date or number column) converts the same way."""
    kind = data.draw(st.sampled_from(CELL.original_strategies))  # type: ignore[attr-defined]
    _check(data.draw(st.lists(st.one_of(kind, st.just("")), max_size=30)))


def test_awkward_cells() -> None:
    """Whole numbers past int64, -0.0, NaN, datetimes before 1970, blank text convert exactly."""
    _check(
        [
            2.0**70,
            -0.0,
            float("nan"),
            float("inf"),
            3.5,
            1e20,
            -3.0,
            dt.datetime(1969, 12, 31, 23, 0),
            dt.date(2020, 1, 2),
            "  ",
            "",
            None,
            True,
            2**70,
            dt.time(12, 0),
        ]
    )
    _check([dt.datetime(1969, 12, 31, 23, 0), "", dt.datetime(2024, 2, 29, 12, 0)])
    _check([1.0, "", 2.0**64, 0.5])


def test_grid_pads_short_rows() -> None:
    """Rows shorter than the sheet's width are padded with empty cells; no rows, no columns."""
    grid = _grid([["h1", "h2", "h3"], ["a"], ["b", 1.0, "c"]], 1, 3)
    assert grid.shape == (2, 3)
    assert grid.tolist() == [["a", "", ""], ["b", 1.0, "c"]]
    assert _grid([["h1", "h2"]], 1, 2).shape == (0, 2)


@pytest.mark.parametrize("enabled", [True, False])
def test_cycle_collector_left_as_it_was(tmp_path: Path, enabled: bool) -> None:
    """Reading pauses the cycle collector only while calamine makes the cells, then restores it."""
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        raw = read_xlsx_raw(path, options={})
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
    assert raw.table.num_rows == len(ROMANIAN_ROWS)
