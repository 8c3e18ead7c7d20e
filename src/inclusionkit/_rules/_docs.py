"""Documentation generated from the rule sets: one Markdown page per rule set.

``docs/rulesets/<name>.md`` is written by ``scripts/generate_ruleset_docs.py`` from this module; a
test regenerates the pages and fails when a committed page differs, so the documentation cannot
drift from the rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inclusionkit._rules._grouping import age_band_labels
from inclusionkit._rules._populations import DERIVED_DESCRIPTIONS
from inclusionkit._rules._ruleset import RuleSet, builtin_names, get_ruleset

_WORDS = {
    "eq": "is",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
}


def describe(predicate: Mapping[str, Any] | None) -> str:
    """A predicate in words: ``{"all": [{"is_true": "leaver"}, {"indicator": "CO03"}]}`` is
    ``leaver and CO03``."""
    if predicate is None:
        return "every record"
    ((op, arg),) = predicate.items()
    if op in ("all", "any"):
        parts = [_wrapped(item) for item in arg]
        return (" and " if op == "all" else " or ").join(parts)
    if op == "not":
        return f"not {_wrapped(arg)}"
    if op == "ref":
        return f"*{arg}*"
    if op == "indicator":
        return str(arg)
    if op == "is_true":
        return f"`{arg}`"
    if op == "is_null":
        return f"`{arg}` is empty"
    column = arg[0]
    if op == "in":
        return f"`{column}` is one of {', '.join(_literal(v) for v in arg[1])}"
    if op == "between":
        return f"`{column}` is {_literal(arg[1])} to {_literal(arg[2])}"
    if op == "contains":
        return f"`{column}` contains {_literal(arg[1])}"
    return f"`{column}` {_WORDS[op]} {_literal(arg[1])}"


def _wrapped(predicate: Mapping[str, Any]) -> str:
    text = describe(predicate)
    ((op, arg),) = predicate.items()
    if op in ("all", "any") and len(arg) > 1:
        return f"({text})"
    return text


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    return json.dumps(value)


def _aggregate(aggregate: Any) -> str:
    if aggregate.function == "count":
        return "count"
    if aggregate.function == "sum":
        return f"sum of `{aggregate.column}`"
    return f"count of distinct `{aggregate.column}`"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def ruleset_markdown(ruleset: RuleSet) -> str:
    """The documentation page of a rule set (deterministic, so it can be compared in tests)."""
    lines: list[str] = [
        f"# `{ruleset.name}`: {ruleset.title or ruleset.name}",
        "",
        f"<!-- Generated from src/inclusionkit/rulesets/{ruleset.name}.json by "
        "scripts/generate_ruleset_docs.py; do not edit by hand. -->",
        "",
        f"Version {ruleset.version}. Source: {ruleset.source or 'not stated'}.",
        "",
    ]
    if ruleset.description:
        lines += [ruleset.description, ""]
    lines += [
        f"Genders reported: {', '.join(ruleset.genders)} (plus a `total` row). "
        f"Age bands of the `age_band` breakdown: {', '.join(age_band_labels(ruleset.age_bands))}.",
        "",
    ]
    if ruleset.flows:
        lines += [
            "Reported per calendar year as "
            + ", ".join(f"`{flow}`" for flow in ruleset.flows)
            + ": the report adds the breakdowns `year` and `flow`. *Entries* entered in the "
            "year; *leavers* left in the year (by the as-of date); *carried over* entered "
            "before 1 January of the year and had not left before that day.",
            "",
        ]
    lines += _counting_rules(ruleset)
    lines += [
        "Compute it with `inclusionkit.compute(table, rules="
        f'"{ruleset.name}", by=("gender",))` or '
        f"`inclusionkit report TABLE --rules {ruleset.name}`. Every rule is data; how to read "
        "and write them: [writing rules](../rules.md).",
        "",
        "## Derived values",
        "",
        "Source: participation-table.md, Derived values (`entry_year` and `exit_year` are the "
        "calendar years the per-year reports and breakdowns use).",
        "",
        "| name | meaning |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | {text} |" for name, text in DERIVED_DESCRIPTIONS.items()]
    lines.append("")
    lines += _extra_columns(ruleset)
    if ruleset.definitions:
        lines += [
            "## Definitions",
            "",
            "Named predicates; a programme can override them in a rule set that "
            f'`"extends": "{ruleset.name}"`.',
            "",
            "| name | meaning | rule | source |",
            "| --- | --- | --- | --- |",
        ]
        for name, predicate in ruleset.definitions.items():
            note = ruleset.definition_notes.get(name, "")
            lines.append(
                f"| `{name}` | {_cell(note)} | {_cell(describe(predicate))} | "
                f"{_cell(ruleset.source or CONTRACT)} |"
            )
        lines.append("")
    lines += ["## Indicators", ""]
    if ruleset.aliases:
        lines += [
            "Other codes of these indicators (aliases): `RuleSet.indicator()` and "
            "`RuleSet.resolve()` accept them.",
            "",
            "| alias | indicator | what changed | source |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{alias.alias}` | [{alias.code}](#{_anchor(alias.code)}) | {_cell(alias.note)} | "
            f"{_cell(alias.source)} |"
            for alias in ruleset.aliases.values()
        ]
        lines.append("")
    lines += [
        "| code | name | kind | data class | timing |",
        "| --- | --- | --- | --- | --- |",
    ]
    for indicator in ruleset.indicators:
        lines.append(
            f"| [{indicator.code}](#{_anchor(indicator.code)}) | {_cell(indicator.name_en)} | "
            f"{indicator.kind} | {indicator.data_class or ''} | {indicator.timing or ''} |"
        )
    lines.append("")
    for indicator in ruleset.indicators:
        lines += [f"### {indicator.code}", ""]
        lines += [f"**{indicator.name_en}**", ""]
        if indicator.name_ro:
            lines += [f"*{indicator.name_ro}*", ""]
        rows: Sequence[tuple[str, str]] = [
            ("Definition", indicator.definition or ""),
            (
                "Rule",
                f"{_aggregate(indicator.aggregate)} of {indicator.population} where "
                f"{describe(indicator.filter)}",
            ),
            ("Unit", indicator.unit),
            ("Kind", indicator.kind),
            ("Data class", indicator.data_class or ""),
            ("Timing", indicator.timing or ""),
            ("Coverage", indicator.coverage or ""),
            (
                "Counts",
                "every participation entered by the as-of date, complete or not"
                if indicator.records == "entered"
                else "complete participations",
            ),
            ("Source", indicator.source or ""),
        ]
        lines += ["| | |", "| --- | --- |"]
        lines += [f"| {label} | {_cell(value)} |" for label, value in rows if value]
        if indicator.note:
            lines += ["", f"Note: {indicator.note}"]
        lines.append("")
    if ruleset.checks:
        lines += [
            "## Consistency checks",
            "",
            "Run on every breakdown cell of every report; when `gender` is a breakdown, the "
            "gender rows of every indicator must also add up to its `total` row. Source: "
            f"{CONTRACT}, consistency checks.",
            "",
            "| id | check | why |",
            "| --- | --- | --- |",
        ]
        from inclusionkit._rules._checks import expression

        for check in ruleset.checks:
            lines.append(
                f"| `{check.id}` | {_cell(expression(check))} | {_cell(check.description)} |"
            )
        lines.append("")
    return "\n".join(lines)


CONTRACT = "the participation table contract (participation-table.md)"
"""Where the counting rules every rule set applies are written down."""

_SECTION = "participation-table.md, Which rows are counted"

_CONTRACT_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "As-of date",
        "Rows with `entry_date` after it are not counted; an `exit_date` after it counts as "
        '"not yet left".',
        f"{_SECTION}, 1",
    ),
    (
        "Re-entry",
        "Rows with the same (`project_code`, `participant_id`) are one participation: the "
        "characteristics at entry are those of the row with the earliest `entry_date`; the exit "
        "date is the latest `exit_date` (empty if any row is still open); the results are those "
        "of the row with the latest `exit_date`. The same person in two projects is two "
        "participations.",
        f"{_SECTION}, 2",
    ),
    (
        "Unknown is false, in every position",
        "An empty optional or sensitive cell reads as `false` wherever a rule uses it, including "
        "under `not`: `not employed_at_exit` holds when `employed_at_exit` is empty, so "
        "CR01/EECR01 count a job-searching leaver whose employment upon leaving was not "
        "recorded. An empty optional cell never makes a record incomplete.",
        f"{_SECTION}, 4 (clarified 2026-12)",
    ),
)
"""The contract's rules every rule set applies: name, the contract's words, where they are."""

_PERIOD_RULE = (
    "A table's `project_code` tells its period: POSDRU codes are 2007-2013 (`esf-2007`), POCU "
    "codes 2014-2020 (`esf-2014`), PEO/PIDS and other 2021-2027 codes `esf-2021`. A report "
    "without an explicit rule set takes the one of its codes; an explicit rule set of another "
    "period is computed but said plainly in the output and its provenance."
)

_ENTITY_RULE = (
    "An organisation is counted when the operation supports it directly (SFC FAQ on entities: "
    '"The government department is supported directly and should be counted"; a company '
    "subcontracted to deliver is not). Each organisation of a project, the lead and partners "
    "included, carries that fact explicitly; an SME counted under EECO19 is not also counted "
    "for the same support as a self-employed participant."
)


def _counting_rules(ruleset: RuleSet) -> list[str]:
    """Which participations the rule set counts, each rule quoted from its source."""
    completeness = ruleset.completeness
    source = ruleset.document.get("completeness", {}).get("source") or CONTRACT
    lines = ["## Which participations are counted", ""]
    if ruleset.period:
        lines += [
            f"Programming period {ruleset.period}: a report of a table whose project codes "
            "belong to another period is still computed, and says so (output and provenance).",
            "",
        ]
    lines += [
        "| rule | what the source says | source |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {text} | {where} |" for name, text, where in _CONTRACT_RULES]
    lines += [
        "| Completeness | a participation is complete when "
        + ", ".join(f"`{field}`" for field in completeness.fields)
        + " are given and valid and `gender` is one of "
        + ", ".join(f"`{g}`" for g in completeness.genders)
        + "; an incomplete one counts only in the indicators of every participation entered "
        "(`GRAND_TOTAL`) and is listed with its reason; one with no valid `entry_date` is in "
        f"no indicator | {_cell(source)} |",
    ]
    if ruleset.period:
        lines.append(f"| Rule set by programme | {_PERIOD_RULE} | {_SECTION}, 5 |")
    if any(indicator.is_entity for indicator in ruleset.indicators):
        lines.append(
            f'| Entities | {_ENTITY_RULE} | {_SECTION}, 6 (SFC 2014 FAQ "Entities and projects") |'
        )
    lines.append("")
    return lines


def _extra_columns(ruleset: RuleSet) -> list[str]:
    """The columns beyond the contract the rule set reads: a table must have them."""
    if not ruleset.extra_columns:
        return []
    lines = [
        "## Columns beyond the contract",
        "",
        "The rules read these columns, which the participation-table contract does not define: "
        "a table computed with this rule set must have them (an empty cell reads as false).",
        "",
        "| column | kind | meaning |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | {kind} | {_cell(ruleset.extra_column_notes.get(name, ''))} |"
        for name, kind in ruleset.extra_columns.items()
    ]
    lines.append("")
    return lines


def _anchor(code: str) -> str:
    return code.lower().replace(".", "").replace("+", "")


def builtin_pages() -> dict[str, str]:
    """The documentation page of every built-in rule set, by file name."""
    return {f"{name}.md": ruleset_markdown(get_ruleset(name)) for name in builtin_names()}


def write_ruleset_docs(folder: str | Path) -> list[Path]:
    """Write ``<name>.md`` for every built-in rule set into ``folder``; return the paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in builtin_pages().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
