"""The pipeline's projection: ``columns=`` types and keeps only the columns named."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inclusionkit
from inclusionkit import ValidationError, _threads
from inclusionkit._ingest import _pipeline, canonical_frame, ingest, ingest_typed, text_as_read

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
    read = pq.ParquetFile.read

    def spy(self: pq.ParquetFile, *args: object, **kwargs: object) -> object:
        asked.append(kwargs.get("columns"))
        return read(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetFile, "read", spy)
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


_CLEAN_ROW = {
    "participant_id": "p{n}",
    "project_code": "POCU/1/1/1",
    "gender": "female",
    "birth_date": "1990-01-01",
    "entry_date": "2020-01-01",
    "exit_date": "",
    "labour_status": "unemployed",
    "isced": "3",
    "region": "RO31",
    "partner": "Asociatia",
}


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        (None, None),  # every text already its typed text: the frame takes it as read
        ("labour_status", "pensioner"),  # no word matches: kept as written, a note
        ("gender", "Femeie"),  # a word of the mapping
        ("gender", " female"),  # a space around
        ("gender", ""),  # an empty cell
        ("region", "Sud-Muntenia"),  # a region's name: its code
        ("partner", "Fundaţia"),  # a cedilla: the comma below
        ("partner", "'=1+1"),  # a formula quoted by a CSV writer: unquoted
        ("project_code", " POCU/1/1/2 "),
        ("participant_id", " p9 "),
    ],
)
def test_a_frame_reads_the_text_as_the_engines_typed_table_types_it(
    tmp_path: Path, column: str | None, cell: str | None
) -> None:
    """read_participations (a CSV's text read plain for the frame, text_as_read) gives the frame
    and the notes that the engine's typed table (text dictionary-encoded) converted gives, when
    every text is already typed and when a cell is not (a word, spaces, a cedilla, …)."""
    rows = [{k: v.format(n=n) for k, v in _CLEAN_ROW.items()} for n in range(3000)]
    if column is not None and cell is not None:
        rows[1500][column] = cell
    path = tmp_path / "p.csv"
    path.write_text(
        "\n".join([",".join(_CLEAN_ROW), *(",".join(row.values()) for row in rows)]) + "\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings(record=True) as plain_notes:
        warnings.simplefilter("always")
        frame = inclusionkit.read_participations(path)
    with warnings.catch_warnings(record=True) as coded_notes:
        warnings.simplefilter("always")
        typed = ingest_typed(path)
        coded = canonical_frame(typed)
    assert not text_as_read()
    pd.testing.assert_frame_equal(frame, coded, check_exact=True)
    assert [str(w.message) for w in plain_notes] == [str(w.message) for w in coded_notes]
    # The engine's typed table keeps its text of few distinct values as a dictionary.
    assert pa.types.is_dictionary(typed.table.schema.field("gender").type)


def test_long_ids_are_found_in_every_chunk_and_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ids of at least a CNP's 13 bytes are found by their rows, across chunks and the
    blocks of offsets each is measured in (a null cell of no bytes is never one)."""
    monkeypatch.setattr(_pipeline, "_LENGTH_BLOCK", 3)
    long = "1" * 13
    ids = [["a", long, None, "b", long + "2"], [], ["c", long, "d"]]
    values = pa.chunked_array([pa.array(chunk, pa.string()) for chunk in ids], pa.string())
    assert _pipeline._long_cells(values, 13).tolist() == [1, 4, 6]
    assert _pipeline._long_cells(values.chunk(0), 14).tolist() == [4]


def test_columns_typed_on_several_threads_give_the_same_table_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typing and converting the columns on two threads gives one thread's frame and problems,
    in its order."""
    path = _file(
        tmp_path,
        **{
            "Gen": ["F", "X", "F"],  # an unknown value
            "Data nasterii": ["01.05.1990", "31.02.1985", "03.07.1970"],  # a bad date
            "Statut pe piața muncii": ["somer", "angajat", "pensionar?"],
        },
    )

    def read(threads: str) -> tuple[pd.DataFrame, list[str]]:
        monkeypatch.setenv("INCLUSIONKIT_THREADS", threads)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = ingest(path, keep_extra=True, on_error="coerce")
            with pytest.raises(ValidationError) as caught:
                ingest(path, keep_extra=True)
        return frame, [str(problem) for problem in caught.value.problems]

    monkeypatch.setattr(_threads, "PARALLEL_COLUMN_ROWS", 0)
    one_frame, one_problems = read("1")
    two_frame, two_problems = read("2")
    pd.testing.assert_frame_equal(two_frame, one_frame)
    assert two_problems == one_problems
    assert len(one_problems) == 2  # the date, then the ISCED
