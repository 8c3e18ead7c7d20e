"""``inclusionkit register``: a project database of every import, correction and change.

A thin layer over :func:`inclusionkit.init_register`, :func:`inclusionkit.open_register` and
:class:`inclusionkit.Register`; see ``docs/register.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inclusionkit._i18n import translate
from inclusionkit.cli._common import (
    allow_by_option,
    check_by,
    format_table,
    output_format,
    reading_options,
    write_file,
)

if TYPE_CHECKING:
    import pandas as pd

_DB_HELP = "an SQLite file (registru.db) or a postgresql://user@host/database URL"


@click.group(name="register")
def register_group() -> None:
    """Keep a project's participations in a register (SQLite file or PostgreSQL database):
    idempotent imports per partner, the history of every change, exports and reports.

    DB is an SQLite file (registru.db) or a postgresql://user@host/database URL.
    """


@register_group.command(name="init")
@click.argument("db")
@click.option(
    "--project",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The project's JSON file, stored in the register.",
)
def init_command(db: str, project: Path | None) -> None:
    """Create a register (an SQLite file readable by its owner only, or the tables in an empty
    PostgreSQL database)."""
    import inclusionkit

    with inclusionkit.init_register(db, project) as register:
        click.echo(
            translate("{name}: register created ({dialect})").format(
                name=register.name, dialect=register.dialect
            )
        )


@register_group.command(name="import")
@click.argument("db")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--partner", required=True, help="The partner whose register FILE is.")
@click.option(
    "--mode",
    type=click.Choice(["update", "full"]),
    default="update",
    show_default=True,
    help="full: FILE is the partner's complete register; its rows missing from FILE are marked "
    "withdrawn (kept, not deleted) and listed.",
)
@click.option("--user", help="Who imports (recorded in the log); default: the OS user.")
@click.option(
    "--keep-identifiers",
    is_flag=True,
    help="Also store the file's identifier columns (names, CNP, contacts); not stored by default.",
)
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rejected rows, with the reasons, to this file (.csv, .json, .parquet), as "
    "`validate --rejected` does.",
)
@reading_options()
def import_command(
    db: str,
    file: Path,
    partner: str,
    mode: str,
    user: str | None,
    keep_identifiers: bool,
    rejected: Path | None,
) -> None:
    """Import a partner's participation table (any format an importer reads): upsert its rows
    by key (project code, participant id, entry date, partner) and record every change.

    Prints the problems of the rejected rows (one per line), the withdrawn rows' keys, then
    added / updated / unchanged / rejected / withdrawn. A rejected row that is only incomplete
    (its key there) is kept, as the contract counts it in GRAND_TOTAL. Importing the same file
    twice changes nothing.
    """
    import inclusionkit

    rejected_format = None if rejected is None else output_format(rejected, None, "table")
    with inclusionkit.open_register(db) as register:
        result = register.import_table(
            file,
            partner=partner,
            mode="full" if mode == "full" else "update",
            user=user,
            keep_identifiers=keep_identifiers,
        )
    from inclusionkit._problems import describe

    for problem in result.problems:
        click.echo(describe(problem))
    if len(result.withdrawn_rows):
        click.echo(translate("withdrawn ({count}):").format(count=len(result.withdrawn_rows)))
        click.echo(format_table(_for_people(_dates_as_text(result.withdrawn_rows))))
    if rejected is not None and rejected_format is not None:
        columns = ["row", "codes", "message", *inclusionkit.COLUMN_NAMES]
        table = result.rejected_rows
        table = table[[c for c in columns if c in table.columns]]
        write_file(table, rejected, rejected_format, "table")
        click.echo(translate("rejected rows written to {path}").format(path=rejected))
    kept = (
        translate(" ({count} kept as incomplete: counted in GRAND_TOTAL only)").format(
            count=result.incomplete
        )
        if result.incomplete
        else ""
    )
    click.echo(
        translate(
            "added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}{kept}, "
            "withdrawn {withdrawn}"
        ).format(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            kept=kept,
            withdrawn=result.withdrawn,
        )
    )
    click.echo(f"inclusionkit: {result.summary()}", err=True)


@register_group.command(name="log")
@click.argument("db")
def log_command(db: str) -> None:
    """List the imports: id, time, user, file, SHA-256, partner, mode and counts."""
    import inclusionkit

    with inclusionkit.open_register(db) as register:
        log = register.imports()
    if not len(log):
        click.echo(translate("no imports yet"))
        return
    log["sha256"] = log["sha256"].str.slice(0, 12)
    click.echo(format_table(_for_people(log)))


@register_group.command(name="history")
@click.argument("db")
@click.option("--participant", help="Only this participant id's changes.")
def history_command(db: str, participant: str | None) -> None:
    """Show the recorded changes (of one participant): import, time, user, file, row, key,
    change, field, old and new value."""
    import inclusionkit

    with inclusionkit.open_register(db) as register:
        history = register.history(participant)
    if not len(history):
        click.echo(
            translate("no changes recorded for {participant}").format(participant=participant)
            if participant
            else translate("no changes recorded")
        )
        return
    click.echo(format_table(_for_people(history.drop(columns=["sha256"]))))


@register_group.command(name="export")
@click.argument("db")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", help="The exporter; by default the one of OUTPUT's extension.")
def export_command(db: str, output: Path, fmt: str | None) -> None:
    """Write the register's participations (withdrawn rows left out) with any exporter."""
    import inclusionkit

    chosen = output_format(output, fmt, "participations")
    with inclusionkit.open_register(db) as register:
        table = register.participations()
    write_file(table, output, chosen, "participations")
    click.echo(
        translate("{path}: {count} participation rows").format(path=output, count=len(table))
    )


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A register's table (log, history, diff) as printed, in the run's language: headers,
    changes, modes and genders in words, each changed field named by its column's header. The
    Python API's frames keep their English names."""
    from inclusionkit._i18n import current_language
    from inclusionkit._i18n._tables import column_header, translate_table

    if current_language() == "en":
        return frame
    out = frame.copy()
    if "field" in out.columns:
        names = out["field"].dropna().unique()
        out["field"] = out["field"].replace({name: column_header(str(name)) for name in names})
    return translate_table(out)


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    from inclusionkit._pandas import pd

    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name].dtype):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
    return out


