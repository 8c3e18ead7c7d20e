"""Formula injection is neutralised in every CSV the command line writes, file or standard output,
through the one function (``_sanitise.frame_to_csv``) that ``inclusionkit.write`` uses too."""

from __future__ import annotations

import ast
import csv
import io
import json
import secrets
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit._sanitise import needs_quote
from inclusionkit.cli import main
from tests.privacy.test_cli_privacy import ANA, write_register
from tests.security._samples import example

FORMULA = '=HYPERLINK("http://evil.invalid","x")'
ROOT = Path(__file__).resolve().parents[2]


def _cells(text: str) -> list[str]:
    """Every cell of a CSV text."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str) -> None:
    """No cell of ``text`` starts like a formula; the hostile one is there, quoted."""
    cells = _cells(text)
    assert not [c for c in cells if needs_quote(c) and not c.startswith("'")], text[:400]
    assert any(cell.startswith("'" + FORMULA) for cell in cells)


def _hostile_table(tmp_path: Path) -> Path:
    """The example's participations with a formula in an allowed category and in ids."""
    _, table = example()
    frame = table.head(60).copy()
    frame["city"] = pd.array([FORMULA] * len(frame), dtype="string")
    frame["participant_id"] = pd.array([f"{FORMULA}{n}" for n in range(len(frame))], "string")
    frame.loc[0, "entry_date"] = pd.NaT  # one excluded row, id and all
    path = tmp_path / "parts.csv"
    frame.to_csv(path, index=False)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_report_on_standard_output_quotes_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report` printing CSV quotes a formula-like breakdown label, as the file would."""
    src = _hostile_table(tmp_path)
    out = _run(["report", str(src), "--by", "city", "--allow-by", "city"], capsys)
    _assert_no_formula(out)


def test_report_file_and_excluded_file_quote_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report -o f.csv --excluded x.csv`: both files quote formula-like text."""
    src = _hostile_table(tmp_path)
    report, excluded = tmp_path / "r.csv", tmp_path / "x.csv"
    _run(
        ["report", str(src), "--by", "city", "--allow-by", "city", "-o", str(report),
         "--excluded", str(excluded)],
        capsys,
    )  # fmt: skip
    _assert_no_formula(report.read_text())
    _assert_no_formula(excluded.read_text())


def test_progress_csv_quotes_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`progress --format csv` quotes an indicator name that starts like a formula."""
    project, _table = example()
    path = tmp_path / "project.json"
    inclusionkit.write(project, path)
    document = json.loads(path.read_text())
    document["objectives"][0]["indicators"][0]["name"] = {"en": FORMULA, "ro": FORMULA}
    path.write_text(json.dumps(document))
    out = _run(["progress", str(path), "--format", "csv"], capsys)
    _assert_no_formula(out)


def test_pseudonymise_rejected_quotes_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pseudonymise --rejected` writes the rows it sets aside with formula-like text quoted."""
    src, key = tmp_path / "register.csv", tmp_path / "key.txt"
    write_register(src, [{"CNP": ANA, "gender": "female"}, {"CNP": "123", "gender": FORMULA}])
    key.write_text(secrets.token_hex(32) + "\n")
    rejected = tmp_path / "rejected.csv"
    _run(
        ["pseudonymise", str(src), str(tmp_path / "p.csv"), "--key-file", str(key),
         "--rejected", str(rejected)],
        capsys,
    )  # fmt: skip
    _assert_no_formula(rejected.read_text())


def test_convert_quotes_formulas_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`convert` to CSV quotes formula-like text exactly once, and reading it back restores it."""
    src = _hostile_table(tmp_path)
    target = tmp_path / "out.csv"
    _run(["convert", str(src), str(target), "--ignore-columns", "city"], capsys)
    cells = _cells(target.read_text())
    assert "'" + FORMULA + "0" in cells
    assert not any(c.startswith("''") for c in cells)
    back = inclusionkit.read(target)
    assert back["participant_id"].str.startswith(FORMULA).all()


def _csv_writers(path: Path) -> list[str]:
    """The ``to_csv`` calls and csv writers in a source file (line numbers)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("to_csv", "writer", "DictWriter"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_one_function_writes_every_csv() -> None:
    """No module but _sanitise calls DataFrame.to_csv or csv.writer, plugins included (the data
    package writes through inclusionkit.plugin.write_csv_text): one CSV writer, one quoting."""
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "plugins").glob("*/src/**/*.py")]
    sanitise = ROOT / "src" / "inclusionkit" / "_sanitise.py"
    found = [hit for path in sources if path != sanitise for hit in _csv_writers(path)]
    assert found == []
