"""The six-month follow-up list (inclusionkit.followup, `inclusionkit followup`) and the
pending_6m counter of reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit
from inclusionkit import InclusionKitError, write_participations
from inclusionkit._rules._followup import FOLLOWUP_COLUMNS, parse_window
from inclusionkit.cli import cli
from tests.rules.strategies import AS_OF_DATES, participation_tables, table_from_rows

D = dt.date


def _row(pid: str, exit_date: dt.date | None, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "participant_id": pid,
        "project_code": "POCU/123/4/1/100001",
        "gender": "male",
        "birth_date": D(1980, 1, 1),
        "entry_date": D(2015, 1, 5),
        "exit_date": exit_date,
        "labour_status": "unemployed",
        "isced": 2,
    }
    row.update(values)
    return row


def test_window_parsing() -> None:
    """START..END in ISO or Romanian dates, a quarter, or a pair; a reversed or malformed window is
    refused."""
    assert parse_window("2016-01-01..2016-01-31") == (D(2016, 1, 1), D(2016, 1, 31))
    assert parse_window("01.01.2016..31.01.2016") == (D(2016, 1, 1), D(2016, 1, 31))
    assert parse_window((D(2016, 1, 1), "2016-02-01")) == (D(2016, 1, 1), D(2016, 2, 1))
    assert parse_window("2016-Q1") == (D(2016, 1, 1), D(2016, 3, 31))
    for bad in ("2016-01-31..2016-01-01", "2016-01-01", "2016-01-01..", "x..y"):
        with pytest.raises(InclusionKitError):
            parse_window(bad)


def test_window_bounds_and_month_ends_are_hand_computed() -> None:
    """Both ends are included; 31 August + 6 months is 29 February in a leap year."""
    rows = [
        _row("before", D(2015, 6, 30)),  # 2015-12-30
        _row("first", D(2015, 7, 1)),  # 2016-01-01
        _row("last", D(2015, 7, 31)),  # 2016-01-31
        _row("after", D(2015, 8, 1)),  # 2016-02-01
        _row("leap", D(2015, 8, 31)),  # 2016-02-29
        _row("open", None),
    ]
    table = table_from_rows(rows)
    january = inclusionkit.followup(table, "2016-01-01..2016-01-31")
    assert list(january.columns) == list(FOLLOWUP_COLUMNS)
    assert list(january["participant_id"]) == ["first", "last"]
    assert list(january["six_month_date"].dt.date) == [D(2016, 1, 1), D(2016, 1, 31)]
    february = inclusionkit.followup(table, "2016-02-01..2016-02-29")
    assert list(february["participant_id"]) == ["after", "leap"]
    assert february["six_month_date"].iloc[1].date() == D(2016, 2, 29)


def test_reentries_follow_the_latest_exit_as_of_the_window_end() -> None:
    """A participant who came back and is still in at the window's end is not due; one who left
    again is due six months after the latest exit."""
    rows = [
        _row("back", D(2015, 7, 10)),
        _row("back", D(2015, 12, 31), entry_date=D(2015, 9, 1)),
        _row("still", D(2015, 7, 10)),
        _row("still", None, entry_date=D(2015, 9, 1)),
        _row("later", D(2015, 7, 10)),
        _row("later", None, entry_date=D(2016, 3, 1)),  # re-entered after the window
    ]
    table = table_from_rows(rows)
    january = inclusionkit.followup(table, "2016-01-01..2016-01-31")
    assert list(january["participant_id"]) == ["later"]
    june = inclusionkit.followup(table, "2016-06-01..2016-06-30")
    assert list(june["participant_id"]) == ["back"]


def test_incomplete_leavers_are_listed_but_not_counted() -> None:
    """An incomplete participation is listed (to complete at the follow-up), counted False."""
    rows = [_row("ok", D(2015, 7, 1)), _row("no_gender", D(2015, 7, 2), gender=None)]
    frame = inclusionkit.followup(table_from_rows(rows), "2016-01-01..2016-01-31")
    assert dict(zip(frame["participant_id"], frame["counted"], strict=True)) == {
        "ok": True,
        "no_gender": False,
    }


def test_the_list_never_carries_other_columns(tmp_path: Path) -> None:
    """A CNP or a name in the table never reaches the list: only keys and dates."""
    table = table_from_rows([_row("p1", D(2015, 7, 1))])
    table["cnp"] = "1800101123456"
    table["name"] = "Ion Popescu"
    frame = inclusionkit.followup(table, "2016-01-01..2016-01-31")
    assert list(frame.columns) == list(FOLLOWUP_COLUMNS)
    assert "1800101123456" not in frame.to_csv()
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["followup", str(path), "--window", "2016-01-01..2016-01-31"])
    assert result.exit_code == 0, result.output
    assert "1800101123456" not in result.output
    assert "Popescu" not in result.output


def test_cli_prints_csv_json_and_a_summary(tmp_path: Path) -> None:
    """followup prints the list (csv or json) and a one-line summary; a bad window exits 2."""
    path = tmp_path / "t.csv"
    write_participations(
        table_from_rows([_row("a", D(2015, 7, 1)), _row("b", D(2015, 9, 1))]), path
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["followup", str(path), "--window", "2016-01-01..2016-01-31"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "project_code,participant_id,exit_date,six_month_date,counted",
        "POCU/123/4/1/100001,a,2015-07-01,2016-01-01,True",
    ]
    assert "1 leavers reach their six-month point" in result.stderr
    result = runner.invoke(
        cli, ["followup", str(path), "--window", "2016-03-01..2016-03-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert '"six_month_date": "2016-03-01"' in result.stdout
    out = tmp_path / "due.csv"
    result = runner.invoke(
        cli, ["followup", str(path), "--window", "2016-03-01..2016-03-31", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["participant_id"].tolist() == ["b"]
    result = runner.invoke(cli, ["followup", str(path), "--window", "2016-03-31..2016-03-01"])
    assert result.exit_code == 2
    assert "before it starts" in result.stderr


def test_reports_say_how_many_leavers_are_pending() -> None:
    """pending_6m counts counted leavers not yet six months out; None without 6-month results."""
    rows = [
        _row("observed", D(2015, 7, 1)),
        _row("pending", D(2015, 7, 2)),
        _row("incomplete", D(2015, 7, 2), isced=None),
        _row("in", None),
    ]
    table = table_from_rows(rows)
    report = inclusionkit.compute(table, "esf-2014", as_of="2016-01-01")
    assert report.provenance.pending_6m == 1
    assert "1 leavers pending their six-month point" in report.summary()
    assert report.provenance.as_dict()["pending_6m"] == 1
    assert inclusionkit.compute(table, "esf-2021", as_of="2016-01-01").provenance.pending_6m == 1
    assert inclusionkit.compute(table, "esf-2014").provenance.pending_6m == 0
    assert inclusionkit.compute(table, "esf-2007", as_of="2016-01-01").provenance.pending_6m is None


@settings(max_examples=40, deadline=None)
@given(table=participation_tables(), as_of=st.sampled_from(AS_OF_DATES))
def test_pending_leavers_are_those_the_followup_lists_later(
    table: pd.DataFrame, as_of: dt.date
) -> None:
    """The leavers a report as of D calls pending are the counted ones followup lists from D + 1
    on: one definition of the six-month point."""
    day = pd.Timestamp(as_of)
    report = inclusionkit.compute(table, "esf-2014", by=(), as_of=as_of)
    # The rows a report as of D reads (rows entering later are left out; a row without an
    # entry date stays), merged the same way; their leavers as of D are those exiting by D.
    at_d = table[~(table["entry_date"] > day)]
    later = inclusionkit.followup(at_d, (as_of + dt.timedelta(days=1), D(2199, 12, 31)))
    later = later[later["exit_date"] <= day]
    assert report.provenance.pending_6m == int(later["counted"].sum())
    assert (later["six_month_date"] > day).all()
    due = inclusionkit.followup(table, (D(1900, 1, 1), as_of))
    assert (due["six_month_date"] <= day).all()
