"""Every door into inclusionkit reads a participation file the same way (the ingestion pipeline)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import inclusionkit
from inclusionkit import InclusionKitError, ValidationError
from inclusionkit._formats import Importer
from inclusionkit._ingest import ingest_with
from inclusionkit._plugins import get_plugin_manager

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "inclusionkit"
    / "examples"
    / "data"
    / "dreptul-la-munca.participations.csv"
)

# One register, written as partners write it: Romanian headers and words, dotted dates.
RO_HEADERS = [
    "ID participant",
    "Cod proiect",
    "Sex",
    "Data nașterii",
    "Data intrării",
    "Data ieșirii",
    "Statut pe piața muncii",
    "Nivel educație (ISCED)",
    "Etnie romă",
    "Mediu rural",
    "Regiune",
    "Partener",
]
RO_ROWS = [
    ["P001", "POCU/449/4/16/127700", "F", "02.01.1990", "01.09.2019", "", "Şomer", "ISCED 3"],
    ["P002", "POCU/449/4/16/127700", "M", "1985-07-30", "2019-09-02", "2020-03-01", "Angajat", "2"],
    ["P003", "POCU/449/4/16/127700", "Feminin", "3.4.1970", "2.9.2019", "", "Inactiv", "1"],
]
RO_TAILS = [
    ["Da", "Da", "Nord-Est", "Asociaţia Şanse"],
    ["Nu", "Nu", "RO31", "lead"],
    ["", "da", "Sud-Muntenia", "lead"],
]


def _rows() -> list[list[str]]:
    return [head + tail for head, tail in zip(RO_ROWS, RO_TAILS, strict=True)]


def _ro_csv(path: Path, *, encoding: str = "utf-8", sep: str = ";", excel: bool = False) -> Path:
    lines = [sep.join(RO_HEADERS), *(sep.join(row) for row in _rows())]
    text = ("sep=;\n" if excel else "") + "\n".join(lines) + "\n"
    if not encoding.startswith("utf"):
        # The legacy code pages have only the cedilla letters; files of that time use them.
        text = text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))
    path.write_bytes(text.encode(encoding))
    return path


def _ro_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Participanți"
    sheet.append(RO_HEADERS)
    for row in _rows():
        cells: list[object] = list(row)
        cells[7] = int(row[7]) if row[7].isdigit() else row[7]
        if row[3] == "1985-07-30":
            cells[3] = dt.date(1985, 7, 30)  # a real date cell
        sheet.append(cells)
    workbook.save(path)
    return path


def _messy_csv(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    frame.loc[0, "gender"] = "female "
    frame.loc[1, "region"] = " RO11"
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_stray_spaces_read_the_same_through_every_door(tmp_path: Path) -> None:
    """'female ' and ' RO11' give one table and one count via read, read_participations, compute."""
    path, _ = _messy_csv(tmp_path)
    by_read = inclusionkit.read(path)
    by_function = inclusionkit.read_participations(path)
    pd.testing.assert_frame_equal(by_read, by_function)
    assert by_function.loc[0, "gender"] == "female"
    assert by_function.loc[1, "region"] == "RO11"
    from_path = inclusionkit.compute(path, by=("region", "gender"))
    from_table = inclusionkit.compute(by_read, by=("region", "gender"))
    pd.testing.assert_frame_equal(from_path.table, from_table.table)
    regions = from_path.table["region"].dropna().unique().tolist()
    assert regions.count("RO11") == 1


def test_a_formula_cell_round_trips_through_every_reader(tmp_path: Path) -> None:
    """write quotes '=HYPERLINK(1)'; read and read_participations give back the text as it was."""
    table = inclusionkit.read_participations(EXAMPLE).head(3).copy()
    table["partner"] = table["partner"].astype("object")
    table.loc[0, "partner"] = "=HYPERLINK(1)"
    table["partner"] = table["partner"].astype(table["participant_id"].dtype)
    path = tmp_path / "w.csv"
    inclusionkit.write(table, path)
    assert "'=HYPERLINK(1)" in path.read_text(encoding="utf-8")
    assert inclusionkit.read(path).loc[0, "partner"] == "=HYPERLINK(1)"
    assert inclusionkit.read_participations(path).loc[0, "partner"] == "=HYPERLINK(1)"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2"])
def test_an_encoded_romanian_csv_is_read_by_every_door(tmp_path: Path, encoding: str) -> None:
    """A Windows-1250 (ISO-8859-2, BOM) CSV reads alike via read, read_participations, compute."""
    path = _ro_csv(tmp_path / "registru.csv", encoding=encoding)
    table = inclusionkit.read_participations(path)
    pd.testing.assert_frame_equal(inclusionkit.read(path, kind="participations"), table)
    pd.testing.assert_frame_equal(inclusionkit.read(path), table)
    assert table["partner"].tolist() == ["Asociația Șanse", "lead", "lead"]
    assert table["labour_status"].tolist() == ["unemployed", "employed", "inactive"]
    report = inclusionkit.compute(path)
    pd.testing.assert_frame_equal(report.table, inclusionkit.compute(table).table)


def test_romanian_headers_and_values_map_alike_in_csv_and_xlsx(tmp_path: Path) -> None:
    """A CSV with a register's Romanian headers and words gives the workbook's table exactly."""
    from_csv = inclusionkit.read_participations(_ro_csv(tmp_path / "r.csv"))
    from_xlsx = inclusionkit.read_participations(_ro_xlsx(tmp_path / "r.xlsx"))
    pd.testing.assert_frame_equal(from_csv, from_xlsx)
    assert from_csv["gender"].tolist() == ["female", "male", "female"]
    assert from_csv["region"].tolist() == ["RO21", "RO31", "RO31"]
    assert from_csv["isced"].tolist() == [3, 2, 1]
    # "Etnie romă" is the contract's roma column: Nu is false, an empty cell unknown.
    assert from_csv["roma"].tolist() == [True, False, pd.NA]
    assert from_csv["minority"].isna().all()
    assert from_csv["rural"].tolist() == [True, False, True]
    assert from_csv.loc[2, "birth_date"] == pd.Timestamp("1970-04-03")


def test_an_xlsx_register_is_read_by_every_door(tmp_path: Path) -> None:
    """A workbook reads alike through read, read_participations and compute(path)."""
    path = _ro_xlsx(tmp_path / "r.xlsx")
    table = inclusionkit.read_participations(path)
    pd.testing.assert_frame_equal(inclusionkit.read(path), table)
    pd.testing.assert_frame_equal(inclusionkit.read(path, kind="participations"), table)
    report = inclusionkit.compute(path)
    pd.testing.assert_frame_equal(report.table, inclusionkit.compute(table).table)


def test_excel_sep_line_is_understood(tmp_path: Path) -> None:
    """Excel's 'sep=;' first line names the separator; the header is the line after it."""
    plain = inclusionkit.read_participations(_ro_csv(tmp_path / "a.csv"))
    excel = inclusionkit.read_participations(_ro_csv(tmp_path / "b.csv", excel=True))
    pd.testing.assert_frame_equal(plain, excel)
    assert inclusionkit.read(tmp_path / "b.csv").shape == plain.shape


