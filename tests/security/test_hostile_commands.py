"""Every command run the way an adversary or a careless user would: it exits 0 or 2, never with
a traceback, never prints an identifier from its input, and leaves its inputs byte-identical."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import inclusionkit
from inclusionkit import InclusionKitError
from inclusionkit.cli import main
from tests.privacy.test_cli_privacy import ANA, ION, write_register
from tests.security._samples import example

LINKS = ("same", "hardlink", "symlink")


def _participations(tmp_path: Path) -> Path:
    """The example's participations as CSV, with one row whose exit is before its entry."""
    _, table = example()
    table = table.head(40).copy()
    table.loc[0, "entry_date"] = pd.NA  # a row validate rejects
    path = tmp_path / "parts.csv"
    inclusionkit.write(table, path, kind="participations")
    return path


def _alias(path: Path, how: str) -> Path:
    """``path`` itself, a hard link to it or a symbolic link to it."""
    if how == "same":
        return path
    alias = path.with_name(f"alias-{how}{path.suffix}")
    if how == "hardlink":
        os.link(path, alias)
    else:
        alias.symlink_to(path)
    return alias


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


def _register(tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    write_register(path, [{"CNP": ANA, "gender": "female"}, {"CNP": ION, "gender": "male"}])
    return path


def _key(tmp_path: Path) -> Path:
    path = tmp_path / "key.txt"
    path.write_text(secrets.token_hex(32) + "\n")
    return path


def _register_db(tmp_path: Path) -> Path:
    source = _participations(tmp_path)
    db = tmp_path / "r.db"
    assert main(["register", "init", f"sqlite:///{db}"]) == 0
    main(["register", "import", f"sqlite:///{db}", str(source), "--partner", "cpe"])
    return db


# Each case: (make the protected input, the command line writing over it through ``out``).
Case = Callable[[Path], tuple[Path, Callable[[Path], list[str]]]]


def _validate(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["validate", str(src), "--rejected", str(out)]


def _convert(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["convert", str(src), str(out)]


def _report(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["report", str(src), "-o", str(out)]


def _report_excluded(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["report", str(src), "--excluded", str(out)]


def _pseudonymise(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src, key = _register(tmp), _key(tmp)
    return src, lambda out: ["pseudonymise", str(src), str(out), "--key-file", str(key)]


def _pseudonymise_rejected(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src, key = _register(tmp), _key(tmp)
    other = tmp / "pseudo.csv"
    return src, lambda out: [
        "pseudonymise", str(src), str(other), "--key-file", str(key), "--rejected", str(out)
    ]  # fmt: skip


def _pseudonymise_key(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src, key = _register(tmp), _key(tmp)
    renamed = key.rename(key.with_suffix(".csv"))
    return renamed, lambda out: ["pseudonymise", str(src), str(out), "--key-file", str(renamed)]


def _retention(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["retention", str(src), "--until", "2099-01-01", "-o", str(out)]


def _retention_expired(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    src = _participations(tmp)
    return src, lambda out: ["retention", str(src), "--until", "2099-01-01", "--expired", str(out)]


def _register_export(tmp: Path) -> tuple[Path, Callable[[Path], list[str]]]:
    db = _register_db(tmp)
    return db, lambda out: ["register", "export", f"sqlite:///{db}", str(out), "--format", "csv"]


CASES: dict[str, Case] = {
    "validate --rejected": _validate,
    "convert": _convert,
    "report -o": _report,
    "report --excluded": _report_excluded,
    "pseudonymise OUT": _pseudonymise,
    "pseudonymise --rejected": _pseudonymise_rejected,
    "pseudonymise OUT=key": _pseudonymise_key,
    "retention -o": _retention,
    "retention --expired": _retention_expired,
    "register export": _register_export,
}


@pytest.mark.parametrize("how", LINKS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_output_never_overwrites_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, how: str
) -> None:
    """Every command refuses an output that is one of its inputs (the file itself, a hard link
    or a symbolic link to it): exit 2, a message naming it, the input byte-identical."""
    source, argv = CASES[case](tmp_path)
    before = source.read_bytes()
    out = _alias(source, how)
    code, text = _run(argv(out), capsys)
    assert code == 2, text
    assert "is an input of this command" in text
    assert source.read_bytes() == before
    assert ANA not in text
    assert ION not in text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_refuses_one_of_its_inputs(tmp_path: Path) -> None:
    """``inclusionkit.write(obj, path, inputs=[...])`` refuses a path that is one of ``inputs``."""
    source = _participations(tmp_path)
    before = source.read_bytes()
    table = inclusionkit.read(source)
    link = _alias(source, "hardlink")
    with pytest.raises(InclusionKitError, match="is an input"):
        inclusionkit.write(table, link, inputs=[source])
    assert source.read_bytes() == before
    inclusionkit.write(table, source)  # the library alone may rewrite a file it read


CNP = "1780511400041"


def test_suppressed_report_publishes_no_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --suppress N` prints and writes the published table: no `status` column."""
    source = _participations(tmp_path)
    code, text = _run(["report", str(source), "--suppress", "5"], capsys)
    assert code == 0, text
    header = text.splitlines()[0]
    assert "suppressed" in header
    assert "status" not in header
    out = tmp_path / "r.csv"
    code, text = _run(["report", str(source), "--suppress", "5", "-o", str(out)], capsys)
    assert code == 0, text
    assert "status" not in out.read_text(encoding="utf-8").splitlines()[0]


def test_suppress_takes_a_report(tmp_path: Path) -> None:
    """`inclusionkit.suppress(report)` applies the report's own policy, not AttributeError."""
    report = inclusionkit.compute(inclusionkit.read(_participations(tmp_path)))
    result = inclusionkit.suppress(report, 5)
    assert "status" not in result.published.columns
    with pytest.raises(InclusionKitError, match="tidy table"):
        inclusionkit.suppress(42)  # type: ignore[arg-type]


def test_a_ragged_csv_row_is_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A row with one cell too many is named by its line, never printed (it holds a CNP)."""
    source = _participations(tmp_path)
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[3] = f"{CNP},Popescu,{lines[3]}"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for argv in (["validate", str(source)], ["report", str(source)]):
        code, text = _run(argv, capsys)
        assert code == 2, text
        assert CNP not in text
        assert "Popescu" not in text
        assert "line 4" in text


def test_a_json_table_is_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`validate` on a JSON table with bad records names places, never a record or a
    personal cell."""
    path = tmp_path / "parts.json"
    records = [{"participant_id": CNP, "cnp": CNP, "nume": "Popescu", "birth_date": "31.01.90"}]
    path.write_text(json.dumps(records * 3 + [[CNP, "Popescu"]]), encoding="utf-8")  # type: ignore[list-item]
    code, text = _run(["validate", str(path)], capsys)
    assert code == 2, text
    assert CNP not in text
    assert "Popescu" not in text
    assert "31.01.90" not in text


@pytest.mark.parametrize(
    "by", ["participant_id", "cnp", "nume", "email", "adresa", "birth_date", "gender,cnp"]
)
def test_by_refuses_identifiers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    """`--by` an identifier, a per-person date or a column outside the contract is refused,
    naming `--allow-by` for a column outside the contract; no label is printed."""
    _, table = example()
    table = table.head(20).copy()
    for column in ("cnp", "nume", "email", "adresa"):
        table[column] = CNP
    source = tmp_path / "ids.csv"
    table.to_csv(source, index=False)
    code, text = _run(["report", str(source), "--by", by, "--suppress", "3"], capsys)
    assert code == 2, text
    assert CNP not in text
    assert "one row per person" in text or "--allow-by" in text


def test_allow_by_opens_a_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A register's own category column is a breakdown once named with `--allow-by`."""
    _, table = example()
    table = table.head(20).copy()
    table["judet"] = "Cluj"
    source = tmp_path / "cat.csv"
    table.to_csv(source, index=False)
    code, text = _run(["report", str(source), "--by", "judet"], capsys)
    assert code == 2, text
    code, text = _run(["report", str(source), "--by", "judet", "--allow-by", "judet"], capsys)
    assert code == 0, text
    assert "Cluj" in text


def _duplicate_header(tmp_path: Path) -> Path:
    """A CSV whose header names `gender` twice."""
    source = _participations(tmp_path)
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("labour_status", "gender")
    path = tmp_path / "dup.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _nested_parquet(tmp_path: Path) -> Path:
    """A Parquet file whose `gender` column holds records and which has a list column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, table = example()
    arrow = pa.Table.from_pandas(table.head(10), preserve_index=False)
    index = arrow.schema.get_field_index("gender")
    arrow = arrow.set_column(index, "gender", pa.array([{"a": 1}] * 10))
    arrow = arrow.append_column("tags", pa.array([[1, 2]] * 10))
    path = tmp_path / "nested.parquet"
    pq.write_table(arrow, path)
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{src}"],
        ["report", "{src}"],
        ["convert", "{src}", "{tmp}/o.parquet"],
        ["pseudonymise", "{src}", "{tmp}/o.csv", "--key-file", "{key}"],
        ["retention", "{src}", "--until", "2030-01-01"],
    ],
    ids=lambda argv: argv[0],
)
@pytest.mark.parametrize("make", [_duplicate_header, _nested_parquet], ids=["dup", "nested"])
def test_a_malformed_table_is_a_message_in_every_command(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    make: Callable[[Path], Path],
) -> None:
    """A duplicate CSV header or nested Parquet columns: exit 2 with a message, never a
    traceback, in every command."""
    source, key = make(tmp_path), _key(tmp_path)
    before = source.read_bytes()
    filled = [a.format(src=source, tmp=tmp_path, key=key) for a in argv]
    code, text = _run(filled, capsys)
    assert code == 2, text
    assert "gender" in text
    assert source.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "{src}", "-o", "/proc/inclusionkit-none/r.csv"],
        ["demo", "--output", "/proc/inclusionkit-none"],
        ["report", "{src}", "--as-of", "0001-01-01"],
        ["report", "{src}", "--as-of", "9999-12-31"],
        ["retention", "{src}", "--until", "2030-01-01", "--years", "100000"],
        ["retention", "{exit}", "--until", "2030-01-01"],
        ["report", "{exit}"],
    ],
)
def test_environment_and_extreme_dates_are_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """An unwritable output folder, extreme --as-of dates, a 100000-year retention and an exit
    in 2999 end with exit 0 or 2 and a message, never a traceback."""
    source = _participations(tmp_path)
    table = inclusionkit.read(source, on_error="coerce")
    table["exit_date"] = pd.Timestamp("2999-01-01")
    exit_path = tmp_path / "exit.csv"
    inclusionkit.write(table, exit_path, kind="participations")
    filled = [a.format(src=source, exit=exit_path) for a in argv]
    code, text = _run(filled, capsys)
    assert code in (0, 2), text
    if code == 2:
        assert "error" in text.lower()


def test_a_full_disk_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while writing (a full disk) is exit 2 with the reason; no temporary file is left."""
    import errno

    source = _participations(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "r.csv"
    code, text = _run(["report", str(source), "-o", str(out)], capsys)
    assert code == 2, text
    assert "No space left on device" in text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
