"""Bad input: each broken or wrong file gets a clear error naming the file and the remedy."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from inclusionkit_xlsx import read_xlsx

from conftest import DATA, ROMANIAN_HEADERS, ROMANIAN_ROWS, make_workbook
from inclusionkit import InclusionKitError, ValidationError


def read(source: Any) -> Any:
    """Read participations with the plugin's reader and no options."""
    return read_xlsx(source, kind="participations", options={})


def test_password_protected_workbook(tmp_path: Path) -> None:
    """A real encrypted workbook (see tests/data/README.md) asks for the password removed."""
    path = tmp_path / "parolat.xlsx"
    shutil.copy(DATA / "encrypted.xlsx", path)
    with pytest.raises(InclusionKitError, match="password-protected") as info:
        read(path)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert "save it without a password" in message


def test_password_protected_workbook_as_file_object() -> None:
    """The same holds for a file object, named by its name."""
    with (
        open(DATA / "encrypted.xlsx", "rb") as handle,
        pytest.raises(
            InclusionKitError, match=r"encrypted\.xlsx: the workbook is password-protected"
        ),
    ):
        read(handle)


def test_truncated_workbook(romanian_register: Path, tmp_path: Path) -> None:
    """A workbook cut off while copying is called damaged, with advice to get a fresh copy."""
    path = tmp_path / "cut.xlsx"
    path.write_bytes(romanian_register.read_bytes()[:3000])
    with pytest.raises(InclusionKitError, match="damaged or incomplete") as info:
        read(path)
    assert str(path) in str(info.value)
    assert "fresh copy" in str(info.value)


def test_workbook_with_a_corrupted_part(romanian_register: Path, tmp_path: Path) -> None:
    """A workbook whose inner XML is garbage is called damaged."""
    path = tmp_path / "garbage.xlsx"
    with zipfile.ZipFile(romanian_register) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"<worksheet><sheetData><row><c r='A1' t='s'><v>9"
            target.writestr(item, data)
    with pytest.raises(InclusionKitError, match="damaged") as info:
        read(path)
    assert str(path) in str(info.value)


def test_random_bytes(tmp_path: Path) -> None:
    """Bytes that are no known format are refused as not a workbook."""
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InclusionKitError, match=r"not an Excel \.xlsx workbook"):
        read(path)


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    """A CSV file named .xlsx is recognised as CSV, with advice to rename or re-save it."""
    path = tmp_path / "registru.xlsx"
    path.write_text("ID participant;Sex;Data nașterii\nP1;F;02.01.1990\n", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="CSV") as info:
        read(path)
    assert str(path) in str(info.value)
    assert "rename it to .csv" in str(info.value)


def test_windows_1250_csv_renamed_xlsx(tmp_path: Path) -> None:
    """A Windows-1250 CSV named .xlsx is recognised as CSV too."""
    path = tmp_path / "registru.xlsx"
    path.write_bytes("ID participant,Data naşterii\nP1,02.01.1990\n".encode("cp1250"))
    with pytest.raises(InclusionKitError, match="CSV"):
        read(path)


def test_html_renamed_xlsx(tmp_path: Path) -> None:
    """An HTML table saved as .xlsx by a web system is named as such."""
    path = tmp_path / "export.xlsx"
    path.write_text("<html><body><table><tr><td>P1</td></tr></table></body></html>")
    with pytest.raises(InclusionKitError, match="HTML or XML file"):
        read(path)


def test_old_xls_renamed_xlsx(tmp_path: Path) -> None:
    """An OLE file without encryption (an old .xls) is told to be saved as .xlsx."""
    path = tmp_path / "vechi.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    with pytest.raises(InclusionKitError, match=r"Excel 97-2003 \(.xls\)"):
        read(path)


def test_opendocument_renamed_xlsx(tmp_path: Path) -> None:
    """An OpenDocument spreadsheet named .xlsx is told apart from a workbook."""
    path = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InclusionKitError, match=r"OpenDocument spreadsheet \(.ods\)"):
        read(path)


def test_other_zip_renamed_xlsx(tmp_path: Path) -> None:
    """A ZIP archive that is not a workbook is named as such."""
    path = tmp_path / "arhiva.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InclusionKitError, match="ZIP archive but not an Excel workbook"):
        read(path)


