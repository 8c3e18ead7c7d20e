"""Write reports, progress tables and participation tables as formatted ``.xlsx`` workbooks.

Every sheet has a bold, frozen header row with a filter, columns as wide as their content, and
number formats (thousands separators, ISO dates). The workbooks are meant to be handed to a
managing authority as they are, on screen or printed:

- the main table of each workbook has a title block above its header: what it is, the project
  (code and title) when known, the period or as-of date, the rule set and its version, and when
  the workbook was generated (in Romanian with ``lang="ro"``); a blank row separates it from the
  header (readers find the header below it: the xlsx importer looks for it in the top rows);
- printed, every sheet is A4, one page wide (as many pages long as needed), landscape when the
  table is wide, with its header row repeated on every page; long texts (indicator names)
  wrap in their column, and the panes are frozen below the header.

The sheets:

- a report: ``Indicators`` (one row per indicator, one column per breakdown cell), ``Excluded``,
  ``Checks`` and ``Provenance``;
- an SFC2021 report (:class:`inclusionkit.Sfc2021Report`): outputs (table 6) and results (table
  10) in the SFC2021 layout, checks (failed rows in red), problems, projects, excluded counts
  and provenance;
- a progress table: one ``Progress`` sheet (target, achieved, percent, status, …);
- a participation table: one ``Participations`` sheet with the canonical columns only (names and
  CNPs never leave through this writer).

Cells hold the numbers themselves (a percent of 45.5 is the number 45.5), so any reader gets
exactly the values of the table. ``options={"lang": "ro"}`` writes Romanian sheet names and
headers.

Every text cell is written as a text value, never as a formula (openpyxl would make any text
starting with ``=`` a formula, and ``#N/A`` an error value): the text is kept exactly, and a cell
starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is also marked "quote prefix",
so a spreadsheet keeps it as text even when someone edits it (see ``docs/security.md``). Control
characters that an ``.xlsx`` file cannot hold are written as U+FFFD (�).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from inclusionkit import COLUMN_NAMES, InclusionKitError, Sfc2021Report, TechnicalReport
from inclusionkit.plugin import (
    LANGUAGES,
    N_,
    Localised,
    ReportData,
    column_header,
    current_language,
    needs_quote,
    translate_table,
)
from inclusionkit_xlsx._translator import TRANSLATOR

OPTIONS = ("lang", "indicator_names", "include_excluded_ids")

SHEETS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "indicators": N_("Indicators"),
        "excluded": N_("Excluded"),
        "checks": N_("Checks"),
        "provenance": N_("Provenance"),
        "progress": N_("Progress"),
        "participations": N_("Participations"),
    },
    TRANSLATOR,
)

LABELS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "objective": N_("Objective"),
        "indicator": N_("Indicator"),
        "name": N_("Name"),
        "unit": N_("Unit"),
        "kind": N_("Kind"),
        "baseline": N_("Baseline"),
        "target": N_("Target"),
        "milestone": N_("Milestone"),
        "achieved": N_("Achieved"),
        "percent": N_("Percent (%)"),
        "status": N_("Status"),
        "source": N_("Source"),
        "value": N_("Value"),
        "total": N_("total"),
        "field": N_("Field"),
        "exported_by": N_("exported_by"),
        "breakdowns": N_("breakdowns"),
    },
    TRANSLATOR,
)

TITLES: Mapping[str, Mapping[str, str]] = Localised(
    {
        "report": N_("Indicator report"),
        "sfc2021_outputs": N_("SFC2021 report: output indicators (table 6)"),
        "sfc2021_results": N_("SFC2021 report: result indicators (table 10)"),
        "technical_indicators": N_("Technical report: indicators achieved"),
        "technical_target_groups": N_("Technical report: target group"),
        "progress": N_("Indicator progress"),
        "participations": N_("Participations"),
        "project": N_("Project"),
        "projects": N_("Projects"),
        "period": N_("Period"),
        "as_of": N_("As of"),
        "ruleset": N_("Rule set"),
        "version": N_("version"),
        "generated": N_("Generated"),
        "rows": N_("Rows"),
    },
    TRANSLATOR,
)
"""The title blocks above the main tables, in English and Romanian."""

HEADER_FONT = Font(name="Calibri", size=11, bold=True)  # openpyxl's default font, in bold
HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
NUMBER_HEADER_ALIGNMENT = Alignment(horizontal="right", vertical="top", wrap_text=True)
STATUS_FILLS: Mapping[str, PatternFill] = {
    "met": PatternFill("solid", start_color="C6EFCE"),
    "exceeded": PatternFill("solid", start_color="C6EFCE"),
    "behind": PatternFill("solid", start_color="FFEB9C"),
    "not started": PatternFill("solid", start_color="EDEDED"),
}
CHECK_FILLS: Mapping[bool, PatternFill] = {
    True: PatternFill("solid", start_color="C6EFCE"),
    False: PatternFill("solid", start_color="FFC7CE"),
}
CHECK_COLUMNS = frozenset({"passed", "ok", "pass"})

WHOLE = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 8, 60
WRAP_WIDTH = 45
"""The width of a column of long texts (indicator names): its cells wrap within it."""
PORTRAIT_WIDTH = 110
"""The widest table (sum of column widths, in characters) printed portrait; wider is landscape."""
TITLE_FONT = Font(name="Calibri", size=14, bold=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
MAX_TEXT = 32_767
"""The most characters an Excel cell holds."""


@attrs.frozen(kw_only=True)
class Column:
    """One column of a sheet: its header, its cells (Python values) and how they look."""

    header: str
    values: Sequence[Any]
    number_format: str | None = None
    fill: Callable[[Any], PatternFill | None] | None = None
    wrap: bool = False


def write_xlsx(obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]) -> None:
    """Write ``obj`` (a report, progress table or participation table) to ``path`` as .xlsx.

    Options: ``lang`` (``"en"``, the default, or ``"ro"``: sheet names and headers) and, for
    reports, ``indicator_names`` (indicator code -> name, or -> ``{"en": …, "ro": …}``) when the
    report does not carry names itself, and ``include_excluded_ids`` (default false: the
    ``Excluded`` sheet counts the excluded participations by reason, without their ids).
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"unknown xlsx write option(s) {', '.join(map(repr, unknown))}; known: "
            f"{', '.join(OPTIONS)}"
        )
    if kind == "template":
        from inclusionkit_xlsx._template import write_template

        write_template(obj, path)
        return
    lang = options.get("lang") or current_language()  # the run's (--lang), English by default
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    workbook = Workbook(write_only=True)
    if kind == "report" and isinstance(obj, Sfc2021Report):
        _sfc2021(workbook, obj, lang=lang)
    elif kind == "report" and isinstance(obj, TechnicalReport):
        _technical(workbook, obj, lang=options.get("lang", obj.lang))
    elif kind == "report":
        _report(workbook, obj, lang=lang, names=options.get("indicator_names"), options=options)
    elif kind == "progress":
        _progress(workbook, _frame(obj, kind), lang=lang)
    elif kind == "participations":
        _participations(workbook, _frame(obj, kind), lang=lang)
    else:
        raise InclusionKitError(
            f"the xlsx writer writes reports, progress tables and participations, not {kind!r}"
        )
    workbook.properties.creator = "inclusionkit-xlsx"
    workbook.save(os.fspath(path))


