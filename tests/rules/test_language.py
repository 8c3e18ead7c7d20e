"""The rule language: compiling (with located errors) and evaluation (unknown is false)."""

from __future__ import annotations

from typing import Any

import pytest

import inclusionkit._rules as rules
from inclusionkit import InclusionKitError, ValidationError
from tests.rules.strategies import table_from_rows

BASE: dict[str, Any] = {
    "project_code": "P",
    "gender": "female",
    "birth_date": "1990-01-01",
    "entry_date": "2020-03-01",
    "labour_status": "unemployed",
    "isced": 3,
}


def _indicator(code: str, flt: Any = None, population: str = "participations") -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": code,
        "name": {"en": code},
        "unit": "participants",
        "kind": "output",
        "population": population,
        "aggregate": {"function": "count"},
    }
    if flt is not None:
        out["filter"] = flt
    return out


def _ruleset(*indicators: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "test", "version": "1", "indicators": list(indicators), **extra}


def _count(flt: Any, rows: list[dict[str, Any]], **extra: Any) -> int:
    import datetime as dt

    table = table_from_rows(
        [
            {
                **{
                    k: dt.date.fromisoformat(v) if k.endswith("_date") else v
                    for k, v in BASE.items()
                },
                "participant_id": f"p{i}",
                **row,
            }
            for i, row in enumerate(rows)
        ]
    )
    report = rules.compute(table, rules=_ruleset(_indicator("X", flt), **extra), by=())
    return int(report.value("X"))


