"""Tests for the bundled examples: the seed facts, the synthetic records and their generator."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest

from inclusionkit import (
    COLUMN_NAMES,
    DTYPES,
    InclusionKitError,
    examples,
    load_project,
    read_participations,
)
from inclusionkit.examples import Example
from inclusionkit.models import PartnerRole, Project, VulnerableGroup, vulnerable_group_filter
from inclusionkit.ro import locate, parse_project_code

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_examples.py"
SOURCES = ROOT / "scripts" / "example_sources"
DATA_FILES = (
    "dialog-social.json",
    "dreptul-la-munca.json",
    "dreptul-la-munca.participations.csv",
)
DLM_CODE = "POSDRU/165/6.2/S/143094"
CITIES = {
    "Timișoara": ("Timiș", "RO42"),
    "Arad": ("Arad", "RO42"),
    "Oradea": ("Bihor", "RO11"),
    "Cluj-Napoca": ("Cluj", "RO11"),
    "Sibiu": ("Sibiu", "RO12"),
    "Brașov": ("Brașov", "RO12"),
    "Iași": ("Iași", "RO21"),
    "București": ("București", "RO32"),
}


@pytest.fixture(scope="module")
def dialog_social() -> Example:
    """The dialog-social example, loaded once."""
    return examples.load("dialog-social")


@pytest.fixture(scope="module")
def dreptul() -> Example:
    """The dreptul-la-munca example, loaded once."""
    return examples.load("dreptul-la-munca")


@pytest.fixture(scope="module")
def table(dreptul: Example) -> pd.DataFrame:
    """The dreptul-la-munca participation table."""
    assert dreptul.participations is not None
    return dreptul.participations


def _data_path(name: str) -> Path:
    return Path(str(resources.files("inclusionkit.examples").joinpath("data", name)))


def _targets(project: Project) -> dict[str, float]:
    return {indicator.code: indicator.target for indicator in project.indicators}


def _between(day: dt.date, project: Project) -> bool:
    assert project.period.end is not None
    return project.period.start <= day <= project.period.end


# --- the catalogue ---------------------------------------------------------------------------


def test_list_names_both_examples_sorted() -> None:
    """list() returns the two seed examples by name, sorted."""
    assert examples.list() == ["dialog-social", "dreptul-la-munca"]


@pytest.mark.parametrize("name", ["dialog-social", "dreptul-la-munca"])
def test_data_files_load_through_load_project(name: str) -> None:
    """Each bundled project file passes load_project and equals what load() returns."""
    project = load_project(_data_path(f"{name}.json"))
    example = examples.load(name)
    assert example.name == name
    assert example.project == project


def test_unknown_name_lists_the_known_examples() -> None:
    """An unknown name raises InclusionKitError naming every known example."""
    with pytest.raises(InclusionKitError) as info:
        examples.load("dialog_social")
    message = str(info.value)
    assert "'dialog_social'" in message
    assert "dialog-social" in message
    assert "dreptul-la-munca" in message


def test_example_is_frozen_and_labelled_synthetic(dreptul: Example) -> None:
    """An Example cannot be changed, and both examples say they hold synthetic records."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        dreptul.name = "other"  # type: ignore[misc]
    for name in examples.list():
        example = examples.load(name)
        assert example.synthetic is True
        assert "SYNTHETIC" in example.description
        assert any(note.startswith("SYNTHETIC") for note in example.project.notes)


def test_example_without_table_has_none(dialog_social: Example) -> None:
    """dialog-social has no participation table, so participations is None."""
    assert dialog_social.participations is None


@pytest.mark.parametrize("name", ["dialog-social", "dreptul-la-munca"])
def test_data_keeps_the_hand_written_seed_facts(name: str) -> None:
    """Everything in scripts/example_sources is copied unchanged into the bundled document."""
    source = json.loads((SOURCES / f"{name}.json").read_text(encoding="utf-8"))
    data = json.loads(_data_path(f"{name}.json").read_text(encoding="utf-8"))
    for key, value in source.items():
        if key == "notes":
            assert data["notes"][: len(value)] == value
        elif key == "activities":
            for faithful, bundled in zip(value, data["activities"], strict=False):
                assert {k: bundled[k] for k in faithful} == faithful
        else:
            assert data[key] == value, key


