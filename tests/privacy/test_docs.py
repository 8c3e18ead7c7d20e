"""The Python examples in docs/privacy.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_examples() -> None:
    """The privacy page carries its worked examples (pseudonymisation, suppression, retention)."""
    assert len(BLOCKS) == 3


@pytest.mark.parametrize("block", BLOCKS, ids=["pseudonymise", "suppress", "retention"])
def test_example_runs(block: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each example runs without error, its own assertions included."""
    exec(compile(block, str(DOC), "exec"), {"__name__": "docs_privacy"})
    assert capsys.readouterr().out