def test_json_and_parquet_go_through_the_same_mapping(tmp_path: Path) -> None:
    """Romanian headers and words in Parquet and JSON read as in CSV."""
    from_csv = inclusionkit.read_participations(_ro_csv(tmp_path / "r.csv"))
    frame = pd.DataFrame(_rows(), columns=RO_HEADERS).replace("", None)
    frame.to_parquet(tmp_path / "r.parquet", index=False)
    pd.testing.assert_frame_equal(
        inclusionkit.read_participations(tmp_path / "r.parquet"), from_csv
    )
    frame.to_json(tmp_path / "r.json", orient="records", force_ascii=False)
    pd.testing.assert_frame_equal(inclusionkit.read(tmp_path / "r.json"), from_csv)


def test_a_user_mapping_file_is_taken_by_every_reader(tmp_path: Path) -> None:
    """mapping= names a project's own headers and words, for CSV as for any format."""
    path = tmp_path / "p.csv"
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False).head(4)
    frame = frame.rename(columns={"participant_id": "Cod beneficiar", "gender": "Genul"})
    frame["gender_text"] = None
    frame = frame.drop(columns=["gender_text"])
    frame["Genul"] = ["fată", "băiat", "fată", "băiat"]
    frame.to_csv(path, index=False)
    mapping = tmp_path / "m.json"
    mapping.write_text(
        '{"columns": {"Cod beneficiar": "participant_id", "Genul": "gender"},'
        ' "values": {"gender": {"fată": "female", "băiat": "male"}}}',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="participant_id"):
        inclusionkit.read_participations(path)
    table = inclusionkit.read_participations(path, mapping=mapping)
    assert table["gender"].tolist() == ["female", "male", "female", "male"]
    pd.testing.assert_frame_equal(inclusionkit.read(path, mapping=mapping), table)


