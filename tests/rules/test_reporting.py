"""Reporting periods: the one parser, and reports computed for a period beside the cumulative."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusionkit
import inclusionkit._rules as rules
from inclusionkit import InclusionKitError, ReportingPeriod, parse_period
from tests.rules.strategies import PERIODS, participation_tables, table_from_rows

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2015-01-01..2015-03-31", D(2015, 1, 1), D(2015, 3, 31)),
        ("01.04.2015..30.06.2015", D(2015, 4, 1), D(2015, 6, 30)),
        ("2015-Q1", D(2015, 1, 1), D(2015, 3, 31)),
        ("2015-q4", D(2015, 10, 1), D(2015, 12, 31)),
        ("2015-T2", D(2015, 4, 1), D(2015, 6, 30)),
        ("2015-S1", D(2015, 1, 1), D(2015, 6, 30)),
        ("2015-S2", D(2015, 7, 1), D(2015, 12, 31)),
        ("2016-02", D(2016, 2, 1), D(2016, 2, 29)),
        ("2015", D(2015, 1, 1), D(2015, 12, 31)),
        (" 2015-Q1 ", D(2015, 1, 1), D(2015, 3, 31)),
    ],
)
def test_every_way_of_writing_a_period(text: str, start: dt.date, end: dt.date) -> None:
    """Ranges, quarters, semesters, months and years parse to their first and last day."""
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert period.before == start - dt.timedelta(days=1)
    assert parse_period(str(period)) == period


def test_pairs_and_periods_pass_through() -> None:
    """A (start, end) pair of dates or texts, or a period, is accepted as it is."""
    period = ReportingPeriod(D(2015, 1, 1), D(2015, 3, 31))
    assert parse_period(period) is period
    assert parse_period((D(2015, 1, 1), "2015-03-31")) == period
    assert D(2015, 3, 31) in period
    assert D(2015, 4, 1) not in period


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2015-S3", "two semesters"),
        ("2015-Q5", "not a period"),
        ("2015-13", "not a period"),
        ("last quarter", "not a period"),
        ("2015-03-31..2015-01-01", "before it starts"),
        ("2015-01-01..", "not a period"),
        (42, "not a period"),
    ],
)
def test_a_bad_period_says_what_is_accepted(text: object, says: str) -> None:
    """A text that is no period is an InclusionKitError that says which forms are accepted."""
    with pytest.raises(InclusionKitError, match=says):
        parse_period(text)


def _row(pid: str, entry: dt.date, exit_: dt.date | None = None, **values: object) -> dict:
    return {
        "participant_id": pid,
        "project_code": "P1",
        "gender": "female",
        "birth_date": D(1990, 1, 1),
        "entry_date": entry,
        "exit_date": exit_,
        "labour_status": "unemployed",
        "isced": 3,
        **values,
    }


def test_a_report_without_a_period_is_cumulative_and_has_no_scope() -> None:
    """Without a period the table keeps its columns; scope="cumulative" still finds a value."""
    table = table_from_rows([_row("a", D(2024, 1, 5))])
    report = rules.compute(table, as_of="2024-03-31")
    assert "scope" not in report.table.columns
    assert report.provenance.period is None
    assert report.value("CO01", gender="total", scope="cumulative") == 1
    with pytest.raises(InclusionKitError, match="no breakdown 'scope'"):
        report.value("CO01", gender="total", scope="period")


def test_a_period_report_has_both_scopes_per_indicator() -> None:
    """Each indicator's period rows come before its cumulative rows; the as-of date is the
    period's last day and the provenance and summary name the period."""
    table = table_from_rows([_row("a", D(2023, 12, 5)), _row("b", D(2024, 2, 1))])
    report = rules.compute(table, period="2024-Q1")
    assert list(report.table.columns) == ["indicator", "scope", "gender", "value"]
    co01 = report.table[report.table["indicator"] == "CO01"]
    assert co01["scope"].tolist() == ["period"] * 3 + ["cumulative"] * 3
    assert report.value("CO01", gender="total", scope="period") == 1
    assert report.value("CO01", gender="total", scope="cumulative") == 2
    assert report.provenance.as_of == D(2024, 3, 31)
    assert report.provenance.period == (D(2024, 1, 1), D(2024, 3, 31))
    assert report.provenance.as_dict()["period"] == ["2024-01-01", "2024-03-31"]
    assert "for 2024-01-01..2024-03-31" in report.summary()
    assert set(report.checks["scope"]) == {"period", "cumulative"}
    assert report.ok


def test_entity_indicators_are_cumulative_only() -> None:
    """Entity indicators (organisations, partners, the project) have no date: no period row."""
    table = table_from_rows([_row("a", D(2024, 2, 1))])
    project = inclusionkit.load_project(
        {
            "code": "POCU/449/4/16/127700",
            "title": {"ro": "Test"},
            "programme": "POCU",
            "period": {"start": "2023-01-01"},
            "partners": [
                {"organisation": {"id": "o1", "name": "ONG", "kind": "ngo"}, "role": "lead"}
            ],
        }
    )
    report = rules.compute(table, period="2024-Q1", project=project)
    co20 = report.table[report.table["indicator"] == "CO20"]
    assert co20["scope"].tolist() == ["cumulative"]


