"""Write inclusionkit progress tables as Markdown tables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inclusionkit import Exporter
from inclusionkit.hookspecs import RegisterExporter, hookimpl

# pandas is imported when a table is written, not when the plugin is registered: every
# inclusionkit command loads the registered plugins, most never need this one.
if TYPE_CHECKING:
    import pandas as pd


def _cell(value: Any) -> str:
    # Missing numbers come through as pd.NA / NaN; Markdown needs an empty cell, and a literal
    # "|" inside a cell would end it early.
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("|", r"\|")


def write_markdown(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """Write a progress table (a DataFrame) to ``path`` as a GitHub-flavoured Markdown table."""
    frame: pd.DataFrame = obj
    lines = [
        "| " + " | ".join(map(str, frame.columns)) + " |",
        "| " + " | ".join("---" for _ in frame.columns) + " |",
    ]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines) + "\n")


@hookimpl
def register_exporters(register: RegisterExporter) -> None:
    """Contribute the Markdown exporter."""
    register(
        Exporter(
            name="markdown",
            extensions=(".md",),
            kinds={"progress"},
            write=write_markdown,
            description="Progress tables as Markdown",
        )
    )
