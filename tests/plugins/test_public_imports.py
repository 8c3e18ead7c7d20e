"""Plugins and the docs' examples use only public names: the lint rule is complete and the
examples in docs/ import no ``inclusionkit._*`` module."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "inclusionkit"
DOCS = ROOT / "docs"

# TEMPORARY (issue 10): pages whose examples still call a private writer that another branch is
# moving into an exporter; the lead removes each entry when that branch is merged.

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def private_modules() -> set[str]:
    """Every private module of the package: the first component of its name starting with '_'."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for index, part in enumerate(parts):
            if part.startswith("_") and part not in ("__init__", "__main__"):
                found.add(".".join(parts[: index + 1]))
                break
    return found


def private_imports(code: str) -> list[str]:
    """The ``inclusionkit._*`` modules (at any depth) that a piece of Python code imports."""
    names: list[str] = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in {"__import__", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)
    return sorted(
        {
            name
            for name in names
            if name.split(".")[0] == "inclusionkit"
            and any(part.startswith("_") for part in name.split(".")[1:])
        }
    )


def test_the_lint_rule_bans_every_private_module() -> None:
    """ruff's TID251 list in pyproject.toml names every private module of inclusionkit, so a
    plugin importing any of them fails `make lint` (add a new private module to the list)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "TID251" in lint["select"]
    banned = set(lint["flake8-tidy-imports"]["banned-api"])
    missing = sorted(private_modules() - banned)
    assert missing == [], f"add to [tool.ruff.lint.flake8-tidy-imports.banned-api]: {missing}"
    for pattern, codes in lint["per-file-ignores"].items():
        # No plugin is exempt: plugins import public names only.
        assert not ("TID251" in codes and pattern.startswith("plugins/")), pattern


def test_the_scanner_finds_private_imports() -> None:
    """The docs check recognises every form of a private import, and passes public ones."""
    code = (
        "import inclusionkit._io\nfrom inclusionkit._rules._report import compute\n"
        "from inclusionkit.ro._text import fold\nfrom inclusionkit import _limits\n"
        "__import__('inclusionkit._atomic')\nfrom inclusionkit import read, ro\n"
        "from inclusionkit.plugin import ReportData\n"
    )
    assert private_imports(code) == [
        "inclusionkit._atomic",
        "inclusionkit._io",
        "inclusionkit._limits",
        "inclusionkit._rules._report",
        "inclusionkit._rules._report.compute",
        "inclusionkit.ro._text",
        "inclusionkit.ro._text.fold",
    ]


@pytest.mark.parametrize(
    "page",
    sorted(
        path.relative_to(DOCS).as_posix()
        for path in DOCS.rglob("*.md")
        if "```python" in path.read_text(encoding="utf-8")
    ),
)
def test_docs_examples_import_only_public_names(page: str) -> None:
    """Every ```python block of a docs page imports public inclusionkit names only."""
    text = (DOCS / page).read_text(encoding="utf-8")
    found = []
    for block in _PYTHON_BLOCK.findall(text):
        try:
            found += private_imports(block)
        except SyntaxError:
            # A fragment that is not a whole program (a signature, an ellipsis): check its lines.
            found += [line for line in block.splitlines() if "inclusionkit._" in line]
    assert found == [], f"{page} imports private modules: {found}"
