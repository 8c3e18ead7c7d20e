"""The ``followup`` command: whom to ask about their situation six months after leaving.

A thin layer over :func:`inclusionkit.followup`. It prints (or writes) pseudonymous keys and
dates only: ``project_code``, ``participant_id``, ``exit_date``, ``six_month_date``, ``counted``,
never a CNP, a name or another column of the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import translate
from inclusionkit.cli._common import (
    output_format,
    participation_source,
    read_table,
    write_file,
)


@click.command(name="followup")
@click.argument("participations", type=participation_source)
@click.option(
    "--window",
    required=True,
    metavar="START..END",
    help="The days (both included) the six-month points fall in, e.g. 2016-01-01..2016-01-31.",
)
@click.option(
    "--rules",
    default=None,
    help="The rule set whose completeness decides the counted column (default: the one of "
    "the table's programming period, as for `inclusionkit report`).",
)
@click.option(
    "--format",
    "fmt",
    metavar="NAME",
    help="The output's format (csv, json, or with --output any format that writes tables: "
    "parquet, xlsx …). Default: by the extension of --output; csv on standard output.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the list to this file (atomically) instead of standard output.",
)
def followup_command(
    participations: Path | str, window: str, rules: str | None, fmt: str | None, output: Path | None
) -> None:
    """List the leavers whose six-month point (exit date plus six calendar months) falls in
    --window: one row per participation with its pseudonymous project_code and participant_id,
    exit_date, six_month_date and counted (complete, hence in the indicators).

    Re-entries are merged as in a report (the latest exit), as of the window's last day. A
    summary goes to standard error.
    """
    import inclusionkit
    from inclusionkit._rules._followup import parse_window

    start, end = parse_window(window)  # a mistyped window costs nothing
    chosen = output_format(output, fmt, "table")
    if isinstance(participations, Path) and not participations.exists():
        raise InclusionKitError(translate("{path}: no such file").format(path=participations))
    # Only the contract's columns are read: identifier columns (a CNP, names) never come in.
    table = read_table(participations)
    frame = inclusionkit.followup(table, (start, end), rules=rules)
    if output is not None:
        write_file(frame, output, chosen, "table")
    elif chosen == "json":
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        for record in records:
            for name in ("exit_date", "six_month_date"):
                record[name] = record[name][:10]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        from inclusionkit._i18n._tables import translate_table
        from inclusionkit._sanitise import frame_to_csv

        click.echo(frame_to_csv(translate_table(frame)), nl=False)
    counted = int(frame["counted"].sum())
    click.echo(
        translate(
            "inclusionkit: {leavers} leavers reach their six-month point from {start} to {end} "
            "({counted} counted, {incomplete} incomplete)"
        ).format(
            leavers=len(frame),
            start=start.isoformat(),
            end=end.isoformat(),
            counted=counted,
            incomplete=len(frame) - counted,
        ),
        err=True,
    )
