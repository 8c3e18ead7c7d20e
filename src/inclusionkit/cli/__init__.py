"""The ``inclusionkit`` command-line tool.

Each command group lives in its own private module; this module assembles the group. A user's
mistake (an :class:`~inclusionkit.InclusionKitError`) ends the program with exit code 2 and a
readable message on stderr, never a traceback.

Every command, and the group itself, takes ``--lang en|ro``: ``inclusionkit report --lang ro …``
or ``inclusionkit --lang ro report …``; the command's own option wins, then the group's, then the
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG`` starting with ``ro``), then English. The language
holds for the whole run: messages, warnings, errors and every file written.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

import click

from inclusionkit._atomic import guard_inputs
from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n import (
    LANGUAGES,
    current_language,
    language_from_environment,
    translate,
    using_language,
)
from inclusionkit._pandas import PANDAS_IMPORT_THREAD
from inclusionkit._version import __version__

EXIT_USER_ERROR = 2

# Each command is imported when it runs (or when ``--help`` lists it), never at start-up: a
# command module imports what it needs, and ``inclusionkit --version`` imports none of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("inclusionkit.cli._plugins", "convert_command"),
    "demo": ("inclusionkit.cli._project", "demo"),
    "examples": ("inclusionkit.cli._examples", "examples_group"),
    "followup": ("inclusionkit.cli._followup", "followup_command"),
    "formats": ("inclusionkit.cli._plugins", "formats_command"),
    "mapping": ("inclusionkit.cli._mapping", "mapping_group"),
    "plugins": ("inclusionkit.cli._plugins", "plugins_command"),
    "progress": ("inclusionkit.cli._project", "progress_command"),
    "pseudonymise": ("inclusionkit.cli._privacy", "pseudonymise_command"),
    "register": ("inclusionkit.cli._register", "register_group"),
    "report": ("inclusionkit.cli._report", "report_command"),
    "retention": ("inclusionkit.cli._privacy", "retention_command"),
    "rulesets": ("inclusionkit.cli._report", "rulesets_command"),
    "template": ("inclusionkit.cli._template", "template_command"),
    "validate": ("inclusionkit.cli._project", "validate"),
}


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning on the command line is a message like any other: no source file, no line."""
    click.echo(translate("inclusionkit: warning: {message}").format(message=message), err=True)


class _Group(click.Group):
    """A click group that turns library errors into clean messages and exit code 2, and
    warnings (``XlsxImportWarning``, ``IatiImportWarning`` …) into ``warning:`` lines."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # every command takes --lang, however it was added to the group
        command = super().get_command(ctx, cmd_name)
        return None if command is None else with_language_option(command)

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
            _error(_said(exc))
            ctx.exit(EXIT_USER_ERROR)
        except OSError as exc:  # an unwritable folder, a full disk: the reason, no traceback
            where = f"{exc.filename}: " if exc.filename else ""
            _error(f"{where}{exc.strerror or exc}")
            ctx.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            click.echo(translate("inclusionkit: interrupted"), err=True)
            ctx.exit(130)


def _said(exc: InclusionKitError) -> str:
    """An error as the user reads it: a :class:`ValidationError` lists each problem in the
    run's language (its place and meaning); any other error is its message."""
    problems = getattr(exc, "problems", None)
    if current_language() == "en" or not isinstance(problems, tuple) or not problems:
        return str(exc)
    from inclusionkit._problems import describe

    source = getattr(exc, "source", None)
    head = translate("{count} problem(s) found:").format(count=len(problems))
    lines = [f"{source}: {head}" if source else head]
    lines += [f"  - {describe(problem)}" for problem in problems]
    return "\n".join(lines)


def _error(message: str) -> None:
    click.echo(translate("inclusionkit: error: {message}").format(message=message), err=True)


LANG_HELP = (
    "Language of messages and of the files written: en or ro. Default: the locale "
    "(LC_ALL, LC_MESSAGES or LANG starting with ro is Romanian), else English."
)


def _command_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """A command's ``--lang``: the language of the rest of the run (until the program ends)."""
    if value is not None:
        ctx.find_root().with_resource(using_language(value))


def _group_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """The group's ``--lang``, else the locale's language: the run's default."""
    ctx.with_resource(using_language(value or language_from_environment()))


def language_option(callback: Callable[..., None] = _command_language) -> click.Option:
    """The ``--lang`` option every command takes (added to each when it is looked up); with
    ``callback=_group_language``, the group's."""
    return click.Option(
        ["--lang"],
        type=click.Choice(LANGUAGES),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=callback,
        help=LANG_HELP,
    )


def with_language_option(command: click.Command) -> click.Command:
    """``command`` (and, for a group, each of its commands) with the ``--lang`` option."""
    if not any(param.name == "lang" for param in command.params):
        command.params.append(language_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_language_option(sub)
    return command


class _LazyGroup(_Group):
    """The ``inclusionkit`` group: its commands (:data:`COMMANDS`) are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inclusionkit")
def cli() -> None:
    """Model ESF social inclusion projects and compute their indicator reporting."""


cli.params.append(language_option(_group_language))


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


def run() -> NoReturn:
    """The process entry point (the ``inclusionkit`` console script, ``python -m inclusionkit``):
    run the command, then end the process with its exit code at once.

    Python's own shutdown would next tear down every imported module; with pandas and pyarrow
    loaded that alone takes 60–100 ms (measured in docs/performance.md), a tenth of a small
    report's whole run, for memory the operating system frees anyway. So the process finishes
    what shutdown does that anyone can see, in the same order, and then exits without it:
    other threads that are not daemons are waited for (those of a library the command used), the
    ``atexit`` handlers run (logging's flush, coverage, a plugin's own), and stdout and stderr are
    flushed. Only the thread importing pandas in the background is not waited for (nothing is
    left to use it). :func:`main` itself returns as usual, for callers inside a process.
    """
    code = main()
    current = threading.current_thread()
    for thread in threading.enumerate():
        # Python's shutdown waits for these threads too; the pandas import is left to die.
        waited = not thread.daemon and thread is not current
        if waited and thread.name != PANDAS_IMPORT_THREAD:
            thread.join()
    atexit._run_exitfuncs()
    code = _flushed(code)
    os._exit(code)


def _flushed(code: int) -> int:
    """Flush stdout and stderr; the exit code, 120 (as Python's own shutdown) if stdout could not
    be written. A reader that closed the pipe early (``| head``) is not an error."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError):  # a full disk; a stream the command closed
            if stream is sys.stdout and code == 0:
                code = 120
    return code


if __name__ == "__main__":  # pragma: no cover
    run()
