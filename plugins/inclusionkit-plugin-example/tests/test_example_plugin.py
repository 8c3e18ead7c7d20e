"""Tests for the Markdown exporter."""

from pathlib import Path

import inclusionkit_plugin_example
import pandas as pd

# Until inclusionkit re-exports it as ``inclusionkit.write``:
from inclusionkit import write
from inclusionkit.testing import registered_plugin


def test_is_registered_as_markdown() -> None:
    """The plugin contributes a 'markdown' exporter for progress tables."""
    with registered_plugin(inclusionkit_plugin_example, name="example") as pm:
        exporter = pm.exporters()["markdown"]
    assert exporter.kinds == {"progress"}
    assert exporter.plugin == "example"


def test_writes_a_table(tmp_path: Path) -> None:
    """A progress table becomes a Markdown table with one line per indicator."""
    table = pd.DataFrame({"indicator": ["CO01"], "target": [100.0], "achieved": [42.0]})
    with registered_plugin(inclusionkit_plugin_example, name="example"):
        write(table, tmp_path / "p.md", kind="progress")
    lines = (tmp_path / "p.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| indicator | target | achieved |"
    assert lines[2] == "| CO01 | 100.0 | 42.0 |"


def test_missing_values_and_pipes(tmp_path: Path) -> None:
    """A missing number is an empty cell and a '|' in a name is escaped."""
    table = pd.DataFrame(
        {"indicator": ["I1"], "name": ["a | b"], "achieved": pd.array([None], dtype="Float64")}
    )
    with registered_plugin(inclusionkit_plugin_example, name="example"):
        write(table, tmp_path / "p.md", kind="progress")
    lines = (tmp_path / "p.md").read_text(encoding="utf-8").splitlines()
    assert lines[2] == r"| I1 | a \| b |  |"
