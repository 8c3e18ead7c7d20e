"""Exporting projects as IATI 2.03 activity XML: content, options, privacy, schema validity."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import inclusionkit_iati
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inclusionkit_iati import project_to_iati, schema_errors
from inclusionkit_iati._export import activity_identifier, publishable
from lxml import etree

import inclusionkit
from inclusionkit import InclusionKitError, Project, Text, load_project

# The host's write (what inclusionkit.write will re-export once the plugin system's public
# API lands): the plugin is exercised exactly as users call it.
from inclusionkit import write as host_write
from inclusionkit.models import Gender
from inclusionkit.testing import projects

IK = "{https://inclusionkit.org/ns/iati/1}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATED = "2024-01-01T00:00:00+00:00"

DOCUMENT: dict[str, Any] = {
    "code": "POSDRU/165/6.2/S/143094",
    "title": {"ro": "Și noi avem dreptul la muncă!", "en": "We too have the right to work!"},
    "programme": "POSDRU 2007-2013",
    "period": {"start": "2014-04-01", "end": "2015-10-31"},
    "locations": [{"region": "RO32", "county": "București", "city": "București"}],
    "partners": [
        {
            "organisation": {"id": "acar", "name": "Agenția de Consultanță", "kind": "company"},
            "role": "lead",
        },
        {"organisation": {"id": "cpe", "name": "Fundația CPE", "kind": "ngo"}, "role": "partner"},
        {
            "organisation": {"id": "edu", "name": "Asociația EDUTECO", "kind": "ngo"},
            "role": "associate",
        },
        {
            "organisation": {
                "id": "XM-DAC-41114",
                "name": "Comisia Europeană",
                "kind": "public_institution",
                "country": "BE",
            },
            "role": "funder",
        },
    ],
    "objectives": [
        {
            "id": "O1",
            "title": {"ro": "Incluziune", "en": "Inclusion"},
            "indicators": [
                {
                    "code": "ROMA",
                    "name": {"ro": "Persoane de etnie romă", "en": "Roma persons"},
                    "unit": "persons",
                    "kind": "output",
                    "target": 800,
                    "baseline": 10,
                    "milestone": 400,
                    "achieved": {"value": 512, "date": "2015-06-30", "source": "raport"},
                },
                {
                    "code": "EMPLOYED",
                    "name": {"ro": "Persoane angajate"},
                    "unit": "percent",
                    "kind": "result",
                    "target": 12.5,
                    "ascending": True,
                },
            ],
        }
    ],
}


def _project(**changes: Any) -> Project:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return load_project(document)


def _export(project: Project, **options: Any) -> etree._Element:
    options.setdefault("generated_at", GENERATED)
    return etree.fromstring(project_to_iati(project, **options))


def _narratives(element: etree._Element | None) -> dict[str, str]:
    assert element is not None
    return {n.get(LANG, ""): n.text or "" for n in element.findall("narrative")}


def test_document_is_valid_iati_203() -> None:
    """The export is an iati-activities 2.03 document that the official XSD accepts."""
    root = _export(_project(), as_of="2015-06-30")
    assert root.tag == "iati-activities"
    assert root.get("version") == "2.03"
    assert root.get("generated-datetime") == GENERATED
    assert schema_errors(root) == []
    assert len(root.findall("iati-activity")) == 1


def test_identifier_is_reporting_org_and_sanitised_code() -> None:
    """The identifier joins the reporting org's ref and the code with '/' made IATI-safe."""
    activity = _export(_project(), as_of="2015-06-30").find("iati-activity")
    assert activity is not None
    assert activity.findtext("iati-identifier") == "acar-POSDRU-165-6.2-S-143094"
    other = activity.find("other-identifier")
    assert other is not None
    assert (other.get("type"), other.get("ref")) == ("A1", "POSDRU/165/6.2/S/143094")
    assert activity_identifier("RO-CUI-1", " POCU / 449 & 4|16?127700 ") == (
        "RO-CUI-1-POCU-449-4-16-127700"
    )


def test_titles_and_descriptions_have_ro_and_en_narratives() -> None:
    """Titles carry a Romanian and an English narrative; a missing description is generated."""
    activity = _export(_project(), as_of="2015-06-30").find("iati-activity")
    assert activity is not None
    assert _narratives(activity.find("title")) == {
        "ro": "Și noi avem dreptul la muncă!",
        "en": "We too have the right to work!",
    }
    description = activity.find("description")
    assert description is not None
    assert description.get(f"{IK}generated") == "true"
    assert "POSDRU/165/6.2/S/143094" in _narratives(description)["ro"]


