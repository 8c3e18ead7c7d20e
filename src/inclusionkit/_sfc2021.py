"""SFC2021-style indicator tables: a layout of an ``esf-2021`` report per priority, SO, category
of region and gender.

A managing authority transmits ESF+ achievements to the Commission through SFC2021 (the
"Transmission of Data": outputs in table 6, results in table 10), one value per priority,
specific objective, category of region and gender. This module lays a :class:`Report` out that
way; it computes nothing itself:

1. the report is computed once by the engine, with the ``esf-2021`` rule set and the breakdowns
   :data:`BREAKDOWNS` (project, region, gender): :func:`sfc2021_table` does that and calls
   :func:`sfc2021_layout`, which takes any such report (from any engine);
2. every project code is placed in the programme structure (:mod:`inclusionkit._programme`);
   every personal indicator of the rule set counts participations, and a participation belongs
   to exactly one project and one region, so adding cells per priority, SO and category is exact;
3. the region of residence gives the category of region (RO32 București-Ilfov "more developed",
   the other seven "less developed"). A missing or unknown region is never guessed: those
   participations are left out of the table and reported in :attr:`Sfc2021Report.problems`;
4. the reserved composite indicators (``EECO02+04`` …) are added as rows, each the sum of its
   parts;
5. the SFC2021 transmission checks run on the finished table (:func:`sfc2021_checks`) through
   the one check engine (:mod:`inclusionkit._rules._checks`): each composite equals the sum of
   its parts, no result exceeds its linked output, and the genders add up to the total.

Writing is the exporters' job: ``inclusionkit.write(sfc_report, "sfc.csv")`` (options
``layout`` = ``tidy``/``wide``/``checks`` and ``lang``) or ``"sfc.xlsx"`` (the SFC2021 workbook,
with the ``inclusionkit-xlsx`` plugin). See ``docs/formats/sfc2021.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np

from inclusionkit import _contract
from inclusionkit._convert import register_record, unstructure
from inclusionkit._errors import InclusionKitError, Problem
from inclusionkit._i18n import N_, Localised, translate
from inclusionkit._io import write
from inclusionkit._pandas import pd
from inclusionkit._programme import ProgrammeStructure, load_programme_structure, place_codes
from inclusionkit._rules import _checks
from inclusionkit._rules._model import Report
from inclusionkit._rules._records import as_table
from inclusionkit._rules._report import compute
from inclusionkit._rules._ruleset import Check, get_ruleset
from inclusionkit._version import __version__
from inclusionkit.ro import RomanianCodeError, category_of_region

__all__ = [
    "BREAKDOWNS",
    "CELL_COLUMNS",
    "COMPOSITES",
    "HEADERS",
    "RESULT_LINKS",
    "RULESET",
    "Sfc2021Provenance",
    "Sfc2021Report",
    "add_composites",
    "load_programme_structure",
    "sfc2021_checks",
    "sfc2021_layout",
    "sfc2021_table",
    "write_sfc2021",
]

RULESET = "esf-2021"
"""The rule set the SFC2021 tables are computed with."""

BREAKDOWNS: tuple[str, ...] = ("project_code", "region", "gender")
"""The breakdowns of the report an SFC2021 table is laid out from."""

CELL_COLUMNS: tuple[str, ...] = ("priority", "specific_objective", "category_of_region", "gender")
"""The breakdown columns of an SFC2021 table, in order."""

_PLACE = CELL_COLUMNS[:3]
_GENDER_ORDER = ("female", "male", "non_binary", "total")
_CATEGORIES = ("less developed", "more developed")

COMPOSITES: Mapping[str, tuple[str, ...]] = {
    "EECO02+04": ("EECO02", "EECO04"),
    "EECO02+05": ("EECO02", "EECO05"),
    "EECO02+04+05": ("EECO02", "EECO04", "EECO05"),
    "EECO06+07": ("EECO06", "EECO07"),
    "EECO10+11": ("EECO10", "EECO11"),
}
"""The reserved composite output indicators of SFC2021 table 6 and the parts each one sums."""

_COMPOSITE_NAMES: Mapping[str, str] = {
    "EECO02+04": N_("unemployed, including long-term unemployed, and inactive"),
    "EECO02+05": N_(
        "unemployed, including long-term unemployed, and employed, including self-employed"
    ),
    "EECO02+04+05": N_(
        "unemployed, inactive and employed (all participants by labour-market status)"
    ),
    "EECO06+07": N_("children below 18 and young people between 18 and 29 years of age"),
    "EECO10+11": N_(
        "with upper secondary, post-secondary (ISCED 3-4) or tertiary (ISCED 5-8) education"
    ),
}
"""The composites' names in English (their Romanian is in the core catalogue)."""

