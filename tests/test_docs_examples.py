"""Every ```python block of the user docs runs, in order, page by page (docs are tested code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# The plugin tutorial's blocks are files of a separate distribution; tests/test_docs.py runs them.
NOT_RUNNABLE = {"plugins/tutorial.md"}
PAGES = sorted(
    str(page.relative_to(DOCS))
    for page in DOCS.rglob("*.md")
    if str(page.relative_to(DOCS)) not in NOT_RUNNABLE
)
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's Python examples run without error, each block after the ones before it."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))):
        exec(compile(block, f"docs/{page} (block {number + 1})", "exec"), namespace)
