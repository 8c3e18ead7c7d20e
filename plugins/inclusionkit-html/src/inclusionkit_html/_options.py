"""The report's options: checked once, whether they come from ``inclusionkit.write`` or from
:func:`inclusionkit_html.render_report`.

Kept apart from the rendering code so that importing the plugin (which inclusionkit does for
every command, to collect the formats) does not import matplotlib and Jinja2.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from inclusionkit import (
    DEFAULT_SUPPRESSION_THRESHOLD,
    InclusionKitError,
    Project,
    Report,
    compute,
    read_participations,
)
from inclusionkit.plugin import current_language
from inclusionkit_html._labels import LANGUAGES

if TYPE_CHECKING:  # pandas is imported when a page is written, not when the plugin registers
    import pandas as pd

DEFAULT_RULES: Final = "esf-2014"
DEFAULT_SUPPRESS: Final = DEFAULT_SUPPRESSION_THRESHOLD
OPTIONS: Final = ("participations", "rules", "as_of", "lang", "suppress", "project", "report")
"""The options ``inclusionkit.write(project_or_report, "x.html", **options)`` accepts:
``project`` gives a report's page the project's sections, ``report`` gives a project's page an
indicator report computed beforehand (else it is computed once from ``participations``)."""


@dataclass(frozen=True)
class ReportOptions:
    """The checked options of one report (see :func:`inclusionkit_html.render_report`)."""

    participations: pd.DataFrame | None = None
    rules: Any = DEFAULT_RULES
    as_of: dt.date | None = None
    lang: str = "en"
    suppress: int = DEFAULT_SUPPRESS
    project: Project | None = None
    report: Report | None = None

    def indicator_report(self, project: Project | None) -> Report | None:
        """The indicator report the page shows: the one given, else computed once by the core
        from the participations (``None`` without either)."""
        if self.report is not None:
            return self.report
        if self.participations is None:
            return None
        return compute(
            self.participations, rules=self.rules, by=("gender",), as_of=self.as_of, project=project
        )


def parse_options(options: Mapping[str, Any]) -> ReportOptions:
    """Check the options given to the exporter (or to ``render_report``) and fill defaults."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"unknown HTML report option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}"
        )
    lang = options.get("lang") or current_language()  # the run's (--lang), English by default
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang: expected one of {', '.join(LANGUAGES)}, not {lang!r}")
    rules = options.get("rules")
    return ReportOptions(
        participations=_participations(options.get("participations")),
        rules=DEFAULT_RULES if rules is None else rules,
        as_of=_date(options.get("as_of")),
        lang=lang,
        suppress=_suppress(options.get("suppress", DEFAULT_SUPPRESS)),
        project=_of_type(options.get("project"), Project, "project", "an inclusionkit Project"),
        report=_of_type(options.get("report"), Report, "report", "an inclusionkit Report"),
    )


def _of_type(value: Any, cls: type[Any], name: str, what: str) -> Any:
    if value is None or isinstance(value, cls):
        return value
    raise InclusionKitError(f"{name}: expected {what}, not {type(value).__name__}")


def _participations(value: Any) -> pd.DataFrame | None:
    import pandas as pd

    if value is None or isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, str | os.PathLike):
        frame: pd.DataFrame = read_participations(value)
        return frame
    raise InclusionKitError(
        "participations: expected a participation table (DataFrame) or a file path, "
        f"not {type(value).__name__}"
    )


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InclusionKitError(f"as_of: {value!r} is not a date (YYYY-MM-DD)") from None


def _suppress(value: Any) -> int:
    if value is None:
        return DEFAULT_SUPPRESS
    # bool is an int in Python; suppress=True is a mistake, not a threshold of 1.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InclusionKitError(f"suppress: expected a whole number >= 0, not {value!r}")
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise InclusionKitError(f"suppress: expected a whole number >= 0, not {value!r}")
    return number
