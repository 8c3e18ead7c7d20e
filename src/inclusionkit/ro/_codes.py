"""Romanian ESF project codes: POSDRU (2007-2013), POCU (2014-2020) and bare SMIS codes.

Formats (esf-indicators.md §5.1):

- ``POSDRU/<call>/<axis>.<key area>/<G|S>/<project id>``, e.g. ``POSDRU/165/6.2/S/143094``;
  older calls write ``POSDRU/CPP<call>/DMI<axis>.<key area>/...``.
- ``POCU/<call>/<axis>/<specific objective>/<SMIS code>``, e.g. ``POCU/449/4/16/127700``, where
  the specific objective is written bare ("16" for OS 4.16) or dotted ("4.1").
- a bare SMIS code of 5-6 digits, possibly labelled ("SMIS 127700", "cod SMIS: 127700");
  ``SMIS2021`` / ``MySMIS2021`` marks a 2021-2027 code.

Parsing is case- and spacing-tolerant and keeps the raw string next to a canonical form.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from inclusionkit.ro._text import RomanianCodeError

Programme = Literal["POSDRU", "POCU", "SMIS"]
"""The programme a project code belongs to; ``"SMIS"`` is a bare SMIS code, programme unknown."""

EXPECTED_FORMS = (
    "POSDRU/<call>/<axis>.<key area>/<G|S>/<project id> (e.g. POSDRU/165/6.2/S/143094), "
    "POCU/<call>/<axis>/<specific objective>/<SMIS code> (e.g. POCU/449/4/16/127700) "
    "or a bare SMIS code of 5-6 digits"
)
"""The accepted forms, as :class:`ProjectCodeError` messages show them."""


class ProjectCodeError(RomanianCodeError):
    """A project code is not in any accepted form; the message lists the forms.

    ``reason`` is ``"empty"``, ``"format"`` (no form matches), ``"axis"`` (a POSDRU axis outside
    1-7), ``"specific_objective"`` (a dotted POCU objective whose first number is not the axis)
    or ``"smis_code"`` (an SMIS code that is not 5-6 digits).
    """

    def __init__(self, value: object, *, reason: str, detail: str) -> None:
        self.detail = detail
        message = f"invalid project code {value!r}: {detail}; expected {EXPECTED_FORMS}"
        super().__init__(message, value=value, reason=reason)


@attrs.frozen(kw_only=True)
class ProjectCode:
    """A parsed project code: the raw text, a canonical form and the parts the form carries.

    POSDRU codes fill ``call``, ``axis``, ``key_area`` ("6.2"), ``strategic`` (S is True, G is
    False) and ``project_id``. POCU codes fill ``call``, ``axis``, ``specific_objective``
    (always dotted, "4.16") and ``smis_code``. A bare SMIS code fills only ``smis_code``.
    """

    raw: str
    programme: Programme
    canonical: str
    call: int | None = None
    axis: int | None = None
    key_area: str | None = None
    strategic: bool | None = None
    project_id: int | None = None
    specific_objective: str | None = None
    smis_code: int | None = None

    @property
    def period(self) -> str | None:
        """The programming period: "2007-2013" (POSDRU), "2014-2020" (POCU), "2021-2027" for an
        SMIS code marked SMIS2021, otherwise ``None`` (a bare SMIS code does not say).
        """
        if self.programme == "POSDRU":
            return "2007-2013"
        if self.programme == "POCU":
            return "2014-2020"
        return "2021-2027" if self.canonical.startswith("SMIS2021") else None


# People write "POSDRU / 165", "POSDRU/89/1.5/S 61755" or drop slashes for spaces, so any run of
# slashes and blanks separates two parts.
_SEP = r"\s*[/\s]\s*"
_POSDRU = re.compile(
    rf"POSDRU{_SEP}(?:CPP\s*)?(?P<call>\d+){_SEP}(?:DMI\s*)?(?P<axis>\d+)\s*\.\s*(?P<kai>\d+)"
    rf"{_SEP}(?P<kind>[GS]){_SEP}(?P<id>\d+)",
    re.ASCII,
)
_POCU = re.compile(
    rf"POCU{_SEP}(?P<call>\d+){_SEP}(?P<axis>\d+){_SEP}"
    rf"(?:(?P<so_axis>\d+)\s*\.\s*)?(?P<so>\d+){_SEP}(?P<smis>\d+)",
    re.ASCII,
)
# "SMIS2021" must end at a word boundary so that "SMIS 202130" stays the code 202130.
_SMIS = re.compile(
    r"(?:(?:COD\s*)?(?:MY)?SMIS\s*(?:(?P<v2021>2021)\b)?\s*[:#.\-]?\s*)?(?P<smis>\d+)",
    re.ASCII,
)
# Checked on the number, not the text, so that a zero-padded code keeps its canonical form
# ("012345" is 12345) and every canonical form parses again.
_SMIS_RANGE = range(10_000, 1_000_000)


def _smis(digits: str, value: str) -> int:
    number = int(digits)
    if number not in _SMIS_RANGE:
        detail = f"{digits!r} is not an SMIS code of 5-6 digits"
        raise ProjectCodeError(value, reason="smis_code", detail=detail)
    return number


def parse_project_code(raw: str) -> ProjectCode:
    """Parse a POSDRU, POCU or bare SMIS project code, tolerating case and spacing.

    Raises :class:`ProjectCodeError`, whose message shows the accepted forms, when the text
    matches none of them.
    """
    text = raw.strip().upper()
    if not text:
        raise ProjectCodeError(raw, reason="empty", detail="the value is empty")
    if match := _POSDRU.fullmatch(text):
        axis, kai = int(match["axis"]), int(match["kai"])
        if not 1 <= axis <= 7:
            detail = f"POSDRU priority axis {axis} is not one of 1-7"
            raise ProjectCodeError(raw, reason="axis", detail=detail)
        call, kind, project_id = int(match["call"]), match["kind"], int(match["id"])
        return ProjectCode(
            raw=raw,
            programme="POSDRU",
            canonical=f"POSDRU/{call}/{axis}.{kai}/{kind}/{project_id}",
            call=call,
            axis=axis,
            key_area=f"{axis}.{kai}",
            strategic=kind == "S",
            project_id=project_id,
        )
    if match := _POCU.fullmatch(text):
        call, axis, objective = int(match["call"]), int(match["axis"]), int(match["so"])
        if match["so_axis"] is not None and int(match["so_axis"]) != axis:
            detail = (
                f"specific objective {match['so_axis']}.{objective} does not belong to "
                f"priority axis {axis}"
            )
            raise ProjectCodeError(raw, reason="specific_objective", detail=detail)
        smis_code = _smis(match["smis"], raw)
        return ProjectCode(
            raw=raw,
            programme="POCU",
            canonical=f"POCU/{call}/{axis}/{objective}/{smis_code}",
            call=call,
            axis=axis,
            specific_objective=f"{axis}.{objective}",
            smis_code=smis_code,
        )
    if match := _SMIS.fullmatch(text):
        smis_code = _smis(match["smis"], raw)
        label = "SMIS2021" if match["v2021"] else "SMIS"
        return ProjectCode(
            raw=raw, programme="SMIS", canonical=f"{label} {smis_code}", smis_code=smis_code
        )
    raise ProjectCodeError(raw, reason="format", detail="it matches none of the accepted forms")