def _frame(obj: Any, kind: str) -> pd.DataFrame:
    if not isinstance(obj, pd.DataFrame):
        raise InclusionKitError(
            f"a {kind} table must be a pandas DataFrame, not {type(obj).__name__}"
        )
    return obj


# -- the three kinds --------------------------------------------------------------------------


def _report(
    workbook: Workbook, report: Any, *, lang: str, names: Any, options: Mapping[str, Any]
) -> None:
    try:
        # Excluded participations as counts by reason, ids only when asked for.
        data = ReportData.for_export(report, options)
    except TypeError as exc:
        raise InclusionKitError(f"cannot write this report as xlsx: {exc}") from None
    sheets, labels = SHEETS[lang], LABELS[lang]
    table = translate_table(data.table, lang, headers=False)  # women, men; entries, leavers
    breakdowns = [str(c) for c in table.columns if c not in ("indicator", "value", "name")]
    indicator_names = _indicator_names(report, table, names, lang, data.provenance)
    _write_sheet(
        workbook,
        sheets["indicators"],
        _indicator_columns(table, breakdowns, indicator_names, labels),
        freeze_columns=2 if indicator_names else 1,
        heading=title_block(lang, "report", provenance=data.provenance),
    )
    excluded = translate_table(data.excluded, lang, headers=False)  # each reason in words
    _write_sheet(workbook, sheets["excluded"], _frame_columns(excluded, _headers(excluded, lang)))
    _write_sheet(
        workbook, sheets["checks"], _frame_columns(data.checks, _headers(data.checks, lang))
    )
    # The provenance as the one converter gives it (every field, defaults included).
    provenance = dict(data.provenance)
    provenance.setdefault(labels["breakdowns"], ", ".join(breakdowns))
    provenance[labels["exported_by"]] = f"inclusionkit-xlsx {_version()}"
    _write_sheet(
        workbook,
        sheets["provenance"],
        [
            Column(header=labels["field"], values=[str(k) for k in provenance]),
            Column(
                header=labels["value"],
                values=[_provenance_value(v) for v in provenance.values()],
                number_format=None,
            ),
        ],
    )


