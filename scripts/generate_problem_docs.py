"""Regenerate ``docs/problems.md`` from the catalogue of problem codes.

Usage: ``.venv/bin/python scripts/generate_problem_docs.py`` (a test fails when the page is stale).
"""

from __future__ import annotations

from pathlib import Path

from inclusionkit._rules._problem_docs import write_problem_docs

PAGE = Path(__file__).resolve().parents[1] / "docs" / "problems.md"


def main() -> None:
    """Write the page and say so."""
    print(f"wrote {write_problem_docs(PAGE)}")


if __name__ == "__main__":
    main()
