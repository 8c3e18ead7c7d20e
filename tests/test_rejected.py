"""read_with_rejections: what it tells a progress callback while reading and checking a table."""

from __future__ import annotations

from pathlib import Path

from inclusionkit import ProgressEvent
from inclusionkit._rejected import read_with_rejections
from tests.test_participations import HEADER, _row


def test_read_with_rejections_reports_reading_then_checking(tmp_path: Path) -> None:
    """The events go read (rows unknown, then all), then check (none, then all rows)."""
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, _row(), _row(participant_id="P2")]) + "\n", "utf-8")
    events: list[ProgressEvent] = []
    outcome = read_with_rejections(path, progress=events.append)
    assert outcome.rows == 2
    assert [(e.phase, e.done, e.total) for e in events] == [
        ("read", 0, None),
        ("read", 2, 2),
        ("check", 0, 2),
        ("check", 2, 2),
    ]
