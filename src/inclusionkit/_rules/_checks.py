"""Consistency checks: a rule set's ``subset`` / ``sum_equals`` / ``at_most`` checks per cell.

Values arrive as one array per indicator, all with the same cell layout, so a check over every
cell of a report is a couple of array additions and one comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from inclusionkit._rules._ruleset import Check

CHECK_COLUMNS: tuple[str, ...] = ("check", "kind", "indicator", "expression")
"""The leading columns of a report's checks table (the breakdowns, ``left``, ``right`` and
``passed`` follow)."""

GENDER_CHECK = "genders_sum_to_total"


def expression(check: Check) -> str:
    """The check written as a formula: ``TOTAL = CO01 + CO03 + CO05``."""
    operator = {"subset": "⊆", "sum_equals": "=", "at_most": "≤"}[check.kind]
    return f"{' + '.join(check.left)} {operator} {' + '.join(check.right)}"


def evaluate(
    check: Check, values: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(left, right, passed)`` per cell, or ``None`` when an indicator was not computed."""
    if any(code not in values for code in (*check.left, *check.right)):
        return None
    left = _total(values, check.left)
    right = _total(values, check.right)
    passed = left == right if check.kind == "sum_equals" else left <= right
    return left, right, np.asarray(passed)


def _total(values: Mapping[str, np.ndarray], codes: Sequence[str]) -> np.ndarray:
    out = np.asarray(values[codes[0]]).copy()
    for code in codes[1:]:
        out = out + values[code]
    return out
