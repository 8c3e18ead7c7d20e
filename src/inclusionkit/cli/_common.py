"""Helpers shared by the CLI commands: parsing options, loading projects, printing tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import pandas as pd

from inclusionkit._errors import InclusionKitError


def parse_date_option(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> dt.date | None:
    """A click callback for ``--as-of``: ISO ``YYYY-MM-DD`` (or ``DD.MM.YYYY``) to a date."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD", ctx=ctx, param=param)


def load_project_or_example(name_or_path: str) -> tuple[Any, pd.DataFrame | None]:
    """Load a project from a JSON path, or a bundled example by name (with its participations)."""
    from inclusionkit import examples
    from inclusionkit._project_io import load_project

    if Path(name_or_path).suffix.lower() == ".json" or Path(name_or_path).exists():
        return load_project(name_or_path), None
    if name_or_path in examples.list():
        example = examples.load(name_or_path)
        return example.project, example.participations
    raise InclusionKitError(
        f"{name_or_path!r} is neither a project file nor a bundled example "
        f"(examples: {', '.join(examples.list())})"
    )


def format_table(frame: pd.DataFrame) -> str:
    """Render a DataFrame as an aligned text table for a terminal (no index, NA as blank)."""
    shown = frame.copy()
    for name in shown.columns:
        column = shown[name]
        if pd.api.types.is_float_dtype(column.dtype):
            shown[name] = column.map(_number, na_action="ignore")
    shown = shown.astype(object).where(shown.notna(), "")
    text: str = shown.to_string(index=False)
    return text


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