RESULT_LINKS: Mapping[str, tuple[str, ...]] = {
    # Every result counts participants, so none can exceed the participants (§3.5, derived).
    "EECR01": ("EECO01",),
    "EECR02": ("EECO01",),
    "EECR03": ("EECO01",),
    # The esf-2021 rule set counts employment results only for participants not employed at
    # entry, i.e. the unemployed and the inactive: exactly the reserved composite EECO02+04 that
    # programmes link employment results to. So these are checked against both.
    "EECR04": ("EECO01", "EECO02+04"),
    "EECR05": ("EECO01", "EECO02+04"),
    # An improved situation presupposes employment at entry (as CR07 in 2014-2020).
    "EECR06": ("EECO05",),
}
"""The output(s) each common result is linked to; a result never exceeds a linked output.

A programme links each result to an output per specific objective; pass ``result_links`` to
:func:`sfc2021_table` or :func:`sfc2021_checks` to use the programme's own linkage instead."""

CHECK_COLUMNS: tuple[str, ...] = (
    "check",
    "kind",
    "indicator",
    "expression",
    *CELL_COLUMNS,
    "left",
    "right",
    "passed",
)
"""The columns of :attr:`Sfc2021Report.checks`."""

GENDER_CHECK = _checks.GENDER_CHECK

ResultLinks = Mapping[str, str | Sequence[str]]


