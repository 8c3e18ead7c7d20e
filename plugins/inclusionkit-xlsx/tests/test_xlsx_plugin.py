"""The plugin as inclusionkit sees it: hooks, entry point, reading and writing through the host."""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points
from pathlib import Path

import inclusionkit_xlsx
import pandas as pd
import pluggy

from inclusionkit import hookspecs, read, write
from inclusionkit.testing import registered_plugin


def test_hooks_match_the_hook_specifications() -> None:
    """Every hook implementation names a real hook with the right arguments."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(inclusionkit_xlsx, name="xlsx")
    pm.check_pending()
    importers: list[object] = []
    exporters: list[object] = []
    pm.hook.register_importers(register=importers.append)
    pm.hook.register_exporters(register=exporters.append)
    assert len(importers) == len(exporters) == 1


def test_registered_formats() -> None:
    """The plugin contributes an 'xlsx' importer of participations and exporter of four kinds."""
    with registered_plugin(inclusionkit_xlsx, name="xlsx") as pm:
        importer = pm.importers()["xlsx"]
        exporter = pm.exporters()["xlsx"]
    assert importer.extensions == (".xlsx",)
    assert importer.kinds == {"participations"}
    assert exporter.kinds == {"report", "progress", "participations", "template"}
    assert importer.plugin == exporter.plugin == "xlsx"


def test_entry_point_is_installed() -> None:
    """The distribution declares the 'xlsx' entry point in the 'inclusionkit' group."""
    found = {ep.name: ep.value for ep in entry_points(group="inclusionkit")}
    assert found.get("xlsx") == "inclusionkit_xlsx"


def test_read_and_write_through_the_host(romanian_register: Path, tmp_path: Path) -> None:
    """inclusionkit's read and write pick the plugin by the .xlsx extension."""
    with registered_plugin(inclusionkit_xlsx, name="xlsx"), warnings.catch_warnings():
        warnings.simplefilter("error")
        table = read(romanian_register)
        write(table, tmp_path / "copy.xlsx")
        again = read(tmp_path / "copy.xlsx")
    pd.testing.assert_frame_equal(again, table)


def test_read_options_pass_through_the_host(romanian_register: Path) -> None:
    """Keyword options given to inclusionkit's read reach the plugin."""
    with registered_plugin(inclusionkit_xlsx, name="xlsx"):
        table = read(romanian_register, keep_identifiers=True)
    assert "cnp" in table.columns
