"""Build the report: options in, the facts of each section gathered, the template rendered.

Only aggregates reach the page. The indicators come from one :class:`inclusionkit.Report`
(never recomputed here) and its disclosure control from ``Report.suppress``; the participation
table feeds only :func:`inclusionkit.progress`. From the report's ``excluded`` table only the
reason column is read (and counted), never an identifier; activities are counted per month and
kind, never listed with their participants. Free-text ``notes`` of a project are not shown: they
are working notes that may name records (the bundled examples name test participants there).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from inclusionkit import InclusionKitError, Project, Report, progress
from inclusionkit import __version__ as core_version
from inclusionkit.ro import region
from inclusionkit_html._charts import (
    Chart,
    GenderRow,
    MonthlyActivities,
    ProgressBar,
    activity_chart,
    gender_chart,
    progress_chart,
)
from inclusionkit_html._labels import Labels
from inclusionkit_html._options import ReportOptions


def render(project: Project | None, report: Report | None, options: ReportOptions) -> str:
    """Return the whole HTML page: the project's sections when there is a project, the
    indicators when there is a report (at least one of the two)."""
    if project is None and report is None:
        raise InclusionKitError("the HTML report needs a project, an indicator report or both")
    labels = Labels(options.lang)
    as_of = options.as_of
    if as_of is None and report is not None:
        as_of = report.provenance.as_of
    context: dict[str, Any] = {
        "L": labels,
        "lang": options.lang,
        "project": None,
        "as_of": labels.format_date(as_of) if as_of else labels["all_records"],
        "versions": _versions(),
        "esf": _indicators(report, options, labels) if report is not None else None,
    }
    if project is not None:
        context.update(
            project=_project_facts(project, labels),
            partners=_partners(project, labels),
            progress=_progress(project, options, labels),
            activities=_activities(project, as_of, labels),
        )
    return _template().render(context)


@dataclass(frozen=True)
class Bilingual:
    """A text shown in the report's language, with the other language beside it if there is one."""

    main: str
    main_lang: str
    other: str | None
    other_lang: str


def _bilingual(ro: str, en: str | None, lang: str) -> Bilingual:
    if lang == "en" and en:
        return Bilingual(main=en, main_lang="en", other=ro, other_lang="ro")
    return Bilingual(main=ro, main_lang="ro", other=en or None, other_lang="en")


def _project_facts(project: Project, labels: Labels) -> dict[str, Any]:
    lang = labels.lang
    period = project.period
    end = labels.format_date(period.end) if period.end else labels["ongoing"]
    description = project.description
    return {
        "code": project.code,
        "title": _bilingual(project.title.ro, project.title.en, lang),
        "programme": project.programme,
        "period": f"{labels.format_date(period.start)} – {end}",
        "regions": _regions(project, lang),
        "description": (
            None
            if description is None
            else Bilingual(
                main=description.in_language(lang),
                main_lang=lang if lang == "ro" or description.en else "ro",
                other=None,
                other_lang="",
            )
        ),
        "target_groups": [
            {
                "name": group.name.in_language(lang),
                "size": (
                    None
                    if group.size is None
                    else f"{labels.format_number(group.size)} {labels.unit_name(str(group.unit))}"
                ),
            }
            for group in project.target_groups
        ],
    }


def _regions(project: Project, lang: str) -> list[str]:
    seen: dict[str, list[str]] = {}
    for location in project.locations:
        try:
            found = region(location.region)
            name = f"{found.code} {found.name_en if lang == 'en' else found.name}"
        except InclusionKitError:
            # Not a Romanian NUTS-2 code: show it as written.
            name = location.region
        places = seen.setdefault(name, [])
        place = location.city or location.county
        if place and place not in places:
            places.append(place)
    return [f"{name} ({', '.join(places)})" if places else name for name, places in seen.items()]


def _partners(project: Project, labels: Labels) -> list[dict[str, str | None]]:
    order = {"lead": 0, "partner": 1, "associate": 2, "funder": 3}
    partners = sorted(project.partners, key=lambda p: order.get(str(p.role), 9))
    rows: list[dict[str, str | None]] = []
    for partner in partners:
        organisation = partner.organisation
        english = organisation.name_en
        rows.append(
            {
                "name": organisation.name,
                # The English name is a translation: shown under the legal name in English reports.
                "name_en": (
                    english
                    if labels.lang == "en" and english and english != organisation.name
                    else None
                ),
                "role": labels.role_name(str(partner.role)),
                "role_code": str(partner.role),
                "city": organisation.city,
            }
        )
    return rows


