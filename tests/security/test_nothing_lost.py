"""Nothing lost: for every importer of participations, on messy files, accepted + rejected rows
are exactly the input rows, each row in one of them once, every rejection with its reason; and
``inclusionkit validate FILE --rejected OUT.csv`` writes the rejected rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import inclusionkit
from inclusionkit import COLUMN_NAMES, InclusionKitError, ValidationError
from inclusionkit._participations import DTYPES
from inclusionkit._plugins import importers
from inclusionkit._rejected import ROW_PROBLEMS, read_with_rejections, write_rejected
from inclusionkit.cli import main
from tests.security._samples import IDENTIFIERS

TODAY = dt.date(2025, 1, 1)


def _good(i: int) -> dict[str, object]:
    """A participation that passes every check."""
    return {
        "participant_id": f"P{i:03d}",
        "project_code": "POCU/449/4/16/127700",
        "gender": "female" if i % 2 else "male",
        "birth_date": "1990-05-17",
        "entry_date": "2019-09-01",
        "exit_date": "",
        "labour_status": "unemployed",
        "isced": "2",
        "region": "RO42",
        "partner": "lead",
    }


# Each messy row and whether it must be rejected. Every kind of damage a partner's file brings:
# cells that do not parse (caught by the importer), values the contract refuses (caught by
# validate_participations), and rows that merely look odd but are fine.
MESSY: list[tuple[dict[str, object], bool]] = [
    (_good(0), False),
    ({**_good(1), "birth_date": "31.02.1990"}, True),  # impossible date
    ({**_good(2), "isced": "2,0"}, True),  # decimal comma in a level code
    ({**_good(3), "gender": "F"}, True),  # not a canonical gender
    ({**_good(4), "exit_date": "2018-01-01"}, True),  # exit before entry
    ({**_good(5), "birth_date": "17.05.1990", "entry_date": "01.09.2019"}, False),  # DD.MM.YYYY
    ({**_good(6), "isced": "11"}, True),  # out of range
    ({**_good(7), "labour_status": ""}, True),  # required value missing
    ({**_good(8), "participant_id": ""}, True),  # no id (a totals row)
    ({**_good(9), "birth_date": "1800-01-01"}, True),  # aged 219 at entry: not plausible
    ({**_good(10), "partner": '=HYPERLINK("x")'}, False),  # hostile text is still data
    (_good(10), False),  # same id, different row (re-entry): fine
    (_good(0), True),  # exact duplicate of the first row
    ({**_good(12), "exit_date": "2020-13-01"}, True),  # month 13
    ({**_good(13), "region": "RO99"}, True),  # not a NUTS-2 region
]
ROWS = [row for row, _ in MESSY]
REJECTED = {i for i, (_, rejected) in enumerate(MESSY) if rejected}
# The ingestion pipeline's mapping reads "F" as female in every format (Romanian registers write
# it so); JSON with the canonical names is checked against its schema first, which is stricter:
# ISO dates only, canonical genders only.
EXPECTED = {"json": REJECTED | {5}}
MAPPED = REJECTED - {3}


def _csv(
    path: Path, rows: list[dict[str, object]], *, sep: str = ",", encoding: str = "utf-8"
) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=sep, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerows([[str(row.get(name, "")) for name in COLUMN_NAMES] for row in rows])
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def _json(path: Path, rows: list[dict[str, object]]) -> Path:
    records = []
    for row in rows:
        record: dict[str, object] = {}
        for name, value in row.items():
            if value == "":
                record[name] = None
            elif name == "isced":
                record[name] = int(str(value)) if str(value).isdigit() else value  # "2,0": text
            else:
                record[name] = value
        records.append(record)
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _parquet(path: Path, rows: list[dict[str, object]]) -> Path:
    # A partner's Parquet export with every column as text (what pandas writes from a sheet).
    frame = pd.DataFrame([{name: row.get(name, "") for name in COLUMN_NAMES} for row in rows])
    frame.astype("string").replace("", pd.NA).to_parquet(path, index=False)
    return path


def _xlsx(path: Path, rows: list[dict[str, object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([str(row.get(name, "")) or None for name in COLUMN_NAMES])
    workbook.save(path)
    return path


WRITERS = {"csv": _csv, "json": _json, "parquet": _parquet, "xlsx": _xlsx}
# A register (docs/register.md) holds only rows its imports accepted, in typed columns: it has no
# messy cells; its imports are the files above, read by these same importers.
PARTICIPATION_IMPORTERS = sorted(
    name
    for name, importer in importers().items()
    if "participations" in importer.kinds and name != "register"
)


def test_every_participation_importer_has_a_messy_file() -> None:
    """A new importer of participations must add its messy file here."""
    assert set(PARTICIPATION_IMPORTERS) <= set(WRITERS), set(PARTICIPATION_IMPORTERS) - set(WRITERS)


def _assert_nothing_lost(outcome: inclusionkit._rejected.ImportOutcome, rows: int) -> None:
    """Accepted + rejected = the input, each row exactly once, each rejection with a reason."""
    assert outcome.rows == rows
    assert len(outcome.accepted) + len(outcome.rejected) == rows
    seen = sorted([*outcome.accepted.index.tolist(), *outcome.rejected["index"].tolist()])
    assert seen == list(range(rows))
    assert outcome.rejected["codes"].str.len().min() > 0 if len(outcome.rejected) else True
    assert outcome.rejected["message"].notna().all()


@pytest.mark.parametrize("name", PARTICIPATION_IMPORTERS)
def test_accepted_plus_rejected_is_the_input(tmp_path: Path, name: str) -> None:
    """Every importer on a messy file: each row accepted or rejected with its reason, none lost."""
    suffix = importers()[name].extensions[0]
    path = WRITERS[name](tmp_path / f"messy{suffix}", ROWS)
    outcome = read_with_rejections(path, today=TODAY)
    _assert_nothing_lost(outcome, len(ROWS))
    expected = EXPECTED.get(name, MAPPED)
    assert set(outcome.rejected["index"]) == expected
    assert set(outcome.accepted.index) == set(range(len(ROWS))) - expected
    accepted_typed = outcome.accepted[list(COLUMN_NAMES)]
    assert all(accepted_typed[c].dtype == DTYPES[c] for c in COLUMN_NAMES)
    assert inclusionkit.validate_participations(accepted_typed, today=TODAY).ok


@pytest.mark.parametrize("name", PARTICIPATION_IMPORTERS)
def test_importer_reports_its_coerced_cells(tmp_path: Path, name: str) -> None:
    """In coerce mode an importer keeps every row and names the cells it could not read."""
    suffix = importers()[name].extensions[0]
    path = WRITERS[name](tmp_path / f"messy{suffix}", ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a register's unknown values are warnings
        table = inclusionkit.read(path, format=name, on_error="coerce")
    assert len(table) == len(ROWS)
    coerced = {row for row, _ in table.attrs[ROW_PROBLEMS]}
    assert {1, 2} <= coerced  # the impossible date and "2,0"
    assert coerced <= EXPECTED.get(name, MAPPED)


@pytest.mark.parametrize("name", PARTICIPATION_IMPORTERS)
def test_strict_import_names_every_bad_cell(tmp_path: Path, name: str) -> None:
    """Without coercion the import fails whole, naming every cell: no row is half-imported."""
    suffix = importers()[name].extensions[0]
    path = WRITERS[name](tmp_path / f"messy{suffix}", ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a register's unknown values are warnings
        with pytest.raises(ValidationError) as info:
            inclusionkit.read(path, format=name)
    assert len(info.value.problems) >= 2


def test_the_validator_alone_never_drops_a_row() -> None:
    """validate_participations on typed and on raw text tables: accepted + rejected = input."""
    # As the readers give it: an empty cell is missing, not "".
    raw = pd.DataFrame(ROWS).reindex(columns=list(COLUMN_NAMES)).astype("string")
    raw = raw.mask(raw == "")
    report = inclusionkit.validate_participations(raw, today=TODAY)
    assert report.accepted_count + len(report.rejected) == len(ROWS)
    assert set(report.rejected["index"]) == REJECTED


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250"])
def test_messy_encodings_lose_nothing(tmp_path: Path, encoding: str) -> None:
    """';' files in Windows-1250 or with a BOM split the same way as clean UTF-8."""
    # The first row and its exact duplicate (row 12) get a partner spelt with cedillas.
    rows = [
        {**row, "partner": "Asociaţia Şanse"} if i in (0, 12) else row for i, row in enumerate(ROWS)
    ]
    path = _csv(tmp_path / "messy.csv", rows, sep=";", encoding=encoding)
    outcome = read_with_rejections(path, today=TODAY)
    _assert_nothing_lost(outcome, len(ROWS))
    assert set(outcome.rejected["index"]) == MAPPED
    assert outcome.accepted.loc[0, "partner"] == "Asociația Șanse"


def test_a_file_level_problem_rejects_the_file_not_rows(tmp_path: Path) -> None:
    """A missing required column is raised: nothing is accepted, so nothing is silently lost."""
    path = tmp_path / "short.csv"
    path.write_text("participant_id,gender\nP1,female\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="missing"):
        read_with_rejections(path)


def test_rejected_file_keeps_identifiers_out(tmp_path: Path) -> None:
    """The rejected rows file has row, reasons and canonical columns, not a CNP or a name."""
    rows = [{**row, "cnp": IDENTIFIERS["cnp"], "nume": IDENTIFIERS["nume"]} for row in ROWS]
    frame = pd.DataFrame(rows).reindex(columns=[*COLUMN_NAMES, "cnp", "nume"])
    path = tmp_path / "with-ids.csv"
    frame.to_csv(path, index=False)
    outcome = read_with_rejections(path, today=TODAY)
    out = tmp_path / "rejected.csv"
    write_rejected(outcome, out)
    text = out.read_text(encoding="utf-8")
    assert IDENTIFIERS["cnp"] not in text
    assert IDENTIFIERS["nume"] not in text
    assert "cnp" in outcome.rejected.columns  # the CNP was checked, just not written


def test_cli_validate_writes_the_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate FILE --rejected OUT.csv: the rejected rows with reasons, exit 2, summary shown."""
    path = _csv(tmp_path / "messy.csv", ROWS, sep=";")
    out = tmp_path / "rejected.csv"
    code = main(["validate", str(path), "--rejected", str(out)])
    printed = capsys.readouterr()
    assert code == 2
    rejected = pd.read_csv(out, dtype=str, keep_default_na=False)
    # The CSV's lines: the header is line 1, so the rows are lines 2 to len(ROWS) + 1.
    assert set(rejected["row"].astype(int)) <= set(range(2, len(ROWS) + 2))
    accepted = len(ROWS) - len(rejected)
    assert f"{len(ROWS)} rows: {accepted} accepted, {len(rejected)} rejected" in printed.out
    assert "line 3, column 'birth_date'" in printed.out  # the impossible date, located
    assert not any(cell[:1] in "=+-@" for cell in rejected["partner"])  # neutralised


