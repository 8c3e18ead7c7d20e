"""Breakdown cells: turning "by gender and region" into integer cell numbers, once per report.

Each breakdown column is coded to small integers ordered like its values (missing last); the codes
are combined into one cell number per counted participation. Gender is the last digit so every
gender of the rule set can be shown for every cell of the other breakdowns, zeros included.

Counting then never groups a DataFrame: with a handful of cells a mask is counted against one
precomputed mask per cell; with more, the counted rows are ordered by cell once (a radix sort of
small integers) and each indicator's mask, gathered in that order, is counted per contiguous
segment with ``count_nonzero``. No column is ever reordered or copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from inclusionkit import _contract
from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES
from inclusionkit._rules._columns import FEW_CODES, Col
from inclusionkit._rules._populations import DERIVED
from inclusionkit._rules._records import ParticipationSource, PreparedParticipations
from inclusionkit.models._vocabulary import GENDERS

OUTPUT_COLUMNS: frozenset[str] = frozenset(
    {"indicator", "scope", "value", "suppressed", "status", "name"}
)
"""Columns of the report's table itself: a breakdown of that name would clash with them."""


def check_not_output_columns(by: Iterable[str]) -> None:
    """Raise :class:`InclusionKitError` for a breakdown named like one of the report's own
    columns (:data:`OUTPUT_COLUMNS`). The engine calls this for every door (``compute``, the
    command line, a register's ``submit``), so none of them crashes or overwrites a label."""
    for name in by:
        if name in OUTPUT_COLUMNS:
            raise InclusionKitError(
                f"cannot break down by {name!r}: the report's table has a column {name!r} of its "
                "own; rename the register's column (with a mapping file) to break down by it"
            )


UNKNOWN_GENDER = "unknown"
"""The gender row of participations whose gender is empty or not of the contract's vocabulary
(only the grand total counts them: they are incomplete)."""

DERIVED_BREAKDOWNS: tuple[str, ...] = ("age_band", *DERIVED)
"""Breakdowns computed by the engine rather than read from a column."""

# Up to this many cells a mask per cell beats reordering each indicator's mask by cell; up to
# _LOOP_CELLS a Python loop of count_nonzero over contiguous segments beats a reduceat.
_MASK_CELLS = 4
_LOOP_CELLS = 512
_DENSE_LIMIT = 1 << 22

ORDER_BLOCK = 1 << 20
"""Rows sorted by cell at a time (:meth:`Grouping._cell_order`)."""


class Coded:
    """One breakdown: a code per participation and the label of each code (ordered)."""

    def __init__(self, name: str, codes: np.ndarray, labels: pd.Series) -> None:
        self.name = name
        self.codes = codes
        self.labels = labels

    @property
    def size(self) -> int:
        """The number of labels."""
        return len(self.labels)


def age_band_labels(bands: Sequence[int]) -> list[str]:
    """Labels of the age bands starting at each lower bound: ``["0-24", "25-54", "55+"]``."""
    labels = []
    for index, low in enumerate(bands):
        if index + 1 < len(bands):
            labels.append(f"{low}-{bands[index + 1] - 1}")
        else:
            labels.append(f"{low}+")
    return labels


def _code_col(name: str, col: Col) -> Coded:
    """Codes ordered like the values, with missing values last."""
    if col.kind == "string":
        categories = np.array(col.categories, dtype=object)
        order = np.argsort(categories, kind="stable") if len(categories) else np.zeros(0, int)
        rank = np.empty(len(categories) + 1, dtype=np.int32)
        rank[order] = np.arange(len(categories))
        rank[-1] = len(categories)
        codes = rank[col.values]
        labels = [*categories[order], None]
        return Coded(name, codes, pd.Series(pd.array(labels, dtype=_contract.STRING_DTYPE)))
    if col.kind == "bool":
        codes = col.values.astype(np.int32)
        codes[~col.valid] = 2
        return Coded(name, codes, pd.Series(pd.array([False, True, None], dtype="boolean")))
    values = col.values[col.valid]
    uniques, inverse = np.unique(values, return_inverse=True)
    codes = np.full(col.values.shape[0], len(uniques), dtype=np.int32)
    codes[col.valid] = inverse
    if col.kind == "date":
        dates = uniques.astype("datetime64[D]").astype("datetime64[s]")
        labels = pd.Series(np.concatenate([dates, np.array(["NaT"], dtype="datetime64[s]")]))
    elif col.kind == "int":
        labels = pd.Series(pd.array([*uniques.tolist(), None], dtype="Int64"))
    else:
        labels = pd.Series(pd.array([*uniques.tolist(), None], dtype="Float64"))
    return Coded(name, codes, labels)


