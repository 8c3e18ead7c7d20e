"""Helpers shared by the CLI commands: parsing options, loading projects, reading and writing
files through the public :func:`inclusionkit.read` and :func:`inclusionkit.write`, printing tables.

Every command that reads a participation table reads it with any registered importer (CSV in any
supported encoding, Excel, JSON, Parquet, a plugin's format); every command that writes picks the
exporter by ``--format`` or by the output's extension among all registered exporters, plugins
included, and never writes one format under another's extension.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import translate

if TYPE_CHECKING:
    import pandas as pd


def parse_date_option(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> dt.date | None:
    """A click callback for ``--as-of``: ISO ``YYYY-MM-DD`` (or ``DD.MM.YYYY``) to a date,
    between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            date = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            raise click.BadParameter(
                f"{value} is outside the dates a report can be about "
                f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})",
                ctx=ctx,
                param=param,
            )
        return date
    raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD", ctx=ctx, param=param)


EARLIEST_DATE = dt.date(1900, 1, 1)
"""The earliest date an option takes (``--as-of``, ``--until``): nobody is counted before it."""

LATEST_DATE = dt.date(2199, 12, 31)
"""The latest date an option takes: ages and retention periods stay computable after it."""


STDOUT_FORMATS = ("csv", "json")
"""The formats printed as text when there is no ``--output`` file."""


F = TypeVar("F", bound=Callable[..., Any])


def reading_options(optional: Iterable[str] = ()) -> Callable[[F], F]:
    """The options of every command that reads a participation table: ``--mapping FILE`` and
    ``--ignore-columns A,B``.

    The command runs with that mapping for every read (through the one reader), strictly: a
    header that matches no column stops the command (exit 2) naming it and the closest canonical
    names, unless ``--ignore-columns`` leaves it out on purpose. ``optional`` names canonical
    columns the command does without (``pseudonymise`` gives each row its ``participant_id``).
    """
    optional = tuple(optional)

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from inclusionkit._atomic import note_input
            from inclusionkit._ingest._mapping import strict_mapping, using_mapping

            mapping_file: Path | None = kwargs.pop("mapping_file")
            ignored = split_names(kwargs.pop("ignore_columns"))
            if mapping_file is not None:
                note_input(mapping_file)
            mapping = strict_mapping(mapping_file, ignore=ignored, optional=optional)
            with using_mapping(mapping):
                return command(*args, **kwargs)

        wrapper = click.option(
            "--ignore-columns",
            "ignore_columns",
            multiple=True,
            metavar="A,B",
            help="Leave out these columns of the input on purpose (headers as written, "
            "comma-separated or repeated); any other column that matches no canonical column "
            "is an error.",
        )(wrapper)
        return click.option(  # type: ignore[return-value]
            "--mapping",
            "mapping_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A mapping file (JSON) saying which of your headers and values are which "
            "canonical ones; `inclusionkit mapping suggest` proposes one.",
        )(wrapper)

    return decorate


def split_names(items: Iterable[str]) -> list[str]:
    """The names of a repeatable, comma-separated option, trimmed, empties dropped."""
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def participation_source(value: str) -> Path | str:
    """A participation argument as given: a file's path, or a register's database URL kept as
    text (a path would fold its ``//``)."""
    from inclusionkit._atomic import note_input
    from inclusionkit._formats import REGISTER_URLS

    note_input(value)  # read later, perhaps by a streaming engine: never an output
    return value if value.startswith(REGISTER_URLS) else Path(value)


def read_table(path: Path | str, **options: Any) -> pd.DataFrame:
    """The participation table at ``path`` (or a register's URL), in any format an importer reads.

    ``options`` go to the importer (``keep_extra=True`` keeps identifier columns such as a CNP).
    """
    import inclusionkit

    if isinstance(path, str):
        url: pd.DataFrame = inclusionkit.read(path, kind="participations", **options)
        return url
    if not path.exists():
        raise InclusionKitError(translate("{path}: no such file").format(path=path))
    if path.is_dir():
        raise InclusionKitError(translate("{path}: is a folder; give a file").format(path=path))
    table: pd.DataFrame = inclusionkit.read(path, kind="participations", **options)
    return table


