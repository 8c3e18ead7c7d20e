"""compute() and Report: breakdowns, per-year flows, entity indicators, provenance, errors."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import inclusionkit
import inclusionkit._rules as rules
from inclusionkit import InclusionKitError
from inclusionkit._participations import write_participations
from tests.rules.strategies import table_from_rows

D = dt.date


def _row(pid: str, **values: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "project_code": "P",
        "gender": "female",
        "birth_date": D(1985, 1, 1),
        "entry_date": D(2020, 1, 1),
        "labour_status": "unemployed",
        "isced": 2,
        **values,
    }


@pytest.fixture
def table() -> pd.DataFrame:
    """A small table with two regions, three genders and one incomplete row."""
    return table_from_rows(
        [
            _row("a", region="RO11"),
            _row("b", region="RO11", gender="male", labour_status="employed"),
            _row("c", region="RO32", birth_date=D(2001, 5, 5)),
            _row("d", region=None, gender="male"),
            _row("e", region="RO32", gender="non_binary"),
            _row("f", region="RO32", gender=None),
        ]
    )


def test_default_breakdown_is_gender_with_every_gender_and_a_total(table: pd.DataFrame) -> None:
    """by=("gender",): rows female, male (esf-2014's genders), non_binary and unknown (present,
    incomplete: only GRAND_TOTAL counts them), total."""
    report = rules.compute(table)
    assert list(report.table.columns) == ["indicator", "gender", "value"]
    assert report.table["value"].dtype == "int64"
    co05 = report.table[report.table["indicator"] == "CO05"]
    assert list(co05["gender"]) == ["female", "male", "non_binary", "unknown", "total"]
    assert list(co05["value"]) == [0, 1, 0, 0, 1]
    assert report.value("TOTAL", gender="total") == 4
    grand = report.table[report.table["indicator"] == "GRAND_TOTAL"]
    assert list(grand["value"]) == [2, 2, 1, 1, 6]


def test_no_breakdown_gives_one_row_per_indicator(table: pd.DataFrame) -> None:
    """by=() gives one row per participant indicator (entity ones need a project)."""
    report = rules.compute(table, by=())
    assert list(report.table.columns) == ["indicator", "value"]
    personal = [i.code for i in report.ruleset.indicators if not i.is_entity]
    assert list(report.table["indicator"]) == personal
    assert report.provenance.not_computed == ("CO20", "CO21", "CO22", "CO23")


def test_any_column_and_derived_breakdowns(table: pd.DataFrame) -> None:
    """region (with its empty cells), age_band and entry_year are breakdowns; order is kept."""
    report = rules.compute(table, by="region,gender")
    assert list(report.table.columns) == ["indicator", "region", "gender", "value"]
    total = report.table[
        (report.table["indicator"] == "TOTAL") & (report.table["gender"] == "total")
    ]
    assert list(total["region"].astype(object).where(total["region"].notna(), None)) == [
        "RO11",
        "RO32",
        None,
    ]
    assert list(total["value"]) == [2, 1, 1]
    bands = rules.compute(table, by=("age_band",))
    assert bands.value("CO06", age_band="0-24") == 1
    assert bands.value("TOTAL", age_band="25-54") == 3
    years = rules.compute(table, by=("entry_year", "gender"))
    assert years.value("TOTAL", entry_year=2020, gender="total") == 4
    assert years.value("GRAND_TOTAL", entry_year=2020, gender="total") == 6


def test_unknown_breakdowns_and_inputs_are_clean_errors(table: pd.DataFrame) -> None:
    """A misspelt breakdown, a repeated one and a non-table input raise InclusionKitError."""
    with pytest.raises(InclusionKitError, match="cannot break down by 'regin'"):
        rules.compute(table, by=("regin",))
    with pytest.raises(InclusionKitError, match="repeated"):
        rules.compute(table, by=("gender", "gender"))
    with pytest.raises(InclusionKitError, match="DataFrame or the path"):
        rules.compute([1, 2, 3])  # type: ignore[arg-type, unused-ignore]
    with pytest.raises(InclusionKitError, match="added by the rule set"):
        rules.compute(table, rules="esf-2007", by=("year",))


def test_report_accessors(table: pd.DataFrame) -> None:
    """wide() pivots indicators by cells; value() needs every breakdown; summary() is one line."""
    report = rules.compute(table, by=("gender",))
    wide = report.wide()
    assert list(wide.index[:3]) == ["TOTAL", "CO01", "CO02"]
    assert wide.loc["TOTAL", "total"] == 4
    assert report.to_frame().equals(report.table)
    with pytest.raises(InclusionKitError, match="name every breakdown"):
        rules.compute(table, by=("gender", "region")).value("TOTAL", gender="total")
    assert "2 excluded" in report.summary()
    assert report.ok
    assert report.failed_checks().empty


def test_provenance(table: pd.DataFrame) -> None:
    """Rule set and library versions, as-of date, and the row accounting."""
    report = rules.compute(table, rules="esf-2021", as_of="2024-12-31")
    p = report.provenance
    assert (p.ruleset, p.ruleset_version) == ("esf-2021", "2021.1")
    assert p.library_version == inclusionkit.__version__
    assert p.as_of == D(2024, 12, 31)
    assert (p.input_rows, p.participations, p.counted, p.excluded) == (6, 6, 5, 1)
    assert p.as_dict()["as_of"] == "2024-12-31"


def test_checks_table_names_cells_values_and_outcome(table: pd.DataFrame) -> None:
    """Every check is run per cell, with left, right and passed, plus the gender-total check."""
    report = rules.compute(table, by=("region", "gender"))
    checks = report.checks
    assert {
        "check",
        "kind",
        "indicator",
        "expression",
        "region",
        "gender",
        "left",
        "right",
        "passed",
    } <= set(checks.columns)
    status = checks[checks["check"] == "total_by_status"]
    assert len(status) == len(report.table[report.table["indicator"] == "TOTAL"])
    assert (status["left"] == status["right"]).all()
    genders = checks[checks["check"] == "genders_sum_to_total"]
    assert set(genders["indicator"]) == {
        i.code for i in report.ruleset.indicators if not i.is_entity
    }


def test_a_failing_check_is_reported() -> None:
    """A rule set whose checks do not hold reports them as failed, without raising."""
    ruleset = {
        "name": "odd",
        "version": "1",
        "indicators": [
            {
                "code": "ALL",
                "name": {"en": "all"},
                "unit": "participants",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "count"},
            },
            {
                "code": "F",
                "name": {"en": "women"},
                "unit": "participants",
                "kind": "output",
                "population": "participations",
                "filter": {"eq": ["gender", "female"]},
                "aggregate": {"function": "count"},
            },
        ],
        "checks": [{"id": "wrong", "kind": "at_most", "left": "ALL", "right": "F"}],
    }
    report = rules.compute(table_from_rows([_row("a"), _row("b", gender="male")]), rules=ruleset)
    assert not report.ok
    failed = report.failed_checks()
    assert set(failed["gender"]) == {"male", "total"}


def test_a_path_is_read_as_a_table(tmp_path: Path, table: pd.DataFrame) -> None:
    """compute() accepts the path of a CSV or Parquet file."""
    for name in ("t.csv", "t.parquet"):
        path = tmp_path / name
        write_participations(table, path)
        assert rules.compute(path).table.equals(rules.compute(table).table)


def test_sum_and_count_distinct_aggregates_by_gender() -> None:
    """sum over a column and distinct persons: totals are computed, not summed, for distincts."""
    ruleset = {
        "name": "persons",
        "version": "1",
        "indicators": [
            {
                "code": "PERSONS",
                "name": {"en": "persons"},
                "unit": "persons",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "count_distinct", "column": "participant_id"},
            },
            {
                "code": "ISCED",
                "name": {"en": "isced sum"},
                "unit": "number",
                "kind": "output",
                "population": "participations",
                "aggregate": {"function": "sum", "column": "isced"},
            },
        ],
    }
    rows = [_row("a"), _row("a", project_code="Q"), _row("b", gender="male", isced=5)]
    report = rules.compute(table_from_rows(rows), rules=ruleset)
    assert report.value("PERSONS", gender="female") == 1
    assert report.value("PERSONS", gender="total") == 2
    assert report.value("ISCED", gender="total") == 9
    assert report.table["value"].dtype == "float64"


def test_entity_indicators_need_a_project() -> None:
    """CO20-CO23 are computed from the project document and shown once, as total."""
    from inclusionkit._project_io import load_project
    from tests.conftest import MINIMAL_PROJECT

    project = load_project(
        {**MINIMAL_PROJECT, "organisations": [{"id": "x", "name": "SRL", "kind": "company"}]}
    )
    report = rules.compute(table_from_rows([_row("a")]), by=("region", "gender"), project=project)
    co23 = report.table[report.table["indicator"] == "CO23"]
    assert len(co23) == 1
    assert co23["gender"].iloc[0] == "total"
    assert pd.isna(co23["region"].iloc[0])
    assert report.value("CO20", gender="total", region=pd.NA) == 1
    assert report.provenance.not_computed == ()


def test_esf_2007_flows_per_year() -> None:
    """Entries, leavers and carried over per calendar year, by hand (Annex XXIII)."""
    rows = [
        _row("a", entry_date=D(2010, 3, 1), exit_date=D(2011, 6, 30), labour_status="employed"),
        _row("b", gender="male", entry_date=D(2011, 1, 1)),
        _row("c", entry_date=D(2010, 12, 31), exit_date=D(2010, 12, 31), labour_status="inactive"),
        _row(
            "d",
            entry_date=D(2012, 5, 1),
            exit_date=D(2013, 2, 1),
            labour_status="inactive_in_education",
        ),
        _row(
            "e",
            gender="male",
            entry_date=D(2009, 12, 31),
            exit_date=D(2011, 1, 1),
            labour_status="long_term_unemployed",
        ),
    ]
    report = rules.compute(table_from_rows(rows), rules="esf-2007", as_of="2012-12-31")
    assert list(report.table.columns) == ["indicator", "year", "flow", "gender", "value"]
    assert sorted(report.table["year"].unique()) == [2009, 2010, 2011, 2012]

    def total(year: int, flow: str, gender: str = "total", code: str = "TOTAL") -> int:
        return int(report.value(code, year=year, flow=flow, gender=gender))

    assert [total(y, "entries") for y in (2009, 2010, 2011, 2012)] == [1, 2, 1, 1]
    assert [total(y, "leavers") for y in (2009, 2010, 2011, 2012)] == [0, 1, 2, 0]
    assert [total(y, "carried_over") for y in (2009, 2010, 2011, 2012)] == [0, 1, 2, 1]
    assert total(2011, "carried_over", "female") == 1
    assert total(2009, "entries", code="UNEMPLOYED.LTU") == 1
    assert total(2012, "entries", code="INACTIVE.EDUCATION") == 1
    assert report.ok


def test_isced_2011_maps_to_isced_1997_in_esf_2007() -> None:
    """ISCED 2011 levels 5, 6, 7 and 8 all count as ISCED 1997 tertiary (5 and 6)."""
    rows = [_row(str(level), isced=level) for level in range(9)]
    report = rules.compute(table_from_rows(rows), rules="esf-2007", by=())
    entries = report.table[report.table["flow"] == "entries"].set_index("indicator")["value"]
    assert entries["ISCED97.1_2"] == 2
    assert entries["ISCED97.3"] == 1
    assert entries["ISCED97.4"] == 1
    assert entries["ISCED97.5_6"] == 4


def test_empty_table_gives_zeros_for_every_gender() -> None:
    """No rows at all: every indicator is zero for every gender, and the checks hold."""
    report = rules.compute(table_from_rows([]), rules="esf-2021")
    assert set(report.table["value"]) == {0}
    assert set(report.table["gender"]) == {"female", "male", "non_binary", "total"}
    assert report.ok


def test_provenance_fingerprints_input_files(tmp_path: Path) -> None:
    """A report computed from a file records that file's SHA-256 in its provenance."""
    import hashlib

    from inclusionkit import compute, examples, write_participations

    path = tmp_path / "p.csv"
    write_participations(examples.load("dreptul-la-munca").participations, path)
    report = compute(path, rules="esf-2014", by=())
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.provenance.inputs == ((str(path), expected),)
    assert report.provenance.as_dict()["inputs"] == [{"file": str(path), "sha256": expected}]


