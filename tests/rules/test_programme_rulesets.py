"""The YEI rule set (yei-2014), the POCU example of programme-specific indicators (pocu-2014)
and the rule-set machinery they use: aliases, documented extra columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import inclusionkit
import inclusionkit._rules as rules
from inclusionkit import InclusionKitError, ValidationError
from inclusionkit._rules._docs import ruleset_markdown
from inclusionkit._rules._ruleset import read_builtin
from inclusionkit._schemas import iter_schema_problems
from tests.rules.strategies import table_from_rows

D = dt.date
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rulesets"
YEI_COLUMNS = ("completed_at_exit", "offer_at_exit", "education_6m", "self_employed_6m")


def _row(pid: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "participant_id": pid,
        "project_code": "POCU/123/1/1/100001",
        "gender": "female",
        "birth_date": D(1995, 5, 1),
        "entry_date": D(2016, 1, 10),
        "labour_status": "unemployed",
        "isced": 3,
    }
    row.update(values)
    return row


def _yei_table(rows: list[dict[str, Any]]) -> Any:
    table = table_from_rows(rows)
    for name in YEI_COLUMNS:
        table[name] = [row.get(name) for row in rows]
        table[name] = table[name].astype("boolean")
    return table


@pytest.mark.parametrize("name", ["yei-2014", "pocu-2014"])
def test_documents_are_valid_and_compile(name: str) -> None:
    """Each new built-in file is valid against the schema and compiles without a problem."""
    document = read_builtin(name)
    assert list(iter_schema_problems(document, "ruleset")) == []
    assert rules.ruleset_problems(document) == []
    assert name in inclusionkit.available_rulesets()


def test_yei_codes_never_collide_with_the_esf_results() -> None:
    """yei-2014 holds Annex I (CR01-CR09) and Annex II (YEI-CR01-YEI-CR12) side by side."""
    ruleset = rules.get_ruleset("yei-2014")
    yei = [code for code in ruleset.codes if code.startswith("YEI-")]
    assert yei == [f"YEI-CR{i:02d}" for i in range(1, 13)]
    assert {f"CR{i:02d}" for i in range(1, 10)} <= set(ruleset.codes)
    assert len(set(ruleset.codes)) == len(ruleset.codes)
    for code in yei:
        indicator = ruleset.indicator(code)
        assert "Annex II" in (indicator.source or "")
        assert indicator.kind in {"immediate_result", "longer_term_result"}
    assert set(ruleset.extra_columns) == set(YEI_COLUMNS)


def test_yei_results_on_hand_computed_cases() -> None:
    """Each group (unemployed incl. LTU, LTU, inactive not in E&T) and result counts as hand-
    computed; six-month results only once observed; a drop-out is not 'complete'."""
    rows = [
        # unemployed, completed, offer, employed at exit; employed 6m later
        _row(
            "a",
            exit_date=D(2016, 3, 1),
            completed_at_exit=True,
            offer_at_exit=True,
            employed_at_exit=True,
            employed_6m=True,
        ),
        # long-term unemployed, drop-out with a job: not complete, positive result
        _row(
            "b",
            labour_status="long_term_unemployed",
            exit_date=D(2016, 4, 1),
            completed_at_exit=False,
            employed_at_exit=True,
            self_employed_6m=True,
            employed_6m=True,
        ),
        # inactive not in education: completed, in education at exit and 6 months later
        _row(
            "c",
            labour_status="inactive",
            exit_date=D(2016, 5, 1),
            completed_at_exit=True,
            education_at_exit=True,
            education_6m=True,
        ),
        # inactive in education: in no YEI group
        _row(
            "d",
            labour_status="inactive_in_education",
            exit_date=D(2016, 5, 1),
            completed_at_exit=True,
            offer_at_exit=True,
        ),
        # still in: no result yet, whatever its cells say
        _row("e", completed_at_exit=True, offer_at_exit=True),
    ]
    report = inclusionkit.compute(_yei_table(rows), "yei-2014", by=(), as_of="2016-10-15")
    values = {code: report.value(code) for code in report.ruleset.codes if "YEI" in code}
    assert values == {
        "YEI-CR01": 1,  # a
        "YEI-CR02": 1,  # a
        "YEI-CR03": 2,  # a, b (LTU are unemployed)
        "YEI-CR04": 0,
        "YEI-CR05": 0,
        "YEI-CR06": 1,  # b
        "YEI-CR07": 1,  # c
        "YEI-CR08": 0,
        "YEI-CR09": 1,  # c
        "YEI-CR10": 0,  # c leaves 2016-05-01: six months is 2016-11-01, after the as-of date
        "YEI-CR11": 2,  # a (2016-09-01), b (2016-10-01)
        "YEI-CR12": 1,  # b
    }
    assert report.ok
    assert report.provenance.pending_6m == 2  # c and d


def test_yei_needs_its_columns_and_names_them() -> None:
    """A table without the YEI columns is refused with their names, never counted as zero."""
    table = table_from_rows([_row("a", exit_date=D(2016, 3, 1))])
    with pytest.raises(InclusionKitError, match="completed_at_exit") as caught:
        inclusionkit.compute(table, "yei-2014")
    assert "offer_at_exit" in str(caught.value)


def test_yei_result_columns_come_from_the_latest_exit() -> None:
    """On re-entry an extra *_at_exit column is a result: taken from the row of the latest exit."""
    rows = [
        _row("a", exit_date=D(2016, 2, 1), offer_at_exit=True, completed_at_exit=False),
        _row(
            "a",
            entry_date=D(2016, 3, 1),
            exit_date=D(2016, 4, 1),
            offer_at_exit=False,
            completed_at_exit=True,
        ),
    ]
    report = inclusionkit.compute(_yei_table(rows), "yei-2014", by=())
    assert report.value("YEI-CR02") == 0
    assert report.value("YEI-CR01") == 1


def test_pocu_alias_resolves_the_renumbered_code() -> None:
    """4S1 is an alias of 4S225 (ro-programmes.md §2.1): both name the same indicator."""
    ruleset = rules.get_ruleset("pocu-2014")
    assert ruleset.resolve("4S1") == "4S225"
    assert ruleset.resolve("CO01") == "CO01"
    assert ruleset.indicator("4S1") is ruleset.indicator("4S225")
    assert "4S1" not in ruleset.codes
    assert "4S16" not in ruleset.codes  # named in the brief, not given by the source


def test_pocu_indicators_on_hand_computed_cases() -> None:
    """4S225 counts unemployed people aged 16-29 at entry; 4S47 people aged 65+; 4S8 all."""
    rows = [
        _row("a", birth_date=D(2000, 1, 10)),  # 16 on entry day
        _row("b", birth_date=D(2000, 1, 11)),  # 15
        _row("c", birth_date=D(1986, 1, 11)),  # 29
        _row("d", birth_date=D(1986, 1, 10)),  # 30
        _row("e", birth_date=D(1990, 1, 1), labour_status="inactive"),
        _row("f", birth_date=D(1951, 1, 10), labour_status="inactive"),  # 65
        _row("g", birth_date=D(1951, 1, 11), labour_status="inactive"),  # 64
    ]
    report = inclusionkit.compute(table_from_rows(rows), "pocu-2014", by=())
    assert report.value("4S225") == 2
    assert report.value("4S47") == 1
    assert report.value("4S8") == report.value("TOTAL") == 7
    assert report.ok


def _programme(**extra: Any) -> dict[str, Any]:
    return {
        "name": "ma-example",
        "version": "1",
        "extends": "esf-2014",
        "indicators": [
            {
                "code": "9S1",
                "name": {"en": "rural participants"},
                "unit": "participants",
                "kind": "output",
                "population": "participations",
                "filter": {"is_true": "rural"},
                "aggregate": {"function": "count"},
            }
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ([{"alias": "CO01", "code": "9S1"}], "is the code of an indicator"),
        ([{"alias": "9S0", "code": "9S9"}], "unknown indicator"),
        ([{"alias": "9S0", "code": "9S1"}, {"alias": "9S0", "code": "9S1"}], "given twice"),
    ],
)
def test_bad_aliases_are_reported(aliases: list[dict[str, str]], message: str) -> None:
    """An alias that shadows an indicator, repeats, or points nowhere is a rule.alias problem."""
    with pytest.raises(ValidationError, match=message) as caught:
        rules.load_ruleset(_programme(aliases=aliases))
    assert caught.value.problems[0].code == "rule.alias"


def test_a_managing_authority_ships_its_own_indicators_with_aliases() -> None:
    """A programme file extending pocu-2014 keeps its aliases and adds its own."""
    document = _programme(extends="pocu-2014", aliases=[{"alias": "9S0", "code": "9S1"}])
    ruleset = rules.load_ruleset(document)
    assert ruleset.resolve("4S1") == "4S225"
    assert ruleset.resolve("9S0") == "9S1"


@pytest.mark.parametrize("name", ["yei-2014", "pocu-2014"])
def test_pages_document_columns_and_aliases(name: str) -> None:
    """The generated page names every extra column as ours and every alias with its indicator."""
    ruleset = rules.get_ruleset(name)
    page = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    assert page == ruleset_markdown(ruleset)
    for column in ruleset.extra_columns:
        assert f"| `{column}` | bool | inclusionkit's name (not in the contract)" in page
    for alias in ruleset.aliases.values():
        assert f"| `{alias.alias}` | [{alias.code}]" in page
    for indicator in ruleset.indicators:
        assert f"### {indicator.code}\n" in page


def test_report_command_reads_the_yei_columns_of_a_csv(tmp_path: Path) -> None:
    """`inclusionkit report T.csv --rules yei-2014` reads the declared extra columns, as text
    true/false/da/nu, and counts them."""
    from click.testing import CliRunner

    from inclusionkit.cli import cli

    rows = [
        _row("a", exit_date=D(2016, 3, 1)),
        _row("b", exit_date=D(2016, 3, 1)),
        _row("c", exit_date=D(2016, 3, 1)),
    ]
    table = table_from_rows(rows).astype(object)
    table["completed_at_exit"] = ["true", "da", "nu"]
    table["offer_at_exit"] = ["false", "", "true"]
    table["education_6m"] = ""
    table["self_employed_6m"] = ""
    path = tmp_path / "yei.csv"
    table.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["report", str(path), "--rules", "yei-2014", "--by", ""])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "YEI-CR01,2" in lines
    assert "YEI-CR02,1" in lines
