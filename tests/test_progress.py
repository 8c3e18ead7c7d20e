"""progress(): reported beside computed, the status against milestone and end date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from inclusionkit import load_project, progress

D = dt.date


def _project(indicator: dict[str, Any], end: str = "2015-12-31") -> Any:
    return load_project(
        {
            "code": "POCU/125/4/1/100001",
            "title": {"ro": "Proiect"},
            "programme": "POCU 2014-2020",
            "period": {"start": "2014-01-01", "end": end},
            "partners": [
                {
                    "organisation": {"id": "lead", "name": "Lead", "kind": "ngo"},
                    "role": "lead",
                }
            ],
            "objectives": [
                {
                    "id": "O1",
                    "title": {"ro": "O"},
                    "indicators": [
                        {
                            "code": "I",
                            "name": {"ro": "I"},
                            "unit": "persons",
                            "kind": "output",
                            "target": 100,
                            **indicator,
                        }
                    ],
                }
            ],
        }
    )


def _row(project: Any, as_of: str | None) -> Any:
    return progress(project, as_of=as_of).iloc[0]


def test_a_finished_project_below_target_is_not_achieved() -> None:
    """After the end date a reported 80 of 100 is "not achieved", not "behind"."""
    reported = {"achieved": {"value": 80, "date": "2015-12-31", "source": "final report"}}
    row = _row(_project(reported), "2016-01-31")
    assert (row["reported"], row["source"], row["status"]) == (80, "reported", "not achieved")
    assert row["reported_date"] == dt.datetime(2015, 12, 31)
    assert row["reported_source"] == "final report"


def test_a_reported_value_after_the_as_of_date_is_left_out() -> None:
    """A value reported on 2015-12-31 is not known as of 2015-06-30."""
    reported = {"achieved": {"value": 80, "date": "2015-12-31", "source": "final report"}}
    row = _row(_project(reported), "2015-06-30")
    assert row["source"] == "none"
    assert row["status"] == "not started"


def test_milestones_judge_a_running_project() -> None:
    """Before the end: on track at or above a due milestone, behind below it."""
    due = {"milestone": 50, "milestone_date": "2015-01-31"}
    on_track = {**due, "achieved": {"value": 60, "date": "2015-02-28", "source": "RTF 4"}}
    behind = {**due, "achieved": {"value": 40, "date": "2015-02-28", "source": "RTF 4"}}
    assert _row(_project(on_track), "2015-03-31")["status"] == "on track"
    assert _row(_project(behind), "2015-03-31")["status"] == "behind"
    assert _row(_project(on_track), "2015-03-31")["milestone_date"] == dt.datetime(2015, 1, 31)
