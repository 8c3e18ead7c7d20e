"""``inclusionkit examples``: list the bundled examples and export one's files to a folder."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["examples_group"]


@click.group(name="examples")
def examples_group() -> None:
    """The bundled example projects, and their files to try every command on."""


@examples_group.command(name="list")
def list_command() -> None:
    """List the bundled examples: name, project code, and whether it has participations."""
    from inclusionkit import examples

    for name in examples.list():
        example = examples.load(name)
        table = example.participations
        rows = "no participations" if table is None else f"{len(table)} participations"
        click.echo(f"{name}\t{example.project.code}\t{rows}")


@examples_group.command(name="export")
@click.argument("name")
@click.argument("directory", type=click.Path(path_type=Path))
def export_command(name: str, directory: Path) -> None:
    """Write example NAME's project and participations into DIRECTORY: project.json,
    participants.csv, programme.parquet, a Romanian registru.csv (Windows-1250) and
    registru.xlsx, a register.csv with SYNTHETIC CNPs and names, and a fresh partners.key,
    so every command of the README and docs runs as written."""
    from inclusionkit._examples import export_example

    for path in export_example(name, directory):
        click.echo(str(path))
