"""Problems that belong to one row of a table, carried beside the table an importer returns.

An importer in coerce mode blanks a cell it cannot read and records ``(0-based row, Problem)``
pairs in ``DataFrame.attrs[ROW_PROBLEMS]``; :func:`inclusionkit.plugin.attach_row_problems`
does it. ``read_with_rejections`` (``_rejected.py``) reads them back to set those rows aside.
This module sits below the pipeline and the rejection report, so both can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from inclusionkit._errors import Problem, ValidationError

__all__ = ["ROW_PROBLEMS", "attach_row_problems", "coerced", "problems_by_row", "row_of"]

ROW_PROBLEMS = "inclusionkit.row_problems"
"""``DataFrame.attrs`` key under which an importer in coerce mode lists the cells it coerced."""

_LINE = re.compile(r"^line (\d+)$")
_ROW = re.compile(r"^row (\d+)$")
_JSON_ROW = re.compile(r"^\$\[(\d+)\]")


def attach_row_problems(
    frame: pd.DataFrame, problems: Iterable[tuple[int, Problem]]
) -> pd.DataFrame:
    """Record on ``frame`` the cells an importer coerced: ``(0-based row, problem)`` pairs.

    For importers' coerce mode; :func:`read_with_rejections` reads them back. An empty list says
    "nothing was coerced", which spares a second, strict read.
    """
    frame.attrs[ROW_PROBLEMS] = [(int(row), problem) for row, problem in problems]
    return frame


def coerced(read: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """For importers' coerce mode: ``read("raise")``; if cells fail, ``read("coerce")`` and say
    which rows were coerced (:func:`attach_row_problems`).

    A clean file is read once. A problem that is not about one row is raised, as in strict mode.
    """
    try:
        return attach_row_problems(read("raise"), [])
    except ValidationError as exc:
        problems = problems_by_row(exc.problems)
    return attach_row_problems(read("coerce"), problems)


def row_of(problem: Problem) -> int | None:
    """The 0-based table row a problem is about, from its location, or ``None``.

    ``line N`` (a file whose header is line 1) is row ``N - 2``; ``row N`` is row ``N``;
    ``$[N]...`` (a JSON list) is row ``N``.
    """
    location = problem.location or ""
    if match := _LINE.match(location):
        row = int(match.group(1)) - 2
        return row if row >= 0 else None
    if match := _ROW.match(location):
        return int(match.group(1))
    if match := _JSON_ROW.match(location):
        return int(match.group(1))
    return None


def problems_by_row(problems: Sequence[Problem]) -> list[tuple[int, Problem]]:
    """``(0-based row, problem)`` pairs; a problem about no single row is raised as it is."""
    located = [(row_of(problem), problem) for problem in problems]
    whole_file = [problem for row, problem in located if row is None]
    if whole_file:
        raise ValidationError(whole_file, source=whole_file[0].source)
    return [(row, problem) for row, problem in located if row is not None]