@pytest.mark.parametrize("name", ["dialog-social", "dreptul-la-munca"])
def test_record_ids_are_unique(name: str) -> None:
    """No two activities, deliverables or organisations of an example share an id."""
    project = examples.load(name).project
    for records in (project.activities, project.deliverables, project.organisations):
        ids = [record.id for record in records]
        assert len(ids) == len(set(ids))


# --- dialog-social: the seed facts -----------------------------------------------------------


def test_dialog_social_title_period_and_placeholder_code(dialog_social: Example) -> None:
    """Title in both languages, the years 2010-2013, and a placeholder code that says so."""
    project = dialog_social.project
    assert project.title.ro == "Rolul dialogului social în promovarea incluziunii sociale active"
    assert project.title.en == "The role of social dialogue in promoting active social inclusion"
    assert project.programme == "POSDRU 2007-2013"
    assert (project.period.start, project.period.end) == (
        dt.date(2010, 1, 1),
        dt.date(2013, 12, 31),
    )
    assert parse_project_code(project.code).programme == "SMIS"
    assert any("placeholder" in note and project.code in note for note in project.notes)
    assert any("years only" in note for note in project.notes)


def test_dialog_social_partners_with_cries_as_only_lead(dialog_social: Example) -> None:
    """Five partners; CRIES (the seed's coordinator) is the one lead, the other four partners."""
    project = dialog_social.project
    assert len(project.partners) == 5
    leads = [p for p in project.partners if p.role is PartnerRole.LEAD]
    assert len(leads) == 1
    assert leads[0].organisation.name.startswith("Asociația CRIES")
    assert leads[0].organisation.city == "Timișoara"
    names = {p.organisation.name for p in project.partners if p.role is PartnerRole.PARTNER}
    assert names == {
        "Platforma europeană IRIS",
        "Institutul Intercultural din Timișoara",
        "Serviciul APEL",
        "Asociația Reper 21 București",
    }
    iris = next(p.organisation for p in project.partners if p.organisation.id == "iris")
    assert iris.kind == "platform"
    assert iris.country != "RO"
    assert all(p.organisation.name_en for p in project.partners)


def test_dialog_social_eight_cities_with_counties_and_regions(dialog_social: Example) -> None:
    """The eight cities, each with its county and NUTS-2 region (matching inclusionkit.ro)."""
    found = {loc.city: (loc.county, loc.region) for loc in dialog_social.project.locations}
    assert found == CITIES
    for city, (county, region) in CITIES.items():
        assert locate(city).county.name == county
        assert locate(city).region.code == region


def test_dialog_social_nine_objectives_with_the_seed_targets(dialog_social: Example) -> None:
    """Nine objectives, with 120, 40, 8, 800, 1, 35, 800, 8 and 8 + 8 + 1 as targets."""
    project = dialog_social.project
    assert [objective.id for objective in project.objectives] == [f"O{n}" for n in range(1, 10)]
    assert _targets(project) == {
        "DS-O1-ORG": 120,
        "DS-O2-TRAINED": 40,
        "DS-O3-PLANS": 8,
        "DS-O4-CONSULTED": 800,
        "DS-O5-PORTFOLIO": 1,
        "DS-O6-EXCHANGE": 35,
        "DS-O7-INFORMED": 800,
        "DS-O8-PROJECTS": 8,
        "DS-O8-HOURS": 640,
        "DS-O8-CSO": 8,
        "DS-O9-CONF": 8,
        "DS-O9-SEM": 8,
        "DS-O9-INTL": 1,
    }
    for objective in project.objectives:
        assert objective.title.en
        for indicator in objective.indicators:
            assert indicator.name.en
            assert indicator.rule is not None


