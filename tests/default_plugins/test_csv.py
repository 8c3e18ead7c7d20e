"""Tests for the built-in CSV format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pytest
from hypothesis import given

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._ingest import decode_legacy
from inclusionkit._io import read, write
from inclusionkit._report_data import ReportData
from inclusionkit.default_plugins import csv_format
from inclusionkit.testing import assert_round_trip, participation_tables, progress_tables
from tests.default_plugins.strategies import engine_report, report_objects, sample_participations

HEADER = (
    "participant_id;project_code;gender;birth_date;entry_date;exit_date;labour_status;isced;"
    "jobless_household;dependent_children;single_adult_household;minority;migrant;"
    "foreign_background;third_country_national;disability;other_disadvantaged;homeless;rural;"
    "job_searching_at_exit;education_at_exit;qualification_at_exit;employed_at_exit;employed_6m;"
    "improved_situation_6m;region;partner"
)
ROW = (
    "P1;POCU/449/4/16/127700;female;03.05.1990;01.09.2018;;unemployed;3;"
    "da;nu;;da;;;;;;;;;;;;;;RO42;{partner}"
)


def romanian_csv(partner: str = "Asociaţia Şanse Egale") -> str:
    """A one-row participation CSV as a Romanian spreadsheet writes it (;, DD.MM.YYYY)."""
    return f"{HEADER}\n{ROW.format(partner=partner)}\n"


# -- round trips -------------------------------------------------------------------------------


@given(participation_tables())
def test_participations_round_trip(table: pd.DataFrame) -> None:
    """A participation table written as CSV reads back equal, dtypes included."""
    assert_round_trip(table, "csv")


@given(progress_tables())
def test_progress_round_trip(table: pd.DataFrame) -> None:
    """A progress table written as CSV reads back equal."""
    assert_round_trip(table, "csv")


@given(report_objects())
def test_report_table_round_trip(report: Any) -> None:
    """A report's table written as CSV reads back equal (CSV keeps only the table).

    An empty table's ``value`` column has no cells to tell int64 from float64 by.
    """
    empty = ReportData.from_report(report).table.empty
    assert_round_trip(report, "csv", parts=("table",), check_dtype=not empty)


def test_engine_report_round_trip() -> None:
    """A report computed by the indicator engine round-trips (its provenance unstructured)."""
    assert_round_trip(engine_report(), "csv", parts=("table",))


# -- what Romanian files look like ---------------------------------------------------------------


def test_semicolons_dotted_dates_and_cedillas(tmp_path: Path) -> None:
    """';' separators, DD.MM.YYYY dates and cedilla letters are read as canonical values."""
    path = tmp_path / "p.csv"
    path.write_text(romanian_csv(), encoding="utf-8")
    frame = read(path)
    assert frame.loc[0, "birth_date"] == pd.Timestamp("1990-05-03")
    assert frame.loc[0, "partner"] == "Asociația Șanse Egale"
    assert bool(frame.loc[0, "minority"]) is True


def test_utf8_with_bom(tmp_path: Path) -> None:
    """A UTF-8 file with a byte-order mark reads like one without."""
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text(romanian_csv(), encoding="utf-8")
    bom.write_text(romanian_csv(), encoding="utf-8-sig")
    pdt.assert_frame_equal(read(bom), read(plain))


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_legacy_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    """A Windows-1250 or ISO-8859-2 file is decoded, and ş/ţ become ș/ț."""
    path = tmp_path / "p.csv"
    path.write_bytes(romanian_csv("Fundaţia Ştefan cel Mare, Bârlad").encode(encoding))
    frame = read(path)
    assert frame.loc[0, "partner"] == "Fundația Ștefan cel Mare, Bârlad"


def test_decode_legacy_tells_windows_1250_from_iso_8859_2() -> None:
    """Bytes only Windows-1250 prints pick it; letters only ISO-8859-2 has pick that."""
    assert decode_legacy("Ţară „nouă” Šumava".encode("cp1250"))[1] == "cp1250"
    assert decode_legacy("Wąsik Świętosław".encode("iso-8859-2"))[1] == "iso-8859-2"
    assert decode_legacy("Ştefan Ţepeş".encode("cp1250")) == ("Ştefan Ţepeş", "cp1250")


def test_problems_in_a_legacy_file_name_the_original_file(tmp_path: Path) -> None:
    """A bad cell in a re-encoded file is reported against the user's file, not a temporary."""
    path = tmp_path / "registru.csv"
    text = romanian_csv().replace("03.05.1990", "32.01.1990")
    path.write_bytes(text.encode("cp1250"))
    with pytest.raises(ValidationError) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert problem.source == str(path)
    assert problem.column == "birth_date"
    assert str(path) in str(caught.value)


