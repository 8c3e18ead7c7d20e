"""Issue 14's done-when: a Romanian register, in Excel and in a Windows-1250 ``;`` CSV, taken
through the commands of docs/getting-started.md (pseudonymise, validate, report to xlsx and html,
esf-2014 and esf-2007), every figure checked against a hand count and every row number reported
against the row where the mistake was planted."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from inclusionkit.cli import main
from inclusionkit.ro import cnp_check_digit

KEY = "3f9c2a7be4d1806f5a2c9e7b13d4f6a08c5e2b9d7f1a3c6e4b8d0f2a5c7e9b1d"
PROJECT = "POCU/138/4/1/111111"
ROWS = 24
STATUSES = ("șomer", "șomer de lungă durată", "inactiv", "angajat")
CANONICAL_STATUS = {
    "șomer": "unemployed",
    "șomer de lungă durată": "long_term_unemployed",
    "inactiv": "inactive",
    "angajat": "employed",
}

# The planted mistakes, by 0-based register row; the user sees row + 2 (the header is row 1,
# in the CSV's lines and in the sheet's rows alike).
BAD_DATE = 3  # "31.02.2016": no such day; pseudonymise stops on it until it is fixed
FUTURE = 7  # entered after today: a problem for validate, left out of the report
NO_ISCED = 11  # education level empty: incomplete, counted only in the grand total
EXIT_BEFORE_ENTRY = 16  # left before entering: incomplete
PLANTED = {
    FUTURE: "entry_date.in_future",
    NO_ISCED: "isced.missing",
    EXIT_BEFORE_ENTRY: "exit_date.before_entry",
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _cnp(female: bool, born: dt.date, number: int) -> str:
    first12 = f"{2 if female else 1}{born:%y%m%d}40{number:03d}"
    return first12 + str(cnp_check_digit(first12))


def _people() -> pd.DataFrame:
    """The register's truth, canonical: one row per participant, mistakes planted."""
    rows = []
    for i in range(ROWS):
        female = i % 2 == 0
        born = dt.date(1980 + i % 15, 1 + i % 12, 1 + i % 27)
        entry = dt.date(2016, 1 + i % 12, 10)
        exit_ = dt.date(2017, 1 + i % 12, 20) if i % 3 == 0 else None
        rows.append(
            {
                "cnp": _cnp(female, born, i),
                "last_name": f"Popescu{i}",
                "first_name": "Ana" if female else "Ion",
                "gender": "female" if female else "male",
                "birth_date": born,
                "entry_date": entry,
                "exit_date": exit_,
                "status": STATUSES[i % 4],
                "isced": 1 + i % 4,
                "roma": i % 3 == 1,
                "disability": i % 5 == 0,
            }
        )
    people = pd.DataFrame(rows)
    people.loc[FUTURE, "entry_date"] = dt.date.today() + dt.timedelta(days=60)
    people["isced"] = people["isced"].astype("Int64")
    people.loc[NO_ISCED, "isced"] = None
    people.loc[EXIT_BEFORE_ENTRY, "exit_date"] = dt.date(2015, 12, 1)
    return people


def _register(people: pd.DataFrame, *, bad_date: bool) -> pd.DataFrame:
    """The register as a Romanian NGO keeps it: Romanian headers and words, DD.MM.YYYY."""

    def day(value: object) -> str:
        return "" if value is None or pd.isna(value) else f"{value:%d.%m.%Y}"

    def yes(value: bool) -> str:
        return "Da" if value else "Nu"

    register = pd.DataFrame(
        {
            "Nume": people["last_name"],
            "Prenume": people["first_name"],
            "CNP": people["cnp"],
            "Cod proiect": PROJECT,
            "Gen": people["gender"].map({"female": "F", "male": "M"}),
            "Data nașterii": people["birth_date"].map(day),
            "Data intrării": people["entry_date"].map(day),
            "Data ieșirii": people["exit_date"].map(day),
            "Statut pe piața muncii": people["status"],
            "Nivel educație (ISCED)": people["isced"].astype(str).replace("<NA>", ""),
            "Etnie rromă": people["roma"].map(yes),
            "Dizabilitate": people["disability"].map(yes),
            "Regiune": "Sud-Muntenia",
        }
    )
    if bad_date:
        register.loc[BAD_DATE, "Data intrării"] = "31.02.2016"
    return register


