"""Tests for the plugins, formats and convert commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas.testing as pdt
import pytest
from click.testing import CliRunner

from inclusionkit._io import read, write
from inclusionkit._plugins import BLOCK_ENV, PluginWarning, build_plugin_manager, use_plugin_manager
from inclusionkit.cli._plugins import convert_command, formats_command, plugins_command
from tests.default_plugins.strategies import sample_participations
from tests.plugins.conftest import TEST_GROUP, InstallPlugin


def test_plugins_lists_the_builtins() -> None:
    """The table lists every built-in with version, status and hooks."""
    result = CliRunner().invoke(plugins_command, [])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "version", "status", "hooks"]
    assert any(
        line.startswith("inclusionkit.default_plugins.csv_format") and " ok " in line
        for line in lines
    )


def test_plugins_json_shows_broken_and_blocked_plugins(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--json gives name, version, hooks, status and error for every plugin, broken included."""
    install_plugin("boom", "raise ImportError('missing dependency: lxml')")
    install_plugin("off", "raise AssertionError('imported')")
    monkeypatch.setenv(BLOCK_ENV, "off")
    with pytest.warns(PluginWarning, match="boom"):
        pm = build_plugin_manager(entry_points=True, group=TEST_GROUP)
    with use_plugin_manager(pm):
        result = CliRunner().invoke(plugins_command, ["--json"])
    assert result.exit_code == 0, result.output
    infos = {info["name"]: info for info in json.loads(result.output)}
    assert infos["boom"]["status"] == "broken"
    assert "missing dependency: lxml" in infos["boom"]["error"]
    assert infos["boom"]["version"] == "1.0"
    assert infos["off"]["status"] == "blocked"
    assert set(infos["inclusionkit.default_plugins.json_format"]) == {
        "name",
        "version",
        "hooks",
        "status",
        "error",
        "builtin",
        "distribution",
    }


def test_formats_lists_what_can_be_read_and_written() -> None:
    """formats shows each format's extensions, kinds read and written, and plugin."""
    result = CliRunner().invoke(formats_command, ["--json"])
    assert result.exit_code == 0, result.output
    formats = {entry["format"]: entry for entry in json.loads(result.output)}
    assert formats["json"]["read"] == ["participations", "progress", "project", "report"]
    assert formats["csv"]["extensions"] == [".csv", ".txt"]
    assert formats["parquet"]["plugin"] == ["inclusionkit.default_plugins.parquet_format"]
    table = CliRunner().invoke(formats_command, []).output
    assert "csv_format (built-in)" in table


def test_convert_csv_to_parquet(tmp_path: Path) -> None:
    """convert reads by one extension and writes by another."""
    write(sample_participations(), tmp_path / "in.csv")
    result = CliRunner().invoke(
        convert_command, [str(tmp_path / "in.csv"), str(tmp_path / "out.parquet")]
    )
    assert result.exit_code == 0, result.output
    assert "(participations)" in result.output
    pdt.assert_frame_equal(read(tmp_path / "out.parquet"), sample_participations())


def test_convert_with_explicit_formats_and_kind(tmp_path: Path) -> None:
    """--from, --to and --kind override the extensions and the content."""
    write(sample_participations(), tmp_path / "in.data", format="json")
    result = CliRunner().invoke(
        convert_command,
        [
            str(tmp_path / "in.data"),
            str(tmp_path / "out.data"),
            "--from",
            "json",
            "--to",
            "csv",
            "--kind",
            "participations",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.data").read_text(encoding="utf-8").startswith("participant_id,")
