"""Importing IATI activity files: safe parsing, the mapping back to projects, and round trips."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Any

import inclusionkit_iati
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inclusionkit_iati import IatiImport, IatiImportWarning, project_to_iati, read_iati
from lxml import etree

import inclusionkit
from inclusionkit import InclusionKitError, Project, load_project

# The host's read (what inclusionkit.read will re-export once the plugin system's public
# API lands): the plugin is exercised exactly as users call it.
from inclusionkit import read as host_read
from inclusionkit.models import IndicatorKind, OrganisationKind, PartnerRole, Unit
from inclusionkit.testing import projects

AS_OF = dt.date(2015, 6, 30)

DOCUMENT: dict[str, Any] = {
    "code": "POCU/449/4/16/127700",
    "title": {"ro": "Împreună pentru incluziune", "en": "Together for inclusion"},
    "description": {"ro": "Primul paragraf.\n\nAl doilea paragraf."},
    "programme": "POCU 2014-2020",
    "period": {"start": "2019-01-01", "end": "2021-12-31"},
    "locations": [
        {"region": "RO11", "county": "Cluj", "city": "Cluj-Napoca"},
        {"region": "RO11", "county": "Bihor"},
        {"region": "RO42"},
    ],
    "partners": [
        {
            "organisation": {
                "id": "RO-CUI-123456",
                "name": "Asociația Lider",
                "name_en": "Leader Association",
                "kind": "ngo",
                "city": "Cluj-Napoca",
                "tags": ["social economy"],
                "supported": True,
            },
            "role": "lead",
        },
        {
            "organisation": {
                "id": "p1",
                "name": "Primăria X",
                "kind": "public_institution",
                "supported": False,
            },
            "role": "partner",
        },
        {
            "organisation": {"id": "p2", "name": "Camera Y", "kind": "chamber_of_commerce"},
            "role": "associate",
        },
        {
            "organisation": {
                "id": "ec",
                "name": "Comisia Europeană",
                "kind": "other",
                "country": "BE",
            },
            "role": "funder",
        },
    ],
    "objectives": [
        {
            "id": "OS1",
            "title": {"ro": "Ocupare", "en": "Employment"},
            "indicators": [
                {
                    "code": "4S16",
                    "name": {"ro": "Persoane sprijinite"},
                    "unit": "persons",
                    "kind": "output",
                    "target": 300,
                    "baseline": 0,
                    "milestone": 150,
                    "achieved": {"value": 120, "date": "2020-06-30", "source": "raport"},
                },
                {
                    "code": "4S17",
                    "name": {"ro": "Ocupate la ieșire", "en": "In employment on leaving"},
                    "unit": "percent",
                    "kind": "result",
                    "target": 12.5,
                    "baseline": 2.25,
                    "ascending": False,
                },
                {
                    "code": "4S18",
                    "name": {"ro": "Ore de formare"},
                    "unit": "hours",
                    "kind": "output",
                    "target": 1000,
                },
            ],
        }
    ],
}


def _project(**changes: Any) -> Project:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return load_project({key: value for key, value in document.items() if value is not None})


def _round_trip(project: Project, **options: Any) -> IatiImport:
    options.setdefault("as_of", AS_OF)
    return read_iati(io.BytesIO(project_to_iati(project, **options)))


def _activity(body: str, *, lang: str = "en") -> bytes:
    """A minimal IATI 2.03 file around one activity body."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
  <iati-activity xml:lang="{lang}">
    <iati-identifier>XM-DAC-1-PRJ-1</iati-identifier>
    <reporting-org ref="XM-DAC-1" type="10"><narrative>Donor</narrative></reporting-org>
    <title><narrative>A project</narrative></title>
    <description><narrative>What it does</narrative></description>
    {body}
  </iati-activity>