def _write(register: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".xlsx":
        register.to_excel(path, index=False, sheet_name="Registru")
    else:
        text = register.to_csv(index=False, sep=";", lineterminator="\r\n")
        # Windows-1250 has only the cedilla forms of ș and ț, which such registers hold.
        text = text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))
        path.write_bytes(text.encode("cp1250"))
    return path


def _where(suffix: str, row: int) -> str:
    """Where the user finds register row ``row`` (0-based), as the messages say it."""
    number = row + 2
    return f"sheet 'Registru', row {number}" if suffix == ".xlsx" else f"line {number}"


def _lang() -> list[str]:
    """The report in Romanian, as the NGO reads it."""
    return ["--lang", "ro"]


def _hand_count(people: pd.DataFrame) -> dict[str, dict[str, int]]:
    """The esf-2014 figures counted by hand: participations entered by today, complete ones
    in every indicator, every one entered in the grand total."""
    entered = people[people["entry_date"] <= dt.date.today()]
    complete = entered.drop(index=[NO_ISCED, EXIT_BEFORE_ENTRY])
    status = complete["status"].map(CANONICAL_STATUS)

    def by_gender(mask: pd.Series) -> dict[str, int]:
        chosen = complete[mask]
        female = int((chosen["gender"] == "female").sum())
        male = int((chosen["gender"] == "male").sum())
        return {"female": female, "male": male, "total": female + male}

    everyone = pd.Series(True, index=complete.index)
    figures = {
        "TOTAL": by_gender(everyone),
        "CO01": by_gender(status.isin(["unemployed", "long_term_unemployed"])),
        "CO02": by_gender(status == "long_term_unemployed"),
        "CO03": by_gender(status == "inactive"),
        "CO05": by_gender(status == "employed"),
        "CO15": by_gender(complete["roma"]),
        "CO16": by_gender(complete["disability"]),
    }
    figures["GRAND_TOTAL"] = {"total": len(entered)}
    figures["leavers"] = {"total": int(complete["exit_date"].notna().sum())}
    return figures


