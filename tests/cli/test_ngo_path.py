"""The NGO's path on the command line: a Romanian register mapped, pseudonymised on the way in,
reported; a column that cannot be mapped is never lost silently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit.cli import main
from inclusionkit.examples import load
from inclusionkit.ro import cnp_check_digit

KEY = "3f9c2a7be4d1806f5a2c9e7b13d4f6a08c5e2b9d7f1a3c6e4b8d0f2a5c7e9b1d"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _table(rows: int = 40) -> pd.DataFrame:
    participations = load("dreptul-la-munca").participations
    assert participations is not None
    return participations.head(rows).copy()


def _cnp(number: int) -> str:
    first12 = f"1900101400{number:02d}"
    return first12 + str(cnp_check_digit(first12))


def _register(tmp_path: Path, rows: int = 40, *, suffix: str = ".csv") -> Path:
    """A register as an NGO keeps it: CNP and names, no participant id, a Roma column."""
    frame = _table(rows).drop(columns=["participant_id"])
    frame.insert(0, "CNP", [_cnp(number) for number in range(rows)])
    frame.insert(1, "Nume", "Popescu")
    frame["Etnia"] = ["Da" if number % 4 == 0 else "Nu" for number in range(rows)]
    frame = frame.drop(columns=["minority"])
    path = tmp_path / f"registru{suffix}"
    if suffix == ".xlsx":
        frame.to_excel(path, index=False, sheet_name="Registru")
    else:
        frame.to_csv(path, index=False, sep=";")
    return path


def _key(tmp_path: Path) -> Path:
    path = tmp_path / "partners.key"
    path.write_text(KEY + "\n", encoding="ascii")
    return path


def test_an_unmapped_column_stops_report_and_convert_naming_the_closest_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Etnia` matches no column: report (with any engine that reads a CSV) and convert exit 2
    naming it and `roma`, the closest."""
    frame = _table()
    frame["Etnia"] = "Da"
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    for argv in (
        ["report", str(source)],
        ["report", str(source), "--engine", "dask"],
        ["convert", str(source), str(tmp_path / "o.parquet")],
    ):
        code, _out, err = run(argv, capsys)
        assert code == 2, err
        assert "'Etnia'" in err
        assert "roma" in err.split("closest canonical names:")[1]
        assert "Traceback" not in err
    assert not (tmp_path / "o.parquet").exists()