def _problems(document: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as info:
        rules.RuleSet.from_dict(document)
    return list(info.value.problems)


def test_unknown_column_names_the_ruleset_indicator_and_path() -> None:
    """A misspelt column is reported with the rule set, the indicator and the JSON path."""
    (problem,) = _problems(
        _ruleset(_indicator("A"), _indicator("B", {"all": [{"is_true": "disabilty"}]}))
    )
    assert problem.code == "rule.column"
    assert problem.location == "$.indicators[1].filter.all[0].is_true"
    assert "'test'" in problem.message
    assert "indicator 'B'" in problem.message
    assert "disabilty" in problem.message


def test_unknown_ref_and_unknown_indicator_are_reported() -> None:
    """A ref to a missing definition and a missing indicator are both reported."""
    problems = _problems(_ruleset(_indicator("A", {"any": [{"ref": "nope"}, {"indicator": "ZZ"}]})))
    assert [p.code for p in problems] == ["rule.ref", "rule.indicator"]
    assert problems[0].location == "$.indicators[0].filter.any[0].ref"
    assert problems[1].location == "$.indicators[0].filter.any[1].indicator"


def test_a_cycle_between_definitions_is_reported() -> None:
    """Definitions that refer to each other in a circle are a compile error, not a hang."""
    problems = _problems(
        _ruleset(
            _indicator("A", {"ref": "a"}),
            definitions={"a": {"all": [{"ref": "b"}]}, "b": {"not": {"ref": "a"}}},
        )
    )
    assert any(p.code == "rule.cycle" and "a -> b -> a" in p.message for p in problems)


def test_an_indicator_cycle_is_reported() -> None:
    """Two indicators that reuse each other's filter are a cycle."""
    problems = _problems(
        _ruleset(_indicator("A", {"indicator": "B"}), _indicator("B", {"indicator": "A"}))
    )
    assert any(p.code == "rule.cycle" for p in problems)


@pytest.mark.parametrize(
    ("predicate", "fragment"),
    [
        ({"is_true": "gender"}, "needs a true/false column"),
        ({"lt": ["gender", 3]}, "needs a number or date column"),
        ({"eq": ["isced", "three"]}, "cannot be compared"),
        ({"contains": ["isced", "3"]}, "needs a text column"),
        ({"eq": ["disability", 1]}, "cannot be compared"),
        ({"ge": ["isced", "2020-01-01"]}, "cannot be compared"),
    ],
)
def test_type_errors_are_reported(predicate: dict[str, Any], fragment: str) -> None:
    """A value that cannot be compared with its column's kind is a compile error."""
    (problem,) = _problems(_ruleset(_indicator("A", predicate)))
    assert problem.code == "rule.type"
    assert fragment in problem.message


def test_indicator_ref_must_count_the_same_population() -> None:
    """Reusing an indicator over activities inside a participation rule is an error."""
    problems = _problems(
        _ruleset(
            _indicator("ACT", {"eq": ["kind", "conference"]}, population="activities"),
            _indicator("A", {"indicator": "ACT"}),
        )
    )
    assert any("counts activities, not participations" in p.message for p in problems)


def test_schema_errors_come_first_with_their_path() -> None:
    """A document that breaks the schema is reported by the schema, located by JSON path."""
    document = _ruleset(_indicator("A", {"equals": ["gender", "female"]}))
    problems = _problems(document)
    assert problems[0].code.startswith("schema.")
    assert problems[0].location is not None
    assert problems[0].location.startswith("$.indicators[0]")


def test_ruleset_problems_lists_without_raising() -> None:
    """ruleset_problems() returns the problems of a bad document and none of a good one."""
    assert rules.ruleset_problems(rules.get_ruleset("esf-2014").document) == []
    bad = _ruleset(_indicator("A", {"is_true": "nope"}))
    assert [p.code for p in rules.ruleset_problems(bad)] == ["rule.column"]


def test_unknown_is_false_even_under_not() -> None:
    """An empty cell reads as false wherever it stands: not x counts it (contract, rule 4)."""
    rows: list[dict[str, Any]] = [{"disability": True}, {"disability": False}, {"disability": None}]
    assert _count({"is_true": "disability"}, rows) == 1
    assert _count({"not": {"is_true": "disability"}}, rows) == 2
    assert _count({"eq": ["disability", False]}, rows) == 1
    assert _count({"not": {"eq": ["disability", False]}}, rows) == 2
    assert _count({"is_null": "disability"}, rows) == 1
    assert _count({"not": {"is_null": "disability"}}, rows) == 2
    assert _count({"not": {"not": {"is_true": "disability"}}}, rows) == 1


def test_any_and_all_read_unknowns_as_false() -> None:
    """true or empty is true; true and empty is false, so not (true and empty) is true."""
    rows: list[dict[str, Any]] = [
        {"minority": True, "migrant": None},
        {"minority": False, "migrant": None},
        {"minority": None, "migrant": None},
    ]
    anyof = {"any": [{"is_true": "minority"}, {"is_true": "migrant"}]}
    allof = {"all": [{"is_true": "minority"}, {"is_true": "migrant"}]}
    assert _count(anyof, rows) == 1
    assert _count({"not": anyof}, rows) == 2
    assert _count(allof, rows) == 0
    assert _count({"not": allof}, rows) == 3


def test_string_number_and_date_predicates() -> None:
    """eq/in/between/lt/ge/contains over text, numbers and ISO dates."""
    rows: list[dict[str, Any]] = [
        {"region": "RO11", "isced": 1, "entry_date": "2020-01-01"},
        {"region": "RO32", "isced": 5, "entry_date": "2021-06-30"},
        {"region": None, "isced": 8, "entry_date": "2022-12-31"},
    ]
    import datetime as dt

    for row in rows:
        row["entry_date"] = dt.date.fromisoformat(row["entry_date"])
        row["birth_date"] = dt.date(1990, 1, 1)
    assert _count({"eq": ["region", "RO32"]}, rows) == 1
    assert _count({"in": ["region", ["RO11", "RO32", "RO99"]]}, rows) == 2
    assert _count({"not": {"eq": ["region", "RO32"]}}, rows) == 2  # an empty region too
    assert _count({"contains": ["region", "RO3"]}, rows) == 1
    assert _count({"between": ["isced", 5, 8]}, rows) == 2
    assert _count({"lt": ["isced", 5]}, rows) == 1
    assert _count({"ge": ["entry_date", "2021-06-30"]}, rows) == 2
    assert _count({"between": ["entry_date", "2020-01-01", "2021-12-31"]}, rows) == 2
    assert _count({"in": ["isced", [1, 8]]}, rows) == 2


def test_derived_values_are_usable_in_rules() -> None:
    """age_at_entry, entry_year, exit_year and leaver are columns of participations."""
    import datetime as dt

    rows: list[dict[str, Any]] = [
        {"birth_date": dt.date(2000, 3, 1), "entry_date": dt.date(2025, 2, 28)},
        {
            "birth_date": dt.date(2000, 3, 1),
            "entry_date": dt.date(2025, 3, 1),
            "exit_date": dt.date(2025, 4, 1),
        },
    ]
    assert _count({"eq": ["age_at_entry", 24]}, rows) == 1
    assert _count({"eq": ["age_at_entry", 25]}, rows) == 1
    assert _count({"eq": ["entry_year", 2025]}, rows) == 2
    assert _count({"eq": ["exit_year", 2025]}, rows) == 1
    assert _count({"is_true": "leaver"}, rows) == 1


def test_extra_columns_must_be_declared_and_present() -> None:
    """A rule may read a non-canonical column the rule set declares; it must be in the table."""
    rows: list[dict[str, Any]] = [{"county": "Cluj"}, {"county": "Sibiu"}]
    flt = {"eq": ["county", "Cluj"]}
    with pytest.raises(ValidationError):
        _count(flt, rows)
    with pytest.raises(InclusionKitError, match="county"):
        # Declared but the table lacks it (table_from_rows keeps canonical columns only).
        _count(flt, rows, extra_columns={"county": "string"})


def test_definitions_can_be_overridden_by_extending() -> None:
    """A rule set extending esf-2014 can redefine 'disadvantaged' and keep everything else."""
    programme = rules.load_ruleset(
        {
            "name": "poc-ro",
            "version": "1",
            "extends": "esf-2014",
            "definitions": {"disadvantaged": {"is_true": "rural"}},
            "indicators": [
                _indicator("RURAL_LEAVERS", {"all": [{"is_true": "rural"}, {"is_true": "leaver"}]})
            ],
        }
    )
    base = rules.get_ruleset("esf-2014")
    assert programme.codes == (*base.codes, "RURAL_LEAVERS")
    assert programme.definitions["disadvantaged"] == {"is_true": "rural"}
    assert len(programme.checks) == len(base.checks)
