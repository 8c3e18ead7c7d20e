"""Shared material for the security tests: tables full of identifiers, valid files of every
registered format (the seeds the fuzz tests mutate), and a runner that bounds each case in time.
"""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow.parquet as pq

from inclusionkit import COLUMN_NAMES, Project, compute, progress
from inclusionkit._formats import Exporter
from inclusionkit._io import write_with
from inclusionkit._plugins import exporters
from inclusionkit.examples import load
from inclusionkit.ro import cnp_check_digit

T = TypeVar("T")

CASE_SECONDS = 20.0
"""The most one import may take before it counts as a hang (generous: the machine is shared)."""

EXAMPLE = "dreptul-la-munca"


def cnp(first12: str) -> str:
    """A valid CNP from its first 12 digits."""
    return first12 + cnp_check_digit(first12)


# Distinctive values no exporter could produce by chance: any of them in an output is a leak.
IDENTIFIERS: dict[str, str] = {
    "cnp": cnp("190051740001"),
    "nume": "Qzxvelescu",
    "prenume": "Qzxandra",
    "email": "qzx.scurgere@example.invalid",
    "telefon": "0799111222",
    "adresa": "Strada Qzxplopilor 13",
}


@functools.cache
def example() -> tuple[Project, pd.DataFrame]:
    """The bundled example project and its participation table (900 rows)."""
    found = load(EXAMPLE)
    assert found.participations is not None
    return found.project, found.participations


def identified_table(rows: int = 200) -> pd.DataFrame:
    """The example's participations with identifier columns full of the marker values."""
    _, table = example()
    frame = table.head(rows).copy()
    for column, value in IDENTIFIERS.items():
        frame[column] = pd.array([value] * len(frame), dtype="string")
    return frame


def object_of_kind(kind: str, table: pd.DataFrame) -> Any:
    """Something of ``kind`` computed from ``table`` (``None`` for kinds not built here)."""
    project, _ = example()
    if kind == "participations":
        return table
    if kind == "report":
        return compute(table)
    if kind == "progress":
        return progress(project, table)
    if kind == "project":
        return project
    return None


def write_bounded(exporter: Exporter, obj: Any, path: Path, kind: str, table: pd.DataFrame) -> None:
    """Write with ``exporter``; give project exporters the participation table when they take it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "project":
            try:
                write_with(exporter, obj, path, kind=kind, participations=table)
                return
            except Exception as exc:
                if "participations" not in str(exc) and "option" not in str(exc):
                    raise
        write_with(exporter, obj, path, kind=kind)


# -- seeds: one valid file per importer and kind ---------------------------------------------


@functools.cache
def seeds() -> dict[str, list[tuple[str, bytes]]]:
    """Valid files by format name: ``(kind, bytes)`` pairs, written by the registered exporters.

    An importer whose format has no exporter gets only the handmade samples (or none, and is
    fuzzed with random bytes alone).
    """
    _, table = example()
    small = table.head(25)
    found: dict[str, list[tuple[str, bytes]]] = {}
    with tempfile.TemporaryDirectory(prefix="inclusionkit-seeds-") as folder:
        for name, exporter in sorted(exporters().items()):
            for kind in sorted(exporter.kinds):
                obj = object_of_kind(kind, small)
                if obj is None:
                    continue
                suffix = exporter.extensions[0] if exporter.extensions else ""
                path = Path(folder) / f"{name}-{kind}{suffix}"
                write_bounded(exporter, obj, path, kind, small)
                found.setdefault(name, []).append((kind, path.read_bytes()))
    found.setdefault("csv", []).append(("participations", romanian_csv().encode("cp1250")))
    return found


def romanian_csv() -> str:
    """A messy Romanian register: ';', DD.MM.YYYY, cedillas, trailing spaces, da/nu."""
    header = ";".join(COLUMN_NAMES)
    rows = []
    for i, (gender, birth) in enumerate([("female", "17.05.1990"), ("male ", "02.03.1985")]):
        cells = dict.fromkeys(COLUMN_NAMES, "")
        cells.update(
            participant_id=f"P{i} ",
            project_code="POCU/449/4/16/127700",
            gender=gender,
            birth_date=birth,
            entry_date="01.09.2019",
            labour_status="unemployed",
            isced="3",
            rural="da",
            region="RO42",
            partner="Asociaţia Şanse Egale",
        )
        rows.append(";".join(cells[name] for name in COLUMN_NAMES))
    return "\r\n".join([header, *rows]) + "\r\n"


# -- looking inside outputs ------------------------------------------------------------------


def readable_text(data: bytes) -> str:
    """Everything a person or program could read out of an output, as text.

    Zip archives (xlsx, data packages) are opened member by member; Parquet files are decoded
    (their pages are compressed) with their metadata; any other file is taken as it is.
    """
    parts = [data.decode("utf-8", errors="replace"), data.decode("latin-1")]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts += [readable_text(archive.read(member)) for member in archive.namelist()]
    if data.startswith(b"PAR1"):
        parquet = pq.ParquetFile(io.BytesIO(data))
        metadata = parquet.schema_arrow.metadata or {}
        parts += [key.decode() + value.decode() for key, value in metadata.items()]
        parts.append(parquet.read().to_pandas().to_csv())
    return "\n".join(parts)


# -- bounded runs ----------------------------------------------------------------------------


class Hang(AssertionError):
    """A case ran longer than :data:`CASE_SECONDS`."""


def run_bounded(call: Callable[[], T], seconds: float = CASE_SECONDS) -> T:
    """Run ``call`` in a thread, warnings silenced; fail with :class:`Hang` if it runs too long.

    A thread (not ``signal.alarm``) because a hang inside C code (a parser) never returns to the
    interpreter to be interrupted; the daemon thread is abandoned and the test fails.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="bounded-case")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Hang(f"the case ran for more than {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


@contextlib.contextmanager
def as_file(data: bytes, suffix: str) -> Iterator[Path]:
    """``data`` in a temporary file with ``suffix``."""
    with tempfile.TemporaryDirectory(prefix="inclusionkit-case-") as folder:
        path = Path(folder) / f"case{suffix}"
        path.write_bytes(data)
        yield path