BREAKDOWN_NAMES: frozenset[str] = frozenset({*COLUMN_NAMES, *DERIVED_BREAKDOWNS})
"""Breakdowns every table offers (a canonical column, even one a file lacks, or a derived value);
an extra column is a breakdown of the tables that have it."""


def check_breakdowns(by: Sequence[str], columns: Sequence[str], reserved: Sequence[str]) -> None:
    """Raise :class:`InclusionKitError` for an unknown or repeated breakdown name (``columns``:
    the table's)."""
    known = [*COLUMN_NAMES, *DERIVED_BREAKDOWNS]
    extras = [name for name in columns if name not in COLUMN_NAMES]
    for name in by:
        if name in reserved:
            raise InclusionKitError(
                f"{name!r} is added by the rule set's per-year flows; do not ask for it in by"
            )
        if name not in known and name not in extras:
            raise InclusionKitError(
                f"cannot break down by {name!r}: not a column of the participation table; "
                f"use a column ({', '.join(COLUMN_NAMES)}{', ' if extras else ''}"
                f"{', '.join(extras)}) or {', '.join(DERIVED_BREAKDOWNS)}"
            )
    if len(set(by)) != len(by):
        raise InclusionKitError(f"a breakdown is repeated in {list(by)}")


class Grouping:
    """The breakdown cells of the placed participations, and counting per cell.

    Every participation entered by the as-of date with a valid entry date (``placed``) has a
    cell; indicators of complete participations only pass masks already limited to them.
    Cells are numbered ``other * G + gender`` (gender the last digit, when it is a breakdown):
    the rule set's reportable genders, then any other gender of the contract a placed
    participation has, then :data:`UNKNOWN_GENDER` for an empty or unknown gender, each of these
    last only when someone has it (only the grand total counts them), so the gender rows still
    add up to the total. Masks are evaluated over every input row (:attr:`source`);
    :attr:`row_cell` is each row's cell, ``-1`` for rows not placed. :meth:`count`,
    :meth:`weighted` and :meth:`distinct` give one number per cell.
    """

    def __init__(
        self,
        prepared: PreparedParticipations,
        by: Sequence[str],
        genders: Sequence[str],
        age_bands: Sequence[int],
    ) -> None:
        self.prepared = prepared
        self.by = tuple(by)
        placed = prepared.placed
        self.placed = placed
        self.all_placed = prepared.placed_count == prepared.size
        self.source = prepared.source
        self.with_gender = "gender" in self.by
        self.gender_labels: tuple[str, ...] = ()
        gender_codes: np.ndarray | None = None
        if self.with_gender:
            gender_codes = self._gender_codes(self.source.col("gender"), genders, placed)
        others = [name for name in self.by if name != "gender"]
        coded = [self._coded(self.source, name, age_bands) for name in others]
        other_idx, self.other_labels = self._combine(coded, placed)
        del coded
        self.O = len(self.other_labels) if others else 1
        self.G = len(self.gender_labels) if self.with_gender else 1
        self.C = self.O * self.G
        # ``other_idx`` is this grouping's own array: the cells are made in it, in place.
        cell = other_idx
        if self.G != 1:
            cell *= self.G
        if gender_codes is not None:
            cell += gender_codes
        # Rows not placed have no cell (their other_idx may be -1: never read).
        if not self.all_placed:
            np.putmask(cell, ~placed, -1)
        self.row_cell = cell
        del cell, other_idx, gender_codes
        if self.C == 1:
            self.mode = "single"
        elif self.C <= _MASK_CELLS:
            self.mode = "masks"
            self._cell_masks = [self.row_cell == c for c in range(self.C)]
        else:
            self.mode = "sorted"
            sizes, self._order = self._cell_order(prepared.placed_count)
            ends = np.cumsum(sizes)
            self._bounds = list(zip((ends - sizes).tolist(), ends.tolist(), strict=True))
            self._sizes = sizes

    def _cell_order(self, placed_count: int) -> tuple[np.ndarray, np.ndarray]:
        """The number of placed rows in each cell, and the placed rows' positions ordered by
        cell (by position within a cell).

        The rows not placed sort last, under the one code past the cells, and are cut off: a
        radix sort of small integers, no list of the placed rows made. Up to
        :data:`_LOOP_CELLS` cells the rows are sorted :data:`ORDER_BLOCK` at a time, each
        block's cells copied to their places: a whole sort's scratch (an index per row, twice
        the order's size) would be the cells' peak of memory."""
        n = self.row_cell.shape[0]
        small = np.int16 if self.C < (1 << 15) - 1 else np.int64

        def keys_of(start: int, stop: int) -> np.ndarray:
            keys = self.row_cell[start:stop].astype(small)
            if not self.all_placed:
                np.putmask(keys, ~self.placed[start:stop], self.C)
            return keys

        if self.C > _LOOP_CELLS or n <= ORDER_BLOCK:
            keys = keys_of(0, n)
            sizes = np.bincount(keys, minlength=self.C + 1)[: self.C]
            return sizes, np.argsort(keys, kind="stable")[:placed_count]
        blocks = range(0, n, ORDER_BLOCK)
        counts = [
            np.bincount(keys_of(start, start + ORDER_BLOCK), minlength=self.C + 1)[: self.C]
            for start in blocks
        ]
        sizes = np.sum(counts, axis=0)
        order = np.empty(placed_count, dtype=np.intp)
        # Where each cell's next rows go: blocks are taken in row order, so each cell's rows
        # stay in row order (the same order as one stable sort).
        place = (np.cumsum(sizes) - sizes).tolist()
        for start, count in zip(blocks, counts, strict=True):
            block_order = np.argsort(keys_of(start, start + ORDER_BLOCK), kind="stable")
            taken = 0
            for cell, size in enumerate(count.tolist()):
                if size:
                    at = place[cell]
                    np.add(block_order[taken : taken + size], start, out=order[at : at + size])
                    place[cell] = at + size
                    taken += size
        return sizes, order

    # -- coding

    def _gender_codes(self, col: Col, genders: Sequence[str], placed: np.ndarray) -> np.ndarray:
        """Each row's gender code (the position of its label in :attr:`gender_labels`), as
        ``int32``."""
        if len(col.categories) <= FEW_CODES:
            # A compare per category instead of gathering the placed rows' codes to count them.
            counts = np.array(
                [
                    np.count_nonzero((col.values == index) & placed)
                    for index in range(len(col.categories))
                ],
                dtype=np.int64,
            )
        else:
            counts = np.bincount(col.values[placed & col.valid], minlength=len(col.categories))
        present = {category for index, category in enumerate(col.categories) if counts[index]}
        extra = [g for g in GENDERS if g in present and g not in genders]
        known = (*genders, *extra)
        unknown = bool((placed & ~col.valid).any()) or any(
            counts[index] for index, category in enumerate(col.categories) if category not in known
        )
        self.gender_labels = (*known, *((UNKNOWN_GENDER,) if unknown else ()))
        lookup = np.full(len(col.categories) + 1, len(known), dtype=np.int32)
        for index, category in enumerate(col.categories):
            if category in known:
                lookup[index] = known.index(category)
        return np.asarray(lookup[col.values])

    def _coded(self, source: ParticipationSource, name: str, age_bands: Sequence[int]) -> Coded:
        if name == "age_band":
            age = source.col("age_at_entry")
            bands = np.asarray(age_bands, dtype=np.int64)
            index = np.searchsorted(bands, age.values, side="right") - 1
            labels = age_band_labels(age_bands)
            if bands[0] > 0:
                labels = [f"<{bands[0]}", *labels]
                index = index + 1
            codes = np.where(age.valid, index, len(labels)).astype(np.int32)
            return Coded(
                name, codes, pd.Series(pd.array([*labels, None], dtype=_contract.STRING_DTYPE))
            )
        return _code_col(name, source.col(name))

    def _combine(
        self, coded: Sequence[Coded], placed: np.ndarray
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Each row's number among the placed rows' distinct combinations of ``coded`` (any
        number where not placed; a new ``int32`` array, or ``int64`` past two billion
        combinations) and the labels of each combination."""
        n = placed.shape[0]
        if not coded:
            return np.zeros(n, dtype=np.int32), pd.DataFrame(index=range(1))
        total = int(np.prod([float(item.size) for item in coded]))
        # The key's arithmetic is done in place, in the narrowest integer that holds it.
        wide = np.int32 if total < (1 << 31) else np.int64
        # Each Coded's codes are its own new array, read no more once combined: one breakdown's
        # are the key itself (no copy).
        key: np.ndarray = (
            np.asarray(coded[0].codes, dtype=wide)
            if len(coded) == 1
            else np.array(coded[0].codes, dtype=wide)
        )
        radix = coded[0].size
        renumbered = False
        for item in coded[1:]:
            key *= item.size
            key += item.codes
            radix *= item.size
            if radix > (1 << 40):
                _, key = np.unique(key, return_inverse=True)
                radix = int(key.max()) + 1 if key.size else 1
                renumbered = True
        # Each present combination's code in every breakdown, for its labels.
        codes: list[np.ndarray]
        if radix <= _DENSE_LIMIT and not renumbered:
            # The rows not placed counted under one more key, past the others (no copy of the
            # placed rows' keys); their number is never read.
            if not self.all_placed:
                np.putmask(key, ~placed, radix)
            present = np.flatnonzero(np.bincount(key, minlength=radix + 1)[:radix])
            if key.dtype == np.int32 and (present.size == 0 or present[-1] == present.size - 1):
                # The present keys are 0..m-1: each is its own number (no lookup of every row).
                other_idx = key
            else:
                remap = np.full(radix + 1, -1, dtype=np.int32)
                remap[present] = np.arange(present.shape[0])
                other_idx = remap[key]
            # A present key is its breakdowns' codes in mixed radix: read them back.
            codes, rest = [], present
            for item in reversed(coded):
                codes.insert(0, rest % item.size)
                rest = rest // item.size
            return other_idx, self._labels(coded, codes)
        counted_keys = key[placed]
        if radix <= _DENSE_LIMIT:
            # Renumbered keys: the first counted row of each present key gives its codes.
            present = np.flatnonzero(np.bincount(counted_keys, minlength=radix))
            remap = np.full(radix, -1, dtype=np.int32)
            remap[present] = np.arange(present.shape[0])
            other_idx = remap[key]
            first = np.full(radix, -1, dtype=np.int64)
            first[counted_keys[::-1]] = np.flatnonzero(placed)[::-1]
            codes = [item.codes[first[present]] for item in coded]
        else:
            _, first_index, inverse = np.unique(
                counted_keys, return_index=True, return_inverse=True
            )
            other_idx = np.full(n, -1, dtype=np.int32)
            other_idx[placed] = inverse
            codes = [item.codes[np.flatnonzero(placed)[first_index]] for item in coded]
        return other_idx, self._labels(coded, codes)

    @staticmethod
    def _labels(coded: Sequence[Coded], codes: Sequence[np.ndarray]) -> pd.DataFrame:
        """The labels of each present combination, from its code in every breakdown."""
        return pd.DataFrame(
            {
                item.name: item.labels.take(code).reset_index(drop=True)
                for item, code in zip(coded, codes, strict=True)
            },
            index=range(codes[0].shape[0]),
        )

    # -- counting

    def count(self, mask: np.ndarray) -> np.ndarray:
        """The number of placed rows per cell where ``mask`` is ``True``."""
        if self.mode == "single":
            if self.all_placed:
                return np.array([np.count_nonzero(mask)], dtype=np.int64)
            return np.array([np.count_nonzero(mask & self.placed)], dtype=np.int64)
        if self.mode == "masks":
            return np.array(
                [np.count_nonzero(mask & cell) for cell in self._cell_masks], dtype=np.int64
            )
        ordered = mask.take(self._order)
        if self.C <= _LOOP_CELLS:
            return np.array(
                [np.count_nonzero(ordered[start:end]) for start, end in self._bounds],
                dtype=np.int64,
            )
        out = np.zeros(self.C, dtype=np.int64)
        nonempty = self._sizes > 0
        if ordered.shape[0]:
            starts = np.array([start for start, _ in self._bounds])[nonempty]
            out[nonempty] = np.add.reduceat(ordered, starts, dtype=np.int64)
        return out

    def weighted(self, mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The sum of ``weights`` over the placed rows where ``mask`` is ``True``, per cell."""
        keep = mask & (self.row_cell >= 0)
        return np.bincount(self.row_cell[keep], weights=weights[keep], minlength=self.C)

    def distinct(self, mask: np.ndarray, col: Col, *, across_genders: bool) -> np.ndarray:
        """The number of distinct values of ``col`` over the ``True`` rows, per cell (or per
        other-breakdown cell, all genders together, with ``across_genders``)."""
        keep = mask & col.valid & (self.row_cell >= 0)
        cells = self.row_cell[keep]
        if across_genders:
            cells = cells // self.G
        size = self.O if across_genders else self.C
        values = col.values[keep].astype(np.int64)
        if values.size == 0:
            return np.zeros(size, dtype=np.int64)
        _, values = np.unique(values, return_inverse=True)
        width = int(values.max()) + 1
        pairs = np.unique(cells * width + values)
        return np.bincount(pairs // width, minlength=size).astype(np.int64)