TECHNICAL_SHEETS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "report": N_("Report"),
        "indicators": N_("Indicators"),
        "target_groups": N_("Target group"),
    },
    TRANSLATOR,
    context="technical report",
)
"""The sheets of a technical report (``--layout raport-tehnic``), in English and Romanian."""


def _technical(workbook: Workbook, report: TechnicalReport, *, lang: str) -> None:
    """A technical report of a reporting period (Anexa 9): the project and period, the
    indicators table and the target-group table, headed in ``lang``."""
    sheets, titles, labels = TECHNICAL_SHEETS[lang], report.titles(lang), LABELS[lang]
    facts = {
        titles["report"]: f"{report.project_code} {report.project_title}",
        titles["period"]: str(report.period),
    }
    _write_sheet(
        workbook,
        sheets["report"],
        [
            Column(header=labels["field"], values=list(facts)),
            Column(header=labels["value"], values=list(facts.values()), number_format=None),
        ],
    )
    tables = report.tables(lang)
    project = f"{report.project_code} {report.project_title}".strip()
    for part in ("indicators", "target_groups"):
        _write_sheet(
            workbook,
            sheets[part],
            _frame_columns(tables[part]),
            freeze_columns=2,
            heading=title_block(
                lang, f"technical_{part}", project=project, period=str(report.period)
            ),
        )


SFC2021_SHEETS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "outputs": N_("Outputs (table 6)"),
        "results": N_("Results (table 10)"),
        "checks": N_("Checks"),
        "problems": N_("Problems"),
        "projects": N_("Projects"),
        "excluded": N_("Excluded"),
        "provenance": N_("Provenance"),
    },
    TRANSLATOR,
)
"""The sheets of an SFC2021 workbook, in English and Romanian."""


def _sfc2021(workbook: Workbook, report: Sfc2021Report, *, lang: str) -> None:
    """An SFC2021 report: outputs and results in the SFC2021 layout, the checks (failed rows
    in red), the problems, where each project was placed, the excluded counts, the provenance."""
    sheets, headers = SFC2021_SHEETS[lang], report.headers(lang)
    provenance = ReportData.from_report(report).provenance
    for part in ("outputs", "results"):
        _write_sheet(
            workbook,
            sheets[part],
            _frame_columns(report.wide(part, lang), headers),
            heading=title_block(
                lang,
                f"sfc2021_{part}",
                provenance=provenance,
                project=_project_of(report.structure),
            ),
        )
    checks = report.checks
    failed = [None if passed else CHECK_FILLS[False] for passed in checks["passed"].tolist()]
    _write_sheet(workbook, sheets["checks"], _frame_columns(checks, headers), row_fills=failed)
    problems = pd.DataFrame(
        {
            "code": [p.code for p in report.problems],
            "column": [p.column for p in report.problems],
            "message": [p.message for p in report.problems],
        }
    )
    _write_sheet(workbook, sheets["problems"], _frame_columns(problems, headers))
    _write_sheet(workbook, sheets["projects"], _frame_columns(report.structure, headers))
    _write_sheet(workbook, sheets["excluded"], _frame_columns(report.excluded_summary, headers))
    _write_sheet(
        workbook,
        sheets["provenance"],
        [
            Column(header="field", values=[str(k) for k in provenance]),
            Column(header="value", values=[_provenance_value(v) for v in provenance.values()]),
        ],
    )


def _version() -> str:
    from inclusionkit_xlsx import __version__

    return __version__


