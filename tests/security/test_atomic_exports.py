"""An export that fails half-way leaves the previous file intact and no temporary file behind.

``tests/plugins/test_io.py`` checks this for a test plugin's exporter; here every *registered*
exporter is made to fail the ways a real one does: the disk fills up after half the file was
written (by the exporter, or inside the library it calls), and the final rename fails. The
library's own writers (``write_participations``, ``save_project``, the rejected-rows file) are
checked too.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import inclusionkit
from inclusionkit import save_project, write_participations
from inclusionkit._formats import Exporter
from inclusionkit._io import write_with
from inclusionkit._plugins import exporters
from inclusionkit._rejected import read_with_rejections, write_rejected
from tests.security._samples import example, identified_table, object_of_kind, write_bounded

PREVIOUS = b"the previous, complete export\n"
KINDS = ("participations", "report", "progress", "project")
CASES = [
    pytest.param(name, kind, id=f"{name}-{kind}")
    for name, exporter in sorted(exporters().items())
    for kind in sorted(exporter.kinds)
    if kind in KINDS
]


def _disk_full() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def _target(folder: Path, exporter: Exporter) -> Path:
    path = folder / f"export{exporter.extensions[0] if exporter.extensions else ''}"
    path.write_bytes(PREVIOUS)
    return path


def _assert_untouched(path: Path) -> None:
    """The previous file is as it was, and nothing else is in its folder."""
    assert path.read_bytes() == PREVIOUS
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_disk_full_half_way_keeps_the_previous_file(tmp_path: Path, name: str, kind: str) -> None:
    """The exporter writes its whole file, then half of it is lost to a full disk: no harm."""
    exporter = exporters()[name]

    def half_then_full(
        obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
    ) -> None:
        exporter.write(obj, path, kind=kind, options=options)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 2])
        raise _disk_full()

    failing = attrs.evolve(exporter, write=half_then_full)
    path = _target(tmp_path, exporter)
    table = identified_table(30)
    with pytest.raises(OSError, match="No space left"):
        write_bounded(failing, object_of_kind(kind, table), path, kind, table)
    _assert_untouched(path)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_failed_final_rename_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, kind: str
) -> None:
    """When even the last step (the rename over the target) fails, the old file stays."""
    import inclusionkit._atomic as atomic

    exporter = exporters()[name]
    path = _target(tmp_path, exporter)
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target) == path:
            raise _disk_full()
        real_replace(source, target)

    monkeypatch.setattr(atomic, "os", _OsWithReplace(replace))
    table = identified_table(30)
    with pytest.raises(OSError, match="No space left"):
        write_bounded(exporter, object_of_kind(kind, table), path, kind, table)
    _assert_untouched(path)


class _OsWithReplace:
    """The ``os`` module as ``inclusionkit._atomic`` sees it, with another ``replace``."""

    def __init__(self, replace: Any) -> None:
        self.replace = replace

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def _partial_then_full(real: Any, *, path_arg: int = 1) -> Any:
    """A stand-in for a library writer: it writes half its output to its target, then the disk
    fills. The real writer runs first (into a scratch file), so it ends cleanly.
    """

    def writer(*args: Any, **kwargs: Any) -> None:
        target = args[path_arg] if len(args) > path_arg else kwargs.get("path")
        if not isinstance(target, str | os.PathLike):
            real(*args, **kwargs)
            return
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder) / Path(target).name
            real(*args[:path_arg], scratch, *args[path_arg + 1 :], **kwargs)
            data = scratch.read_bytes()
        Path(target).write_bytes(data[: len(data) // 2])
        raise _disk_full()

    return writer


@pytest.mark.parametrize(
    ("format", "kind", "owner", "attribute", "path_arg"),
    [
        ("csv", "participations", pd.DataFrame, "to_csv", 1),
        ("csv", "progress", pd.DataFrame, "to_csv", 1),
        ("csv", "report", pd.DataFrame, "to_csv", 1),
        ("parquet", "participations", pq, "write_table", 1),
        ("parquet", "report", pq, "write_table", 1),
        ("xlsx", "report", openpyxl.Workbook, "save", 1),
        ("xlsx", "participations", openpyxl.Workbook, "save", 1),
    ],
)
def test_library_writer_failing_inside_a_real_exporter(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    format: str,
    kind: str,
    owner: Any,
    attribute: str,
    path_arg: int,
) -> None:
    """pandas, pyarrow or openpyxl failing half-way through a real export: the old file stays."""
    if format not in exporters():
        pytest.skip(f"no {format} exporter installed")
    exporter = exporters()[format]
    path = _target(tmp_path, exporter)
    table = identified_table(30)
    obj = object_of_kind(kind, table)
    monkeypatch.setattr(
        owner, attribute, _partial_then_full(getattr(owner, attribute), path_arg=path_arg)
    )
    with pytest.raises(OSError, match="No space left"):
        write_with(exporter, obj, path, kind=kind)
    _assert_untouched(path)


def test_json_exporter_failing_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON writer's file write failing part-way keeps the previous file."""
    import inclusionkit.default_plugins.json_format as json_format

    def write_text(path: os.PathLike[str], text: str) -> None:
        Path(path).write_text(text[:10], encoding="utf-8")
        raise _disk_full()

    monkeypatch.setattr(json_format, "_write_text", write_text)
    path = _target(tmp_path, exporters()["json"])
    with pytest.raises(OSError, match="No space left"):
        inclusionkit.write(identified_table(10), path)
    _assert_untouched(path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_participations_is_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """write_participations (not through a plugin) keeps the old file when the disk fills."""
    path = tmp_path / f"table{suffix}"
    path.write_bytes(PREVIOUS)
    owner, attribute = (pd.DataFrame, "to_csv") if suffix == ".csv" else (pq, "write_table")
    monkeypatch.setattr(owner, attribute, _partial_then_full(getattr(owner, attribute)))
    with pytest.raises(OSError, match="No space left"):
        write_participations(identified_table(10), path)
    _assert_untouched(path)


def test_save_project_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """save_project keeps the old project file when writing it fails half-way."""
    path = tmp_path / "project.json"
    path.write_bytes(PREVIOUS)
    real = Path.write_text

    def write_text(self: Path, text: str, *args: Any, **kwargs: Any) -> int:
        real(self, text[:20], *args, **kwargs)
        raise _disk_full()

    monkeypatch.setattr(Path, "write_text", write_text)
    project, _ = example()
    with pytest.raises(OSError, match="No space left"):
        save_project(project, path)
    monkeypatch.undo()
    _assert_untouched(path)


def test_rejected_rows_file_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The --rejected file keeps its previous content when the disk fills while writing it."""
    source = tmp_path / "in" / "register.csv"
    source.parent.mkdir()
    identified_table(10).to_csv(source, index=False)
    outcome = read_with_rejections(source)
    path = tmp_path / "out" / "rejected.csv"
    path.parent.mkdir()
    path.write_bytes(PREVIOUS)
    monkeypatch.setattr(pd.DataFrame, "to_csv", _partial_then_full(pd.DataFrame.to_csv))
    with pytest.raises(OSError, match="No space left"):
        write_rejected(outcome, path)
    _assert_untouched(path)


def test_a_successful_export_replaces_the_previous_file(tmp_path: Path) -> None:
    """The control: without a failure the new file replaces the old, with nothing left over."""
    path = tmp_path / "export.csv"
    path.write_bytes(PREVIOUS)
    inclusionkit.write(identified_table(10), path)
    assert path.read_bytes() != PREVIOUS
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]