def test_a_failed_compute_leaves_no_hashing_behind(tmp_path: Path) -> None:
    """compute() on a file it cannot count raises its error, and its hashing thread ends."""
    path = tmp_path / "p.csv"
    path.write_text("participant_id\n1\n", encoding="utf-8")
    with pytest.raises(InclusionKitError):
        rules.compute(path, rules="esf-2014", by=())
    for thread in threading.enumerate():
        if thread.name == "inclusionkit-sha256":
            thread.join(timeout=10)
            assert not thread.is_alive()


# -- disclosure control and provenance: one policy, one serialisation ----------------------------

PERSONS_AND_HOURS = {
    "name": "persons-and-hours",
    "version": "1",
    "indicators": [
        {
            "code": "PERSONS",
            "name": {"en": "persons"},
            "unit": "persons",
            "kind": "output",
            "population": "participations",
            "aggregate": {"function": "count"},
        },
        {
            "code": "ISCED",
            "name": {"en": "isced sum"},
            "unit": "number",
            "kind": "output",
            "population": "participations",
            "aggregate": {"function": "sum", "column": "isced"},
        },
    ],
}


def test_report_suppress_protects_counts_and_publishes_sums() -> None:
    """Report.suppress hides small counts (and their give-aways); sums describe nobody and stay."""
    rows = [_row(f"f{i}") for i in range(6)] + [_row("m", gender="male", isced=5)]
    report = rules.compute(table_from_rows(rows), rules=PERSONS_AND_HOURS)
    out = report.suppress(5).table
    persons = out[out["indicator"] == "PERSONS"].set_index("gender")
    assert bool(persons.loc["male", "suppressed"])
    assert pd.isna(persons.loc["male", "value"])
    assert bool(persons["suppressed"].sum() >= 2)  # the male cell cannot be recomputed
    hours = out[out["indicator"] == "ISCED"]
    assert not hours["suppressed"].any()
    assert (
        hours["value"].tolist()
        == report.table[report.table["indicator"] == "ISCED"]["value"].tolist()
    )


