"""Commands about projects: ``demo``, ``validate`` and ``progress``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import TECHNICAL_LAYOUT as LAYOUT
from inclusionkit.cli._common import (
    format_table,
    load_project_or_example,
    output_format,
    parse_date_option,
    participation_source,
    read_table,
    reading_options,
)
from inclusionkit.cli._report import PERIOD_HELP, parse_period_option


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder to write the demo's tables and reports to.",
)
def demo(output: Path) -> None:
    """Run the main job on the bundled examples and write the results to a folder."""
    from inclusionkit._demo import run_demo

    run_demo(output, echo=click.echo)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a participation table (any format that reads one: .csv, .parquet, .xlsx, .json): "
    "write the rows that cannot be counted, with the reasons, to this file (.csv, .json, "
    ".parquet). Accepted plus rejected rows are always all the rows of the input.",
)
@click.option(
    "--rules",
    default=None,
    help="For a participation table: check completeness as this rule set counts it (its "
    "required fields and reported genders; see `inclusionkit rulesets`). Default: the "
    "contract's required fields, any gender of the contract.",
)
@click.option(
    "--project",
    default=None,
    help="For a participation table: the project (a .json file or a bundled example) the rows "
    "belong to; another project code, or an entry or exit outside its period, is a problem.",
)
@click.option(
    "--as-of",
    callback=parse_date_option,
    help="No birth, entry or exit date may be after this date (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--summary", is_flag=True, help="Print the number of problems of each code, not each one."
)
@click.option(
    "--max-problems",
    type=click.IntRange(min=0),
    default=None,
    help="Print at most this many problems (all are still counted).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="For a participation table: show a progress bar on standard error while reading and "
    "checking. Default: only when standard error is a terminal.",
)
@reading_options()
def validate(
    path: Path,
    rejected: Path | None,
    rules: str | None,
    project: str | None,
    as_of: dt.date | None,
    summary: bool,
    max_problems: int | None,
    progress: bool | None,
) -> None:
    """Check a project (.json), rule set (.json) or participation table (any format an
    importer reads: .csv, .xlsx, .json, .parquet …).

    Lists every problem found, not only the first; exits with 2 when there is any.
    """
    from inclusionkit import load_ruleset
    from inclusionkit._i18n import current_language, translate
    from inclusionkit._progressbar import ProgressBar
    from inclusionkit._validate_cli import problem_lines, validate_path, validate_table_rejecting

    options: dict[str, object] = (
        {} if rules is None else {"completeness": load_ruleset(rules).completeness}
    )
    if project is not None:
        options["project"] = load_project_or_example(project)[0]
    if as_of is not None:
        options["today"] = as_of
    with ProgressBar(enabled=progress) as bar:
        if bar.enabled:
            options["progress"] = bar
        if rejected is not None:
            problems, text = validate_table_rejecting(path, rejected, **options)  # type: ignore[arg-type]
        else:
            problems, text = validate_path(path, **options)  # type: ignore[arg-type]
    if problems:
        lang = current_language()
        for line in problem_lines(problems, summary=summary, limit=max_problems, lang=lang):
            click.echo(line)
        if rejected is not None and text:
            click.echo(text)
        raise InclusionKitError(
            translate("{path}: {count} problem(s) found").format(path=path, count=len(problems))
        )
    click.echo(text)


@click.command(name="progress")
@click.argument("project")
@click.option(
    "--participations",
    type=participation_source,
    help="A participation table (any format an importer reads: .csv, .xlsx, .json, .parquet …, "
    "or a register's file or database URL) "
    "to compute participant indicators from.",
)
@click.option("--as-of", callback=parse_date_option, help="Compute as of this date (YYYY-MM-DD).")
@click.option(
    "--period",
    callback=parse_period_option,
    help=PERIOD_HELP + " Gives the technical report of the period (--layout raport-tehnic).",
)
@click.option(
    "--layout",
    type=click.Choice(["progress", LAYOUT]),
    default=None,
    help="progress: the progress table (the default without --period); raport-tehnic: the "
    "technical report of --period (POCU Anexa 9: indicators at the previous report, in the "
    "period, cumulative, % of target; the target group, women and men).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --layout raport-tehnic: write the report to this file; its extension chooses the "
    "format (.csv, .xlsx, .html with their plugins).",
)
@reading_options()
def progress_command(
    project: str,
    participations: Path | str | None,
    as_of: dt.date | None,
    period: Any,
    layout: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Show progress against targets for PROJECT (a project .json file or a bundled example),
    or, with --period, the technical report of that period."""
    from inclusionkit import progress
    from inclusionkit._i18n import current_language

    lang = current_language()

    layout = layout or (LAYOUT if period is not None else "progress")
    if layout == LAYOUT and period is None:
        raise InclusionKitError("--layout raport-tehnic needs --period (e.g. --period 2015-Q1)")
    if layout == LAYOUT and as_of is not None:
        raise InclusionKitError("--period sets the report's dates: leave out --as-of")
    if layout != LAYOUT and (period is not None or output is not None):
        raise InclusionKitError("--period and --output go with --layout raport-tehnic")
    chosen = None if output is None else output_format(output, None, "report")
    if chosen is not None and chosen not in TECHNICAL_FORMATS:
        raise InclusionKitError(
            f"--layout raport-tehnic is written as {', '.join(TECHNICAL_FORMATS)}, not {chosen}"
        )
    model, table = load_project_or_example(project)
    if participations is not None:
        # The technical report reads a target_group column when there is one.
        table = read_table(participations, keep_extra=layout == LAYOUT)
        _check_project_codes(model.code, table, participations)
    if layout == LAYOUT:
        _technical_report(model, table, period, lang, fmt, output, chosen)
        return
    frame = progress(model, table, as_of=as_of, lang=lang)
    from inclusionkit._i18n._tables import translate_table

    if fmt == "csv":
        from inclusionkit._sanitise import frame_to_csv

        click.echo(frame_to_csv(translate_table(frame, lang)), nl=False)
    elif fmt == "json":
        click.echo(
            json.dumps(
                json.loads(frame.to_json(orient="records", date_format="iso")),
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"{model.title.in_language(lang)} ({model.code})")
        click.echo(format_table(translate_table(frame.drop(columns=["kind"]), lang)))


TECHNICAL_FORMATS: tuple[str, ...] = ("csv", "xlsx", "html")
"""The formats whose exporters lay out a technical report (xlsx and html with their plugins)."""


def _technical_report(
    model: Any,
    table: Any,
    period: Any,
    lang: str,
    fmt: str,
    output: Path | None,
    chosen: str | None,
) -> None:
    """Write (``output``) or show the technical report of ``period``; every file goes through
    the exporters (``inclusionkit.write``)."""
    import tempfile

    import inclusionkit
    from inclusionkit import technical_report

    report = technical_report(model, table, period=period, lang=lang)
    if output is not None and chosen is not None:
        inclusionkit.write(report, output, format=chosen, kind="report", lang=lang)
        click.echo(f"inclusionkit: {report.summary()}", err=True)
        return
    if fmt == "json":
        raise InclusionKitError("--layout raport-tehnic writes csv, xlsx or html: use --output")
    if fmt == "csv":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "raport-tehnic.csv"
            inclusionkit.write(report, path, format="csv", kind="report", lang=lang)
            click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    titles = report.titles()
    click.echo(f"{titles['report']}: {model.title.in_language(lang)} ({model.code})")
    click.echo(f"{titles['period']}: {report.period}")
    tables = report.tables()
    click.echo(f"\n{titles['indicators']}")
    click.echo(format_table(tables["indicators"]))
    click.echo(f"\n{titles['target_groups']}")
    click.echo(format_table(tables["target_groups"]))


def _check_project_codes(code: str, table: Any, source: Path | str) -> None:
    """Refuse a participation table holding another project's rows: progress would count them."""
    codes = sorted({str(value) for value in table["project_code"].dropna().unique()})
    others = [other for other in codes if other != code]
    if others:
        raise InclusionKitError(
            f"{source}: the participations are of project {', '.join(others)}, not of the "
            f"project {code}; give {code}'s own participation table"
        )


__all__ = ["demo", "progress_command", "validate"]
