"""How many threads inclusionkit's work may use: the in-memory engine's counting and the typing
of a file's columns (``INCLUSIONKIT_THREADS``, else the processors this process may run on)."""

from __future__ import annotations

import os

from inclusionkit._errors import InclusionKitError

__all__ = ["THREADS_ENV", "count_workers"]

THREADS_ENV = "INCLUSIONKIT_THREADS"
"""The environment variable that sets how many threads the in-memory engine counts (and a
file's columns are typed) with."""


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
