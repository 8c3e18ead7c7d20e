"""Mapping files: the packaged schema, the built-in mapping, header keys, a project's headers."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from inclusionkit_xlsx import XlsxImportWarning, load_mapping, mapping_schema, read_xlsx

from conftest import ROMANIAN_HEADERS, ROMANIAN_ROWS, make_workbook
from inclusionkit import (
    COLUMN_NAMES,
    IDENTIFIER_COLUMNS,
    InclusionKitError,
    ValidationError,
    default_mapping,
)
from inclusionkit import mapping_key as key

DEFAULT_MAPPING = (
    Path(__file__).parents[3] / "src" / "inclusionkit" / "_ingest" / "default_mapping.json"
)


def read(source: Path, **options: Any) -> pd.DataFrame:
    """Read participations with the plugin's reader, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_xlsx(source, kind="participations", options=options)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    """The packaged mapping schema is itself valid JSON Schema (draft 2020-12)."""
    schema = mapping_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_lists_exactly_the_canonical_columns_and_identifiers() -> None:
    """The schema's column enum stays in step with the core's canonical columns."""
    assert mapping_schema()["$defs"]["column"]["enum"] == [*COLUMN_NAMES, *IDENTIFIER_COLUMNS]


def test_builtin_mapping_is_valid_against_the_schema() -> None:
    """The built-in mapping file is a valid mapping document."""
    document = json.loads(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(mapping_schema()).validate(document)


def test_builtin_mapping_covers_the_romanian_register_headers() -> None:
    """Every header of the example Romanian register is known to the built-in mapping."""
    mapping = default_mapping()
    assert all(mapping.target(header) is not None for header in ROMANIAN_HEADERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Data nașterii", "data nasterii"),
        ("DATA NAŞTERII", "data nasterii"),
        ("data_naşterii", "data nasterii"),
        ("  Statut pe piaţa   muncii ", "statut pe piata muncii"),
        ("Nivel educație (ISCED)", "nivel educatie isced"),
        ("Persoană cu dizabilități", "persoana cu dizabilitati"),
    ],
)
def test_key_ignores_case_spaces_punctuation_and_diacritics(text: str, expected: str) -> None:
    """Header keys fold case, spacing, punctuation and both cedilla and comma-below letters."""
    assert key(text) == expected


def test_project_headers_and_values_from_a_mapping_file(tmp_path: Path) -> None:
    """A mapping file declares a project's own headers and value words."""
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "$schema": "https://inclusionkit.org/schemas/xlsx-mapping.schema.json",
                "project_code": "POCU/449/4/16/127700",
                "columns": {
                    "Nr. dosar": "participant_id",
                    "Gen": "gender",
                    "Născut la": "birth_date",
                    "Înscris la": "entry_date",
                    "Situație": "labour_status",
                    "Studii": {"column": "isced", "values": {"liceu": 3, "gimnaziu": 2}},
                    "Observații": None,
                },
                "values": {"labour_status": {"fără loc de muncă": "unemployed"}},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    path = make_workbook(
        tmp_path / "r.xlsx",
        ["Nr. dosar", "Gen", "Născut la", "Înscris la", "Situație", "Studii", "Observații"],
        [
            ["D-17", "F", "02.01.1990", "01.09.2019", "fără loc de muncă", "liceu", "…"],
            ["D-18", "M", "03.01.1990", "01.09.2019", "șomer", "Gimnaziu", None],
        ],
    )
    table = read(path, mapping=mapping)
    assert table["participant_id"].tolist() == ["D-17", "D-18"]
    assert table["labour_status"].tolist() == ["unemployed", "unemployed"]
    assert table["isced"].tolist() == [3, 2]
    assert set(table["project_code"]) == {"POCU/449/4/16/127700"}


def test_mapping_as_a_dict(romanian_register: Path) -> None:
    """A parsed mapping (a dict) works like a file."""
    table = read(romanian_register, mapping={"columns": {"Partener": None}})
    assert table["partner"].isna().all()


def test_mapping_can_turn_off_builtin_headers(romanian_register: Path) -> None:
    """builtin_headers=false leaves only canonical names and the file's own headers."""
    with pytest.raises(InclusionKitError, match="no header row"):
        read(romanian_register, mapping={"builtin_headers": False})


def test_mapping_overrides_a_builtin_value(romanian_register: Path) -> None:
    """A project's mapping wins over the built-in one (here: 'Etnie romă' is any minority)."""
    mapping = {"columns": {"Etnie romă": {"column": "minority", "values": {"nu": False}}}}
    table = read(romanian_register, mapping=mapping)
    assert table["minority"].tolist() == [True, False, pd.NA, True]


def test_mapping_that_breaks_the_schema_names_every_problem(tmp_path: Path) -> None:
    """An invalid mapping file is refused with each problem located by JSON path."""
    mapping = tmp_path / "bad.json"
    mapping.write_text(
        json.dumps({"columns": {"Sex": "sex"}, "header_row": 0, "colums": {}}), encoding="utf-8"
    )
    with pytest.raises(ValidationError) as info:
        load_mapping(mapping)
    locations = {problem.location for problem in info.value.problems}
    assert locations == {"$", "$.columns.Sex", "$.header_row"}
    assert all(problem.source == str(mapping) for problem in info.value.problems)


def test_mapping_with_two_spellings_of_one_header_is_refused() -> None:
    """Two entries that match the same header (by key) are refused, not silently merged."""
    with pytest.raises(ValidationError, match="listed twice"):
        load_mapping({"columns": {"Data nașterii": "birth_date", "DATA NASTERII": "entry_date"}})


def test_mapping_file_that_is_not_json(tmp_path: Path) -> None:
    """A mapping file that is not JSON gets a clear error naming it."""
    mapping = tmp_path / "m.json"
    mapping.write_text("columns: {Sex: gender}", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="not valid UTF-8 JSON"):
        load_mapping(mapping)
    with pytest.raises(InclusionKitError, match="mapping file not found"):
        load_mapping(tmp_path / "missing.json")


def test_two_headers_filling_one_column_are_refused(tmp_path: Path) -> None:
    """Two headers that fill the same column are an error, not a silent choice."""
    header = [*ROMANIAN_HEADERS, "Etnie rromă"]
    rows = [[*row, "Da"] for row in ROMANIAN_ROWS]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.raises(ValidationError, match="'Etnie romă' and 'Etnie rromă' both fill 'roma'"):
        read(path)


def test_ignored_header_is_not_reported(tmp_path: Path) -> None:
    """A header mapped to null is left out on purpose, without a warning."""
    header = [*ROMANIAN_HEADERS, "Observații"]
    rows = [[*row, "text"] for row in ROMANIAN_ROWS]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.warns(XlsxImportWarning):
        read_xlsx(path, kind="participations", options={})
    assert len(read(path, mapping={"columns": {"Observații": None}})) == 4


def test_sheet_and_header_row_from_the_mapping(tmp_path: Path) -> None:
    """A mapping file can say which sheet and header row to read."""

    def add_sheets(workbook: Any) -> None:
        other = workbook.create_sheet("2020")
        other.append(["Anul 2020"])
        other.append(ROMANIAN_HEADERS)
        other.append(ROMANIAN_ROWS[0])

    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS, edit=add_sheets)
    assert len(read(path, mapping={"sheet": "2020", "header_row": 2})) == 1