</iati-activities>""".encode()


DATES = '<activity-status code="2"/><activity-date type="1" iso-date="2020-01-01"/>'


def _read(body: str, **kwargs: Any) -> IatiImport:
    return read_iati(io.BytesIO(_activity(body, **kwargs)))


# --- round trips -------------------------------------------------------------------------------


def _assert_same_essentials(original: Project, back: Project, as_of: dt.date) -> None:
    """Partners, indicators, targets, baselines and actuals came back unchanged."""
    assert back.code == original.code
    assert back.programme == original.programme
    assert back.title == original.title
    assert back.period == original.period
    assert back.partners == original.partners
    assert back.locations == original.locations
    achieved = inclusionkit.progress(original, as_of=as_of).set_index("indicator")["achieved"]
    theirs = {ind.code: ind for ind in original.indicators}
    ours = {ind.code: ind for ind in back.indicators}
    assert ours.keys() == theirs.keys()
    for code, indicator in ours.items():
        before = theirs[code]
        assert indicator.name == before.name
        assert (indicator.unit, indicator.kind) == (before.unit, before.kind)
        assert (indicator.target, indicator.baseline) == (before.target, before.baseline)
        assert (indicator.milestone, indicator.ascending) == (before.milestone, before.ascending)
        value = achieved[code]
        if pd.isna(value):
            assert indicator.achieved is None
        else:
            assert indicator.achieved is not None
            assert indicator.achieved.value == float(value)
            assert indicator.achieved.date == as_of
            assert indicator.achieved.source == "IATI"
    assert {o.id for o in back.objectives} == {o.id for o in original.objectives}
    for objective in back.objectives:
        before_objective = next(o for o in original.objectives if o.id == objective.id)
        assert objective.title == before_objective.title


def test_round_trip_keeps_partners_indicators_and_actuals() -> None:
    """Export then import gives back the partners, indicators, targets, baselines and actuals."""
    project = _project()
    result = _round_trip(project)
    assert result.warnings == ()
    (back,) = result.projects
    _assert_same_essentials(project, back, AS_OF)
    assert back.description == project.description  # paragraphs survive
    assert back.notes == ("IATI identifier: RO-CUI-123456-POCU-449-4-16-127700",)
    assert load_project(inclusionkit.project_to_dict(back)) == back


def test_round_trip_without_description_stays_without() -> None:
    """The description generated for IATI (which requires one) is not read back as the project's."""
    project = _project(description=None)
    (back,) = _round_trip(project).projects
    assert back.description is None


@pytest.mark.parametrize("name", ["dialog-social", "dreptul-la-munca"])
def test_seed_projects_round_trip(name: str) -> None:
    """Both bundled seed projects come back with the same partners, indicators and actuals."""
    examples = pytest.importorskip("inclusionkit.examples")
    if name not in examples.list():
        pytest.skip(f"the bundled example {name!r} is not there yet")
    example = examples.load(name)
    as_of = example.project.period.end or AS_OF
    xml = project_to_iati(example.project, as_of=as_of, participations=example.participations)
    result = read_iati(io.BytesIO(xml))
    assert result.warnings == ()
    (back,) = result.projects
    original = example.project
    assert back.partners == original.partners
    computed = inclusionkit.progress(original, example.participations, as_of=as_of)
    by_code = computed.set_index("indicator")
    for indicator in back.indicators:
        assert indicator.target == by_code.at[indicator.code, "target"]
        assert indicator.baseline == by_code.at[indicator.code, "baseline"]
        expected = by_code.at[indicator.code, "achieved"]
        if indicator.achieved is None:
            assert pd.isna(expected)
        else:
            assert indicator.achieved.value == expected
    assert [i.code for i in back.indicators] == [i.code for i in original.indicators]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    project=projects(),
    as_of=st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2035, 12, 31)),
)
def test_generated_projects_round_trip(project: Project, as_of: dt.date) -> None:
    """Any valid project survives export and import with its partners, indicators and actuals."""
    result = _round_trip(project, as_of=as_of)
    assert result.warnings == ()
    (back,) = result.projects
    _assert_same_essentials(project, back, as_of)


# --- the mapping from foreign files ------------------------------------------------------------


def test_accountable_and_implementing_org_is_the_lead() -> None:
    """An organisation both accountable and implementing is the lead; roles map back."""
    result = _read(
        """
        <participating-org ref="XM-DAC-1" type="10" role="1"><narrative>Donor</narrative>
        </participating-org>
        <participating-org ref="GB-COH-1" type="22" role="2"><narrative>Lead NGO</narrative>
        </participating-org>
        <participating-org ref="GB-COH-1" type="22" role="4"><narrative>Lead NGO</narrative>
        </participating-org>
        <participating-org ref="RO-CUI-2" type="70" role="4"><narrative>Firm</narrative>
        </participating-org>
        <participating-org type="80" role="3"><narrative>University</narrative></participating-org>
        """
        + DATES
    )
    (project,) = result.projects
    roles = {p.organisation.name: (p.role, p.organisation.kind) for p in project.partners}
    assert roles == {
        "Lead NGO": (PartnerRole.LEAD, OrganisationKind.NGO),
        "Donor": (PartnerRole.FUNDER, OrganisationKind.PUBLIC_INSTITUTION),
        "Firm": (PartnerRole.PARTNER, OrganisationKind.COMPANY),
        "University": (PartnerRole.ASSOCIATE, OrganisationKind.OTHER),
    }
    assert project.lead.organisation.id == "GB-COH-1"
    assert project.lead.organisation.country == "GB"
    assert project.lead.organisation.name == "Lead NGO"