@register_group.command(name="submit")
@click.argument("db")
@click.option("--period", required=True, help="The period reported: 2015-Q1, 2015-03 or 2015.")
@click.option("--rules", default="esf-2014", show_default=True, help="The rule set.")
@click.option("--by", default="gender", show_default=True, help="Breakdowns, comma-separated.")
@allow_by_option
@click.option("--user", help="Who submits (recorded); default: the OS user.")
def submit_command(
    db: str, period: str, rules: str, by: str, allow_by: tuple[str, ...], user: str | None
) -> None:
    """Compute the report of PERIOD (counted up to its last day) and store it frozen, with a
    fingerprint of the data it came from; prints the report (CSV)."""
    check_by(by, allow_by)
    import inclusionkit
    from inclusionkit.cli._report import report_csv

    breakdowns = [name.strip() for name in by.split(",") if name.strip()]
    with inclusionkit.open_register(db) as register:
        report = register.submit(period, rules=rules, by=breakdowns, user=user)
        fingerprint = register.fingerprint()
    click.echo(report_csv(report.table), nl=False)
    click.echo(
        translate("inclusionkit: {period} submitted; data fingerprint {fingerprint}").format(
            period=period, fingerprint=fingerprint[:16]
        ),
        err=True,
    )


@register_group.command(name="diff")
@click.argument("db")
@click.argument("period")
def diff_command(db: str, period: str) -> None:
    """Recompute a submitted period's report and list every figure that changed since, and the
    changes (by import and field) recorded since it was submitted."""
    import inclusionkit

    with inclusionkit.open_register(db) as register:
        diff = register.diff(period)
    click.echo(diff.summary())
    if len(diff.figures):
        click.echo(format_table(_for_people(diff.figures)))
    if len(diff.changes):
        by_field = (
            diff.changes.fillna({"field": ""})
            .groupby(["import_id", "source", "change", "field"], sort=True)
            .size()
            .reset_index(name="rows")
        )
        click.echo(translate("changes since it was submitted:"))
        click.echo(format_table(_for_people(by_field)))


@register_group.command(name="retention")
@click.argument("db")
@click.option("--until", required=True, help="The day to apply the retention period on (ISO).")
@click.option("--years", type=int, help="Years kept after the project's end (default 10).")
@click.option(
    "--anonymised",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the deleted rows, anonymised, to this file (.csv, .parquet …) to keep instead.",
)
@click.option("--user", help="Who applies it (recorded in the log); default: the OS user.")
def retention_command(
    db: str, until: str, years: int | None, anonymised: Path | None, user: str | None
) -> None:
    """Delete the rows (and their history) of projects whose retention period ended by UNTIL."""
    import datetime as dt

    import inclusionkit

    chosen = None if anonymised is None else output_format(anonymised, None, "participations")
    try:
        day = dt.date.fromisoformat(until)
    except ValueError:
        raise click.BadParameter(f"{until!r} is not an ISO date (2035-12-31)") from None
    with inclusionkit.open_register(db) as register:
        result = register.retention(until=day, years=years, user=user)
    deleted = int(result.expired["rows"].sum()) if len(result.expired) else 0
    if anonymised is not None and chosen is not None:
        write_file(result.anonymised, anonymised, chosen, "participations")
    click.echo(translate("{count} row(s) deleted, with their history").format(count=deleted))
