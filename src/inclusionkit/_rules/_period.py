"""The rule set follows the programme (``participation-table.md``, "Which rows are counted", 5).

A table's ``project_code`` tells its programming period: POSDRU codes are 2007-2013
(``esf-2007``), POCU codes 2014-2020 (``esf-2014``), PEO, PIDS and other 2021-2027 codes
(``esf-2021``). Codes are read with the one project-code parser,
:func:`inclusionkit.ro.parse_project_code`; the 2021-2027 programmes it does not parse are told
by their prefix (:data:`PROGRAMMES_2021`). A report without an explicit rule set takes its
codes' period's; an explicit rule set of another period is computed, and the report says so;
so is a table whose codes belong to several periods (counted with ``esf-2014`` unless a rule
set is named).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import translate
from inclusionkit._rules._ruleset import RuleSet, builtin_names, get_ruleset, load_ruleset
from inclusionkit.ro import ProjectCodeError, parse_project_code

PROGRAMMES_2021: tuple[str, ...] = ("PEO", "PIDS")
"""Prefixes of 2021-2027 programme codes (Education and Employment, Social Inclusion and
Dignity, ro-programmes.md §5.1), beside codes the parser marks SMIS2021."""

_PERIODS: Mapping[str, str] = {
    "2007-2013": "esf-2007",
    "2014-2020": "esf-2014",
    "2021-2027": "esf-2021",
}


def code_period(code: str) -> str | None:
    """The programming period of one project code, or ``None`` when the code does not say."""
    prefix = code.strip().upper().split("/", 1)[0].strip()
    if prefix in PROGRAMMES_2021:
        return "2021-2027"
    try:
        return parse_project_code(code).period
    except ProjectCodeError:
        return None


def table_period(codes: Iterable[Any]) -> str | None:
    """The period of a table's distinct project codes: one period (``"2007-2013"``), several
    joined (``"2007-2013, 2014-2020"``), or ``None`` when no code tells it."""
    periods = sorted(
        {period for code in codes if isinstance(code, str) and (period := code_period(code))}
    )
    return ", ".join(periods) or None


def ruleset_of_period(period: str | None) -> RuleSet:
    """The built-in rule set of a period (``esf-2014`` when the codes tell no single one)."""
    name = _PERIODS.get(period or "", "esf-2014")
    if name not in builtin_names():  # pragma: no cover - the built-in files ship together
        raise InclusionKitError(f"no built-in rule set {name!r}")
    return get_ruleset(name)


def candidate_rulesets(rules: Any) -> tuple[RuleSet, ...]:
    """The rule sets :func:`choose_ruleset` may pick before the codes are read: ``rules``
    itself, or without one the built-in rule set of every period."""
    if rules is not None:
        return (load_ruleset(rules),)
    return tuple(ruleset_of_period(period) for period in (*_PERIODS, None))


def choose_ruleset(rules: Any, codes: Iterable[Any]) -> tuple[RuleSet, str | None]:
    """The rule set to compute (``rules``, or the codes' period's when ``rules`` is ``None``)
    and the table's period."""
    period = table_period(codes)
    if rules is None:
        return ruleset_of_period(period), period
    return load_ruleset(rules), period


def period_warning(ruleset: RuleSet, period: str | None) -> str | None:
    """What to say when a rule set of one period counts a table of another, or of several
    (else ``None``)."""
    if period is None or ruleset.period is None or ruleset.period == period:
        return None
    if ", " in period:
        return translate(
            "the project codes belong to several programming periods ({period}); rule set "
            "{name} ({own}) applied to all: report each period apart"
        ).format(period=period, name=ruleset.name, own=ruleset.period)
    return translate(
        "rule set {name} ({own}) applied to project codes of {period}; the rule set of "
        "{period} is {theirs}"
    ).format(
        name=ruleset.name,
        own=ruleset.period,
        period=period,
        theirs=_PERIODS.get(period) or translate("not built in"),
    )