def test_participating_org_roles_follow_the_mapping() -> None:
    """IATI roles: lead 2 and 4, partner 4, associate 3 (extending), funder 1 (funding)."""
    activity = _export(_project(), as_of="2015-06-30").find("iati-activity")
    assert activity is not None
    roles = [(o.get(f"{IK}id"), o.get("role")) for o in activity.findall("participating-org")]
    assert roles == [
        ("acar", "2"),
        ("acar", "4"),
        ("cpe", "4"),
        ("edu", "3"),
        ("XM-DAC-41114", "1"),
    ]
    types = {o.get(f"{IK}id"): o.get("type") for o in activity.findall("participating-org")}
    assert types == {"acar": "70", "cpe": "22", "edu": "22", "XM-DAC-41114": "15"}
    refs = {o.get(f"{IK}id"): o.get("ref") for o in activity.findall("participating-org")}
    # Only an identifier in IATI form is written as @ref; internal ids stay in ik:id.
    assert refs == {"acar": None, "cpe": None, "edu": None, "XM-DAC-41114": "XM-DAC-41114"}


@pytest.mark.parametrize(
    ("as_of", "status", "dates"),
    [
        ("2014-01-01", "1", {"1": "2014-04-01", "3": "2015-10-31"}),
        ("2015-06-30", "2", {"1": "2014-04-01", "2": "2014-04-01", "3": "2015-10-31"}),
        (
            "2015-12-01",
            "3",
            {"1": "2014-04-01", "2": "2014-04-01", "3": "2015-10-31", "4": "2015-10-31"},
        ),
        (
            "2017-01-01",
            "4",
            {"1": "2014-04-01", "2": "2014-04-01", "3": "2015-10-31", "4": "2015-10-31"},
        ),
    ],
)
def test_status_and_dates_follow_the_reporting_date(
    as_of: str, status: str, dates: dict[str, str]
) -> None:
    """Status is pipeline, implementation, finalisation or closed; no actual date in the future."""
    activity = _export(_project(), as_of=as_of).find("iati-activity")
    assert activity is not None
    assert activity.find("activity-status").get("code") == status  # type: ignore[union-attr]
    found = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    assert found == dates


def test_country_region_and_sector() -> None:
    """Romania is the recipient country, NUTS-2 regions are locations, the sector is DAC 16010."""
    activity = _export(_project(), as_of="2015-06-30").find("iati-activity")
    assert activity is not None
    assert [c.get("code") for c in activity.findall("recipient-country")] == ["RO"]
    assert activity.find("recipient-region") is None
    (location,) = activity.findall("location")
    assert location.get("ref") == "RO32"
    assert location.get(f"{IK}region") == "RO32"
    assert "București-Ilfov" in _narratives(location.find("name"))["ro"]
    sector = activity.find("sector")
    assert sector is not None
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "16010")
    other = _export(_project(), as_of="2015-06-30", sector="16020").find("iati-activity/sector")
    assert other is not None
    assert other.get("code") == "16020"


def test_results_carry_baseline_period_target_and_actual() -> None:
    """Each indicator has its code, measure, baseline, one period with target and actual."""
    activity = _export(_project(), as_of="2015-06-30").find("iati-activity")
    assert activity is not None
    results = activity.findall("result")
    assert [r.get("type") for r in results] == ["1", "2"]  # output, then outcome
    assert {r.get(f"{IK}objective") for r in results} == {"O1"}
    roma = results[0].find("indicator")
    assert roma is not None
    assert (roma.get("measure"), roma.get("ascending")) == ("1", "true")
    assert roma.get(f"{IK}unit") == "persons"
    assert roma.get(f"{IK}milestone") == "400"
    reference = roma.find("reference")
    assert reference is not None
    assert (reference.get("vocabulary"), reference.get("code")) == ("99", "ROMA")
    baseline = roma.find("baseline")
    assert baseline is not None
    assert (baseline.get("year"), baseline.get("value")) == ("2014", "10")
    period = roma.find("period")
    assert period is not None
    assert period.find("period-start").get("iso-date") == "2014-04-01"  # type: ignore[union-attr]
    assert period.find("period-end").get("iso-date") == "2015-10-31"  # type: ignore[union-attr]
    assert period.find("target").get("value") == "800"  # type: ignore[union-attr]
    assert [a.get("value") for a in period.findall("actual")] == ["512"]
    employed = results[1].find("indicator")
    assert employed is not None
    assert employed.get("measure") == "2"  # percentage
    assert employed.find("period/target").get("value") == "12.5"  # type: ignore[union-attr]
    assert employed.find("period/actual") is None  # nothing achieved, nothing claimed


