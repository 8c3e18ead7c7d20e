"""A self-contained HTML progress report for an inclusionkit project, with inline SVG charts.

Installed, this plugin registers the format ``html`` (extension ``.html``) for the kind
``project``::

    inclusionkit.write(project, "report.html", participations=table, lang="ro")

:func:`render_report` returns the same page as a string. The page needs no network to be viewed
(no external script, stylesheet, font or image; charts are inline SVG drawn by matplotlib), prints
on A4, and shows only aggregates. See ``docs/formats/html.md``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from inclusionkit import InclusionKitError, Project
from inclusionkit._formats import Exporter, RegisterExporter
from inclusionkit.hookspecs import hookimpl
from inclusionkit_html._options import DEFAULT_RULES, DEFAULT_SUPPRESS, OPTIONS, parse_options

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
        }
    )
    return render(project, options)


def write_report(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """The exporter's ``write``: a :class:`~inclusionkit.Project` to an HTML file (UTF-8)."""
    # Imported here, not at the top: inclusionkit imports every plugin to list its formats, and
    # matplotlib and Jinja2 would add seconds to every command that writes no HTML.
    from inclusionkit_html._report import render

    if not isinstance(obj, Project):
        raise InclusionKitError(
            f"the HTML exporter writes project reports, not {type(obj).__name__} objects"
        )
    page = render(obj, parse_options(options))
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the HTML report exporter for projects."""
    register(
        Exporter(
            name=FORMAT_NAME,
            extensions=EXTENSIONS,
            kinds={"project"},
            write=write_report,
            description="self-contained HTML progress report with inline SVG charts (ro/en)",
        )
    )
