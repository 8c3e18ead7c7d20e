"""Fixtures for the inclusionkit-xlsx tests: registers built with openpyxl, the formats, reports."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import inclusionkit_xlsx
import openpyxl
import pandas as pd
import pytest

from inclusionkit import Exporter, Importer

DATA = Path(__file__).parent / "data"

ROMANIAN_HEADERS = [
    "Nr. crt.",
    "ID participant",
    "Nume",
    "Prenume",
    "CNP",
    "Cod proiect",
    "Sex",
    "Data nașterii",
    "Statut pe piața muncii",
    "Nivel educație (ISCED)",
    "Etnie romă",
    "Persoană cu dizabilități",
    "Mediu rural",
    "Data intrării",
    "Data ieșirii",
    "Regiune",
    "Partener",
    "Calificare obținută",
    "Angajat la ieșire",
]

ROMANIAN_ROWS: list[list[Any]] = [
    [
        1,
        "P001",
        "Popescu",
        "Ana",
        "2900102123456",
        "POCU/449/4/16/127700",
        "F",
        dt.date(1990, 1, 2),
        "șomer de lungă durată",
        3,
        "Da",
        "Nu",
        "Da",
        "01.09.2019",
        dt.date(2020, 3, 1),
        "Nord-Est",
        "Asociația Alfa",
        "Da",
        "Nu",
    ],
    [
        2,
        "P002",
        "Ionescu",
        "Ion",
        1850505123456,
        "POCU/449/4/16/127700",
        "masculin",
        "1985-05-05",
        "elev/student",
        "ISCED 2",
        "Nu",
        None,
        "NU",
        dt.datetime(2019, 9, 2),
        None,
        "RO21",
        "Asociaţia Alfa",
        None,
        None,
    ],
    [
        3,
        "P003",
        "Stan",
        "Maria",
        "2000303123456",
        "POCU/449/4/16/127700",
        "femeie",
        "03.03.2000",
        "Angajat",
        5,
        None,
        "da",
        "nu",
        dt.date(2019, 10, 1),
        "15.12.2019",
        "ro21",
        "Primăria Beta",
        "nu",
        "da",
    ],
    [
        4,
        "P004",
        "Dumitru",
        "Vasile",
        "1700707123456",
        "POCU/449/4/16/127700",
        "bărbat",
        dt.date(1970, 7, 7),
        "inactiv",
        "1",
        "da",
        "Nu",
        True,
        "2019-11-04",
        None,
        "Nord Est",
        None,
        None,
        None,
    ],
]


def make_workbook(
    path: Path,
    header: Sequence[Any] | None,
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "Participanți",
    above: Sequence[Sequence[Any]] = (),
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Write a one-sheet workbook: optional rows above the header, the header, then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in above:
        sheet.append(list(row))
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd.mm.yyyy"
    if edit is not None:
        edit(workbook)
    workbook.save(path)
    return path


@pytest.fixture
def romanian_register(tmp_path: Path) -> Path:
    """A register as a Romanian project keeps it: a title row, Romanian headers, mixed dates."""
    return make_workbook(
        tmp_path / "registru.xlsx",
        ROMANIAN_HEADERS,
        ROMANIAN_ROWS,
        above=[["Registrul grupului țintă — proiect POCU/449/4/16/127700"], []],
    )


def _registered() -> tuple[Importer, Exporter]:
    importers: list[Importer] = []
    exporters: list[Exporter] = []
    inclusionkit_xlsx.register_importers(importers.append)
    inclusionkit_xlsx.register_exporters(exporters.append)
    (importer,) = importers
    (exporter,) = exporters
    return importer, exporter


@pytest.fixture
def importer() -> Importer:
    """The xlsx importer the plugin registers."""
    return _registered()[0]


@pytest.fixture
def exporter() -> Exporter:
    """The xlsx exporter the plugin registers."""
    return _registered()[1]


# -- reports and progress tables for the writer's tests -------------------------------


def number(cell: Any) -> float | None:
    """A numeric cell as a float; an empty cell as None."""
    return None if cell == "" or cell is None else float(cell)


def same(a: float | None, b: Any) -> bool:
    """Whether a read-back number equals a table value (missing equals missing).

    openpyxl writes numbers with 16 significant digits (Excel itself works to 15), so a double
    that needs all 17 digits comes back within one part in 10**16; whole numbers and any value
    typed with up to 16 digits come back exactly.
    """
    if b is None or pd.isna(b):
        return a is None
    return a is not None and math.isclose(a, float(b), rel_tol=1e-15, abs_tol=0)


def title_rows(rows: Sequence[Sequence[Any]]) -> int:
    """How many rows a main table's title block takes: its lines and the blank row after them."""
    for index, row in enumerate(rows):
        if all(cell in ("", None) for cell in row):
            return index + 1
    raise AssertionError("no blank row ends a title block")