def test_report_suppress_default_and_off() -> None:
    """The default threshold is the one constant; 0 suppresses nothing but marks every cell."""
    report = rules.compute(table_from_rows([_row("a"), _row("b", gender="male")]))
    assert report.suppress().threshold == inclusionkit.DEFAULT_SUPPRESSION_THRESHOLD == 5
    off = report.suppress(0)
    assert not off.table["suppressed"].any()
    assert off.published["value"].tolist() == report.table["value"].tolist()


def test_provenance_has_one_serialisation() -> None:
    """Provenance.as_dict is the converter's output: every field, dates as ISO text."""
    from inclusionkit._convert import unstructure

    report = rules.compute(table_from_rows([_row("a")]), as_of="2024-01-01")
    data = report.provenance.as_dict()
    assert data == unstructure(report.provenance)
    assert data["as_of"] == "2024-01-01"
    assert data["not_computed"] == list(report.provenance.not_computed)
    assert data["inputs"] == []
    assert set(data) == {field.name for field in report.provenance.__attrs_attrs__}


def test_report_columns_is_what_the_in_memory_engine_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """report_columns (a breakdown outside the contract among them) is the projection compute()
    asks the pipeline for when it reads a file."""
    from inclusionkit._rules import _report

    asked: list[Any] = []
    typed_table = _report.typed_table

    def spy(participations: Any, columns: Any = None) -> Any:
        asked.append(columns)
        return typed_table(participations, columns)

    table = table_from_rows([{"participant_id": "P1"}]).assign(cohort="A")
    path = tmp_path / "p.csv"
    inclusionkit.write(table, path, kind="table")
    monkeypatch.setattr(_report, "typed_table", spy)
    inclusionkit.compute(str(path), "esf-2014", by=["gender", "cohort"])
    columns = _report.report_columns("esf-2014", ["gender", "cohort"])
    assert columns is not None
    assert columns[-1] == "cohort"
    assert asked == [columns]
    assert _report.report_columns("no-such-rule-set", ["gender"]) is None