def test_dialog_social_reported_results(dialog_social: Example) -> None:
    """640 hours and 8 organisations of consultancy and mentoring, over 1600 persons informed."""
    reported = {
        indicator.code: indicator.achieved
        for indicator in dialog_social.project.indicators
        if indicator.achieved is not None
    }
    assert set(reported) == {"DS-O7-INFORMED", "DS-O8-HOURS", "DS-O8-CSO"}
    assert reported["DS-O8-HOURS"].value == 640
    assert reported["DS-O8-CSO"].value == 8
    assert reported["DS-O7-INFORMED"].value >= 1600
    for achievement in reported.values():
        assert achievement.date == dt.date(2013, 12, 31)
        assert "seed" in achievement.source


# --- dialog-social: the synthetic records ----------------------------------------------------


def test_dialog_social_platform_members(dialog_social: Example) -> None:
    """120 synthetic platform members of the kinds the seed names, 15 in each city."""
    members = [o for o in dialog_social.project.organisations if "platform-member" in o.tags]
    assert len(members) == 120
    assert all("synthetic" in o.tags for o in dialog_social.project.organisations)
    kinds = Counter(str(o.kind) for o in members)
    assert {
        "social_partner",
        "ngo",
        "chamber_of_commerce",
        "farmers_association",
        "craftsmens_association",
    } <= set(kinds)
    assert Counter(o.city for o in members) == dict.fromkeys(CITIES, 15)


def test_dialog_social_consultancy_and_mentoring_is_640_hours_for_8_organisations(
    dialog_social: Example,
) -> None:
    """Consultancy and mentoring hours add up to 640 over exactly the 8 tagged NGOs."""
    project = dialog_social.project
    sessions = [a for a in project.activities if a.kind in {"consultancy", "mentoring"}]
    assert sum(a.hours or 0 for a in sessions) == 640
    served = {org for a in sessions for org in a.organisations}
    tagged = {o.id for o in project.organisations if "consultancy-mentoring" in o.tags}
    assert served == tagged
    assert len(served) == 8
    assert {str(o.kind) for o in project.organisations if o.id in served} == {"ngo"}


def test_dialog_social_attendance_matches_the_seed_figures(dialog_social: Example) -> None:
    """Trainings 40, consultations at least 800, information over 1600, exchanges 35 persons."""
    attendance: Counter[str] = Counter()
    for activity in dialog_social.project.activities:
        attendance[activity.kind] += activity.attendance or 0
    assert attendance["training"] == 40
    assert attendance["discussion_group"] >= 800
    assert 1600 < attendance["information_session"] < 1700
    assert attendance["exchange_of_experience"] == 35


def test_dialog_social_events_and_deliverables(dialog_social: Example) -> None:
    """8 launch conferences and 8 seminars (one per city), 1 closing conference, 8+1+8 products."""
    project = dialog_social.project
    by_kind: dict[str, list[Any]] = {}
    for activity in project.activities:
        by_kind.setdefault(activity.kind, []).append(activity)
    assert Counter(a.city for a in by_kind["conference"]) == dict.fromkeys(CITIES, 1)
    assert Counter(a.city for a in by_kind["seminar"]) == dict.fromkeys(CITIES, 1)
    assert len(by_kind["international_conference"]) == 1
    deliverables = Counter(d.kind for d in project.deliverables)
    assert deliverables == {
        "local_inclusion_plan": 8,
        "good_practice_portfolio": 1,
        "innovative_project": 8,
    }
    plans = Counter(d.city for d in project.deliverables if d.kind == "local_inclusion_plan")
    assert plans == dict.fromkeys(CITIES, 1)


def test_dialog_social_records_are_dated_within_the_period(dialog_social: Example) -> None:
    """Every synthetic activity and deliverable falls within 2010-2013."""
    project = dialog_social.project
    for activity in project.activities:
        assert _between(activity.start, project), activity.id
        assert _between(activity.end or activity.start, project), activity.id
    for deliverable in project.deliverables:
        assert _between(deliverable.date, project), deliverable.id


# --- dreptul-la-munca: the seed facts --------------------------------------------------------


def test_dreptul_code_period_and_regions(dreptul: Example) -> None:
    """The code parses to call 165, axis 6, key area 6.2, strategic; April 2014 - October 2015."""
    project = dreptul.project
    assert project.code == DLM_CODE
    assert project.title.ro == "Și noi avem dreptul la muncă!"
    assert project.title.en == "We too have the right to work!"
    code = parse_project_code(project.code)
    assert (code.call, code.axis, code.key_area, code.strategic) == (165, 6, "6.2", True)
    assert code.project_id == 143094
    assert (project.period.start, project.period.end) == (
        dt.date(2014, 4, 1),
        dt.date(2015, 10, 31),
    )
    assert sorted(loc.region for loc in project.locations) == ["RO11", "RO31", "RO32"]


