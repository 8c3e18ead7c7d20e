"""SFC2021-style indicator tables: placement, categories of region, composites, checks, files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusionkit import COLUMN_NAMES, InclusionKitError, normalise_participations
from inclusionkit._rules import compute
from inclusionkit._sfc2021 import (
    CELL_COLUMNS,
    COMPOSITES,
    Sfc2021Report,
    add_composites,
    load_programme_structure,
    sfc2021_checks,
    sfc2021_table,
    write_sfc2021,
)
from inclusionkit.ro import REGIONS
from inclusionkit.testing import participation_tables

POCU = "POCU/449/4/16/127700"
SMIS_B = "127701"
SMIS_C = "SMIS 130000"
STRUCTURE: dict[str, dict[str, Any]] = {
    SMIS_B: {"priority": "4", "specific_objective": "4.16"},
    SMIS_C: {"priority": 5, "specific_objective": "5.1"},
}
ENTRY = dt.date(2023, 3, 1)


def person(
    pid: str,
    code: str,
    gender: str,
    age: int,
    status: str,
    isced: int | None,
    region: str | None,
    *,
    leaves: bool = True,
    **flags: bool,
) -> dict[str, Any]:
    """One participation row; born on 1 January, so the age at entry (1 March) is ``age``."""
    return {
        "participant_id": pid,
        "project_code": code,
        "gender": gender,
        "birth_date": dt.date(ENTRY.year - age, 1, 1),
        "entry_date": ENTRY,
        "exit_date": dt.date(2023, 9, 1) if leaves else None,
        "labour_status": status,
        "isced": isced,
        "region": region,
        **flags,
    }


def table_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical participation table of ``rows``; columns they leave out are empty."""
    return normalise_participations(pd.DataFrame(rows).reindex(columns=list(COLUMN_NAMES)))


def hand_table() -> pd.DataFrame:
    """Three projects (one POCU code, two bare SMIS codes) with every case the tests name."""
    rows = [
        person("a1", POCU, "female", 25, "unemployed", 3, "RO32", employed_at_exit=True),
        person(
            "a2",
            POCU,
            "male",
            17,
            "inactive",
            2,
            "RO11",
            job_searching_at_exit=True,
            employed_at_exit=False,  # EECR01 needs "not employed" known, not merely unstated
        ),
        person(
            "a3",
            POCU,
            "female",
            40,
            "employed",
            6,
            "RO11",
            qualification_at_exit=True,
            improved_situation_6m=True,
        ),
        person("b1", SMIS_B, "male", 30, "long_term_unemployed", 1, "RO11", leaves=False),
        person("b2", SMIS_B, "female", 60, "unemployed", 4, "RO12", employed_6m=True),
        person("c1", SMIS_C, "non_binary", 16, "inactive_in_education", 1, "RO22", leaves=False),
        person("x1", POCU, "female", 35, "unemployed", 3, None),  # no region
        person("x2", SMIS_B, "male", 35, "employed", 3, "RO99"),  # unknown region
        person("x3", POCU, "female", 35, "unemployed", None, "RO11"),  # incomplete: no ISCED
    ]
    return table_of(rows)


@pytest.fixture(scope="module")
def hand() -> Sfc2021Report:
    """The SFC2021 report of the hand-made table."""
    return sfc2021_table(hand_table(), programme_structure=STRUCTURE)


def values(
    report: Sfc2021Report, priority: str, so: str, category: str, gender: str
) -> dict[str, int]:
    """Every indicator's value in one cell, zeros left out."""
    table = report.table
    rows = table[
        (table["priority"] == priority)
        & (table["specific_objective"] == so)
        & (table["category_of_region"] == category)
        & (table["gender"] == gender)
    ]
    return {str(k): int(v) for k, v in zip(rows["indicator"], rows["value"], strict=True) if v}


# -- the hand-computed case -----------------------------------------------------------------------


def test_more_developed_cell_is_the_one_bucharest_participant(hand: Sfc2021Report) -> None:
    """a1 (RO32) alone fills priority 4 / SO 4.16 / more developed, as a woman."""
    expected = {
        "EECO01": 1,
        "EECO02": 1,
        "EECO07": 1,
        "EECO10": 1,
        "EECO02+04": 1,
        "EECO02+05": 1,
        "EECO02+04+05": 1,
        "EECO06+07": 1,
        "EECO10+11": 1,
        "EECR04": 1,
    }
    assert values(hand, "4", "4.16", "more developed", "female") == expected
    assert values(hand, "4", "4.16", "more developed", "total") == expected
    assert values(hand, "4", "4.16", "more developed", "male") == {}


