"""How many threads inclusionkit's work may use: the in-memory engine's counting, and the typing
of a file's columns and their conversion to a pandas frame (``INCLUSIONKIT_THREADS``, else the
processors this process may run on)."""

from __future__ import annotations

import os

from inclusionkit._errors import InclusionKitError

__all__ = ["PARALLEL_COLUMN_ROWS", "THREADS_ENV", "column_workers", "count_workers"]

THREADS_ENV = "INCLUSIONKIT_THREADS"
"""The environment variable that sets how many threads the in-memory engine counts (and a
file's columns are typed and converted) with."""

PARALLEL_COLUMN_ROWS = 100_000
"""From this many rows a table's columns are worked on by several threads, each column by one
of them (:func:`column_workers`): Arrow's and numpy's kernels run without Python's lock."""


def count_workers() -> int:
    """The threads the in-memory engine counts with: :data:`THREADS_ENV` when set (``1``:
    everything on the calling thread), else the processors this process may run on (its CPU
    affinity, which a container or ``taskset`` narrows; ``os.cpu_count()`` where the system
    does not say)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if text:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise InclusionKitError(
                f"{THREADS_ENV}={text!r} is not a number of threads (1 or more)"
            )
        return value
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(len(affinity(0)), 1)
    return os.cpu_count() or 1


def column_workers(rows: int, columns: int) -> int:
    """The threads to type or convert ``columns`` columns of ``rows`` rows with: from
    :data:`PARALLEL_COLUMN_ROWS` rows, :func:`count_workers` (at most one per column); else
    ``1``, the calling thread alone."""
    return min(count_workers(), columns) if rows >= PARALLEL_COLUMN_ROWS else 1
