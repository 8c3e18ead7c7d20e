"""Commands about indicators: ``report`` (compute a rule set) and ``rulesets`` (list them).

Also :func:`validate_table_command_output`, the text ``inclusionkit validate TABLE.csv`` prints
for a participation table. Every user mistake (unknown rule set, bad breakdown, unreadable file)
is an :class:`~inclusionkit.InclusionKitError`, which the command group turns into a message and
exit code 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from inclusionkit._errors import InclusionKitError, ValidationError
from inclusionkit._i18n import translate
from inclusionkit.cli._common import (
    allow_by_option,
    check_by,
    format_table,
    output_format,
    parse_date_option,
    participation_source,
    read_table,
    reading_options,
    write_file,
)

if TYPE_CHECKING:
    import pandas as pd


def report_csv(table: pd.DataFrame) -> str:
    """The tidy table as CSV text: header ``indicator,<breakdowns…>,value``, empty for missing,
    formula-like text quoted as in every CSV written (``_sanitise.frame_to_csv``); in the run's
    language (``--lang ro``: Romanian headers and words, as the CSV exporter writes it)."""
    from inclusionkit._i18n._tables import translate_table
    from inclusionkit._sanitise import frame_to_csv

    return frame_to_csv(translate_table(table))


def report_json(report: Any, table: pd.DataFrame | None = None) -> str:
    """The report as JSON text: provenance, the tidy table (or ``table``, e.g. suppressed),
    failed checks and excluded count."""
    table = report.table if table is None else table
    records = json.loads(table.to_json(orient="records", date_format="iso"))
    failed = json.loads(report.failed_checks().to_json(orient="records", date_format="iso"))
    reason = report.excluded["reason"]
    if reason.dtype == "category":
        # A categorical's counts list every category: count the codes instead, so only the
        # reasons present are listed, most frequent first and ties in order of appearance.
        counts = reason.cat.codes.value_counts()
        counts = counts[counts.index >= 0]
        counts.index = reason.cat.categories[counts.index.to_numpy()]
    else:
        counts = reason.value_counts()
    reasons = counts.to_dict()
    document = {
        "provenance": report.provenance.as_dict(),
        "table": records,
        "failed_checks": failed,
        "excluded": {"count": len(report.excluded), "by_reason": reasons},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_period_option(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> Any:
    """A click callback for ``--period``: :func:`inclusionkit.parse_period` (``2015-Q1``,
    ``2015-S1``, ``2015-01-01..2015-03-31`` …), its error as the option's."""
    if value is None:
        return None
    from inclusionkit import parse_period

    try:
        return parse_period(value)
    except InclusionKitError as exc:
        raise click.BadParameter(str(exc)) from None


PERIOD_HELP = (
    "A reporting period: START..END (2015-01-01..2015-03-31), a quarter (2015-Q1), a semester "
    "(2015-S1), a month (2015-03) or a year (2015)."
)

ENGINES = ("auto", "pandas", "streaming", "dask")
_STREAMED_SUFFIXES = (".parquet", ".pq")


