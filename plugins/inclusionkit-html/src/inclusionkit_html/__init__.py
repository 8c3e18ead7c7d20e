"""A self-contained HTML report for an inclusionkit project or indicator report, with inline SVG
charts.

Installed, this plugin registers the format ``html`` (extension ``.html``) for the kinds
``project`` and ``report``::

    inclusionkit.write(project, "report.html", participations=table, lang="ro")
    inclusionkit.write(report, "report.html", project=project)  # a Report computed beforehand

The indicators always come from one :class:`inclusionkit.Report` (given, or computed once by
:func:`inclusionkit.compute`), and their disclosure control is ``Report.suppress``'s.

:func:`render_report` returns the same page as a string. The page needs no network to be viewed
(no external script, stylesheet, font or image; charts are inline SVG drawn by matplotlib), prints
on A4, and shows only aggregates. See ``docs/formats/html.md``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inclusionkit import Exporter, InclusionKitError, Project, Report, TechnicalReport
from inclusionkit.hookspecs import RegisterExporter, hookimpl
from inclusionkit_html._options import DEFAULT_RULES, DEFAULT_SUPPRESS, OPTIONS, parse_options

if TYPE_CHECKING:  # pandas is imported when a page is written, not when the plugin registers
    import pandas as pd

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_RULES",
    "DEFAULT_SUPPRESS",
    "FORMAT_NAME",
    "OPTIONS",
    "__version__",
    "register_exporters",
    "render_report",
    "write_report",
]

FORMAT_NAME = "html"
EXTENSIONS = (".html",)


def render_report(
    project: Project,
    participations: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    lang: str = "en",
    rules: Any = DEFAULT_RULES,
    as_of: dt.date | str | None = None,
    suppress: int = DEFAULT_SUPPRESS,
    report: Report | None = None,
) -> str:
    """Return the HTML report of ``project`` as one self-contained page.

    :param participations: the participation table (a DataFrame, or a file
        :func:`inclusionkit.read_participations` reads). With it the page also shows the rule
        set's indicators by gender, the records not counted and the provenance; without it,
        progress uses reported values where a rule needs participation records.
    :param lang: ``"en"`` or ``"ro"``: labels, dates, numbers and which title comes first.
    :param rules: the indicator rule set (name, document, path or ``RuleSet``), ``esf-2014``
        by default.
    :param as_of: the reporting date (``date`` or ``YYYY-MM-DD``): records and activities after
        it are left out. Default: every record.
    :param suppress: disclosure control of the indicator table by gender: counts from 1 to
        ``suppress - 1`` are hidden, with the cells that would give them away (default 5);
        ``0`` or ``1`` shows every cell.
    :param report: the indicator report to show, computed beforehand; by default it is computed
        once from ``participations``.
    :raises InclusionKitError: on a bad option, or when the indicators cannot be computed.
    """
    from inclusionkit_html._report import render

    options = parse_options(
        {
            "participations": participations,
            "rules": rules,
            "as_of": as_of,
            "lang": lang,
            "suppress": suppress,
            "report": report,
        }
    )
    if not isinstance(project, Project):
        raise InclusionKitError(
            f"the HTML report is made from a project, not a {type(project).__name__}"
        )
    return render(project, options.indicator_report(project), options)


def write_report(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """The exporter's ``write``: a :class:`~inclusionkit.Project` (kind ``project``) or an
    indicator :class:`~inclusionkit.Report` (kind ``report``, with the ``project`` option for the
    project's sections) to an HTML file (UTF-8)."""
    # Imported here, not at the top: inclusionkit imports every plugin to list its formats, and
    # matplotlib and Jinja2 would add seconds to every command that writes no HTML.
    from inclusionkit_html._report import render

    if kind == "report" and isinstance(obj, TechnicalReport):
        from inclusionkit_html._technical import render_technical

        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render_technical(obj, options.get("lang")))
        return
    settings = parse_options(options)
    if kind == "report" and isinstance(obj, Report):
        page = render(settings.project, obj, settings)
    elif kind == "project" and isinstance(obj, Project):
        page = render(obj, settings.indicator_report(obj), settings)
    else:
        raise InclusionKitError(
            "the HTML exporter writes project reports and indicator reports "
            f"(inclusionkit Report), not {type(obj).__name__} objects"
        )
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the HTML report exporter for projects and indicator reports."""
    register(
        Exporter(
            name=FORMAT_NAME,
            extensions=EXTENSIONS,
            kinds={"project", "report"},
            write=write_report,
            description="self-contained HTML report (project or indicators) with inline SVG charts",
        )
    )
