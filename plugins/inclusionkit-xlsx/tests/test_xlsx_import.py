"""Reading participant registers: Romanian headers and values, identifiers, ids, left-out data."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from inclusionkit_xlsx import XlsxImportWarning, read_xlsx

from conftest import ROMANIAN_HEADERS, ROMANIAN_ROWS, make_workbook
from inclusionkit import COLUMN_NAMES, DTYPES, InclusionKitError, ValidationError, using_language


def read(source: Any, **options: Any) -> pd.DataFrame:
    """Read participations with the plugin's reader, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_xlsx(source, kind="participations", options=options)


def test_romanian_register_reads_to_canonical_values(romanian_register: Path) -> None:
    """Romanian headers, Romanian and English values, Excel and text dates become canonical."""
    table = read(romanian_register)
    assert list(table.columns) == list(COLUMN_NAMES)
    assert dict(table.dtypes) == DTYPES
    assert table["participant_id"].tolist() == ["P001", "P002", "P003", "P004"]
    assert table["gender"].tolist() == ["female", "male", "female", "male"]
    assert table["labour_status"].tolist() == [
        "long_term_unemployed",
        "inactive_in_education",
        "employed",
        "inactive",
    ]
    assert table["isced"].tolist() == [3, 2, 5, 1]
    assert table["birth_date"].tolist() == [
        pd.Timestamp("1990-01-02"),
        pd.Timestamp("1985-05-05"),
        pd.Timestamp("2000-03-03"),
        pd.Timestamp("1970-07-07"),
    ]
    assert table["entry_date"].tolist() == [
        pd.Timestamp("2019-09-01"),
        pd.Timestamp("2019-09-02"),
        pd.Timestamp("2019-10-01"),
        pd.Timestamp("2019-11-04"),
    ]
    assert table["exit_date"].isna().tolist() == [False, True, False, True]
    assert table.loc[2, "exit_date"] == pd.Timestamp("2019-12-15")
    assert table["rural"].tolist() == [True, False, False, True]
    assert table["disability"].tolist()[0] is False
    assert table["disability"].tolist()[2] is True
    assert table["region"].tolist() == ["RO21"] * 4
    assert table["qualification_at_exit"].tolist()[:3] == [True, pd.NA, False]
    assert table["employed_at_exit"].tolist()[:3] == [False, pd.NA, True]


def test_cedilla_values_become_comma_below(romanian_register: Path) -> None:
    """Text written with the cedilla ţ/ş is stored with the correct comma-below ț/ș."""
    table = read(romanian_register)
    assert table["partner"].tolist()[:2] == ["Asociația Alfa", "Asociația Alfa"]


def test_etnie_roma_is_the_roma_column(romanian_register: Path) -> None:
    """'Etnie romă' fills roma (Da true, Nu false); it says nothing of other minorities."""
    table = read(romanian_register)
    assert table["roma"].tolist() == [True, False, pd.NA, True]
    assert table["minority"].isna().all()


def test_identifiers_dropped_by_default(romanian_register: Path) -> None:
    """Names and CNP are not carried unless the caller asks for them."""
    table = read(romanian_register)
    assert not {"last_name", "first_name", "cnp"} & set(table.columns)


def test_identifiers_carried_on_request(romanian_register: Path) -> None:
    """With keep_identifiers the names and CNP come along as text (a numeric CNP cell included)."""
    table = read(romanian_register, keep_identifiers=True)
    assert list(table.columns) == [*COLUMN_NAMES, "last_name", "first_name", "cnp"]
    assert table["cnp"].tolist()[:2] == ["2900102123456", "1850505123456"]
    assert table["last_name"].tolist()[0] == "Popescu"
    assert str(table["cnp"].dtype) == str(DTYPES["participant_id"])


def test_headers_match_despite_case_spaces_and_cedillas(tmp_path: Path) -> None:
    """Headers written in capitals, with extra spaces and cedilla letters still match."""
    header = [
        "  id PARTICIPANT ",
        "COD  PROIECT",
        "sex",
        "Data naşterii",
        "Statut pe piaţa muncii",
        "nivel educatie isced",
        "DATA INTRARII",
    ]
    path = make_workbook(
        tmp_path / "r.xlsx",
        header,
        [["P1", "X-1", "M", "02.01.1990", "șomer", 2, "2020-01-01"]],
    )
    table = read(path)
    assert table.loc[0, "labour_status"] == "unemployed"
    assert table.loc[0, "birth_date"] == pd.Timestamp("1990-01-02")


def test_canonical_headers_are_understood(tmp_path: Path) -> None:
    """A register with the canonical column names reads without any mapping."""
    header = [
        "participant_id",
        "project_code",
        "gender",
        "birth_date",
        "entry_date",
        "labour_status",
        "isced",
        "minority",
    ]
    path = make_workbook(
        tmp_path / "r.xlsx",
        header,
        [["P1", "X-1", "non_binary", "1990-01-02", "2020-01-01", "self_employed", 6, "false"]],
    )
    table = read(path)
    assert table.loc[0, "gender"] == "non_binary"
    assert table["minority"].tolist() == [False]


