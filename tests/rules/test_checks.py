"""The one check engine: comparisons per cell and the checks table, for rule sets and SFC2021."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inclusionkit._rules import _checks
from inclusionkit._rules._ruleset import Check


def test_counts_compare_exactly_and_sums_within_a_tolerance() -> None:
    """Whole counts must be equal; sums of hours may differ by float rounding only."""
    assert _checks.compare("sum_equals", np.array([3, 4]), np.array([3, 5])).tolist() == [
        True,
        False,
    ]
    assert _checks.compare("sum_equals", np.array([0.1 + 0.2]), np.array([0.3])).tolist() == [True]
    assert _checks.compare("at_most", np.array([2.0, 3.0]), np.array([2.0, 2.5])).tolist() == [
        True,
        False,
    ]


def test_a_check_over_cells_becomes_rows_of_the_checks_table() -> None:
    """run() evaluates a rule-set check per cell; frame() lays it out beside the cells."""
    check = Check(id="total", kind="sum_equals", left=("T",), right=("A", "B"))
    values = {"T": np.array([3, 5]), "A": np.array([1, 2]), "B": np.array([2, 2])}
    result = _checks.run(check, values, (2,))
    assert result is not None
    cells = pd.DataFrame({"region": pd.array(["RO11", "RO12"], dtype="string")})
    out = _checks.frame([result], {"gender": cells})
    assert out.columns.tolist() == [*_checks.CHECK_COLUMNS, "region", "left", "right", "passed"]
    assert out["passed"].tolist() == [True, False]
    assert out["expression"].iloc[0] == "T = A + B"


def test_gender_totals_may_name_one_indicator_per_cell() -> None:
    """The gender-total check takes an array of indicator codes (the SFC2021 layout's cells)."""
    result = _checks.gender_total(
        np.array(["X", "Y"], dtype=object), np.array([2, 3]), np.array([2, 2])
    )
    cells = pd.DataFrame({"place": ["a", "b"]})
    out = _checks.frame([result], {"summary": cells})
    assert out["indicator"].tolist() == ["X", "Y"]
    assert out["expression"].tolist() == [
        "X[total] = sum of X[gender]",
        "Y[total] = sum of Y[gender]",
    ]
    assert out["passed"].tolist() == [True, False]


def test_a_check_of_an_indicator_not_computed_does_not_run() -> None:
    """A check naming an indicator the report lacks gives no rows."""
    check = Check(id="c", kind="subset", left=("A",), right=("MISSING",))
    assert _checks.run(check, {"A": np.array([1])}) is None
