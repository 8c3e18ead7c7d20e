"""Progress of long reads and computes: events for the Python API, a bar for people.

The engines report progress through a plain callback, ``progress(event)``, with a
:class:`ProgressEvent` saying which phase is running (``read``, ``scan``, ``compute``), how many
rows are done and how many there are (when known). A program can log these, update its own
widget, or ignore them. :class:`ProgressBar` is such a callback for the command line: one line
on standard error, redrawn in place, with rows done, rate and time left; it draws nothing at all
when its stream is not a terminal (a log file or a pipe gets no carriage-return clutter), and the
line is wiped when the work is done, so the summary that follows starts on a clean line.

A hand-written renderer rather than ``tqdm``: the bar needs phases that change under one line,
a rate in rows rather than iterations and a strict "nothing unless a terminal" rule; that is
forty lines here and would be as many lines of configuration around ``tqdm``, which would
become a dependency of the core package for one line of output.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

import attrs

__all__ = ["ProgressBar", "ProgressCallback", "ProgressEvent", "emit"]


@attrs.frozen
class ProgressEvent:
    """One step of a long operation.

    ``phase`` is what is running (``"read"``: loading a table; ``"scan"``: the streaming
    engine's first pass, which spreads rows into partitions; ``"compute"``: evaluating the rule
    set). ``done`` counts ``unit`` s finished in this phase, out of ``total`` (``None`` when
    not known in advance). Within a phase ``done`` never decreases; the last event of a phase
    has ``done == total`` when the total is known.
    """

    phase: str
    done: int
    total: int | None
    unit: str = "rows"

    @property
    def fraction(self) -> float | None:
        """``done / total`` (``None`` when the total is unknown; 1.0 for an empty total)."""
        if self.total is None:
            return None
        return 1.0 if self.total == 0 else min(self.done / self.total, 1.0)


ProgressCallback = Callable[[ProgressEvent], None]
"""What ``compute(..., progress=...)`` accepts: a function of one :class:`ProgressEvent`."""


def emit(
    progress: ProgressCallback | None,
    phase: str,
    done: int,
    total: int | None,
    unit: str = "rows",
) -> None:
    """Call ``progress`` with an event, if there is a callback."""
    if progress is not None:
        progress(ProgressEvent(phase=phase, done=int(done), total=total, unit=unit))


def _count(value: float) -> str:
    """A count people read at a glance: ``950``, ``12.3k``, ``4.56M``."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.0f}"


def _duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    whole = max(int(seconds + 0.5), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressBar:
    """A progress callback that draws one line on a terminal: phase, bar, rows, rate, time left.

    ``enabled=None`` (the default) draws only when ``stream`` is a terminal. Redraws are
    throttled to one per ``interval`` seconds, except the first and last of each phase. Use it as
    a context manager (or call :meth:`close`) to wipe the line at the end.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        interval: float = 0.1,
        width: int = 24,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty()) if callable(isatty) else False
        self.enabled = enabled
        self.interval = interval
        self.width = width
        self.clock = clock
        self._phase: str | None = None
        self._started = 0.0
        self._drawn = 0.0
        self._shown = 0

    def __call__(self, event: ProgressEvent) -> None:
        """Redraw the line for ``event`` (or do nothing when disabled or throttled)."""
        if not self.enabled:
            return
        now = self.clock()
        if event.phase != self._phase:
            self._phase = event.phase
            self._started = now
            self._drawn = -float("inf")
        last = event.total is not None and event.done >= event.total
        if not last and now - self._drawn < self.interval:
            return
        self._drawn = now
        self._draw(self.render(event, now - self._started))

    def render(self, event: ProgressEvent, elapsed: float) -> str:
        """The text of the line for ``event`` after ``elapsed`` seconds in its phase."""
        rate = event.done / elapsed if elapsed > 0 else 0.0
        parts = [f"{event.phase:<8}"]
        fraction = event.fraction
        if fraction is not None and event.total is not None:
            filled = round(fraction * self.width)
            parts.append("[" + "#" * filled + "." * (self.width - filled) + "]")
            parts.append(f"{fraction * 100:3.0f}%")
            parts.append(f"{_count(event.done)}/{_count(event.total)} {event.unit}")
        else:
            parts.append(f"{_count(event.done)} {event.unit}")
        if rate > 0:
            parts.append(f"{_count(rate)} {event.unit}/s")
        if event.total is not None and rate > 0 and event.done < event.total:
            parts.append(f"{_duration((event.total - event.done) / rate)} left")
        else:
            parts.append(f"{_duration(elapsed)} elapsed")
        return "  ".join(parts)

    def _draw(self, text: str) -> None:
        # Pad over whatever a longer previous line left behind, then return to the line start.
        padding = " " * max(self._shown - len(text), 0)
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self._shown = len(text)

    def close(self) -> None:
        """Wipe the line, so what is printed next starts on a clean line."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
