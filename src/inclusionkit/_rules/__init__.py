"""The indicator engine: rule language, rule sets, record sets, reports and bulk validation.

Public names are re-exported by :mod:`inclusionkit`; this package is private.
"""

from inclusionkit._rules._crosswalk import crosswalk
from inclusionkit._rules._docs import describe, ruleset_markdown, write_ruleset_docs
from inclusionkit._rules._followup import followup
from inclusionkit._rules._model import Provenance, Report
from inclusionkit._rules._records import RecordSet, evaluate_rule
from inclusionkit._rules._report import compute
from inclusionkit._rules._reporting import ReportingPeriod, parse_period
from inclusionkit._rules._ruleset import (
    Aggregate,
    Check,
    IndicatorSpec,
    RuleSet,
    available_rulesets,
    get_ruleset,
    load_ruleset,
    register_ruleset,
    ruleset_problems,
    unregister_ruleset,
)
from inclusionkit._rules._validate import CODES, ValidationReport, validate_participations

__all__ = [
    "CODES",
    "Aggregate",
    "Check",
    "IndicatorSpec",
    "Provenance",
    "RecordSet",
    "Report",
    "ReportingPeriod",
    "RuleSet",
    "ValidationReport",
    "available_rulesets",
    "compute",
    "crosswalk",
    "describe",
    "evaluate_rule",
    "followup",
    "get_ruleset",
    "load_ruleset",
    "parse_period",
    "register_ruleset",
    "ruleset_markdown",
    "ruleset_problems",
    "unregister_ruleset",
    "validate_participations",
    "write_ruleset_docs",
]
