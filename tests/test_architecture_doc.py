"""docs/architecture.md stays a true map: every module it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "inclusionkit"
_MODULE = re.compile(r"`([A-Za-z_][\w/]*(?:\.py|/))`")


def test_every_module_the_map_names_exists() -> None:
    """Each `path.py` or `folder/` in the architecture page is a file or folder of the package."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(_MODULE.findall(text))
    assert len(named) > 30
    missing = sorted(
        name for name in named if not (PACKAGE / name).exists() and not (ROOT / name).exists()
    )
    assert missing == []


def test_the_docs_index_links_the_map() -> None:
    """The documentation's front page sends a newcomer to the architecture page first."""
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "(architecture.md)" in index
