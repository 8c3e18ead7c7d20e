"""Validate any input file the library reads and list every problem in it.

The kind of file is told by its extension and, for JSON, by its shape: a project document has a
``code`` and ``partners``; a rule set has a ``name`` and ``indicators``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inclusionkit._errors import InclusionKitError, Problem, ValidationError


def validate_path(path: str | os.PathLike[str]) -> tuple[list[Problem], str]:
    """Return ``(problems, summary)`` for the file at ``path``; ``problems`` is empty when valid."""
    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    if suffix == ".json":
        return _validate_json(source)
    if suffix in {".csv", ".parquet", ".txt"}:
        return _validate_table(source)
    raise InclusionKitError(
        f"{source}: cannot tell what this is from {suffix or 'no extension'!r}; "
        "expected a project or rule set (.json) or a participation table (.csv, .parquet)"
    )


def _validate_json(source: str) -> tuple[list[Problem], str]:
    from inclusionkit._project_io import project_problems, read_json

    document: Any = read_json(source)
    if isinstance(document, dict) and "indicators" in document and "name" in document:
        from inclusionkit._rules import ruleset_problems

        problems = ruleset_problems(document, source=source)
        return problems, f"{source}: valid rule set {document['name']!r}"
    problems = project_problems(document, source=source)
    code = document.get("code") if isinstance(document, dict) else None
    return problems, f"{source}: valid project {code!r}"


def _validate_table(source: str) -> tuple[list[Problem], str]:
    from inclusionkit._participations import read_participations

    try:
        frame = read_participations(source, keep_extra=True)
    except ValidationError as exc:
        return list(exc.problems), ""
    from inclusionkit._rules import validate_participations

    report = validate_participations(frame)
    summary = f"{source}: {len(frame)} rows, all valid"
    return report.as_problems(source), summary


def validate_table_rejecting(
    path: str | os.PathLike[str], rejected: str | os.PathLike[str]
) -> tuple[list[Problem], str]:
    """Validate a participation table row by row and write its rejected rows to ``rejected``.

    Any registered importer of participations reads the file (by its extension). Returns the
    problems and a summary (rows, accepted, rejected). A problem with the whole file (a missing
    column) writes no file: every problem is returned, as for :func:`validate_path`.
    """
    from inclusionkit._rejected import read_with_rejections, write_rejected

    source = os.fspath(path)
    try:
        outcome = read_with_rejections(source)
    except ValidationError as exc:
        return list(exc.problems), ""
    write_rejected(outcome, rejected)
    summary = f"{outcome.summary()}; rejected rows written to {os.fspath(rejected)}"
    return list(outcome.problems), summary
