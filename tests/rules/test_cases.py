"""Hand-computed cases (``cases/<rule set>/*.yaml``): input rows, expected counts by gender.

A case file has ``rows`` (with ``defaults`` merged into each), optionally ``as_of`` or a
reporting ``period``, ``project`` (a partial project document), and the expectations:
``expected`` (indicator -> counts by gender, cumulative; every indicator not listed must be zero
everywhere, and ``total`` defaults to the sum of the genders), ``expected_period`` (the same for
the period's own scope, when the case has a period), ``excluded`` (participant id and reason of
every participation not counted), ``provenance`` (some of its fields) and ``entities`` (entity
indicator values). A rule set that reports per year (``esf-2007``) takes ``expected`` as
indicator -> year -> flow -> counts by gender. ``ruleset: null`` lets the report choose the rule
set from the project codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import inclusionkit._rules as rules
from inclusionkit._project_io import load_project
from tests.rules.strategies import table_from_rows

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case


def _project(document: dict[str, Any]) -> Any:
    full = {
        "code": "POSDRU/165/6.2/S/143094",
        "title": {"ro": "Proiect de test"},
        "programme": "test",
        "period": {"start": "2014-01-01"},
        **document,
    }
    return load_project(full)


def _report(path: Path) -> tuple[dict[str, Any], rules.Report]:
    case = _load(path)
    defaults = case.get("defaults", {})
    table = table_from_rows([{**defaults, **row} for row in case["rows"]])
    project = _project(case["project"]) if "project" in case else None
    report = rules.compute(
        table,
        rules=case.get("ruleset", path.parent.name),
        by=("gender",),
        as_of=case.get("as_of"),
        project=project,
        period=case.get("period"),
    )
    return case, report


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(path: Path) -> None:
    """The report's counts by gender, exclusions and provenance match the hand-computed case."""
    case, report = _report(path)
    table = report.table
    personal = [i.code for i in report.ruleset.indicators if not i.is_entity]
    genders = [g for g in table["gender"].dropna().unique() if g != "total"]
    per_year = "flow" in table.columns
    scopes = {"cumulative": case.get("expected", {})}
    if "period" in case:
        scopes["period"] = case.get("expected_period", {})
    else:
        assert "scope" not in table.columns
    for scope, expected in scopes.items():
        unknown = set(expected) - set(personal)
        assert not unknown, f"the case names indicators the rule set does not have: {unknown}"
        for code in personal:
            cells: list[dict[str, Any]] = [{}]
            if per_year:
                rows = table[table["indicator"] == code]
                cells = [
                    {"year": int(year), "flow": str(flow)}
                    for year, flow in rows[["year", "flow"]]
                    .drop_duplicates()
                    .itertuples(index=False)
                ]
            for cell in cells:
                wanted = expected.get(code, {})
                if per_year:
                    wanted = wanted.get(cell["year"], {}).get(cell["flow"], {})
                for gender in genders:
                    got = report.value(code, gender=gender, scope=scope, **cell)
                    assert got == wanted.get(gender, 0), (scope, code, gender, cell)
                total = wanted.get("total", sum(v for g, v in wanted.items() if g != "total"))
                got_total = report.value(code, gender="total", scope=scope, **cell)
                assert got_total == total, (scope, code, "total", cell)
    excluded = sorted(
        (str(row.participant_id), str(row.reason))
        for row in report.excluded.itertuples(index=False)
    )
    wanted_excluded = sorted(
        (str(item["participant_id"]), item["reason"]) for item in case.get("excluded", [])
    )
    assert excluded == wanted_excluded
    for field, value in case.get("provenance", {}).items():
        wanted_value = tuple(value) if isinstance(value, list) else value
        assert getattr(report.provenance, field) == wanted_value, field
    for code, value in case.get("entities", {}).items():
        assert report.value(code, gender="total", scope="cumulative") == value, code
    assert report.ok, report.failed_checks()


def _any_count(counts: Any) -> bool:
    """Whether an expectation (counts by gender, or nested by year and flow) has a non-zero."""
    if isinstance(counts, dict):
        return any(_any_count(value) for value in counts.values())
    return bool(counts)


@pytest.mark.parametrize("name", ["esf-2007", "esf-2014", "esf-2021"])
def test_every_indicator_has_a_case_that_counts_it(name: str) -> None:
    """Each indicator of the rule set is non-zero in at least one hand-computed case."""
    covered: set[str] = set()
    for path in sorted((CASES / name).glob("*.yaml")):
        case = _load(path)
        covered |= {code for code, counts in case.get("expected", {}).items() if _any_count(counts)}
        covered |= {code for code, value in case.get("entities", {}).items() if value}
    missing = [code for code in rules.get_ruleset(name).codes if code not in covered]
    assert not missing


def test_cases_cover_the_contracts_edge_cases() -> None:
    """The case files name the edge cases the contract lists (so none is silently dropped)."""
    text = " ".join(path.read_text(encoding="utf-8") for path in CASE_FILES).lower()
    for phrase in (
        "exactly 25",
        "exactly 55",
        "birthday eve",
        "isced 0",
        "refused",
        "incomplete",
        "re-entry",
        "two projects",
        "still open",
        "six months before",
        "last event wins",
        "across a period boundary",
        "last day of the period",
        "entering in this period and leaving in the next",
    ):
        assert phrase in text, phrase