def test_bad_cells_are_located_by_physical_line_without_personal_values(tmp_path: Path) -> None:
    """A bad cell after a blank line names its real line; a birth date's text is never shown."""
    path = tmp_path / "p.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()[:4]
    bad = lines[3].split(",")
    bad[3] = "31.02.1990"  # birth_date
    bad[7] = "nine"  # isced
    path.write_text("\n".join([*lines[:3], "", ",".join(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        inclusionkit.read_participations(path)
    found = {(p.code, p.location, p.column) for p in info.value.problems}
    assert found == {("cell.date", "line 5", "birth_date"), ("cell.int", "line 5", "isced")}
    assert "31.02.1990" not in str(info.value)
    assert "'nine'" in str(info.value)


def test_coerce_says_which_rows_lost_a_cell(tmp_path: Path) -> None:
    """on_error='coerce' keeps every row and lists the coerced cells in DataFrame.attrs."""
    path = tmp_path / "p.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()[:4]
    bad = lines[2].split(",")
    bad[7] = "2,0"
    path.write_text("\n".join([lines[0], lines[1], '"' + '","'.join(bad) + '"', lines[3]]) + "\n")
    table = inclusionkit.read_participations(path, on_error="coerce")
    assert len(table) == 3
    assert pd.isna(table.loc[1, "isced"])
    (row, problem), *_ = table.attrs["inclusionkit.row_problems"]
    assert row == 1
    assert problem.code == "cell.int"


def test_an_importer_without_read_raw_is_cleaned_and_typed_all_the_same(tmp_path: Path) -> None:
    """A third-party importer returning text cells gets the same table as the built-in reader."""
    path, frame = _messy_csv(tmp_path)

    def read(source: object, *, kind: str, options: object) -> pd.DataFrame:
        return frame.replace("", None)

    legacy = Importer(name="legacy", extensions=(".legacy",), kinds={"participations"}, read=read)
    table = ingest_with(legacy, path)
    pd.testing.assert_frame_equal(table, inclusionkit.read_participations(path))


def test_unknown_extension_is_sniffed_for_binary_formats(tmp_path: Path) -> None:
    """A Parquet file without its extension is told by its content; plain text is not guessed."""
    table = inclusionkit.read_participations(EXAMPLE).head(5)
    inclusionkit.write_participations(table, tmp_path / "t.parquet")
    (tmp_path / "t.bin").write_bytes((tmp_path / "t.parquet").read_bytes())
    pd.testing.assert_frame_equal(inclusionkit.read_participations(tmp_path / "t.bin"), table)
    (tmp_path / "t.dat").write_text("participant_id\n", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="cannot tell the format"):
        inclusionkit.read_participations(tmp_path / "t.dat")


def test_a_file_object_reads_like_its_path(tmp_path: Path) -> None:
    """read(stream, format='csv') gives the table read_participations gives for the path."""
    path = _ro_csv(tmp_path / "r.csv", encoding="cp1250")
    stream = io.BytesIO(path.read_bytes())
    pd.testing.assert_frame_equal(
        inclusionkit.read(stream, format="csv", kind="participations"),
        inclusionkit.read_participations(path),
    )


def test_every_registered_participations_importer_is_found_by_extension() -> None:
    """read_participations finds any registered importer of participations (xlsx included)."""
    importers = get_plugin_manager().importers()
    assert {"csv", "json", "parquet", "xlsx"} <= {
        name for name, importer in importers.items() if "participations" in importer.kinds
    }
