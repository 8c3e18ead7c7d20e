"""pandas for inclusionkit's modules, imported when a name of it is first used.

pandas takes about a quarter of a second and 40 MiB to import, as long as the rest of a small
report's work. inclusionkit's modules therefore never import it at their top: each says
``from inclusionkit._pandas import pd`` and uses ``pd`` as it would pandas (for mypy, ``pd`` *is*
pandas). The first attribute looked up on ``pd`` imports pandas; later lookups find the attribute
on ``pd`` itself. pyarrow imports pandas too, at the first array it makes from Python or numpy
values, so every read of a table needs it: the reader starts the import on a thread of its own
(:func:`import_in_background`) as it begins reading a file. Arrow's reader runs outside Python's
lock and the import inside it, so the one hides the other; started earlier, the import would
only share the lock with the library's own imports.
``tests/test_pandas.py`` checks that no other module of the package imports pandas at its top.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["import_in_background", "is_frame", "pd"]

if TYPE_CHECKING:
    import pandas as pd
else:

    class _Pandas(ModuleType):
        """Stands for the pandas module until a name of it is used, then forwards to it."""

        def __getattr__(self, name: str) -> Any:
            # Only names not yet on this object get here: each is looked up once.
            value = getattr(importlib.import_module("pandas"), name)
            setattr(self, name, value)
            return value

    pd = _Pandas("pandas")


# The name of the thread import_in_background starts (the command line's exit need not wait for it).
PANDAS_IMPORT_THREAD = "inclusionkit-import-pandas"


def import_in_background() -> threading.Thread | None:
    """Start importing pandas on a thread of its own, unless it is imported already; the thread
    (``None`` when there is none to wait for).

    The caller's first use of ``pd`` waits for that import instead of starting its own (Python's
    import lock), so the result is the same either way. numpy and pyarrow, which pandas imports,
    are imported here first, on the calling thread: both threads then never wait on each other's
    half-imported modules.
    """
    if "pandas" in sys.modules:
        return None
    import numpy  # noqa: F401  (see the docstring)
    import pyarrow  # noqa: F401

    thread = threading.Thread(target=_import_pandas, name=PANDAS_IMPORT_THREAD)
    thread.start()
    return thread


def _import_pandas() -> None:
    # A failure is not this thread's to report (it would print a traceback): the first use of
    # ``pd`` imports pandas again and fails the same way, as an ordinary ImportError.
    with contextlib.suppress(Exception):
        importlib.import_module("pandas")


def is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame, without importing pandas to ask: no DataFrame
    exists before pandas is imported."""
    frame_type = getattr(sys.modules.get("pandas"), "DataFrame", None)
    return frame_type is not None and isinstance(value, frame_type)
