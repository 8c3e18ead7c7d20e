"""Statistical disclosure control for published indicator tables: primary and secondary suppression.

The table is tidy: one row per cell, an ``indicator`` column, breakdown columns (``gender``,
``region``, ...) and a count column ``value``. In a breakdown column the label ``total`` marks a
margin: the cell whose value is the sum of the other cells that agree with it on every other
column. Those sums, and known identities between indicators (``TOTAL = CO01 + CO03 + CO05``), are
the linear equations a reader can solve; the suppression is designed against them.

Rules, and why:

- **Primary:** a count with ``0 < value < threshold`` is suppressed. A small count can single out
  a person ("the one Roma woman with a disability in Vaslui").
- **Zeros are published.** A zero count describes nobody, and ESF tables are full of structural
  zeros (few non-binary participants, no homeless people in a project). A published zero is still
  a published number, so it takes part in the equations: ``female = 3, male = 0, total = 3``
  would give the 3 away through the zero, and the secondary step below sees and prevents that.
  Zeros are never chosen as secondary cells (a reader who guesses "it is the usual zero" would be
  right), and never need to be: with every non-zero cell hidden, doubling all hidden values keeps
  every sum, so no hidden value is pinned.
- **Secondary:** further cells, always non-zero, are suppressed until no suppressed value is
  determined by the published ones: for each suppressed cell there is a direction in which the
  suppressed values can move while every published sum still holds. Because every suppressed
  value is at least 1, moving a little either way keeps them non-negative, so the minimum and the
  maximum of each suppressed cell over all non-negative solutions differ (the property the tests
  check with a linear programme). Also, since readers know that zeros are never suppressed, a line
  with a published total must not consist of suppressed 1s alone (``1 + 1 = 2`` would pin both).
- **Choice of secondary cells:** in each sum that needs one, the smallest non-zero cell that is
  not itself a margin, else the smallest margin; this loses the least information and avoids
  cascades through other sums.

The ``status`` column (``primary``/``secondary``) is for the producer's audit only: publishing it
would tell readers which suppressed cells are below the threshold, which narrows them down. Use
:attr:`SuppressedTable.published` for anything that leaves the organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np

from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd

__all__ = [
    "DEFAULT_THRESHOLD",
    "KNOWN_RELATIONS",
    "SuppressedTable",
    "suppress",
    "suppress_table",
]

KNOWN_RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # ESF 2014-2020: participants = unemployed + inactive + employed, per breakdown cell.
    ("TOTAL", ("CO01", "CO03", "CO05")),
    # ESF+ 2021-2027: the same identity.
    ("EECO01", ("EECO02", "EECO04", "EECO05")),
)
"""Identities between indicators that hold in every breakdown cell of the built-in rule sets."""

DEFAULT_THRESHOLD = 5
"""The suppression threshold when none is given: counts from 1 to 4 are withheld. The one
default of every door (``suppress``, ``Report.suppress``, the HTML and data-package exporters)."""

Relations = Iterable[tuple[str, Sequence[str]]] | Mapping[str, Sequence[str]]

_TOLERANCE = 1e-9


@attrs.frozen(kw_only=True)
class SuppressedTable:
    """A tidy table after disclosure control.

    ``table`` is the input with the value of every suppressed cell set to ``<NA>`` (never to 0),
    a boolean ``suppressed`` column and a ``status`` column (``"primary"``, ``"secondary"`` or
    ``""``). ``published`` is the same without ``status``, the form to publish.
    """

    table: pd.DataFrame
    threshold: int
    primary: int
    secondary: int

    @property
    def published(self) -> pd.DataFrame:
        """The table to publish: hidden values are ``<NA>``; primary and secondary look alike."""
        return self.table.drop(columns=["status"])


@attrs.frozen
class _Equation:
    """``cells[0] = sum(cells[1:])``: a margin and its parts (positions in the table)."""

    cells: tuple[int, ...]


def suppress(
    table: pd.DataFrame | Any,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    value: str = "value",
    dimensions: Sequence[str] | None = None,
    total: str = "total",
    relations: Relations | Literal["auto"] | None = "auto",
) -> SuppressedTable:
    """Suppress small counts in a tidy indicator table, and enough others to protect them.

    ``table`` has an ``indicator`` column, breakdown columns (``dimensions``; default: every
    column except ``indicator`` and ``value``) and the non-negative whole counts in ``value``. In
    each breakdown column the label ``total`` marks the margin over that column, per indicator and
    per combination of the other breakdowns; 1-D (gender within total) and n-D (region x gender
    with region totals) tables both work. ``relations`` lists identities between indicators,
    ``(total_indicator, (part, ...))``, that hold in every breakdown cell; ``"auto"`` applies
    :data:`KNOWN_RELATIONS` whose indicators are all in the table, ``None`` none.

    ``table`` may also be a report (:func:`inclusionkit.compute`'s result): its own policy
    (``Report.suppress``: only the indicators that count people) is applied.

    Returns a :class:`SuppressedTable`. Raises :class:`InclusionKitError` when ``value`` holds
    anything but non-negative whole numbers, or two rows describe the same cell, or ``table`` is
    neither a table nor a report.
    """
    if not isinstance(table, pd.DataFrame):
        own = getattr(table, "suppress", None)
        if callable(own) and isinstance(getattr(table, "table", None), pd.DataFrame):
            result: SuppressedTable = own(threshold)
            return result
        raise InclusionKitError(
            f"suppress() takes a tidy table (a DataFrame) or a report, not a {type(table).__name__}"
        )
    if threshold < 1:
        raise InclusionKitError(f"the suppression threshold must be at least 1, not {threshold}")
    for needed in ("indicator", value):
        if needed not in table.columns:
            raise InclusionKitError(f"the table has no {needed!r} column to suppress by")
    dims = (
        list(dimensions)
        if dimensions is not None
        else [c for c in table.columns if c not in {"indicator", value, "suppressed", "status"}]
    )
    missing = [d for d in dims if d not in table.columns]
    if missing:
        raise InclusionKitError(f"the table has no breakdown column(s) {', '.join(missing)}")
    values = _counts(table[value], value)
    frame = table.reset_index(drop=True)
    keys = frame[["indicator", *dims]].astype("string")
    duplicated = keys.duplicated(keep=False)
    if duplicated.any():
        first = keys[duplicated].iloc[0].to_dict()
        raise InclusionKitError(
            f"{int(duplicated.sum())} rows describe the same cell, e.g. {first}; "
            "a tidy table has one row per indicator and breakdown"
        )

    equations = _margin_equations(keys, dims, total) + _relation_equations(
        keys, dims, _resolve_relations(relations, keys["indicator"])
    )
    primary = (values > 0) & (values < threshold)
    suppressed = _secondary(values, primary, equations)

    out = table.copy()
    out[value] = pd.array(values, dtype="Int64")
    out[value] = out[value].mask(pd.Series(suppressed, index=out.index))
    out["suppressed"] = suppressed
    status = np.where(primary, "primary", np.where(suppressed, "secondary", ""))
    out["status"] = pd.array(status, dtype="string")
    return SuppressedTable(
        table=out,
        threshold=threshold,
        primary=int(primary.sum()),
        secondary=int((suppressed & ~primary).sum()),
    )


def suppress_table(
    table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, **options: Any
) -> pd.DataFrame:
    """:func:`suppress`, returning the suppressed tidy table itself (for ``Report.suppress``)."""
    return suppress(table, threshold, **options).table


def _counts(column: pd.Series, name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna() | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        example = column[bad].iloc[0]
        raise InclusionKitError(
            f"{int(bad.sum())} cell(s) of {name!r} are not non-negative whole counts "
            f"(e.g. {example!r}); disclosure control applies to counts"
        )
    counts: np.ndarray[Any, np.dtype[np.int64]] = numbers.to_numpy(dtype=np.int64)
    return counts


def _resolve_relations(
    relations: Relations | Literal["auto"] | None, indicators: pd.Series
) -> list[tuple[str, tuple[str, ...]]]:
    if relations is None:
        return []
    present = set(indicators.dropna())
    if isinstance(relations, str):
        if relations != "auto":
            raise InclusionKitError(f"relations must be 'auto', None or a list, not {relations!r}")
        return [(t, p) for t, p in KNOWN_RELATIONS if {t, *p} <= present]
    items = relations.items() if isinstance(relations, Mapping) else relations
    return [(str(t), tuple(str(x) for x in parts)) for t, parts in items]


def _margin_equations(keys: pd.DataFrame, dims: list[str], total: str) -> list[_Equation]:
    """One equation per margin cell: total = sum of the cells that agree on the other columns."""
    equations: list[_Equation] = []
    positions = np.arange(len(keys))
    for dim in dims:
        others = ["indicator", *[d for d in dims if d != dim]]
        group = keys.groupby(others, dropna=False, sort=False).ngroup().to_numpy()
        is_total = (keys[dim] == total).fillna(False).to_numpy(dtype=bool)
        order = np.argsort(group, kind="stable")
        bounds = np.flatnonzero(np.diff(group[order])) + 1
        for members in np.split(positions[order], bounds):
            totals = members[is_total[members]]
            parts = members[~is_total[members]]
            if len(totals) == 1 and len(parts):
                equations.append(_Equation((int(totals[0]), *(int(p) for p in parts))))
    return equations


def _relation_equations(
    keys: pd.DataFrame, dims: list[str], relations: list[tuple[str, tuple[str, ...]]]
) -> list[_Equation]:
    """One equation per breakdown cell of each relation's total indicator."""
    if not relations:
        return []
    where: dict[tuple[Any, ...], int] = {}
    for position, row in enumerate(keys.itertuples(index=False, name=None)):
        where[tuple(row)] = position
    equations: list[_Equation] = []
    for total_indicator, parts in relations:
        for cell, position in where.items():
            if cell[0] != total_indicator:
                continue
            found = [where[(part, *cell[1:])] for part in parts if (part, *cell[1:]) in where]
            if found:
                equations.append(_Equation((position, *found)))
    return equations


def _secondary(
    values: np.ndarray[Any, np.dtype[np.int64]],
    primary: np.ndarray[Any, np.dtype[np.bool_]],
    equations: list[_Equation],
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Add secondary suppressions until no suppressed cell is determined by the published ones."""
    suppressed = primary.copy()
    if not suppressed.any() or not equations:
        return suppressed
    margin = np.zeros(len(values), dtype=bool)
    touching: dict[int, list[int]] = {}
    for number, equation in enumerate(equations):
        margin[equation.cells[0]] = True
        for cell in equation.cells:
            touching.setdefault(cell, []).append(number)

    def exposed(number: int) -> bool:
        """Whether a sum gives a hidden value away on its own."""
        cells = equations[number].cells
        hidden = [c for c in cells if suppressed[c]]
        if not hidden:
            return False
        if len(hidden) == 1:
            return True
        # Zeros are never suppressed, so readers know each hidden part is >= 1: hidden parts
        # of a published total that add up to their own number are all 1s, hence known.
        return not suppressed[cells[0]] and int(values[hidden].sum()) <= len(hidden)

    def partner(candidates: Iterable[int], wanted: set[int]) -> int | None:
        # Never a zero: readers are told zeros are published. That always suffices: once every
        # non-zero cell is hidden, doubling all hidden values keeps every sum and every value
        # >= 1, so none is pinned. Prefer a cell that also fixes other sums in ``wanted``; then
        # the smallest cell that is not a margin, then the smallest margin.
        free = {c for c in candidates if not suppressed[c] and values[c] != 0}
        if not free:
            return None
        return min(
            free,
            key=lambda c: (
                bool(margin[c]),
                int(values[c]),
                c,
            ),
        )

    # Every round suppresses at least one more cell or stops, so the loop ends.
    for _ in range(len(values) + 1):
        needy = {n for n in range(len(equations)) if exposed(n)}
        stuck: set[int] = set()
        added = False
        while needy - stuck:
            number = min(needy - stuck)
            chosen = partner(equations[number].cells, needy)
            if chosen is None:
                stuck.add(number)
                continue
            suppressed[chosen] = True
            added = True
            for other in touching.get(chosen, ()):
                needy.discard(other)
                if exposed(other):
                    needy.add(other)
        if added:
            continue
        pinned = _determined(suppressed, equations)
        if not pinned:
            return suppressed
        # One partner per pinned cell, unless a partner added in this round already shares a
        # sum with it: that often frees several cells at once, and the next round checks again.
        around = {e for cell in pinned for e in touching.get(cell, ())}
        helped: set[int] = set()
        for cell in pinned:
            if helped.intersection(touching.get(cell, ())):
                continue
            sums = touching.get(cell, [])
            chosen = partner((c for e in sums for c in equations[e].cells), around)
            if chosen is None:
                chosen = partner(range(len(values)), around)
            if chosen is not None:
                suppressed[chosen] = True
                helped.update(touching.get(chosen, ()))
                added = True
        if not added:
            return suppressed
    return suppressed  # pragma: no cover - the loop returns once nothing changes


def _determined(
    suppressed: np.ndarray[Any, np.dtype[np.bool_]], equations: list[_Equation]
) -> list[int]:
    """Suppressed cells whose value follows from the published cells through the equations.

    With the published values moved to the right-hand side, the equations restricted to the
    suppressed cells form a matrix ``A``; a cell is determined exactly when its unit vector is in
    the row space of ``A``, i.e. every vector of the null space is zero in its coordinate
    (otherwise the values can move along that vector). Done per connected group of suppressed
    cells, so the matrices stay small.
    """
    hidden = np.flatnonzero(suppressed)
    column = {int(cell): i for i, cell in enumerate(hidden)}
    parent = list(range(len(hidden)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    relevant: list[list[tuple[int, float]]] = []
    for equation in equations:
        row = [
            (column[c], 1.0 if k == 0 else -1.0)
            for k, c in enumerate(equation.cells)
            if c in column
        ]
        if not row:
            continue
        relevant.append(row)
        for other, _ in row[1:]:
            parent[find(other)] = find(row[0][0])

    groups: dict[int, list[int]] = {}
    for i in range(len(hidden)):
        groups.setdefault(find(i), []).append(i)
    rows_of: dict[int, list[list[tuple[int, float]]]] = {}
    for row in relevant:
        rows_of.setdefault(find(row[0][0]), []).append(row)

    pinned: list[int] = []
    for root, members in groups.items():
        rows = rows_of.get(root, [])
        if not rows:
            continue
        local = {m: j for j, m in enumerate(members)}
        matrix = np.zeros((len(rows), len(members)))
        for r, row in enumerate(rows):
            for col, coefficient in row:
                matrix[r, local[col]] += coefficient
        # A cell is determined when its unit vector lies in the row space of the matrix, that
        # is when its leverage (squared length of its column in an orthonormal basis of the
        # row space) is 1. The economy SVD gives that basis at a fraction of the full one's cost.
        _, singular, vh = np.linalg.svd(matrix, full_matrices=False)
        rank = int((singular > _TOLERANCE * max(1.0, float(singular.max(initial=0.0)))).sum())
        leverage = (vh[:rank] ** 2).sum(axis=0)
        free = leverage < 1.0 - 1e-7
        pinned.extend(
            int(hidden[m]) for m, is_free in zip(members, free, strict=True) if not is_free
        )
    return pinned
