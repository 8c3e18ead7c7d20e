"""Tests for loading, checking and saving project documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from inclusionkit import (
    InclusionKitError,
    Project,
    ValidationError,
    load_project,
    project_to_dict,
    save_project,
)
from inclusionkit._schemas import iter_schema_problems
from inclusionkit.models import PartnerRole
from inclusionkit.testing import projects


def test_minimal_document_loads(project_doc: dict[str, Any]) -> None:
    """A valid document becomes a Project with its partners and roles."""
    project = load_project(project_doc)
    assert isinstance(project, Project)
    assert project.lead.organisation.id == "acar"
    assert project.partners[1].role is PartnerRole.PARTNER
    assert project.parsed_code.key_area == "6.2"


@given(projects())
def test_any_project_round_trips_through_json(project: Project) -> None:
    """Every valid project dumps to schema-valid JSON and loads back equal."""
    document = json.loads(json.dumps(project_to_dict(project)))
    assert list(iter_schema_problems(document, "project")) == []
    assert load_project(document) == project


def test_save_and_load_file(tmp_path: Path, project_doc: dict[str, Any]) -> None:
    """A saved project file loads back equal to the original."""
    project = load_project(project_doc)
    path = tmp_path / "p.json"
    save_project(project, path)
    assert load_project(path) == project


def _problems(doc: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_project(path)
    assert all(p.source == str(path) for p in info.value.problems)
    return [f"{p.location} {p.message}" for p in info.value.problems]


def test_schema_errors_are_all_reported(project_doc: dict[str, Any], tmp_path: Path) -> None:
    """A missing role, an unknown unit and a non-numeric target are reported together."""
    del project_doc["partners"][1]["role"]
    project_doc["objectives"][0]["indicators"][0]["unit"] = "bananas"
    project_doc["objectives"][0]["indicators"][0]["target"] = "many"
    problems = _problems(project_doc, tmp_path)
    assert len(problems) == 3
    assert any(p.startswith("$.partners[1] 'role' is required") for p in problems)
    assert any("bananas" in p and ".unit" in p for p in problems)
    assert any(".target" in p and "many" in p for p in problems)


def test_semantic_errors_are_all_reported(project_doc: dict[str, Any], tmp_path: Path) -> None:
    """A garbled code, a second lead, an unknown region and bad references are all listed."""
    project_doc["code"] = "POSDRU/165"
    project_doc["partners"][1]["role"] = "lead"
    project_doc["locations"] = [{"region": "RO13"}]
    project_doc["activities"][0]["partner"] = "nobody"
    project_doc["activities"][0]["kind"] = "picnic"
    project_doc["activities"][0]["end"] = "2014-01-01"
    problems = _problems(project_doc, tmp_path)
    joined = "\n".join(problems)
    assert "$.code" in joined
    assert "POSDRU/<call>" in joined
    assert "$.partners exactly one" in joined.replace("a project has ", "")
    assert "$.locations[0].region" in joined
    assert "$.activities[0].partner" in joined
    assert "$.activities[0].kind unknown activity kind 'picnic'" in joined
    assert "$.activities[0].end" in joined


def test_city_outside_its_region_is_reported(project_doc: dict[str, Any], tmp_path: Path) -> None:
    """A location whose city lies in another region is a problem."""
    project_doc["locations"] = [{"region": "RO32", "city": "Iași"}]
    assert any("RO21" in p for p in _problems(project_doc, tmp_path))


def test_unreadable_files_raise_clear_errors(tmp_path: Path) -> None:
    """A missing file and broken JSON raise InclusionKitError naming the file."""
    with pytest.raises(InclusionKitError, match="no such file"):
        load_project(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  'code': 1", encoding="utf-8")
    with pytest.raises(InclusionKitError, match=r"broken.json: not valid JSON at line 2"):
        load_project(broken)
