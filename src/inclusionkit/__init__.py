"""inclusionkit: model EU-funded social inclusion projects and compute their ESF reporting.

The public API is what ``__all__`` lists; everything in a module whose name starts with ``_`` is
private and may change without notice. Subpackages: :mod:`inclusionkit.models` (the domain
model), :mod:`inclusionkit.ro` (Romanian codes), :mod:`inclusionkit.examples` (the bundled seed
projects), :mod:`inclusionkit.testing` (helpers for plugin authors), :mod:`inclusionkit.hookspecs`,
:mod:`inclusionkit.plugin` (everything else a plugin needs: report data, safe output, size limits,
row problems, atomic writes). Plugins import only these, never an ``inclusionkit._*`` module.
"""

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
from inclusionkit._version import __version__
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

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "DEFAULT_SUPPRESSION_THRESHOLD",
    "DTYPES",
    "IDENTIFIER_COLUMNS",
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
    "validate_mapping",
    "validate_participations",
    "write",
    "write_participations",
]
