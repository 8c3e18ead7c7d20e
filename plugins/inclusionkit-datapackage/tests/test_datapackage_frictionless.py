"""The frictionless library says every package we write is valid: seeds and generated projects."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inclusionkit_datapackage import write_datapackage

from inclusionkit import Project, examples
from inclusionkit.testing import participation_tables, projects

frictionless = pytest.importorskip("frictionless")

# Writing and validating a package takes most of a second, so fewer examples than usual.
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def errors(source: Path) -> list[Any]:
    """Every error frictionless reports for a package (folder or zip), located."""
    target = source / "datapackage.json" if source.is_dir() else source
    report = frictionless.validate(str(target))
    assert report.stats["tasks"] > 0  # it really read the resources
    return list(report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]))


@pytest.mark.parametrize("name", examples.list())
def test_seed_folder_is_valid(name: str, tmp_path: Path) -> None:
    """Both bundled examples, with their participations, validate as folders."""
    example = examples.load(name)
    path = write_datapackage(example.project, tmp_path / name, example.participations)
    assert errors(path) == []


@pytest.mark.parametrize("name", examples.list())
def test_seed_zip_is_valid_in_romanian_with_suppression(name: str, tmp_path: Path) -> None:
    """Both examples validate as zips, in Romanian, with small counts suppressed."""
    example = examples.load(name)
    path = write_datapackage(
        example.project,
        tmp_path / f"{name}.zip",
        example.participations,
        lang="ro",
        suppress=5,
        rules="esf-2021",
        license="CC-BY-4.0",
    )
    assert errors(path) == []


@SETTINGS
@given(projects())
def test_generated_projects_are_valid(project: Project) -> None:
    """Any valid project gives a valid package."""
    # Not tmp_path: hypothesis cannot mix its arguments with pytest fixtures here.
    with tempfile.TemporaryDirectory() as folder:
        path = write_datapackage(project, Path(folder) / "package")
        assert errors(path) == []


@settings(SETTINGS, max_examples=20)
@given(
    projects(),
    participation_tables(max_rows=20),
    st.sampled_from(["esf-2007", "esf-2014", "esf-2021"]),
    st.none() | st.integers(2, 6),
)
def test_generated_projects_with_participations_are_valid(
    project: Project,
    table: pd.DataFrame,
    rules: str,
    suppress: int | None,
) -> None:
    """With a participation table (any rule set, suppressed or not) the package is valid."""
    table = table.assign(project_code=project.code).astype(
        {"project_code": table["project_code"].dtype}
    )
    with tempfile.TemporaryDirectory() as folder:
        path = write_datapackage(
            project, Path(folder) / "package.zip", table, rules=rules, suppress=suppress
        )
        assert errors(path) == []


def test_validator_catches_a_broken_foreign_key(tmp_path: Path) -> None:
    """A sanity check of the check: an activity run by a non-partner is reported."""
    example = examples.load("dreptul-la-munca")
    path = write_datapackage(example.project, tmp_path / "package")
    csv = path / "data" / "activities.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines[1:], start=1) if ",agentia," in line)
    lines[row] = lines[row].replace(",agentia,", ",nobody,")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    descriptor = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        resource.pop("hash")  # the edit changed the file; test the key, not the hash
        resource.pop("bytes")
    (path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    found = errors(path)
    assert "partner" in header
    assert [e[3] for e in found] == ["foreign-key"]
    assert "nobody" in str(frictionless.validate(str(path / "datapackage.json")).flatten(["note"]))


def test_validator_catches_an_edited_file(tmp_path: Path) -> None:
    """The recorded hash makes frictionless notice a table changed after export."""
    example = examples.load("dialog-social")
    path = write_datapackage(example.project, tmp_path / "package")
    csv = path / "data" / "partners.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("cries", "CRIES"), encoding="utf-8")
    assert {e[3] for e in errors(path)} >= {"hash-count"}
