"""An installed plugin distribution is found by `inclusionkit plugins` with no other setup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "inclusionkit-venvcheck"
version = "0.4.2"
dependencies = ["inclusionkit"]

[project.entry-points.inclusionkit]
venvcheck = "inclusionkit_venvcheck"

[tool.hatch.build.targets.wheel]
packages = ["src/inclusionkit_venvcheck"]
"""

MODULE = """
from inclusionkit import hookspecs
from inclusionkit._formats import Exporter


def _write(obj, path, *, kind, options):
    open(path, "w").write("ok")


@hookspecs.hookimpl
def register_exporters(register):
    register(Exporter(name="venvcheck", extensions=(".vc",), kinds={"progress"}, write=_write))
"""


def _venv_python(venv: Path) -> Path:
    """The interpreter of a venv on this platform."""
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    """Run a command; fail the test with its output if it fails."""
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, f"{args}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def test_plugin_installed_into_a_fresh_venv_is_listed(tmp_path: Path) -> None:
    """pip-installing a distribution with the entry point is all it takes to be found."""
    dist = tmp_path / "inclusionkit-venvcheck"
    package = dist / "src" / "inclusionkit_venvcheck"
    package.mkdir(parents=True)
    (dist / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "__init__.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv)
    python = _venv_python(venv)
    # --system-site-packages exposes the base interpreter's packages, not this test venv's; a
    # .pth that adds our site-packages (running its .pth files, so the editable inclusionkit
    # install works) stands in for `pip install inclusionkit` without the network.
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    ours = sysconfig.get_paths()["purelib"]
    (purelib / "_inclusionkit_test.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    # This pip installs into the new venv (--python); no build isolation, no index: offline.
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        dist,
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("INCLUSIONKIT_")}
    env.pop("PYTHONPATH", None)
    listing = json.loads(_run(python, "-m", "inclusionkit", "plugins", "--json", env=env))
    found = {info["name"]: info for info in listing}
    assert found["venvcheck"]["status"] == "ok"
    assert found["venvcheck"]["version"] == "0.4.2"
    assert found["venvcheck"]["distribution"] == "inclusionkit-venvcheck"
    assert found["venvcheck"]["hooks"] == ["register_exporters"]

    env["INCLUSIONKIT_BLOCK_PLUGINS"] = "venvcheck"
    blocked = json.loads(_run(python, "-m", "inclusionkit", "plugins", "--json", env=env))
    assert {info["name"]: info["status"] for info in blocked}["venvcheck"] == "blocked"