def test_empty_file(tmp_path: Path) -> None:
    """A 0-byte file is called empty."""
    path = tmp_path / "gol.xlsx"
    path.write_bytes(b"")
    with pytest.raises(InclusionKitError, match="empty"):
        read(path)


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist says so."""
    with pytest.raises(InclusionKitError, match="no such file"):
        read(tmp_path / "absent.xlsx")


def test_sheet_without_header_row(tmp_path: Path) -> None:
    """Data with no header row is refused, saying where the data starts but never its cells."""
    path = make_workbook(tmp_path / "r.xlsx", None, ROMANIAN_ROWS)
    with pytest.raises(InclusionKitError, match="has no header row") as info:
        read(path)
    message = str(info.value)
    assert str(path) in message
    assert "P001" not in message  # a cell of the register is never echoed (issue 16)
    assert "data starts at row 1" in message
    assert "'ID participant'" in message


def test_empty_sheet(tmp_path: Path) -> None:
    """An empty sheet has no header row."""
    path = make_workbook(tmp_path / "r.xlsx", None, [])
    with pytest.raises(InclusionKitError, match="has no header row"):
        read(path)


def test_merged_header_cells(tmp_path: Path) -> None:
    """Merged cells in the header row are refused, naming the range and how to unmerge."""
    path = make_workbook(
        tmp_path / "r.xlsx",
        ROMANIAN_HEADERS,
        ROMANIAN_ROWS,
        edit=lambda workbook: workbook.active.merge_cells("G1:H1"),
    )
    with pytest.raises(ValidationError, match="header cells G1:H1 are merged") as info:
        read(path)
    assert info.value.problems[0].source == str(path)
    assert "Unmerge" in str(info.value)


def test_two_level_header_with_merged_cells_reaching_the_header(tmp_path: Path) -> None:
    """A header cell merged down from a group row above also counts as a merged header."""

    def edit(workbook: Any) -> None:
        sheet = workbook.active
        sheet.insert_rows(1)
        sheet["B1"] = "ID participant"
        sheet.merge_cells("B1:B2")

    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, ROMANIAN_ROWS, edit=edit)
    with pytest.raises(ValidationError, match="header cells B1:B2 are merged"):
        read(path)


def test_merged_data_cells_in_a_mapped_column(tmp_path: Path) -> None:
    """Merged cells over the data of a mapped column are refused (they leave rows empty)."""
    path = make_workbook(
        tmp_path / "r.xlsx",
        ROMANIAN_HEADERS,
        ROMANIAN_ROWS,
        edit=lambda workbook: workbook.active.merge_cells("Q2:Q3"),
    )
    with pytest.raises(ValidationError, match="cells Q2:Q3 are merged"):
        read(path)


def test_merged_title_above_the_header_is_fine(tmp_path: Path) -> None:
    """A merged title above the header row is not part of the register and does not matter."""
    path = make_workbook(
        tmp_path / "r.xlsx",
        ROMANIAN_HEADERS,
        ROMANIAN_ROWS,
        above=[["Registrul grupului țintă"]],
        edit=lambda workbook: workbook.active.merge_cells("A1:F1"),
    )
    assert len(read(path)) == 4


def test_nothing_is_returned_when_one_cell_is_bad(tmp_path: Path) -> None:
    """One bad cell among good rows stops the whole import: no partial table comes back."""
    rows = [list(row) for row in ROMANIAN_ROWS]
    rows[3][7] = "ieri"
    path = make_workbook(tmp_path / "r.xlsx", ROMANIAN_HEADERS, rows)
    result = None
    with pytest.raises(ValidationError, match="is not a valid date") as info:
        result = read(path)
    assert result is None
    assert "ieri" not in str(info.value)  # a birth date is personal: never quoted


def test_text_mode_file_object_is_refused(romanian_register: Path) -> None:
    """A file object opened in text mode gets advice to open it in binary mode."""
    with (
        open(romanian_register, encoding="latin-1") as handle,
        pytest.raises(InclusionKitError, match="binary mode"),
    ):
        read(handle)