def test_without_accountable_org_the_first_implementing_leads_with_a_warning() -> None:
    """No accountable organisation: the first implementing one is the lead, and it is said."""
    result = _read(
        """
        <participating-org role="1"><narrative>Donor</narrative></participating-org>
        <participating-org role="4"><narrative>First</narrative></participating-org>
        <participating-org role="4"><narrative>Second</narrative></participating-org>
        """
        + DATES
    )
    (project,) = result.projects
    assert project.lead.organisation.name == "First"
    assert any("no accountable organisation" in w and "First" in w for w in result.warnings)


def test_only_funders_cannot_make_a_project() -> None:
    """An activity whose organisations all fund has no lead: a clear error."""
    with pytest.raises(InclusionKitError, match="all of them are funders"):
        _read(
            '<participating-org role="1"><narrative>Donor</narrative></participating-org>' + DATES
        )


def test_results_become_objectives_and_indicators() -> None:
    """Results map to objectives, indicators keep code, baseline, latest target and actual."""
    result = _read(
        """
        <participating-org role="2"><narrative>Lead</narrative></participating-org>
        """
        + DATES
        + """
        <result type="2">
          <title>
            <narrative>More jobs</narrative><narrative xml:lang="ro">Mai multe locuri</narrative>
          </title>
          <indicator measure="2" ascending="0">
            <title><narrative>Unemployment rate</narrative></title>
            <reference vocabulary="99" code="UR"/>
            <baseline year="2019" value="14.5"/>
            <period>
              <period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>
              <target value="12"/><actual value="13.1"/>
            </period>
            <period>
              <period-start iso-date="2021-01-01"/><period-end iso-date="2021-12-31"/>
              <target value="10"/>
              <actual value="11"><dimension name="sex" value="female"/></actual>
            </period>
          </indicator>
          <indicator measure="5"><title><narrative>Story</narrative></title></indicator>
        </result>
        """
    )
    (project,) = result.projects
    (objective,) = project.objectives
    assert objective.id == "R1"
    assert objective.title.ro == "Mai multe locuri"
    assert objective.title.en == "More jobs"
    (indicator,) = objective.indicators
    assert indicator.code == "UR"
    assert (indicator.unit, indicator.kind) == (Unit.PERCENT, IndicatorKind.RESULT)
    assert indicator.ascending is False
    assert (indicator.baseline, indicator.target) == (14.5, 10.0)
    # The latest period has only a disaggregated actual: the latest total is 2020's.
    assert indicator.achieved is not None
    assert (indicator.achieved.value, indicator.achieved.date) == (13.1, dt.date(2020, 12, 31))
    assert indicator.achieved.source == "IATI"
    assert any("targets in 2 periods" in w for w in result.warnings)
    assert any("qualitative" in w for w in result.warnings)


def test_dates_and_texts_map_back() -> None:
    """Actual dates win over planned ones; English-only texts are kept as the original too."""
    result = _read(
        """
        <participating-org role="2"><narrative>Lead</narrative></participating-org>
        <activity-status code="4"/>
        <activity-date type="1" iso-date="2019-01-01"/>
        <activity-date type="2" iso-date="2019-02-01Z"/>
        <activity-date type="3" iso-date="2020-12-31"/>
        <location ref="RO21"><name><narrative>Nord-Est</narrative></name></location>
        <location ref="KE-01"><name><narrative>Nairobi</narrative></name></location>
        """
    )
    (project,) = result.projects
    assert project.period.start == dt.date(2019, 2, 1)
    assert project.period.end == dt.date(2020, 12, 31)
    assert project.title.ro == project.title.en == "A project"
    assert [loc.region for loc in project.locations] == ["RO21"]
    assert any("no Romanian narrative" in w for w in result.warnings)
    assert any("not Romanian NUTS-2 regions" in w for w in result.warnings)
    # A foreign identifier is kept as the code, and said not to be an ESF code.
    assert project.code == "XM-DAC-1-PRJ-1"
    assert any("no POSDRU, POCU or SMIS project code" in w for w in result.warnings)


def test_activity_without_dates_is_refused() -> None:
    """An activity without any date cannot become a project: a clear error names it."""
    with pytest.raises(InclusionKitError, match=r"activity 1 \(XM-DAC-1-PRJ-1\).*no start date"):
        _read('<participating-org role="2"><narrative>Lead</narrative></participating-org>')


def test_one_bad_activity_does_not_sink_the_file() -> None:
    """Of two activities, the convertible one is imported and the other is reported."""
    good = _activity(
        '<participating-org role="2"><narrative>Lead</narrative></participating-org>' + DATES
    ).decode()
    bad_activity = good.split("<iati-activity")[1].split("</iati-activity>")[0].replace(DATES, "")
    two = good.replace(
        "</iati-activities>", f"<iati-activity{bad_activity}</iati-activity></iati-activities>"
    )
    result = read_iati(io.BytesIO(two.encode()))
    assert len(result.projects) == 1
    assert any(w.startswith("activity 2") and "not imported" in w for w in result.warnings)


