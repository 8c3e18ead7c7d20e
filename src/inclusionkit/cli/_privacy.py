"""Privacy commands: ``pseudonymise`` a register with a shared key, and ``retention``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import N_, translate
from inclusionkit._i18n._tables import translate_table
from inclusionkit.cli._common import (
    format_table,
    output_format,
    parse_date_option,
    read_table,
    reading_options,
    write_file,
)

if TYPE_CHECKING:
    import pandas as pd

    from inclusionkit._privacy import PseudonymisedTable

__all__ = ["pseudonymise_command", "retention_command"]


def read_register(
    path: Path, *, strict: bool = False, columns: Collection[str] | None = None
) -> pd.DataFrame:
    """Read a register with its identifier columns, in any format an importer reads, through the
    one reader, with ``participant_id`` and (unless ``strict``) every canonical column allowed to
    be missing: a register has no ids before it is pseudonymised.

    The identifiers (CNP, names) and other extra columns are kept; with ``strict``, an extra
    column that is neither an identifier nor left out with ``--ignore-columns`` is an error
    (the report would lose it silently). ``columns`` (a projection) reads only those columns:
    the file's others are neither typed nor kept (an extra one still stops a strict read).
    """
    from inclusionkit._contract import COLUMN_NAMES
    from inclusionkit._errors import ValidationError
    from inclusionkit._ingest._mapping import current_mapping, using_mapping

    mapping = current_mapping()
    wanted = COLUMN_NAMES if not strict else ("participant_id",)
    with using_mapping(attrs.evolve(mapping, optional=mapping.optional | set(wanted))):
        try:
            frame = read_table(path, keep_extra=True, columns=columns)
        except ValidationError as exc:
            if not all(problem.code == "participant_id.cnp" for problem in exc.problems):
                raise
            # CNPs as ids: exactly what pseudonymising is for. They are the CNP to hash.
            frame = read_table(path, keep_extra=True, on_error="coerce", columns=columns)
            if "cnp" not in frame.columns:
                frame = frame.assign(cnp=frame["participant_id"])
    if strict:
        from inclusionkit._ingest._row_problems import header_location
        from inclusionkit._rejected import unplaced_columns

        unplaced = unplaced_columns(
            frame.columns, source=str(path), location=header_location(frame)
        )
        if unplaced:
            raise ValidationError(unplaced, source=str(path))
    return frame


def refuse_rejected(
    source: Path,
    result: PseudonymisedTable,
    hint: str = N_("fix them, or pass --rejected FILE to write the others and set these aside"),
) -> None:
    """Stop with every row that cannot be pseudonymised (by its line), nothing written."""
    if not len(result.rejected):
        return
    line = translate("  line {number}: {message}")
    lines = [
        line.format(number=int(index) + 2, message=row.message)
        for index, row in zip(
            result.rejected.index, result.rejected.itertuples(index=False), strict=True
        )
    ]
    shown = "\n".join(lines[:50]) + ("\n  ..." if len(lines) > 50 else "")
    head = translate("{source}: {count} row(s) cannot be pseudonymised, nothing written:")
    raise InclusionKitError(
        head.format(source=source, count=len(lines)) + f"\n{shown}\n" + translate(hint)
    )


@click.command(name="pseudonymise")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The shared secret key: 64 hex digits (or 32+ raw bytes). Never share it publicly.",
)
@click.option(
    "--id-columns",
    multiple=True,
    help="Further identifying columns to remove (repeat, or separate with commas).",
)
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rows that cannot be pseudonymised here (they keep their identifiers!).",
)
@reading_options()
def pseudonymise_command(
    source: Path, target: Path, key_file: Path, id_columns: tuple[str, ...], rejected: Path | None
) -> None:
    """Replace identifiers in IN with keyed pseudonymous ids and write the table to OUT.

    The id is an HMAC-SHA-256 of the CNP (or of name and birth date when there is no CNP), so
    partners using the same key file get the same id for the same person. Rows with an invalid
    CNP, or with nothing to identify the person by, are rejected: the command fails listing
    them, unless --rejected names a file to put them in.
    """
    from inclusionkit import load_key, pseudonymise
    from inclusionkit._atomic import note_input

    for given in (source, key_file):
        note_input(given)
    target_format = output_format(target, None, "participations")
    rejected_format = None if rejected is None else output_format(rejected, None, "table")
    key = load_key(key_file)
    frame = read_register(source)
    extra = tuple(name.strip() for item in id_columns for name in item.split(",") if name.strip())
    result = pseudonymise(frame, key, extra_identifying=extra)
    if rejected is None:
        refuse_rejected(source, result)
    write_file(result.table, target, target_format, "participations")
    click.echo(
        translate(
            "{target}: {rows} row(s) pseudonymised ({from_cnp} from the CNP, {from_name} from "
            "name and birth date); removed column(s): {removed}"
        ).format(
            target=target,
            rows=len(result.table),
            from_cnp=result.from_cnp,
            from_name=result.from_name,
            removed=", ".join(result.dropped_columns) or translate("none"),
        )
    )
    if rejected is not None and rejected_format is not None and len(result.rejected):
        write_file(result.rejected, rejected, rejected_format, "table")
        click.echo(
            translate(
                "{rejected}: {count} rejected row(s), WITH their identifiers: correct them and "
                "delete this file; never share it"
            ).format(rejected=rejected, count=len(result.rejected)),
            err=True,
        )


@click.command(name="retention")
@click.argument("participations", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--until",
    required=True,
    callback=parse_date_option,
    help="List the participations whose retention has ended by this date (YYYY-MM-DD).",
)
@click.option(
    "--years",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Years the data is kept after the project's end (check your financing contract).",
)
@click.option(
    "--project-end",
    callback=parse_date_option,
    help="The end date of every project in the table (YYYY-MM-DD).",
)
@click.option(
    "--project",
    "project_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A project file (.json) whose period end is used for its code; repeat for several.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the anonymised expired participations here (.csv, .parquet, .xlsx, .json …).",
)
@click.option(
    "--expired",
    "expired_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the keys of the expired participations here (.csv, .json, .parquet), to "
    "delete them.",
)
@reading_options()
def retention_command(
    participations: Path,
    until: dt.date,
    years: int,
    project_end: dt.date | None,
    project_files: tuple[Path, ...],
    output: Path | None,
    expired_file: Path | None,
) -> None:
    """List participations whose retention period ended and write an anonymised copy of them.

    A project's data is kept --years after its end (--project-end, or each --project file's
    period end; without either, the latest entry or exit date in the table, which may be
    earlier than the real end). The anonymised copy keeps every indicator of the reports.
    """
    from inclusionkit import load_project, retention
    from inclusionkit._atomic import note_input

    for given in (participations, *project_files):
        note_input(given)
    if project_end is not None and project_files:
        raise click.UsageError("give either --project-end or --project, not both")
    output_kind = None if output is None else output_format(output, None, "participations")
    expired_kind = None if expired_file is None else output_format(expired_file, None, "table")
    ends: dict[str, dt.date] | dt.date | None = project_end
    if project_files:
        ends = {}
        for path in project_files:
            project = load_project(path)
            if project.period.end is None:
                raise InclusionKitError(
                    translate("{path}: the project has no end date (period.end)").format(path=path)
                )
            ends[project.code] = project.period.end
    if ends is None:
        click.echo(
            translate(
                "note: no project end given; using the latest entry or exit date of each "
                "project, which may be earlier than its real end"
            ),
            err=True,
        )
    table = read_table(participations)
    result = retention(table, until=until, years=years, project_end=ends)
    click.echo(format_table(translate_table(result.schedule)))
    click.echo(
        translate(
            "{expired} participation(s) expired by {until}; {generalised} anonymised row(s) had "
            "their age generalised to its class"
        ).format(
            expired=len(result.expired), until=until.isoformat(), generalised=result.generalised
        )
    )
    if expired_file is not None and expired_kind is not None:
        write_file(result.expired, expired_file, expired_kind, "table")
        click.echo(translate("{path}: the expired participations' keys").format(path=expired_file))
    if output is not None and output_kind is not None:
        write_file(result.anonymised, output, output_kind, "participations")
        click.echo(
            translate("{path}: {count} anonymised row(s)").format(
                path=output, count=len(result.anonymised)
            )
        )