@attrs.frozen(kw_only=True)
class Sfc2021Provenance:
    """Where the numbers of an SFC2021 table come from.

    ``input_rows`` rows were read; ``rows_after_as_of`` entered after the as-of date; the rest
    form ``participations`` participations (``merged_rows`` re-entry rows folded in), of which
    ``counted`` passed the completeness test and ``excluded`` did not. Of the counted,
    ``left_out`` are not in the table because their region is missing or unknown (see the
    report's problems). ``projects`` is the number of project codes; ``not_computed`` lists the
    entity indicators (EECO18, EECO19), which need project documents; ``result_links`` the
    linkage the result checks used.
    """

    ruleset: str
    ruleset_version: str
    library_version: str
    as_of: dt.date | None
    projects: int
    input_rows: int
    rows_after_as_of: int
    participations: int
    merged_rows: int
    counted: int
    excluded: int
    left_out: int
    not_computed: tuple[str, ...] = ()
    result_links: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The provenance as JSON-ready data, through the one converter."""
        data: dict[str, Any] = unstructure(self)
        return data


register_record(Sfc2021Provenance)


@attrs.frozen(kw_only=True)
class Sfc2021Report:
    """The result of :func:`sfc2021_table`.

    ``table`` is tidy: ``indicator``, ``priority``, ``specific_objective``,
    ``category_of_region``, ``gender`` (``female``, ``male``, ``non_binary``, ``total``) and
    ``value``; the composite rows (``EECO02+04`` …) follow the common outputs. ``checks`` holds
    every transmission check per cell (:data:`CHECK_COLUMNS`); ``problems`` the participations
    left out and why (a missing or unknown region); ``structure`` where each project code was
    placed (``project_code``, ``programme``, ``priority``, ``specific_objective``, ``source``:
    ``"code"`` or ``"programme_structure"``); ``excluded_summary`` the participations the
    completeness test excluded, counted per project and reason. Only aggregates: no
    participant-level data.
    """

    table: pd.DataFrame = attrs.field(eq=False)
    checks: pd.DataFrame = attrs.field(eq=False)
    problems: tuple[Problem, ...]
    structure: pd.DataFrame = attrs.field(eq=False)
    excluded_summary: pd.DataFrame = attrs.field(eq=False)
    provenance: Sfc2021Provenance
    names: Mapping[str, tuple[str, str | None]] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def ok(self) -> bool:
        """Whether every transmission check passed (problems are reported separately)."""
        return bool(self.checks["passed"].all())

    def failed_checks(self) -> pd.DataFrame:
        """The rows of :attr:`checks` that failed."""
        return self.checks[~self.checks["passed"]].reset_index(drop=True)

    def value(self, indicator: str, **cell: Any) -> Any:
        """One value: ``report.value("EECO01", priority="4", specific_objective="4.16",
        category_of_region="less developed", gender="total")``; unnamed breakdowns must have a
        single cell."""
        rows = self.table[self.table["indicator"] == indicator]
        for name, wanted in cell.items():
            if name not in CELL_COLUMNS:
                raise InclusionKitError(
                    f"an SFC2021 table has no breakdown {name!r}; it has {', '.join(CELL_COLUMNS)}"
                )
            rows = rows[rows[name].astype(object) == wanted]
        if len(rows) != 1:
            raise InclusionKitError(
                f"{len(rows)} cells of {indicator!r} match {cell!r}; name every breakdown"
            )
        return rows["value"].iloc[0].item()

    def wide(
        self, kind: Literal["all", "outputs", "results"] = "all", lang: str = "en"
    ) -> pd.DataFrame:
        """The table as SFC2021 shows it: a row per priority, SO, category of region and
        indicator (with its name), a column per gender and the total."""
        return _wide(self.table, self.names, kind, lang)

    @staticmethod
    def headers(lang: str = "en") -> Mapping[str, str]:
        """Column headings of the SFC2021 layout in ``lang`` (``"en"`` or ``"ro"``), for
        exporters: ``{"priority": "Priority", "female": "Women", …}``."""
        if lang not in HEADERS:
            raise InclusionKitError(f"lang must be 'en' or 'ro', not {lang!r}")
        return HEADERS[lang]

    def layout(self, layout: str = "tidy", lang: str = "en") -> pd.DataFrame:
        """One table of the report: ``"tidy"`` (:attr:`table`), ``"wide"`` (:meth:`wide`,
        headed in ``lang``) or ``"checks"`` (:attr:`checks`), as the CSV exporter writes it."""
        if layout == "tidy":
            return self.table
        if layout == "checks":
            return self.checks
        if layout == "wide":
            return self.wide(lang=lang).rename(columns=dict(self.headers(lang)))
        raise InclusionKitError(f"layout must be 'tidy', 'wide' or 'checks', not {layout!r}")

    def summary(self, lang: str | None = None) -> str:
        """One line: projects, participations counted and left out, failed checks, problems
        (in ``lang``; default: the run's language)."""
        p = self.provenance
        failed = int((~self.checks["passed"]).sum()) if len(self.checks) else 0
        as_of = translate(" as of {date}", lang).format(date=p.as_of.isoformat()) if p.as_of else ""
        return translate(
            "SFC2021 ({ruleset} {version}){as_of}: {projects} projects, {counted} participations "
            "counted, {excluded} excluded (incomplete), {left_out} left out (region); {failed} "
            "failed checks, {problems} problems",
            lang,
        ).format(
            ruleset=p.ruleset,
            version=p.ruleset_version,
            as_of=as_of,
            projects=p.projects,
            counted=p.counted,
            excluded=p.excluded,
            left_out=p.left_out,
            failed=failed,
            problems=len(self.problems),
        )


# -- the layout ---------------------------------------------------------------------------------


def sfc2021_table(
    participations: pd.DataFrame | str | os.PathLike[str],
    *,
    programme_structure: ProgrammeStructure | None = None,
    as_of: dt.date | str | None = None,
    result_links: ResultLinks | None = None,
) -> Sfc2021Report:
    """The ESF+ common indicators per priority, specific objective, category of region and
    gender, for the participations of any number of projects, with the SFC2021 checks.

    The report is computed once (``compute(participations, "esf-2021", by=BREAKDOWNS)``) and
    laid out by :func:`sfc2021_layout`.

    :param participations: a canonical participation table (DataFrame) or the path of a file;
        rows of many projects may be mixed.
    :param programme_structure: ``{project_code: {"priority": ..., "specific_objective": ...}}``
        for codes that do not say where they belong (bare SMIS codes of PEO and PIDS) or to
        override what a code says. Codes are matched as written or in canonical form.
    :param as_of: the reporting date (SFC2021 cut-offs are 30 June and 31 December).
    :param result_links: result code -> linked output code(s); default :data:`RESULT_LINKS`.
    :raises InclusionKitError: codes that cannot be placed (all of them listed), project codes
        of different programmes without a mapping, a malformed mapping.
    """
    _require_additive()
    table = as_table(participations)
    codes = table["project_code"].astype(object).dropna().unique()
    report = compute(table, RULESET, by=BREAKDOWNS, as_of=as_of)
    return sfc2021_layout(
        report,
        programme_structure=programme_structure,
        result_links=result_links,
        project_codes=[str(code) for code in codes],
    )


def sfc2021_layout(
    report: Report,
    *,
    programme_structure: ProgrammeStructure | None = None,
    result_links: ResultLinks | None = None,
    project_codes: Sequence[str] | None = None,
) -> Sfc2021Report:
    """Lay an ``esf-2021`` report computed with the breakdowns :data:`BREAKDOWNS` (project,
    region, gender; from any engine) out as the SFC2021 table, and run the SFC2021 checks.

    ``project_codes`` are the projects the table covers (placed, and counted in the
    provenance, even when none of their rows is counted); by default those the report names.

    :raises InclusionKitError: a report of another rule set or other breakdowns, or project
        codes that cannot be placed (see :func:`sfc2021_table`).
    """
    if report.ruleset.name != RULESET or sorted(report.breakdowns) != sorted(BREAKDOWNS):
        raise InclusionKitError(
            f"an SFC2021 table is laid out from a {RULESET!r} report by "
            f"{', '.join(BREAKDOWNS)}; this one is {report.ruleset.name!r} by "
            f"{', '.join(report.breakdowns) or 'nothing'}"
        )
    _require_additive()
    links = _links(result_links)
    ruleset = report.ruleset
    seen = pd.concat(
        [
            report.table["project_code"].astype(object),
            report.excluded["project_code"].astype(object),
        ]
    )
    named = seen.dropna().unique() if project_codes is None else project_codes
    codes = sorted({str(code) for code in named})
    structure = place_codes(codes, programme_structure)
    # SFC2021 tables hold the regulation's codes: not the grand total of incomplete records.
    official = [ind.code for ind in ruleset.indicators if ind.records == "complete"]
    cells, problems, left_out = _place(
        report.table[report.table["indicator"].isin(official)], structure
    )
    grouped = (
        cells.groupby(["indicator", *CELL_COLUMNS], observed=True, sort=False, dropna=False)[
            "value"
        ]
        .sum()
        .reset_index()
    )
    order = [ind.code for ind in ruleset.indicators if not ind.is_entity]
    tidy = add_composites(grouped, order)
    names: dict[str, tuple[str, str | None]] = {
        ind.code: (ind.name_en, ind.name_ro) for ind in ruleset.indicators
    }
    names.update((code, (name, None)) for code, name in _COMPOSITE_NAMES.items())
    excluded_summary = (
        report.excluded.groupby(["project_code", "reason"], observed=True, sort=True)
        .size()
        .rename("participations")
        .reset_index()
        .astype(
            {
                "project_code": _contract.STRING_DTYPE,
                "reason": _contract.STRING_DTYPE,
                "participations": "int64",
            }
        )
    )
    p = report.provenance
    provenance = Sfc2021Provenance(
        ruleset=p.ruleset,
        ruleset_version=p.ruleset_version,
        library_version=__version__,
        as_of=p.as_of,
        projects=len(codes),
        input_rows=p.input_rows,
        rows_after_as_of=p.rows_after_as_of,
        participations=p.participations,
        merged_rows=p.merged_rows,
        counted=p.counted,
        excluded=p.excluded,
        left_out=left_out,
        not_computed=p.not_computed,
        result_links=tuple(
            f"{result} <= {output}" for result, outputs in links.items() for output in outputs
        ),
    )
    return Sfc2021Report(
        table=tidy,
        checks=sfc2021_checks(tidy, result_links=links),
        problems=tuple(problems),
        structure=structure,
        excluded_summary=excluded_summary,
        provenance=provenance,
        names=names,
    )


def _require_additive() -> None:
    for indicator in get_ruleset(RULESET).indicators:
        # Adding per-project cells is only exact for additive aggregates.
        if not indicator.is_entity and indicator.aggregate.function not in ("count", "sum"):
            raise InclusionKitError(
                f"indicator {indicator.code!r} of {RULESET!r} aggregates with "
                f"{indicator.aggregate.function!r}, which cannot be added across projects"
            )


def _links(result_links: ResultLinks | None) -> dict[str, tuple[str, ...]]:
    if result_links is None:
        return dict(RESULT_LINKS)
    out: dict[str, tuple[str, ...]] = {}
    for result, outputs in result_links.items():
        chosen = (outputs,) if isinstance(outputs, str) else tuple(outputs)
        if not chosen or not all(isinstance(code, str) and code for code in chosen):
            raise InclusionKitError(
                f"result_links[{result!r}] must be an output code or a list of them, "
                f"not {outputs!r}"
            )
        out[str(result)] = chosen
    return out


def _place(table: pd.DataFrame, structure: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], int]:
    """Add priority, SO and category of region to the per-project, per-region cells.

    Cells without a project code, or whose region is missing or unknown, are dropped and
    reported: the category of region decides the co-financing rate, so it is never guessed.
    """
    frame = table.copy()
    codes = frame["project_code"].astype(object)
    regions = frame["region"].astype(object)
    category: dict[str, str | None] = {}
    for region in regions.dropna().unique():
        try:
            category[region] = category_of_region(str(region))
        except RomanianCodeError:
            category[region] = None
    placed = structure.set_index("project_code")
    frame["priority"] = codes.map(placed["priority"].astype(object).to_dict())
    frame["specific_objective"] = codes.map(placed["specific_objective"].astype(object).to_dict())
    frame["category_of_region"] = regions.map(category)
    keep = frame["priority"].notna() & frame["category_of_region"].notna()
    # The size of a dropped cell is its participants: EECO01, all genders.
    dropped = frame[~keep & (frame["indicator"] == "EECO01") & (frame["gender"] == "total")]
    problems: list[Problem] = []
    no_code = dropped[codes[dropped.index].isna()]
    if len(no_code):
        problems.append(
            Problem(
                code="sfc2021.project_code.missing",
                column="project_code",
                message=(
                    f"{int(no_code['value'].sum())} participation(s) have no project code and "
                    "are left out of the SFC2021 table"
                ),
            )
        )
    with_code = dropped[codes[dropped.index].notna()]
    for region, rows in with_code.groupby(
        regions[with_code.index].fillna(""), sort=True, dropna=False
    ):
        count = int(rows["value"].sum())
        projects = sorted(str(code) for code in rows["project_code"].astype(object).unique())
        listed = ", ".join(projects[:5]) + (
            f" and {len(projects) - 5} more" if len(projects) > 5 else ""
        )
        if region == "":
            code, what = "sfc2021.region.missing", "have no region"
        else:
            code, what = "sfc2021.region.unknown", f"have the unknown region {region!r}"
        problems.append(
            Problem(
                code=code,
                column="region",
                message=(
                    f"{count} participation(s) {what} (projects: {listed}); the category of "
                    "region (RO32 more developed, the other NUTS-2 regions less developed) "
                    "cannot be told, so they are left out of the SFC2021 table"
                ),
            )
        )
    left_out = int(dropped["value"].sum())
    cells = frame[keep].drop(columns=["project_code", "region"])
    for name in _PLACE:
        cells[name] = cells[name].astype(_contract.STRING_DTYPE)
    return cells.reset_index(drop=True), problems, left_out


