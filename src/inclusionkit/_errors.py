"""The exception hierarchy and the :class:`Problem` record every validator reports.

Every exception the library raises on purpose derives from :class:`InclusionKitError`, so a caller
(or the CLI) can catch user mistakes with one ``except`` clause and let programming errors through.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs


class InclusionKitError(Exception):
    """Root of every error inclusionkit raises on purpose (bad input, unknown names, plugins)."""


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with an input, located precisely enough for a person to fix it.

    ``source`` names the file (or ``None`` for in-memory data); ``location`` is a JSON path such as
    ``$.partners[2].role`` or a line number such as ``line 17``; ``column`` names the column
    or field; ``code`` is a stable, machine-readable slug; ``message`` says what is wrong in words.
    """

    code: str
    message: str
    source: str | None = None
    location: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [part for part in (self.source, self.location) if part]
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ValidationError(InclusionKitError):
    """An input has one or more problems; ``problems`` lists every one, not just the first."""

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        head = f"{source}: " if source else ""
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))