def test_an_as_of_date_beside_a_period_must_be_its_last_day() -> None:
    """A period sets the as-of date: another one is refused, the same one accepted."""
    table = table_from_rows([_row("a", D(2024, 2, 1))])
    with pytest.raises(InclusionKitError, match="as of its last day"):
        rules.compute(table, period="2024-Q1", as_of="2024-06-30")
    same = rules.compute(table, period="2024-Q1", as_of="2024-03-31")
    assert same.value("CO01", gender="total", scope="period") == 1


def test_per_year_rule_sets_count_the_entrants_of_the_period_by_year_and_flow() -> None:
    """esf-2007 keeps its year and flow columns; the period rows hold the period's entrants."""
    table = table_from_rows(
        [_row("a", D(2013, 11, 5), D(2014, 2, 1)), _row("b", D(2014, 2, 1), D(2014, 3, 1))]
    )
    report = rules.compute(table, rules="esf-2007", period="2014-Q1")
    assert list(report.table.columns[:4]) == ["indicator", "scope", "year", "flow"]
    period = report.table[
        (report.table["indicator"] == "TOTAL")
        & (report.table["scope"] == "period")
        & (report.table["gender"] == "total")
    ]
    cells = zip(period["year"], period["flow"], period["value"], strict=True)
    values = {(int(year), flow): int(value) for year, flow, value in cells}
    assert values[(2014, "entries")] == 1
    assert values[(2014, "leavers")] == 1
    assert values[(2013, "entries")] == 0


@settings(max_examples=40, deadline=None)
@given(participation_tables(max_rows=30), st.sampled_from(PERIODS))
def test_the_grand_total_of_a_period_is_the_growth_of_the_cumulative_one(
    table: pd.DataFrame, text: str
) -> None:
    """Every participation placed in time enters once: GRAND_TOTAL in the period equals the
    cumulative GRAND_TOTAL at its end less the one at the day before, in every gender."""
    period = parse_period(text)
    report = rules.compute(table, period=period)
    before = rules.compute(table, as_of=period.before)
    grand = report.table[report.table["indicator"] == "GRAND_TOTAL"]
    for gender in grand["gender"].unique():
        now = report.value("GRAND_TOTAL", gender=gender, scope="cumulative")
        rows = before.table[
            (before.table["indicator"] == "GRAND_TOTAL") & (before.table["gender"] == gender)
        ]
        earlier = int(rows["value"].sum())
        assert report.value("GRAND_TOTAL", gender=gender, scope="period") == now - earlier


def test_the_report_command_takes_a_period(tmp_path: Path) -> None:
    """report --period prints the scope column; sfc2021 and a bad period are clear errors."""
    from inclusionkit import write_participations
    from inclusionkit.cli import cli

    path = tmp_path / "t.csv"
    write_participations(
        table_from_rows([_row("a", D(2023, 12, 5)), _row("b", D(2024, 2, 1))]), path
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["report", str(path), "--period", "2024-Q1", "--by", ""])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "indicator,scope,value"
    assert "CO01,period,1" in lines
    assert "CO01,cumulative,2" in lines
    bad = runner.invoke(cli, ["report", str(path), "--period", "2024-Q9"])
    assert bad.exit_code == 2
    assert "not a period" in bad.output
    sfc = runner.invoke(cli, ["report", str(path), "--period", "2024-Q1", "--layout", "sfc2021"])
    assert sfc.exit_code == 2
    assert "not --period" in sfc.output


@settings(max_examples=30, deadline=None)
@given(
    participation_tables(max_rows=30),
    st.sampled_from(PERIODS),
    st.sampled_from([("CO01", "output"), ("CR04", "result"), ("CR03", "result")]),
)
def test_a_rule_over_the_records_of_a_period_counts_as_the_engine(
    table: pd.DataFrame, text: str, indicator: tuple[str, str]
) -> None:
    """evaluate_rule over a RecordSet with ``since`` (a project's indicator in a technical
    report) counts a rule set indicator's period value exactly as compute(period=...) does."""
    code, kind = indicator
    period = parse_period(text)
    report = rules.compute(table, period=period, rules="esf-2014")
    records = rules.RecordSet(participations=table, as_of=period.end, since=period.start)
    rule = {
        "population": "participations",
        "filter": {"indicator": code},
        "aggregate": {"function": "count"},
    }
    value = rules.evaluate_rule(rule, records, kind=kind)
    assert value == report.value(code, gender="total", scope="period")


@pytest.mark.parametrize("suffix", [".json", ".parquet"])
def test_a_period_report_reads_back_equal(tmp_path: Path, suffix: str) -> None:
    """Written and read back, a period report has the same tables and provenance (the period
    as [first day, last day]) as what exporters publish of it."""
    from inclusionkit._report_data import ReportData

    table = table_from_rows([_row("a", D(2023, 12, 5)), _row("b", D(2024, 2, 1), D(2024, 3, 1))])
    report = rules.compute(table, period="2024-Q1")
    path = tmp_path / f"report{suffix}"
    inclusionkit.write(report, path)
    back = inclusionkit.read(path, kind="report")
    assert ReportData.from_report(back).equals(ReportData.for_export(report))
    assert back.provenance["period"] == ["2024-01-01", "2024-03-31"]
