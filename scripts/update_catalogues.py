"""Bring the translation catalogues (``.po``) in line with the texts marked in the source: add
each new text with an empty translation (to fill in) and drop those no longer used.

Usage: ``.venv/bin/python scripts/update_catalogues.py`` (``tests/i18n`` fails while a marked
text has no translation or the catalogue holds one no code uses).
"""

from __future__ import annotations

from pathlib import Path

from inclusionkit._i18n._extract import catalogues, marked_messages, update

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    for po, roots, data in catalogues(REPO):
        found, mistakes = marked_messages(roots)
        for mistake in mistakes:
            print(mistake)
        added, dropped = update(po, set(found) | data)
        for context, text in added:
            print(f"{po.name}: added {text!r}" + (f" ({context})" if context else ""))
        for context, text in dropped:
            print(f"{po.name}: dropped {text!r}" + (f" ({context})" if context else ""))


if __name__ == "__main__":
    main()
