"""The one table of column tests: completeness for counting, the same tests for validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import inclusionkit._rules as rules
from inclusionkit import ProblemCode
from inclusionkit._rules._columns import from_numpy
from inclusionkit._rules._completeness import (
    COLUMN_TESTS,
    DEFAULT_COMPLETENESS,
    HOUSEHOLD_FIELDS,
    Completeness,
    value_text,
)
from inclusionkit._rules._problem_docs import problems_markdown
from tests.rules.strategies import table_from_rows

D = dt.date
TODAY = D(2025, 1, 15)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _row(pid: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": "P",
        "gender": "female",
        "birth_date": D(1985, 4, 7),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        **values,
    }


def test_every_test_has_a_catalogue_code_of_its_column() -> None:
    """Each column test is of a canonical column and reports a code named after that column."""
    for test in COLUMN_TESTS:
        assert test.code.value.split(".")[0] == test.column, test
        assert test.describe().startswith(f"`{test.column}`")


def test_the_default_completeness_is_the_five_required_fields() -> None:
    """Gender, birth date, entry date, labour status and ISCED, tested in the contract's order,
    and an exit before the entry (the report leaves it out, as validate rejects it)."""
    tests = DEFAULT_COMPLETENESS.tests()
    assert [t.code.value for t in tests] == [
        "gender.missing",
        "gender.unknown",
        "gender.not_reported",
        "birth_date.missing",
        "birth_date.after_entry",
        "birth_date.implausible",
        "entry_date.missing",
        "exit_date.before_entry",
        "labour_status.missing",
        "labour_status.unknown",
        "isced.missing",
        "isced.out_of_range",
    ]
    assert all(t.code.incomplete for t in tests)
    checks = DEFAULT_COMPLETENESS.checks()
    assert set(tests) < set(checks)
    assert ProblemCode.REGION_UNKNOWN in {t.code for t in checks}


def test_a_completeness_field_needs_a_column_and_a_test() -> None:
    """An unknown column, one without a completeness test in the catalogue, or no entry date,
    is refused."""
    with pytest.raises(ValueError, match="not a column"):
        Completeness(fields=("gender", "shoe_size"))
    with pytest.raises(ValueError, match="no completeness test"):
        Completeness(fields=("gender", "rural"))
    with pytest.raises(ValueError, match="entry_date is always required"):
        Completeness(fields=("gender",))


def test_fewer_fields_count_more_and_validate_less() -> None:
    """Dropping ISCED from completeness counts a row without it, and validation agrees."""
    table = table_from_rows([_row("a"), _row("b", isced=None)])
    without_isced = Completeness(fields=("gender", "birth_date", "entry_date", "labour_status"))
    counted = rules.RecordSet.from_participations(table).prepared(without_isced)
    assert counted.counted.tolist() == [True, True]
    default = rules.RecordSet.from_participations(table).prepared()
    assert default.counted.tolist() == [True, False]
    report = rules.validate_participations(table, today=TODAY, completeness=without_isced)
    assert report.ok


def test_reportable_genders_decide_both_counting_and_validation() -> None:
    """With women and men only, non_binary is incomplete and invalid, under one code (a gender
    the rule set does not report, not an unknown one)."""
    table = table_from_rows([_row("a"), _row("b", gender="non_binary")])
    binary = Completeness(genders=("female", "male"))
    prepared = rules.RecordSet.from_participations(table).prepared(binary)
    excluded = prepared.excluded_frame()
    assert excluded["reason"].tolist() == ["gender.not_reported"]
    report = rules.validate_participations(table, today=TODAY, completeness=binary)
    assert report.problems[["row", "code"]].values.tolist() == [[1, "gender.not_reported"]]
    message = report.problems.loc[0, "message"]
    assert "'non_binary' is not reported by the rule set (female, male)" in message


def test_a_birth_after_entry_is_one_problem_with_its_dates() -> None:
    """Validation reports the dates of a birth after entry, not also an age below the minimum."""
    table = table_from_rows([_row("a", birth_date=D(2021, 3, 1))])
    report = rules.validate_participations(table, today=TODAY)
    assert report.problems["code"].tolist() == ["birth_date.after_entry"]
    message = report.problems.loc[0, "message"]
    assert message == "birth_date 2021-03-01 is after entry_date 2020-01-01"
    excluded = rules.compute(table, by=()).excluded
    assert excluded["reason"].tolist() == ["birth_date.after_entry"]


def test_only_errors_reject_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A problem whose code is a warning is reported, and its row is still accepted."""
    from inclusionkit._rules import _validate

    table = table_from_rows([_row("a", region="RO99"), _row("b", isced=9)])
    assert all(ProblemCode.lookup(code).is_error for code in rules.CODES)
    errors = [code for code in _validate._ERRORS if code != "region.unknown"]
    monkeypatch.setattr(_validate, "_ERRORS", errors)
    report = rules.validate_participations(table, today=TODAY)
    assert report.problems["code"].tolist() == ["region.unknown", "isced.out_of_range"]
    assert report.accepted["participant_id"].tolist() == ["a"]
    assert report.rejected["row"].tolist() == [1]
    assert not report.ok
    assert report.summary().startswith("2 rows: 1 accepted, 1 rejected; problems:")