def table_of(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """A main table's rows from its header on, below its title block."""
    return [list(row) for row in rows[title_rows(rows) :]]


def header_row(sheet: Any) -> int:
    """The 1-based row of an openpyxl sheet's header, below its title block."""
    return title_rows(list(sheet.iter_rows(values_only=True))) + 1


def unpivot(rows: list[list[Any]], *, names: bool) -> dict[tuple[str, str], float | None]:
    """The Indicators sheet back to (indicator, breakdown cell) -> value."""
    header, *body = rows
    first = 2 if names else 1
    return {(row[0], header[j]): number(row[j]) for row in body for j in range(first, len(header))}


def cell_of(table: pd.DataFrame, breakdowns: list[str]) -> list[str]:
    """The header label of each tidy row's breakdown cell (the rule the README states)."""
    if not breakdowns:
        return ["Value"] * len(table)
    labels = []
    for row in table[breakdowns].itertuples(index=False):
        present = [(c, v) for c, v in zip(breakdowns, row, strict=True) if not pd.isna(v)]
        if not present:
            labels.append("total")
        elif len(breakdowns) == 1:
            labels.append(str(present[0][1]))
        else:
            labels.append(" / ".join(f"{c}: {v}" for c, v in present))
    return labels


@attrs.frozen
class Provenance:
    """A provenance object shaped like the engine's (an attrs class)."""

    ruleset: str
    ruleset_version: str
    as_of: dt.date | None
    rows: int
    counted: int


@attrs.frozen
class Report:
    """A report object shaped like the engine's."""

    table: pd.DataFrame
    excluded: pd.DataFrame
    checks: pd.DataFrame
    provenance: Provenance


def example_report() -> Report:
    """A small report by gender and region, with an excluded row and a failed check."""
    rows = []
    for code, total in (("TOTAL", 1234), ("CO01", 700), ("CO02", 55)):
        rows.append({"indicator": code, "gender": "total", "region": "total", "value": total})
        for gender, share in (("female", 0.6), ("male", 0.4)):
            for region, part in (("RO21", 0.75), ("RO42", 0.25)):
                value = round(total * share * part)
                rows.append({"indicator": code, "gender": gender, "region": region, "value": value})
    table = pd.DataFrame(rows).astype({"value": "int64"})
    excluded = pd.DataFrame(
        {"participant_id": ["P9"], "reason": ["incomplete.isced"], "message": ["no ISCED level"]}
    )
    checks = pd.DataFrame(
        {
            "check": ["CO02 <= CO01", "TOTAL = CO01 + CO03 + CO05"],
            "passed": [True, False],
            "left": [55, 1234],
            "right": [700, 1230],
        }
    )
    provenance = Provenance(
        ruleset="esf-2014", ruleset_version="1", as_of=None, rows=1240, counted=1234
    )
    return Report(table=table, excluded=excluded, checks=checks, provenance=provenance)


def progress_example() -> pd.DataFrame:
    """A two-row progress table with a missing milestone."""
    return pd.DataFrame(
        {
            "objective": ["O1", "O2"],
            "indicator": ["I1", "I2"],
            "name": ["Conferences held", "Persons informed"],
            "unit": ["number", "persons"],
            "kind": ["output", "output"],
            "baseline": [0.0, 0.0],
            "target": [4.0, 1200.0],
            "milestone": pd.array([None, 600.0], dtype="Float64"),
            "achieved": pd.array([4.0, 851.5], dtype="Float64"),
            "percent": pd.array([100.0, 71.0], dtype="Float64"),
            "status": ["met", "behind"],
            "source": ["computed", "reported"],
        }
    )
