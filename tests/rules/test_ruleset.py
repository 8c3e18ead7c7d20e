"""Built-in rule sets, loading and the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import inclusionkit._rules as rules
from inclusionkit import InclusionKitError, ValidationError
from inclusionkit._rules._ruleset import builtin_names, read_builtin
from inclusionkit._schemas import iter_schema_problems

BUILTIN = ("esf-2007", "esf-2014", "esf-2021")


def test_builtin_rulesets_are_listed() -> None:
    """The three periods ship as rule sets."""
    assert set(BUILTIN) <= set(rules.available_rulesets())


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_documents_are_valid_against_the_schema(name: str) -> None:
    """Each built-in JSON file is valid against ruleset.schema.json and compiles cleanly."""
    document = read_builtin(name)
    assert list(iter_schema_problems(document, "ruleset")) == []
    assert rules.ruleset_problems(document) == []


@pytest.mark.parametrize("name", builtin_names())
def test_every_shipped_ruleset_is_valid_against_the_schema(name: str) -> None:
    """Every rule set file shipped is valid against ruleset.schema.json: what lets a command load
    it without a JSON Schema validator."""
    assert list(iter_schema_problems(read_builtin(name), "ruleset")) == []


@pytest.mark.parametrize("name", BUILTIN)
def test_every_indicator_carries_its_metadata(name: str) -> None:
    """Code, names in English and Romanian, unit, kind, data class, timing, coverage, source."""
    for indicator in rules.get_ruleset(name).indicators:
        assert indicator.name_en, indicator.code
        assert indicator.name_ro, indicator.code
        assert indicator.unit, indicator.code
        assert indicator.data_class in {"personal", "sensitive", "entity", "aggregate"}
        assert indicator.timing, indicator.code
        assert indicator.coverage, indicator.code
        assert indicator.source, indicator.code
        assert indicator.definition, indicator.code
        assert indicator.kind in {"output", "immediate_result", "longer_term_result"}


def test_esf_2014_lists_the_contracts_indicators_and_checks() -> None:
    """TOTAL, CO01-CO19, CR01-CR09 and the entity indicators, with the contract's checks."""
    ruleset = rules.get_ruleset("esf-2014")
    expected = [
        "TOTAL",
        *(f"CO{i:02d}" for i in range(1, 20)),
        *(f"CR{i:02d}" for i in range(1, 10)),
    ]
    assert list(ruleset.codes[: len(expected)]) == expected
    assert {"CO20", "CO22", "CO23"} <= set(ruleset.codes)
    relations = {(c.kind, c.left, c.right) for c in ruleset.checks}
    assert ("sum_equals", ("TOTAL",), ("CO01", "CO03", "CO05")) in relations
    for left, right in [
        ("CO02", "CO01"),
        ("CO04", "CO03"),
        ("CO08", "CO07"),
        ("CO13", "CO12"),
        ("CR01", "CO03"),
        ("CR07", "CO05"),
        ("CR08", "CO07"),
        ("CR08", "CR06"),
    ]:
        assert ("subset", (left,), (right,)) in relations
    assert ("at_most", ("CO09", "CO10", "CO11"), ("TOTAL",)) in relations
    sensitive = {i.code for i in ruleset.indicators if i.data_class == "sensitive"}
    assert sensitive == {"CO15", "CO16", "CO17", "CR05", "CR09"}


def test_esf_2021_lists_its_indicators_and_genders() -> None:
    """EECO01-EECO17, EECR01-EECR06, EECO18-19; women, men and non-binary persons."""
    ruleset = rules.get_ruleset("esf-2021")
    codes = set(ruleset.codes)
    assert {f"EECO{i:02d}" for i in range(1, 20)} <= codes
    assert {f"EECR{i:02d}" for i in range(1, 7)} <= codes
    assert ruleset.genders == ("female", "male", "non_binary")


def test_esf_2007_reports_flows_per_year() -> None:
    """Annex XXIII: entries, leavers and carried over, the ISCED 1997 categories."""
    ruleset = rules.get_ruleset("esf-2007")
    assert ruleset.flows == ("entries", "leavers", "carried_over")
    assert {"ISCED97.1_2", "ISCED97.3", "ISCED97.4", "ISCED97.5_6"} <= set(ruleset.codes)


def test_load_from_a_path_a_document_a_name_or_a_ruleset(tmp_path: Path) -> None:
    """load_ruleset accepts every way of naming a rule set."""
    document = read_builtin("esf-2021")
    document["name"] = "copy"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    from_path = rules.load_ruleset(path)
    assert from_path.name == "copy"
    assert rules.load_ruleset(document).codes == from_path.codes
    assert rules.load_ruleset("esf-2021") is rules.get_ruleset("esf-2021")
    assert rules.load_ruleset(from_path) is from_path


def test_unknown_names_and_bad_files_are_clean_errors(tmp_path: Path) -> None:
    """An unknown name, a missing file and broken JSON raise InclusionKitError with a reason."""
    with pytest.raises(InclusionKitError, match="no rule set called 'esf-1999'"):
        rules.load_ruleset("esf-1999")
    with pytest.raises(InclusionKitError, match="no such file"):
        rules.load_ruleset(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="not valid JSON"):
        rules.load_ruleset(broken)
    with pytest.raises(InclusionKitError, match="has no indicator"):
        rules.get_ruleset("esf-2014").indicator("CO99")


def test_extends_an_unknown_rule_set_is_located() -> None:
    """'extends' naming no rule set is a problem at $.extends."""
    with pytest.raises(ValidationError) as info:
        rules.RuleSet.from_dict({"name": "x", "version": "1", "extends": "nope"})
    assert info.value.problems[0].location == "$.extends"


def _mini(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "version": "1",
        "indicators": [
            {
                "code": "CONF",
                "name": {"en": "conferences", "ro": "conferințe"},
                "unit": "events",
                "kind": "output",
                "population": "activities",
                "filter": {"eq": ["kind", "conference"]},
                "aggregate": {"function": "count"},
            }
        ],
    }


def test_register_a_ruleset_and_refuse_clashes() -> None:
    """A registered rule set is listed and loadable; the same name twice is an error."""
    name = rules.register_ruleset(_mini("dialog-social"), plugin="test-plugin")
    try:
        assert name in rules.available_rulesets()
        assert rules.get_ruleset(name).codes == ("CONF",)
        other = _mini("dialog-social")
        other["version"] = "2"
        with pytest.raises(InclusionKitError, match="clashes with the one from test-plugin"):
            rules.register_ruleset(other, plugin="another")
        with pytest.raises(InclusionKitError, match="clashes with a built-in"):
            rules.register_ruleset(_mini("esf-2014"))
    finally:
        rules.unregister_ruleset(name)
    assert name not in rules.available_rulesets()


def test_register_validates_the_document() -> None:
    """A broken rule set fails when it is registered, not when it is first used."""
    bad = _mini("broken")
    bad["indicators"][0]["filter"] = {"eq": ["kindd", "conference"]}
    with pytest.raises(ValidationError):
        rules.register_ruleset(bad)
    assert "broken" not in rules.available_rulesets()