def test_problems_page_is_up_to_date() -> None:
    """docs/problems.md equals what scripts/generate_problem_docs.py would write."""
    page = DOCS / "problems.md"
    assert page.read_text(encoding="utf-8") == problems_markdown(), (
        "docs/problems.md is stale: run .venv/bin/python scripts/generate_problem_docs.py"
    )


def test_problems_page_lists_every_code() -> None:
    """Every member of the catalogue has its row on the page, with its message."""
    page = (DOCS / "problems.md").read_text(encoding="utf-8")
    for code in ProblemCode:
        assert f"| `{code.value}` | {code.severity.value} |" in page
        assert code.message in page


def test_rule_sets_declare_completeness_as_data() -> None:
    """Each built-in rule set names its required fields and genders; @2014 keeps the household."""
    five = ("gender", "birth_date", "entry_date", "labour_status", "isced")
    for name, genders in (
        ("esf-2007", ("female", "male")),
        ("esf-2014", ("female", "male")),
        ("esf-2021", ("female", "male", "non_binary")),
    ):
        ruleset = rules.get_ruleset(name)
        assert ruleset.completeness == Completeness(fields=five, genders=genders)
        assert ruleset.document["completeness"]["fields"] == list(five)
        assert "GRAND_TOTAL" in ruleset.codes
    old = rules.get_ruleset("esf-2014@2014")
    assert old.completeness.fields == (*five, *HOUSEHOLD_FIELDS)
    assert old.codes == rules.get_ruleset("esf-2014").codes


def test_a_rule_set_with_a_field_without_a_test_is_refused() -> None:
    """Completeness without an entry date is a rule set problem with its path (the schema
    refuses a field the catalogue cannot test)."""
    document = {
        "name": "broken",
        "version": "1",
        "completeness": {"fields": ["gender", "isced"]},
        "indicators": [
            {
                "code": "T",
                "name": {"en": "t"},
                "unit": "participants",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "count"},
            }
        ],
    }
    problems = rules.ruleset_problems(document)
    assert [(p.code, p.location) for p in problems] == [
        ("rule.completeness", "$.completeness.fields")
    ]


def test_esf_2007_counts_non_binary_in_the_grand_total_only() -> None:
    """esf-2007 reports women and men: non_binary is incomplete, in GRAND_TOTAL's entries."""
    table = table_from_rows([_row("a"), _row("b", gender="non_binary")])
    report = rules.compute(table, rules="esf-2007", by=("gender",))
    assert report.value("GRAND_TOTAL", year=2020, flow="entries", gender="total") == 2
    assert report.value("GRAND_TOTAL", year=2020, flow="entries", gender="non_binary") == 1
    assert report.value("TOTAL", year=2020, flow="entries", gender="total") == 1
    assert report.excluded["reason"].tolist() == ["gender.not_reported"]


def test_validate_uses_the_completeness_of_the_rule_set(tmp_path: Path) -> None:
    """`validate TABLE --rules esf-2014` rejects a non_binary row; esf-2021, no rule set not."""
    from click.testing import CliRunner

    from inclusionkit._participations import write_participations
    from inclusionkit.cli import cli

    path = tmp_path / "table.csv"
    write_participations(table_from_rows([_row("a"), _row("b", gender="non_binary")]), path)
    strict = CliRunner().invoke(cli, ["validate", str(path), "--rules", "esf-2014"])
    assert strict.exit_code == 2
    assert "'non_binary' is not reported by the rule set (female, male)" in strict.output
    for args in (["--rules", "esf-2021"], []):
        result = CliRunner().invoke(cli, ["validate", str(path), *args])
        assert result.exit_code == 0, result.output


def test_dates_of_messages_read_as_numpy_writes_them() -> None:
    """A date in a message is its ISO text, for years before 1000, after 9999 and before 1."""
    days = np.array(["0001-01-01", "0999-12-31", "2024-02-29", "10000-01-01"], dtype="M8[D]")
    col = from_numpy("date", days.view(np.int64))
    at = np.arange(days.shape[0])
    assert value_text(col, at).to_pylist() == np.datetime_as_string(days).tolist()
    before = np.array(["-0001-01-01", "2020-01-01"], dtype="M8[D]")
    early = value_text(from_numpy("date", before.view(np.int64)), np.arange(2))
    assert early.to_pylist() == np.datetime_as_string(before).tolist()