def _headers(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """Each column's header in ``lang`` (the core's column headers)."""
    return {str(name): column_header(str(name), lang) for name in frame.columns}


def _progress(workbook: Workbook, frame: pd.DataFrame, *, lang: str) -> None:
    labels = LABELS[lang]
    # statuses and units in the language; each status keeps its colour
    shown = translate_table(frame, lang, headers=False)
    statuses = pd.DataFrame({"status": list(STATUS_FILLS)})
    words = translate_table(statuses, lang, headers=False)["status"]
    fills = {str(w): STATUS_FILLS[s] for s, w in zip(STATUS_FILLS, words, strict=True)}
    columns = []
    for column, name in zip(_frame_columns(shown, labels=labels), frame.columns, strict=True):
        if name == "percent":
            column = attrs.evolve(column, number_format=PERCENT)
        elif name == "status":
            column = attrs.evolve(column, fill=lambda value: fills.get(str(value)))
        columns.append(column)
    freeze = 3 if {"objective", "indicator"} <= set(frame.columns) else 1
    _write_sheet(
        workbook,
        SHEETS[lang]["progress"],
        columns,
        freeze_columns=freeze,
        heading=title_block(lang, "progress", project=_project_of(frame)),
    )


def _participations(workbook: Workbook, frame: pd.DataFrame, *, lang: str) -> None:
    missing = [name for name in COLUMN_NAMES if name not in frame.columns]
    if missing:
        raise InclusionKitError(
            f"not a participation table: the canonical column(s) {', '.join(missing)} are missing"
        )
    # The canonical columns only: identifiers (names, CNP) never leave through this writer.
    _write_sheet(
        workbook,
        SHEETS[lang]["participations"],
        _frame_columns(frame[list(COLUMN_NAMES)]),
        heading=title_block(lang, "participations", project=_project_of(frame)),
    )


# -- indicators: tidy -> wide ---------------------------------------------------------------


def _indicator_names(
    report: Any, table: pd.DataFrame, given: Any, lang: str, provenance: Mapping[str, Any]
) -> dict[str, str]:
    """Indicator code -> name: from the option, the report, the table's ``name`` column, or the
    registered rule set the provenance names; else none (the sheet then shows codes only)."""
    names: Any = given
    if names is None:
        names = getattr(report, "indicator_names", None)
    if names is None and "name" in table.columns:
        names = dict(zip(table["indicator"].astype(str), table["name"], strict=True))
    if names is None:
        names = _ruleset_names(provenance.get("ruleset"))
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise InclusionKitError("indicator_names must map indicator codes to names")
    out = {}
    for code, name in names.items():
        text = _in_language(name, lang)
        if text:
            out[str(code)] = text
    return out


def _ruleset_names(ruleset: Any) -> dict[str, Any] | None:
    """The indicator names of the registered rule set called ``ruleset``, if there is one."""
    if not isinstance(ruleset, str):
        return None
    try:
        from inclusionkit import get_plugin_manager

        found = get_plugin_manager().rulesets().get(ruleset)
    except (ImportError, InclusionKitError):
        return None
    if found is None:
        return None
    indicators = found.document.get("indicators", [])
    return {
        str(item["code"]): item.get("name")
        for item in indicators
        if isinstance(item, Mapping) and "code" in item
    }


def _in_language(name: Any, lang: str) -> str | None:
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    if hasattr(name, "in_language"):
        return str(name.in_language(lang))
    if isinstance(name, Mapping):
        value = name.get(lang) or name.get("en") or next(iter(name.values()), None)
        return None if value is None else str(value)
    return str(name)


def cell_label(columns: Sequence[str], values: Sequence[Any], total: str = "total") -> str:
    """The column header of one breakdown cell of a report's table.

    With one breakdown it is the value (``female``); with several, each value that is present
    named by its column (``gender: female / region: RO21``, or ``region: RO21`` for a row that is
    not broken down by gender). A row with no breakdown value at all is ``total``.
    """
    present = [(column, value) for column, value in zip(columns, values, strict=True)]
    present = [(column, value) for column, value in present if not _missing(value)]
    if not present:
        return total
    if len(columns) == 1:
        return str(present[0][1])
    return " / ".join(f"{column}: {value}" for column, value in present)


def _indicator_columns(
    table: pd.DataFrame,
    breakdowns: list[str],
    names: Mapping[str, str],
    labels: Mapping[str, str],
) -> list[Column]:
    for needed in ("indicator", "value"):
        if needed not in table.columns:
            raise InclusionKitError(f"a report's table needs an {needed!r} column")
    codes = list(dict.fromkeys(table["indicator"].astype(str)))
    if breakdowns:
        cells = [
            cell_label(breakdowns, row, labels["total"])
            for row in table[breakdowns].itertuples(index=False, name=None)
        ]
    else:
        cells = [labels["value"]] * len(table)
    order = list(dict.fromkeys(cells))
    grid: dict[tuple[str, str], Any] = {}
    for code, cell, value in zip(
        table["indicator"].astype(str), cells, table["value"], strict=True
    ):
        if (code, cell) in grid:
            raise InclusionKitError(
                f"the report's table has two rows for indicator {code!r} in cell {cell!r}"
            )
        grid[code, cell] = value
    columns = [Column(header=labels["indicator"], values=codes)]
    if names:
        columns.append(
            Column(header=labels["name"], values=[names.get(code) for code in codes], wrap=True)
        )
    for cell in order:
        values = [_python(grid.get((code, cell))) for code in codes]
        columns.append(Column(header=cell, values=values, number_format=_number_format(values)))
    return columns


# -- generic DataFrame -> columns -----------------------------------------------------------


def _frame_columns(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> list[Column]:
    columns = []
    for name in frame.columns:
        series = frame[name]
        values = [_python(value) for value in series.tolist()]
        number_format: str | None = None
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            stamps = [v for v in values if isinstance(v, dt.datetime)]
            if all(v == dt.datetime.combine(v.date(), dt.time()) for v in stamps):
                values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
                number_format = DATE
            else:
                number_format = DATETIME
        elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            number_format = _number_format(values)
        elif any(isinstance(v, dt.date) for v in values):
            number_format = DATE
        fill = None
        if str(name) in CHECK_COLUMNS and pd.api.types.is_bool_dtype(series.dtype):
            fill = _check_fill
        header = str(name) if labels is None else labels.get(str(name), str(name))
        columns.append(
            Column(
                header=header,
                values=values,
                number_format=number_format,
                fill=fill,
                wrap=number_format is None and _long_text(values),
            )
        )
    return columns


def _long_text(values: Sequence[Any]) -> bool:
    """Whether a column holds a text too long for one line of a printed column (it wraps)."""
    return any(isinstance(v, str) and len(v) > WRAP_WIDTH for v in values)


def _check_fill(value: Any) -> PatternFill | None:
    return CHECK_FILLS.get(value) if isinstance(value, bool) else None


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _python(value: Any) -> Any:
    """A cell value openpyxl can write: missing -> None, numpy/pandas scalars -> Python."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, str):
        return str(value)  # plain str, also for StrEnum members
    if isinstance(value, int | float | dt.date | dt.datetime):
        return value
    return str(value)


def _number_format(values: Sequence[Any]) -> str:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if all(float(v).is_integer() for v in numbers if math.isfinite(v)):
        return WHOLE
    return DECIMAL


def _provenance_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(_provenance_value(v)) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    value = _python(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# -- the title block ------------------------------------------------------------------------


def title_block(
    lang: str,
    what: str,
    *,
    provenance: Mapping[str, Any] | None = None,
    project: str | None = None,
    period: str | None = None,
    generated: dt.datetime | None = None,
) -> list[str]:
    """The lines above a main table: what it is (``TITLES[lang][what]``), the project and the
    period when known, else the as-of date, the rule set and its version (from the report's
    provenance), and the generation time (now, in UTC, unless ``generated`` is given)."""
    words = TITLES[lang]
    provenance = provenance or {}
    lines = [words[what]]
    if project:
        lines.append(f"{words['project']}: {project}")
    if isinstance(provenance.get("projects"), int):
        lines.append(f"{words['projects']}: {provenance['projects']}")
    if period is None and isinstance(provenance.get("period"), list | tuple):
        period = " – ".join(str(_provenance_value(day)) for day in provenance["period"])
    if period:
        lines.append(f"{words['period']}: {period}")
    as_of = provenance.get("as_of")
    if as_of:
        lines.append(f"{words['as_of']}: {_provenance_value(as_of)}")
    if provenance.get("ruleset"):
        ruleset = str(provenance["ruleset"])
        if provenance.get("ruleset_version"):
            ruleset += f", {words['version']} {provenance['ruleset_version']}"
        lines.append(f"{words['ruleset']}: {ruleset}")
    when = generated or dt.datetime.now(dt.UTC)
    lines.append(f"{words['generated']}: {when:%Y-%m-%d %H:%M} UTC")
    return lines


def _project_of(frame: pd.DataFrame) -> str | None:
    """The project code of a table whose ``project_code`` column holds a single one."""
    if "project_code" not in frame.columns:
        return None
    codes = frame["project_code"].dropna().astype(str).unique()
    return str(codes[0]) if len(codes) == 1 else None


# -- the sheet writer -----------------------------------------------------------------------


def _display_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, dt.datetime):
        return 19 if number_format == DATETIME else 10
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return 4
        if number_format == DECIMAL:
            return len(f"{value:,.2f}")
        if number_format == PERCENT:
            return len(f"{value:.1f}")
        return len(f"{value:,.0f}") if float(value).is_integer() else len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    *,
    freeze_columns: int = 0,
    row_fills: Sequence[PatternFill | None] | None = None,
    heading: Sequence[str] = (),
) -> None:
    """Write one sheet: the ``heading`` lines (a title block, then a blank row) when given, a
    header row, then the columns' values; ``row_fills`` colours whole rows (a fill or ``None``
    per row)."""
    # Any: the stubs lack column_dimensions and auto_filter, which write-only sheets do have.
    sheet: Any = workbook.create_sheet(title)
    rows = max((len(column.values) for column in columns), default=0)
    total_width = 0.0
    for index, column in enumerate(columns, start=1):
        content = max(
            (_display_width(value, column.number_format) for value in column.values), default=0
        )
        limit = WRAP_WIDTH if column.wrap else MAX_WIDTH
        width = max(MIN_WIDTH, min(limit, max(_header_width(column.header), content) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
        total_width += width
    # Printed, a sheet is A4, one page wide, landscape when wide, the header row on every page.
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if total_width > PORTRAIT_WIDTH else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    # Narrow margins (inches): more of the table on each page, still printable by any printer.
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    top = len(heading) + 1 if heading else 0  # the title lines and a blank row
    header_row = top + 1
    sheet.print_title_rows = f"{header_row}:{header_row}"
    if columns:
        sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_row + 1}"
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + rows}"
    for number, line in enumerate(heading):
        cell = _text_cell(sheet, line, title)
        cell.font = TITLE_FONT if number == 0 else HEADER_FONT
        sheet.append([cell])
    if heading:
        sheet.append([])
    header = []
    for column in columns:
        cell = _text_cell(sheet, column.header, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        numeric = column.number_format in (WHOLE, DECIMAL, PERCENT)
        cell.alignment = NUMBER_HEADER_ALIGNMENT if numeric else HEADER_ALIGNMENT
        header.append(cell)
    sheet.append(header)
    styled = [
        column.number_format is not None or column.fill is not None or column.wrap
        for column in columns
    ]
    for row in range(rows):
        out: list[Any] = []
        row_fill = row_fills[row] if row_fills is not None else None
        for column, styled_column in zip(columns, styled, strict=True):
            needs_style = styled_column or row_fill is not None
            value = column.values[row] if row < len(column.values) else None
            if isinstance(value, str):
                # Text is always a text value, never a formula or an error (see the docstring).
                if needs_style or _special(value):
                    cell = _text_cell(sheet, value, title)
                else:
                    out.append(value)
                    continue
            elif not needs_style or (value is None and row_fill is None):
                out.append(value)
                continue
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if column.number_format is not None:
                cell.number_format = column.number_format
            if column.wrap:
                cell.alignment = WRAP_ALIGNMENT
            if row_fill is not None:
                cell.fill = row_fill
            if column.fill is not None and (fill := column.fill(value)) is not None:
                cell.fill = fill
            out.append(cell)
        sheet.append(out)


def _header_width(header: str) -> int:
    """The width a header needs: its longest word (headers wrap between words)."""
    return max((len(word) for word in header.split()), default=0)


def _special(text: str) -> bool:
    """Whether openpyxl would not write ``text`` as plain text as it is."""
    return (
        text.startswith("=")
        or text in ERROR_CODES
        or needs_quote(text)
        or len(text) > MAX_TEXT
        or ILLEGAL_CHARACTERS_RE.search(text) is not None
    )


def _text_cell(sheet: Any, text: str, title: str) -> Any:
    """A cell holding ``text`` as a text value: never a formula, never an error value."""
    if len(text) > MAX_TEXT:
        raise InclusionKitError(
            f"sheet {title!r}: a cell of {len(text)} characters is longer than Excel allows "
            f"({MAX_TEXT}); shorten it, or export to CSV"
        )
    # Control characters (other than tab, line feed, carriage return) cannot be stored in XML.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl guesses from the text: "=..." becomes a formula, "#N/A" an error. It is text.
    cell.data_type = "s"
    if needs_quote(text):
        # Excel's "quote prefix": the cell stays text even when someone edits it.
        cell.quotePrefix = True
    return cell
