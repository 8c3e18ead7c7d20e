"""Atomic file writes: write to a temporary file beside the target, then rename over it.

A failure half-way (disk full, an exception in a plugin) leaves the previous file untouched and no
partial file behind.

An output never overwrites an input: inside :func:`guard_inputs` (every command of the command
line runs in one), each file read is noted (:func:`note_input`: :func:`inclusionkit.read` and the
other readers do it) and a write whose target is the same file — by device and inode, so a hard
link or a symbolic link to the input is refused too — is an :class:`InclusionKitError` raised
before anything is written (:func:`refuse_input`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from inclusionkit._errors import InclusionKitError

_SQLITE_PREFIX = "sqlite:///"

_INPUTS: contextvars.ContextVar[dict[tuple[int, int], str] | None] = contextvars.ContextVar(
    "inclusionkit_inputs", default=None
)


@contextlib.contextmanager
def guard_inputs(inputs: Iterable[object] = ()) -> Iterator[None]:
    """Inside the block no atomic write replaces a file read (:func:`note_input`) in it.

    ``inputs`` are noted at once (paths, or a SQLite register's URL); a block inside another
    keeps the outer block's inputs.
    """
    outer = _INPUTS.get()
    token = _INPUTS.set({} if outer is None else dict(outer))
    try:
        for source in inputs:
            note_input(source)
        yield
    finally:
        _INPUTS.reset(token)


def _file_key(source: object) -> tuple[tuple[int, int], str] | None:
    if not isinstance(source, str | os.PathLike):
        return None
    text = os.fspath(source)
    if isinstance(text, bytes):
        return None
    text = text.removeprefix(_SQLITE_PREFIX)
    try:
        info = os.stat(text)  # follows symbolic links: a link to the input is the input
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino), text


def note_input(source: object) -> None:
    """Note ``source`` (a file's path, or a SQLite register's URL) as an input of the running
    :func:`guard_inputs` block; outside one, or for anything but an existing file, nothing."""
    inputs = _INPUTS.get()
    if inputs is None:
        return
    found = _file_key(source)
    if found is not None:
        inputs.setdefault(*found)


def refuse_input(target: str | os.PathLike[str]) -> None:
    """Raise :class:`InclusionKitError` if ``target`` is the same file as a noted input."""
    inputs = _INPUTS.get()
    if not inputs:
        return
    found = _file_key(target)
    if found is None:
        return
    name = inputs.get(found[0])
    if name is not None:
        same = "" if Path(name) == Path(os.fspath(target)) else f" (the same file as {name})"
        raise InclusionKitError(
            f"{os.fspath(target)}: is an input of this command{same}; writing it would destroy "
            "the input: give another output file"
        )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``, else it vanishes."""
    target = Path(path)
    refuse_input(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", **kwargs: object
) -> Iterator[IO[str]]:
    """Open a temporary file for writing that atomically replaces ``path`` when closed cleanly."""
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:  # type: ignore[call-overload]
        yield handle


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
