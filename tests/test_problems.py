"""The catalogue of problem codes: one member per code, each with its message and severity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import inclusionkit
from inclusionkit import Problem, ProblemCode, Severity
from inclusionkit._problems import EMPTY_VALUE, INCOMPLETE, Stage

ROOT = Path(__file__).resolve().parents[1]

# Every module that can report a problem, core and plugins; problems of a project document or a
# rule set (not of a participation table) keep their own families of codes.
_SOURCES = sorted(
    [*(ROOT / "src").rglob("*.py"), *(ROOT / "plugins").glob("*/src/**/*.py")], key=str
)
_DOCUMENT_FAMILIES = ("rule.", "project.", "location.", "schema.")
_LITERAL = re.compile(r'code(?:=|, what = )"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"')


def test_every_member_has_a_code_message_severity_and_stage() -> None:
    """Codes are unique dotted slugs; every member says what it means and how bad it is."""
    codes = [code.value for code in ProblemCode]
    assert len(codes) == len(set(codes))
    for code in ProblemCode:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", code.value), code
        assert code.message
        assert code.message == code.message.strip()
        assert isinstance(code.severity, Severity)
        assert isinstance(code.stage, Stage)
        assert not (code.incomplete and code.severity is Severity.WARNING), code


def test_a_member_is_its_code_string() -> None:
    """A member compares equal to, prints as and stands in a Problem for its code string."""
    code = ProblemCode.GENDER_MISSING
    assert code == "gender.missing"
    assert str(code) == f"{code}" == "gender.missing"
    assert Problem(code=code, message=code.message).code == "gender.missing"
    assert ProblemCode.lookup("gender.missing") is code


def test_lookup_of_an_unknown_code_fails_clearly() -> None:
    """A string outside the catalogue is a KeyError naming it."""
    with pytest.raises(KeyError, match=r"value\.missing"):
        ProblemCode.lookup("value.missing")


def test_missing_and_unreadable_name_a_column_or_a_kind() -> None:
    """missing() and unreadable() find the codes of an empty column and an unreadable cell."""
    assert ProblemCode.missing("isced") is ProblemCode.ISCED_MISSING
    assert ProblemCode.unreadable("date") is ProblemCode.CELL_DATE
    with pytest.raises(KeyError):
        ProblemCode.missing("rural")


def test_incomplete_codes_are_the_completeness_reasons_in_order() -> None:
    """INCOMPLETE lists the codes that leave a participation out, gender first, the household
    situation (required by esf-2014@2014 only) last."""
    assert INCOMPLETE[0] is ProblemCode.GENDER_MISSING
    assert INCOMPLETE[-1] is ProblemCode.SINGLE_ADULT_HOUSEHOLD_MISSING
    assert all(code.incomplete for code in INCOMPLETE)
    assert len(INCOMPLETE) == sum(code.incomplete for code in ProblemCode)


def test_empty_value_codes_are_one_per_required_column() -> None:
    """EMPTY_VALUE holds the row codes of an empty required cell (a rule set may also require
    the household situation), not column.missing."""
    household = {"jobless_household", "dependent_children", "single_adult_household"}
    required = {c.name for c in inclusionkit.COLUMNS if c.required} | household
    assert {code.value.split(".")[0] for code in EMPTY_VALUE} == required
    assert ProblemCode.COLUMN_MISSING not in EMPTY_VALUE


def test_every_code_written_in_the_source_is_in_the_catalogue() -> None:
    """A literal problem code anywhere in the core or a plugin is a catalogue member (the
    families of project-document and rule-set problems aside)."""
    found = {
        (path.relative_to(ROOT).as_posix(), code)
        for path in _SOURCES
        for code in _LITERAL.findall(path.read_text(encoding="utf-8"))
        if not code.startswith(_DOCUMENT_FAMILIES)
    }
    assert {code for _, code in found} >= {"column.missing", "row.no_id", "import.warning"}
    unknown = sorted(pair for pair in found if pair[1] not in ProblemCode._value2member_map_)
    assert not unknown, f"add these codes to inclusionkit._problems.ProblemCode: {unknown}"


def test_the_catalogue_is_public() -> None:
    """ProblemCode and Severity are public names with docstrings."""
    assert {"ProblemCode", "Severity"} <= set(inclusionkit.__all__)
    assert inclusionkit.ProblemCode.__doc__
    assert inclusionkit.Severity.__doc__
