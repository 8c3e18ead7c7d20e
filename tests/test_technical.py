"""technical_report(): the Anexa 9 tables of a reporting period, by hand and on both seeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import inclusionkit
from inclusionkit import InclusionKitError, TechnicalReport, examples, progress, technical_report
from inclusionkit._technical import HEADERS, TITLES
from inclusionkit.cli import cli as main
from tests.rules.strategies import table_from_rows

D = dt.date
SEEDS = {"dreptul-la-munca": "2015-Q2", "dialog-social": "2012-S1"}


def _project() -> Any:
    indicator = {"unit": "persons", "target": 10}
    return inclusionkit.load_project(
        {
            "code": "POCU/125/4/1/100001",
            "title": {"ro": "Proiect", "en": "Project"},
            "programme": "POCU 2014-2020",
            "period": {"start": "2023-01-01", "end": "2025-12-31"},
            "partners": [
                {"organisation": {"id": "lead", "name": "Lead", "kind": "ngo"}, "role": "lead"}
            ],
            "target_groups": [
                {"id": "TG-A", "name": {"ro": "Grupul A", "en": "Group A"}, "size": 3},
                {"id": "TG-B", "name": {"ro": "Grupul B", "en": "Group B"}, "size": 2},
            ],
            "objectives": [
                {
                    "id": "O1",
                    "title": {"ro": "O"},
                    "indicators": [
                        {
                            **indicator,
                            "code": "I-OUT",
                            "name": {"ro": "Participanți", "en": "Participants"},
                            "kind": "output",
                            "rule": {
                                "population": "participations",
                                "aggregate": {"function": "count"},
                            },
                        },
                        {
                            **indicator,
                            "code": "I-RES",
                            "name": {"ro": "Angajați la ieșire", "en": "Employed on leaving"},
                            "kind": "result",
                            "target": 4,
                            "rule": {
                                "population": "participations",
                                "filter": {
                                    "all": [
                                        {"is_true": "leaver"},
                                        {"is_true": "employed_at_exit"},
                                    ]
                                },
                                "aggregate": {"function": "count"},
                            },
                        },
                        {
                            **indicator,
                            "code": "I-REP",
                            "name": {"ro": "Raportat", "en": "Reported"},
                            "kind": "output",
                            "achieved": {"value": 7, "date": "2024-03-15", "source": "RT3"},
                        },
                    ],
                }
            ],
        }
    )


def _row(pid: str, gender: str, entry: dt.date, exit_: dt.date | None, **values: Any) -> dict:
    return {
        "participant_id": pid,
        "project_code": "POCU/125/4/1/100001",
        "gender": gender,
        "birth_date": D(1990, 1, 1),
        "entry_date": entry,
        "exit_date": exit_,
        "labour_status": "unemployed",
        "isced": 3,
        **values,
    }


def _table() -> pd.DataFrame:
    table = table_from_rows(
        [
            # a: entered before the period, leaves in it employed
            _row("a", "female", D(2023, 11, 1), D(2024, 2, 10), employed_at_exit=True),
            # b: enters in the period and leaves on its last day, employed
            _row("b", "male", D(2024, 1, 10), D(2024, 3, 31), employed_at_exit=True),
            # c: enters on the period's last day
            _row("c", "female", D(2024, 3, 31), None),
            # d: left on the day before the period, employed
            _row("d", "male", D(2023, 5, 1), D(2023, 12, 31), employed_at_exit=True),
            # e: enters in the next period
            _row("e", "female", D(2024, 4, 1), None),
        ]
    )
    return table.assign(target_group=["TG-A", "TG-A", "TG-B", "TG-B", "TG-A"])


def test_hand_computed_indicators_and_target_groups() -> None:
    """Previous report, period and cumulative values by hand; the reported-only indicator's
    period value is the growth of its reported value; the target groups by gender."""
    report = technical_report(_project(), _table(), period="2024-Q1", lang="en")
    assert isinstance(report, TechnicalReport)
    rows = report.indicators.set_index("indicator")
    assert rows.loc["I-OUT", ["previous", "period", "cumulative"]].tolist() == [2, 2, 4]
    assert rows.loc["I-OUT", "percent"] == 40.0
    assert rows.loc["I-RES", ["previous", "period", "cumulative"]].tolist() == [1, 2, 3]
    assert rows.loc["I-RES", "percent"] == 75.0
    assert pd.isna(rows.loc["I-REP", "previous"])
    assert rows.loc["I-REP", ["period", "cumulative"]].tolist() == [7, 7]
    assert rows["name"].tolist() == ["Participants", "Employed on leaving", "Reported"]
    groups = report.target_groups.set_index("target_group")
    achieved = ["previous_women", "previous_men", "period_women", "period_men"]
    assert groups.loc["TG-A", achieved].tolist() == [1, 0, 0, 1]
    assert groups.loc["TG-B", achieved].tolist() == [0, 1, 1, 0]
    assert groups.loc["TOTAL", achieved].tolist() == [1, 1, 1, 1]
    assert groups["forecast"].tolist() == [3, 2, 5]
    assert groups["forecast_women"].isna().all()


def test_without_a_target_group_column_only_the_total_is_achieved() -> None:
    """With several target groups and no target_group column nothing is attributed to a group."""
    report = technical_report(
        _project(), _table().drop(columns="target_group"), period="2024-Q1", lang="ro"
    )
    groups = report.target_groups.set_index("target_group")
    assert groups.loc["TG-A"].drop(["name", "forecast"]).isna().all()
    assert groups.loc["TOTAL", ["period_women", "period_men"]].tolist() == [1, 1]
    assert groups.loc["TOTAL", "name"] == TITLES["ro"]["all"]


def test_the_cumulative_column_is_progress_at_the_period_end() -> None:
    """The previous and cumulative values are progress() as of the day before and the last day."""
    example = examples.load("dreptul-la-munca")
    report = technical_report(example.project, example.participations, period="2015-Q2")
    now = progress(example.project, example.participations, as_of="2015-06-30")
    before = progress(example.project, example.participations, as_of="2015-03-31")
    assert report.indicators["cumulative"].tolist() == now["achieved"].tolist()
    assert report.indicators["previous"].tolist() == before["achieved"].tolist()


def test_tables_are_headed_in_either_language() -> None:
    """tables() heads the columns in Romanian (the Anexa 9's words) or English."""
    report = technical_report(_project(), _table(), period="2024-Q1")
    assert report.lang == "ro"
    ro = report.tables()
    assert list(ro["indicators"].columns)[:3] == ["Denumire", "ID", "UM"]
    en = report.tables("en")
    assert list(en["target_groups"].columns) == [
        HEADERS["en"][name] for name in report.target_groups.columns
    ]
    with pytest.raises(InclusionKitError, match="lang"):
        report.tables("fr")


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".html"])
def test_the_layout_on_both_seeds(tmp_path: Path, seed: str, lang: str, suffix: str) -> None:
    """progress --period --layout raport-tehnic writes csv, xlsx and html in ro and en."""
    output = tmp_path / f"rt{suffix}"
    args = ["progress", seed, "--period", SEEDS[seed], "--layout", "raport-tehnic"]
    result = CliRunner().invoke(main, [*args, "--lang", lang, "-o", str(output)])
    assert result.exit_code == 0, result.output
    report = technical_report(
        examples.load(seed).project,
        examples.load(seed).participations,
        period=SEEDS[seed],
        lang=lang,
    )
    headers = HEADERS[lang]
    if suffix == ".csv":
        text = output.read_text(encoding="utf-8")
        first, second = text.split("\n\n")
        assert first.splitlines()[0].startswith(f"{headers['name']},ID,{headers['unit']}")
        assert len(first.splitlines()) == len(report.indicators) + 1
        assert second.splitlines()[0].startswith(headers["target_group"])
        assert len(second.splitlines()) == len(report.target_groups) + 1
    elif suffix == ".xlsx":
        book = load_workbook(output, read_only=True)
        names = book.sheetnames
        assert len(names) == 3
        sheet = book[names[1]]
        values = list(sheet.iter_rows(values_only=True))
        # The table starts below the title block, which a blank row ends.
        values = values[1 + next(i for i, row in enumerate(values) if not any(row)) :]
        assert values[0][0] == headers["name"]
        cumulative = list(values[0]).index(headers["cumulative"])
        got = [row[cumulative] for row in values[1:]]
        want = [None if pd.isna(v) else v for v in report.indicators["cumulative"]]
        assert got == want
    else:
        page = output.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        assert TITLES[lang]["indicators"] in page
        assert TITLES[lang]["target_groups"] in page
        assert "<script" not in page
        assert page.count("<tr>") == len(report.indicators) + len(report.target_groups) + 2


