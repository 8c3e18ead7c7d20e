"""The crosswalk between periods, and the generated documentation pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import inclusionkit._rules as rules
from inclusionkit._rules._docs import builtin_pages, describe

DOCS = Path(__file__).resolve().parents[2] / "docs"
PUBLIC = (
    "RecordSet",
    "Report",
    "RuleSet",
    "ValidationReport",
    "available_rulesets",
    "compute",
    "crosswalk",
    "evaluate_rule",
    "load_ruleset",
    "register_ruleset",
    "validate_participations",
)


def test_crosswalk_columns_and_fidelity() -> None:
    """One row per concept; codes from the three rule sets; fidelity exact/approximate/none."""
    frame = rules.crosswalk()
    assert list(frame.columns) == [
        "concept",
        "esf_2007",
        "esf_2014",
        "esf_2021",
        "fidelity",
        "note",
    ]
    assert set(frame["fidelity"]) == {"exact", "approximate", "none"}
    assert frame["concept"].is_unique
    unemployed = frame.set_index("concept").loc["Unemployed, including long-term unemployed"]
    assert (unemployed["esf_2007"], unemployed["esf_2014"], unemployed["esf_2021"]) == (
        "UNEMPLOYED",
        "CO01",
        "EECO02",
    )


def test_crosswalk_codes_exist_in_their_rule_sets() -> None:
    """Every code the crosswalk names is an indicator of that period's rule set (CO21 aside)."""
    frame = rules.crosswalk()
    for column, name in (
        ("esf_2007", "esf-2007"),
        ("esf_2014", "esf-2014"),
        ("esf_2021", "esf-2021"),
    ):
        codes = set(rules.get_ruleset(name).codes) | {"CO21"}
        for cell in frame[column].dropna():
            for part in cell.replace(" - ", " + ").split(" + "):
                assert part in codes, (column, part)


def test_every_crosswalk_pair_of_the_esf_indicators_is_marked() -> None:
    """Rows without a 2021 counterpart are 'none' or 'approximate', never 'exact'."""
    frame = rules.crosswalk()
    lonely = frame[frame["esf_2021"].isna() & frame["esf_2007"].isna()]
    assert (lonely["fidelity"] == "none").all()
    assert pd.api.types.is_string_dtype(frame["note"])


def test_ruleset_pages_are_up_to_date() -> None:
    """docs/rulesets/<name>.md equals what scripts/generate_ruleset_docs.py would write."""
    for name, text in builtin_pages().items():
        page = DOCS / "rulesets" / name
        assert page.exists(), f"run scripts/generate_ruleset_docs.py ({name} is missing)"
        assert page.read_text(encoding="utf-8") == text, (
            f"docs/rulesets/{name} is stale: run .venv/bin/python scripts/generate_ruleset_docs.py"
        )


def test_every_indicator_is_documented() -> None:
    """Each page lists every indicator with its names, definition, data class, timing, source."""
    for name in ("esf-2007", "esf-2014", "esf-2021"):
        page = (DOCS / "rulesets" / f"{name}.md").read_text(encoding="utf-8")
        for indicator in rules.get_ruleset(name).indicators:
            assert f"### {indicator.code}\n" in page
            for text in (
                indicator.name_en,
                indicator.name_ro,
                indicator.definition,
                indicator.source,
            ):
                assert text, (name, indicator.code)
                assert text.replace("|", "\\|") in page, (name, indicator.code)


def test_predicates_read_as_words() -> None:
    """describe() renders a rule the way a person would say it."""
    predicate = {
        "all": [
            {"is_true": "leaver"},
            {"indicator": "CO03"},
            {"not": {"is_true": "employed_at_exit"}},
            {"any": [{"ref": "a"}, {"between": ["isced", 1, 2]}]},
        ]
    }
    assert describe(predicate) == (
        "`leaver` and CO03 and not `employed_at_exit` and (*a* or `isced` is 1 to 2)"
    )
    assert describe(None) == "every record"


def test_rules_page_documents_the_language() -> None:
    """docs/rules.md mentions every operator, population, aggregate and check kind."""
    from inclusionkit._rules._language import OPERATORS
    from inclusionkit._rules._populations import DERIVED, POPULATIONS

    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    for word in (
        *OPERATORS,
        *POPULATIONS,
        *DERIVED,
        "count_distinct",
        "sum",
        "subset",
        "sum_equals",
        "at_most",
        "extends",
        "definitions",
    ):
        assert f"`{word}`" in page or f'"{word}"' in page, word


def test_python_examples_in_the_rules_page_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every ```python block of docs/rules.md runs without error (the page stays runnable),
    in a folder of its own (a block writes a file)."""
    import contextlib
    import io
    import re

    import inclusionkit

    # The page uses the public names; until the façade re-exports them, lend them from _rules.
    for name in PUBLIC:
        if not hasattr(inclusionkit, name):
            monkeypatch.setattr(inclusionkit, name, getattr(rules, name), raising=False)

    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) >= 3
    for block in blocks:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(compile(block, "docs/rules.md", "exec"), {})
        assert out.getvalue()


def test_every_page_quotes_the_source_of_every_rule_it_applies() -> None:
    """Each counting rule, derived value, indicator and check of a page names its source."""
    for name, page in builtin_pages().items():
        ruleset = rules.get_ruleset(name.removesuffix(".md"))
        counting = page.split("## Which participations are counted", 1)[1].split("\n## ", 1)[0]
        table = [line for line in counting.splitlines() if line.startswith("| ")][2:]
        named = {line.split(" | ")[0].removeprefix("| ") for line in table}
        wanted = {"As-of date", "Re-entry", "Unknown is false, in every position", "Completeness"}
        if ruleset.period:
            wanted.add("Rule set by programme")
        if any(indicator.is_entity for indicator in ruleset.indicators):
            wanted.add("Entities")
        assert named == wanted, name
        for line in table:
            rule, said, source = line.strip("| ").split(" | ")
            assert said, (name, rule)
            assert "participation-table.md" in source or "FAQ" in source, (name, rule)
        assert "Source: participation-table.md, Derived values" in page
        for indicator in ruleset.indicators:
            assert indicator.source, (name, indicator.code)
            section = page.split(f"### {indicator.code}\n", 1)[1].split("\n### ", 1)[0]
            assert f"| Source | {indicator.source.replace('|', '/')}" in section, indicator.code
        if ruleset.checks:
            assert "consistency checks." in page.split("## Consistency checks", 1)[1]
