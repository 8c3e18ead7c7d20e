"""Regenerate ``docs/rulesets/<name>.md`` from the built-in rule sets.

Usage: ``.venv/bin/python scripts/generate_ruleset_docs.py`` (a test fails when a page is stale).
"""

from __future__ import annotations

from pathlib import Path

from inclusionkit._rules._docs import write_ruleset_docs

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rulesets"


def main() -> None:
    """Write every page and say which."""
    for path in write_ruleset_docs(DOCS):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