def test_less_developed_cell_adds_up_two_projects(hand: Sfc2021Report) -> None:
    """The POCU project and the mapped SMIS project share 4 / 4.16 / less developed."""
    women = {
        "EECO01": 2,
        "EECO02": 1,
        "EECO05": 1,
        "EECO08": 1,
        "EECO10": 1,
        "EECO11": 1,
        "EECO02+04": 1,
        "EECO02+05": 2,
        "EECO02+04+05": 2,
        "EECO10+11": 2,
        "EECR03": 1,
        "EECR05": 1,
        "EECR06": 1,
    }
    men = {
        "EECO01": 2,
        "EECO02": 1,
        "EECO03": 1,
        "EECO04": 1,
        "EECO06": 1,
        "EECO09": 2,
        "EECO02+04": 2,
        "EECO02+05": 1,
        "EECO02+04+05": 2,
        "EECO06+07": 1,
        "EECR01": 1,
    }
    assert values(hand, "4", "4.16", "less developed", "female") == women
    assert values(hand, "4", "4.16", "less developed", "male") == men
    total = {code: women.get(code, 0) + men.get(code, 0) for code in {*women, *men}}
    assert values(hand, "4", "4.16", "less developed", "total") == total


def test_mapped_priority_holds_the_non_binary_participant(hand: Sfc2021Report) -> None:
    """c1 (SMIS code mapped to 5 / 5.1, RO22) is counted as non-binary and in the total."""
    expected = {"EECO01": 1, "EECO04": 1, "EECO06": 1, "EECO09": 1, "EECO02+04": 1}
    expected |= {"EECO02+04+05": 1, "EECO06+07": 1}
    assert values(hand, "5", "5.1", "less developed", "non_binary") == expected
    assert values(hand, "5", "5.1", "less developed", "total") == expected
    assert hand.value("EECO01", priority="5", gender="total") == 1


def test_table_shape_and_order(hand: Sfc2021Report) -> None:
    """Tidy columns; cells in priority order; composites between outputs and results."""
    assert list(hand.table.columns) == ["indicator", *CELL_COLUMNS, "value"]
    cells = hand.table[["priority", "specific_objective", "category_of_region"]].drop_duplicates()
    assert cells.values.tolist() == [
        ["4", "4.16", "less developed"],
        ["4", "4.16", "more developed"],
        ["5", "5.1", "less developed"],
    ]
    codes = list(dict.fromkeys(hand.table["indicator"]))
    assert codes.index("EECO17") < codes.index("EECO02+04") < codes.index("EECR01")
    assert list(hand.table["gender"][:4]) == ["female", "male", "non_binary", "total"]


def test_unplaceable_participations_are_problems_not_guesses(hand: Sfc2021Report) -> None:
    """The missing and the unknown region are reported and left out; the incomplete excluded."""
    codes = sorted(problem.code for problem in hand.problems)
    assert codes == ["sfc2021.region.missing", "sfc2021.region.unknown"]
    unknown = next(p for p in hand.problems if p.code == "sfc2021.region.unknown")
    assert "'RO99'" in unknown.message
    assert SMIS_B in unknown.message
    p = hand.provenance
    assert (p.projects, p.input_rows, p.counted, p.excluded, p.left_out) == (3, 9, 8, 1, 2)
    assert hand.excluded_summary.to_dict("records") == [
        {"project_code": POCU, "reason": "isced.missing", "participations": 1}
    ]
    assert int(hand.table.query("indicator == 'EECO01' and gender == 'total'")["value"].sum()) == 6


def test_structure_says_where_each_code_came_from(hand: Sfc2021Report) -> None:
    """The POCU code is read; the bare SMIS codes come from the mapping."""
    rows = hand.structure.set_index("project_code")
    assert rows.loc[POCU, ["priority", "specific_objective", "source"]].tolist() == [
        "4",
        "4.16",
        "code",
    ]
    assert rows.loc[SMIS_C, "priority"] == "5"
    assert rows.loc[SMIS_B, "source"] == "programme_structure"