@click.command(name="report")
@click.argument("participations", type=participation_source)
@click.option(
    "--rules",
    default=None,
    help="A rule set name (see `inclusionkit rulesets`) or the path of a rule set .json file. "
    "Default: the rule set of the programming period of the table's project codes (POSDRU "
    "esf-2007, POCU esf-2014, PEO/PIDS and other 2021-2027 codes esf-2021; esf-2014 when the "
    "codes do not tell). A rule set of another period is computed, with a warning.",
)
@click.option(
    "--by",
    default="gender",
    show_default=True,
    help="Breakdowns, comma separated: any column, or age_band, entry_year, exit_year. "
    "Use --by '' for one row per indicator.",
)
@allow_by_option
@click.option(
    "--as-of",
    callback=parse_date_option,
    help="Compute as of this date (YYYY-MM-DD). Default: the last day of --period, else today, "
    "as validate checks: a row entered after it is not counted and is listed in --excluded "
    "(entry_date.in_future).",
)
@click.option(
    "--period",
    callback=parse_period_option,
    help=PERIOD_HELP + " The table gets a scope column: period (outputs of those who entered "
    "in it, results of those who left in it) and cumulative (to its last day, the as-of date).",
)
@click.option(
    "--project",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A project .json file, for the entity indicators (CO20-CO23, EECO18-19).",
)
@click.option(
    "--format",
    "fmt",
    metavar="NAME",
    help="The output's format: any format that writes reports (see `inclusionkit formats`: "
    "csv, json, parquet, xlsx, html … with their plugins). Default: by the extension of "
    "--output; csv on standard output, which takes csv or json.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file (atomically) instead of standard output; its "
    "extension chooses the format (.csv, .json, .parquet, .xlsx, .html …).",
)
@click.option(
    "--excluded",
    "excluded_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the participations not counted (key, row, reason) to this file "
    "(.csv, .json, .parquet).",
)
@click.option("--strict", is_flag=True, help="Exit with code 2 when a consistency check fails.")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PARTICIPATIONS is a register with CNP or names and no participant ids: pseudonymise "
    "it on the fly with this key (as `inclusionkit pseudonymise` does) and report on that; the "
    "identifiers are never stored or written.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="How to compute: pandas (in memory), streaming (a Parquet file or directory larger "
    "than memory, in bounded memory) or dask (on a Dask cluster); auto streams a directory or "
    "a large Parquet file and reads anything else into memory. Every engine gives the same "
    "report.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: the dask.distributed scheduler to run on "
    "(e.g. tcp://10.0.0.5:8786); by default Dask's local scheduler.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on standard error (rows done, rate, time left). "
    "Default: only when standard error is a terminal.",
)
@click.option(
    "--suppress",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Suppress cells below this count (and enough others to protect them); 0 = off.",
)
@click.option(
    "--layout",
    type=click.Choice(["tidy", "sfc2021"]),
    default="tidy",
    show_default=True,
    help="sfc2021: ESF+ tables per priority, specific objective, category of region and gender.",
)
@click.option(
    "--allow-other-period",
    is_flag=True,
    help="With --layout sfc2021: lay out a table whose project codes belong to another "
    "programming period than 2021-2027 (refused otherwise).",
)
@reading_options()
def report_command(
    participations: Path | str,
    rules: str,
    by: str,
    allow_by: tuple[str, ...],
    as_of: dt.date | None,
    period: Any,
    project: Path | None,
    fmt: str | None,
    output: Path | None,
    excluded_path: Path | None,
    strict: bool,
    key_file: Path | None,
    engine: str,
    scheduler: str | None,
    progress: bool | None,
    suppress: int,
    layout: str,
    allow_other_period: bool,
) -> None:
    """Compute a rule set's indicators from a participation table (any format a plugin reads:
    .csv, .xlsx, .json, .parquet …, or a directory of Parquet files).

    Prints the tidy table (CSV header `indicator,<breakdowns…>,value`) or writes it with the
    exporter of --format or of the --output file's extension, and prints on standard error a
    one-line summary of what was counted and excluded (and, on a terminal, a progress bar
    while it works).
    """
    import inclusionkit

    if isinstance(participations, Path) and not participations.exists():
        raise InclusionKitError(translate("{path}: no such file").format(path=participations))
    if layout == "sfc2021":
        _refuse_unused("--layout sfc2021", _NOT_FOR_SFC2021)
    check_by(by, allow_by)  # never one row per person
    # Every output's format is checked before the work starts: a typo costs nothing.
    chosen = output_format(output, fmt, "report")
    excluded_format = None if excluded_path is None else output_format(excluded_path, None, "table")
    model = None
    if project is not None:
        model = inclusionkit.load_project(project)
    if as_of is None and period is None:
        as_of = dt.date.today()  # as validate: a row entered in the future is never counted
    if layout == "sfc2021":
        if period is not None:
            raise InclusionKitError(
                "--layout sfc2021 transmits cumulative values: give --as-of, not --period"
            )
        _sfc2021_report(participations, rules, as_of, chosen, output, allow_other_period)
        return
    if scheduler is not None and engine != "dask":
        raise InclusionKitError("--scheduler needs --engine dask")
    from inclusionkit._pandas import is_frame
    from inclusionkit._progressbar import ProgressBar

    if key_file is not None:
        if not isinstance(participations, Path):
            raise InclusionKitError("--key-file pseudonymises a register file, not a database")
        source: Any = pseudonymised_register(participations, key_file, by, rules)
    else:
        source = _participations(participations, engine, by, rules)
    if isinstance(source, str) or is_frame(source):
        from inclusionkit._privacy._breakdowns import check_breakdown_values

        check_breakdown_values(source, [name.strip() for name in by.split(",") if name.strip()])
    with ProgressBar(enabled=progress) as bar, _dask_client(scheduler):
        report = inclusionkit.compute(
            source,
            rules=rules,
            by=by,
            as_of=as_of,
            project=model,
            period=period,
            engine=engine,
            progress=bar if bar.enabled else None,
        )
    if is_frame(source) and isinstance(participations, Path):
        # compute() fingerprints the files it reads itself; this one was read here.
        from inclusionkit._rules._report import input_fingerprints

        inputs = input_fingerprints(participations)
        report = attrs.evolve(report, provenance=attrs.evolve(report.provenance, inputs=inputs))
    published = report
    if suppress:
        published = attrs.evolve(report, table=report.suppress(suppress).published)
    if output is not None:
        write_file(published, output, chosen, "report")
    elif chosen == "json":
        click.echo(report_json(published), nl=False)
    else:
        click.echo(report_csv(published.table), nl=False)
    if excluded_path is not None and excluded_format is not None:
        write_file(report.excluded, excluded_path, excluded_format, "table")
    click.echo(f"inclusionkit: {report.summary()}", err=True)
    for warning in report.provenance.warnings:
        click.echo(translate("inclusionkit: warning: {message}").format(message=warning), err=True)
    if report.provenance.not_computed:
        click.echo(
            translate("inclusionkit: not computed without --project: {codes}").format(
                codes=", ".join(report.provenance.not_computed)
            ),
            err=True,
        )
    failed = report.failed_checks()
    for row in failed.head(10).itertuples(index=False):
        click.echo(
            translate(
                "inclusionkit: check {check} failed: {expression} ({left} vs {right})"
            ).format(check=row.check, expression=row.expression, left=row.left, right=row.right),
            err=True,
        )
    if strict and len(failed):
        raise InclusionKitError(
            translate("{count} consistency check(s) failed").format(count=len(failed))
        )


