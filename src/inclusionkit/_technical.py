"""The technical progress report of a reporting period (POCU "Anexa 9 – Raport tehnic").

The structure is the one recorded in ``ro-programmes.md`` §2.5 (verified): an "Indicatori
atinşi" table, one row per indicator (``Denumire``, ``ID``, ``UM``, the approved value, the value
at the last technical report, the value achieved in the period, the aggregated value), and a
"Grup ţintă în perioada raportată" table, one row per target-group category, with the forecast,
the value achieved up to the last report and the value achieved in the period, each split
women / men.

Nothing here counts by itself:

- the indicator values are :func:`inclusionkit.progress` (the project's indicators and their
  rules) as of the day before the period (the previous report) and as of its last day
  (cumulative), and the same rules evaluated over the records of the period
  (:class:`~inclusionkit.RecordSet` with ``since``); an indicator without a rule over the
  period's records takes the difference of the two reported values;
- the target-group figures are the engine's ``GRAND_TOTAL`` (every participation placed in
  time) by gender, from one :func:`inclusionkit.compute` for the period (scopes ``period`` and
  ``cumulative``) and one as of the day before; by ``target_group`` when the participation table
  has that column (the ids of the project's target groups).

Writing is the exporters' job: ``inclusionkit.write(technical, "rt.csv")`` (or ``.xlsx``,
``.html`` with their plugins), option ``lang``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import attrs

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import TECHNICAL_LAYOUT as LAYOUT
from inclusionkit._i18n import N_, Localised, translate
from inclusionkit._pandas import pd
from inclusionkit._progress import progress
from inclusionkit._rules._records import RecordSet, as_table, evaluate_rule
from inclusionkit._rules._report import compute
from inclusionkit._rules._reporting import ReportingPeriod, parse_period

__all__ = ["LAYOUT", "TechnicalReport", "technical_report"]


TARGET_GROUP_COLUMN = "target_group"
"""The optional column of a participation table naming a participant's target group (its id)."""

INDICATOR_COLUMNS: tuple[str, ...] = (
    "name",
    "indicator",
    "unit",
    "target",
    "previous",
    "period",
    "cumulative",
    "percent",
)
TARGET_GROUP_COLUMNS: tuple[str, ...] = (
    "target_group",
    "name",
    "forecast",
    "forecast_women",
    "forecast_men",
    "previous_women",
    "previous_men",
    "period_women",
    "period_men",
)

HEADERS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "name": N_("Name"),
        "indicator": N_("ID"),
        "unit": N_("Unit"),
        "target": N_("Approved/revised target (as in the contract)"),
        "previous": N_("Value at the previous technical report"),
        "period": N_("Achieved in the reporting period"),
        "cumulative": N_("Cumulative value"),
        "percent": N_("% of the approved target"),
        "target_group": N_("Target group category"),
        "forecast": N_("Forecast (total)"),
        "forecast_women": N_("Forecast – women"),
        "forecast_men": N_("Forecast – men"),
        "previous_women": N_("Achieved to the previous report – women"),
        "previous_men": N_("Achieved to the previous report – men"),
        "period_women": N_("Achieved in the reporting period – women"),
        "period_men": N_("Achieved in the reporting period – men"),
    }
)
"""Column headers per language (the Romanian ones are the Anexa 9's)."""

TITLES: Mapping[str, Mapping[str, str]] = Localised(
    {
        "report": N_("Technical report"),
        "period": N_("Reference period"),
        "indicators": N_("Indicators achieved"),
        "target_groups": N_("Target group in the reporting period"),
        "all": N_("All participants (every category)"),
    }
)
"""Titles of the report and its tables per language."""

_TOTAL = "TOTAL"


def _language(lang: str) -> str:
    if lang not in HEADERS:
        raise InclusionKitError(f"lang must be 'en' or 'ro', not {lang!r}")
    return lang


# Identity equality: comparing reports would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class TechnicalReport:
    """The technical progress report of one project for one reporting period.

    ``indicators`` has one row per indicator of the project: ``name`` (in ``lang``),
    ``indicator`` (its ID), ``unit``, ``target`` (approved), ``previous`` (achieved as of the day
    before the period), ``period`` (achieved in the period), ``cumulative`` (achieved as of the
    period's last day) and ``percent`` (of the way from baseline to target, cumulatively).
    ``target_groups`` has one row per target group of the project and a last ``TOTAL`` row:
    ``forecast`` (the group's size), ``forecast_women``/``forecast_men`` (empty: a project
    document gives no split), and the participations achieved up to the previous report and in
    the period, women and men. Achieved values of a group are empty when the participation table
    has no ``target_group`` column (and the project more than one group).
    """

    project_code: str
    project_title: str
    period: ReportingPeriod
    lang: str
    indicators: pd.DataFrame = attrs.field(eq=False)
    target_groups: pd.DataFrame = attrs.field(eq=False)

    def tables(self, lang: str | None = None) -> dict[str, pd.DataFrame]:
        """The two tables (``indicators``, ``target_groups``) headed in ``lang`` (default: the
        report's), as every exporter writes them."""
        headers = HEADERS[_language(lang or self.lang)]
        return {
            "indicators": self.indicators.rename(columns=dict(headers)),
            "target_groups": self.target_groups.rename(columns=dict(headers)),
        }

    def titles(self, lang: str | None = None) -> Mapping[str, str]:
        """The report's and its tables' titles in ``lang`` (default: the report's)."""
        return TITLES[_language(lang or self.lang)]

    def summary(self) -> str:
        """One line: project, period, indicators and target groups."""
        return translate(
            "{report} {project} {period}: {indicators} indicators, {groups} target groups",
            self.lang,
        ).format(
            report=TITLES[self.lang]["report"],
            project=self.project_code,
            period=self.period,
            indicators=len(self.indicators),
            groups=len(self.target_groups) - 1,
        )