def test_dreptul_beneficiary_and_three_partners(dreptul: Example) -> None:
    """One lead (FORUM GROUP, 'în calitate de Beneficiar') and three partners, reasoned in notes."""
    project = dreptul.project
    roles = {p.organisation.name: p.role for p in project.partners}
    assert roles == {
        "FORUM GROUP": PartnerRole.LEAD,
        "Agenția de Consultanță și Afaceri Română": PartnerRole.PARTNER,
        "Fundația Centrul Parteneriat pentru Egalitate – CPE": PartnerRole.PARTNER,
        "Asociația EDUTECO": PartnerRole.PARTNER,
    }
    assert any(
        note.startswith("Roles:") and "în calitate de Beneficiar" in note for note in project.notes
    )


def test_dreptul_target_group_and_targets(dreptul: Example) -> None:
    """800 Roma and 100 persons with disabilities; service targets are marked synthetic."""
    project = dreptul.project
    sizes = {group.id: group.size for group in project.target_groups}
    assert sizes["TG-ROMA"] == 800
    assert sizes["TG-DIS"] == 100
    targets = _targets(project)
    assert (targets["DLM-ROMA"], targets["DLM-DIS"], targets["DLM-DG"]) == (800, 100, 4)
    for code in ("DLM-COUNS", "DLM-GUID", "DLM-QUAL"):
        indicator = next(i for i in project.indicators if i.code == code)
        assert "synthetic" in (indicator.name.en or "")
    assert any("SYNTHETIC, ILLUSTRATIVE targets" in note for note in project.notes)


def test_dreptul_target_groups_are_counted_by_their_vulnerable_group(dreptul: Example) -> None:
    """DLM-ROMA counts the vulnerable group Roma (the roma column), DLM-DIS persons with
    disabilities: the POSDRU 6.x groups' filters, not any minority."""
    rules = {indicator.code: indicator.rule for indicator in dreptul.project.indicators}
    for code, group in (
        ("DLM-ROMA", VulnerableGroup.ROMA),
        ("DLM-DIS", VulnerableGroup.DISABILITY),
    ):
        rule = rules[code]
        assert rule is not None
        assert rule["filter"] == vulnerable_group_filter(group)


def test_dreptul_four_discussion_groups_on_their_dates(dreptul: Example) -> None:
    """The four discussion groups took place on 19.08, 28.08, 11.09 and 02.10.2014."""
    groups = [a for a in dreptul.project.activities if a.kind == "discussion_group"]
    assert [a.start for a in groups] == [
        dt.date(2014, 8, 19),
        dt.date(2014, 8, 28),
        dt.date(2014, 9, 11),
        dt.date(2014, 10, 2),
    ]
    for group in groups:
        assert group.title is not None
        assert "Noi tehnici și metode de combatere a excluziunii sociale" in group.title.ro
        assert (group.attendance or 0) > 0


# --- dreptul-la-munca: the synthetic participation table --------------------------------------


def test_table_has_canonical_columns_and_dtypes(table: pd.DataFrame) -> None:
    """900 rows with exactly the canonical columns and dtypes, one per person."""
    assert len(table) == 900
    assert tuple(table.columns) == COLUMN_NAMES
    assert dict(table.dtypes) == DTYPES
    assert table["participant_id"].is_unique
    assert table["participant_id"].str.fullmatch(r"DLM-\d{4}").all()
    assert (table["project_code"] == DLM_CODE).all()


def test_table_matches_the_target_group(table: pd.DataFrame) -> None:
    """800 persons with roma true (also a minority) and 100 with disability true, a few of whom
    belong to another minority."""
    assert int(table["roma"].sum()) == 800
    assert int(table["disability"].sum()) == 100
    assert int((table["roma"] | table["disability"]).sum()) == 900
    assert not (table["roma"] & ~table["minority"]).any()
    other_minority = table["minority"] & ~table["roma"]
    assert 0 < int(other_minority.sum()) < 10
    assert table.loc[other_minority, "disability"].all()


