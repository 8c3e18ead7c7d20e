"""Tests for parsing POSDRU, POCU and SMIS project codes in inclusionkit.ro."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit.ro import EXPECTED_FORMS, ProjectCode, ProjectCodeError, parse_project_code


def test_seed_posdru_code() -> None:
    """The seed project's code reads as call 165, axis 6, key area 6.2, a strategic project."""
    code = parse_project_code("POSDRU/165/6.2/S/143094")
    assert code == ProjectCode(
        raw="POSDRU/165/6.2/S/143094",
        programme="POSDRU",
        canonical="POSDRU/165/6.2/S/143094",
        call=165,
        axis=6,
        key_area="6.2",
        strategic=True,
        project_id=143094,
    )
    assert code.period == "2007-2013"


@pytest.mark.parametrize(
    "raw",
    [
        "posdru/165/6.2/s/143094",
        " POSDRU / 165 / 6.2 / S / 143094 ",
        "POSDRU/165/6.2/S 143094",
        "POSDRU/CPP165/DMI6.2/S/143094",
        "posdru/cpp 165/dmi 6.2/s/143094",
    ],
)
def test_posdru_variants_normalise_to_one_canonical_form(raw: str) -> None:
    """Case, spacing, a space for the last slash and the CPP/DMI prefixes are all tolerated."""
    code = parse_project_code(raw)
    assert code.canonical == "POSDRU/165/6.2/S/143094"
    assert code.raw == raw
    assert (code.call, code.key_area, code.project_id) == (165, "6.2", 143094)


def test_posdru_sloppy_space_before_project_id() -> None:
    """The in-the-wild form with a space instead of the last slash parses."""
    code = parse_project_code("POSDRU/89/1.5/S 61755")
    assert code.canonical == "POSDRU/89/1.5/S/61755"
    assert (code.axis, code.key_area, code.project_id) == (1, "1.5", 61755)


def test_posdru_grant_project() -> None:
    """G marks a grant (non-strategic) project."""
    code = parse_project_code("POSDRU/109/2.1/G/81432")
    assert code.strategic is False
    assert code.axis == 2


def test_pocu_bare_specific_objective_is_dotted() -> None:
    """A POCU code's bare specific objective "16" under axis 4 becomes "4.16"."""
    code = parse_project_code("POCU/449/4/16/127700")
    assert code == ProjectCode(
        raw="POCU/449/4/16/127700",
        programme="POCU",
        canonical="POCU/449/4/16/127700",
        call=449,
        axis=4,
        specific_objective="4.16",
        smis_code=127700,
    )
    assert code.period == "2014-2020"


def test_pocu_dotted_specific_objective_is_kept() -> None:
    """A dotted specific objective "4.1" stays "4.1"; the canonical form writes it bare."""
    code = parse_project_code("POCU/18/4/4.1/123456")
    assert code.specific_objective == "4.1"
    assert code.canonical == "POCU/18/4/1/123456"
    assert parse_project_code(code.canonical).specific_objective == "4.1"


