"""Romanian text helpers: the correct diacritics, and a folded form for tolerant matching.

:class:`RomanianCodeError` (defined with every other exception in :mod:`inclusionkit._errors`) is
re-exported here, the one module every other ``inclusionkit.ro`` module imports.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._errors import RomanianCodeError
from inclusionkit._pandas import pd

__all__ = ["RomanianCodeError", "fix_diacritics", "fix_diacritics_series", "fold"]


# Legacy encodings (ISO 8859-2, Windows-1250) had no comma-below letters, so texts written before
# about 2010 and many keyboards still produce the cedilla forms, which are wrong in Romanian.
_CEDILLA_TO_COMMA: dict[int, str] = {
    ord("\u015f"): "\u0219",  # ş -> ș
    ord("\u015e"): "\u0218",  # Ş -> Ș
    ord("\u0163"): "\u021b",  # ţ -> ț
    ord("\u0162"): "\u021a",  # Ţ -> Ț
}

# Hyphens and dashes are folded like spaces because the same names are written "Sud-Muntenia",
# "Sud Muntenia" and "Sud – Muntenia" in the wild.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def fix_diacritics(text: str) -> str:
    """Replace the cedilla letters ş Ş ţ Ţ with the correct comma-below letters ș Ș ț Ț.

    Every other character is left alone, so the function is safe on any text.
    """
    return text.translate(_CEDILLA_TO_COMMA)


def fix_diacritics_series(series: pd.Series) -> pd.Series:
    """Vectorised :func:`fix_diacritics` for a pandas Series of strings; missing values stay."""
    return series.str.translate(_CEDILLA_TO_COMMA)


def fix_diacritics_arrow(values: pa.Array) -> pa.Array:
    """Vectorised :func:`fix_diacritics` for an Arrow text array; returned as is when clean."""
    if not _has_cedilla(values):
        return values
    for cedilla, comma in _CEDILLA_TO_COMMA.items():
        values = pc.replace_substring(values, chr(cedilla), comma)
    return values


def _has_cedilla(values: pa.Array) -> bool:
    """Whether a UTF-8 text array holds ş Ş ţ Ţ: a scan of its bytes (C5 9E/9F/A2/A3)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return bool(pc.any(pc.match_substring_regex(values, "[\u015f\u015e\u0163\u0162]")).as_py())
    data = values.buffers()[2]
    if data is None or data.size == 0:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    # Block by block (each block one byte longer, for a letter across the boundary): the
    # scratch array of each block reuses the last one's memory, where one of every byte at once
    # would be fresh memory the size of the text (slow to touch in these VMs).
    for start in range(0, raw.size - 1, _CEDILLA_BLOCK):
        block = raw[start : start + _CEDILLA_BLOCK + 1]
        lead = np.flatnonzero(block[:-1] == 0xC5)
        if lead.size and np.isin(block[lead + 1], _CEDILLA_TRAIL).any():
            return True
    return False


_CEDILLA_BLOCK = 1 << 20
"""How many bytes :func:`_has_cedilla` looks at a time."""
_CEDILLA_TRAIL = np.array([0x9E, 0x9F, 0xA2, 0xA3], dtype=np.uint8)
"""The second bytes of ş Ş ţ Ţ in UTF-8 (their first is C5)."""


def fold(text: str) -> str:
    """Return a matching key for ``text``: lower case, without diacritics, single spaces.

    Runs of spaces, hyphens and dashes become one space and the ends are trimmed, so
    ``"București-Ilfov"``, ``"Bucuresti Ilfov"`` and ``"BUCUREŞTI - ILFOV"`` all fold to
    ``"bucuresti ilfov"``. Both the comma-below and the cedilla letters fold to plain ``s``/``t``.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", bare).strip()
