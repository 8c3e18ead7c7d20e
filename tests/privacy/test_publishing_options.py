"""What `report` publishes: never a breakdown named like the table's own columns, never the
suppression status, and no option silently ignored by the SFC2021 layout."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import InclusionKitError
from inclusionkit._privacy._breakdowns import check_publishable_breakdowns
from inclusionkit._rules._grouping import OUTPUT_COLUMNS
from inclusionkit.cli import main
from tests.security._samples import example

IGNORE = ("--ignore-columns", "indicator,value")
"""The extra columns of :func:`_table`, left out where a test does not break down by them."""


def _table(tmp_path: Path) -> Path:
    """The example's participations, with extra columns named like the report's columns."""
    _, table = example()
    frame = table.head(120).copy()
    for name in ("indicator", "value"):
        frame[name] = pd.array(["x"] * len(frame), dtype="string")
    path = tmp_path / "parts.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name", sorted(OUTPUT_COLUMNS))
def test_breakdown_named_like_an_output_column_is_refused(name: str) -> None:
    """--by indicator / value / status … is refused even when allowed: it would clash."""
    with pytest.raises(InclusionKitError, match="has a column"):
        check_publishable_breakdowns([name], allowed=[name])


@pytest.mark.parametrize("name", ["indicator", "value"])
def test_cli_refuses_by_output_column_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """`report --by indicator --allow-by indicator` exits 2 with a message, no traceback."""
    code = main(["report", str(_table(tmp_path)), "--by", name, "--allow-by", name])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot break down by {name!r}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", sorted(OUTPUT_COLUMNS))
@pytest.mark.parametrize("engine", ["pandas", "streaming"])
def test_compute_refuses_by_output_column_in_the_engine(
    tmp_path: Path, name: str, engine: str
) -> None:
    """inclusionkit.compute(table, by=(name,)) is refused by the engine itself, as the CLI is,
    even when the table has a column of that name."""
    _, table = example()
    frame = table.head(60).copy()
    frame[name] = pd.array(["x"] * len(frame), dtype="string")
    source: pd.DataFrame | str = frame
    if engine == "streaming":
        source = str(tmp_path / "parts.parquet")
        frame.to_parquet(source, index=False)
    for by in ((name,), f"gender,{name}"):
        with pytest.raises(InclusionKitError, match=f"cannot break down by {name!r}"):
            inclusionkit.compute(source, by=by, engine=engine)


@pytest.mark.parametrize("name", ["cnp", "nume", "email", "adresa", "participant_id"])
def test_identifier_breakdowns_are_refused(name: str) -> None:
    """An identifier column is refused as a breakdown unless explicitly allowed."""
    with pytest.raises(InclusionKitError, match=name):
        check_publishable_breakdowns([name])


def test_suppressed_output_has_no_status_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --suppress 5` publishes no `status` column (it would narrow hidden cells)."""
    for extra in ([], ["--format", "json"]):
        assert main(["report", str(_table(tmp_path)), *IGNORE, "--suppress", "5", *extra]) == 0
        out = capsys.readouterr().out
        assert "primary" not in out
        assert "secondary" not in out
    assert main(["report", str(_table(tmp_path)), *IGNORE, "--suppress", "5"]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert "status" not in header
    target = tmp_path / "r.json"
    assert (
        main(["report", str(_table(tmp_path)), *IGNORE, "--suppress", "5", "-o", str(target)]) == 0
    )
    assert "primary" not in target.read_text()


@pytest.mark.parametrize(
    "option",
    [
        ["--suppress", "5"],
        ["--by", "gender"],
        ["--by", ""],
        ["--excluded", "EXCLUDED"],
        ["--strict"],
        ["--project", "PROJECT"],
        ["--engine", "pandas"],
    ],
)
def test_sfc2021_layout_refuses_options_it_cannot_honour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    """--layout sfc2021 with --suppress, --by, --excluded, --strict, --project is an error."""
    project, _ = example()
    project_path = tmp_path / "project.json"
    inclusionkit.write(project, project_path)
    excluded = tmp_path / "excluded.csv"
    option = [
        {"EXCLUDED": str(excluded), "PROJECT": str(project_path)}.get(item, item) for item in option
    ]
    argv = ["report", str(_table(tmp_path)), "--layout", "sfc2021", "--allow-other-period"]
    code = main([*argv, *option])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot honour {option[0]}" in err
    assert not excluded.exists()
