"""Privacy: keyed pseudonymisation, disclosure control of published tables, and retention.

Private package; the public names are re-exported from :mod:`inclusionkit`. See ``docs/privacy.md``.
"""

from inclusionkit._privacy._breakdowns import PER_PERSON_COLUMNS, check_publishable_breakdowns
from inclusionkit._privacy._pseudonymise import (
    DEFAULT_IDENTIFYING,
    MIN_KEY_BYTES,
    PseudonymisedTable,
    load_key,
    normalise_name,
    pseudonymise,
)
from inclusionkit._privacy._retention import (
    AGE_BOUNDARIES,
    DEFAULT_RETENTION_YEARS,
    RetentionResult,
    anonymise,
    retention,
)
from inclusionkit._privacy._suppress import (
    DEFAULT_THRESHOLD,
    KNOWN_RELATIONS,
    SuppressedTable,
    suppress,
    suppress_table,
)

__all__ = [
    "AGE_BOUNDARIES",
    "DEFAULT_IDENTIFYING",
    "DEFAULT_RETENTION_YEARS",
    "DEFAULT_THRESHOLD",
    "KNOWN_RELATIONS",
    "MIN_KEY_BYTES",
    "PER_PERSON_COLUMNS",
    "PseudonymisedTable",
    "RetentionResult",
    "SuppressedTable",
    "anonymise",
    "check_publishable_breakdowns",
    "load_key",
    "normalise_name",
    "pseudonymise",
    "retention",
    "suppress",
    "suppress_table",
]