def test_achieved_comes_from_progress() -> None:
    """The actual written is the achieved value progress() computes for the reporting date."""
    project = _project()
    table = inclusionkit.progress(project, as_of="2015-06-30")
    root = _export(project, as_of="2015-06-30")
    actual = root.find("iati-activity/result/indicator/period/actual")
    assert actual is not None
    assert float(actual.get("value", "nan")) == table.set_index("indicator").at["ROMA", "achieved"]


def test_open_ended_project_period_ends_at_reporting_date() -> None:
    """A project without an end gets targets for a period ending on the reporting date."""
    project = _project(period={"start": "2014-04-01"})
    root = _export(project, as_of="2015-06-30")
    end = root.find("iati-activity/result/indicator/period/period-end")
    assert end is not None
    assert end.get("iso-date") == "2015-06-30"


def test_reporting_org_option() -> None:
    """A managing authority can publish under its own identifier and name."""
    root = _export(
        _project(),
        as_of="2015-06-30",
        reporting_org={"ref": "RO-CUI-12345678", "name": "AM POSDRU", "type": "10"},
    )
    reporting = root.find("iati-activity/reporting-org")
    assert reporting is not None
    assert (reporting.get("ref"), reporting.get("type")) == ("RO-CUI-12345678", "10")
    assert _narratives(reporting) == {"ro": "AM POSDRU"}
    assert (
        root.findtext("iati-activity/iati-identifier") == "RO-CUI-12345678-POSDRU-165-6.2-S-143094"
    )
    as_pair = _export(_project(), as_of="2015-06-30", reporting_org=("RO-CUI-1", "AM"))
    assert as_pair.find("iati-activity/reporting-org").get("type") == "90"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, "unknown IATI export option"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"suppress": -1}, "suppress"),
        ({"suppress": "many"}, "suppress"),
        ({"sector": "social"}, "sector"),
        ({"reporting_org": "RO CUI 1"}, "not an IATI organisation identifier"),
        ({"reporting_org": {"ref": "RO-CUI-1", "type": "99"}}, "type"),
        ({"reporting_org": "RO-CUI-1"}, "give the name"),
        ({"participations": 42}, "participations"),
        ({"generated_at": "noon"}, "generated_at"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], message: str) -> None:
    """Every bad option is an InclusionKitError naming it."""
    with pytest.raises(InclusionKitError, match=message):
        inclusionkit_iati._export.write_project(
            _project(), Path("unused.xml"), kind="project", options=options
        )


def test_invalid_document_is_an_error_with_schema_messages() -> None:
    """A project that would give a schema-invalid document raises with the XSD's complaint."""
    # A model built in code (not loaded) can hold an empty title, which IATI cannot carry.
    project = attrs.evolve(_project(), title=Text(ro=""))
    with pytest.raises(InclusionKitError, match=r"not valid against the IATI 2\.03 schema") as info:
        project_to_iati(project, as_of="2015-06-30")
    assert "/iati-activities/iati-activity/title: Element 'title': Missing child" in str(info.value)


def test_control_characters_do_not_break_the_export() -> None:
    """Characters XML cannot carry are dropped from texts instead of failing the export."""
    project = attrs.evolve(_project(), title=Text(ro="Titlu\x00 cu\x1b caractere"))
    root = _export(project, as_of="2015-06-30")
    assert _narratives(root.find("iati-activity/title"))["ro"] == "Titlu cu caractere"


def test_writes_through_inclusionkit_write(tmp_path: Path) -> None:
    """inclusionkit.write with format 'iati' writes the validated document to the file."""
    from inclusionkit.testing import registered_plugin

    target = tmp_path / "project.xml"
    with registered_plugin(inclusionkit_iati, name="iati") as pm:
        assert pm.exporters()["iati"].kinds == {"project"}
        host_write(_project(), target, as_of="2015-06-30", generated_at=GENERATED)
    root = etree.parse(str(target)).getroot()
    assert schema_errors(root) == []
    assert root.findtext("iati-activity/iati-identifier") == "acar-POSDRU-165-6.2-S-143094"


def test_writes_only_projects(tmp_path: Path) -> None:
    """Handing the exporter something else than a project is a clear error."""
    with pytest.raises(InclusionKitError, match="writes projects"):
        inclusionkit_iati._export.write_project(
            {"code": "x"}, tmp_path / "x.xml", kind="project", options={}
        )


