"""Tests for the built-in JSON format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from hypothesis import given

from inclusionkit._contract import COLUMN_NAMES
from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._io import read, write
from inclusionkit._report_data import ReportData
from inclusionkit._schemas import schema
from inclusionkit.models import Project
from inclusionkit.testing import (
    assert_round_trip,
    participation_tables,
    progress_tables,
    projects,
)
from tests.default_plugins.strategies import engine_report, report_objects, sample_participations


@given(participation_tables())
def test_participations_round_trip(table: pd.DataFrame) -> None:
    """A participation table written as JSON reads back equal, dtypes included."""
    assert_round_trip(table, "json")


@given(projects())
def test_project_round_trip(project: Project) -> None:
    """A project written as JSON reads back as an equal Project."""
    assert_round_trip(project, "json")


@given(progress_tables())
def test_progress_round_trip(table: pd.DataFrame) -> None:
    """A progress table written as JSON reads back equal."""
    assert_round_trip(table, "json")


@given(report_objects())
def test_report_round_trip(report: Any) -> None:
    """A report written as JSON reads back with equal tables and provenance."""
    assert_round_trip(report, "json")


def test_engine_report_round_trip() -> None:
    """A report computed by the indicator engine round-trips (its provenance unstructured)."""
    assert_round_trip(engine_report(), "json")


def test_participations_are_schema_valid_records_one_per_line(tmp_path: Path) -> None:
    """Written participations are a list of records valid against the participation schema."""
    table = sample_participations()
    table["cnp"] = "1900101"
    write(table, tmp_path / "p.json")
    text = (tmp_path / "p.json").read_text(encoding="utf-8")
    assert text.count("\n") == len(table) + 2
    records = json.loads(text)
    for record in records:
        jsonschema.validate(record, schema("participation"))
    assert records[0]["birth_date"] == "1990-05-03"
    assert records[0]["partner"] == "Asociația Șanse Egale"
    assert "cnp" not in records[0]


def test_report_document_shape(tmp_path: Path) -> None:
    """A report is an object with provenance, table, excluded, checks (and their dtypes)."""
    report = ReportData(
        table=pd.DataFrame({"indicator": ["CO01"], "value": [2.0]}),
        provenance={"ruleset": "esf-2014"},
    )
    write(report, tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["provenance"] == {"ruleset": "esf-2014"}
    assert document["table"] == [{"indicator": "CO01", "value": 2.0}]
    assert document["excluded"] == []
    assert document["checks"] == []
    assert document["dtypes"]["table"] == {"indicator": "str", "value": "float64"}


def test_schema_problems_are_all_listed_with_their_path(tmp_path: Path) -> None:
    """Every record breaking the schema is reported with its $[row] path; nothing is read."""
    path = tmp_path / "p.json"
    records = [
        {"participant_id": "P1", "project_code": "X", "gender": "woman"},
        {"participant_id": "P2"},
    ]
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read(path, kind="participations")
    locations = [problem.location for problem in caught.value.problems]
    assert locations == ["$[0].gender", "$[1]"]
    assert all(problem.source == str(path) for problem in caught.value.problems)


def test_missing_optional_columns_are_unknown(tmp_path: Path) -> None:
    """Records with only the required keys read as a canonical table with unknowns."""
    path = tmp_path / "p.json"
    path.write_text('[{"participant_id": "P1", "project_code": "X"}]', encoding="utf-8")
    frame = read(path)
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert len(frame) == 1
    assert pd.isna(frame.loc[0, "entry_date"])


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        ([{"participant_id": "P1", "project_code": "X"}], "participations"),
        ([{"indicator": "A", "target": 1.0, "achieved": None}], "progress"),
        ({"provenance": {}, "table": []}, "report"),
    ],
)
def test_kind_is_told_from_the_content(tmp_path: Path, document: Any, kind: str) -> None:
    """Without kind=, the document's shape decides what is read."""
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = read(path)
    expected = {"participations": pd.DataFrame, "progress": pd.DataFrame, "report": ReportData}
    assert isinstance(result, expected[kind])


def test_project_is_told_from_the_content(tmp_path: Path, project_doc: dict[str, Any]) -> None:
    """A project document reads as a Project without kind=."""
    path = tmp_path / "project.json"
    path.write_text(json.dumps(project_doc), encoding="utf-8")
    assert isinstance(read(path), Project)


def test_an_empty_list_needs_a_kind(tmp_path: Path) -> None:
    """An empty list could be any table: kind= is required."""
    path = tmp_path / "x.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="pass kind="):
        read(path)
    assert read(path, kind="participations").empty


def test_binary_junk_named_json_is_refused(tmp_path: Path) -> None:
    """Binary content gets an error naming the file and what it is."""
    path = tmp_path / "data.json"
    path.write_bytes(b"PAR1" + bytes(100))
    with pytest.raises(InclusionKitError, match=r"data\.json: this is a Parquet file, not a JSON"):
        read(path)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    """A syntax error is reported with its position."""
    path = tmp_path / "x.json"
    path.write_text('[\n {"a": 1,}\n]', encoding="utf-8")
    with pytest.raises(InclusionKitError, match=r"x\.json: not valid JSON at line 2"):
        read(path)


def test_non_utf8_json_is_refused(tmp_path: Path) -> None:
    """JSON must be UTF-8."""
    path = tmp_path / "x.json"
    path.write_bytes('[{"participant_id": "Ştefan"}]'.encode("cp1250"))
    with pytest.raises(InclusionKitError, match="not UTF-8"):
        read(path)


def test_invalid_project_lists_its_problems(tmp_path: Path, project_doc: dict[str, Any]) -> None:
    """A project document with problems raises ValidationError naming the file."""
    project_doc["partners"][0]["role"] = "boss"
    path = tmp_path / "project.json"
    path.write_text(json.dumps(project_doc), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"project\.json"):
        read(path, kind="project")
