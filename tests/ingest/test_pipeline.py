"""The pipeline's projection: ``columns=`` types and keeps only the columns named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inclusionkit import ValidationError
from inclusionkit._ingest import ingest

WANTED = ("participant_id", "project_code", "gender", "entry_date", "judet")


def _file(tmp_path: Path, **changes: object) -> Path:
    """A small register in Parquet with Romanian headers, an extra column and a bad cell."""
    columns: dict[str, object] = {
        "ID participant": ["p1", "p2", "p3"],
        "Cod proiect": ["POCU/1/4/16/100001"] * 3,
        "Gen": ["F", "M", "F"],
        "Data nasterii": ["01.05.1990", "02.06.1985", "03.07.1970"],
        "Data intrarii": ["02.03.2020", "2020-04-01", "05.05.2020"],
        "Statut pe piața muncii": ["somer", "angajat", "somer"],
        "ISCED": ["3", "two", "2"],  # a bad cell in a column a projection may leave out
        "judet": ["Cluj", "Iasi", "Cluj"],
    }
    columns.update(changes)
    path = tmp_path / "registru.parquet"
    pq.write_table(pa.table({k: v for k, v in columns.items() if v is not None}), path)
    return path


def test_a_projection_keeps_the_columns_named_with_the_values_of_a_full_read(
    tmp_path: Path,
) -> None:
    """Only the columns named come back, each as a full read (with coerce) types it."""
    path = _file(tmp_path)
    whole = ingest(path, keep_extra=True, on_error="coerce")
    some = ingest(path, keep_extra=True, columns=WANTED)
    assert list(some.columns) == ["participant_id", "project_code", "gender", "entry_date", "judet"]
    pd.testing.assert_frame_equal(some, whole[list(some.columns)], check_like=True)
    assert some["entry_date"].tolist() == [
        pd.Timestamp(d) for d in ("2020-03-02", "2020-04-01", "2020-05-05")
    ]


def test_a_projection_reports_the_bad_cells_of_its_columns_only(tmp_path: Path) -> None:
    """A bad cell of a column read stops the read, naming it; one of a column left out does
    not."""
    path = _file(tmp_path)
    ingest(path, columns=WANTED)
    with pytest.raises(ValidationError) as caught:
        ingest(path, columns=(*WANTED, "isced"))
    assert [problem.column for problem in caught.value.problems] == ["ISCED"]


def test_a_projection_still_needs_every_required_column(tmp_path: Path) -> None:
    """A required column the file lacks stops the read even when it is not asked for."""
    path = _file(tmp_path, **{"Statut pe piața muncii": None})
    with pytest.raises(ValidationError, match="labour_status"):
        ingest(path, columns=WANTED)


def test_a_projection_reads_only_its_columns_from_parquet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Parquet importer is asked for the headers the named columns map from, no others."""
    path = _file(tmp_path)
    asked: list[object] = []
    read_table = pq.read_table

    def spy(*args: object, **kwargs: object) -> object:
        asked.append(kwargs.get("columns"))
        return read_table(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq, "read_table", spy)
    ingest(path, keep_extra=True, columns=WANTED)
    assert sorted(asked[-1]) == sorted(  # type: ignore[arg-type]
        ["ID participant", "Cod proiect", "Gen", "Data intrarii", "judet"]
    )


def test_a_projection_from_csv_types_only_its_columns(tmp_path: Path) -> None:
    """A format that reads every column (CSV) gives the same projected table."""
    path = tmp_path / "registru.csv"
    path.write_text(
        "ID participant,Cod proiect,Gen,Data nasterii,Data intrarii,Statut pe piața muncii,"
        "ISCED,judet\np1,POCU/1/4/16/100001,F,01.05.1990,02.03.2020,somer,two,Cluj\n",
        encoding="utf-8",
    )
    some = ingest(path, keep_extra=True, columns=WANTED)
    assert list(some.columns) == list(WANTED)
    assert some["entry_date"].iloc[0] == pd.Timestamp(dt.date(2020, 3, 2))
