"""Hostile IATI files end in a clear message and exit 2, and import warnings on the command line
are messages, not Python warnings with a source line."""

from __future__ import annotations

from pathlib import Path

import pytest

from inclusionkit.cli import main

ACTIVITY = """<iati-activity xml:lang="en">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="XM-DAC-1" type="10"><narrative>Donor</narrative></reporting-org>
    <title><narrative>A project</narrative></title>
    <participating-org role="1"><narrative>Donor</narrative></participating-org>
    <participating-org role="4"><narrative>First</narrative></participating-org>
    <activity-status code="2"/><activity-date type="1" iso-date="2020-01-01"/>
  </iati-activity>"""


def _file(tmp_path: Path, *, doctype: str = "", identifier: str = "XM-DAC-1-PRJ-1") -> Path:
    path = tmp_path / "activities.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        f'<iati-activities version="2.03">{ACTIVITY.format(identifier=identifier)}'
        "</iati-activities>\n"
    )
    return path


HOSTILE = {
    "external DTD and undeclared entity": {
        "doctype": '<!DOCTYPE iati-activities SYSTEM "http://example.invalid/iati.dtd">\n',
        "identifier": "&undeclared;",
    },
    "external DTD": {"doctype": '<!DOCTYPE iati-activities SYSTEM "file:///etc/passwd">\n'},
    "public DTD": {
        "doctype": '<!DOCTYPE iati-activities PUBLIC "-//X//DTD X//EN" "http://x.invalid/x">\n'
    },
    "undeclared entity": {"identifier": "&undeclared;"},
    "entity declaration": {
        "doctype": '<!DOCTYPE iati-activities [<!ENTITY e "lol">]>\n',
        "identifier": "&e;",
    },
    "external entity": {
        "doctype": '<!DOCTYPE iati-activities [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n',
        "identifier": "&e;",
    },
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["convert", "validate"])
def test_hostile_iati_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
) -> None:
    """An external DTD or an entity (declared or not) is refused with exit 2, no traceback."""
    source = _file(tmp_path, **HOSTILE[case])
    argv = (
        ["convert", str(source), str(tmp_path / "project.json")]
        if command == "convert"
        else ["validate", str(source)]
    )
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "Error:" not in err or "inclusionkit: error:" in err
    assert not (tmp_path / "project.json").exists()


def test_import_warnings_print_as_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`convert` of an IATI file with warnings prints `inclusionkit: warning: …` lines only."""
    source = _file(tmp_path)
    assert main(["convert", str(source), str(tmp_path / "project.json")]) == 0
    err = capsys.readouterr().err
    assert "inclusionkit: warning:" in err
    assert "IatiImportWarning" not in err
    assert "warnings.warn" not in err
    assert ".py:" not in err
