"""The plugin's translations: its sheet names, headers, titles and messages in Romanian, from
its own catalogue ``locale/ro/LC_MESSAGES/inclusionkit_xlsx.po`` (read only when asked)."""

from __future__ import annotations

from pathlib import Path

from inclusionkit.plugin import Translator

TRANSLATOR = Translator("inclusionkit_xlsx", Path(__file__).parent / "locale")
"""The plugin's catalogue."""
