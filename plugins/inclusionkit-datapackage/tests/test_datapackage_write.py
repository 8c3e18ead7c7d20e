"""Writing packages: folders replaced atomically, zips, and the exporter the host finds."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import inclusionkit_datapackage
import pytest
from inclusionkit_datapackage import _write, write_datapackage

from inclusionkit import InclusionKitError, compute, examples, write
from inclusionkit.testing import registered_plugin


@pytest.fixture(scope="module")
def dlm() -> examples.Example:
    """The example with a participation table."""
    return examples.load("dreptul-la-munca")


def test_folder_layout(dlm: examples.Example, tmp_path: Path) -> None:
    """datapackage.json beside data/*.csv, nothing else, no staging folders left."""
    path = write_datapackage(dlm.project, tmp_path / "out" / "package", dlm.participations)
    assert sorted(p.name for p in path.iterdir()) == ["data", "datapackage.json"]
    assert (path / "data" / "indicator_table.csv").is_file()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["package"]


def test_existing_package_is_replaced(dlm: examples.Example, tmp_path: Path) -> None:
    """Writing again replaces the old package, including files it no longer has."""
    target = tmp_path / "package"
    write_datapackage(dlm.project, target, dlm.participations)
    write_datapackage(dlm.project, target)
    assert not (target / "data" / "indicator_table.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["package"]


def test_failed_write_keeps_the_previous_package(
    dlm: examples.Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error half-way leaves the old package as it was and no staging folder behind."""
    target = tmp_path / "package"
    write_datapackage(dlm.project, target)
    before = (target / "datapackage.json").read_bytes()

    def half_then_fail(package: object, folder: Path) -> None:
        """Write part of the package, then fail like a full disk."""
        (folder / "datapackage.json").write_text("{}", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(_write, "write_folder", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_datapackage(dlm.project, target)
    assert (target / "datapackage.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["package"]


def test_unrelated_folder_is_never_replaced(dlm: examples.Example, tmp_path: Path) -> None:
    """A non-empty folder without datapackage.json is refused, and left alone."""
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(InclusionKitError, match="refusing to replace"):
        write_datapackage(dlm.project, target)
    assert (target / "thesis.docx").read_bytes() == b"precious"


def test_a_file_in_the_way_is_an_error(dlm: examples.Example, tmp_path: Path) -> None:
    """A path that is a file (not .zip) is not silently overwritten."""
    target = tmp_path / "package"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="not a folder"):
        write_datapackage(dlm.project, target)


def test_zip_has_the_descriptor_at_its_root(dlm: examples.Example, tmp_path: Path) -> None:
    """A .zip path gives a zipped package with the same files, reproducibly."""
    first = write_datapackage(dlm.project, tmp_path / "a.zip", dlm.participations)
    second = write_datapackage(dlm.project, tmp_path / "b.zip", dlm.participations)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        descriptor = json.loads(archive.read("datapackage.json"))
    assert names[0] == "datapackage.json"
    assert {f"data/{r['name']}.csv" for r in descriptor["resources"]} == set(names[1:])


def test_unknown_option_is_an_error(dlm: examples.Example, tmp_path: Path) -> None:
    """A mistyped option is named, not ignored."""
    with pytest.raises(InclusionKitError, match=r"unknown datapackage option.*'as_off'"):
        write_datapackage(dlm.project, tmp_path / "p.zip", as_off="2015-01-01")


def test_host_writes_a_zip_through_the_plugin(dlm: examples.Example, tmp_path: Path) -> None:
    """inclusionkit's write() finds the exporter by the .zip extension, atomically."""
    target = tmp_path / "package.zip"
    with registered_plugin(inclusionkit_datapackage, "datapackage") as pm:
        exporter = pm.exporters()["datapackage"]
        assert exporter.kinds == frozenset({"project", "report"})
        write(dlm.project, target, participations=dlm.participations, as_of="2015-06-30")
    with zipfile.ZipFile(target) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["inclusionkit"]["as_of"] == "2015-06-30"
    assert "indicator_table" in [r["name"] for r in descriptor["resources"]]
    assert [p.name for p in tmp_path.iterdir()] == ["package.zip"]


def test_host_refuses_other_kinds(dlm: examples.Example, tmp_path: Path) -> None:
    """The datapackage format writes projects, nothing else."""
    with (
        registered_plugin(inclusionkit_datapackage, "datapackage"),
        pytest.raises(InclusionKitError, match="cannot write participations"),
    ):
        write(dlm.participations, tmp_path / "x.zip", format="datapackage")
    assert list(tmp_path.iterdir()) == []


def test_entry_point_is_declared() -> None:
    """The installed distribution names the module in the inclusionkit group."""
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="inclusionkit")}
    assert found.get("datapackage") == "inclusionkit_datapackage"


def test_host_writes_a_report_as_a_package(dlm: examples.Example, tmp_path: Path) -> None:
    """write(report, "x.zip") publishes an indicator report: its definitions and table only."""
    report = compute(dlm.participations, "esf-2014")
    target = tmp_path / "indicators.zip"
    write(report, target)
    with zipfile.ZipFile(target) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["indicator_definitions", "indicator_table"]
    provenance = descriptor["resources"][1]["provenance"]
    assert provenance == report.provenance.as_dict()


def test_report_with_project_option_is_the_project_package(
    dlm: examples.Example, tmp_path: Path
) -> None:
    """write(report, path, project=...) gives the project's package built on that report."""
    report = compute(dlm.participations, "esf-2014", by=("gender",), project=dlm.project)
    write(report, tmp_path / "a.zip", project=dlm.project, participations=dlm.participations)
    write(dlm.project, tmp_path / "b.zip", participations=dlm.participations)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
