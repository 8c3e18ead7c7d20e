"""``inclusionkit template``: a blank participant register to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from inclusionkit._i18n import translate
from inclusionkit.cli._common import output_format, write_file

__all__ = ["template_command"]


@click.command(name="template")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    help="csv: only the header line; by default the format of OUTPUT's extension (.xlsx: "
    "drop-down lists, date cells and an instructions sheet).",
)
def template_command(output: Path, fmt: str | None) -> None:
    """Write a blank participant register to OUTPUT: the contract's columns under headers
    every command reads without a mapping. As a workbook it checks itself in Excel and
    LibreOffice (drop-down lists for gender, labour status, ISCED and Da/Nu; date cells) and
    has an instructions sheet."""
    from inclusionkit import register_template
    from inclusionkit._atomic import atomic_path, refuse_input
    from inclusionkit._i18n import current_language
    from inclusionkit._template import template_csv

    lang = current_language()
    template = register_template(lang)
    if (fmt or "").lower() == "csv" or (fmt is None and output.suffix.lower() == ".csv"):
        refuse_input(output)
        with atomic_path(output) as tmp:
            delimiter = ";" if lang == "ro" else ","
            tmp.write_text(template_csv(template, delimiter), encoding="utf-8-sig")
    else:
        write_file(template, output, output_format(output, fmt, "template"), "template")
    click.echo(
        translate("{output}: a blank register ({columns} columns)").format(
            output=output, columns=len(template.columns)
        )
    )
