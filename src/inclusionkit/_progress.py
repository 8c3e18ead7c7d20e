"""Progress against targets: for every indicator of a project, target, achieved, percent, status."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from inclusionkit._rules import RecordSet, evaluate_rule
from inclusionkit.models import Indicator, ProgressStatus, Project

PROGRESS_COLUMNS: tuple[str, ...] = (
    "objective",
    "indicator",
    "name",
    "unit",
    "kind",
    "baseline",
    "target",
    "milestone",
    "achieved",
    "percent",
    "status",
    "source",
)


def progress(
    project: Project,
    participations: pd.DataFrame | None = None,
    *,
    as_of: dt.date | str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Return one row per indicator of ``project`` with its progress against target.

    The achieved value is computed by the indicator's rule from the project's records (its
    activities, deliverables and organisations, and ``participations`` when given) as of ``as_of``;
    an indicator without a rule, or whose rule needs records that were not given, uses its reported
    ``achieved`` value. ``source`` says which: ``"computed"``, ``"reported"`` or ``"none"``.

    ``percent`` is the share of the way from baseline to target (100 = target reached); ``status``
    is ``not started`` (nothing achieved), ``behind``, ``met`` or ``exceeded``.
    """
    records = RecordSet.from_project(project, participations=participations, as_of=as_of)
    rows: list[dict[str, Any]] = []
    for objective in project.objectives:
        for indicator in objective.indicators:
            achieved, source = _achieved(indicator, records, evaluate_rule)
            percent = _percent(indicator, achieved)
            rows.append(
                {
                    "objective": objective.id,
                    "indicator": indicator.code,
                    "name": indicator.name.in_language(lang),
                    "unit": str(indicator.unit),
                    "kind": str(indicator.kind),
                    "baseline": indicator.baseline,
                    "target": indicator.target,
                    "milestone": indicator.milestone,
                    "achieved": achieved,
                    "percent": percent,
                    "status": str(_status(indicator, achieved)),
                    "source": source,
                }
            )
    frame = pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))
    return frame.astype(
        {
            "baseline": "float64",
            "target": "float64",
            "milestone": "Float64",
            "achieved": "Float64",
            "percent": "Float64",
        }
    )


def _achieved(indicator: Indicator, records: Any, evaluate_rule: Any) -> tuple[float | None, str]:
    if indicator.rule is not None and records.can_evaluate(indicator.rule):
        return float(evaluate_rule(indicator.rule, records)), "computed"
    if indicator.achieved is not None:
        return indicator.achieved.value, "reported"
    return None, "none"


def _percent(indicator: Indicator, achieved: float | None) -> float | None:
    if achieved is None:
        return None
    span = indicator.target - indicator.baseline
    if span == 0:
        return 100.0 if achieved == indicator.target else math.nan
    return round(100.0 * (achieved - indicator.baseline) / span, 1)


def _status(indicator: Indicator, achieved: float | None) -> ProgressStatus:
    if achieved is None or achieved == indicator.baseline:
        return ProgressStatus.NOT_STARTED
    ahead = achieved - indicator.target if indicator.ascending else indicator.target - achieved
    if ahead > 0:
        return ProgressStatus.EXCEEDED
    if ahead == 0:
        return ProgressStatus.MET
    return ProgressStatus.BEHIND
