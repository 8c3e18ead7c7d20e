"""The command line reads every importer's format and writes with every exporter, by name or by
extension; an extension no exporter claims is a clean error listing those that exist."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import examples
from inclusionkit.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """The bundled example's participation table (a few hundred rows, every indicator)."""
    participations = examples.load("dreptul-la-munca").participations
    assert participations is not None
    return participations


@pytest.fixture
def register_xlsx(tmp_path: Path, table: pd.DataFrame) -> Path:
    """The example table as an Excel register (needs the xlsx plugin)."""
    if "xlsx" not in inclusionkit.get_plugin_manager().importers():
        pytest.skip("the inclusionkit-xlsx plugin is not installed")
    path = tmp_path / "REGISTER.xlsx"
    inclusionkit.write(table, path)
    return path


def _cp1250_register(path: Path, *, with_ids: bool = True) -> Path:
    """A ';'-separated Windows-1250 register with Romanian letters, as old Excel saves it."""
    columns = [*inclusionkit.COLUMN_NAMES, "CNP", "Nume"]
    if not with_ids:
        columns.remove("participant_id")
    rows = [
        {
            "participant_id": "P1",
            "project_code": "POCU/449/4/16/127700",
            "gender": "female",
            "birth_date": "17.05.1990",
            "entry_date": "01.03.2020",
            "labour_status": "unemployed",
            "isced": "2",
            "region": "RO32",
            "partner": "Asociaţia Şansă",
            "CNP": "",
            "Nume": "Ştefănescu",
        },
        {
            "participant_id": "P2",
            "project_code": "POCU/449/4/16/127700",
            "gender": "male",
            "birth_date": "02.03.1985",
            "entry_date": "01.04.2020",
            "labour_status": "inactive",
            "isced": "3",
            "region": "RO32",
            "partner": "Fundaţia Ţară",
            "CNP": "",
            "Nume": "Ţăranu",
        },
    ]
    lines = [";".join(columns), *(";".join(row.get(c, "") for c in columns) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1250"))
    return path


def test_report_of_an_xlsx_register_to_an_xlsx_workbook(
    register_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report REGISTER.xlsx -o raport.xlsx writes a workbook openpyxl opens, not CSV text."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "raport.xlsx"
    code, _, err = run(["report", str(register_xlsx), "-o", str(out)], capsys)
    assert code == 0, err
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames
    workbook.close()


def test_report_to_parquet_is_a_parquet_file(
    register_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o raport.parquet writes a Parquet file whose table is the report's."""
    import pyarrow.parquet as pq

    out = tmp_path / "raport.parquet"
    code, printed, err = run(["report", str(register_xlsx), "-o", str(out)], capsys)
    assert code == 0, err
    assert printed == ""
    frame = pq.read_table(out).to_pandas()
    assert {"indicator", "gender", "value"} <= set(frame.columns)
    back = inclusionkit.read(out, kind="report")
    assert set(back.table["indicator"]) == set(frame["indicator"])


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_report_to_json_and_csv_files_reads_back(
    register_xlsx: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o raport.json and -o raport.csv are what their exporters write, read back as reports."""
    out = tmp_path / f"raport{suffix}"
    # The example is a POSDRU table: esf-2014 is asked for (its own period's is esf-2007).
    code, _, err = run(
        ["report", str(register_xlsx), "--rules", "esf-2014", "-o", str(out)], capsys
    )
    assert code == 0, err
    back = inclusionkit.read(out, kind="report")
    assert "CO01" in set(back.table["indicator"])


def test_format_xlsx_chooses_the_exporter_by_name(
    register_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format xlsx with an .xlsx output writes a workbook (zip), and needs -o."""
    out = tmp_path / "raport.xlsx"
    code, _, err = run(["report", str(register_xlsx), "--format", "xlsx", "-o", str(out)], capsys)
    assert code == 0, err
    assert out.read_bytes()[:2] == b"PK"
    code, _, err = run(["report", str(register_xlsx), "--format", "xlsx"], capsys)
    assert code == 2
    assert "--output" in err


def test_report_to_html_when_the_html_exporter_writes_reports(
    register_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o raport.html writes the HTML plugin's page once it claims the report kind."""
    html = inclusionkit.get_plugin_manager().exporters().get("html")
    if html is None or "report" not in html.kinds:
        pytest.skip("no installed html exporter writes reports")
    out = tmp_path / "raport.html"
    code, _, err = run(["report", str(register_xlsx), "-o", str(out)], capsys)
    assert code == 0, err
    assert "<html" in out.read_text(encoding="utf-8").lower()


def test_an_extension_no_exporter_claims_is_a_clean_error(
    tmp_path: Path, table: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o raport.docx exits 2 listing the formats that write reports, and writes nothing."""
    source = tmp_path / "p.csv"
    inclusionkit.write(table, source)
    out = tmp_path / "raport.docx"
    code, printed, err = run(["report", str(source), "-o", str(out)], capsys)
    assert code == 2
    assert err.startswith("inclusionkit: error:")
    assert "'.docx'" in err
    for name in ("csv", "json", "parquet"):
        assert f"{name} (" in err
    assert "--format" in err
    assert "Traceback" not in err
    assert printed == ""
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx", "-o", "r.docx"], "no format called 'docx'"),
        (["--format", "csv", "-o", "r.xlsx"], "--format csv writes .csv files"),
        (["--format", "docx"], "no format called 'docx'"),
        (["-o", "r.csv", "--excluded", "x.docx"], "'.docx'"),
    ],
)
def test_wrong_formats_fail_before_any_work(
    tmp_path: Path,
    table: pd.DataFrame,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unknown --format, a CSV asked under another extension, an unknown extension for
    --excluded: exit 2 with the list of formats, and no file written."""
    source = tmp_path / "p.csv"
    inclusionkit.write(table, source)
    args = [str(tmp_path / a) if a.startswith(("r.", "x.")) else a for a in args]
    code, _, err = run(["report", str(source), *args], capsys)
    assert code == 2
    assert message in err
    assert "csv (" in err or "writes .csv" in err
    assert {p.name for p in tmp_path.iterdir()} == {"p.csv"}


def test_a_plugin_exporter_is_chosen_by_its_extension(
    tmp_path: Path, table: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report exporter registered by a plugin (.tsv here) is used for its extension."""
    from inclusionkit.plugin import RegisterExporter, ReportData
    from inclusionkit.testing import registered_plugin

    def write_tsv(obj: object, path: Path, *, kind: str, options: object) -> None:
        ReportData.from_report(obj).table.to_csv(path, sep="\t", index=False)

    class TsvPlugin:
        @inclusionkit.hookimpl
        def register_exporters(self, register: RegisterExporter) -> None:
            register(
                inclusionkit.Exporter(
                    name="tsv", extensions=(".tsv",), kinds={"report"}, write=write_tsv
                )
            )

    source = tmp_path / "p.csv"
    inclusionkit.write(table, source)
    out = tmp_path / "raport.tsv"
    with registered_plugin(TsvPlugin(), name="tsv"):
        code, _, err = run(["report", str(source), "--rules", "esf-2014", "-o", str(out)], capsys)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").splitlines()[0] == "indicator\tgender\tvalue"


def test_windows_1250_register_in_report_validate_and_pseudonymise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Windows-1250 CSV is read by report, validate and pseudonymise alike."""
    source = _cp1250_register(tmp_path / "registru.csv")
    code, out, err = run(["report", str(source), "--by", "partner"], capsys)
    assert code == 0, err
    assert "Asociația Șansă" in out
    code, out, err = run(["validate", str(source)], capsys)
    assert code == 0, out + err
    assert "2 rows, all valid" in out
    key = tmp_path / "key.txt"
    key.write_text(secrets.token_hex(32) + "\n")
    for with_ids in (True, False):
        register = _cp1250_register(tmp_path / f"r{with_ids}.csv", with_ids=with_ids)
        target = tmp_path / f"out{with_ids}.parquet"
        code, out, err = run(
            ["pseudonymise", str(register), str(target), "--key-file", str(key)], capsys
        )
        assert code == 0, err
        assert "2 row(s) pseudonymised (0 from the CNP, 2 from name and birth date)" in out
        pseudonymised = inclusionkit.read(target, kind="participations")
        assert pseudonymised["participant_id"].str.startswith("ik1_").all()
        assert "Ţăranu".encode() not in target.read_bytes()


def test_validate_rejected_goes_through_the_exporters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate --rejected writes the rejected rows with the exporter of its extension."""
    from tests.test_participations import HEADER, _row

    source = tmp_path / "p.csv"
    lines = [HEADER, _row(), _row(participant_id="P2", birth_date="not a date")]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejected = tmp_path / "rejected.json"
    code, _, _ = run(["validate", str(source), "--rejected", str(rejected)], capsys)
    assert code == 2
    rows = json.loads(rejected.read_text(encoding="utf-8"))
    assert [row["participant_id"] for row in rows] == ["P2"]
    assert {"row", "codes", "message"} <= set(rows[0])
    code, _, err = run(["validate", str(source), "--rejected", str(tmp_path / "r.docx")], capsys)
    assert code == 2
    assert "'.docx'" in err


def test_sfc2021_layout_writes_through_the_exporters(
    tmp_path: Path, table: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """--layout sfc2021 -o sfc.parquet|.json writes with those formats' exporters."""
    source = tmp_path / "p.csv"
    inclusionkit.write(table, source)
    for name in ("sfc.parquet", "sfc.json"):
        out = tmp_path / name
        code, _, err = run(
            [
                *("report", str(source), "--rules", "esf-2021", "--layout", "sfc2021"),
                *("--allow-other-period", "-o", str(out)),
            ],
            capsys,
        )
        assert code == 0, err
        back = inclusionkit.read(out, kind="report")
        assert "EECO01" in set(back.table["indicator"])
        assert "specific_objective" in back.table.columns
