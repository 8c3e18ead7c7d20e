"""inclusionkit: model EU-funded social inclusion projects and compute their ESF reporting.

The public API is what ``__all__`` lists; everything in a module whose name starts with ``_`` is
private and may change without notice. Subpackages: :mod:`inclusionkit.models` (the domain
model), :mod:`inclusionkit.ro` (Romanian codes), :mod:`inclusionkit.examples` (the bundled seed
projects), :mod:`inclusionkit.testing` (helpers for plugin authors), :mod:`inclusionkit.hookspecs`,
:mod:`inclusionkit.plugin` (everything else a plugin needs: report data, safe output, size limits,
row problems, atomic writes). Plugins import only these, never an ``inclusionkit._*`` module.

Every public name is imported on first use (PEP 562), so ``import inclusionkit`` — and the
command line's ``--version`` and ``--help`` — do not pay for pandas, pyarrow or SQLAlchemy until a
name that needs them is touched. ``from inclusionkit import compute`` works as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inclusionkit._version import __version__

if TYPE_CHECKING:  # what type checkers and editors see: the same names, imported eagerly
    from inclusionkit._errors import (
        InclusionKitError,
        InclusionKitWarning,
        IngestWarning,
        PluginError,
        PluginWarning,
        Problem,
        ValidationError,
    )
    from inclusionkit._formats import Exporter, Importer
    from inclusionkit._i18n import LANGUAGES, Translator, translate, using_language
    from inclusionkit._ingest import IDENTIFIERS as IDENTIFIER_COLUMNS
    from inclusionkit._ingest import (
        ColumnMapping,
        RawTable,
        default_mapping,
        ingest_raw,
        load_mapping,
        map_headers,
        mapping_schema,
        validate_mapping,
    )
    from inclusionkit._ingest import key as mapping_key
    from inclusionkit._ingest._suggest import Suggestion, suggest_mapping
    from inclusionkit._io import read, write
    from inclusionkit._participations import (
        COLUMN_NAMES,
        COLUMNS,
        DTYPES,
        Column,
        empty_table,
        normalise_participations,
        participations_from_table,
        participations_to_table,
        read_participations,
        write_participations,
    )
    from inclusionkit._plugins import get_plugin_manager
    from inclusionkit._privacy import (
        DEFAULT_THRESHOLD as DEFAULT_SUPPRESSION_THRESHOLD,
    )
    from inclusionkit._privacy import (
        PseudonymisedTable,
        RetentionResult,
        SuppressedTable,
        load_key,
        pseudonymise,
        retention,
        suppress,
    )
    from inclusionkit._problems import ProblemCode, Severity
    from inclusionkit._programme import load_programme_structure
    from inclusionkit._progress import progress
    from inclusionkit._progressbar import ProgressEvent
    from inclusionkit._project_io import load_project, project_to_dict, save_project
    from inclusionkit._register import ImportResult, Register, init_register, open_register
    from inclusionkit._rules import (
        Provenance,
        RecordSet,
        Report,
        ReportingPeriod,
        RuleSet,
        ValidationReport,
        available_rulesets,
        compute,
        crosswalk,
        evaluate_rule,
        followup,
        load_ruleset,
        parse_period,
        register_ruleset,
        validate_participations,
    )
    from inclusionkit._schemas import schema
    from inclusionkit._sfc2021 import Sfc2021Report, sfc2021_checks, sfc2021_layout, sfc2021_table
    from inclusionkit._technical import TechnicalReport, technical_report
    from inclusionkit._template import RegisterTemplate, TemplateColumn, register_template
    from inclusionkit.hookspecs import hookimpl
    from inclusionkit.models import (
        Achievement,
        Activity,
        Beneficiary,
        Deliverable,
        Indicator,
        Location,
        Objective,
        Organisation,
        Participation,
        Partner,
        Period,
        Project,
        TargetGroup,
        Text,
    )

# public name -> (module, attribute); the TYPE_CHECKING block above lists the same imports
# (tests/test_lazy_imports.py checks that the two agree).
_LAZY: dict[str, tuple[str, str]] = {
    "InclusionKitError": ("inclusionkit._errors", "InclusionKitError"),
    "InclusionKitWarning": ("inclusionkit._errors", "InclusionKitWarning"),
    "IngestWarning": ("inclusionkit._errors", "IngestWarning"),
    "PluginError": ("inclusionkit._errors", "PluginError"),
    "PluginWarning": ("inclusionkit._errors", "PluginWarning"),
    "Problem": ("inclusionkit._errors", "Problem"),
    "ValidationError": ("inclusionkit._errors", "ValidationError"),
    "Exporter": ("inclusionkit._formats", "Exporter"),
    "Importer": ("inclusionkit._formats", "Importer"),
    "LANGUAGES": ("inclusionkit._i18n", "LANGUAGES"),
    "Translator": ("inclusionkit._i18n", "Translator"),
    "translate": ("inclusionkit._i18n", "translate"),
    "using_language": ("inclusionkit._i18n", "using_language"),
    "ColumnMapping": ("inclusionkit._ingest", "ColumnMapping"),
    "IDENTIFIER_COLUMNS": ("inclusionkit._ingest", "IDENTIFIERS"),
    "RawTable": ("inclusionkit._ingest", "RawTable"),
    "default_mapping": ("inclusionkit._ingest", "default_mapping"),
    "ingest_raw": ("inclusionkit._ingest", "ingest_raw"),
    "load_mapping": ("inclusionkit._ingest", "load_mapping"),
    "map_headers": ("inclusionkit._ingest", "map_headers"),
    "mapping_key": ("inclusionkit._ingest", "key"),
    "mapping_schema": ("inclusionkit._ingest", "mapping_schema"),
    "validate_mapping": ("inclusionkit._ingest", "validate_mapping"),
    "Suggestion": ("inclusionkit._ingest._suggest", "Suggestion"),
    "suggest_mapping": ("inclusionkit._ingest._suggest", "suggest_mapping"),
    "read": ("inclusionkit._io", "read"),
    "write": ("inclusionkit._io", "write"),
    "COLUMNS": ("inclusionkit._participations", "COLUMNS"),
    "COLUMN_NAMES": ("inclusionkit._participations", "COLUMN_NAMES"),
    "Column": ("inclusionkit._participations", "Column"),
    "DTYPES": ("inclusionkit._participations", "DTYPES"),
    "empty_table": ("inclusionkit._participations", "empty_table"),
    "normalise_participations": ("inclusionkit._participations", "normalise_participations"),
    "participations_from_table": ("inclusionkit._participations", "participations_from_table"),
    "participations_to_table": ("inclusionkit._participations", "participations_to_table"),
    "read_participations": ("inclusionkit._participations", "read_participations"),
    "write_participations": ("inclusionkit._participations", "write_participations"),
    "get_plugin_manager": ("inclusionkit._plugins", "get_plugin_manager"),
    "DEFAULT_SUPPRESSION_THRESHOLD": ("inclusionkit._privacy", "DEFAULT_THRESHOLD"),
    "PseudonymisedTable": ("inclusionkit._privacy", "PseudonymisedTable"),
    "RetentionResult": ("inclusionkit._privacy", "RetentionResult"),
    "SuppressedTable": ("inclusionkit._privacy", "SuppressedTable"),
    "load_key": ("inclusionkit._privacy", "load_key"),
    "pseudonymise": ("inclusionkit._privacy", "pseudonymise"),
    "retention": ("inclusionkit._privacy", "retention"),
    "suppress": ("inclusionkit._privacy", "suppress"),
    "ProblemCode": ("inclusionkit._problems", "ProblemCode"),
    "Severity": ("inclusionkit._problems", "Severity"),
    "load_programme_structure": ("inclusionkit._programme", "load_programme_structure"),
    "progress": ("inclusionkit._progress", "progress"),
    "ProgressEvent": ("inclusionkit._progressbar", "ProgressEvent"),
    "load_project": ("inclusionkit._project_io", "load_project"),
    "project_to_dict": ("inclusionkit._project_io", "project_to_dict"),
    "save_project": ("inclusionkit._project_io", "save_project"),
    "ImportResult": ("inclusionkit._register", "ImportResult"),
    "Register": ("inclusionkit._register", "Register"),
    "init_register": ("inclusionkit._register", "init_register"),
    "open_register": ("inclusionkit._register", "open_register"),
    "Provenance": ("inclusionkit._rules", "Provenance"),
    "RecordSet": ("inclusionkit._rules", "RecordSet"),
    "Report": ("inclusionkit._rules", "Report"),
    "ReportingPeriod": ("inclusionkit._rules", "ReportingPeriod"),
    "RuleSet": ("inclusionkit._rules", "RuleSet"),
    "ValidationReport": ("inclusionkit._rules", "ValidationReport"),
    "available_rulesets": ("inclusionkit._rules", "available_rulesets"),
    "compute": ("inclusionkit._rules", "compute"),
    "crosswalk": ("inclusionkit._rules", "crosswalk"),
    "evaluate_rule": ("inclusionkit._rules", "evaluate_rule"),
    "followup": ("inclusionkit._rules", "followup"),
    "load_ruleset": ("inclusionkit._rules", "load_ruleset"),
    "parse_period": ("inclusionkit._rules", "parse_period"),
    "register_ruleset": ("inclusionkit._rules", "register_ruleset"),
    "validate_participations": ("inclusionkit._rules", "validate_participations"),
    "schema": ("inclusionkit._schemas", "schema"),
    "Sfc2021Report": ("inclusionkit._sfc2021", "Sfc2021Report"),
    "sfc2021_checks": ("inclusionkit._sfc2021", "sfc2021_checks"),
    "sfc2021_layout": ("inclusionkit._sfc2021", "sfc2021_layout"),
    "sfc2021_table": ("inclusionkit._sfc2021", "sfc2021_table"),
    "TechnicalReport": ("inclusionkit._technical", "TechnicalReport"),
    "technical_report": ("inclusionkit._technical", "technical_report"),
    "RegisterTemplate": ("inclusionkit._template", "RegisterTemplate"),
    "TemplateColumn": ("inclusionkit._template", "TemplateColumn"),
    "register_template": ("inclusionkit._template", "register_template"),
    "hookimpl": ("inclusionkit.hookspecs", "hookimpl"),
    "Achievement": ("inclusionkit.models", "Achievement"),
    "Activity": ("inclusionkit.models", "Activity"),
    "Beneficiary": ("inclusionkit.models", "Beneficiary"),
    "Deliverable": ("inclusionkit.models", "Deliverable"),
    "Indicator": ("inclusionkit.models", "Indicator"),
    "Location": ("inclusionkit.models", "Location"),
    "Objective": ("inclusionkit.models", "Objective"),
    "Organisation": ("inclusionkit.models", "Organisation"),
    "Participation": ("inclusionkit.models", "Participation"),
    "Partner": ("inclusionkit.models", "Partner"),
    "Period": ("inclusionkit.models", "Period"),
    "Project": ("inclusionkit.models", "Project"),
    "TargetGroup": ("inclusionkit.models", "TargetGroup"),
    "Text": ("inclusionkit.models", "Text"),
}
# Public subpackages, loaded on first use as attributes (``inclusionkit.models.Project``).
_SUBMODULES = frozenset({"cli", "examples", "hookspecs", "models", "plugin", "ro", "testing"})


def __getattr__(name: str) -> Any:
    """Import a public name (or subpackage) on first use and keep it as a module attribute."""
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})


__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "DEFAULT_SUPPRESSION_THRESHOLD",
    "DTYPES",
    "IDENTIFIER_COLUMNS",
    "LANGUAGES",
    "Achievement",
    "Activity",
    "Beneficiary",
    "Column",
    "ColumnMapping",
    "Deliverable",
    "Exporter",
    "ImportResult",
    "Importer",
    "InclusionKitError",
    "InclusionKitWarning",
    "Indicator",
    "IngestWarning",
    "Location",
    "Objective",
    "Organisation",
    "Participation",
    "Partner",
    "Period",
    "PluginError",
    "PluginWarning",
    "Problem",
    "ProblemCode",
    "ProgressEvent",
    "Project",
    "Provenance",
    "PseudonymisedTable",
    "RawTable",
    "RecordSet",
    "Register",
    "RegisterTemplate",
    "Report",
    "ReportingPeriod",
    "RetentionResult",
    "RuleSet",
    "Severity",
    "Sfc2021Report",
    "Suggestion",
    "SuppressedTable",
    "TargetGroup",
    "TechnicalReport",
    "TemplateColumn",
    "Text",
    "Translator",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "available_rulesets",
    "compute",
    "crosswalk",
    "default_mapping",
    "empty_table",
    "evaluate_rule",
    "followup",
    "get_plugin_manager",
    "hookimpl",
    "ingest_raw",
    "init_register",
    "load_key",
    "load_mapping",
    "load_programme_structure",
    "load_project",
    "load_ruleset",
    "map_headers",
    "mapping_key",
    "mapping_schema",
    "normalise_participations",
    "open_register",
    "parse_period",
    "participations_from_table",
    "participations_to_table",
    "progress",
    "project_to_dict",
    "pseudonymise",
    "read",
    "read_participations",
    "register_ruleset",
    "register_template",
    "retention",
    "save_project",
    "schema",
    "sfc2021_checks",
    "sfc2021_layout",
    "sfc2021_table",
    "suggest_mapping",
    "suppress",
    "technical_report",
    "translate",
    "using_language",
    "validate_mapping",
    "validate_participations",
    "write",
    "write_participations",
]
