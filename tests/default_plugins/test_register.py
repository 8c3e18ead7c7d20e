"""The register importer: a register's URL read through the pipeline, for a projection too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import inclusionkit
from inclusionkit import COLUMN_NAMES, examples


def _register(tmp_path: Path) -> Path:
    example = examples.load("dreptul-la-munca")
    table = example.participations
    assert table is not None
    path = tmp_path / "registru.db"
    rows = table[table["partner"] == "cpe"]
    source = tmp_path / "cpe.csv"
    inclusionkit.write(rows, source, kind="participations")
    with inclusionkit.init_register(path, example.project) as register:
        register.import_table(source, partner="cpe")
    return path


def test_a_register_url_is_read_by_the_pipeline(tmp_path: Path) -> None:
    """read_participations takes a sqlite:/// URL: the register importer reads it, as the file."""
    path = _register(tmp_path)
    by_url = inclusionkit.read_participations(f"sqlite:///{path}")
    pd.testing.assert_frame_equal(by_url, inclusionkit.read_participations(path))
    assert list(by_url.columns) == list(COLUMN_NAMES)


def test_a_projection_of_a_register_gives_those_columns_of_a_whole_read(tmp_path: Path) -> None:
    """columns= reads only those columns of a register, with a whole read's values."""
    url = f"sqlite:///{_register(tmp_path)}"
    whole = inclusionkit.read_participations(url, keep_extra=True)
    wanted = ["partner", "gender", "entry_date"]
    projected = inclusionkit.read_participations(url, keep_extra=True, columns=wanted)
    assert list(projected.columns) == ["gender", "entry_date", "partner"]
    pd.testing.assert_frame_equal(projected, whole[list(projected.columns)])
