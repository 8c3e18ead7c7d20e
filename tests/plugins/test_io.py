"""Tests for inclusionkit.read and inclusionkit.write: choosing formats, kinds, atomic writes."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pytest

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import Exporter, Importer
from inclusionkit._io import infer_kind, read, read_with, write, write_with
from inclusionkit._participations import empty_table
from inclusionkit._report_data import ReportData
from inclusionkit.hookspecs import RegisterExporter, RegisterImporter, hookimpl
from inclusionkit.testing import registered_plugin
from tests.default_plugins.strategies import sample_participations, sample_progress

PARTICIPATIONS = sample_participations()
PROGRESS = sample_progress()


def _exporter(
    write_fn: Any, name: str = "flaky", kinds: frozenset[str] = frozenset({"progress"})
) -> Exporter:
    """An exporter of progress tables to '.flaky' files with the given write function."""
    return Exporter(name=name, extensions=(".flaky",), kinds=kinds, write=write_fn)


class _Formats:
    """A plugin with a failing exporter, a silent one, and one that records its path."""

    __name__ = "formats-plugin"

    def __init__(self) -> None:
        self.paths: list[Path] = []

    @hookimpl
    def register_exporters(self, register: RegisterExporter) -> None:
        def fail(obj: Any, path: os.PathLike[str], *, kind: str, options: Any) -> None:
            Path(path).write_text("half a fi", encoding="utf-8")
            raise RuntimeError("disk on fire")

        def silent(obj: Any, path: os.PathLike[str], *, kind: str, options: Any) -> None:
            pass

        def record(obj: Any, path: os.PathLike[str], *, kind: str, options: Any) -> None:
            self.paths.append(Path(path))
            Path(path).write_text(repr(dict(options)), encoding="utf-8")

        register(_exporter(fail))
        register(Exporter(name="silent", extensions=(".silent",), kinds={"progress"}, write=silent))
        register(
            Exporter(
                name="record", extensions=(".xlsx",), kinds={"progress", "report"}, write=record
            )
        )

    @hookimpl
    def register_importers(self, register: RegisterImporter) -> None:
        def read_any(source: Any, *, kind: str, options: Any) -> Any:
            return {"kind": kind, "options": dict(options)}

        register(
            Importer(
                name="many", extensions=(".many",), kinds={"progress", "report"}, read=read_any
            )
        )
        register(Importer(name="alsocsv", extensions=(".csv",), kinds={"project"}, read=read_any))


# -- choosing the format -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_write_and_read_pick_the_format_by_extension(tmp_path: Path, suffix: str) -> None:
    """A participation table goes through the format its extension names."""
    path = tmp_path / f"p{suffix}"
    write(PARTICIPATIONS, path)
    pdt.assert_frame_equal(read(path), PARTICIPATIONS)


def test_format_name_overrides_the_extension(tmp_path: Path) -> None:
    """format='json' writes JSON whatever the extension, and reads it back."""
    path = tmp_path / "p.data"
    write(PARTICIPATIONS, path, format="json")
    assert path.read_text(encoding="utf-8").startswith("[")
    pdt.assert_frame_equal(read(path, format="json"), PARTICIPATIONS)


def test_unknown_format_lists_the_known_ones(tmp_path: Path) -> None:
    """An unknown format name is an InclusionKitError listing the known formats."""
    with pytest.raises(InclusionKitError, match=r"no format called 'xml'.*csv.*json.*parquet"):
        write(PARTICIPATIONS, tmp_path / "p.xml", format="xml")
    with pytest.raises(InclusionKitError, match=r"no format reads '\.xml' files; known: csv"):
        read(tmp_path / "p.xml")


def test_no_extension_and_no_format_asks_for_a_format(tmp_path: Path) -> None:
    """Without an extension the caller must say format=."""
    with pytest.raises(InclusionKitError, match="pass format="):
        write(PARTICIPATIONS, tmp_path / "participants")


def test_a_format_that_cannot_write_the_kind_says_so(tmp_path: Path) -> None:
    """CSV cannot hold a project: the error says which formats can."""
    with pytest.raises(InclusionKitError, match=r"'csv', which cannot write project.*json"):
        write(PARTICIPATIONS, tmp_path / "p.csv", kind="project")
    with pytest.raises(InclusionKitError, match=r"format 'csv' cannot write project.*json"):
        write(PARTICIPATIONS, tmp_path / "p.csv", format="csv", kind="project")


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    """kind must be one of the known kinds."""
    with pytest.raises(InclusionKitError, match="unknown kind 'people'"):
        write(PARTICIPATIONS, tmp_path / "p.csv", kind="people")


def test_the_extension_picks_the_format_that_reads_the_kind(tmp_path: Path) -> None:
    """Of two formats claiming '.csv', the one reading the asked kind is chosen."""
    (tmp_path / "p.csv").write_text("a,b\n", encoding="utf-8")
    with registered_plugin(_Formats()):
        assert read(tmp_path / "p.csv", kind="project")["kind"] == "project"


def test_two_formats_claiming_an_extension_ask_for_a_name(tmp_path: Path) -> None:
    """When two formats read '.csv' for the same kind, the caller must choose with format=."""

    class Rival:
        @hookimpl
        def register_importers(self, register: RegisterImporter) -> None:
            register(Importer(name="csv2", extensions=(".csv",), kinds={"progress"}, read=print))

    (tmp_path / "p.csv").write_text("a,b\n", encoding="utf-8")
    message = r"several formats claim '\.csv' \('csv', 'csv2'\)"
    with registered_plugin(Rival(), name="rival"), pytest.raises(InclusionKitError, match=message):
        read(tmp_path / "p.csv", kind="progress")


# -- kinds -------------------------------------------------------------------------------------


def test_infer_kind_of_known_objects() -> None:
    """Tables, projects and reports are recognised."""
    assert infer_kind(PARTICIPATIONS) == "participations"
    assert infer_kind(empty_table()) == "participations"
    assert infer_kind(PROGRESS) == "progress"
    assert infer_kind(ReportData(table=pd.DataFrame({"indicator": [], "value": []}))) == "report"


def test_infer_kind_refuses_an_unknown_table() -> None:
    """A DataFrame of other columns needs kind=."""
    with pytest.raises(InclusionKitError, match="pass kind="):
        infer_kind(pd.DataFrame({"a": [1]}))
    with pytest.raises(InclusionKitError, match="a int"):
        infer_kind(3)


def test_importer_reading_several_kinds_gets_auto(tmp_path: Path) -> None:
    """Without kind=, an importer of several kinds is asked to decide ('auto')."""
    path = tmp_path / "x.many"
    path.write_text("", encoding="utf-8")
    with registered_plugin(_Formats()):
        assert read(path) == {"kind": "auto", "options": {}}
        assert read(path, kind="report", sheet=2) == {"kind": "report", "options": {"sheet": 2}}


def test_read_accepts_a_binary_file_object() -> None:
    """A file object named *.csv is read by the CSV importer."""
    buffer = io.BytesIO()
    buffer.write(PARTICIPATIONS.to_csv(index=False, date_format="%Y-%m-%d").encode())
    buffer.seek(0)
    buffer.name = "upload.csv"  # type: ignore[attr-defined]
    back = read(buffer)
    pdt.assert_frame_equal(back, PARTICIPATIONS)


def test_read_with_refuses_a_kind_the_importer_lacks() -> None:
    """read_with checks the importer reads the kind."""
    importer = Importer(name="x", extensions=(), kinds={"project"}, read=lambda *a, **k: None)
    with pytest.raises(InclusionKitError, match="cannot read progress"):
        read_with(importer, "x", kind="progress")


# -- atomic writes -----------------------------------------------------------------------------


def test_exception_in_exporter_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    """An exporter that raises half-way leaves the old file and no temporary file behind."""
    path = tmp_path / "progress.flaky"
    path.write_text("the previous report", encoding="utf-8")
    with registered_plugin(_Formats()), pytest.raises(RuntimeError, match="disk on fire"):
        write(PROGRESS, path)
    assert path.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.flaky"]


def test_exception_in_exporter_creates_no_file(tmp_path: Path) -> None:
    """A failed first write leaves no file at all."""
    with registered_plugin(_Formats()), pytest.raises(RuntimeError):
        write(PROGRESS, tmp_path / "new.flaky")
    assert list(tmp_path.iterdir()) == []


def test_exporter_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    """An exporter returning without a file is reported, naming it and its plugin."""
    with (
        registered_plugin(_Formats()),
        pytest.raises(InclusionKitError, match="'silent' exporter \\(plugin 'formats-plugin'\\)"),
    ):
        write(PROGRESS, tmp_path / "p.silent")
    assert list(tmp_path.iterdir()) == []


def test_exporter_gets_a_temporary_path_with_the_target_extension(tmp_path: Path) -> None:
    """The exporter writes a temporary file beside the target, with the target's extension."""
    plugin = _Formats()
    with registered_plugin(plugin):
        write(PROGRESS, tmp_path / "out" / "p.xlsx", colour="red")
    (staged,) = plugin.paths
    assert staged.parent == tmp_path / "out"
    assert staged.suffix == ".xlsx"
    assert staged.name != "p.xlsx"
    assert (tmp_path / "out" / "p.xlsx").read_text(encoding="utf-8") == "{'colour': 'red'}"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p.xlsx"]


def test_write_with_an_unregistered_exporter(tmp_path: Path) -> None:
    """write_with uses an Exporter object directly, still atomically."""

    def write_fn(obj: Any, path: os.PathLike[str], *, kind: str, options: Any) -> None:
        Path(path).write_text(kind, encoding="utf-8")

    write_with(_exporter(write_fn), PROGRESS, tmp_path / "p.any")
    assert (tmp_path / "p.any").read_text(encoding="utf-8") == "progress"
    with pytest.raises(InclusionKitError, match="cannot write participations"):
        write_with(_exporter(write_fn), PARTICIPATIONS, tmp_path / "q.any")