def _natural(value: Any) -> tuple[Any, ...]:
    """Sort "2" before "10" and "4.2" before "4.16"."""
    text = "" if value is None or value is pd.NA else str(value)
    # re.split with a group alternates text and digit runs, so odd positions are numbers.
    parts = re.split(r"(\d+)", text)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def _rank(values: pd.Series, key: Any) -> np.ndarray:
    """Each value's position in the sorted unique values (sorted by ``key``)."""
    plain = values.astype(object)
    uniques = sorted(dict.fromkeys(plain.tolist()), key=key)
    rank = {value: index for index, value in enumerate(uniques)}
    ranks: np.ndarray = plain.map(rank).to_numpy(dtype=np.int64)
    return ranks


def _fixed(order: Sequence[str]) -> Any:
    position = {value: index for index, value in enumerate(order)}
    return lambda value: (position.get(value, len(position)), _natural(value))


def _sorted(table: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Cell by cell (priority, SO, category of region), then indicators in ``order``, then
    genders with the total last: the order SFC2021 shows."""
    if not len(table):
        return table.reset_index(drop=True)
    keys = (
        _rank(table["gender"], _fixed(_GENDER_ORDER)),
        _rank(table["indicator"], _fixed(order)),
        _rank(table["category_of_region"], _fixed(_CATEGORIES)),
        _rank(table["specific_objective"], _natural),
        _rank(table["priority"], _natural),
    )
    return table.take(np.lexsort(keys)).reset_index(drop=True)


def add_composites(table: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Add (or recompute) the composite rows of :data:`COMPOSITES`: in every cell where a part
    is reported, the composite is the sum of its parts (a missing part counts as 0).

    The composites are placed after the last common output (``EECO…``) of each cell block, so a
    table in rule-set order keeps outputs, then composites, then results.
    """
    _require_columns(table)
    base = table[~table["indicator"].isin(list(COMPOSITES))].reset_index(drop=True)
    keys = list(CELL_COLUMNS)
    wide = _pivot(base)
    pieces = []
    for composite, parts in COMPOSITES.items():
        present = [part for part in parts if part in wide.columns]
        if not present:
            continue
        sums = wide[present].sum(axis=1)
        piece = sums.rename("value").reset_index()
        piece.insert(0, "indicator", composite)
        pieces.append(piece)
    combined = pd.concat([base, *pieces], ignore_index=True) if pieces else base.copy()
    combined["indicator"] = combined["indicator"].astype(_contract.STRING_DTYPE)
    for name in keys:
        combined[name] = combined[name].astype(base[name].dtype)
    combined["value"] = combined["value"].astype(base["value"].dtype)
    codes = (
        list(order) if order is not None else list(dict.fromkeys(base["indicator"].astype(object)))
    )
    outputs = [code for code in codes if str(code).startswith("EECO")]
    rest = [code for code in codes if code not in outputs]
    return _sorted(combined, [*outputs, *COMPOSITES, *rest])


def _require_columns(table: pd.DataFrame) -> None:
    missing = [name for name in ("indicator", *CELL_COLUMNS, "value") if name not in table.columns]
    if missing:
        raise InclusionKitError(
            f"not an SFC2021 table: the column(s) {', '.join(missing)} are missing (expected "
            f"indicator, {', '.join(CELL_COLUMNS)}, value)"
        )


def _pivot(table: pd.DataFrame) -> pd.DataFrame:
    """Indicators as columns, one row per cell; an indicator not reported in a cell is 0."""
    keys = list(CELL_COLUMNS)
    frame = table[["indicator", *keys, "value"]].copy()
    for name in ("indicator", *keys):
        frame[name] = frame[name].astype(object)
    duplicated = frame.duplicated(["indicator", *keys], keep=False)
    if duplicated.any():
        first = frame[duplicated].iloc[0][["indicator", *keys]].to_dict()
        raise InclusionKitError(
            f"{int(duplicated.sum())} rows of the SFC2021 table describe the same cell, e.g. "
            f"{first}; a tidy table has one row per indicator and cell"
        )
    if frame[keys].isna().any().any():
        raise InclusionKitError(
            "the SFC2021 table has empty priority, specific objective, category of region or "
            "gender cells"
        )
    if not len(frame):
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
    return frame.pivot_table(
        index=keys,
        columns="indicator",
        values="value",
        aggfunc="first",
        fill_value=0,
        sort=False,
        observed=True,
    )


# -- the checks ---------------------------------------------------------------------------------


def sfc2021_checks(table: pd.DataFrame, *, result_links: ResultLinks | None = None) -> pd.DataFrame:
    """Run the SFC2021 transmission checks on a tidy SFC2021 table (any, not only ours), through
    the one check engine.

    Per priority, specific objective, category of region and gender:

    - ``composite_<code>``: a reserved composite equals the sum of its parts;
    - ``result_<result>_le_<output>``: a result does not exceed its linked output
      (:data:`RESULT_LINKS`, or ``result_links``);

    and per priority, SO and category of region, for every indicator, ``genders_sum_to_total``:
    the total equals the sum of the genders (``gender`` is empty on those rows).

    An indicator not reported in a cell counts as 0 there; a check whose left-hand indicator is
    not in the table at all is not run (the programme does not report it). Returns a DataFrame
    with :data:`CHECK_COLUMNS`; ``passed`` is ``False`` where the check fails.
    """
    _require_columns(table)
    links = _links(result_links)
    wide = _pivot(table)
    reported = set(table["indicator"].astype(object))
    checks = [
        Check(id=f"composite_{code}", kind="sum_equals", left=(code,), right=parts)
        for code, parts in COMPOSITES.items()
        if code in reported
    ]
    checks += [
        Check(id=f"result_{result}_le_{output}", kind="at_most", left=(result,), right=(output,))
        for result, outputs in links.items()
        if result in reported
        for output in outputs
    ]
    size = len(wide)
    values = {
        code: (wide[code].to_numpy() if code in wide.columns else np.zeros(size, dtype=np.int64))
        for check in checks
        for code in (*check.left, *check.right)
    }
    results: list[_checks.CheckResult] = []
    for check in checks:
        result = _checks.run(check, values, (size,))
        if result is not None:
            results.append(attrs.evolve(result, indicator=check.left[0], cells="cell"))
    cells = wide.index.to_frame(index=False)
    gender, summary = _gender_check(table)
    if gender is not None:
        results.append(gender)
    if not results:
        return _empty_checks()
    out = _checks.frame(results, {"cell": cells, "summary": summary})[list(CHECK_COLUMNS)]
    for name in CHECK_COLUMNS[:-3]:
        out[name] = out[name].astype(_contract.STRING_DTYPE)
    out["passed"] = out["passed"].astype(bool)
    return out


def _gender_check(table: pd.DataFrame) -> tuple[_checks.CheckResult | None, pd.DataFrame]:
    """The gender-total check of every indicator per priority, SO and category of region."""
    keys = ["indicator", *_PLACE]
    frame = table[[*keys, "gender", "value"]].copy()
    for name in (*keys, "gender"):
        frame[name] = frame[name].astype(object)
    is_total = frame["gender"] == "total"
    if not is_total.any():
        return None, pd.DataFrame()
    totals = frame[is_total].set_index(keys)["value"]
    genders = frame[~is_total].groupby(keys, sort=False)["value"].sum()
    genders = genders.reindex(totals.index, fill_value=0)
    cells = totals.index.to_frame(index=False)
    codes = cells["indicator"].to_numpy(dtype=object)
    result = _checks.gender_total(codes, totals.to_numpy(), genders.to_numpy())
    summary = cells[list(_PLACE)].assign(
        gender=pd.array([None] * len(cells), dtype=_contract.STRING_DTYPE)
    )
    return result, summary


def _empty_checks() -> pd.DataFrame:
    out = pd.DataFrame(
        {name: pd.array([], dtype=_contract.STRING_DTYPE) for name in CHECK_COLUMNS[:-3]}
    )
    out["left"] = np.zeros(0, dtype=np.int64)
    out["right"] = np.zeros(0, dtype=np.int64)
    out["passed"] = np.zeros(0, dtype=bool)
    return out


# -- the wide layout ----------------------------------------------------------------------------

HEADERS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "priority": N_("Priority"),
        "specific_objective": N_("Specific objective"),
        "category_of_region": N_("Category of region"),
        "indicator": N_("Indicator"),
        "name": N_("Name"),
        "female": N_("Women"),
        "male": N_("Men"),
        "non_binary": N_("Non-binary"),
        "total": N_("Total"),
    }
)
"""The SFC2021 layout's column headings, in English and Romanian."""