def _value(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _progress(project: Project, options: ReportOptions, labels: Labels) -> dict[str, Any]:
    table = progress(project, options.participations, as_of=options.as_of, lang=labels.lang)
    rows: list[dict[str, Any]] = []
    bars: list[ProgressBar] = []
    for record in table.to_dict("records"):
        achieved = _value(record["achieved"])
        percent = _value(record["percent"])
        status = str(record["status"])
        unit = str(record["unit"])
        rows.append(
            {
                "objective": record["objective"],
                "code": record["indicator"],
                "name": record["name"],
                "unit": labels.unit_name(unit),
                "baseline": labels.format_number(_value(record["baseline"])),
                "target": labels.format_number(_value(record["target"])),
                "achieved": labels.format_number(achieved) if achieved is not None else "",
                "percent": labels.format_percent(percent) if percent is not None else "",
                "status": status,
                "status_label": labels.status_name(status),
                "source": labels.get_or(f"source.{record['source']}", str(record["source"])),
            }
        )
        bars.append(
            ProgressBar(
                code=record["indicator"], label=record["name"], percent=percent, status=status
            )
        )
    sources = Counter(str(source) for source in table["source"])
    chart = progress_chart(bars, labels, chart_id="progress-chart") if bars else None
    return {
        "rows": rows,
        # A column of zeros says nothing; the intro says that every baseline is zero instead.
        "show_baseline": bool((table["baseline"] != 0).any()),
        "chart": _chart(chart),
        "sources": labels["progress_sources_value"].format(
            computed=sources.get("computed", 0),
            reported=sources.get("reported", 0),
            none=sources.get("none", 0),
        ),
    }


def _chart(chart: Chart | None) -> dict[str, Any] | None:
    if chart is None:
        return None
    # The SVG is our own serialisation of matplotlib's output (see _svg.py): every text and
    # attribute in it is already escaped, so it is marked safe for the autoescaping template.
    return {"id": chart.id, "title": chart.title, "svg": Markup(chart.svg), "bars": chart.bars}


def _indicators(report: Report, options: ReportOptions, labels: Labels) -> dict[str, Any]:
    ruleset = report.ruleset
    specs = {spec.code: spec for spec in ruleset.indicators}
    entity_codes = {code for code, spec in specs.items() if spec.is_entity}
    # The one suppression policy: Report.suppress (counts below the threshold, and what would
    # give them away); a suppressed value is missing in the published table.
    table = report.suppress(options.suppress).published
    personal = table[~table["indicator"].isin(entity_codes)].reset_index(drop=True)
    others = [name for name in report.breakdowns if name != "gender"]
    genders = [str(g) for g in ruleset.genders]

    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in personal.to_dict("records"):
        code = str(record["indicator"])
        cell = tuple(record[name] for name in others)
        key = (code, *cell)
        spec = specs[code]
        group = groups.setdefault(
            key,
            {
                "code": code,
                "name": _capitalised(spec.name(labels.lang)),
                "cell": " · ".join(str(part) for part in cell if part is not None),
                "kind": spec.kind,
                "values": {},
            },
        )
        gender = str(record.get("gender", "total"))
        group["values"][gender] = None if record["suppressed"] else _value(record["value"])

    rows = []
    for group in groups.values():
        values = group["values"]
        rows.append(
            {
                "code": group["code"],
                "name": group["name"],
                "cell": group["cell"],
                "cells": [_cell(values.get(g, 0.0), labels) for g in [*genders, "total"]],
            }
        )
    charts = []
    for part, title in (("output", "esf_outputs"), ("result", "esf_results")):
        chosen = [
            GenderRow(
                code=g["code"] if not g["cell"] else f"{g['code']} {g['cell']}",
                label=g["name"],
                values={gender: g["values"].get(gender, 0.0) for gender in genders},
            )
            for g in groups.values()
            if (g["kind"] == "output") == (part == "output")
        ]
        if chosen:
            charts.append(
                _chart(
                    gender_chart(
                        chosen, genders, labels, chart_id=f"esf-{part}-chart", title=labels[title]
                    )
                )
            )

    entities = table[table["indicator"].isin(entity_codes)]
    entity_rows = [
        {
            "code": str(record["indicator"]),
            "name": _capitalised(specs[str(record["indicator"])].name(labels.lang)),
            "value": (
                labels["suppressed"]
                if record["suppressed"]
                else labels.format_number(_value(record["value"]))
            ),
        }
        for record in entities.to_dict("records")
    ]
    # Per reason, not per row; a report's reasons are a categorical, whose counts list every
    # category: only those present are kept.
    counted = report.excluded["reason"].value_counts(sort=False)
    reasons = {str(reason): int(count) for reason, count in counted.items() if count > 0}
    provenance = report.provenance
    return {
        "title": f"{ruleset.name} {ruleset.version}",
        "intro": labels["esf_intro"].format(rules=f"{ruleset.name} {ruleset.version}"),
        "ruleset_title": ruleset.title,
        "genders": [labels.gender_name(g) for g in genders],
        "others": others,
        "rows": rows,
        "charts": charts,
        "entities": entity_rows,
        "suppress": options.suppress,
        "suppress_below": options.suppress - 1,
        "excluded": [
            {
                "reason": labels.reason_text(reason),
                "code": reason,
                "count": labels.format_number(count),
            }
            for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        ],
        "excluded_total": labels.format_number(sum(reasons.values())),
        "provenance": [
            (labels["ruleset"], f"{provenance.ruleset} ({ruleset.title})"),
            (labels["ruleset_version"], provenance.ruleset_version),
            (
                labels["reporting_date"],
                labels.format_date(provenance.as_of) if provenance.as_of else labels["all_records"],
            ),
            (labels["input_rows"], labels.format_number(provenance.input_rows)),
            (labels["rows_after_as_of"], labels.format_number(provenance.rows_after_as_of)),
            (labels["merged_rows"], labels.format_number(provenance.merged_rows)),
            (labels["participations"], labels.format_number(provenance.participations)),
            (labels["counted"], labels.format_number(provenance.counted)),
            (labels["not_counted"], labels.format_number(provenance.excluded)),
            (
                labels["not_computed"],
                ", ".join(provenance.not_computed) or labels["none"],
            ),
        ],
    }


def _capitalised(text: str) -> str:
    # Rule sets give names as the regulation's annex lists them ("unemployed, including ...");
    # as a row heading they start with a capital.
    return text[:1].upper() + text[1:]


def _cell(value: float | None, labels: Labels) -> dict[str, Any]:
    if value is None:
        return {"text": labels["suppressed"], "suppressed": True}
    return {"text": labels.format_number(value), "suppressed": False}


def _activities(project: Project, as_of: dt.date | None, labels: Labels) -> dict[str, Any]:
    activities = [a for a in project.activities if as_of is None or a.start <= as_of]
    left_out = len(project.activities) - len(activities)
    note = (
        labels["activities_after"].format(count=left_out, date=labels.format_date(as_of))
        if left_out and as_of is not None
        else None
    )
    if not activities:
        return {"chart": None, "rows": [], "note": note, "total": None}
    starts = [a.start for a in activities]
    first = min([project.period.start, *starts])
    last = max([project.period.end or max(starts), *starts])
    if as_of is not None:
        last = max(min(last, as_of), max(starts))
    months = _months(first, last)
    position = {month: i for i, month in enumerate(months)}
    kinds = sorted({a.kind for a in activities}, key=lambda k: labels.activity_name(k))
    counts = {kind: [0] * len(months) for kind in kinds}
    for activity in activities:
        counts[activity.kind][position[(activity.start.year, activity.start.month)]] += 1
    chart = activity_chart(
        MonthlyActivities(months=months, counts=counts), labels, chart_id="activities-chart"
    )
    rows = []
    for kind in kinds:
        chosen = [a for a in activities if a.kind == kind]
        hours = [a.hours for a in chosen if a.hours is not None]
        heads = [_head_count(a) for a in chosen]
        known = [h for h in heads if h is not None]
        rows.append(
            {
                "kind": labels.activity_name(kind),
                "count": labels.format_number(len(chosen)),
                "first": labels.format_date(min(a.start for a in chosen)),
                "last": labels.format_date(max(a.end or a.start for a in chosen)),
                "hours": labels.format_number(sum(hours)) if hours else "",
                "attendance": labels.format_number(sum(known)) if known else "",
            }
        )
    return {
        "chart": _chart(chart),
        "rows": rows,
        "note": note,
        "total": labels.format_number(len(activities)),
    }


def _head_count(activity: Any) -> int | None:
    # A head count when the activity has one; else the number of persons recorded by id. Only the
    # number is used: the ids themselves never leave this function.
    if activity.attendance is not None:
        return int(activity.attendance)
    if activity.participants:
        return len(activity.participants)
    return None


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months: list[tuple[int, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _versions() -> str:
    import matplotlib

    from inclusionkit_html import __version__

    return (
        f"inclusionkit {core_version}, inclusionkit-html {__version__}, "
        f"matplotlib {matplotlib.__version__}"
    )


_ENVIRONMENT: jinja2.Environment | None = None


def _template() -> jinja2.Template:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = jinja2.Environment(
            loader=jinja2.PackageLoader("inclusionkit_html", "templates"),
            # Every value is escaped unless explicitly marked safe (only our own SVG is).
            autoescape=True,
            # A misspelt name in the template is an error, not a silently empty cell.
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _ENVIRONMENT.get_template("report.html.j2")
