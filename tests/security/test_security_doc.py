"""docs/security.md stays true: every test it cites as proof exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
# `file.py::test_name`, or `::test_name` for the file cited last; a `[param]` suffix is allowed.
REFERENCE = re.compile(r"`((?:[\w./-]+\.py)?)::(test_\w+)(?:\[[^\]`]*\])?`")
MENTION = re.compile(r"`([\w./-]+\.py)(?:::|`| \()")


def _citations() -> list[tuple[str, str]]:
    """(test file, test name) for every citation, resolving '::name' to the last file named."""
    # Fenced code blocks would throw the pairing of inline backticks off.
    text = re.sub(r"```.*?```", "", DOC.read_text(encoding="utf-8"), flags=re.S)
    found: list[tuple[str, str]] = []
    last = ""
    for match in re.finditer(r"`[^`]+`", text):
        token = match.group(0)
        reference = REFERENCE.fullmatch(token)
        if reference:
            last = reference.group(1) or last
            found.append((last, reference.group(2)))
        elif (mention := MENTION.match(token + " ")) and mention.group(1).startswith(
            ("test", "tests/", "plugins/")
        ):
            last = mention.group(1)
    return found


def _path(name: str) -> Path:
    return ROOT / name if "/" in name else Path(__file__).parent / name


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_the_doc_cites_tests() -> None:
    """The review names the tests that prove its claims (dozens of them)."""
    assert len(_citations()) >= 40


@pytest.mark.parametrize(("file", "name"), _citations())
def test_cited_test_exists(file: str, name: str) -> None:
    """Each cited test is a test function in the file named."""
    path = _path(file)
    assert path.is_file(), f"docs/security.md cites {file}, which does not exist"
    assert name in _tests_in(path), f"docs/security.md cites {file}::{name}, which does not exist"