def technical_report(
    project: Any,
    participations: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    period: Any,
    lang: str = "ro",
) -> TechnicalReport:
    """The technical progress report of ``project`` for a reporting ``period`` (``"2015-Q1"``,
    ``"2015-S1"``, ``"2015-01-01..2015-03-31"``: see :func:`inclusionkit.parse_period`).

    ``participations`` is the project's participation table (a DataFrame or a file), when it
    has one. Returns a :class:`TechnicalReport`; names are in ``lang`` (``"ro"`` or ``"en"``).
    """
    lang = _language(lang)
    span = parse_period(period)
    table = None if participations is None else as_table(participations)
    before = progress(project, table, as_of=span.before, lang=lang)
    now = progress(project, table, as_of=span.end, lang=lang)
    in_period = _period_values(project, table, span, before, now)
    indicators = pd.DataFrame(
        {
            "name": now["name"].astype("string"),
            "indicator": now["indicator"].astype("string"),
            "unit": now["unit"].astype("string"),
            "target": now["target"].astype("float64"),
            "previous": before["achieved"].astype("Float64"),
            "period": pd.array(in_period, dtype="Float64"),
            "cumulative": now["achieved"].astype("Float64"),
            "percent": now["percent"].astype("Float64"),
        },
        columns=list(INDICATOR_COLUMNS),
    )
    return TechnicalReport(
        project_code=project.code,
        project_title=project.title.in_language(lang),
        period=span,
        lang=lang,
        indicators=indicators,
        target_groups=_target_groups(project, table, span, lang),
    )


def _period_values(
    project: Any,
    table: pd.DataFrame | None,
    span: ReportingPeriod,
    before: pd.DataFrame,
    now: pd.DataFrame,
) -> list[float | None]:
    """Each indicator's value in the period: its rule over the period's records, else the
    difference of its cumulative values (reported values are cumulative)."""
    records = RecordSet(participations=table, project=project, as_of=span.end, since=span.start)
    values: list[float | None] = []
    position = 0
    for objective in project.objectives:
        for indicator in objective.indicators:
            value: float | None = None
            if indicator.rule is not None and records.can_evaluate(indicator.rule):
                value = evaluate_rule(indicator.rule, records, kind=str(indicator.kind))
            else:
                first = before["achieved"].iloc[position]
                last = now["achieved"].iloc[position]
                if not pd.isna(last):
                    value = float(last) - (0.0 if pd.isna(first) else float(first))
            values.append(value)
            position += 1
    return values


def _target_groups(
    project: Any, table: pd.DataFrame | None, span: ReportingPeriod, lang: str
) -> pd.DataFrame:
    """One row per target group (and a ``TOTAL`` row): forecast, achieved up to the previous
    report and in the period, women and men, from the engine's ``GRAND_TOTAL``."""
    groups = list(project.target_groups)
    by_group = table is not None and TARGET_GROUP_COLUMN in table.columns
    counts: dict[tuple[str, str, str], float] = {}
    if table is not None:
        by = (TARGET_GROUP_COLUMN, "gender") if by_group else ("gender",)
        # GRAND_TOTAL counts every participation placed in time: the rule set's completeness
        # does not matter, so one rule set serves every programme's table.
        current = compute(table, rules="esf-2014", by=by, period=span)
        previous = compute(table, rules="esf-2014", by=by, as_of=span.before)
        for name, report, scope in (
            ("period", current, "period"),
            ("previous", previous, None),
        ):
            rows = report.table[report.table["indicator"] == "GRAND_TOTAL"]
            if scope is not None:
                rows = rows[rows["scope"] == scope]
            group = (
                rows[TARGET_GROUP_COLUMN].astype(object).fillna("")
                if by_group
                else pd.Series(_TOTAL, index=rows.index)
            )
            for key, gender, value in zip(group, rows["gender"], rows["value"], strict=True):
                for label in {key, _TOTAL}:
                    counts[(name, label, str(gender))] = counts.get(
                        (name, label, str(gender)), 0.0
                    ) + float(value)
    single = len(groups) == 1
    rows_out: list[dict[str, Any]] = []

    def achieved(key: str, known: bool) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name in ("previous", "period"):
            for gender, suffix in (("female", "women"), ("male", "men")):
                out[f"{name}_{suffix}"] = (
                    counts.get((name, key, gender), 0.0) if known and table is not None else None
                )
        return out

    for group in groups:
        rows_out.append(
            {
                "target_group": group.id,
                "name": group.name.in_language(lang),
                "forecast": group.size,
                "forecast_women": None,
                "forecast_men": None,
                **achieved(_TOTAL if single else group.id, by_group or single),
            }
        )
    sizes = [group.size for group in groups]
    forecast = (
        float(sum(size for size in sizes if size is not None))
        if sizes and all(size is not None for size in sizes)
        else None
    )
    rows_out.append(
        {
            "target_group": _TOTAL,
            "name": TITLES[lang]["all"],
            "forecast": forecast,
            "forecast_women": None,
            "forecast_men": None,
            **achieved(_TOTAL, True),
        }
    )
    frame = pd.DataFrame(rows_out, columns=list(TARGET_GROUP_COLUMNS))
    numbers = [c for c in TARGET_GROUP_COLUMNS if c not in ("target_group", "name")]
    for column in numbers:
        frame[column] = pd.array(
            [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                for v in frame[column]
            ],
            dtype="Float64",
        )
    frame["target_group"] = frame["target_group"].astype("string")
    frame["name"] = frame["name"].astype("string")
    return frame
