"""How many threads a table's columns are typed and converted with (``inclusionkit._threads``)."""

from __future__ import annotations

import pytest

from inclusionkit import _threads


def test_a_small_table_stays_on_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the threshold every column is worked on by the caller, however many processors."""
    monkeypatch.setenv(_threads.THREADS_ENV, "4")
    assert _threads.column_workers(_threads.PARALLEL_COLUMN_ROWS - 1, 27) == 1


def test_a_large_table_uses_the_workers_at_most_one_per_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From the threshold the columns share the configured threads, never more than there are."""
    monkeypatch.setenv(_threads.THREADS_ENV, "4")
    rows = _threads.PARALLEL_COLUMN_ROWS
    assert _threads.column_workers(rows, 27) == 4
    assert _threads.column_workers(rows, 3) == 3
    monkeypatch.setenv(_threads.THREADS_ENV, "1")
    assert _threads.column_workers(rows, 27) == 1
