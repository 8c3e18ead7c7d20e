"""Nothing lost: import a participation table as accepted rows plus a report of rejected rows.

:func:`read_with_rejections` reads a table with any registered importer and splits it, row for
row, into the rows that can be counted and the rows that cannot, with every reason. Accepted plus
rejected is always the input: a row whose cell does not parse is not dropped, nor kept with the
cell quietly blanked; it is rejected, with the cell named.

Two sources of rejection:

1. *the importer's*: cells it could not read (an impossible date, ``2,0`` as an ISCED level, a
   value of the wrong JSON type, a register row without a participant id). Importers report
   them in coerce mode as ``DataFrame.attrs[ROW_PROBLEMS]``: ``(row, Problem)`` pairs, the row
   being the 0-based row of the returned table (see :func:`attach_row_problems`). For an
   importer that does not, the file is read strictly as well and the problems' locations
   (``line N``, ``row N``, ``$[N]``) say which rows they are about;
2. *the contract's*: :func:`inclusionkit.validate_participations` on what the importer returned.

A problem that is not about one row (a missing column, a file that is not a table) rejects the
whole file: it is raised, as by :func:`inclusionkit.read`. So is a column that the command's
strict mapping (the command line's ``--mapping``/``--ignore-columns``) cannot place: the extra
columns are read (a CNP is checked), but one that is neither canonical nor an identifier stops
the read as it stops every other command, with every problem of the rows besides.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._formats import Source
from inclusionkit._i18n import translate
from inclusionkit._ingest._row_problems import (
    ROW_LOCATIONS,
    ROW_PROBLEMS,
    attach_row_problems,
    coerced,
    header_location,
    problems_by_row,
    row_number,
    row_numbers,
    row_of,
)
from inclusionkit._pandas import pd
from inclusionkit._problems import EMPTY_VALUE
from inclusionkit._progressbar import ProgressCallback, emit
from inclusionkit._rules._completeness import DEFAULT_COMPLETENESS, Completeness

__all__ = [
    "ROW_PROBLEMS",
    "ImportOutcome",
    "attach_row_problems",
    "coerced",
    "read_with_rejections",
    "rejected_table",
    "row_of",
    "write_rejected",
]


@attrs.frozen(kw_only=True, eq=False)
class ImportOutcome:
    """What :func:`read_with_rejections` made of a file.

    ``accepted`` holds the rows that passed every check, in canonical columns and dtypes (with
    the file's extra columns), indexed by their 0-based input row. ``rejected`` has one row per
    rejected input row: ``row`` (where the user finds it: a CSV's physical line, a sheet row),
    ``index`` (its 0-based input row), ``codes``, ``message``, then the row's values as read (a
    cell that could not be read is empty there; the message quotes it). ``problems`` lists every
    problem, located in the file where the importer said so. ``rows`` is the number of input
    rows: ``len(accepted) + len(rejected) == rows``.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: tuple[Problem, ...]
    rows: int
    source: str

    def summary(self) -> str:
        """One line: rows read, accepted, rejected (in the run's language)."""
        return translate("{source}: {rows} rows: {accepted} accepted, {rejected} rejected").format(
            source=self.source,
            rows=self.rows,
            accepted=len(self.accepted),
            rejected=len(self.rejected),
        )


def read_with_rejections(
    source: Source,
    format: str | None = None,
    *,
    today: dt.date | None = None,
    completeness: Completeness = DEFAULT_COMPLETENESS,
    project: Any = None,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> ImportOutcome:
    """Read a participation table with its importer and split it into accepted and rejected rows.

    :param format: the importer's name; by default the one claiming the file's extension.
    :param today: the date ``validate_participations`` checks birth dates against.
    :param completeness: what a counted row needs (a rule set's ``completeness``).
    :param project: a :class:`~inclusionkit.models.Project`: rows of another project code or
        dated outside its period are problems too.
    :param progress: called with a :class:`~inclusionkit.ProgressEvent` as reading (``read``)
        and checking (``check``) advance, as the engines call it while computing a report.
    :param options: passed to the importer (``mapping=`` for a workbook, …); ``on_error`` and
        ``keep_extra`` are set here (coerce, and keep the extra columns: a CNP is checked).
    :raises InclusionKitError: the file cannot be read as a table at all (not this format, a
        required column missing, too large), or a column matches nothing under the command's
        strict mapping (:func:`unplaced_columns`): then no row is accepted, and nothing is lost.
    """
    from inclusionkit._io import _path_of, read_with
    from inclusionkit._plugins import get_plugin_manager
    from inclusionkit._rules import validate_participations

    name = _path_of(source) or "<stream>"
    importer = get_plugin_manager().find_importer(format, _path_of(source), "participations")
    options = {**options, "on_error": "coerce", "keep_extra": True}
    emit(progress, "read", 0, None)
    with warnings.catch_warnings(record=True) as caught:
        # An importer's warnings (an unknown header left out) go into the problems instead.
        warnings.simplefilter("always")
        frame = read_with(importer, _rewound(source), kind="participations", **options)
    notes = [_warning_problem(w.message, name) for w in caught]
    row_problems = frame.attrs.pop(ROW_PROBLEMS, None)
    if row_problems is None:
        row_problems = _strict_problems(importer, source, options)
    frame = frame.reset_index(drop=True)
    emit(progress, "read", len(frame), len(frame))
    emit(progress, "check", 0, len(frame))
    report = validate_participations(frame, today=today, completeness=completeness, project=project)
    by_importer = np.zeros(len(frame), dtype=bool)
    rows = [row for row, _ in row_problems if 0 <= row < len(frame)]
    by_importer[rows] = True
    rejected_mask = report.rejected_mask | by_importer
    accepted = frame.iloc[np.flatnonzero(~rejected_mask)]
    located_here = callable(frame.attrs.get(ROW_LOCATIONS))
    contract = [
        (
            int(row),
            attrs.evolve(
                problem,
                source=name,
                location=problem.location if located_here else _where(importer.name, int(row)),
            ),
        )
        for row, problem in zip(report.problems["index"], report.as_problems(), strict=True)
    ]
    # A cell the importer could not read is empty now; "is empty" would say it twice.
    seen = {(row, problem.column) for row, problem in row_problems}
    contract = [
        (row, problem)
        for row, problem in contract
        if not (problem.code in EMPTY_VALUE and (row, problem.column) in seen)
    ]
    # Stable: per row, the importer's problems first, then the contract's in column order.
    located = sorted([*row_problems, *contract], key=lambda pair: pair[0])
    # Problem.row: the number its location names (an importer's problems say only where).
    located = [
        (row, problem if problem.row is not None else _with_row(problem))
        for row, problem in located
    ]
    unplaced = unplaced_columns(frame.columns, source=name, location=header_location(frame))
    if unplaced:
        raise ValidationError([*unplaced, *(problem for _, problem in located)], source=name)
    rejected = rejected_table(frame, located, rejected_mask)
    emit(progress, "check", len(frame), len(frame))
    return ImportOutcome(
        accepted=accepted,
        rejected=rejected,
        problems=(*notes, *(problem for _, problem in located)),
        rows=len(frame),
        source=name,
    )


def unplaced_columns(
    columns: Sequence[Any], *, source: str, location: str = "the header"
) -> list[Problem]:
    """The ``column.unmapped`` errors of the extra columns of a table read with ``keep_extra``
    that the command's strict mapping cannot place (none outside a command, or for a column left
    out with ``--ignore-columns``): the check the pipeline makes on the columns it would drop.
    ``location`` says where the header is (``header_location``)."""
    from inclusionkit._ingest._mapping import check_headers

    try:
        check_headers([str(name) for name in columns], source=source, location=location)
    except ValidationError as exc:
        return list(exc.problems)
    return []


def _with_row(problem: Problem) -> Problem:
    number = row_number(problem.location) if problem.location else None
    return problem if number is None else attrs.evolve(problem, row=number)


def _where(importer_name: str, row: int) -> str:
    """Where input row ``row`` is, said as the format's own messages say it (for an importer
    that does not say where its rows are, :data:`ROW_LOCATIONS`)."""
    if importer_name == "csv":
        return f"line {row + 2}"  # the header is line 1
    if importer_name == "json":
        return f"$[{row}]"
    return f"row {row}"


def _is_file(source: Source) -> bool:
    return isinstance(source, str | os.PathLike)


def _rewound(source: Source) -> Source:
    seek = getattr(source, "seek", None)
    if not _is_file(source) and callable(seek):
        seek(0)
    return source


def _strict_problems(importer: Any, source: Source, options: Mapping[str, Any]) -> list[Any]:
    from inclusionkit._io import read_with

    if not _is_file(source) and not hasattr(source, "seek"):
        raise InclusionKitError(
            f"the {importer.name!r} importer does not report the cells it coerced, and a "
            "stream cannot be read twice; pass a path"
        )
    strict = {**options, "on_error": "raise"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read_with(importer, _rewound(source), kind="participations", **strict)
    except ValidationError as exc:
        return problems_by_row(exc.problems)
    return []


def _warning_problem(message: Warning | str, name: str) -> Problem:
    problems = getattr(message, "problems", None)
    text = str(message)
    if problems:
        text = "; ".join(str(problem) for problem in problems)
    return Problem(code="import.warning", message=text, source=name)


def rejected_table(
    frame: pd.DataFrame, located: Sequence[tuple[int, Problem]], rejected: np.ndarray
) -> pd.DataFrame:
    """The rejected rows of ``frame``: ``row`` (as the user sees it: a CSV's physical line, a
    sheet row), ``index`` (0-based), ``codes``, ``message``, then their columns."""
    rows = np.flatnonzero(rejected)
    codes: dict[int, list[str]] = {int(row): [] for row in rows}
    messages: dict[int, list[str]] = {int(row): [] for row in rows}
    for row, problem in located:
        if row in codes:
            if problem.code not in codes[row]:
                codes[row].append(problem.code)
            where = "" if problem.column is None else f"{problem.column}: "
            messages[row].append(f"{where}{problem.message}")
    out = frame.iloc[rows].reset_index(drop=True)
    out.insert(0, "row", row_numbers(frame, rows))
    out.insert(1, "index", rows.astype(np.int64))
    out.insert(2, "codes", pd.array(["; ".join(codes[int(r)]) for r in rows], dtype="string"))
    out.insert(3, "message", pd.array(["; ".join(messages[int(r)]) for r in rows], dtype="string"))
    return out


def write_rejected(
    outcome: ImportOutcome, path: str | os.PathLike[str], *, keep_extra: bool = False
) -> None:
    """Write the rejected rows as CSV (atomically; formula-like text quoted).

    The canonical columns only, unless ``keep_extra``: the file is for fixing rows, found by their
    ``row``, and should not carry a CNP or a name further than the register itself.
    """
    from inclusionkit._atomic import atomic_path
    from inclusionkit._participations import COLUMN_NAMES
    from inclusionkit._sanitise import frame_to_csv

    table = outcome.rejected
    columns = ["row", "codes", "message", *COLUMN_NAMES]
    if keep_extra:
        columns += [c for c in table.columns if c not in columns]
    table = table[[c for c in columns if c in table.columns]].copy()
    for column in table.columns:
        # As write_participations writes them: ISO dates, true/false.
        if pd.api.types.is_datetime64_any_dtype(table[column].dtype):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(table[column].dtype):
            table[column] = table[column].map({True: "true", False: "false"}, na_action="ignore")
    with atomic_path(path, private=True) as tmp:
        frame_to_csv(table, tmp)
