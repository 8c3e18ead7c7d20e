"""The one check engine: consistency checks per cell, for rule-set reports and SFC2021 tables.

A check compares two sides per cell: ``sum_equals`` (left = right), ``at_most`` (left ≤ right)
or ``subset`` (a subset's count never exceeds its superset's: left ≤ right). Values arrive as one
array per indicator, all with the same cell layout, so a check over every cell of a report is a
couple of array additions and one comparison. The gender-total check (the total of an indicator
equals the sum of its genders) is built in. :func:`frame` lays results out as a checks table:
``check``, ``kind``, ``indicator``, ``expression``, the breakdown columns, ``left``, ``right``,
``passed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from inclusionkit import _contract
from inclusionkit._pandas import pd
from inclusionkit._rules._ruleset import Check

__all__ = [
    "CHECK_COLUMNS",
    "GENDER_CHECK",
    "CheckResult",
    "compare",
    "evaluate",
    "expression",
    "frame",
    "gender_total",
    "run",
]

CHECK_COLUMNS: tuple[str, ...] = ("check", "kind", "indicator", "expression")
"""The leading columns of a checks table (the breakdowns, ``left``, ``right`` and ``passed``
follow)."""

GENDER_CHECK = "genders_sum_to_total"

# Counts are whole numbers and compare exactly; the tolerance only matters for sums (hours).
_TOLERANCE = 1e-9


@attrs.frozen(kw_only=True, eq=False)
class CheckResult:
    """One check over a set of cells: its description and ``left``, ``right``, ``passed`` per
    cell. ``cells`` names the cells (a key of the ``cells`` given to :func:`frame`).
    ``indicator`` and ``expression`` are one text, or an array of one per cell."""

    check: str
    kind: str
    indicator: str | np.ndarray | None
    expression: str | np.ndarray
    left: np.ndarray
    right: np.ndarray
    passed: np.ndarray
    cells: str = "gender"


def expression(check: Check) -> str:
    """The check written as a formula: ``TOTAL = CO01 + CO03 + CO05``."""
    operator = {"subset": "⊆", "sum_equals": "=", "at_most": "≤"}[check.kind]
    return f"{' + '.join(check.left)} {operator} {' + '.join(check.right)}"


def compare(kind: str, left: Any, right: Any) -> np.ndarray:
    """Whether each cell passes: ``sum_equals`` left = right, else left ≤ right."""
    a = np.asarray(left)
    b = np.asarray(right)
    if a.dtype.kind in "iub" and b.dtype.kind in "iub":
        return np.asarray(a == b if kind == "sum_equals" else a <= b)
    a, b = a.astype(np.float64), b.astype(np.float64)
    if kind == "sum_equals":
        return np.asarray(np.isclose(a, b, rtol=0.0, atol=_TOLERANCE))
    return np.asarray(a <= b + _TOLERANCE)


def evaluate(
    check: Check, values: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(left, right, passed)`` per cell, or ``None`` when an indicator was not computed."""
    if any(code not in values for code in (*check.left, *check.right)):
        return None
    left = _total(values, check.left)
    right = _total(values, check.right)
    return left, right, compare(check.kind, left, right)


def run(
    check: Check, values: Mapping[str, np.ndarray], shape: Sequence[int] = (1,)
) -> CheckResult | None:
    """:func:`evaluate` as a :class:`CheckResult`, its sides broadcast to ``shape`` and
    flattened (``None`` when an indicator was not computed)."""
    result = evaluate(check, values)
    if result is None:
        return None
    left, right, passed = (np.broadcast_to(part, shape).reshape(-1) for part in result)
    return CheckResult(
        check=check.id,
        kind=check.kind,
        indicator=None,
        expression=expression(check),
        left=left,
        right=right,
        passed=passed,
    )


def gender_total(
    code: str | np.ndarray, total: np.ndarray, genders: np.ndarray, cells: str = "summary"
) -> CheckResult:
    """The total of ``code`` (one code, or an array of one per cell) equals the sum of its
    genders, per cell."""
    text: str | np.ndarray
    if isinstance(code, str):
        text = _gender_expression(code)
    else:
        uniques, inverse = np.unique(code.astype(str), return_inverse=True)
        text = np.array([_gender_expression(c) for c in uniques], dtype=object)[inverse]
    return CheckResult(
        check=GENDER_CHECK,
        kind="sum_equals",
        indicator=code,
        expression=text,
        left=np.asarray(total),
        right=np.asarray(genders),
        passed=compare("sum_equals", total, genders),
        cells=cells,
    )


def _gender_expression(code: str) -> str:
    return f"{code}[total] = sum of {code}[gender]"


def _column(results: Sequence[CheckResult], name: str, sizes: Sequence[int]) -> np.ndarray:
    """One descriptive column over every cell of ``results`` (texts repeated per cell)."""
    parts = [
        np.asarray(value, dtype=object)
        if isinstance(value := getattr(result, name), np.ndarray)
        else np.repeat(np.array([value], dtype=object), size)
        for result, size in zip(results, sizes, strict=True)
    ]
    return np.concatenate(parts)


def frame(results: Sequence[CheckResult], cells: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The checks table: for each result, one row per cell of ``cells[result.cells]`` (a frame
    of breakdown columns, repeated when it is shorter than the result), results of one kind of
    cells together, in the order of ``cells``."""
    template = next(iter(cells.values()))
    pieces: list[pd.DataFrame] = []
    for kind, base in cells.items():
        chosen = [result for result in results if result.cells == kind]
        if not chosen:
            continue
        sizes = [result.left.shape[0] for result in chosen]
        index = np.concatenate([np.arange(size) % max(len(base), 1) for size in sizes])
        where = base.take(index).reset_index(drop=True)
        head = pd.DataFrame(
            {
                name: pd.array(_column(chosen, name, sizes), dtype=_contract.STRING_DTYPE)
                for name in CHECK_COLUMNS
            }
        )
        body = pd.DataFrame(
            {
                name: np.concatenate([getattr(result, name) for result in chosen])
                for name in ("left", "right", "passed")
            }
        )
        pieces.append(pd.concat([head, where, body], axis=1))
    if not pieces:
        empty = pd.DataFrame(
            {name: pd.array([], dtype=_contract.STRING_DTYPE) for name in CHECK_COLUMNS}
        )
        for name in template.columns:
            empty[name] = pd.array([], dtype=template[name].dtype)
        empty["left"] = np.zeros(0, dtype=np.int64)
        empty["right"] = np.zeros(0, dtype=np.int64)
        empty["passed"] = np.zeros(0, dtype=bool)
        return empty
    out = pd.concat(pieces, ignore_index=True)
    out["passed"] = out["passed"].astype(bool)
    return out


def _total(values: Mapping[str, np.ndarray], codes: Sequence[str]) -> np.ndarray:
    out = np.asarray(values[codes[0]]).copy()
    for code in codes[1:]:
        out = out + values[code]
    return out