def test_cli_validate_rejected_on_a_clean_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean file: exit 0, an empty rejected file (header only) is still written."""
    path = _csv(tmp_path / "clean.csv", [_good(i) for i in range(3)])
    out = tmp_path / "rejected.csv"
    assert main(["validate", str(path), "--rejected", str(out)]) == 0
    assert "3 rows: 3 accepted, 0 rejected" in capsys.readouterr().out
    assert pd.read_csv(out).empty


def test_cli_validate_rejected_on_a_file_that_is_not_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that cannot be read as a table: exit 2, a message, no rejected file."""
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\x00\x01binary")
    out = tmp_path / "rejected.csv"
    assert main(["validate", str(path), "--rejected", str(out)]) == 2
    assert "binary" in capsys.readouterr().err
    assert not out.exists()


def test_rejected_rows_of_a_large_table(tmp_path: Path) -> None:
    """Nothing lost at scale too: 20,000 rows with 1 in 7 damaged, split exactly."""
    rng = np.random.default_rng(7)
    rows = [_good(i) for i in range(20_000)]
    damaged = set(rng.choice(len(rows), size=len(rows) // 7, replace=False).tolist())
    for i in damaged:
        rows[i] = {**rows[i], "birth_date": "30.02.1990"}
    path = _csv(tmp_path / "big.csv", rows)
    outcome = read_with_rejections(path, today=TODAY)
    _assert_nothing_lost(outcome, len(rows))
    assert set(outcome.rejected["index"]) == damaged


def test_stream_sources_are_split_too(tmp_path: Path) -> None:
    """A binary file object works like a path."""
    path = _csv(tmp_path / "messy.csv", ROWS)
    with open(path, "rb") as handle:
        outcome = read_with_rejections(handle, format="csv", today=TODAY)
    _assert_nothing_lost(outcome, len(ROWS))


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    """A file no importer claims is an InclusionKitError."""
    path = tmp_path / "x.unknown"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InclusionKitError):
        read_with_rejections(path)
