"""Tests for the packaged JSON Schemas and the path-addressed errors they produce."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from inclusionkit import schema
from inclusionkit._schemas import SCHEMA_NAMES, iter_schema_problems
from inclusionkit.models import OrganisationKind, PartnerRole, Unit

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_valid_draft_2020_12(name: str) -> None:
    """Each packaged schema is itself a valid draft 2020-12 schema."""
    document = schema(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_schema_enums_match_the_model_vocabularies() -> None:
    """The schema's closed lists are exactly the model's enums."""
    defs = schema("project")["$defs"]
    assert set(defs["organisation"]["properties"]["kind"]["enum"]) == set(OrganisationKind)
    assert set(defs["partner"]["properties"]["role"]["enum"]) == set(PartnerRole)
    assert set(defs["indicator"]["properties"]["unit"]["enum"]) == set(Unit)


def test_errors_carry_json_paths(project_doc: dict[str, Any]) -> None:
    """A wrong value deep in a document is reported at its JSON path."""
    del project_doc["partners"][1]["role"]
    project_doc["objectives"][0]["indicators"][0]["target"] = "800"
    problems = list(iter_schema_problems(project_doc, "project", source="p.json"))
    locations = {p.location for p in problems}
    assert "$.partners[1]" in locations
    assert "$.objectives[0].indicators[0].target" in locations


def test_installed_wheel_finds_its_schemas(tmp_path: Path) -> None:
    """A built wheel carries the schemas and the installed package loads them from itself."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("inclusionkit-*.whl"))
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(target)
    assert "inclusionkit/_schemas/project.schema.json" in names
    script = (
        "import json, inclusionkit, inclusionkit._schemas as s;"
        "print(json.dumps([str(s._schema_folder()), inclusionkit.schema('project')['$id']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": ""},
        cwd=tmp_path,
    )
    folder, schema_id = json.loads(result.stdout)
    assert folder.startswith(str(target))
    assert schema_id.endswith("project.schema.json")


def test_participation_schema_lists_the_canonical_columns() -> None:
    """The participation schema has one property per canonical column, in order."""
    from inclusionkit import COLUMN_NAMES

    assert tuple(schema("participation")["properties"]) == COLUMN_NAMES
