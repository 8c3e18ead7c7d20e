"""The plugin docs stay true: every hook documented with its signature, the tutorial runs."""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import pandas as pd
import pytest

from inclusionkit import hookspecs
from inclusionkit._plugins import build_plugin_manager
from inclusionkit.testing import registered_plugin

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS_MD = DOCS / "plugins" / "hooks.md"
TUTORIAL_MD = DOCS / "plugins" / "tutorial.md"

HOOK_NAMES = sorted(
    name
    for name, function in vars(hookspecs).items()
    if callable(function) and hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
)


def test_there_are_hooks() -> None:
    """The hookspec module defines the four register_* hooks."""
    assert HOOK_NAMES == [
        "register_exporters",
        "register_importers",
        "register_rulesets",
        "register_vocabulary",
    ]


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_documented_with_its_signature(hook: str) -> None:
    """docs/plugins/hooks.md has a heading 'name(args)' for every hookspec, with its arguments."""
    arguments = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    expected = f"## {hook}({arguments})"
    assert expected in HOOKS_MD.read_text(encoding="utf-8").splitlines(), (
        f"Missing from plugin hook documentation: {expected}"
    )


def test_the_manager_knows_exactly_the_documented_hooks() -> None:
    """Every hook a manager exposes is documented, and nothing else is."""
    documented = re.findall(r"^## (register_\w+)\(", HOOKS_MD.read_text(encoding="utf-8"), re.M)
    pm = build_plugin_manager(entry_points=False)
    registered = sorted(name for name in vars(pm.hook) if not name.startswith("_"))
    assert sorted(documented) == registered


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hookspec_docstring_says_when_it_was_added(hook: str) -> None:
    """Each hookspec's docstring carries a versionadded line and a :param register:."""
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert ".. versionadded::" in doc
    assert ":param register:" in doc


def _python_block_after(text: str, marker: str) -> str:
    """The first ```python block after ``marker`` in ``text``."""
    start = text.index(marker)
    match = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert match, f"no python block after {marker!r}"
    return match.group(1)


def test_the_tutorial_plugin_works_as_written(tmp_path: Path) -> None:
    """The tutorial's plugin module, run as written, writes a progress table as Markdown."""
    text = TUTORIAL_MD.read_text(encoding="utf-8")
    module = types.ModuleType("inclusionkit_plugin_example")
    exec(_python_block_after(text, "`src/inclusionkit_plugin_example/__init__.py`"), vars(module))
    table = pd.DataFrame({"indicator": ["CO01"], "target": [100.0], "achieved": [42.0]})
    with registered_plugin(module, name="example") as pm:
        exporter = pm.exporters()["markdown"]
        import inclusionkit._io as io

        io.write(table, tmp_path / "p.md", kind="progress")
    assert exporter.kinds == {"progress"}
    lines = (tmp_path / "p.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| indicator | target | achieved |"
    assert lines[2] == "| CO01 | 100.0 | 42.0 |"


def test_the_tutorial_names_match_the_example_plugin() -> None:
    """The tutorial uses the names the example plugin distribution is built with."""
    text = TUTORIAL_MD.read_text(encoding="utf-8")
    assert 'name = "inclusionkit-plugin-example"' in text
    assert '[project.entry-points.inclusionkit]\nexample = "inclusionkit_plugin_example"' in text