# --- safe parsing ------------------------------------------------------------------------------


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&c;</iati-identifier>
</iati-activity></iati-activities>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&secret;</iati-identifier>
</iati-activity></iati-activities>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_entity_declarations_are_refused(data: bytes) -> None:
    """A document type declaring entities is refused before anything is read from it."""
    with pytest.raises(InclusionKitError, match="declares entities"):
        read_iati(io.BytesIO(data))


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    """Files and streams over max_bytes are refused; the default limit is 50 MB."""
    path = tmp_path / "big.xml"
    path.write_bytes(_activity(DATES))
    with pytest.raises(InclusionKitError, match="over the limit"):
        read_iati(path, max_bytes=100)
    with pytest.raises(InclusionKitError, match="larger than the limit"):
        read_iati(io.BytesIO(path.read_bytes()), max_bytes=100)
    assert inclusionkit_iati.DEFAULT_MAX_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<iati-activities", "not well-formed XML"),
        (b"<project/>", "not an IATI activities file"),
        (b'<iati-activities version="2.03"/>', "holds no iati-activity"),
    ],
)
def test_broken_files_are_clear_errors(data: bytes, message: str) -> None:
    """Broken, foreign or empty files raise InclusionKitError saying which."""
    with pytest.raises(InclusionKitError, match=message):
        read_iati(io.BytesIO(data))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist is an InclusionKitError, not an OSError."""
    with pytest.raises(InclusionKitError, match="no such file"):
        read_iati(tmp_path / "nope.xml")


# --- through inclusionkit.read -----------------------------------------------------------------


def test_read_returns_the_first_project_and_warns(tmp_path: Path) -> None:
    """inclusionkit.read gives the first project and issues the import's warnings."""
    from inclusionkit.testing import registered_plugin

    path = tmp_path / "activity.xml"
    path.write_bytes(
        _activity(
            '<participating-org role="4"><narrative>Only</narrative></participating-org>' + DATES
        )
    )
    with registered_plugin(inclusionkit_iati, name="iati") as pm:
        assert pm.importers()["iati"].kinds == {"project"}
        with pytest.warns(IatiImportWarning) as caught:
            project = host_read(path, kind="project")
    messages = [str(warning.message) for warning in caught]
    assert any("no accountable organisation" in message for message in messages)
    assert any("no POSDRU, POCU or SMIS project code" in message for message in messages)
    assert project.lead.organisation.name == "Only"


def test_read_chooses_an_activity(tmp_path: Path) -> None:
    """The activity option picks an activity by identifier or project code."""
    from inclusionkit.testing import registered_plugin

    first = project_to_iati(_project(), as_of=AS_OF)
    other = _project(code="POCU/449/4/16/127701")
    second = project_to_iati(other, as_of=AS_OF)
    activity = second.split(b"<iati-activity ")[1].split(b"</iati-activity>")[0]
    both = first.replace(
        b"</iati-activities>", b"<iati-activity " + activity + b"</iati-activity></iati-activities>"
    )
    path = tmp_path / "two.xml"
    path.write_bytes(both)
    with registered_plugin(inclusionkit_iati, name="iati"):
        chosen = host_read(path, kind="project", activity="POCU/449/4/16/127701")
        assert chosen.code == "POCU/449/4/16/127701"
        with pytest.warns(IatiImportWarning, match="holds 2 activities"):
            assert host_read(path, kind="project").code == "POCU/449/4/16/127700"
        with pytest.raises(InclusionKitError, match="no imported activity"):
            host_read(path, kind="project", activity="nope")
        with pytest.raises(InclusionKitError, match="unknown IATI import option"):
            host_read(path, kind="project", colour="red")


# --- robustness ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_documents_never_crash(data: st.DataObject) -> None:
    """Deleting elements and garbling attributes of an export gives projects or a clear error."""
    root = etree.fromstring(project_to_iati(_project(), as_of=AS_OF))
    elements = [e for e in root.iter() if e is not root and isinstance(e.tag, str)]
    for element in data.draw(st.lists(st.sampled_from(elements), max_size=6, unique=True)):
        parent = element.getparent()
        if parent is not None and element in parent:
            parent.remove(element)
    attributed = [e for e in root.iter() if isinstance(e.tag, str) and e.attrib]
    garbage = st.sampled_from(["", "xx", "-1", "1e999", "nan", "2020-02-30", "RO99", "0", "true"])
    for element in data.draw(st.lists(st.sampled_from(attributed), max_size=8)):
        name = data.draw(st.sampled_from(sorted(str(key) for key in element.attrib)))
        element.set(name, data.draw(garbage))
    try:
        result = read_iati(io.BytesIO(etree.tostring(root)))
    except InclusionKitError:
        return
    for project in result.projects:
        assert project.partners
        assert sum(p.role is PartnerRole.LEAD for p in project.partners) == 1
