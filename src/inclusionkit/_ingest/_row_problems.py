"""Problems that belong to one row of a table, carried beside the table an importer returns.

An importer in coerce mode blanks a cell it cannot read and records ``(0-based row, Problem)``
pairs in ``DataFrame.attrs[ROW_PROBLEMS]``; :func:`inclusionkit.plugin.attach_row_problems`
does it. ``read_with_rejections`` (``_rejected.py``) reads them back to set those rows aside.
This module sits below the pipeline and the rejection report, so both can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from inclusionkit._errors import Problem, ValidationError
from inclusionkit._pandas import pd

__all__ = [
    "ROW_LOCATIONS",
    "ROW_PROBLEMS",
    "LineLocator",
    "attach_locations",
    "attach_row_problems",
    "coerced",
    "column_place",
    "locate_rows",
    "located",
    "problems_by_row",
    "row_locations",
    "row_number",
    "row_numbers",
    "row_of",
]

ROW_PROBLEMS = "inclusionkit.row_problems"
"""``DataFrame.attrs`` key under which an importer in coerce mode lists the cells it coerced."""

ROW_LOCATIONS = "inclusionkit.row_locations"
"""``DataFrame.attrs`` key of the function saying where 0-based rows are in the file they were
read from (``line 12`` for CSV, counting blank lines and multi-line cells; ``sheet 'X', row 9``)."""

Locate = Callable[[np.ndarray], list[str]]


class LineLocator:
    """A ``locate`` saying ``{prefix} {number}`` (``line 12`` of a CSV file, a sheet's row),
    from ``numbers``: 0-based rows to the numbers the user sees (int64).

    :meth:`RowLocations.numbers` takes those numbers as they are: a report's excluded list
    (hundreds of thousands of rows) never has each row's text made and read back.
    """

    def __init__(self, prefix: str, numbers: Callable[[np.ndarray], np.ndarray]) -> None:
        self.prefix = prefix
        self.numbers = numbers

    def __call__(self, rows: np.ndarray) -> list[str]:
        if len(rows) == 0:  # nothing to say where: never work out the numbers (a file's lines)
            return []
        prefix = self.prefix
        return [f"{prefix} {number}" for number in self.numbers(rows).tolist()]


class RowLocations(dict[str, Any]):
    """Where a frame's rows are in their file: ``locations(rows)`` says ``line 12`` …

    An empty ``dict`` to everything that looks at ``DataFrame.attrs`` (pandas copies attrs and
    writes them as JSON into a Parquet file): the locator is a view of the file read, not data,
    so it is written as ``{}`` and never breaks a write.
    """

    def __init__(
        self, locate: Locate, header: str | None = None, titles: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.locate = locate
        self.header = header
        self.titles = dict(titles or {})

    def __call__(self, rows: np.ndarray) -> list[str]:
        return self.locate(rows)

    def numbers(self, rows: np.ndarray, default: np.ndarray | None = None) -> np.ndarray:
        """The number the user sees for each of the 0-based ``rows`` of the table read (a
        CSV's line, a sheet row), or ``default`` (the row itself) where a location holds no
        number."""
        rows = np.asarray(rows, dtype=np.int64)
        if isinstance(self.locate, LineLocator):
            return np.asarray(self.locate.numbers(rows), dtype=np.int64)
        default = rows if default is None else default
        import pyarrow as pa
        import pyarrow.compute as pc

        places = pa.array(self.locate(rows), pa.string())
        digits = pc.struct_field(pc.extract_regex(places, r"(?P<n>\d+)\]?$"), [0])
        numbers = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
        found = ~np.isnan(numbers) if numbers.dtype.kind == "f" else np.ones(len(rows), dtype=bool)
        return np.where(found, np.nan_to_num(numbers), default).astype(np.int64)


def row_locations(
    locate: Locate, *, header: str | None = None, titles: Mapping[str, str] | None = None
) -> RowLocations:
    """Where a table's rows are in the file they were read from (see :data:`ROW_LOCATIONS`),
    where its header is (``line 1``, ``sheet 'Registru', row 8``), and the file's own header of
    each canonical column mapped from another (``titles``: ``labour_status`` → ``Statut``)."""
    titles = {name: title.strip() for name, title in (titles or {}).items()}
    differ = {name: title for name, title in titles.items() if title and title != name}
    return RowLocations(locate, header, differ)


def attach_locations(
    frame: pd.DataFrame,
    locate: Locate,
    *,
    header: str | None = None,
    titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Record on ``frame`` where its rows are in the file (:func:`row_locations`)."""
    frame.attrs[ROW_LOCATIONS] = row_locations(locate, header=header, titles=titles)
    return frame


def column_place(frame: pd.DataFrame, column: str) -> str | None:
    """Where ``column`` of ``frame`` is, said with the file's own header when the file named it
    otherwise (``column 'Statut pe piața muncii' (labour_status)``), to follow a row's location;
    ``None`` when the file's header is the canonical name (the problem's column says it)."""
    locate = frame.attrs.get(ROW_LOCATIONS)
    title = locate.titles.get(column) if isinstance(locate, RowLocations) else None
    return None if title is None else f"column {title!r} ({column})"


def header_location(frame: pd.DataFrame) -> str:
    """Where the header of ``frame`` is in its file, as the row problems say it (``line 1``);
    ``the header`` for a frame not read from a file."""
    locate = frame.attrs.get(ROW_LOCATIONS)
    header = getattr(locate, "header", None)
    return header if isinstance(header, str) else "the header"


def locate_rows(frame: pd.DataFrame, rows: np.ndarray) -> list[str]:
    """Where each of the 0-based ``rows`` of ``frame`` is, as the user sees it: the file's line
    or sheet row when the frame was read from a file (its rows found by their index labels, so a
    slice of it still says the right line), else ``row N`` (0-based)."""
    locate = frame.attrs.get(ROW_LOCATIONS)
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(locate, RowLocations) and pd.api.types.is_integer_dtype(frame.index.dtype):
        # By index label: a slice of the table read (``frame.iloc[5:]``) keeps its rows' labels.
        return list(locate(frame.index.to_numpy()[rows]))
    return [f"row {int(row)}" for row in rows]


def row_numbers(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The number the user sees for each of the 0-based ``rows`` (a CSV's line, a sheet row; the
    0-based row of an in-memory table)."""
    rows = np.asarray(rows, dtype=np.int64)
    locate = frame.attrs.get(ROW_LOCATIONS)
    if not isinstance(locate, RowLocations):
        return rows
    if pd.api.types.is_integer_dtype(frame.index.dtype):
        # By index label: a slice of the table read keeps its rows' labels (locate_rows).
        return locate.numbers(frame.index.to_numpy()[rows], default=rows)
    return rows


def located(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` was read from a file that says where its rows are."""
    return isinstance(frame.attrs.get(ROW_LOCATIONS), RowLocations)


_LAST_NUMBER = re.compile(r"(\d+)\]?(?:, column .*)?$")


def row_number(location: str) -> int | None:
    """The number a user sees in a location: ``line 12`` → 12, ``sheet 'X', row 9`` → 9."""
    match = _LAST_NUMBER.search(location)
    return int(match.group(1)) if match else None


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
