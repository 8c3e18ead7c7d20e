"""The SHA-256 of the files a report or an import reads: what its provenance names.

A file is hashed on a thread of its own while the caller reads it (:class:`FingerprintsAhead`):
hashlib hashes without the interpreter's lock, and a 10M-row CSV's SHA-256 is a second of one
core, which the reading and counting would otherwise wait for.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
from pathlib import Path

__all__ = ["FingerprintsAhead", "input_fingerprints"]


def input_fingerprints(
    path: str | os.PathLike[str], cancelled: threading.Event | None = None
) -> tuple[tuple[str, str], ...]:
    """``(file, SHA-256)`` of an input file, or of every file of an input directory.

    With ``cancelled``, the hashing stops (and returns what it has) once the event is set."""
    root = os.fspath(path)
    files = (
        sorted(str(p) for p in Path(root).rglob("*") if p.is_file())
        if os.path.isdir(root)
        else [root]
    )
    out = []
    block = bytearray(1 << 20)  # one buffer for every read: no fresh memory per megabyte
    view = memoryview(block)
    for name in files:
        digest = hashlib.sha256()
        with open(name, "rb") as handle:
            while (size := handle.readinto(block)) and not (cancelled and cancelled.is_set()):
                digest.update(view[:size])
        out.append((name, digest.hexdigest()))
    return tuple(out)


class FingerprintsAhead:
    """:func:`input_fingerprints` of ``path`` taken on a thread of its own from now on, while
    the caller reads and counts the same file; :meth:`result` waits for them. Used as a
    context manager, an error leaving the block cancels the hashing.

    On Linux the thread runs at a lower priority (a thread's own nice value): it takes the
    processor the counting leaves idle, not the counting's share."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = path
        self._cancelled = threading.Event()
        self._inputs: tuple[tuple[str, str], ...] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="inclusionkit-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if sys.platform.startswith("linux"):
                # Linux alone gives each thread its own nice value (elsewhere the id given to
                # setpriority names a process, perhaps another one).
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASHING_NICENESS)
            self._inputs = input_fingerprints(self._path, self._cancelled)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> tuple[tuple[str, str], ...]:
        """The fingerprints, once the thread has taken them (its error, if it failed)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._inputs is not None
        return self._inputs

    def cancel(self) -> None:
        """Stop hashing (the caller failed and will not ask for the result)."""
        self._cancelled.set()

    def __enter__(self) -> FingerprintsAhead:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Leaving the block by an error stops the hashing (nobody will ask for it)."""
        if kind is not None:
            self.cancel()


_HASHING_NICENESS = 10
"""How much lower than the counting threads the hashing thread runs (a ``nice`` increment)."""
