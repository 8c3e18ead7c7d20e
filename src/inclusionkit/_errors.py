"""Every exception and warning class of inclusionkit, and the :class:`Problem` record every
validator reports.

Every exception the library raises on purpose derives from :class:`InclusionKitError`, so a caller
(or the CLI) can catch user mistakes with one ``except`` clause and let programming errors through;
every warning derives from :class:`InclusionKitWarning`. The classes are re-exported where users
meet them: :mod:`inclusionkit` (and :mod:`inclusionkit.plugin`), :mod:`inclusionkit.ro`. The
subclasses of :class:`RomanianCodeError` for one kind of code (``InvalidCNPError``,
``ProjectCodeError``, ``UnknownRegionError``) stay beside the data their messages quote.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "ImporterWarning",
    "InclusionKitError",
    "InclusionKitWarning",
    "PluginError",
    "PluginWarning",
    "Problem",
    "RomanianCodeError",
    "ValidationError",
]


class InclusionKitError(Exception):
    """Root of every error inclusionkit raises on purpose (bad input, unknown names, plugins)."""


class InclusionKitWarning(UserWarning):
    """Root of every warning inclusionkit and its plugins issue."""


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with an input, located precisely enough for a person to fix it.

    ``source`` names the file (or ``None`` for in-memory data); ``location`` is a JSON path such as
    ``$.partners[2].role`` or a line number such as ``line 17``; ``column`` names the column
    or field; ``code`` is a stable, machine-readable slug; ``message`` says what is wrong in words.
    ``row`` is the number of the table row the problem is about as the user sees it, the same as
    ``location`` says (a CSV's physical line, a sheet's row), or ``None``.
    """

    code: str
    message: str
    source: str | None = None
    location: str | None = None
    column: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = [part for part in (self.source, self.location) if part]
        if self.column and not names_column(self.location, self.column):
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


def names_column(location: str | None, column: str) -> bool:
    """Whether ``location`` already says where ``column`` is, by the file's own header
    (``line 9, column 'Statut' (labour_status)``), so the column is not said twice."""
    return location is not None and ", column " in location and location.endswith(f" ({column})")


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


class PluginError(InclusionKitError):
    """Plugins disagree (two claim the same format or rule set name) or one misbehaves.

    ``plugins`` names the plugins involved, so a caller can block one of them.
    """

    def __init__(self, message: str, *, plugins: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.plugins: tuple[str, ...] = tuple(plugins)


class PluginWarning(InclusionKitWarning):
    """A plugin was skipped because it is broken; the host carries on without it."""


class ImporterWarning(InclusionKitWarning):
    """An importer read a file but set something aside or guessed (a sheet, a column, a value it
    did not understand); the message says what. Importers' own warnings derive from it."""


class IngestWarning(InclusionKitWarning):
    """Something in a register was left out rather than guessed (an unknown header or value).

    ``problems`` lists each one as a :class:`~inclusionkit.Problem`.
    """

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        lines = [f"{source or 'the table'}: {len(self.problems)} thing(s) left out:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class WriteError(InclusionKitError, OSError):
    """A file could not be written (a full disk, no permission): an :class:`InclusionKitError`
    with a clear message, and still the :class:`OSError` it was (``errno`` kept)."""


class RomanianCodeError(InclusionKitError, ValueError):
    """A Romanian code or name (CNP, region, county, city, project code) could not be understood.

    ``value`` is the input as given and ``reason`` a stable, machine-readable slug saying which
    check failed. It is also a :class:`ValueError`, so code that only knows the built-in
    exceptions can still catch it.
    """

    def __init__(self, message: str, *, value: object, reason: str) -> None:
        super().__init__(message)
        self.value = value
        self.reason = reason
