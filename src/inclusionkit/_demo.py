"""``make demo``: the main job run on the bundled examples, written to a folder.

For each example project: progress against every target (computed from its records where a rule
allows, else the reported value), and for the example with a participation table, the ESF
2014-2020 common indicators by gender. Each table is printed and written as CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from inclusionkit import examples
from inclusionkit._progress import progress
from inclusionkit.cli._common import format_table


def run_demo(output: Path, *, echo: Callable[[str], object] = print) -> list[Path]:
    """Run the demo, writing into ``output``; return the files written."""
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in examples.list():
        example = examples.load(name)
        project = example.project
        echo(f"\n== {project.title.ro} / {project.title.en} ({project.code})")
        if example.synthetic:
            echo("   (records are synthetic and illustrative, consistent with the seed's figures)")
        table = progress(project, example.participations)
        echo(format_table(table.drop(columns=["kind"])))
        path = output / f"{name}.progress.csv"
        table.to_csv(path, index=False)
        written.append(path)
    echo(f"\nWrote {len(written)} files to {output}/")
    return written
