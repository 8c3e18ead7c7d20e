"""Configurable limits bound the work before the expensive step: the columns of a table, the
distinct values of a breakdown, the expanded size of a workbook."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inclusionkit
from inclusionkit import InclusionKitError
from inclusionkit._limits import DEFAULTS, ENV, input_limits, limit
from inclusionkit.cli import main
from tests.security._samples import example


def _wide_csv(tmp_path: Path, columns: int) -> Path:
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{n}" for n in range(columns))
    path.write_text(header + "\n" + ",".join("1" for _ in range(columns)) + "\n")
    return path


def test_csv_with_too_many_columns_is_refused_fast(tmp_path: Path) -> None:
    """A CSV of 100,000 columns is refused from its header, in well under a second of work."""
    path = _wide_csv(tmp_path, 100_000)
    started = time.perf_counter()
    with pytest.raises(InclusionKitError, match=r"is over the limit of 2,000 for the columns"):
        inclusionkit.read(path)
    with pytest.raises(InclusionKitError, match=r"100,000 is over the limit of 2,000"):
        inclusionkit.read(path, kind="participations")
    assert time.perf_counter() - started < 5


def test_csv_header_without_end_is_refused_unread(tmp_path: Path) -> None:
    """A 'header' line of megabytes with no line end is refused without being read whole."""
    path = tmp_path / "long.csv"
    path.write_bytes(b"a" * (3 << 20))
    with pytest.raises(InclusionKitError, match="header line is longer"):
        inclusionkit.read(path, kind="participations")


def test_columns_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The columns limit follows INCLUSIONKIT_MAX_COLUMNS and input_limits(columns=...)."""
    _, table = example()
    path = tmp_path / "parts.csv"
    inclusionkit.write(table.head(5), path)
    with input_limits(columns=10), pytest.raises(InclusionKitError, match=ENV["columns"]):
        inclusionkit.read(path)
    monkeypatch.setenv(ENV["columns"], "10")
    assert limit("columns") == 10
    with pytest.raises(InclusionKitError, match="over the limit of 10 "):
        inclusionkit.read(path)
    monkeypatch.delenv(ENV["columns"])
    assert len(inclusionkit.read(path)) == 5


def test_parquet_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    """A Parquet file's column count is checked from its footer."""
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{n}": [1] for n in range(50)}), path)
    with input_limits(columns=20), pytest.raises(InclusionKitError, match="columns of a table"):
        inclusionkit.read(path)


def test_breakdown_of_too_many_values_is_refused_before_computing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--by an allowed column with more distinct values than the limit exits 2 with the limit."""
    _, table = example()
    frame = table.copy()
    frame["ref"] = [f"r{n}" for n in range(len(frame))]
    path = tmp_path / "parts.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setenv(ENV["breakdown"], "100")
    code = main(["report", str(path), "--by", "ref", "--allow-by", "ref"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--by ref: refused: {len(frame):,} is over the limit of 100" in err
    assert ENV["breakdown"] in err
    assert main(["report", str(path), "--by", "partner", "--ignore-columns", "ref"]) == 0


def test_breakdown_limit_applies_to_streamed_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet table (streamed, not read whole) is checked too, from the one column."""
    _, table = example()
    frame = table.copy()
    frame["ref"] = pd.array([f"r{n}" for n in range(len(frame))], dtype="string")
    path = tmp_path / "parts.parquet"
    frame.to_parquet(path, index=False)
    monkeypatch.setenv(ENV["breakdown"], "100")
    code = main(["report", str(path), "--by", "ref", "--allow-by", "ref"])
    assert code == 2
    assert "--by ref: refused" in capsys.readouterr().err


def _stored_workbook(path: Path, sheet_bytes: int) -> None:
    """A zip named .xlsx whose sheet part declares ``sheet_bytes`` bytes (highly compressible)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * sheet_bytes)
    path.write_bytes(buffer.getvalue())


def test_workbook_expanding_past_its_limit_is_refused_before_inflating(tmp_path: Path) -> None:
    """An .xlsx whose parts declare more than the workbook limit is refused from its directory."""
    pytest.importorskip("inclusionkit_xlsx")
    path = tmp_path / "bomb.xlsx"
    _stored_workbook(path, 3 << 20)
    assert path.stat().st_size < 100_000
    with input_limits(workbook="1MiB"), pytest.raises(InclusionKitError, match="zip bomb"):
        inclusionkit.read(path)


def test_limit_defaults_are_documented() -> None:
    """docs/security.md names every limit, its default and its environment variable."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    for name in DEFAULTS:
        assert f"`{name}`" in text
        assert ENV[name] in text


def test_report_of_allowed_category_is_unchanged_by_limits() -> None:
    """A normal breakdown (gender, partner) is far below the limits: nothing refused."""
    _, table = example()
    assert pd.Series(table["partner"]).nunique() < limit("breakdown")
    assert len(table.columns) < limit("columns")
