"""Reports from the register equal reports from files, after a project's months of imports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import inclusionkit
from inclusionkit import examples
from inclusionkit._register import period_end

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


def _quarter(month_end: pd.Timestamp) -> str | None:
    """The quarter ``month_end`` closes (``2015-Q1``), or ``None`` mid-quarter."""
    return f"{month_end.year}-Q{month_end.quarter}" if month_end.month % 3 == 0 else None


def _cells(table: pd.DataFrame) -> pd.Series:
    """A report's figures keyed by indicator and cell."""
    keys = [c for c in table.columns if c != "value"]
    return table.set_index(keys)["value"].astype("int64")


def test_a_project_imported_month_by_month_with_corrections(
    register: inclusionkit.Register, seed: pd.DataFrame, tmp_path: Path
) -> None:
    """Each partner sends its whole register every month (full imports): rows are added,
    corrected, withdrawn and restored; each quarter's report is submitted. Every month the
    register's report equals the report of that month's files, cell for cell (GRAND_TOTAL and
    its incomplete rows included); the history records each change once; a month sent again
    changes nothing; and each quarter's diff lists exactly the figures the later corrections
    changed, and those corrections."""
    project = examples.load("dreptul-la-munca").project
    truth = seed.copy()
    rng = np.random.default_rng(13)
    corrected: dict[str, int] = {}  # participant id -> the import that corrected it
    withdrawn_once: set[str] = set()
    submitted: dict[str, tuple[pd.Series, int]] = {}  # period -> (figures, last import)
    previous_end = pd.Timestamp.min
    for number, month_end in enumerate(_months(seed)):
        fixed: list[str] = []
        if number and number % 3 == 0:
            # Every quarter, some earlier rows are corrected: inactive -> unemployed.
            sent_before = truth["entry_date"] <= previous_end  # imported last month already
            inactive = sent_before & (truth["labour_status"] == "inactive")
            earlier = truth.index[inactive.fillna(False).to_numpy(dtype=bool)]
            chosen = rng.choice(earlier, size=min(3, len(earlier)), replace=False)
            truth.loc[chosen, "labour_status"] = "unemployed"
            fixed = list(truth.loc[chosen, "participant_id"])
        month_files = []
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
            corrected.update(
                dict.fromkeys(set(fixed) & set(sent["participant_id"]), result.import_id)
            )
            month_files.append(sent)
        previous_end = month_end
        again = register.import_table(path, partner=str(partner), mode="full")
        assert (again.added, again.updated, again.withdrawn) == (0, 0, 0)
        # The snapshot a report reads is the register's rows, as read from the table.
        assert register.counted_arrow().equals(register.counted_arrow(snapshot=False))
        # The month's report from the register equals the report of the month's files.
        month = tmp_path / f"all-{month_end:%Y-%m}.csv"
        inclusionkit.write(pd.concat(month_files), month, kind="participations")
        pd.testing.assert_frame_equal(_report(register.participations()), _report(str(month)))
        period = _quarter(month_end)
        if period is not None:
            report = register.submit(period, by=["gender"], user="lead")
            on_file = inclusionkit.compute(
                str(month), rules="esf-2014", by="gender", as_of=month_end.date(), project=project
            )
            pd.testing.assert_frame_equal(report.table, on_file.table)
            submitted[period] = (_cells(report.table), register.imports()["id"].max())
    history = register.history()
    updated = history[(history["change"] == "updated")]
    assert set(updated["field"]) == {"labour_status"}
    assert set(updated["old"]) == {"inactive"}
    assert set(updated["new"]) == {"unemployed"}
    assert sorted(updated["participant_id"]) == sorted(corrected)
    assert set(history.loc[history["change"] == "withdrawn", "participant_id"]) <= withdrawn_once
    assert history["change"].eq("restored").sum() == history["change"].eq("withdrawn").sum()
    final = tmp_path / "final.csv"
    inclusionkit.write(truth, final, kind="participations")
    # Every figure equals the report of the final file, GRAND_TOTAL included: the register kept
    # the file's incomplete rows (rejected at import, counted in GRAND_TOTAL only).
    assert len(register.participations(include_incomplete=False)) < len(truth)
    pd.testing.assert_frame_equal(_report(register.participations()), _report(str(final)))
    on_register = inclusionkit.compute(register.participations(), by=BY, project=project)
    on_file = inclusionkit.compute(str(final), by=BY, project=project)
    assert on_register.provenance.participations == on_file.provenance.participations
    assert on_register.provenance.excluded == on_file.provenance.excluded > 0
    # Each quarter's diff: the figures the later corrections changed, and those corrections.
    changed_any = False
    for period, (figures, last_import) in submitted.items():
        diff = register.diff(period)
        now = _cells(
            inclusionkit.compute(
                str(final),
                rules="esf-2014",
                by="gender",
                as_of=period_end(period),
                project=project,
            ).table
        )
        expected = sorted(figures.index[figures != now.reindex(figures.index)])
        keys = [c for c in diff.figures.columns if c not in ("submitted", "now")]
        assert sorted(diff.figures.set_index(keys).index) == expected
        later = {pid for pid, import_id in corrected.items() if import_id > last_import}
        fixes = diff.changes[diff.changes["change"] == "updated"]
        assert set(fixes["participant_id"]) == later
        assert (diff.changes["import_id"] > last_import).all()
        changed_any |= bool(expected)
    assert changed_any
    assert len(submitted) >= 4


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


def test_a_person_two_partners_registered_counts_once_in_the_project(
    register: inclusionkit.Register,
    register_url: str,
    seed: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same pseudonymous person sent by two partners: one participation of the project,
    one in each partner's breakdown; the report (and `inclusionkit report`) says how many
    persons more than one partner served, as for the same rows in a file."""
    from inclusionkit.cli import main

    cpe = seed[seed["partner"] == "cpe"].reset_index(drop=True)
    agentia = seed[seed["partner"] == "agentia"].reset_index(drop=True)
    shared = cpe.head(4).assign(partner="agentia")
    for partner, rows in (("cpe", cpe), ("agentia", pd.concat([agentia, shared]))):
        path = tmp_path / f"{partner}.csv"
        inclusionkit.write(rows, path, kind="participations")
        register.import_table(path, partner=partner)
    rows = register.participations()
    by_partner = inclusionkit.compute(rows, rules="esf-2014", by="partner")
    whole = inclusionkit.compute(rows, rules="esf-2014", by="gender")
    assert by_partner.provenance.several_partners == whole.provenance.several_partners == 4
    alone = {
        partner: inclusionkit.compute(rows[rows["partner"] == partner], rules="esf-2014")
        for partner in ("cpe", "agentia")
    }
    grand = by_partner.table[by_partner.table["indicator"] == "GRAND_TOTAL"]
    for partner, report in alone.items():
        own = report.value("GRAND_TOTAL", gender="total")
        assert grand.loc[grand["partner"] == partner, "value"].item() == own
    assert whole.value("GRAND_TOTAL", gender="total") == grand["value"].sum() - 4
    exported = tmp_path / "rows.parquet"
    register.export(exported)
    capsys.readouterr()
    assert main(["report", register_url, "--by", "partner"]) == 0
    out, err = capsys.readouterr()
    assert "4 persons served by more than one partner" in err
    assert main(["report", str(exported), "--by", "partner"]) == 0
    assert capsys.readouterr() == (out, err.replace(register_url, str(exported)))