def test_import_reads_a_utf8_file_in_place_with_arrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UTF-8 .csv is parsed by Arrow's vectorised reader in place, without a decoded copy."""
    calls: list[Path] = []
    original = csv_format.pacsv.read_csv

    def spy(path: Any, **options: Any) -> Any:
        if not isinstance(path, pa.Buffer):  # the first rows' dates, looked at in memory
            calls.append(Path(path))
        return original(path, **options)

    monkeypatch.setattr(csv_format.pacsv, "read_csv", spy)
    path = tmp_path / "p.csv"
    path.write_text(romanian_csv(), encoding="utf-8")
    read(path)
    assert calls == [path]


def test_options_are_passed_and_checked(tmp_path: Path) -> None:
    """keep_extra reaches read_participations; an unknown option is refused."""
    path = tmp_path / "p.csv"
    path.write_text(romanian_csv().replace("partner\n", "partner;cnp\n").rstrip() + ";1900101\n")
    assert "cnp" in read(path, keep_extra=True).columns
    assert "cnp" not in read(path).columns
    with pytest.raises(InclusionKitError, match=r"does not take the option.*keepextra"):
        read(path, keepextra=True)


def test_kind_is_told_from_the_header(tmp_path: Path) -> None:
    """Without kind=, a progress header reads as a progress table."""
    path = tmp_path / "progress.csv"
    path.write_text("indicator,target,achieved\nROMA,800,812\n", encoding="utf-8")
    frame = read(path)
    assert frame["target"].dtype == "float64"
    assert frame["achieved"].dtype == "Float64"


def test_report_table_reads_back_as_report_data(tmp_path: Path) -> None:
    """A report CSV reads as ReportData with the table and no provenance."""
    path = tmp_path / "report.csv"
    path.write_text("indicator,gender,value\nCO01,female,3\nCO01,,5\n", encoding="utf-8")
    report = read(path)
    assert isinstance(report, ReportData)
    assert list(report.table["value"]) == [3, 5]
    assert report.table["gender"].dtype == "string"
    assert report.provenance == {}


def test_unknown_header_asks_for_kind(tmp_path: Path) -> None:
    """A header that is none of the known tables needs kind=."""
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="pass kind="):
        read(path)


# -- files that are not CSV ----------------------------------------------------------------------


def test_a_zip_named_csv_is_refused_clearly(tmp_path: Path) -> None:
    """An .xlsx (a ZIP) saved as .csv gets an error naming the file and what to do."""
    path = tmp_path / "participants.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(
        InclusionKitError, match=r"participants\.csv: this is a ZIP archive.*CSV \(UTF-8\)"
    ):
        read(path)