def _check_workbook(path: Path, wanted: dict[str, dict[str, int]]) -> None:
    """The workbook's indicator rows (code, name, female, male, total) hold the hand count, and
    a sheet counts each planted reason once."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = [row for sheet in book for row in sheet.iter_rows(values_only=True)]
    first = list(book.worksheets[0].iter_rows(values_only=True))
    seen = {row[0]: row[2:5] for row in first if row and row[0] in wanted}
    for indicator, cells in wanted.items():
        if indicator in ("leavers", "GRAND_TOTAL"):
            continue
        assert seen[indicator] == (cells["female"], cells["male"], cells["total"]), indicator
    # reason (the code), its meaning in the run's language, the count
    reasons = {row[0]: row[-1] for row in rows if row and row[0] in PLANTED.values()}
    assert reasons == dict.fromkeys(PLANTED.values(), 1)
    meanings = {row[1] for row in rows if row and row[0] in PLANTED.values()}
    assert "lipsește nivelul ISCED" in meanings


def _check_page(path: Path, wanted: dict[str, dict[str, int]]) -> None:
    """The page's table of indicators holds the hand count in every cell it publishes (small
    cells are suppressed by default), and its table of exclusions counts each planted reason."""
    indicators, reasons = pd.read_html(path)
    for row in indicators.itertuples(index=False):
        cells = wanted.get(str(row[0]))
        if cells is None or "female" not in cells:
            continue
        for value, expected in zip(
            row[2:5], (cells["female"], cells["male"], cells["total"]), strict=True
        ):
            text = str(value)
            assert not text.isdigit() or int(text) == expected, (row[0], text, expected)
    text = " ".join(str(value) for value in reasons.to_numpy().ravel())
    for planted in PLANTED.values():
        assert planted in text


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_romanian_register_goes_from_excel_or_csv_to_a_report_matching_a_hand_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """The getting-started commands on a Romanian register: each planted mistake is named at its
    row, and the esf-2014 / esf-2007 figures are the hand count's, in csv, xlsx and html."""
    people = _people()
    key = tmp_path / "partners.key"
    key.write_text(KEY + "\n", encoding="ascii")
    register = _write(_register(people, bad_date=True), tmp_path / f"registru{suffix}")
    pseudonymised = tmp_path / "pseudonimizat.csv"

    # 1. A date that does not exist stops pseudonymise, named at its row; nothing is written.
    code, out, err = run(
        ["pseudonymise", str(register), str(pseudonymised), "--key-file", str(key)], capsys
    )
    assert code == 2, out + err
    assert f"{_where(suffix, BAD_DATE)}, column 'Data intrării'" in err
    assert "1 problem" in err
    assert not pseudonymised.exists()

    # 2. Fixed, the register is pseudonymised: ids from the CNPs, no identifier left.
    _write(_register(people, bad_date=False), register)
    code, out, err = run(
        ["pseudonymise", str(register), str(pseudonymised), "--key-file", str(key)], capsys
    )
    assert code == 0, out + err
    table = pd.read_csv(pseudonymised, dtype=str)
    assert len(table) == ROWS
    assert {"CNP", "Nume", "Prenume", "cnp", "last_name", "first_name"}.isdisjoint(table.columns)
    assert table["participant_id"].nunique() == ROWS
    text = pseudonymised.read_text(encoding="utf-8")
    assert not any(cnp in text for cnp in people["cnp"])
    assert "Popescu" not in text

    # 3. validate (with the rule set's completeness) names every planted mistake at its line,
    #    and only those.
    code, out, err = run(["validate", str(pseudonymised), "--rules", "esf-2014"], capsys)
    assert code == 2, out + err
    lines = {int(m.group(1)) for m in re.finditer(r"line (\d+)", out)}
    assert lines == {row + 2 for row in PLANTED}, out
    code, out, err = run(
        ["validate", str(pseudonymised), "--rules", "esf-2014", "--summary"], capsys
    )
    assert code == 2
    for planted in PLANTED.values():
        assert f"{planted}: 1 " in out, out

    # 4. The esf-2014 report: every figure is the hand count's; the excluded rows are the
    #    planted ones, at the lines validate named.
    excluded = tmp_path / "excluse.csv"
    code, out, err = run(
        [
            "report",
            str(pseudonymised),
            "--rules",
            "esf-2014",
            "--excluded",
            str(excluded),
            "--format",
            "csv",
        ],
        capsys,
    )
    assert code == 0, err
    figures = pd.read_csv(io.StringIO(out))
    wanted = _hand_count(people)
    for indicator, cells in wanted.items():
        if indicator == "leavers":
            continue
        for gender, value in cells.items():
            got = figures.loc[
                (figures["indicator"] == indicator) & (figures["gender"] == gender), "value"
            ]
            assert got.tolist() == [value], (indicator, gender)
    listed = pd.read_csv(excluded)
    assert sorted(zip(listed["row"], listed["reason"], strict=True)) == sorted(
        (row + 2, code) for row, code in PLANTED.items()
    )
    ids = dict(zip(table.index, table["participant_id"], strict=True))
    assert sorted(listed["participant_id"]) == sorted(ids[row] for row in PLANTED)

    # 5. The same report as xlsx and html (Romanian where the command offers it).
    for rules in ("esf-2014", "esf-2007"):
        for extension in (".xlsx", ".html"):
            target = tmp_path / f"raport-{rules}{extension}"
            code, _, err = run(
                ["report", str(pseudonymised), "--rules", rules, "-o", str(target), *_lang()],
                capsys,
            )
            assert code == 0, err
            assert target.stat().st_size > 0
    _check_workbook(tmp_path / "raport-esf-2014.xlsx", wanted)
    _check_page(tmp_path / "raport-esf-2014.html", wanted)

    # 6. esf-2007 on the same table: its own indicators, the same hand count.
    code, out, err = run(
        ["report", str(pseudonymised), "--rules", "esf-2007", "--by", "", "--format", "csv"],
        capsys,
    )
    assert code == 0, err
    old = pd.read_csv(io.StringIO(out))
    entries = old[old["flow"] == "entries"].groupby("indicator")["value"].sum()
    assert entries["TOTAL"] == wanted["TOTAL"]["total"]
    assert entries["UNEMPLOYED"] == wanted["CO01"]["total"]
    assert entries["UNEMPLOYED.LTU"] == wanted["CO02"]["total"]
    assert entries["INACTIVE"] == wanted["CO03"]["total"]
    assert entries["VULNERABLE.DISABLED"] == wanted["CO16"]["total"]
    assert entries["GRAND_TOTAL"] == wanted["GRAND_TOTAL"]["total"]
    leavers = old[old["flow"] == "leavers"].groupby("indicator")["value"].sum()
    assert leavers["TOTAL"] == wanted["leavers"]["total"]
