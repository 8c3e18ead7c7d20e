"""Reports from the register equal reports from files, after a project's months of imports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import inclusionkit
from inclusionkit import examples

BY = "gender,partner"


def _report(source: object) -> pd.DataFrame:
    project = examples.load("dreptul-la-munca").project
    table: pd.DataFrame = inclusionkit.compute(source, by=BY, project=project).table
    return table


def test_a_register_reads_like_any_table(
    register: inclusionkit.Register, register_url: str, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """inclusionkit.read on a register's path or URL gives its participations, canonical, and
    the report from it equals the report from the same rows exported to Parquet, cell for cell."""
    source = tmp_path / "all.csv"
    for partner, rows in seed.groupby("partner"):
        inclusionkit.write(rows, source, kind="participations")
        register.import_table(source, partner=str(partner))
    read = inclusionkit.read(register_url, kind="participations")
    pd.testing.assert_frame_equal(read, register.participations())
    assert list(read.columns) == list(inclusionkit.COLUMN_NAMES)
    assert dict(read.dtypes) == inclusionkit.DTYPES
    exported = tmp_path / "export.parquet"
    register.export(exported)
    pd.testing.assert_frame_equal(_report(read), _report(str(exported)))


def _months(seed: pd.DataFrame) -> list[pd.Timestamp]:
    ends = seed["entry_date"].dt.to_period("M").dt.to_timestamp("M")
    return sorted(set(ends))


def test_a_project_imported_month_by_month_with_corrections(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Each partner sends its whole register every month (full imports): rows are added,
    corrected, withdrawn and restored; the history records each change once; a month sent again
    changes nothing; and the register's report equals the report of the final files."""
    truth = seed.copy()
    rng = np.random.default_rng(13)
    corrected: set[str] = set()
    withdrawn_once: set[str] = set()
    previous_end = pd.Timestamp.min
    for number, month_end in enumerate(_months(seed)):
        if number and number % 3 == 0:
            # Every quarter, some earlier rows are corrected: inactive -> unemployed.
            sent_before = truth["entry_date"] <= previous_end  # imported last month already
            inactive = sent_before & (truth["labour_status"] == "inactive")
            earlier = truth.index[inactive.fillna(False).to_numpy(dtype=bool)]
            chosen = rng.choice(earlier, size=min(3, len(earlier)), replace=False)
            truth.loc[chosen, "labour_status"] = "unemployed"
            corrected.update(truth.loc[chosen, "participant_id"])
        for partner, rows in truth.groupby("partner"):
            sent = rows[rows["entry_date"] <= month_end]
            if number == 4:
                # One month a partner forgets a person; the next month the person is back.
                withdrawn_once.update(sent["participant_id"].head(1))
                sent = sent.iloc[1:]
            path = tmp_path / f"{partner}-{month_end:%Y-%m}.csv"
            inclusionkit.write(sent, path, kind="participations")
            result = register.import_table(path, partner=str(partner), mode="full")
            assert result.accepted + result.rejected == result.rows == len(sent)
        previous_end = month_end
        again = register.import_table(path, partner=str(partner), mode="full")
        assert (again.added, again.updated, again.withdrawn) == (0, 0, 0)
    history = register.history()
    updated = history[(history["change"] == "updated")]
    rejected_people = set(seed["participant_id"]) - set(register.participations()["participant_id"])
    counted = updated[~updated["participant_id"].isin(rejected_people)]
    assert set(counted["field"]) == {"labour_status"}
    assert set(counted["old"]) == {"inactive"}
    assert set(counted["new"]) == {"unemployed"}
    assert sorted(counted["participant_id"]) == sorted(corrected - rejected_people)
    assert set(history.loc[history["change"] == "withdrawn", "participant_id"]) <= withdrawn_once
    assert history["change"].eq("restored").sum() == history["change"].eq("withdrawn").sum()
    final = tmp_path / "final.csv"
    inclusionkit.write(truth, final, kind="participations")
    accepted = inclusionkit.read(final, kind="participations")
    accepted = accepted[~accepted["participant_id"].isin(rejected_people)]
    pd.testing.assert_frame_equal(_report(register.participations()), _report(accepted))
    # The register keeps accepted rows only (rejected ones are reported at import), while the
    # file's report also counts its incomplete participations in GRAND_TOTAL: every other figure
    # is equal, and GRAND_TOTAL differs by exactly the participations the register rejected.
    project = examples.load("dreptul-la-munca").project
    on_register = inclusionkit.compute(register.participations(), by=BY, project=project)
    on_file = inclusionkit.compute(str(final), by=BY, project=project)
    from_register, from_file = on_register.table, on_file.table
    grand = from_file["indicator"] == "GRAND_TOTAL"
    pd.testing.assert_frame_equal(
        from_register[~grand].reset_index(drop=True), from_file[~grand].reset_index(drop=True)
    )
    missing = on_file.provenance.participations - on_register.provenance.participations
    assert missing == len(rejected_people)


def test_a_submitted_report_is_frozen_and_diffed(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """submit stores the quarter's report frozen; a later correction leaves it as submitted,
    and diff lists the figures that changed and the import and field that changed them."""
    rows = seed[seed["partner"] == "cpe"].reset_index(drop=True)
    source = tmp_path / "cpe.csv"
    inclusionkit.write(rows, source, kind="participations")
    register.import_table(source, partner="cpe")
    report = register.submit("2015-Q1", by=["gender"], user="lead")
    assert report.provenance.as_of is None or str(report.provenance.as_of) == "2015-03-31"
    assert register.diff("2015-Q1").unchanged
    with pytest.raises(inclusionkit.InclusionKitError, match="submitted already"):
        register.submit("2015-Q1")
    early = rows["entry_date"] <= pd.Timestamp("2015-03-31")
    inactive = (rows["labour_status"] == "inactive").fillna(False) & early
    fixed = rows.copy()
    fixed.loc[inactive.to_numpy(dtype=bool), "labour_status"] = "unemployed"
    inclusionkit.write(fixed, source, kind="participations")
    result = register.import_table(source, partner="cpe")
    assert result.updated == int(inactive.sum()) > 0
    kept = register.submitted_report("2015-Q1")
    pd.testing.assert_frame_equal(kept.table, report.table, check_dtype=False)
    diff = register.diff("2015-Q1")
    assert not diff.unchanged
    assert diff.fingerprint_now != diff.fingerprint_submitted
    assert {"CO01", "CO03"} <= set(diff.figures["indicator"])
    assert set(diff.changes["field"]) == {"labour_status"}
    assert set(diff.changes["import_id"]) == {result.import_id}
    assert register.submitted()["period"].tolist() == ["2015-Q1"]


def test_periods_end_on_their_last_day() -> None:
    """A quarter, a month and a year end on their last day; anything else is a clear error."""
    from inclusionkit._register import period_end

    assert str(period_end("2015-Q1")) == "2015-03-31"
    assert str(period_end("2016-02")) == "2016-02-29"
    assert str(period_end("2015-Q4")) == "2015-12-31"
    assert str(period_end("2015")) == "2015-12-31"
    with pytest.raises(inclusionkit.InclusionKitError, match="2015-Q1"):
        period_end("Q1/2015")