def _wide(
    table: pd.DataFrame,
    names: Mapping[str, tuple[str, str | None]],
    kind: str,
    lang: str,
) -> pd.DataFrame:
    if lang not in HEADERS:
        raise InclusionKitError(f"lang must be 'en' or 'ro', not {lang!r}")
    if kind not in ("all", "outputs", "results"):
        raise InclusionKitError(f"kind must be 'all', 'outputs' or 'results', not {kind!r}")
    codes = table["indicator"].astype(object)
    if kind == "outputs":
        table = table[codes.str.startswith("EECO")]
    elif kind == "results":
        table = table[codes.str.startswith("EECR")]
    keys = [*_PLACE, "indicator"]
    frame = table.copy()
    for name in (*keys, "gender"):
        frame[name] = frame[name].astype(object)
    row_order = list(dict.fromkeys(map(tuple, frame[keys].to_numpy().tolist())))
    # Every SFC2021 gender column, even when empty, plus any other gender the table has.
    genders = [*_GENDER_ORDER, *sorted(set(frame["gender"]) - set(_GENDER_ORDER))]
    wide = frame.pivot_table(
        index=keys, columns="gender", values="value", aggfunc="first", sort=False, observed=True
    )
    wide = wide.reindex(
        index=pd.MultiIndex.from_tuples(row_order, names=keys) if row_order else None
    )
    wide = wide.reindex(columns=genders).reset_index()
    wide.columns.name = None

    def name_of(code: Any) -> str:
        en, ro = names.get(str(code), ("", None))
        return ro if lang == "ro" and ro else translate(en, lang)

    wide.insert(len(keys), "name", [name_of(code) for code in wide["indicator"]])
    for gender in genders:
        wide[gender] = wide[gender].fillna(0).astype(table["value"].dtype)
    return wide


def write_sfc2021(
    report: Sfc2021Report,
    path: str | os.PathLike[str],
    *,
    layout: Literal["tidy", "wide", "checks"] = "tidy",
    lang: str = "en",
) -> Path:
    """Write an SFC2021 report to ``path`` through the exporters (atomically): ``.csv`` (one
    table: ``layout`` ``tidy``, ``wide`` or ``checks``, headed in ``lang``) or ``.xlsx`` (the
    SFC2021 workbook, with ``inclusionkit-xlsx``). The same as
    ``inclusionkit.write(report, path, layout=..., lang=...)`` for CSV and
    ``inclusionkit.write(report, path, lang=...)`` for xlsx. Returns the path written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    Sfc2021Report.headers(lang)
    if suffix == ".csv":
        write(report, target, format="csv", layout=layout, lang=lang)
    elif suffix == ".xlsx":
        write(report, target, format="xlsx", lang=lang)
    else:
        raise InclusionKitError(
            f"{target}: an SFC2021 table is written as .csv or .xlsx, "
            f"not {suffix or 'no extension'!r}"
        )
    return target