def test_validate_stops_on_an_unmapped_column_as_the_other_commands_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` names `Etnia` and its closest names (exit 2), and accepts it once ignored."""
    frame = _table()
    frame["Etnia"] = "Da"
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    rejected = tmp_path / "rejected.csv"
    for argv in (["validate", str(source)], ["validate", str(source), "--rejected", str(rejected)]):
        code, out, err = run(argv, capsys)
        assert code == 2, err
        assert "column.unmapped" not in out  # the message, not the code, is printed
        assert "'Etnia'" in out
        assert "roma" in out.split("closest canonical names:")[1]
    assert not rejected.exists()
    code, out, err = run(["validate", str(source), "--ignore-columns", "Etnia"], capsys)
    assert code == 0, out + err
    assert "all valid" in out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_report_names_an_unmapped_and_a_missing_column_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """`Etnia` unmapped and `gender` missing: report, like validate, names both at once."""
    frame = _table().drop(columns=["gender"])
    frame["Etnia"] = "Da"
    source = tmp_path / f"p{suffix}"
    if suffix == ".csv":
        frame.to_csv(source, index=False)
    else:
        frame.to_excel(source, index=False)
    for argv in (["report", str(source)], ["validate", str(source)]):
        code, out, err = run(argv, capsys)
        assert code == 2, out + err
        said = out + err
        assert "'Etnia'" in said, argv
        assert "'gender'" in said, argv


def test_ignore_columns_leaves_a_column_out_on_purpose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--ignore-columns names the columns to leave: the report then runs, without a warning."""
    frame = _table()
    frame["Observații"] = "x"
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    code, out, err = run(["report", str(source), "--ignore-columns", "Observatii"], capsys)
    assert code == 0, err
    assert out.startswith("indicator,")
    assert "warning" not in err.lower()


def test_a_mapping_file_maps_a_header_every_command_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--mapping maps `Etnia` (Da/Nu) to minority: the converted table has the column."""
    frame = _table().drop(columns=["minority"])
    frame["Etnia"] = ["Da", "Nu"] * (len(frame) // 2)
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"columns": {"Etnia": {"column": "minority", "values": {"Da": True, "Nu": None}}}}
        ),
        encoding="utf-8",
    )
    target = tmp_path / "o.parquet"
    code, _, err = run(["convert", str(source), str(target), "--mapping", str(mapping)], capsys)
    assert code == 0, err
    assert int(pd.read_parquet(target)["minority"].sum()) == len(frame) // 2


def test_report_key_file_pseudonymises_a_register_on_the_fly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A register with CNP and names, no ids: report --key-file counts it as the pseudonymised
    table would be counted, and no CNP or name is written."""
    source, key = _register(tmp_path), _key(tmp_path)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"Etnia": "minority"}}), encoding="utf-8")
    excluded = tmp_path / "excluded.csv"
    code, out, err = run(
        [
            "report", str(source), "--key-file", str(key), "--mapping", str(mapping),
            "--excluded", str(excluded),
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    pseudonymised = tmp_path / "p.csv"
    assert run(
        ["pseudonymise", str(source), str(pseudonymised), "--key-file", str(key),
         "--mapping", str(mapping)],
        capsys,
    )[0] == 0  # fmt: skip
    read = inclusionkit.read_participations(pseudonymised)
    expected = inclusionkit.compute(read, as_of=dt.date.today())  # the command's default
    assert out == expected.table.to_csv(index=False)
    for text in (out, err, excluded.read_text(encoding="utf-8")):
        assert _cnp(3) not in text
        assert "Popescu" not in text


def test_report_key_file_still_refuses_an_unmapped_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the fly or not, `Etnia` without a mapping stops the report (exit 2)."""
    code, _, err = run(
        ["report", str(_register(tmp_path)), "--key-file", str(_key(tmp_path))], capsys
    )
    assert code == 2
    assert "'Etnia'" in err


def test_pseudonymise_reads_an_xlsx_register_without_canonical_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pseudonymise takes an Excel register with no participant id and writes keyed ids."""
    source = _register(tmp_path, 12, suffix=".xlsx")
    target = tmp_path / "out.csv"
    code, _out, err = run(
        [
            "pseudonymise",
            str(source),
            str(target),
            "--key-file",
            str(_key(tmp_path)),
            "--ignore-columns",
            "Etnia",
        ],
        capsys,
    )
    assert code == 0, err
    written = pd.read_csv(target, dtype=str)
    assert written["participant_id"].notna().all()
    assert written["participant_id"].nunique() == 12
    assert "CNP" not in written.columns
    assert "cnp" not in written.columns
    assert _cnp(3) not in target.read_text(encoding="utf-8")


def test_load_key_is_public() -> None:
    """inclusionkit.load_key reads the hex key file the command line takes."""
    assert "load_key" in inclusionkit.__all__


def test_load_key_reads_a_hex_key(tmp_path: Path) -> None:
    """A 64-hex-digit key file gives the 32 bytes it spells."""
    assert inclusionkit.load_key(_key(tmp_path)) == bytes.fromhex(KEY)


def test_progress_refuses_another_projects_participations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """progress with another project's table: exit 2 naming both project codes."""
    source = tmp_path / "p.csv"
    _table().to_csv(source, index=False)
    code, _, err = run(["progress", "dialog-social", "--participations", str(source)], capsys)
    assert code == 2
    assert "POSDRU/165/6.2/S/143094" in err
    assert "999999" in err


def test_the_spelling_etnie_rroma_is_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Etnie rromă` (Da/Nu), a common spelling, fills roma with no mapping file."""
    frame = _table().drop(columns=["roma"])
    frame["Etnie rromă"] = ["Da", "Nu"] * (len(frame) // 2)
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    target = tmp_path / "o.parquet"
    assert run(["convert", str(source), str(target)], capsys)[0] == 0
    assert int(pd.read_parquet(target)["roma"].sum()) == len(frame) // 2


def _misspelled(tmp_path: Path, suffix: str = ".csv") -> tuple[Path, pd.DataFrame]:
    """A register whose headers are close spellings, one placed only by its values."""
    frame = _table(20)
    renamed = frame.rename(
        columns={
            "participant_id": "Cod particpant",
            "birth_date": "Data nasteri",
            "entry_date": "DATA INTRARII",
            "gender": "Persoana",
        }
    )
    renamed["Persoana"] = frame["gender"].map({"female": "femeie", "male": "M"})
    renamed["Obs"] = "x"
    path = tmp_path / f"registru{suffix}"
    if suffix == ".xlsx":
        renamed.to_excel(path, index=False, sheet_name="Registru")
    else:
        renamed.to_csv(path, index=False, sep=";")
    return path, frame


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_mapping_suggest_proposes_a_mapping_that_reads_the_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """mapping suggest places close spellings and a column by its values (in a CSV and in a
    workbook alike), maps an unknown value to its closest word, leaves the rest null, and the
    file it writes reads the register as the canonical table was."""
    source, frame = _misspelled(tmp_path, suffix)
    mapping = tmp_path / "mapping.json"
    code, _, err = run(["mapping", "suggest", str(source), "-o", str(mapping)], capsys)
    assert code == 0, err
    document = json.loads(mapping.read_text(encoding="utf-8"))
    assert document["columns"]["Cod particpant"] == "participant_id"
    assert document["columns"]["Data nasteri"] == "birth_date"
    assert document["columns"]["Persoana"] == "gender"
    assert document["columns"]["Obs"] is None
    assert "'Obs'" in err
    target = tmp_path / "o.parquet"
    code, _, err = run(["convert", str(source), str(target), "--mapping", str(mapping)], capsys)
    assert code == 0, err
    read = pd.read_parquet(target)
    assert read["gender"].astype(str).tolist() == frame["gender"].astype(str).tolist()
    assert read["participant_id"].tolist() == frame["participant_id"].tolist()


def test_suggest_mapping_is_public_and_valid(tmp_path: Path) -> None:
    """inclusionkit.suggest_mapping returns a document the mapping schema accepts."""
    source, _ = _misspelled(tmp_path)
    suggestion = inclusionkit.suggest_mapping(source)
    inclusionkit.validate_mapping(suggestion.document)
    assert suggestion.unresolved == ("Obs",)


def test_a_value_left_as_written_is_a_warning_line_not_a_python_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown gender in a workbook: convert says so on one `inclusionkit: warning:` line
    with the sheet row, never Python's warning format with a source line."""
    frame = _table(5)
    frame["gender"] = ["F", "M", "X?", "F", "M"]
    source = tmp_path / "registru.xlsx"
    frame.to_excel(source, index=False, sheet_name="Registru")
    code, _, err = run(["convert", str(source), str(tmp_path / "o.parquet")], capsys)
    assert code == 0, err
    assert "inclusionkit: warning:" in err
    assert "'X?'" in err
    assert "Warning:" not in err
    assert "warnings.warn" not in err