def test_unmapped_column_is_reported_not_guessed(romanian_register: Path, tmp_path: Path) -> None:
    """A header that matches nothing is left out, and a warning names it and its column."""
    header = [*ROMANIAN_HEADERS, "Observații"]
    rows = [[*row, "text"] for row in ROMANIAN_ROWS]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.warns(XlsxImportWarning) as record:
        table = read_xlsx(path, kind="participations", options={})
    (warning,) = record
    problems = warning.message.problems  # type: ignore[union-attr]
    assert [p.code for p in problems] == ["column.unmapped"]
    assert problems[0].column == "Observații"
    assert "column T" in problems[0].message
    assert "Observații" not in table.columns


def test_strict_makes_an_unmapped_column_an_error(tmp_path: Path) -> None:
    """With strict=True an unmapped column stops the import."""
    header = [*ROMANIAN_HEADERS, "Observații"]
    rows = [[*row, "text"] for row in ROMANIAN_ROWS]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.raises(ValidationError, match="Observații"):
        read(path, strict=True)


def test_values_without_header_are_reported(tmp_path: Path) -> None:
    """A column with values but an empty header cell is reported as left out."""
    header = [*ROMANIAN_HEADERS, None]
    rows = [[*row, "x"] for row in ROMANIAN_ROWS]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.warns(XlsxImportWarning, match="column T has values but no header"):
        read_xlsx(path, kind="participations", options={})


def test_unknown_controlled_value_is_kept_and_reported(tmp_path: Path) -> None:
    """An unknown labour status is kept as written (the report lists it) and named in a warning."""
    rows = [list(row) for row in ROMANIAN_ROWS]
    rows[1][8] = "pensionar"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    with pytest.warns(XlsxImportWarning, match="'pensionar' is not a known value") as record:
        table = read_xlsx(path, kind="participations", options={})
    assert table.loc[1, "labour_status"] == "pensionar"
    problem = record[0].message.problems[0]  # type: ignore[union-attr]
    assert problem.location == "sheet 'Participanți', row 3"
    assert problem.column == "Statut pe piața muncii"


def test_no_id_column_is_a_clear_error(tmp_path: Path) -> None:
    """Without an id column nothing is derived from names or CNP: the error asks for an id."""
    header = [h for h in ROMANIAN_HEADERS if h != "ID participant"]
    rows = [
        [v for h, v in zip(ROMANIAN_HEADERS, row, strict=True) if h != "ID participant"]
        for row in ROMANIAN_ROWS
    ]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.raises(InclusionKitError, match="no participant id column") as info:
        read(path)
    assert "pseudonym" in str(info.value)
    assert str(path) in str(info.value)


def test_row_without_id_is_an_error(tmp_path: Path) -> None:
    """A row with values but no id (a totals row) is refused, naming its row."""
    rows = [
        *ROMANIAN_ROWS,
        [
            None,
            None,
            "Total",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            2,
            1,
        ],
    ]
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    with pytest.raises(ValidationError, match="no participant id") as info:
        read(path)
    assert info.value.problems[0].location == "sheet 'Participanți', row 6"


def test_project_code_option_fills_a_missing_column(tmp_path: Path) -> None:
    """A register without a project-code column takes the code from the options."""
    header = [h for h in ROMANIAN_HEADERS if h != "Cod proiect"]
    rows = [
        [v for h, v in zip(ROMANIAN_HEADERS, row, strict=True) if h != "Cod proiect"]
        for row in ROMANIAN_ROWS
    ]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.raises(ValidationError, match="project_code"):
        read(path)
    table = read(path, project_code="POCU/1/2/3/123456")
    assert set(table["project_code"]) == {"POCU/1/2/3/123456"}


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    """A register without a required column (Sex) is refused with the headers it could have used."""
    header = [h for h in ROMANIAN_HEADERS if h != "Sex"]
    rows = [
        [v for h, v in zip(ROMANIAN_HEADERS, row, strict=True) if h != "Sex"]
        for row in ROMANIAN_ROWS
    ]
    path = make_workbook(tmp_path / "r.xlsx", header, rows)
    with pytest.raises(ValidationError, match="'gender'") as info:
        read(path)
    assert info.value.problems[0].code == "column.missing"


def test_bad_cells_are_all_named_by_sheet_row_and_header(tmp_path: Path) -> None:
    """Every cell that does not parse is listed with its sheet row and the header as written."""
    rows = [list(row) for row in ROMANIAN_ROWS]
    rows[0][13] = "31.02.2019"
    rows[2][9] = "liceu"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows, above=[["Titlu"]])
    with pytest.raises(ValidationError) as info:
        read(path)
    found = {(p.location, p.column) for p in info.value.problems}
    assert found == {
        ("sheet 'Participanți', row 3", "Data intrării"),
        ("sheet 'Participanți', row 5", "Nivel educație (ISCED)"),
    }
    assert all(p.source == str(path) for p in info.value.problems)


def test_coerce_reads_bad_cells_as_unknown(tmp_path: Path) -> None:
    """With on_error='coerce' a bad cell becomes unknown and no row is lost."""
    rows = [list(row) for row in ROMANIAN_ROWS]
    rows[0][13] = "31.02.2019"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    table = read(path, on_error="coerce")
    assert len(table) == 4
    assert pd.isna(table.loc[0, "entry_date"])


