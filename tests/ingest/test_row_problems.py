"""Where rows are in their file: locators that say it as text and as numbers."""

from __future__ import annotations

import numpy as np

from inclusionkit._ingest._raw import lines_locator, offset_locator
from inclusionkit._ingest._row_problems import LineLocator, row_locations, row_number


def test_a_line_locators_numbers_are_those_its_texts_say() -> None:
    """RowLocations.numbers of a line locator (CSV lines, sheet rows) gives the numbers its
    texts say, taken as numbers, and an empty ask is never worked out."""
    asked: list[int] = []

    def numbers(rows: np.ndarray) -> np.ndarray:
        asked.append(len(rows))
        return rows * 2 + 3

    for locate in (
        LineLocator("line", numbers),
        lines_locator("sheet 'Registru', row", [9, 10, 12, 15]),
        offset_locator("line", 2),
    ):
        rows = np.array([3, 0, 2, 2], dtype=np.int64)
        texts = locate(rows)
        expected = [row_number(text) for text in texts]
        assert row_locations(locate).numbers(rows).tolist() == expected
        assert locate(np.zeros(0, dtype=np.int64)) == []
    assert LineLocator("line", numbers)(np.array([1])) == ["line 5"]
    assert 0 not in asked