def test_every_check_passes_on_the_hand_case(hand: Sfc2021Report) -> None:
    """Composites, result links and gender totals all hold, and every kind of check ran."""
    assert hand.ok, hand.failed_checks()
    checks = set(hand.checks["check"])
    assert {f"composite_{code}" for code in COMPOSITES} <= checks
    assert {"result_EECR04_le_EECO02+04", "result_EECR06_le_EECO05"} <= checks
    assert "genders_sum_to_total" in checks


def test_posdru_key_area_stands_for_the_specific_objective() -> None:
    """A POSDRU code gives its axis as priority and its key area as specific objective."""
    table = table_of([person("p1", "POSDRU/165/6.2/S/143094", "male", 30, "inactive", 3, "RO31")])
    report = sfc2021_table(table)
    assert report.value("EECO01", gender="total") == 1
    assert set(report.table["priority"]) == {"6"}
    assert set(report.table["specific_objective"]) == {"6.2"}


def test_as_of_leaves_out_later_entries() -> None:
    """Participations entering after the as-of date are not counted."""
    report = sfc2021_table(hand_table(), programme_structure=STRUCTURE, as_of="2023-02-28")
    assert len(report.table) == 0
    assert report.provenance.rows_after_as_of == 9
    assert list(report.wide().columns)[-4:] == ["female", "male", "non_binary", "total"]


# -- categories of region -------------------------------------------------------------------------


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_category_of_region(region: str) -> None:
    """RO32 București-Ilfov is more developed; the other seven regions less developed."""
    table = table_of([person("p1", POCU, "female", 30, "unemployed", 3, region)])
    report = sfc2021_table(table)
    expected = "more developed" if region == "RO32" else "less developed"
    assert set(report.table["category_of_region"]) == {expected}
    assert not report.problems


# -- placement errors -----------------------------------------------------------------------------


def test_unplaceable_codes_are_one_error_listing_them() -> None:
    """Bare SMIS codes without a mapping and unreadable codes are listed in one error."""
    rows = [
        person("p1", "127701", "male", 30, "inactive", 3, "RO11"),
        person("p2", "SMIS 130000", "male", 30, "inactive", 3, "RO11"),
        person("p3", "not a code", "male", 30, "inactive", 3, "RO11"),
        person("p4", POCU, "male", 30, "inactive", 3, "RO11"),
    ]
    with pytest.raises(InclusionKitError, match="3 project code") as caught:
        sfc2021_table(table_of(rows))
    message = str(caught.value)
    for code in ("'127701'", "'SMIS 130000'", "'not a code'", "programme_structure"):
        assert code in message
    assert POCU not in message


def test_codes_of_two_programmes_are_refused() -> None:
    """POSDRU and POCU codes together would mix up priority numbers."""
    rows = [
        person("p1", "POSDRU/165/6.2/S/143094", "male", 30, "inactive", 3, "RO11"),
        person("p2", POCU, "male", 30, "inactive", 3, "RO11"),
    ]
    with pytest.raises(InclusionKitError, match=r"several: POCU .*POSDRU"):
        sfc2021_table(table_of(rows))