# --- gender breakdown and disclosure control ---------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "shown"),
    [
        ({"female": 30, "male": 40, "non_binary": 0}, ["female", "male", "non_binary"]),
        ({"female": 3, "male": 50, "non_binary": 0}, ["non_binary"]),
        ({"female": 30, "male": 40, "non_binary": 2}, ["male"]),
        ({"female": 4, "male": 3, "non_binary": 0}, ["non_binary"]),
        ({"female": 3, "male": 0, "non_binary": 0}, []),
        ({"female": 7, "male": 6, "non_binary": 0}, ["female", "male", "non_binary"]),
        ({"female": 12, "male": 3, "non_binary": 3}, ["female"]),
    ],
)
def test_small_gender_cells_are_suppressed(sizes: dict[str, int], shown: list[str]) -> None:
    """Cells of 1-4 are hidden, and more when the hidden sum could be recovered from the total."""
    cells = {Gender(name): float(size) for name, size in sizes.items()}
    assert [str(cell) for cell in publishable(cells, 5)] == shown


def test_suppression_zero_publishes_every_cell() -> None:
    """A threshold of 0 switches suppression off."""
    cells = {Gender.FEMALE: 1.0, Gender.MALE: 2.0, Gender.NON_BINARY: 0.0}
    assert publishable(cells, 0) == list(cells)


def _example(name: str) -> Any:
    examples = pytest.importorskip("inclusionkit.examples")
    if name not in examples.list():
        pytest.skip(f"the bundled example {name!r} is not there yet")
    return examples.load(name)


def test_gender_dimension_from_participations() -> None:
    """With participation records, actuals are broken down by sex and sum to at most the total."""
    example = _example("dreptul-la-munca")
    root = _export(example.project, as_of="2015-12-31", participations=example.participations)
    assert schema_errors(root) == []
    broken_down = 0
    for period in root.iterfind("iati-activity/result/indicator/period"):
        actuals = period.findall("actual")
        total = [a for a in actuals if a.find("dimension") is None]
        cells = [a for a in actuals if a.find("dimension") is not None]
        assert len(total) <= 1
        for cell in cells:
            dimension = cell.find("dimension")
            assert dimension is not None
            assert dimension.get("name") == "sex"
            assert dimension.get("value") in {"female", "male", "non_binary"}
            value = float(cell.get("value", "nan"))
            assert value == 0 or value >= 5  # the rules here count persons
        if cells:
            broken_down += 1
            assert sum(float(c.get("value", "0")) for c in cells) <= float(
                total[0].get("value", "0")
            )
    assert broken_down > 0


def test_no_personal_data_leaves() -> None:
    """Neither participant ids nor birth dates nor any participant's record reach the file."""
    example = _example("dreptul-la-munca")
    frame: pd.DataFrame = example.participations
    text = project_to_iati(
        example.project, as_of="2015-12-31", participations=frame, generated_at=GENERATED
    ).decode("utf-8")
    for participant in frame["participant_id"].dropna().unique()[:200]:
        assert f">{participant}<" not in text
        assert f'"{participant}"' not in text
    # The only dates written are the project's own and the reporting date: no entry, exit or
    # birth date of anybody.
    period = example.project.period
    allowed = {period.start.isoformat(), "2015-12-31"} | (
        {period.end.isoformat()} if period.end else set()
    )
    root = etree.fromstring(text.encode())
    written = {
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if name in ("iso-date", f"{IK}actual-as-of")
    }
    assert written <= allowed


@pytest.mark.parametrize("name", ["dialog-social", "dreptul-la-munca"])
def test_seed_projects_validate(name: str) -> None:
    """Both bundled seed projects export to schema-valid IATI, with and without records."""
    example = _example(name)
    for as_of in ("2009-06-30", "2013-06-30", "2015-12-31", "2024-01-01"):
        root = _export(example.project, as_of=as_of, participations=example.participations)
        assert schema_errors(root) == []
        assert len(root.findall("iati-activity/result/indicator")) == len(
            example.project.indicators
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    project=projects(),
    as_of=st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2035, 12, 31)),
)
def test_generated_projects_validate(project: Project, as_of: dt.date) -> None:
    """Any valid project exports to a document the official IATI 2.03 schema accepts."""
    root = _export(project, as_of=as_of)
    assert schema_errors(root) == []
    assert len(root.findall("iati-activity/result/indicator")) == len(project.indicators)
