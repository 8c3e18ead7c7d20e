"""Writes never widen permissions and never leave a readable temporary file behind: a rewrite
keeps the file's mode, a new file of personal data is owner-only, SIGTERM removes the temporary
file, and one left by SIGKILL is removed by the next write."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import inclusionkit
from inclusionkit._atomic import TEMP_MARK, atomic_path
from inclusionkit.cli import main
from tests.security._samples import example

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _table() -> object:
    _, table = example()
    return table.head(30)


def test_a_rewrite_keeps_the_files_mode(tmp_path: Path) -> None:
    """Rewriting a 0600 (or 0640) file leaves it 0600 (0640), through write() and the CLI."""
    target = tmp_path / "parts.csv"
    inclusionkit.write(_table(), target, kind="participations")
    for mode in (0o600, 0o640):
        target.chmod(mode)
        inclusionkit.write(_table(), target, kind="participations")
        assert _mode(target) == mode
    source = tmp_path / "in.csv"
    inclusionkit.write(_table(), source, kind="participations")
    out = tmp_path / "report.csv"
    out.write_text("old")
    out.chmod(0o600)
    assert main(["report", str(source), "-o", str(out)]) == 0
    assert _mode(out) == 0o600


def test_new_files_of_personal_data_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new participations or rejected-rows file is 0600; a new report gets the umask's mode."""
    old = os.umask(0o022)
    try:
        parts = tmp_path / "parts.parquet"
        inclusionkit.write(_table(), parts, kind="participations")
        assert _mode(parts) == 0o600
        inclusionkit.write_participations(_table(), tmp_path / "w.csv")  # type: ignore[arg-type]
        assert _mode(tmp_path / "w.csv") == 0o600
        source = tmp_path / "in.csv"
        source.write_text(
            (tmp_path / "w.csv").read_text(encoding="utf-8").replace("2020-", "2020-13-", 3),
            encoding="utf-8",
        )
        rejected = tmp_path / "rejected.csv"
        main(["validate", str(source), "--rejected", str(rejected)])
        assert _mode(rejected) == 0o600
        report = tmp_path / "report.csv"
        assert main(["report", str(parts), "-o", str(report)]) == 0
        assert _mode(report) == 0o644
    finally:
        os.umask(old)


_WRITER = """
import signal, sys, time
# A program with no SIGTERM or SIGINT handling of its own, whatever the test runner's parent
# left it (an ignored signal is inherited across exec, and the write then respects it).
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGINT, signal.default_int_handler)
from inclusionkit._atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"x" * 1000)
    print("ready", flush=True)
    time.sleep(60)
"""


def _start_writer(target: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _signal_state(process: subprocess.Popen[str]) -> str:
    """The process's state and signal masks as the kernel reports them (for a failure's message)."""
    try:
        status = Path(f"/proc/{process.pid}/status").read_text().splitlines()
    except OSError as exc:
        return f"no /proc status ({exc.strerror})"
    wanted = ("State", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "Threads")
    return "; ".join(line for line in status if line.split(":", 1)[0] in wanted)


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if TEMP_MARK in p.name]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_terminated_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    """SIGTERM or SIGINT in the middle of a write removes its temporary file."""
    target = tmp_path / "out.csv"
    process = _start_writer(target)
    assert len(_temporaries(tmp_path)) == 1
    try:
        process.send_signal(signum)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the writer did not exit within 30 s of the signal: {_signal_state(process)}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()  # type: ignore[union-attr]
    assert process.returncode != 0
    assert not _temporaries(tmp_path)
    assert not target.exists()


def test_a_killed_writers_temporary_file_is_cleaned_by_the_next_write(tmp_path: Path) -> None:
    """A temporary file left by SIGKILL is owner-only, recognisable, and removed by the next
    write beside it."""
    target = tmp_path / "out.csv"
    process = _start_writer(target)
    process.kill()
    process.wait(timeout=30)
    process.stdout.close()  # type: ignore[union-attr]
    (left,) = _temporaries(tmp_path)
    assert _mode(left) == 0o600
    time.sleep(0.05)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert not _temporaries(tmp_path)
    assert target.read_text() == "new"