def output_format(output: Path | None, fmt: str | None, kind: str) -> str:
    """The name of the format to write ``kind`` in, checked before any work is done.

    With an ``output`` file: the exporter called ``fmt``, or else the one claiming the file's
    extension, among every registered exporter; an unknown name, an extension nobody claims or a
    format that cannot write ``kind`` is an :class:`InclusionKitError` listing those that can,
    and so is a ``fmt`` other than the one whose extension ``output`` has (a CSV is never
    written as ``report.xlsx``; ``--format csv`` may still name a ``.data`` file). Without one
    (standard output): ``fmt`` (default ``csv``), which must be a text format of
    :data:`STDOUT_FORMATS`.
    """
    from inclusionkit import get_plugin_manager
    from inclusionkit._atomic import refuse_input

    if output is None:
        name = (fmt or STDOUT_FORMATS[0]).lower()
        if name not in STDOUT_FORMATS:
            # Still say whether the name exists at all, with the list, before asking for -o.
            get_plugin_manager().find_exporter(name, None, kind, option="--format")
            raise InclusionKitError(
                f"--format {name} writes a file: give one with --output/-o "
                f"(standard output takes {' or '.join(STDOUT_FORMATS)})"
            )
        return name
    refuse_input(output)  # early, for the inputs named so far; every write checks again
    pm = get_plugin_manager()
    exporter = pm.find_exporter(fmt, str(output), kind, option="--format")
    name = output.name.lower()
    claimed = any(name.endswith(other.extensions) for other in pm.exporters().values())
    if fmt is not None and not name.endswith(exporter.extensions) and claimed:
        raise InclusionKitError(
            f"{output}: --format {exporter.name} writes {' or '.join(exporter.extensions)} files; "
            f"name the output {output.stem}{exporter.extensions[0]}, or leave out --format to "
            "choose the format by the extension"
        )
    return exporter.name


def write_file(obj: Any, output: Path, fmt: str, kind: str) -> None:
    """Write ``obj`` (a ``kind``) to ``output`` in format ``fmt``, atomically."""
    import inclusionkit

    inclusionkit.write(obj, output, format=fmt, kind=kind)


def load_project_or_example(name_or_path: str) -> tuple[Any, pd.DataFrame | None]:
    """Load a project from a JSON path, or a bundled example by name (with its participations)."""
    from inclusionkit import examples, load_project

    if Path(name_or_path).suffix.lower() == ".json" or Path(name_or_path).exists():
        return load_project(name_or_path), None
    if name_or_path in examples.list():
        example = examples.load(name_or_path)
        return example.project, example.participations
    raise InclusionKitError(
        translate(
            "{name!r} is neither a project file nor a bundled example (examples: {known})"
        ).format(name=name_or_path, known=", ".join(examples.list()))
    )


def format_table(frame: pd.DataFrame) -> str:
    """Render a DataFrame as an aligned text table for a terminal (no index, NA as blank)."""
    from inclusionkit._pandas import pd

    shown = frame.copy()
    for name in shown.columns:
        column = shown[name]
        if pd.api.types.is_float_dtype(column.dtype):
            shown[name] = column.map(_number, na_action="ignore")
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            shown[name] = column.dt.strftime("%Y-%m-%d")  # dates, not midnight timestamps
    shown = shown.astype(object).where(shown.notna(), "")
    text: str = shown.to_string(index=False)
    return text


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


allow_by_option = click.option(
    "--allow-by",
    "allow_by",
    multiple=True,
    metavar="COLUMN",
    help="Allow a breakdown by COLUMN, a column the participation contract does not define "
    "(repeat, or separate with commas). Never allow an identifier: it publishes one row per "
    "person.",
)
"""The ``--allow-by`` option of every command that takes ``--by``."""


def check_by(by: str, allow_by: tuple[str, ...] = ()) -> None:
    """Refuse a ``--by`` that would publish one row per person (an identifier, a per-person
    date, a column outside the contract not named in ``--allow-by``)."""
    from inclusionkit._privacy import check_publishable_breakdowns

    names = [name.strip() for name in by.split(",") if name.strip()]
    allowed = [name.strip() for item in allow_by for name in item.split(",") if name.strip()]
    check_publishable_breakdowns(names, allowed)
