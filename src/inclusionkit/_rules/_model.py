"""The report model: :class:`Report` and its :class:`Provenance`, as every engine hands them out.

Nothing here computes an indicator: the engines count (:mod:`._partition`), the assembler
(:mod:`._assemble`) builds the one :class:`Report`, and this module only holds it and answers
questions about it (a value, the wide table, the failed checks, the published table).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np

from inclusionkit._convert import register_record, unstructure
from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import translate
from inclusionkit._pandas import pd
from inclusionkit._privacy._suppress import DEFAULT_THRESHOLD, SuppressedTable, suppress
from inclusionkit._rules._ruleset import RuleSet

__all__ = ["COUNT_AGGREGATES", "Provenance", "Report"]

COUNT_AGGREGATES: frozenset[str] = frozenset({"count", "count_distinct"})
"""The aggregates whose values count people or entities: the cells disclosure control protects."""


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a report's numbers come from.

    ``input_rows`` rows were read; ``rows_after_as_of`` of them entered after the as-of date and
    were left out; the rest form ``participations`` participations (``merged_rows`` rows were
    re-entries folded into an earlier one), of which ``counted`` are counted and ``excluded`` are
    incomplete (``counted + excluded == participations``). ``not_computed`` lists entity
    indicators left out because no project document was given. ``inputs`` holds each input
    file's path and SHA-256 when the report was computed from files. ``table_period`` is the
    programming period the table's project codes tell (``None`` when they do not), and
    ``warnings`` what the report must say plainly, such as a rule set of another period.
    ``pending_6m`` is, for a rule set with results six months after leaving (CR06-CR09,
    EECR05-EECR06), how many counted leavers have not reached their six-month point by the
    as-of date (0 without one), so those results will still grow; ``None`` for other rule sets.
    ``period`` is the reporting period's first and last day when the report was computed for
    one (its table then has a ``scope`` column: ``period`` and ``cumulative``).
    ``several_partners`` participations (persons of a project) were served by more than one
    partner: the project counts each once, a breakdown by ``partner`` once per partner.
    """

    ruleset: str
    ruleset_version: str
    library_version: str
    as_of: dt.date | None
    by: tuple[str, ...]
    input_rows: int
    rows_after_as_of: int
    participations: int
    merged_rows: int
    counted: int
    excluded: int
    not_computed: tuple[str, ...] = ()
    pending_6m: int | None = None
    inputs: tuple[tuple[str, str], ...] = ()
    table_period: str | None = None
    warnings: tuple[str, ...] = ()
    period: tuple[dt.date, dt.date] | None = None
    several_partners: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The provenance as JSON-ready data, through the one converter
        (:func:`inclusionkit._convert.unstructure`)."""
        data: dict[str, Any] = unstructure(self)
        return data


register_record(
    Provenance,
    inputs=lambda pairs: [{"file": name, "sha256": digest} for name, digest in pairs],
    # A list, as JSON gives it back: [first day, last day].
    period=lambda days: None if days is None else [day.isoformat() for day in days],
)


# Identity equality: comparing reports would compare whole tables.
@attrs.frozen(kw_only=True, eq=False)
class Report:
    """The result of :func:`compute`.

    ``table`` is tidy: ``indicator``, ``scope`` for a report computed for a reporting period
    (``period`` and ``cumulative`` rows), one column per breakdown (``year`` and ``flow`` first
    for per-year rule sets), ``value``. ``excluded`` lists every participation not counted
    (``project_code``, ``participant_id``, input ``row``, ``reason``, ``message``): the
    incomplete ones, and each row entered after the as-of date (``entry_date.in_future``),
    sorted by key (project code, participant id), then row. ``project_code``, ``reason`` and
    ``message`` are pandas categoricals (their categories the values present, of the ``string``
    dtype, sorted), ``participant_id`` is ``string``, ``row`` ``int64``, whatever the engine:
    the repeated text is held once (a streaming report of 100M rows lists millions). Count
    with ``observed=True`` (``groupby``) or drop zero counts (``value_counts``).
    ``checks`` holds every consistency check per cell (``check``, ``kind``, ``indicator``,
    ``expression``, the breakdowns, ``left``, ``right``, ``passed``). ``provenance`` says what
    went in.
    """

    table: pd.DataFrame = attrs.field(eq=False)
    excluded: pd.DataFrame = attrs.field(eq=False)
    checks: pd.DataFrame = attrs.field(eq=False)
    provenance: Provenance
    ruleset: RuleSet = attrs.field(eq=False, repr=False)

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The breakdown columns of :attr:`table`, in order."""
        return tuple(c for c in self.table.columns if c not in ("indicator", "value"))

    def suppress(self, threshold: int = DEFAULT_THRESHOLD) -> SuppressedTable:
        """The table with disclosure control applied, for publication: the one suppression policy
        of every door (the command line, the HTML and data-package exporters).

        Cells of the indicators that count (``count``, ``count_distinct``) below ``threshold``
        are suppressed (primary), and enough others (secondary) that no suppressed value can be
        recomputed from the published totals; suppressed cells are marked (``suppressed``,
        ``status``) and their value is missing, never zero. Indicators that add up amounts
        (``sum``: hours, euros) describe no person and are published as they are. A threshold
        of 0 or 1 suppresses nothing. Returns an :class:`inclusionkit.SuppressedTable`; its
        ``.published`` is what to hand out.
        """
        table = self.table
        counts = {
            ind.code
            for ind in self.ruleset.indicators
            if ind.aggregate.function in COUNT_AGGREGATES
        }
        counted = table["indicator"].astype(object).isin(counts).to_numpy(dtype=bool)
        if threshold < 0:
            raise InclusionKitError(
                f"the suppression threshold must be at least 0, not {threshold}"
            )
        out = table.copy()
        integral = pd.api.types.is_integer_dtype(table["value"].dtype)
        out["value"] = table["value"].astype("Int64" if integral else "Float64")
        out["suppressed"] = np.zeros(len(out), dtype=bool)
        out["status"] = pd.array([""] * len(out), dtype="string")
        primary = secondary = 0
        if threshold > 1 and counted.any():
            part = suppress(table[counted].reset_index(drop=True), threshold)
            rows = np.flatnonzero(counted)
            out.loc[rows, "value"] = part.table["value"].astype(out["value"].dtype).to_numpy()
            out.loc[rows, "suppressed"] = part.table["suppressed"].to_numpy(dtype=bool)
            out.loc[rows, "status"] = part.table["status"].to_numpy(dtype=object)
            primary, secondary = part.primary, part.secondary
        out["suppressed"] = out["suppressed"].astype(bool)
        out["status"] = out["status"].astype("string")
        return SuppressedTable(table=out, threshold=threshold, primary=primary, secondary=secondary)

    @property
    def indicator_names(self) -> dict[str, dict[str, str]]:
        """Each indicator's names, ``{code: {"en": …, "ro": …}}``, for exporters that label rows."""
        return {
            spec.code: {"en": spec.name_en, "ro": spec.name_ro or spec.name_en}
            for spec in self.ruleset.indicators
        }

    @property
    def ok(self) -> bool:
        """Whether every consistency check passed."""
        return bool(self.checks["passed"].all())

    def failed_checks(self) -> pd.DataFrame:
        """The rows of :attr:`checks` that failed."""
        return self.checks[~self.checks["passed"]].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the tidy table."""
        return self.table.copy()

    def wide(self) -> pd.DataFrame:
        """Indicators as rows, breakdown cells as columns (a column per cell, MultiIndex when
        there are several breakdowns); indicators keep the rule set's order."""
        breakdowns = list(self.breakdowns)
        if not breakdowns:
            return self.table.set_index("indicator")[["value"]]
        wide = self.table.pivot_table(
            index="indicator",
            columns=breakdowns,
            values="value",
            aggfunc="first",
            dropna=False,
            sort=False,
            observed=True,
        )
        order = [code for code in self.ruleset.codes if code in wide.index]
        return wide.reindex(order)

    def value(self, indicator: str, **cell: Any) -> Any:
        """The value of one indicator in one cell: ``report.value("CO01", gender="total")``.

        Breakdowns not named must have a single cell; ``None`` names the missing-value cell (or
        the entity indicators' row). Raises :class:`InclusionKitError` when no single cell
        matches.
        """
        rows = self.table[self.table["indicator"] == indicator]
        for name, wanted in cell.items():
            if name == "scope" and name not in rows.columns and wanted == "cumulative":
                continue  # a report without a period is cumulative
            if name not in rows.columns:
                raise InclusionKitError(f"the report has no breakdown {name!r}")
            if wanted is None or wanted is pd.NA:
                rows = rows[rows[name].isna()]
            else:
                rows = rows[(rows[name].astype(object) == wanted).fillna(False).astype(bool)]
        if len(rows) != 1:
            raise InclusionKitError(
                f"{len(rows)} cells of {indicator!r} match {cell!r}; name every breakdown"
            )
        return rows["value"].iloc[0].item()

    def summary(self, lang: str | None = None) -> str:
        """One line: counted, excluded and failed checks, in ``lang`` (default: the run's)."""
        p = self.provenance
        failed = int((~self.checks["passed"]).sum()) if len(self.checks) else 0
        as_of = translate(" as of {date}", lang).format(date=p.as_of.isoformat()) if p.as_of else ""
        if p.period is not None:
            as_of = translate(" for {start}..{end} (and cumulative)", lang).format(
                start=p.period[0].isoformat(), end=p.period[1].isoformat()
            )
        line = translate(
            "{ruleset} {version}{as_of}: {counted} participations counted, {excluded} excluded "
            "(incomplete), {after} rows after the as-of date, {merged} re-entry rows merged; "
            "{failed} failed checks",
            lang,
        ).format(
            ruleset=p.ruleset,
            version=p.ruleset_version,
            as_of=as_of,
            counted=p.counted,
            excluded=p.excluded,
            after=p.rows_after_as_of,
            merged=p.merged_rows,
            failed=failed,
        )
        if p.pending_6m is not None:
            line += translate("; {count} leavers pending their six-month point", lang).format(
                count=p.pending_6m
            )
        if p.several_partners:
            line += translate("; {count} persons served by more than one partner", lang).format(
                count=p.several_partners
            )
        warning = translate("; warning: {warning}", lang)
        return line + "".join(warning.format(warning=w) for w in p.warnings)
