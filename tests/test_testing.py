"""Tests for inclusionkit.testing: plugin registration for one test, round trips, strategies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import Exporter, Importer
from inclusionkit._io import write
from inclusionkit._plugins import (
    NO_ENTRY_POINTS_ENV,
    PluginError,
    get_plugin_manager,
    reset_plugin_manager,
)
from inclusionkit._report_data import ReportData
from inclusionkit.default_plugins import PROGRESS_DTYPES
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl
from inclusionkit.testing import (
    assert_round_trip,
    plugin_manager,
    progress_tables,
    registered_plugin,
    reports,
)


@pytest.fixture(autouse=True)
def _no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The current manager has the built-ins only, and is rebuilt for every test."""
    monkeypatch.setenv(NO_ENTRY_POINTS_ENV, "1")
    reset_plugin_manager()
    yield
    reset_plugin_manager()


def _write_lossy(obj: Any, path: os.PathLike[str], *, kind: str, options: Any) -> None:
    obj.head(1).to_csv(path, index=False)


def _read_lossy(source: Any, *, kind: str, options: Any) -> pd.DataFrame:
    return pd.read_csv(source)


class Lossy:
    """A plugin whose format keeps only the first row."""

    __name__ = "lossy-plugin"

    @hookimpl
    def register_exporters(self, register: RegisterExporter) -> None:
        register(
            Exporter(name="lossy", extensions=(".lossy",), kinds={"progress"}, write=_write_lossy)
        )

    @hookimpl
    def register_importers(self, register: RegisterImporter) -> None:
        register(
            Importer(name="lossy", extensions=(".lossy",), kinds={"progress"}, read=_read_lossy)
        )


def test_plugin_manager_has_builtins_and_no_installed_plugins() -> None:
    """plugin_manager() is fresh, with the built-in formats only."""
    pm = plugin_manager()
    assert pm is not get_plugin_manager()
    assert set(pm.exporters()) == {"csv", "json", "parquet"}
    assert all(info.builtin for info in pm.plugin_info())
    assert plugin_manager(builtins=False).exporters() == {}


def test_registered_plugin_is_current_inside_the_block_only(tmp_path: Path) -> None:
    """inclusionkit.write sees the plugin inside the block, and not after it."""
    table = pd.DataFrame({"indicator": ["A", "B"], "target": [1.0, 2.0], "achieved": [0.0, 1.0]})
    with registered_plugin(Lossy()) as pm:
        assert get_plugin_manager() is pm
        assert pm.exporters()["lossy"].plugin == "lossy-plugin"
        write(table, tmp_path / "t.lossy")
    assert (tmp_path / "t.lossy").exists()
    with pytest.raises(InclusionKitError, match="no format writes"):
        write(table, tmp_path / "u.lossy")
    assert not pm.has_plugin("lossy-plugin")


def test_registered_plugin_unregisters_when_the_test_fails() -> None:
    """The plugin is unregistered even if the block raises."""
    current = get_plugin_manager()
    seen: list[bool] = []

    def failing_test() -> None:
        with registered_plugin(Lossy(), name="lossy", fresh=False):
            seen.append(current.has_plugin("lossy"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_test()
    assert seen == [True]
    assert not current.has_plugin("lossy")
    assert "lossy" not in current.exporters()


def test_registered_plugin_refuses_a_misspelt_hook() -> None:
    """A hook name that is no hook fails at once, naming the hook."""

    class Typo:
        @hookimpl
        def register_exporter(self, register: RegisterExporter) -> None:
            pass

    with pytest.raises(PluginError, match="register_exporter"), registered_plugin(Typo(), "typo"):
        pass


def test_assert_round_trip_passes_and_returns_what_was_read() -> None:
    """A lossless format passes and the object read back is returned."""
    table = pd.DataFrame({"indicator": ["A"], "target": [1.0], "achieved": [0.0]})
    back = assert_round_trip(table, "json", kind="progress", check_dtype=False)
    assert list(back["indicator"]) == ["A"]


def test_assert_round_trip_fails_for_a_lossy_format() -> None:
    """A format that loses rows fails the assertion."""
    table = pd.DataFrame({"indicator": ["A", "B"], "target": [1.0, 2.0], "achieved": [0.0, 1.0]})
    with registered_plugin(Lossy()) as pm, pytest.raises(AssertionError):
        assert_round_trip(table, pm.exporters()["lossy"], pm.importers()["lossy"])


def test_assert_round_trip_accepts_unregistered_exporter_objects() -> None:
    """Exporter and Importer objects need not be registered."""
    table = pd.DataFrame({"indicator": ["A"], "target": [1.0], "achieved": [0.0]})
    exporter = Exporter(name="lossy", extensions=(".csv",), kinds={"progress"}, write=_write_lossy)
    importer = Importer(name="lossy", extensions=(".csv",), kinds={"progress"}, read=_read_lossy)
    assert_round_trip(table, exporter, importer)


def test_assert_round_trip_compares_report_parts() -> None:
    """For reports, the provenance is compared unless parts leaves it out."""
    table = pd.DataFrame({"indicator": ["A"], "value": [1]}).astype({"indicator": "string"})
    report = ReportData(table=table, provenance={"a": 1})
    assert_round_trip(report, "csv", parts=("table",))
    with pytest.raises(AssertionError, match="provenance differs"):
        assert_round_trip(report, "csv", parts=("table", "provenance"))


@given(progress_tables())
def test_progress_tables_have_the_progress_columns_and_dtypes(table: pd.DataFrame) -> None:
    """progress_tables() generates frames shaped like inclusionkit.progress returns."""
    assert list(table.columns) == list(PROGRESS_DTYPES)
    assert {name: str(dtype) for name, dtype in table.dtypes.items()} == PROGRESS_DTYPES
    assert table["indicator"].is_unique


@given(reports(by=("gender", "region")))
def test_reports_have_a_total_row_per_indicator_and_breakdown(report: ReportData) -> None:
    """reports() builds tidy tables with the breakdown columns and a JSON provenance."""
    table = report.table
    assert list(table.columns) == ["indicator", "gender", "region", "value"]
    assert table["indicator"].dtype == "string"
    for column in ("gender", "region"):
        per_indicator = table.dropna(subset=[column]).groupby("indicator")[column]
        assert all("total" in set(values) for _, values in per_indicator)
    assert report.provenance["by"] == ["gender", "region"]
    assert report.equals(report)
