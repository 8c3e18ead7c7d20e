"""The ``inclusionkit`` command-line tool.

Each command group lives in its own private module; this module assembles the group. A user's
mistake (an :class:`~inclusionkit.InclusionKitError`) ends the program with exit code 2 and a
readable message on stderr, never a traceback.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, TextIO

import click

from inclusionkit._atomic import guard_inputs
from inclusionkit._errors import InclusionKitError
from inclusionkit._version import __version__
from inclusionkit.cli._examples import examples_group
from inclusionkit.cli._followup import followup_command
from inclusionkit.cli._mapping import mapping_group
from inclusionkit.cli._plugins import convert_command, formats_command, plugins_command
from inclusionkit.cli._privacy import pseudonymise_command, retention_command
from inclusionkit.cli._project import demo, progress_command, validate
from inclusionkit.cli._register import register_group
from inclusionkit.cli._report import report_command, rulesets_command
from inclusionkit.cli._template import template_command

EXIT_USER_ERROR = 2


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning on the command line is a message like any other: no source file, no line."""
    click.echo(f"inclusionkit: warning: {message}", err=True)


class _Group(click.Group):
    """A click group that turns library errors into clean messages and exit code 2, and
    warnings (``XlsxImportWarning``, ``IatiImportWarning`` …) into ``warning:`` lines."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            # no output of a command overwrites one of its inputs; a library warning is a line
            # of text, never Python's with a source line, and the user is told even where
            # warnings are errors (a test run, -W error)
            with guard_inputs(), warnings.catch_warnings():
                warnings.simplefilter("default")  # shown once each, never raised
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except InclusionKitError as exc:
            click.echo(f"inclusionkit: error: {exc}", err=True)
            ctx.exit(EXIT_USER_ERROR)
        except OSError as exc:  # an unwritable folder, a full disk: the reason, no traceback
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"inclusionkit: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo("inclusionkit: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inclusionkit")
def cli() -> None:
    """Model ESF social inclusion projects and compute their indicator reporting."""


for command in (
    demo,
    validate,
    progress_command,
    report_command,
    rulesets_command,
    followup_command,
    plugins_command,
    formats_command,
    convert_command,
    pseudonymise_command,
    retention_command,
    register_group,
    mapping_group,
    examples_group,
    template_command,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (for ``python -m inclusionkit`` and tests)."""
    try:
        # Outside standalone mode click returns an Exit's code instead of raising it.
        result = cli.main(args=argv, prog_name="inclusionkit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USER_ERROR
    except click.exceptions.Abort:
        click.echo("inclusionkit: aborted", err=True)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script entry point: run and exit with the command's code."""
    sys.exit(main())
