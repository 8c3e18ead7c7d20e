"""Start-up cost of the command line: ``--version`` and ``--help`` import no heavy library."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

import inclusionkit
from inclusionkit.cli import COMMANDS, cli

HEAVY = ("pandas", "pyarrow", "numpy", "dask", "sqlalchemy", "openpyxl", "pluggy", "jsonschema")
INIT = Path(inclusionkit.__file__)

# Runs the CLI (arguments after the first) in a fresh interpreter and prints which of the heavy
# packages (the first argument, JSON) it imported.
PROBE = """
import contextlib, io, json, sys
from inclusionkit.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[2:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _heavy_imports(*argv: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("argv", [("--version",), ("--help",), ("report", "--help")])
def test_version_and_help_import_no_heavy_library(argv: tuple[str, ...]) -> None:
    """`--version`, `--help` and `report --help` succeed without importing pandas, pyarrow, etc."""
    assert _heavy_imports(*argv) == {"code": 0, "heavy": []}


def test_import_inclusionkit_is_lazy() -> None:
    """`import inclusionkit` loads no heavy library; touching a name loads its module, and pandas
    waits for its first use (inclusionkit._pandas)."""
    code = (
        "import sys, inclusionkit; a = 'pandas' in sys.modules; "
        "inclusionkit.read_participations; "
        "print(a, 'inclusionkit._participations' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "False"]


def test_lazy_names_match_the_type_checking_imports() -> None:
    """The lazy table of `inclusionkit/__init__.py` names the same imports as its TYPE_CHECKING
    block (what mypy sees), and `__all__` is exactly those names and `__version__`."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
    )
    imported = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    lazy = inclusionkit._LAZY  # type: ignore[attr-defined]
    assert imported == lazy
    assert set(inclusionkit.__all__) == {*lazy, "__version__"}
    for name, (module, attribute) in lazy.items():
        assert getattr(inclusionkit, name) is getattr(importlib.import_module(module), attribute)


def test_every_command_is_listed_and_loads_under_its_name() -> None:
    """Each lazily loaded command resolves to a click command of that name, and `--help` lists
    every one of them."""
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command)
        assert command.name == name
    help_text = cli.get_help(context)
    assert all(f"  {name}" in help_text for name in COMMANDS)


def test_unknown_attribute_is_an_attribute_error() -> None:
    """A name the package does not have raises AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = inclusionkit.no_such_name  # type: ignore[attr-defined]


def test_the_progress_command_spells_the_technical_layout_as_the_library_does() -> None:
    """The `--layout` choice the CLI spells out (not imported, to keep `--help` light) is the
    technical report's own layout name."""
    from inclusionkit._technical import LAYOUT
    from inclusionkit.cli import _project

    assert _project.LAYOUT == LAYOUT


# What a `report` of a Parquet file to CSV never needs: JSON Schema validation (the built-in
# mapping and rule sets are checked by tests), the cattrs converter, and the plugins' readers and
# writers (each plugin registers its formats from a light top module).
NOT_FOR_A_PARQUET_REPORT = (
    "jsonschema",
    "referencing",
    "cattrs",
    "lxml",
    "python_calamine",
    "openpyxl",
    "matplotlib",
    "jinja2",
    "inclusionkit_iati._export",
    "inclusionkit_iati._import",
    "inclusionkit_iati._validate",
    "inclusionkit_xlsx._read",
    "inclusionkit_xlsx._write",
    "inclusionkit_datapackage._build",
    "inclusionkit_datapackage._write",
    "inclusionkit_html._report",
    "pyarrow.dataset",  # a file is read by its own reader (ParquetFile), not a dataset scan
)

REPORT_PROBE = """
import contextlib, io, json, sys
from inclusionkit.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[2:])
lazy = sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)
print(json.dumps({"code": code, "loaded": lazy}))
"""


def test_a_parquet_report_imports_no_validator_converter_or_plugin_reader(tmp_path: Path) -> None:
    """`report FILE.parquet -o out.csv` imports neither jsonschema, cattrs nor a plugin's reader."""
    from inclusionkit import examples

    participations = examples.load("dreptul-la-munca").participations
    assert participations is not None
    source = tmp_path / "participations.parquet"
    inclusionkit.write(participations, source)
    argv = [str(source), "--rules", "esf-2014", "--by", "gender", "--no-progress"]
    argv += ["-o", str(tmp_path / "out.csv")]
    done = subprocess.run(
        [sys.executable, "-c", REPORT_PROBE, json.dumps(NOT_FOR_A_PARQUET_REPORT), "report", *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"code": 0, "loaded": []}
    assert (tmp_path / "out.csv").stat().st_size > 0


THREADS_PROBE = """
import contextlib, io, json, sys, threading
started = []
start = threading.Thread.start
def recording(self):
    started.append(self.name)
    start(self)
threading.Thread.start = recording
from inclusionkit.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "pandas_thread": "inclusionkit-import-pandas" in started}))
"""


def test_a_command_reading_a_table_imports_pandas_on_a_thread(tmp_path: Path) -> None:
    """Each command that reads a participation table imports pandas on a thread of its own
    while its reader reads the file (and runs to its end); one that reads none does not."""
    from inclusionkit import examples

    participations = examples.load("dreptul-la-munca").participations
    assert participations is not None
    source = tmp_path / "participations.csv"
    inclusionkit.write(participations, source)
    runs = {
        "report": [
            "report",
            str(source),
            "--rules",
            "esf-2014",
            "--by",
            "gender",
            "--no-progress",
            "-o",
            str(tmp_path / "out.csv"),
        ],
        "validate": ["validate", str(source)],
        "rulesets": ["rulesets"],
    }
    seen = {}
    for name, argv in runs.items():
        done = subprocess.run(
            [sys.executable, "-c", THREADS_PROBE, *argv], capture_output=True, text=True, check=True
        )
        seen[name] = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "report": {"code": 0, "pandas_thread": True},
        "validate": {"code": 2, "pandas_thread": True},  # the example's five incomplete rows
        "rulesets": {"code": 0, "pandas_thread": False},
    }


# Runs the process entry point (what the console script and `python -m inclusionkit` call) with
# the arguments after the script, after leaving three traces of a normal shutdown to look for: an
# atexit handler, a thread that is not a daemon and is still working, and a module-level object
# whose finaliser only module teardown would call.
ENTRY = """
import atexit, sys, threading, time
from pathlib import Path
from inclusionkit.cli import run

class Torn:
    def __del__(self):
        sys.stderr.write("torn down\\n")

kept = Torn()
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
marker = Path(sys.argv[1])
late = threading.Thread(target=lambda: (time.sleep(0.3), marker.write_text("done")))
late.start()
sys.argv = ["inclusionkit", *sys.argv[2:]]
run()
"""


def _entry(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    marker = tmp_path / "thread-finished"
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, str(marker), *argv], capture_output=True, text=True
    )
    return done, marker


def test_the_entry_point_ends_like_a_normal_shutdown_without_module_teardown(
    tmp_path: Path,
) -> None:
    """`run()` waits for a working thread, runs atexit handlers and flushes stdout (a full
    listing through a pipe), then exits 0 without tearing modules down."""
    done, marker = _entry(tmp_path, "rulesets")
    assert done.returncode == 0
    assert marker.read_text() == "done"
    assert "atexit ran" in done.stderr
    assert "torn down" not in done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines()[1:]}
    assert {"esf-2007", "esf-2014", "esf-2021"} <= listed


def test_the_entry_point_exits_with_the_command_code(tmp_path: Path) -> None:
    """A user's error through `run()` still exits 2 with its message (and the atexit handlers
    still run)."""
    done, _ = _entry(tmp_path, "report", str(tmp_path / "missing.csv"))
    assert done.returncode == 2
    assert "no such file" in done.stderr
    assert "atexit ran" in done.stderr


def test_python_dash_m_goes_through_the_entry_point() -> None:
    """`python -m inclusionkit` (which calls `run()`) ends with the command's exit code and
    message."""
    done = subprocess.run(
        [sys.executable, "-m", "inclusionkit", "report", "no-such-file.csv"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "no-such-file.csv" in done.stderr