def test_mapping_matches_canonical_codes_and_rejects_incomplete_entries() -> None:
    """A differently written code finds its entry; an entry without an SO is an error."""
    table = table_of([person("p1", "smis 127701", "male", 30, "inactive", 3, "RO11")])
    report = sfc2021_table(
        table, programme_structure={"127701": {"priority": "1", "specific_objective": "1.1"}}
    )
    assert set(report.table["priority"]) == {"1"}
    with pytest.raises(InclusionKitError, match="non-empty 'priority' and 'specific_objective'"):
        sfc2021_table(table, programme_structure={"127701": {"priority": "1"}})


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_programme_structure_file(suffix: str, tmp_path: Path) -> None:
    """A mapping file (JSON or CSV) gives the same report as the mapping itself."""
    path = tmp_path / f"structure{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(STRUCTURE), encoding="utf-8")
    else:
        lines = ["project_code,priority,specific_objective"]
        lines += [
            f"{code},{e['priority']},{e['specific_objective']}" for code, e in STRUCTURE.items()
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    structure = load_programme_structure(path)
    assert structure[SMIS_C]["specific_objective"] == "5.1"
    report = sfc2021_table(hand_table(), programme_structure=structure)
    assert report.value("EECO01", priority="5", gender="total") == 1


def test_programme_structure_file_errors(tmp_path: Path) -> None:
    """Wrong columns or a wrong kind of file are clear errors."""
    path = tmp_path / "structure.csv"
    path.write_text("code,priority\n127701,4\n", encoding="utf-8")
    with pytest.raises(InclusionKitError, match="project_code, specific_objective are missing"):
        load_programme_structure(path)
    with pytest.raises(InclusionKitError, match=r"\.json or \.csv"):
        load_programme_structure(tmp_path / "structure.yaml")


# -- checks on broken tables ----------------------------------------------------------------------


def failing(checks: pd.DataFrame) -> set[tuple[str, str | None]]:
    """The (check, gender) pairs that failed."""
    failed = checks[~checks["passed"]]
    return {
        (str(c), None if pd.isna(g) else str(g))
        for c, g in zip(failed["check"], failed["gender"], strict=True)
    }


def test_broken_composite_fires(hand: Sfc2021Report) -> None:
    """A composite off by one fails its sum check (and the gender total of that cell)."""
    table = hand.table.copy()
    row = (
        (table["indicator"] == "EECO02+04")
        & (table["priority"] == "4")
        & (table["category_of_region"] == "less developed")
        & (table["gender"] == "male")
    )
    table.loc[row, "value"] += 1
    checks = sfc2021_checks(table)
    assert failing(checks) == {("composite_EECO02+04", "male"), ("genders_sum_to_total", None)}
    broken = checks[~checks["passed"] & (checks["check"] == "composite_EECO02+04")].iloc[0]
    assert (broken["left"], broken["right"]) == (3, 2)


def test_result_above_its_output_fires(hand: Sfc2021Report) -> None:
    """More employed upon leaving than participants (and than unemployed + inactive) fails."""
    table = hand.table.copy()
    for gender, value in (("female", 5), ("total", 5)):
        row = (
            (table["indicator"] == "EECR04")
            & (table["category_of_region"] == "more developed")
            & (table["gender"] == gender)
        )
        table.loc[row, "value"] = value
    assert failing(sfc2021_checks(table)) == {
        ("result_EECR04_le_EECO01", "female"),
        ("result_EECR04_le_EECO01", "total"),
        ("result_EECR04_le_EECO02+04", "female"),
        ("result_EECR04_le_EECO02+04", "total"),
    }


def test_missing_composite_row_counts_as_zero(hand: Sfc2021Report) -> None:
    """Dropping one composite cell makes it 0 there, which no longer equals its parts."""
    table = hand.table
    drop = (
        (table["indicator"] == "EECO10+11")
        & (table["category_of_region"] == "more developed")
        & (table["gender"] == "total")
    )
    assert ("composite_EECO10+11", "total") in failing(sfc2021_checks(table[~drop]))


def test_programme_linkage_replaces_the_default(hand: Sfc2021Report) -> None:
    """result_links= checks the programme's own linkage instead of RESULT_LINKS."""
    checks = sfc2021_checks(hand.table, result_links={"EECR01": "EECO04"})
    assert {c for c in checks["check"] if c.startswith("result_")} == {"result_EECR01_le_EECO04"}
    assert checks["passed"].all()


def test_checks_reject_a_table_that_is_not_sfc2021() -> None:
    """A table without the breakdown columns is a clear error."""
    with pytest.raises(InclusionKitError, match="not an SFC2021 table"):
        sfc2021_checks(pd.DataFrame({"indicator": ["EECO01"], "value": [1]}))


# -- properties -----------------------------------------------------------------------------------

_cells = st.tuples(
    st.sampled_from(["1", "2", "10"]),
    st.sampled_from(["a", "b"]),
    st.sampled_from(["less developed", "more developed"]),
    st.sampled_from(["female", "male", "total"]),
)
_parts = sorted({part for parts in COMPOSITES.values() for part in parts})


@st.composite
def sfc_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Tidy tables of the composites' parts with arbitrary non-negative values."""
    cells = draw(st.lists(_cells, min_size=1, max_size=6, unique=True))
    rows = [
        {
            "indicator": code,
            **dict(zip(CELL_COLUMNS, cell, strict=True)),
            "value": draw(st.integers(0, 10_000)),
        }
        for cell in cells
        for code in _parts
        if draw(st.booleans()) or code == "EECO02"
    ]
    return pd.DataFrame(rows)


@settings(max_examples=40, deadline=None)
@given(sfc_tables(), st.data())
def test_composites_are_the_sum_of_their_parts(table: pd.DataFrame, data: st.DataObject) -> None:
    """Added composites always equal their parts; breaking one fails exactly that check."""
    full = add_composites(table)
    checks = sfc2021_checks(full)
    composite = checks[checks["check"].str.startswith("composite_")]
    assert len(composite) > 0
    assert composite["passed"].all()
    wide = full.pivot_table(
        index=list(CELL_COLUMNS), columns="indicator", values="value", fill_value=0
    )
    for code, parts in COMPOSITES.items():
        present = [p for p in parts if p in wide.columns]
        if present:  # a composite none of whose parts is reported is not added
            assert (wide[code] == wide[present].sum(axis=1)).all()
    rows = full.index[full["indicator"].isin(list(COMPOSITES))].tolist()
    broken_row = data.draw(st.sampled_from(rows))
    broken = full.copy()
    broken.loc[broken_row, "value"] += data.draw(st.integers(1, 5))
    failed = sfc2021_checks(broken)
    failed = failed[~failed["passed"] & failed["check"].str.startswith("composite_")]
    assert len(failed) == 1
    assert failed["indicator"].iloc[0] == full.loc[broken_row, "indicator"]


@settings(max_examples=30, deadline=None)
@given(participation_tables(max_rows=25))
def test_any_participation_table_passes_and_keeps_every_participant(table: pd.DataFrame) -> None:
    """Generated tables pass every check; counted = in the table + left out for the region."""
    structure = {
        "POCU/449/4/16/127700": {"priority": "4", "specific_objective": "4.16"},
        "POSDRU/165/6.2/S/143094": {"priority": "4", "specific_objective": "4.2"},
    }
    report = sfc2021_table(table, programme_structure=structure)
    assert report.ok, report.failed_checks()
    totals = report.table.query("indicator == 'EECO01' and gender == 'total'")["value"].sum()
    assert int(totals) + report.provenance.left_out == report.provenance.counted
    engine = compute(table, "esf-2021", by=("gender",))
    assert report.provenance.counted == engine.provenance.counted


# -- files ----------------------------------------------------------------------------------------


def test_csv_tidy_round_trips(hand: Sfc2021Report, tmp_path: Path) -> None:
    """The tidy CSV reads back as the table."""
    path = write_sfc2021(hand, tmp_path / "sfc.csv")
    back = pd.read_csv(path, dtype={"priority": str, "specific_objective": str})
    expected = hand.table.astype(object).astype({"value": "int64"})
    pd.testing.assert_frame_equal(back.astype(object).astype({"value": "int64"}), expected)


def test_csv_wide_has_gender_columns_in_romanian(hand: Sfc2021Report, tmp_path: Path) -> None:
    """The wide CSV is the SFC layout, with Romanian headers and names on request."""
    path = write_sfc2021(hand, tmp_path / "sfc.csv", layout="wide", lang="ro")
    back = pd.read_csv(path, dtype=str)
    assert list(back.columns) == [
        "Prioritate",
        "Obiectiv specific",
        "Categorie de regiune",
        "Indicator",
        "Denumire",
        "Femei",
        "Bărbați",
        "Non-binare",
        "Total",
    ]
    row = back[(back["Indicator"] == "EECO02") & (back["Categorie de regiune"] == "more developed")]
    assert row[["Femei", "Total"]].values.tolist() == [["1", "1"]]
    assert row["Denumire"].iloc[0].startswith("șomeri")


def test_xlsx_has_the_sfc_sheets_and_marks_failures(hand: Sfc2021Report, tmp_path: Path) -> None:
    """The workbook has outputs, results, checks (failures red), problems and provenance."""
    openpyxl = pytest.importorskip("openpyxl")
    table = hand.table.copy()
    table.loc[table.index[0], "value"] += 1  # EECO01, women, first cell: the total is off
    broken = Sfc2021Report(
        table=table,
        checks=sfc2021_checks(table),
        problems=hand.problems,
        structure=hand.structure,
        excluded_summary=hand.excluded_summary,
        provenance=hand.provenance,
        names=hand.names,
    )
    path = write_sfc2021(broken, tmp_path / "sfc.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Outputs (table 6)",
        "Results (table 10)",
        "Checks",
        "Problems",
        "Projects",
        "Excluded",
        "Provenance",
    ]
    outputs = book["Outputs (table 6)"]
    # The header is the row below the title block (the xlsx writer's blank row ends it).
    h = 1 + next(i for i, row in enumerate(outputs.iter_rows(values_only=True), 1) if not any(row))
    header = [cell.value for cell in outputs[h]]
    assert header[:5] == [
        "Priority",
        "Specific objective",
        "Category of region",
        "Indicator",
        "Name",
    ]
    assert outputs.cell(row=h + 1, column=6).value == 3  # EECO01, women, 4 / 4.16 / less developed
    checks = book["Checks"]
    red = [
        row[0].value
        for row in checks.iter_rows(min_row=2)
        if row[0].fill.start_color.rgb.endswith("FFC7CE")
    ]
    assert red == ["genders_sum_to_total"]
    assert int((~broken.checks["passed"]).sum()) == 1
    assert book["Problems"].max_row == 1 + len(hand.problems)


def test_unknown_extension_is_refused_and_nothing_written(
    hand: Sfc2021Report, tmp_path: Path
) -> None:
    """Only .csv and .xlsx are written."""
    with pytest.raises(InclusionKitError, match=r"\.csv or \.xlsx"):
        write_sfc2021(hand, tmp_path / "sfc.ods")
    assert list(tmp_path.iterdir()) == []


def test_report_is_report_like(hand: Sfc2021Report, tmp_path: Path) -> None:
    """Any report exporter takes it: the JSON format writes table, checks and provenance."""
    from inclusionkit._io import infer_kind, read, write

    assert infer_kind(hand) == "report"
    write(hand, tmp_path / "sfc.json")
    back = read(tmp_path / "sfc.json")
    assert back.provenance["left_out"] == 2
    assert len(back.table) == len(hand.table)
    assert "3 projects" in hand.summary()


# -- a layout over Report ----------------------------------------------------------------------


def test_layout_of_any_engines_report_is_the_table(hand: Sfc2021Report, tmp_path: Path) -> None:
    """sfc2021_layout over a report computed by another engine (streaming) gives the same table."""
    from inclusionkit import sfc2021_layout
    from inclusionkit._sfc2021 import BREAKDOWNS

    path = tmp_path / "hand.parquet"
    hand_table().to_parquet(path)
    report = compute(path, "esf-2021", by=BREAKDOWNS, engine="streaming")
    laid = sfc2021_layout(report, programme_structure=STRUCTURE)
    pd.testing.assert_frame_equal(laid.table, hand.table)
    pd.testing.assert_frame_equal(laid.checks, hand.checks)
    assert laid.provenance.left_out == hand.provenance.left_out


def test_layout_refuses_a_report_of_other_breakdowns() -> None:
    """Only an esf-2021 report by project, region and gender can be laid out."""
    from inclusionkit import sfc2021_layout

    report = compute(hand_table(), "esf-2021", by=("gender",))
    with pytest.raises(InclusionKitError, match="project_code, region, gender"):
        sfc2021_layout(report)


def test_exporters_write_it_through_inclusionkit_write(hand: Sfc2021Report, tmp_path: Path) -> None:
    """inclusionkit.write(sfc, "x.csv", layout=...) is the CSV exporter's: write_sfc2021's file."""
    from inclusionkit import write

    write(hand, tmp_path / "a.csv", layout="wide", lang="ro")
    write_sfc2021(hand, tmp_path / "b.csv", layout="wide", lang="ro")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    write(hand, tmp_path / "checks.csv", layout="checks")
    assert pd.read_csv(tmp_path / "checks.csv")["check"].tolist() == hand.checks["check"].tolist()


def test_checks_run_through_the_one_check_engine(hand: Sfc2021Report) -> None:
    """A composite check is the rule-set engine's sum_equals check on the pivoted cells."""
    from inclusionkit._rules import _checks
    from inclusionkit._rules._ruleset import Check

    composite = hand.checks[hand.checks["check"] == "composite_EECO02+04"]
    check = Check(id="c", kind="sum_equals", left=("EECO02+04",), right=COMPOSITES["EECO02+04"])
    assert composite["expression"].iloc[0] == _checks.expression(check)
