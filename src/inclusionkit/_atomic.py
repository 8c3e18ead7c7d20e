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

from inclusionkit._errors import InclusionKitError, WriteError
from inclusionkit._i18n import translate

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
        same = (
            ""
            if Path(name) == Path(os.fspath(target))
            else translate(" (the same file as {name})").format(name=name)
        )
        raise InclusionKitError(
            translate(
                "{path}: is an input of this command{same}; writing it would destroy the "
                "input: give another output file"
            ).format(path=os.fspath(target), same=same)
        )


TEMP_MARK = ".inclusionkit-"
"""What the name of every temporary file of an atomic write holds, with its writer's process id:
``.report.csv.inclusionkit-4242-k3j2.tmp``."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``, else it vanishes.

    The result keeps the mode of the file it replaces; a new file gets the mode a plain
    ``open()`` would (``0666`` less the umask), or ``0600`` (owner only) when ``private`` (a file
    of personal data: participations, rejected rows). The temporary file is created ``0600``,
    so a half-written copy is never readable by others; it is removed on an exception, on
    ``SIGINT`` and on ``SIGTERM``, and one left by a killed process (``SIGKILL``) is removed by
    the next write beside it.
    """
    target = Path(path)
    refuse_input(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    _remove_stale_temporaries(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o600 if private else 0o666 & ~umask
    with removed_on_sigterm():
        try:
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{target.name}{TEMP_MARK}{os.getpid()}-", suffix=".tmp", dir=target.parent
            )
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            try:
                yield tmp
                # Whatever the writer did to the file's mode, the result gets the chosen one.
                tmp.chmod(mode)
                os.replace(tmp, target)
            except OSError as exc:
                # A full disk, a quota, a folder made read-only half-way: a message, not a trace.
                raise _cannot_write(target, exc) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _cannot_write(target: Path, exc: OSError) -> WriteError:
    if isinstance(exc, WriteError):
        return exc  # said already, by a write inside this one
    reason = exc.strerror or type(exc).__name__
    error = WriteError(
        translate(
            "{path}: cannot write it ({reason}); the previous file, if any, is unchanged"
        ).format(path=target, reason=reason)
    )
    error.errno = exc.errno
    return error


def _remove_stale_temporaries(target: Path) -> None:
    """Remove the temporary files of writes to ``target`` whose process is gone (killed)."""
    with contextlib.suppress(OSError):
        for entry in target.parent.glob(f".{_glob_escape(target.name)}{TEMP_MARK}*.tmp"):
            pid_text = entry.name[len(f".{target.name}{TEMP_MARK}") :].split("-", 1)[0]
            if pid_text.isdigit() and not _alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    entry.unlink()


def _glob_escape(name: str) -> str:
    """``name`` with the characters ``glob`` treats specially escaped."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


class _Terminated(SystemExit):
    """Raised in the main thread on SIGTERM, so that ``finally`` blocks remove temporaries."""


@contextlib.contextmanager
def removed_on_sigterm() -> Iterator[None]:
    """While the block runs (in the main thread, with no SIGTERM handler of the program's own),
    SIGTERM exits through Python's unwinding, so that ``finally`` blocks and context managers
    remove temporaries (an atomic write's file, the streaming engine's partitions), with
    status 143."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except (ValueError, AttributeError):  # pragma: no cover - no SIGTERM on this platform
        yield
        return
    if previous not in (signal.SIG_DFL, None):
        yield  # the program handles SIGTERM itself
        return

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


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
