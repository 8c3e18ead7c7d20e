"""Commands about projects: ``demo``, ``validate`` and ``progress``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from inclusionkit._errors import InclusionKitError
from inclusionkit.cli._common import (
    format_table,
    load_project_or_example,
    parse_date_option,
    participation_source,
    read_table,
)


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
def validate(path: Path, rejected: Path | None, rules: str | None) -> None:
    """Check a project (.json), rule set (.json) or participation table (any format an
    importer reads: .csv, .xlsx, .json, .parquet …).

    Lists every problem found, not only the first; exits with 2 when there is any.
    """
    from inclusionkit import load_ruleset
    from inclusionkit._validate_cli import validate_path, validate_table_rejecting

    rule_set = {} if rules is None else {"completeness": load_ruleset(rules).completeness}
    if rejected is not None:
        problems, summary = validate_table_rejecting(path, rejected, **rule_set)
    else:
        problems, summary = validate_path(path, **rule_set)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        if rejected is not None and summary:
            click.echo(summary)
        raise InclusionKitError(f"{path}: {len(problems)} problem(s) found")
    click.echo(summary)


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
@click.option("--lang", type=click.Choice(["en", "ro"]), default="en", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def progress_command(
    project: str, participations: Path | str | None, as_of: dt.date | None, lang: str, fmt: str
) -> None:
    """Show progress against targets for PROJECT (a project .json file or a bundled example)."""
    from inclusionkit import progress

    model, table = load_project_or_example(project)
    if participations is not None:
        table = read_table(participations)
    frame = progress(model, table, as_of=as_of, lang=lang)
    if fmt == "csv":
        from inclusionkit._sanitise import frame_to_csv

        click.echo(frame_to_csv(frame), nl=False)
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
        click.echo(format_table(frame.drop(columns=["kind"])))


__all__ = ["demo", "progress_command", "validate"]
