"""The rule set follows the programme: a table's project codes tell its period (rule 5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import inclusionkit._rules as rules
from inclusionkit._participations import write_participations
from inclusionkit._rules._period import code_period, table_period
from inclusionkit.cli import _Group
from inclusionkit.cli._report import report_command
from tests.rules.strategies import table_from_rows

D = dt.date
POSDRU = "POSDRU/165/6.2/S/143094"
POCU = "POCU/449/4/16/127700"
PEO = "PEO/123/PEO_P4/OP4/ESO4.1/PEO_A1"


def _row(pid: str, code: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": code,
        "gender": "female",
        "birth_date": D(1985, 4, 7),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        **values,
    }


@click.group(cls=_Group)
def cli() -> None:
    """The report command, in a group that turns library errors into exit code 2."""


cli.add_command(report_command)


def test_codes_tell_their_period() -> None:
    """POSDRU is 2007-2013, POCU 2014-2020, PEO, PIDS and SMIS2021 2021-2027; others say nothing."""
    assert code_period(POSDRU) == "2007-2013"
    assert code_period(POCU) == "2014-2020"
    assert code_period(PEO) == "2021-2027"
    assert code_period("pids/7/x") == "2021-2027"
    assert code_period("SMIS2021 302510") == "2021-2027"
    assert code_period("P1") is None
    assert code_period("SMIS 127700") is None
    assert table_period([POCU, "P1", None]) == "2014-2020"
    assert table_period([POSDRU, POCU]) == "2007-2013, 2014-2020"
    assert table_period(["P1"]) is None


@pytest.mark.parametrize(
    ("code", "name"),
    [(POSDRU, "esf-2007"), (POCU, "esf-2014"), (PEO, "esf-2021"), ("P", "esf-2014")],
)
def test_without_a_rule_set_the_codes_choose_it(code: str, name: str) -> None:
    """compute(rules=None) takes the rule set of the codes' period (esf-2014 when none tells)."""
    report = rules.compute(table_from_rows([_row("a", code)]))
    assert report.ruleset.name == name
    assert report.provenance.warnings == ()


def test_a_rule_set_of_another_period_is_computed_and_flagged() -> None:
    """esf-2014 over a POSDRU table counts, and says so in the provenance and the summary."""
    report = rules.compute(table_from_rows([_row("a", POSDRU)]), rules="esf-2014", by=())
    assert report.value("TOTAL") == 1
    assert report.provenance.table_period == "2007-2013"
    (warning,) = report.provenance.warnings
    assert "esf-2014 (2014-2020) applied to project codes of 2007-2013" in warning
    assert "esf-2007" in warning
    assert warning in report.summary()
    assert report.provenance.as_dict()["warnings"] == [warning]


def test_codes_of_several_periods_are_flagged() -> None:
    """A table mixing POSDRU and POCU codes is counted with esf-2014 and a warning."""
    report = rules.compute(table_from_rows([_row("a", POSDRU), _row("b", POCU)]), by=())
    assert report.ruleset.name == "esf-2014"
    assert "several programming periods" in report.provenance.warnings[0]


def test_streaming_engine_reads_the_period_from_the_codes(tmp_path: Path) -> None:
    """The streaming engine chooses the same rule set and gives the same report."""
    path = tmp_path / "table.parquet"
    table = table_from_rows([_row("a", POSDRU), _row("b", POSDRU, gender="male")])
    write_participations(table, path)
    streamed = rules.compute(path, engine="streaming")
    in_memory = rules.compute(table)
    assert streamed.ruleset.name == in_memory.ruleset.name == "esf-2007"
    assert streamed.table.equals(in_memory.table)


def test_report_command_takes_the_period_and_warns_on_another(tmp_path: Path) -> None:
    """Without --rules the POSDRU table is esf-2007; --rules esf-2014 warns on standard error."""
    path = tmp_path / "table.csv"
    write_participations(table_from_rows([_row("a", POSDRU)]), path)
    plain = CliRunner().invoke(cli, ["report", str(path), "--by", ""])
    assert plain.exit_code == 0, plain.output
    assert "esf-2007" in plain.stderr
    assert "warning" not in plain.stderr
    other = CliRunner().invoke(cli, ["report", str(path), "--by", "", "--rules", "esf-2014"])
    assert other.exit_code == 0, other.output
    assert "inclusionkit: warning: rule set esf-2014 (2014-2020) applied" in other.stderr


def test_sfc2021_layout_refuses_another_period_unless_allowed(tmp_path: Path) -> None:
    """--layout sfc2021 of a POCU table is refused; --allow-other-period lays it out, warning."""
    path = tmp_path / "table.csv"
    write_participations(table_from_rows([_row("a", POCU, region="RO32")]), path)
    refused = CliRunner().invoke(cli, ["report", str(path), "--layout", "sfc2021"])
    assert refused.exit_code == 2
    assert "project codes are of 2014-2020" in refused.output
    allowed = CliRunner().invoke(
        cli, ["report", str(path), "--layout", "sfc2021", "--allow-other-period"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert "warning: esf-2021 laid out for project codes of 2014-2020" in allowed.stderr
