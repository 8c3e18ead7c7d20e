"""No exporter leaks identifiers: every registered exporter, on a participation table full of
identifiers and on the reports, progress tables and projects computed from it.

The identifier columns (``cnp``, ``nume``, ``prenume``, ``email``, ``telefon``, ``adresa``) hold
distinctive marker values; none may appear in any output's bytes, nor inside its zip members
(xlsx, data packages) or its decoded Parquet pages and metadata. Exporters are taken from the
registry, so a new plugin's exporter is checked without touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusionkit._plugins import exporters
from inclusionkit._rejected import read_with_rejections, write_rejected
from inclusionkit.cli import main
from tests.security._samples import (
    IDENTIFIERS,
    identified_table,
    object_of_kind,
    readable_text,
    write_bounded,
)

KINDS = ("participations", "report", "progress", "project")
CASES = [
    pytest.param(name, kind, id=f"{name}-{kind}")
    for name, exporter in sorted(exporters().items())
    for kind in sorted(exporter.kinds)
    if kind in KINDS
]


def _assert_no_identifier(text: str, where: str) -> None:
    """None of the marker values, in any letter case, is in ``text``."""
    folded = text.casefold()
    leaked = [column for column, value in IDENTIFIERS.items() if value.casefold() in folded]
    assert not leaked, f"{where} leaks the identifier column(s) {leaked}"


def test_markers_are_found_when_present() -> None:
    """The search itself works: a table with the markers in it is caught."""
    text = readable_text(identified_table(3).to_csv().encode("utf-8"))
    with pytest.raises(AssertionError, match="cnp"):
        _assert_no_identifier(text, "the register itself")


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_exporter_leaks_no_identifier(tmp_path: Path, name: str, kind: str) -> None:
    """The exporter's output, unpacked and decoded, holds none of the identifier values."""
    table = identified_table()
    obj = object_of_kind(kind, table)
    exporter = exporters()[name]
    path = tmp_path / f"out{exporter.extensions[0] if exporter.extensions else ''}"
    write_bounded(exporter, obj, path, kind, table)
    _assert_no_identifier(readable_text(path.read_bytes()), f"{name} ({kind})")


def test_every_kind_of_every_exporter_is_checked() -> None:
    """Each registered exporter is checked for at least one kind it writes."""
    checked = {case.values[0] for case in CASES}
    assert checked == {
        name for name, exporter in exporters().items() if exporter.kinds & set(KINDS)
    }


def test_rejected_rows_and_cli_output_leak_no_identifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate --rejected: neither the rejected file nor what is printed holds an identifier."""
    table = identified_table(50)
    table.loc[table.index[:5], "isced"] = 11  # some rows to reject
    path = tmp_path / "register.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "rejected.csv"
    # The contact columns are no canonical column: left out on purpose, as a user would.
    ignore = ["--ignore-columns", "email,telefon,adresa"]
    main(["validate", str(path), "--rejected", str(out), *ignore])
    printed = capsys.readouterr()
    _assert_no_identifier(printed.out + printed.err, "validate's output")
    _assert_no_identifier(out.read_text(encoding="utf-8"), "the rejected rows file")
    outcome = read_with_rejections(path)
    other = tmp_path / "rejected-api.csv"
    write_rejected(outcome, other)
    _assert_no_identifier(other.read_text(encoding="utf-8"), "write_rejected")