@pytest.mark.parametrize(
    ("raw", "canonical", "period"),
    [
        ("127700", "SMIS 127700", None),
        ("SMIS 127700", "SMIS 127700", None),
        ("cod SMIS: 127700", "SMIS 127700", None),
        ("Cod SMIS 12770", "SMIS 12770", None),
        ("SMIS 202130", "SMIS 202130", None),
        ("MySMIS2021: 301234", "SMIS2021 301234", "2021-2027"),
        ("SMIS2021 301234", "SMIS2021 301234", "2021-2027"),
    ],
)
def test_bare_smis_codes(raw: str, canonical: str, period: str | None) -> None:
    """Bare and labelled SMIS codes parse; only an SMIS2021 label fixes the period."""
    code = parse_project_code(raw)
    assert (code.programme, code.canonical, code.period) == ("SMIS", canonical, period)
    assert code.smis_code == int(canonical.split()[-1])
    assert code.call is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("hello", "format"),
        ("", "empty"),
        ("   ", "empty"),
        ("POSDRU/165", "format"),
        ("POSDRU/165/6.2/X/143094", "format"),
        ("POSDRU/165/6/S/143094", "format"),
        ("POSDRU/165/6.2/S", "format"),
        ("POSDRU/165/8.2/S/143094", "axis"),
        ("POSDRU/165/0.1/S/143094", "axis"),
        ("POCU/449/4/127700", "format"),
        ("POCU/18/4/5.1/123456", "specific_objective"),
        ("POCU/449/4/16/1277", "smis_code"),
        ("1234", "smis_code"),
        ("1234567", "smis_code"),
        ("cod 127700", "format"),
        ("POSDRU/165/6.2/S/143094/1", "format"),
    ],
)
def test_malformed_codes(raw: str, reason: str) -> None:
    """Malformed codes raise ProjectCodeError with a reason and the expected forms."""
    with pytest.raises(ProjectCodeError) as info:
        parse_project_code(raw)
    error = info.value
    assert error.reason == reason
    assert error.value == raw
    assert repr(raw) in str(error)
    assert str(error).endswith(f"expected {EXPECTED_FORMS}")
    assert isinstance(error, ValueError)


def test_error_message_shows_the_forms() -> None:
    """The message names all three accepted forms with an example of each."""
    with pytest.raises(ProjectCodeError) as info:
        parse_project_code("hello")
    message = str(info.value)
    assert "POSDRU/<call>/<axis>.<key area>/<G|S>/<project id> (e.g. POSDRU/165/6.2/S/143094)" in (
        message
    )
    assert "POCU/<call>/<axis>/<specific objective>/<SMIS code> (e.g. POCU/449/4/16/127700)" in (
        message
    )
    assert "a bare SMIS code of 5-6 digits" in message


def messy(draw: st.DrawFn, parts: list[str]) -> str:
    """Join code parts with slashes, random blanks and random case."""
    seps = [draw(st.sampled_from(["/", " / ", "/ ", " /"])) for _ in parts[1:]]
    text = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))
    text = draw(st.sampled_from([text, text.lower(), text.upper()]))
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " \t"]))


@st.composite
def project_codes(draw: st.DrawFn) -> str:
    """Raw POSDRU, POCU and SMIS codes in assorted valid spellings."""
    programme = draw(st.sampled_from(["POSDRU", "POCU", "SMIS"]))
    smis = str(draw(st.integers(10_000, 999_999)))
    call = str(draw(st.integers(1, 999)))
    if programme == "POSDRU":
        axis = draw(st.integers(1, 7))
        kai = f"{axis}.{draw(st.integers(1, 9))}"
        prefixes = draw(st.sampled_from([("", ""), ("CPP", "DMI")]))
        kind = draw(st.sampled_from("GSgs"))
        ident = str(draw(st.integers(1, 999_999)))
        return messy(draw, ["POSDRU", prefixes[0] + call, prefixes[1] + kai, kind, ident])
    if programme == "POCU":
        axis = draw(st.integers(1, 9))
        objective = str(draw(st.integers(1, 20)))
        if draw(st.booleans()):
            objective = f"{axis}.{objective}"
        return messy(draw, ["POCU", call, str(axis), objective, smis])
    label = draw(st.sampled_from(["", "SMIS ", "cod SMIS: ", "SMIS2021 ", "MySMIS2021: "]))
    return label + smis


FIELDS = [f.name for f in attrs.fields(ProjectCode) if f.name != "raw"]


@given(project_codes())
def test_canonical_form_reparses_to_the_same_fields(raw: str) -> None:
    """Parsing a code's canonical form gives back every field (except raw) and the period."""
    code = parse_project_code(raw)
    again = parse_project_code(code.canonical)
    assert again.canonical == code.canonical
    assert [getattr(again, name) for name in FIELDS] == [getattr(code, name) for name in FIELDS]
    assert again.period == code.period