def test_a_parquet_file_is_read_through_the_mapping_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report FILE.parquet --mapping: the mapping applies (a Parquet file is otherwise
    streamed), and without it the unknown column stops the command."""
    frame = _table().drop(columns=["minority"])
    frame["Etnia"] = ["Da", "Nu"] * (len(frame) // 2)
    source = tmp_path / "p.parquet"
    frame.to_parquet(source)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"Etnia": "minority"}}), encoding="utf-8")
    code, out, err = run(["report", str(source), "--mapping", str(mapping)], capsys)
    assert code == 0, err
    assert out.startswith("indicator,")
    assert run(["report", str(source)], capsys)[0] == 2  # streamed or not, never lost silently


@pytest.mark.parametrize(
    ("suffix", "engine"), [(".parquet", "streaming"), (".parquet", "dask"), (".csv", "dask")]
)
def test_mapping_applies_with_every_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, engine: str
) -> None:
    """--mapping with --engine streaming or dask: a header and its own values mapped give the
    same report as the default engine."""
    from inclusionkit.cli._report import report_csv

    frame = _table().drop(columns=["minority"])
    frame["Etnia"] = ["rrom", "român"] * (len(frame) // 2)
    frame = frame.rename(columns={"gender": "Sex"})
    frame["Sex"] = frame["Sex"].map({"female": "fem", "male": "masc"})
    source = tmp_path / f"p{suffix}"
    if suffix == ".csv":
        frame.to_csv(source, index=False)
    else:
        frame.to_parquet(source)
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "Etnia": {"column": "minority", "values": {"rrom": True, "român": False}},
                    "Sex": {"column": "gender", "values": {"fem": "female", "masc": "male"}},
                }
            }
        ),
        encoding="utf-8",
    )
    argv = ["report", str(source), "--mapping", str(mapping), "--as-of", "2024-12-31"]
    code, expected, err = run(argv, capsys)
    assert code == 0, err
    assert "female" in expected
    code, out, err = run([*argv, "--engine", engine], capsys)
    assert code == 0, err
    assert out == expected
    roma = inclusionkit.compute(
        _table().assign(minority=[True, False] * (len(frame) // 2)), as_of="2024-12-31"
    ).table
    assert out == report_csv(roma)


def test_report_leaves_out_a_future_entry_as_validate_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --as-of, a row entered after today is not counted, and --excluded lists it at
    the line and under the code validate gives it."""
    import io

    frame = _table()
    frame.loc[5, "entry_date"] = pd.Timestamp(dt.date.today() + dt.timedelta(days=40))
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    code, out, _err = run(["validate", str(source)], capsys)
    assert code == 2
    assert "line 7, column 'entry_date'" in out
    excluded = tmp_path / "excluded.csv"
    code, out, err = run(["report", str(source), "--by", "", "--excluded", str(excluded)], capsys)
    assert code == 0, err
    totals = pd.read_csv(io.StringIO(out)).set_index("indicator")["value"]
    expected = inclusionkit.compute(frame.drop(index=5), by="", as_of=dt.date.today()).table
    assert totals.to_dict() == expected.set_index("indicator")["value"].to_dict()
    assert "1 rows after the as-of date" in err
    listed = pd.read_csv(excluded)
    future = listed[listed["reason"] == "entry_date.in_future"]
    assert future["row"].tolist() == [7]
    assert future["participant_id"].tolist() == [frame.loc[5, "participant_id"]]