def pseudonymised_register(
    path: Path, key_file: Path, by: str | None = None, rules: str | None = None
) -> pd.DataFrame:
    """The register at ``path`` pseudonymised in memory with the key in ``key_file``: its
    identifiers (CNP, names) are read, turned into keyed ids and dropped, never written. A row
    that cannot be pseudonymised stops the command, listed as ``pseudonymise`` lists it.

    With ``by`` (a report's breakdowns) only what pseudonymising reads and the columns the
    report of ``rules`` by ``by`` reads are read (:func:`_report_columns`)."""
    from inclusionkit import load_key, pseudonymise
    from inclusionkit._privacy._pseudonymise import PSEUDONYMISE_READS
    from inclusionkit.cli._privacy import read_register, refuse_rejected

    key = load_key(key_file)
    columns = None if by is None else _report_columns(by, rules)
    if columns is not None:
        columns = (*columns, *(name for name in PSEUDONYMISE_READS if name not in columns))
    result = pseudonymise(read_register(path, strict=True, columns=columns), key)
    refuse_rejected(path, result, "fix them in the register, then report again")
    table = result.table
    if columns is not None:
        # Every canonical column, so compute() counts the table as it is (its rows' numbers in
        # the file kept): those the report does not read come empty, never read.
        from inclusionkit._contract import COLUMN_NAMES, DTYPES
        from inclusionkit._pandas import pd

        absent = [name for name in COLUMN_NAMES if name not in table.columns]
        table = table.assign(
            **{name: pd.Series(pd.NA, index=table.index, dtype=DTYPES[name]) for name in absent}
        )
    return table