def test_table_is_plausible_for_the_project(dreptul: Example, table: pd.DataFrame) -> None:
    """Dates within the period, known partners and regions, low ISCED, mostly not employed."""
    project = dreptul.project
    start, end = pd.Timestamp(project.period.start), pd.Timestamp(project.period.end)
    assert table["entry_date"].between(start, end).all()
    assert table["exit_date"].notna().all()
    assert (table["exit_date"] >= table["entry_date"]).all()
    assert (table["exit_date"] <= end).all()
    assert set(table["region"]) == {"RO32", "RO31", "RO11"}
    assert set(table["partner"]) <= {p.organisation.id for p in project.partners}
    assert (table["isced"].dropna() <= 3).mean() > 0.8
    status = table["labour_status"].dropna()
    assert status.isin(["unemployed", "long_term_unemployed", "inactive"]).mean() > 0.8
    age = (table["entry_date"] - table["birth_date"]).dt.days / 365.25
    assert age.min() >= 17.9
    assert age.max() < 66
    assert 0 < table["rural"].mean() < 1


def test_table_has_a_handful_of_incomplete_records(dreptul: Example, table: pd.DataFrame) -> None:
    """Exactly five records miss ISCED or labour status, and the notes list them."""
    incomplete = table[table["isced"].isna() | table["labour_status"].isna()]
    assert len(incomplete) == 5
    required = ["gender", "birth_date", "entry_date"]
    assert table[required].notna().all().all()
    note = next(n for n in dreptul.project.notes if n.startswith("Synthetic edge cases"))
    assert all(pid in note for pid in incomplete["participant_id"])


def test_table_has_age_boundary_cases(table: pd.DataFrame) -> None:
    """DLM-0001 turns 25 on entry and DLM-0002 the day after (24 at entry)."""
    rows = table.set_index("participant_id")
    for pid, years, shift in (("DLM-0001", 25, 0), ("DLM-0002", 25, 1), ("DLM-0003", 55, 0)):
        entry = rows.loc[pid, "entry_date"]
        birth = rows.loc[pid, "birth_date"]
        assert birth == entry - pd.DateOffset(years=years) + pd.Timedelta(days=shift)


def test_table_results_are_consistent(table: pd.DataFrame) -> None:
    """Some leavers qualified or employed; 6-month results exactly when observed in the period."""
    qualified = table["qualification_at_exit"].fillna(False)
    assert 0 < qualified.sum() < 900
    assert 0 < table["employed_at_exit"].fillna(False).sum() < 900
    observed = table["exit_date"] + pd.DateOffset(months=6) <= pd.Timestamp("2015-10-31")
    assert table.loc[~observed, "employed_6m"].isna().all()
    assert table.loc[observed, "employed_6m"].notna().all()


def test_service_activities_match_the_table(dreptul: Example, table: pd.DataFrame) -> None:
    """Counselling head counts per partner equal the table's; courses cover the qualified."""
    activities = dreptul.project.activities
    counselling = [a for a in activities if a.kind == "counselling"]
    assert sum(a.attendance or 0 for a in counselling) == 900
    by_partner = Counter[str]()
    for activity in counselling:
        assert activity.partner is not None
        by_partner[activity.partner] += activity.attendance or 0
    assert by_partner == Counter(table["partner"].tolist())
    guided = sum(a.attendance or 0 for a in activities if a.kind == "vocational_guidance")
    assert 0 < guided <= 900
    courses = [a for a in activities if a.kind == "qualification_course"]
    assert sum(a.attendance or 0 for a in courses) >= int(table["qualification_at_exit"].sum())
    project = dreptul.project
    for activity in activities:
        assert _between(activity.start, project), activity.id
        assert _between(activity.end or activity.start, project), activity.id


# --- progress from the records ---------------------------------------------------------------


def _rule_engine_available() -> bool:
    try:
        module = importlib.import_module("inclusionkit._rules")
    except ImportError:
        return False
    return hasattr(module, "RecordSet") and hasattr(module, "evaluate_rule")


