"""Validate any input file the library reads and list every problem in it.

A ``.json`` file is told by its shape: a project document has a ``code`` and ``partners``; a rule
set has a ``name`` and ``indicators``; a list of records is a participation table. Any other file
is a participation table in whatever format an importer claims by its extension (CSV in any
supported encoding, Excel, Parquet, a plugin's format), read through :func:`inclusionkit.read`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._i18n import translate
from inclusionkit._progressbar import ProgressCallback
from inclusionkit._rules._completeness import DEFAULT_COMPLETENESS, Completeness


def validate_path(
    path: str | os.PathLike[str],
    completeness: Completeness = DEFAULT_COMPLETENESS,
    *,
    project: Any = None,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[Problem], str]:
    """Return ``(problems, summary)`` for the file at ``path``; ``problems`` is empty when valid.

    A participation table's rows are checked for ``completeness`` (a rule set's), against
    ``project`` when given (its code and period) and ``today`` (the as-of date: no date after
    it). Every problem of the file is found in one pass: a cell that does not read does not
    hide the problems of the other rows. ``progress`` is told how reading and checking a
    participation table advance (see :func:`inclusionkit._rejected.read_with_rejections`).
    """
    from inclusionkit import get_plugin_manager

    source = os.fspath(path)
    if not Path(source).is_file():
        raise InclusionKitError(translate("{path}: no such file").format(path=source))
    if Path(source).suffix.lower() == ".json":
        return _validate_json(source, completeness, project, today, progress)
    try:
        get_plugin_manager().find_importer(None, source, "participations", option="--format")
    except InclusionKitError as exc:
        raise InclusionKitError(
            f"cannot tell what this is: expected a project or rule set (.json) or a "
            f"participation table. {exc}"
        ) from None
    return _validate_table(source, completeness, project, today, progress)


def _validate_json(
    source: str,
    completeness: Completeness,
    project: Any,
    today: dt.date | None,
    progress: ProgressCallback | None,
) -> tuple[list[Problem], str]:
    from inclusionkit._limits import read_json_document
    from inclusionkit._project_io import project_problems

    document: Any = read_json_document(source)
    if isinstance(document, list):
        return _validate_table(source, completeness, project, today, progress)
    if isinstance(document, dict) and "indicators" in document and "name" in document:
        from inclusionkit._rules import ruleset_problems

        problems = ruleset_problems(document, source=source)
        text = translate("{source}: valid rule set {name!r}").format(
            source=source, name=document["name"]
        )
        return problems, text
    problems = project_problems(document, source=source)
    code = document.get("code") if isinstance(document, dict) else None
    return problems, translate("{source}: valid project {code!r}").format(source=source, code=code)


def _validate_table(
    source: str,
    completeness: Completeness,
    project: Any,
    today: dt.date | None,
    progress: ProgressCallback | None,
) -> tuple[list[Problem], str]:
    from inclusionkit._rejected import read_with_rejections

    try:
        outcome = read_with_rejections(
            source, completeness=completeness, project=project, today=today, progress=progress
        )
    except ValidationError as exc:
        return list(exc.problems), ""
    if not outcome.problems:
        return [], translate("{source}: {rows} rows, all valid").format(
            source=source, rows=outcome.rows
        )
    return list(outcome.problems), outcome.summary()


def validate_table_rejecting(
    path: str | os.PathLike[str],
    rejected: str | os.PathLike[str],
    completeness: Completeness = DEFAULT_COMPLETENESS,
    *,
    project: Any = None,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[list[Problem], str]:
    """Validate a participation table row by row and write its rejected rows to ``rejected``.

    Any registered importer of participations reads the file (by its extension); the rejected
    rows (``row``, ``codes``, ``message`` and the canonical columns, never an identifier such as a
    CNP) are written by the exporter claiming the extension of ``rejected``. Returns the problems
    and a summary (rows, accepted, rejected). A problem with the whole file (a missing column)
    writes no file: every problem is returned, as for :func:`validate_path` (which also says
    what ``progress`` is told).
    """
    import inclusionkit
    from inclusionkit._rejected import read_with_rejections

    source = os.fspath(path)
    target = os.fspath(rejected)
    exporter = inclusionkit.get_plugin_manager().find_exporter(
        None, target, "table", option="a file name with another extension"
    )
    try:
        outcome = read_with_rejections(
            source, completeness=completeness, project=project, today=today, progress=progress
        )
    except ValidationError as exc:
        return list(exc.problems), ""
    columns = ["row", "codes", "message", *inclusionkit.COLUMN_NAMES]
    table = outcome.rejected
    table = table[[c for c in columns if c in table.columns]]
    inclusionkit.write(table, target, format=exporter.name, kind="table")
    summary = translate("{summary}; rejected rows written to {target}").format(
        summary=outcome.summary(), target=target
    )
    return list(outcome.problems), summary


def problem_lines(
    problems: Sequence[Problem],
    *,
    summary: bool = False,
    limit: int | None = None,
    lang: str | None = None,
) -> list[str]:
    """What ``inclusionkit validate`` prints for ``problems``: one line each (at most ``limit``,
    then how many more), or with ``summary`` the number of each code with its meaning in
    ``lang`` (``en`` or ``ro``; default: the run's language), most frequent first."""
    from collections import Counter

    from inclusionkit._problems import describe, message_in

    if summary:
        counts = Counter(problem.code for problem in problems)
        head = translate("problem / count / meaning", lang)
        return [
            head,
            *(
                f"{code}: {count} ({message_in(code, lang)})"
                for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        ]
    shown = problems if limit is None else problems[:limit]
    lines = [describe(problem, lang) for problem in shown]
    hidden = len(problems) - len(shown)
    if hidden:
        lines.append(
            translate("… and {count} more problem(s) not shown (--max-problems)", lang).format(
                count=hidden
            )
        )
    return lines