def _participations(path: Path | str, engine: str, by: str, rules: str | None = None) -> Any:
    """What the engine computes from: the path (or a register's database URL) itself, which
    :func:`inclusionkit.compute` reads through the one pipeline (under the command's mapping),
    reading only the columns the report counts (its projection: a breakdown outside the
    contract and the rule set's ``extra_columns`` among them), so every format any importer
    reads can be reported. A register's URL is counted in memory: the streaming and Dask
    engines read files, so they are refused before anything is read."""
    from inclusionkit import get_plugin_manager, load_ruleset

    if isinstance(path, str):  # a register's database URL (never echoed: it may hold a password)
        if engine in ("streaming", "dask"):
            raise InclusionKitError(
                translate(
                    "--engine {engine} reads Parquet files, not a register: use --engine auto "
                    "or pandas, or write the register to Parquet first (inclusionkit register "
                    "export DB FILE.parquet)"
                ).format(engine=engine)
            )
        return path
    names = [name.strip() for name in by.split(",") if name.strip()]
    extra = () if rules is None else load_ruleset(rules).extra_columns
    streamed = engine in ("streaming", "dask") or path.suffix.lower() in _STREAMED_SUFFIXES
    if streamed or path.is_dir():  # the engines read through the command's mapping too
        if path.is_file() and _unmapped_columns(path, {*names, *extra}):
            return read_table(path)  # stops with every problem of the file, that column's first
        return os.fspath(path)
    # The registry's refusal of an extension no importer claims names --format; a header the
    # command's mapping cannot place stops compute's read, as in read_table.
    get_plugin_manager().find_importer(None, os.fspath(path), "participations", option="--format")
    return os.fspath(path)


def _report_columns(by: str, rules: str | None) -> tuple[str, ...] | None:
    """The columns the report of ``rules`` by ``by`` reads (a projection, as
    :func:`inclusionkit.compute` reads a file), or ``None`` to read every column."""
    from inclusionkit._rules._report import report_columns

    return report_columns(rules, [name.strip() for name in by.split(",") if name.strip()])