def test_header_row_option(tmp_path: Path) -> None:
    """header_row points at the header when the rows above it would confuse the search."""
    above = [["ID participant", "Sex"], ["(legendă)"]]
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS, above=above)
    table = read(path, header_row=3)
    assert len(table) == 4


def test_reads_a_binary_file_object(romanian_register: Path) -> None:
    """A binary file object reads like a path."""
    with open(romanian_register, "rb") as handle:
        table = read(handle)
    assert len(table) == 4


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    """Empty rows between or after the data are not participations."""
    rows = [ROMANIAN_ROWS[0], [], [None] * 5, ROMANIAN_ROWS[1]]
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    assert read(path)["participant_id"].tolist() == ["P001", "P002"]


def test_prefilled_row_numbers_are_not_participations(tmp_path: Path) -> None:
    """Rows holding only a pre-filled 'Nr. crt.' (an ignored column) are not participations."""
    rows = [*ROMANIAN_ROWS, [5], [6], [7]]
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    assert len(read(path)) == 4


def test_empty_register_reads_as_empty_table(tmp_path: Path) -> None:
    """A register with a header and no rows is an empty canonical table."""
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, [])
    table = read(path)
    assert len(table) == 0
    assert dict(table.dtypes) == DTYPES


def test_picks_the_sheet_with_the_register(tmp_path: Path) -> None:
    """With several sheets, the one sheet holding a register is read."""

    def add_sheets(workbook: Any) -> None:
        notes = workbook.create_sheet("Instrucțiuni", 0)
        notes.append(["Completați registrul pe foaia următoare."])

    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS, edit=add_sheets)
    assert len(read(path)) == 4


def test_two_registers_need_a_sheet_option(tmp_path: Path) -> None:
    """Two sheets that both look like registers are not silently half-read: pick one."""

    def add_sheets(workbook: Any) -> None:
        other = workbook.create_sheet("2020")
        other.append(ROMANIAN_HEADERS)
        other.append(ROMANIAN_ROWS[0])

    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS, edit=add_sheets)
    with pytest.raises(InclusionKitError, match="2 sheets look like participant registers"):
        read(path)
    assert len(read(path, sheet="2020")) == 1
    assert len(read(path, sheet=0)) == 4
    with pytest.raises(InclusionKitError, match="there is no sheet 'Foaie1'"):
        read(path, sheet="Foaie1")


def test_unknown_option_is_refused(romanian_register: Path) -> None:
    """A misspelt option is an error, not silently ignored (keep_identifier would leak nothing)."""
    with pytest.raises(InclusionKitError, match="keep_identifier"):
        read(romanian_register, keep_identifier=True)


def test_other_kinds_are_refused(romanian_register: Path) -> None:
    """The reader reads participations only."""
    with pytest.raises(InclusionKitError, match="reads participations"):
        read_xlsx(romanian_register, kind="project", options={})


def test_excel_datetimes_keep_their_day(tmp_path: Path) -> None:
    """A date cell with a time of day gives its calendar day."""
    rows = [list(ROMANIAN_ROWS[0])]
    rows[0][13] = dt.datetime(2019, 9, 1, 17, 30)
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    assert read(path).loc[0, "entry_date"] == pd.Timestamp("2019-09-01")


def test_register_placed_away_from_a1_keeps_its_row_numbers(tmp_path: Path) -> None:
    """A register starting at C3 (empty rows and columns first) reads, naming rows correctly."""

    def move(workbook: Any) -> None:
        sheet = workbook.active
        sheet.insert_rows(1, amount=2)
        sheet.insert_cols(1, amount=2)

    rows = [list(row) for row in ROMANIAN_ROWS]
    rows[1][7] = "ieri"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows, edit=move)
    with pytest.raises(ValidationError) as info:
        read(path)
    (problem,) = info.value.problems
    assert problem.location == "sheet 'Participanți', row 5"
    assert problem.column == "Data nașterii"
    assert "(read as 'birth_date')" in problem.message


@pytest.mark.parametrize(
    ("lang", "where"),
    [("en", "sheet 'Participanți', rows "), ("ro", "sheet 'Participanți', rândurile ")],
)
def test_unknown_value_rows_are_said_in_the_runs_language(
    tmp_path: Path, lang: str, where: str
) -> None:
    """Several rows with an unknown value are named with 'rows' in the run's language."""
    rows = [list(row) for row in ROMANIAN_ROWS] * 4
    for row in rows:
        row[8] = "pensionar"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    with using_language(lang), pytest.warns(XlsxImportWarning) as record:
        read_xlsx(path, kind="participations", options={})
    problem = next(
        p for w in record for p in getattr(w.message, "problems", ()) if p.code == "value.unknown"
    )
    assert problem.location is not None
    assert problem.location.startswith(f"{where}2, 3, 4, 5, 6")
    more = {"en": " and {count} more", "ro": " și încă {count}"}[lang]
    assert problem.location.endswith(more.format(count=len(rows) - 5))
