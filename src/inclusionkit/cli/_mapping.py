"""``inclusionkit mapping suggest``: propose a mapping file from a register's headers and values."""

from __future__ import annotations

import json
from pathlib import Path

import click

from inclusionkit._i18n import translate
from inclusionkit.cli._common import participation_source

__all__ = ["mapping_group"]


@click.group(name="mapping")
def mapping_group() -> None:
    """Mapping files: which of a register's headers and values are which canonical ones."""


@mapping_group.command(name="suggest")
@click.argument("register", type=participation_source)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proposed mapping here (.json); by default it is printed.",
)
@click.option("--sheet", help="For a workbook: the sheet to read (by default the register's).")
def suggest_command(register: Path, output: Path | None, sheet: str | None) -> None:
    """Propose a mapping file for REGISTER (any format an importer reads) from its headers and
    values: Romanian or English headers, close spellings, with or without diacritics.

    Check and edit it, then pass it to any command with --mapping. The headers it could not
    place are written as null (left out) and listed on standard error.
    """
    from inclusionkit import suggest_mapping
    from inclusionkit._atomic import atomic_path, refuse_input

    options = {} if sheet is None else {"sheet": sheet}
    suggestion = suggest_mapping(register, **options)
    text = json.dumps(suggestion.document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        refuse_input(output)
        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        click.echo(
            translate("{path}: a proposed mapping; check it, then pass it with --mapping").format(
                path=output
            ),
            err=True,
        )
    for header, reason in suggestion.reasons.items():
        click.echo(f"inclusionkit: {header!r}: {reason}", err=True)
    if suggestion.unresolved:
        click.echo(
            translate(
                "inclusionkit: not placed (null: left out), set them by hand: {headers}"
            ).format(headers=", ".join(map(repr, suggestion.unresolved))),
            err=True,
        )
