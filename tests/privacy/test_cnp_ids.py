"""A participant id that is a valid CNP is refused at reading, in every format, without printing
it; `pseudonymise` takes such a register and replaces the CNPs by keyed ids."""

from __future__ import annotations

import secrets
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import ValidationError
from inclusionkit._privacy._pseudonymise import cnp_id_rows
from inclusionkit.cli import main
from inclusionkit.ro import cnp_check_digit
from tests.security._samples import example

CNPS = [f"{first}{cnp_check_digit(first)}" for first in ("190051740001", "285030212345")]


def _table() -> pd.DataFrame:
    """The example's first 30 participations, two of them identified by a CNP."""
    _, table = example()
    frame = table.head(30).copy()
    frame["participant_id"] = frame["participant_id"].astype("string")
    frame.loc[[3, 7], "participant_id"] = CNPS
    return frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_cnp_as_participant_id_is_refused_in_every_format(tmp_path: Path, suffix: str) -> None:
    """Reading a table whose ids include valid CNPs fails with participant_id.cnp per such row,
    and no message repeats the CNP."""
    path = tmp_path / f"parts{suffix}"
    frame = _table()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        inclusionkit.write(frame, path, kind="participations")
    with pytest.raises(ValidationError) as caught:
        inclusionkit.read(path, kind="participations")
    codes = [problem.code for problem in caught.value.problems]
    assert codes == ["participant_id.cnp", "participant_id.cnp"]
    assert "pseudonymise" in str(caught.value)
    for cnp in CNPS:
        assert cnp not in str(caught.value)


def test_cnp_rows_are_rejected_not_dropped_with_coerce(tmp_path: Path) -> None:
    """With on_error='coerce' the rows stay and say why, so accepted + rejected = input."""
    path = tmp_path / "parts.csv"
    _table().to_csv(path, index=False)
    frame = inclusionkit.read(path, kind="participations", on_error="coerce")
    assert len(frame) == 30


def test_report_and_validate_refuse_cnp_ids_without_printing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report` and `validate` exit 2 naming the line and column, never the CNP."""
    path = tmp_path / "parts.csv"
    _table().to_csv(path, index=False)
    for argv in (["report", str(path)], ["validate", str(path)]):
        code = main(argv)
        captured = capsys.readouterr()
        assert code == 2
        assert "line 5, column 'participant_id'" in captured.out + captured.err
        for cnp in CNPS:
            assert cnp not in captured.out + captured.err


def test_pseudonymise_replaces_cnp_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pseudonymise` takes a register with CNPs as ids and writes keyed ids instead."""
    source, key, target = tmp_path / "r.csv", tmp_path / "key.txt", tmp_path / "p.csv"
    frame = _table()
    frame["participant_id"] = CNPS * 15
    frame.to_csv(source, index=False)
    key.write_text(secrets.token_hex(32))
    assert main(["pseudonymise", str(source), str(target), "--key-file", str(key)]) == 0
    capsys.readouterr()
    written = target.read_text()
    for cnp in CNPS:
        assert cnp not in written
    assert len(inclusionkit.read(target)) == 30


def test_cnp_id_rows_finds_only_valid_cnps() -> None:
    """Thirteen digits that fail the check digit, or other ids, are not taken for CNPs."""
    bad = CNPS[0][:-1] + str((int(CNPS[0][-1]) + 1) % 10)
    values = pd.Series(["P1", CNPS[0], bad, None, " " + CNPS[1] + " ", "1234567890123"])
    assert cnp_id_rows(values).tolist() == [1, 4]