@pytest.mark.skipif(not _rule_engine_available(), reason="the rule engine is not merged yet")
def test_progress_computed_from_the_records(
    dialog_social: Example, dreptul: Example, table: pd.DataFrame
) -> None:
    """Every indicator is computed from the records, matching the seed figures and the table."""
    from inclusionkit import progress

    ds = progress(dialog_social.project).set_index("indicator")
    assert (ds["source"] == "computed").all()
    for code, expected in {
        "DS-O1-ORG": 120,
        "DS-O2-TRAINED": 40,
        "DS-O3-PLANS": 8,
        "DS-O5-PORTFOLIO": 1,
        "DS-O6-EXCHANGE": 35,
        "DS-O8-PROJECTS": 8,
        "DS-O8-HOURS": 640,
        "DS-O8-CSO": 8,
        "DS-O9-CONF": 8,
        "DS-O9-SEM": 8,
        "DS-O9-INTL": 1,
    }.items():
        assert ds.loc[code, "achieved"] == expected, code
    assert ds.loc["DS-O4-CONSULTED", "achieved"] >= 800
    assert ds.loc["DS-O7-INFORMED", "achieved"] > 1600

    dlm = progress(dreptul.project, table).set_index("indicator")
    assert (dlm["source"] == "computed").all()
    complete = table[table["isced"].notna() & table["labour_status"].notna()]
    # Roma are Roma: DLM-ROMA counts roma, not any minority.
    assert dlm.loc["DLM-ROMA", "achieved"] == int(complete["roma"].sum())
    assert dlm.loc["DLM-ROMA", "achieved"] < int(complete["minority"].sum())
    assert dlm.loc["DLM-DIS", "achieved"] == int(complete["disability"].sum())
    assert dlm.loc["DLM-TG", "achieved"] == len(complete)
    assert dlm.loc["DLM-QUAL", "achieved"] == int(complete["qualification_at_exit"].sum())
    assert dlm.loc["DLM-COUNS", "achieved"] == 900
    assert dlm.loc["DLM-DG", "achieved"] == 4


def test_progress_shows_the_reported_figure_beside_the_computed(dialog_social: Example) -> None:
    """The seed's reported 1600 persons informed, dated and sourced, beside the computed 1666."""
    from inclusionkit import progress

    row = progress(dialog_social.project).set_index("indicator").loc["DS-O7-INFORMED"]
    assert row["reported"] == 1600
    assert row["reported_date"] == pd.Timestamp("2013-12-31")
    assert "Peste 1600" in row["reported_source"]
    assert row["computed"] == 1666
    assert (row["achieved"], row["source"]) == (1666, "computed")


def test_progress_counts_only_activities_held_by_the_as_of_date(
    dreptul: Example, table: pd.DataFrame
) -> None:
    """As of 2014-12-31 no counselling activity had ended: none is counted whole before its end,
    and the persons counselled never exceed the persons who had entered."""
    from inclusionkit import progress

    as_of = dt.date(2014, 12, 31)
    dlm = progress(dreptul.project, table, as_of=as_of).set_index("indicator")
    entered = int((table["entry_date"] <= pd.Timestamp(as_of)).sum())
    held = [
        a.attendance
        for a in dreptul.project.activities
        if a.kind == "counselling" and (a.end or a.start) <= as_of
    ]
    assert dlm.loc["DLM-COUNS", "computed"] == sum(held) <= entered


# --- the generator ---------------------------------------------------------------------------


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    """Running scripts/generate_examples.py into a temp dir gives byte-identical files."""
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True, capture_output=True)
    for name in DATA_FILES:
        assert (tmp_path / name).read_bytes() == _data_path(name).read_bytes(), name


def test_committed_table_reads_back_canonical() -> None:
    """The committed CSV reads back through read_participations with ISO dates."""
    path = _data_path("dreptul-la-munca.participations.csv")
    header, first = path.read_text(encoding="utf-8").splitlines()[:2]
    assert header.split(",") == list(COLUMN_NAMES)
    assert first.split(",")[3].count("-") == 2
    assert len(read_participations(path)) == 900