def _unmapped_columns(path: Path, used: set[str]) -> bool:
    """Whether a Parquet file to stream has a column the command's mapping cannot place and the
    report does not use (``used``: its breakdowns and the rule set's extra columns); then it is
    read in memory, where that stops the command as for any other file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from inclusionkit._errors import ValidationError
    from inclusionkit._ingest._mapping import check_headers

    try:
        names = pq.read_schema(os.fspath(path)).names
    except (pa.ArrowException, OSError):
        return False  # the engine says what is wrong with the file
    try:
        check_headers(
            [name for name in names if not name.startswith("__") and name not in used],
            source=str(path),
        )
    except ValidationError:
        return True
    return False


@contextlib.contextmanager
def _dask_client(address: str | None) -> Iterator[None]:
    """Connect to a dask.distributed scheduler for the length of the block (if asked)."""
    if address is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise InclusionKitError(
            "--scheduler needs dask.distributed: pip install 'inclusionkit[dask]'"
        ) from None
    try:
        client = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InclusionKitError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield


@click.command(name="rulesets")
@click.argument("name", required=False)
@click.option("--verbose", "-v", is_flag=True, help="List every rule set's indicators too.")
def rulesets_command(name: str | None, verbose: bool) -> None:
    """List the rule sets; with NAME (or --verbose), their indicators."""
    from inclusionkit import available_rulesets, load_ruleset
    from inclusionkit._i18n._tables import translate_table
    from inclusionkit._pandas import pd

    names = available_rulesets()
    if name is not None:
        if name not in names:
            raise InclusionKitError(f"no rule set called {name!r}; known: {', '.join(names)}")
        names = (name,)
    if name is None:
        summary = pd.DataFrame(
            [
                {
                    "name": ruleset.name,
                    "version": ruleset.version,
                    "indicators": len(ruleset.indicators),
                    "checks": len(ruleset.checks),
                    "title": ruleset.title,
                }
                for ruleset in (load_ruleset(n) for n in names)
            ]
        )
        click.echo(format_table(translate_table(summary)))
        if not verbose:
            return
    from inclusionkit._i18n import current_language

    lang = current_language()
    for ruleset_name in names:
        ruleset = load_ruleset(ruleset_name)
        click.echo(f"\n{ruleset.name} {ruleset.version}: {ruleset.title}")
        rows = pd.DataFrame(
            [
                {
                    "code": ind.code,
                    "kind": ind.kind,
                    "data class": ind.data_class or "",
                    "timing": ind.timing or "",
                    "name": ind.name(lang),
                }
                for ind in ruleset.indicators
            ]
        )
        click.echo(format_table(translate_table(rows, lang)))


def validate_table_command_output(
    path: str | os.PathLike[str], *, today: dt.date | None = None
) -> tuple[str, bool]:
    """The text ``inclusionkit validate TABLE`` prints for a participation table, and whether
    the table is valid.

    Cells that cannot be read (a date like ``2014-13-01``) and row problems (see
    :func:`inclusionkit.validate_participations`) are listed one per line as
    ``FILE, line N, column 'c': message [code]``, then a summary line.
    """
    from inclusionkit import validate_participations

    source = os.fspath(path)
    try:
        frame = read_table(Path(source), keep_extra=True)
    except ValidationError as exc:
        lines = [str(problem) + f" [{problem.code}]" for problem in exc.problems]
        lines.append(f"{source}: {len(exc.problems)} cell(s) cannot be read")
        return "\n".join(lines) + "\n", False
    result = validate_participations(frame, today=today)
    problems = result.problems
    lines = []
    if len(problems):
        # Where each row is in the file (its physical line), as validate_participations says.
        places = problems["location"].astype(object)
        columns = problems["column"].astype(object)
        for place, column, code, message in zip(
            places, columns, problems["code"], problems["message"], strict=True
        ):
            where = f"{source}, {place}"
            if isinstance(column, str):
                where += f", column {column!r}"
            lines.append(f"{where}: {message} [{code}]")
    lines.append(f"{source}: {result.summary()}")
    return "\n".join(lines) + "\n", result.ok


__all__ = [
    "parse_period_option",
    "report_command",
    "rulesets_command",
    "validate_table_command_output",
]


_NOT_FOR_SFC2021 = (
    "suppress",
    "by",
    "allow_by",
    "excluded_path",
    "strict",
    "project",
    "engine",
    "scheduler",
)


def _refuse_unused(what: str, names: tuple[str, ...]) -> None:
    """An option given on the command line that ``what`` cannot honour is an error, never
    silently ignored (``--suppress`` above all: ignoring it would publish small cells)."""
    context = click.get_current_context()
    given = [
        param.opts[0]
        for param in context.command.params
        if param.name in names
        and context.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT
    ]
    if given:
        raise InclusionKitError(
            f"{what} cannot honour {', '.join(given)}: the SFC2021 tables have fixed breakdowns "
            "(priority, specific objective, category of region, gender), are not suppressed "
            "and list no excluded rows; leave these options out, or use --layout tidy"
        )


def _sfc2021_report(
    participations: Path | str,
    rules: str | None,
    as_of: dt.date | None,
    fmt: str,
    output: Path | None,
    allow_other_period: bool,
) -> None:
    """The programme-level SFC2021 tables (``--layout sfc2021``): a table of another period's
    project codes is refused unless ``allow_other_period``."""
    import inclusionkit
    from inclusionkit._rules._streaming import source_period

    if rules not in (None, "esf-2021"):
        raise InclusionKitError(
            "--layout sfc2021 reports the esf-2021 rule set: use --rules esf-2021"
        )
    folder = isinstance(participations, Path) and participations.is_dir()
    source = participations if folder else read_table(participations)
    period = source_period(source)
    if period not in (None, "2021-2027"):
        if not allow_other_period:
            raise InclusionKitError(
                translate(
                    "--layout sfc2021 lays out 2021-2027 reports (--rules esf-2021); the table's "
                    "project codes are of {period}: report them with the rule set of {period}, "
                    "or pass --allow-other-period"
                ).format(period=period)
            )
        warning = translate("esf-2021 laid out for project codes of {period}")
        click.echo(
            translate("inclusionkit: warning: {message}").format(
                message=warning.format(period=period)
            ),
            err=True,
        )
    report = inclusionkit.sfc2021_table(source, as_of=as_of)
    from inclusionkit._problems import describe

    for problem in report.problems:
        click.echo(f"inclusionkit: {describe(problem)}", err=True)
    if output is not None:
        write_file(report, output, fmt, "report")
    elif fmt == "json":
        click.echo(report.table.to_json(orient="records", force_ascii=False, indent=2), nl=False)
    else:
        click.echo(report_csv(report.table), nl=False)
    click.echo(f"inclusionkit: {report.summary()}", err=True)
