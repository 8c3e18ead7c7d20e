"""Progress against targets: for every indicator of a project, the reported and the computed
value side by side, the one the status uses, percent and status."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from inclusionkit._pandas import pd
from inclusionkit._rules import RecordSet, evaluate_rule
from inclusionkit._rules._records import parse_as_of
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
    "milestone_date",
    "reported",
    "reported_date",
    "reported_source",
    "computed",
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

    ``reported`` is the indicator's reported achieved value (with ``reported_date`` and
    ``reported_source``; a value dated after ``as_of`` is left out); ``computed`` the value its
    rule computes from the project's records (activities held by ``as_of``, deliverables,
    organisations, and ``participations`` when given). ``achieved`` is the one the status
    uses, and ``source`` says which: ``"computed"`` when the records give it, else
    ``"reported"``, else ``"none"``.

    ``percent`` is the share of the way from baseline to target (100 = target reached).
    ``status``: ``met`` or ``exceeded`` at or past the target; below it, ``not achieved`` once
    the project has ended (by ``as_of``, or today without one), ``not started`` with nothing
    achieved, ``behind`` or ``on track`` against a milestone due by then, else ``behind``.
    """
    day = parse_as_of(as_of)
    records = RecordSet.from_project(project, participations=participations, as_of=day)
    rows: list[dict[str, Any]] = []
    for objective in project.objectives:
        for indicator in objective.indicators:
            reported = indicator.achieved
            if reported is not None and day is not None and reported.date > day:
                reported = None
            computed = None
            if indicator.rule is not None and records.can_evaluate(indicator.rule):
                computed = float(evaluate_rule(indicator.rule, records))
            if computed is not None:
                achieved, source = computed, "computed"
            elif reported is not None:
                achieved, source = reported.value, "reported"
            else:
                achieved, source = None, "none"
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
                    "milestone_date": indicator.milestone_date,
                    "reported": None if reported is None else reported.value,
                    "reported_date": None if reported is None else reported.date,
                    "reported_source": None if reported is None else reported.source,
                    "computed": computed,
                    "achieved": achieved,
                    "percent": _percent(indicator, achieved),
                    "status": str(_status(indicator, achieved, project, day)),
                    "source": source,
                }
            )
    frame = pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))
    for column in ("milestone_date", "reported_date"):
        frame[column] = pd.to_datetime(frame[column].astype(object)).astype("datetime64[s]")
    return frame.astype(
        {
            "baseline": "float64",
            "target": "float64",
            "milestone": "Float64",
            "reported": "Float64",
            "reported_source": "string",
            "computed": "Float64",
            "achieved": "Float64",
            "percent": "Float64",
        }
    )


def _percent(indicator: Indicator, achieved: float | None) -> float | None:
    if achieved is None:
        return None
    span = indicator.target - indicator.baseline
    if span == 0:
        return 100.0 if achieved == indicator.target else math.nan
    return round(100.0 * (achieved - indicator.baseline) / span, 1)


def _ahead(indicator: Indicator, achieved: float, goal: float) -> float:
    return achieved - goal if indicator.ascending else goal - achieved


def _status(
    indicator: Indicator, achieved: float | None, project: Project, day: dt.date | None
) -> ProgressStatus:
    if achieved is not None:
        ahead = _ahead(indicator, achieved, indicator.target)
        if ahead > 0:
            return ProgressStatus.EXCEEDED
        if ahead == 0:
            return ProgressStatus.MET
    today = day or dt.date.today()
    if project.period.end is not None and today >= project.period.end:
        return ProgressStatus.NOT_ACHIEVED
    if achieved is None or achieved == indicator.baseline:
        return ProgressStatus.NOT_STARTED
    due = indicator.milestone_date
    if indicator.milestone is not None and due is not None and today >= due:
        if _ahead(indicator, achieved, indicator.milestone) >= 0:
            return ProgressStatus.ON_TRACK
        return ProgressStatus.BEHIND
    return ProgressStatus.BEHIND