def test_the_cli_checks_its_options() -> None:
    """A layout without a period, a bad period, or --as-of beside --period are clear errors."""
    runner = CliRunner()
    result = runner.invoke(main, ["progress", "dialog-social", "--layout", "raport-tehnic"])
    assert result.exit_code == 2
    assert "needs --period" in result.output
    result = runner.invoke(main, ["progress", "dialog-social", "--period", "2012-S3"])
    assert result.exit_code == 2
    assert "two semesters" in result.output
    args = ["progress", "dialog-social", "--period", "2012-S1", "--as-of", "2012-06-30"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "leave out --as-of" in result.output
    result = runner.invoke(
        main, ["progress", "dialog-social", "--period", "2012-S1", "-o", "x.json"]
    )
    assert result.exit_code == 2
    assert "written as csv, xlsx, html" in result.output


def test_the_cli_shows_the_report_on_a_terminal_and_as_csv() -> None:
    """Without --output the report is shown as text, or as the exporter's csv."""
    runner = CliRunner()
    args = ["progress", "dialog-social", "--period", "2012-S1", "--lang", "ro"]
    shown = runner.invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert TITLES["ro"]["indicators"] in shown.output
    assert "2012-01-01..2012-06-30" in shown.output
    csv = runner.invoke(main, [*args, "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    assert csv.output.startswith("Denumire,ID,UM,")
