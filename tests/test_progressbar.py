"""Progress events from compute(), and the command line's progress bar."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import inclusionkit._rules as rules
from inclusionkit._participations import write_participations
from inclusionkit._progressbar import ProgressBar, ProgressEvent, emit
from tests.rules.strategies import table_from_rows


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Pretend to be a terminal."""
        return True


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        """The current (fake) time."""
        return self.now


def _table(n: int = 12) -> object:
    rows = [
        {
            "participant_id": f"p{i}",
            "project_code": "POCU/1/4/16/100001",
            "gender": "female" if i % 2 else "male",
            "birth_date": dt.date(1990, 1, 1),
            "entry_date": dt.date(2020, 1, 1),
            "labour_status": "unemployed",
            "isced": 3,
        }
        for i in range(n)
    ]
    return table_from_rows(rows)


def test_the_bar_shows_rows_rate_and_time_left() -> None:
    """On a terminal the line has the phase, a bar, rows done of total, rate and time left."""
    stream, clock = _Terminal(), _Clock()
    bar = ProgressBar(stream, clock=clock, width=10)
    bar(ProgressEvent("compute", 0, 4_000_000))
    clock.now = 2.0
    bar(ProgressEvent("compute", 1_000_000, 4_000_000))
    line = stream.getvalue().split("\r")[-1]
    assert line.startswith("compute")
    assert "[##........]" in line
    assert " 25%" in line
    assert "1M/4M rows" in line
    assert "500k rows/s" in line
    assert "0:06 left" in line


def test_redraws_are_throttled_but_the_end_is_always_drawn() -> None:
    """Events closer than the interval are skipped, except the last one of a phase."""
    stream, clock = _Terminal(), _Clock()
    bar = ProgressBar(stream, clock=clock, interval=1.0)
    bar(ProgressEvent("scan", 0, 100))
    bar(ProgressEvent("scan", 10, 100))
    clock.now = 0.5
    bar(ProgressEvent("scan", 50, 100))
    assert stream.getvalue().count("\r") == 1
    bar(ProgressEvent("scan", 100, 100))
    assert stream.getvalue().count("\r") == 2
    assert "100/100 rows" in stream.getvalue()


def test_an_unknown_total_shows_rows_and_elapsed_time() -> None:
    """Without a total there is no bar: rows done, the rate and the time so far."""
    stream, clock = _Terminal(), _Clock()
    bar = ProgressBar(stream, clock=clock)
    bar(ProgressEvent("read", 0, None))
    clock.now = 4.0
    bar(ProgressEvent("read", 2_000, None))
    line = stream.getvalue().split("\r")[-1]
    assert "[" not in line
    assert "2k rows" in line
    assert "0:04 elapsed" in line


def test_closing_wipes_the_line() -> None:
    """At the end the line is overwritten with blanks and the cursor returns to its start."""
    stream = _Terminal()
    with ProgressBar(stream) as bar:
        bar(ProgressEvent("compute", 5, 10))
    drawn = stream.getvalue()
    assert drawn.endswith("\r")
    assert drawn.split("\r")[-2].strip() == ""


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    """A pipe or a log file gets no progress output at all (unless asked for)."""
    stream = io.StringIO()
    with ProgressBar(stream) as bar:
        assert not bar.enabled
        bar(ProgressEvent("compute", 5, 10))
    assert stream.getvalue() == ""
    forced = io.StringIO()
    with ProgressBar(forced, enabled=True) as bar:
        bar(ProgressEvent("compute", 5, 10))
    assert "5/10 rows" in forced.getvalue()


def test_emit_without_a_callback_does_nothing() -> None:
    """``emit(None, ...)`` is a no-op; with a callback it sends one event."""
    emit(None, "compute", 1, 2)
    events: list[ProgressEvent] = []
    emit(events.append, "compute", 1, 2)
    assert events == [ProgressEvent("compute", 1, 2)]
    assert events[0].fraction == 0.5
    assert ProgressEvent("compute", 0, 0).fraction == 1.0
    assert ProgressEvent("compute", 3, None).fraction is None


def test_compute_reports_reading_then_computing(tmp_path: Path) -> None:
    """A path gives read 0/? and read n/n, then compute 0/n and compute n/n."""
    path = tmp_path / "t.parquet"
    write_participations(_table(12), path)  # type: ignore[arg-type]
    events: list[ProgressEvent] = []
    rules.compute(path, progress=events.append, engine="pandas")
    assert events == [
        ProgressEvent("read", 0, None),
        ProgressEvent("read", 12, 12),
        ProgressEvent("compute", 0, 12),
        ProgressEvent("compute", 12, 12),
    ]
    events.clear()
    rules.compute(_table(3), progress=events.append)
    assert [(e.phase, e.done) for e in events] == [("compute", 0), ("compute", 3)]


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    """A small participation table as Parquet."""
    path = tmp_path / "t.parquet"
    write_participations(_table(12), path)  # type: ignore[arg-type]
    return path


def test_the_cli_draws_no_bar_when_stderr_is_not_a_terminal(parquet: Path) -> None:
    """``report`` in a pipe prints the table and the summary, with no carriage returns."""
    from inclusionkit.cli import cli

    for engine in ("pandas", "streaming"):
        result = CliRunner().invoke(cli, ["report", str(parquet), "--engine", engine])
        assert result.exit_code == 0, result.output
        assert "\r" not in result.stderr
        assert result.stderr.startswith("inclusionkit: esf-2014")


def test_the_cli_bar_can_be_forced_on_and_turned_off(parquet: Path) -> None:
    """``--progress`` draws the bar even in a pipe; ``--no-progress`` never does."""
    from inclusionkit.cli import cli

    shown = CliRunner().invoke(cli, ["report", str(parquet), "--progress", "--engine", "streaming"])
    assert shown.exit_code == 0, shown.output
    assert "\rscan" in shown.stderr
    assert "\rcompute" in shown.stderr
    # The summary starts on a clean line: the bar was wiped (blanked, cursor back) first.
    bar, _ = shown.stderr.split("inclusionkit:", 1)
    assert bar.endswith("\r")
    assert bar.split("\r")[-2].strip() == ""
    hidden = CliRunner().invoke(cli, ["report", str(parquet), "--no-progress"])
    assert hidden.exit_code == 0, hidden.output
    assert "\r" not in hidden.stderr
    assert shown.stdout == hidden.stdout


def test_the_cli_rejects_a_scheduler_without_dask(parquet: Path) -> None:
    """``--scheduler`` only makes sense with ``--engine dask``."""
    from inclusionkit.cli import cli

    result = CliRunner().invoke(cli, ["report", str(parquet), "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2
    assert "--engine dask" in result.output