def test_binary_junk_named_csv_is_refused(tmp_path: Path) -> None:
    """Binary data is not decoded as if it were Windows-1250."""
    path = tmp_path / "p.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InclusionKitError, match="binary data"):
        read(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    """A path that does not exist is reported as such."""
    with pytest.raises(InclusionKitError, match="no such file"):
        read(tmp_path / "absent.csv")


# -- writing -----------------------------------------------------------------------------------


def test_written_csv_is_utf8_with_iso_dates(tmp_path: Path) -> None:
    """CSV is written as UTF-8 without BOM, ',' separated, ISO dates, canonical columns only."""
    source = tmp_path / "in.csv"
    source.write_text(romanian_csv().replace("partner\n", "partner;cnp\n").rstrip() + ";1900101\n")
    write(read(source, keep_extra=True), tmp_path / "out.csv")
    data = (tmp_path / "out.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    assert "1990-05-03" in text
    assert "Asociația Șanse Egale" in text
    assert "cnp" not in text


def test_participations_to_another_extension(tmp_path: Path) -> None:
    """format='csv' writes participations to a .txt path too."""
    table = sample_participations()
    write(table, tmp_path / "p.txt", format="csv")
    pdt.assert_frame_equal(read(tmp_path / "p.txt"), table)


def test_read_from_a_file_object() -> None:
    """A binary stream with format='csv' is read."""
    stream = io.BytesIO(romanian_csv().encode("cp1250"))
    assert read(stream, format="csv").loc[0, "partner"] == "Asociația Șanse Egale"


def test_a_legacy_letter_after_the_first_64_kib_is_decoded(tmp_path: Path) -> None:
    """A file that is ASCII for its first 64 KiB and Windows-1250 later is still decoded."""
    filler = ROW.format(partner="lead") + "\n"
    text = HEADER + "\n" + filler * (70_000 // len(filler)) + ROW.format(partner="Fundaţia") + "\n"
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode("cp1250"))
    frame = read(path)
    assert frame["partner"].iloc[-1] == "Fundația"
    assert (frame["partner"].iloc[:-1] == "lead").all()


# -- ISO dates typed by Arrow as it parses -------------------------------------------------------

ISO_ROW = ROW.replace("03.05.1990", "1990-05-03").replace("01.09.2018", " 2018-09-01")


def _iso_csv(rows: int, last: str | None = None) -> str:
    """A ','-separated participation CSV of ``rows`` rows with ISO dates; ``last`` its last
    row's entry date."""
    filler = ISO_ROW.format(partner="lead").replace(";", ",")
    lines = [HEADER.replace(";", ","), *[filler] * rows]
    if last is not None:
        lines[-1] = filler.replace(" 2018-09-01", last)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("cell", ["", "31.01.2015", "2015-01-01 10:00"])
def test_iso_dates_read_as_date32_give_the_frame_the_text_path_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str
) -> None:
    """ISO dates are typed by Arrow's date32 conversion; the frame is the text path's, also
    when a later cell (another spelling, a time) sends the read back to text."""
    path = tmp_path / "p.csv"
    path.write_text(_iso_csv(3_000, last=cell), encoding="utf-8")
    types: list[set[str]] = []
    original = csv_format._read_arrow

    def spy(
        path: Any, form: Any, given: dict[str, pa.DataType], *args: Any, **options: Any
    ) -> pa.Table:
        if not isinstance(path, pa.Buffer):  # the first rows' dates, looked at in memory
            types.append({str(t) for t in given.values()})
        return original(path, form, given, *args, **options)

    monkeypatch.setattr(csv_format, "_read_arrow", spy)
    typed = read(path)
    assert "date32[day]" in types[0]
    assert ("date32[day]" in types[-1]) == (cell == "")
    monkeypatch.setattr(csv_format, "_iso_head", lambda *args: False)
    as_text = read(path)
    assert "date32[day]" not in types[-1]
    pdt.assert_frame_equal(typed, as_text, check_exact=True)


@pytest.mark.parametrize("cell", ["2015-02-30", "2015-13-01"])
def test_a_bad_iso_date_past_the_first_rows_is_named_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str
) -> None:
    """A date Arrow's date32 does not take, after ISO first rows, reads the dates as text again:
    30 February is the same problem, naming the file, its line and column, as on that path."""
    path = tmp_path / "p.csv"
    path.write_text(_iso_csv(3_000, last=cell), encoding="utf-8")
    with pytest.raises(ValidationError) as typed:
        read(path)
    monkeypatch.setattr(csv_format, "_iso_head", lambda *args: False)
    with pytest.raises(ValidationError) as as_text:
        read(path)
    assert str(typed.value) == str(as_text.value)
    assert typed.value.problems[0].location == "line 3001"
    assert typed.value.problems[0].column == "entry_date"
