"""``compute()``: a participation table and a rule set in, the official indicator table out.

This module chooses the engine and is the in-memory engine itself. Every engine counts
partitions the same way (:mod:`._partition`) and hands the partial counts to the one assembler
(:mod:`._assemble`), which builds the :class:`~._model.Report`; the in-memory engine is one
partition: the whole table. Dependencies go one way: engines → assembler → report model.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from inclusionkit._errors import InclusionKitError
from inclusionkit._fingerprints import FingerprintsAhead, input_fingerprints
from inclusionkit._ingest._row_problems import located, row_numbers
from inclusionkit._pandas import is_frame, pd
from inclusionkit._privacy._breakdowns import check_breakdown_values
from inclusionkit._progressbar import ProgressCallback, emit
from inclusionkit._rules._assemble import Assembler
from inclusionkit._rules._columns import TableColumns
from inclusionkit._rules._dask import compute_dask
from inclusionkit._rules._grouping import BREAKDOWN_NAMES
from inclusionkit._rules._model import Provenance, Report
from inclusionkit._rules._partition import (
    FLOW_BREAKDOWNS,
    Spec,
    check_table,
    columns_read,
    evaluate_partition,
    normalise_by,
)
from inclusionkit._rules._period import candidate_rulesets, choose_ruleset
from inclusionkit._rules._records import as_table, typed_table
from inclusionkit._rules._ruleset import RuleSet
from inclusionkit._rules._streaming import choose_engine, compute_streaming

__all__ = [
    "FLOW_BREAKDOWNS",
    "Provenance",
    "Report",
    "check_table",
    "compute",
    "input_fingerprints",
    "normalise_by",
    "report_columns",
]


def compute(
    participations: pd.DataFrame | str | os.PathLike[str] | Any,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    by: str | Sequence[str] = ("gender",),
    as_of: dt.date | str | None = None,
    project: Any = None,
    *,
    period: Any = None,
    engine: str = "auto",
    progress: ProgressCallback | None = None,
) -> Report:
    """Compute a rule set's indicators from a participation table.

    ``participations`` is a canonical DataFrame or the path of a CSV/Parquet file; ``rules`` a
    rule set name (``"esf-2014"``, ``"esf-2021"``, ``"esf-2007"``), document, path or
    :class:`RuleSet`, by default the rule set of the programming period the table's project
    codes tell (POSDRU ``esf-2007``, POCU ``esf-2014``, PEO/PIDS and other 2021-2027 codes
    ``esf-2021``; ``esf-2014`` when no code tells; codes of several periods are an error). A
    rule set of another period than the codes' is computed, and ``provenance.warnings`` says
    so; ``by`` the breakdowns (any column, or ``age_band``, ``entry_year``, ``exit_year``);
    ``as_of`` the reporting date (default: no limit); ``project`` a project document, needed
    for entity indicators (CO20-CO23, EECO18-19).

    ``period`` computes the report for a reporting period (``"2015-Q1"``, ``"2015-S1"``,
    ``"2015-01-01..2015-03-31"``, a ``(start, end)`` pair: see
    :func:`inclusionkit.parse_period`). The table then has a ``scope`` column: in ``period``
    rows the outputs of participations that entered in the period, the immediate results of
    those who left in it and the longer-term results of those whose six-month point falls in
    it; in ``cumulative`` rows everything to the period's last day, which is the as-of date.
    Entity indicators have no date and are ``cumulative`` only. Without a period the report is
    cumulative and has no ``scope`` column.

    When ``gender`` is a breakdown every gender of the rule set appears, zeros included, plus a
    ``total`` row per cell of the other breakdowns. Per-year rule sets (``esf-2007``) add the
    ``year`` and ``flow`` breakdowns.

    A file read into memory is read for the columns the report counts alone, and a breakdown
    column of more distinct values than the ``breakdown`` limit (:mod:`inclusionkit._limits`)
    is refused before counting.

    ``engine`` chooses how: ``"pandas"`` reads the whole table into memory; ``"streaming"``
    reads a Parquet file or dataset directory in batches, in bounded memory; ``"dask"``
    evaluates a Dask DataFrame (or a Parquet/CSV path read with Dask) on the active
    ``dask.distributed`` client or the default scheduler. ``"auto"`` (the default) picks
    ``"dask"`` for a Dask DataFrame, ``"streaming"`` for a dataset directory or a Parquet file
    of at least :data:`~inclusionkit._rules._streaming.STREAMING_THRESHOLD_BYTES`, and
    ``"pandas"`` otherwise. Every engine gives the same report. ``progress`` is called with a
    :class:`~inclusionkit._progressbar.ProgressEvent` as reading and computing advance.
    """
    chosen = choose_engine(participations, engine)
    # The input's fingerprint is taken while it is counted, on a thread of its own (hashlib
    # hashes without the interpreter's lock): at 10M rows a CSV's SHA-256 alone is a second.
    if not (isinstance(participations, str | os.PathLike) and os.path.exists(participations)):
        return _compute_with(chosen, participations, rules, by, as_of, project, period, progress)
    with FingerprintsAhead(participations) as fingerprints:
        report = _compute_with(chosen, participations, rules, by, as_of, project, period, progress)
    inputs = fingerprints.result()
    return attrs.evolve(report, provenance=attrs.evolve(report.provenance, inputs=inputs))


def _compute_with(
    chosen: str,
    participations: Any,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None,
    by: str | Sequence[str],
    as_of: dt.date | str | None,
    project: Any,
    period: Any,
    progress: ProgressCallback | None,
) -> Report:
    """:func:`compute` by the ``chosen`` engine (:func:`choose_engine`), without the inputs'
    fingerprints."""
    if chosen in ("streaming", "dask"):
        compute_in_parts = compute_streaming if chosen == "streaming" else compute_dask
        return compute_in_parts(
            participations,
            rules,
            by=by,
            as_of=as_of,
            project=project,
            period=period,
            progress=progress,
        )
    return _compute_pandas(participations, rules, by, as_of, project, progress, period)


def report_columns(
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None,
    breakdowns: Sequence[str],
) -> tuple[str, ...] | None:
    """The columns a report of ``rules`` by ``breakdowns`` reads from a participation file
    (a projection): those counting reads (:func:`~._partition.columns_read`), for ``rules``
    or, without one, for any rule set the codes may choose; a breakdown outside the contract
    is one of them. ``None`` (read everything) for rules that do not load (computing then
    says why, after reading the file as before). Every reader of a file for a report (the
    in-memory engine, the ``report`` command's register and ``--key-file`` reads) asks for
    these."""
    try:
        candidates = candidate_rulesets(rules)
    except InclusionKitError:
        return None
    read = [name for ruleset in candidates for name in columns_read(ruleset, breakdowns)]
    return tuple(dict.fromkeys(read))


def _projection(
    participations: Any,
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None,
    breakdowns: Sequence[str],
) -> tuple[str, ...] | None:
    """The columns to read from ``participations`` (:func:`report_columns`); ``None`` (read
    everything) for a DataFrame."""
    if not isinstance(participations, str | os.PathLike):
        return None
    return report_columns(rules, breakdowns)


def _compute_pandas(
    participations: pd.DataFrame | str | os.PathLike[str],
    rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str] | None,
    by: str | Sequence[str],
    as_of: dt.date | str | None,
    project: Any,
    progress: ProgressCallback | None,
    period: Any = None,
) -> Report:
    """The in-memory engine: the whole table as one partition. A file is counted from the typed
    Arrow table it is read into (no pandas frame of every row); a DataFrame as it is."""
    breakdowns = normalise_by(by)
    reading = not is_frame(participations)
    if reading:
        emit(progress, "read", 0, None)
    # The number the user sees for each excluded row (a CSV's line, a sheet row), as validate
    # says them; ``None``: the 0-based row of an in-memory table.
    seen: Callable[[np.ndarray], np.ndarray] | None = None
    if isinstance(participations, str | os.PathLike):
        typed = typed_table(participations, _projection(participations, rules, breakdowns))
        if not all(
            name in typed.table.column_names or name in BREAKDOWN_NAMES for name in breakdowns
        ):
            # An unknown breakdown: read every column, so the error lists the table's own.
            typed = typed_table(participations)
        table = TableColumns(typed.table)
        seen = None if typed.locations is None else typed.locations.numbers
        del typed
    else:
        frame = as_table(participations)
        table = TableColumns(frame)
        seen = functools.partial(row_numbers, frame) if located(frame) else None
    rows = len(table)
    if reading:
        emit(progress, "read", rows, rows)
        # A breakdown of (nearly) one value per person would publish one row per person.
        check_breakdown_values(table.table, breakdowns)
    ruleset, codes_period = choose_ruleset(rules, table.distinct("project_code"))
    check_table(ruleset, breakdowns, table)
    emit(progress, "compute", 0, rows)
    spec = Spec.build(ruleset, breakdowns, as_of, codes_period, period)
    assembler = Assembler(spec)
    assembler.add(evaluate_partition(table, None, spec, threads=True))
    report = assembler.report(project, rows=seen)
    emit(progress, "compute", rows, rows)
    return report
