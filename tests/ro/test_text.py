"""Tests for the Romanian text helpers in inclusionkit.ro: diacritics and folding."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit.ro import _text, fix_diacritics, fix_diacritics_series, fold
from inclusionkit.ro._text import fix_diacritics_arrow

CEDILLAS = "\u015f\u015e\u0163\u0162"  # ş Ş ţ Ţ
COMMAS = "\u0219\u0218\u021b\u021a"  # ș Ș ț Ț


def test_fix_diacritics_replaces_each_cedilla_letter() -> None:
    """ş Ş ţ Ţ (U+015F/015E/0163/0162) become ș Ș ț Ț (U+0219/0218/021B/021A)."""
    assert fix_diacritics(CEDILLAS) == COMMAS
    assert fix_diacritics("Timişoara, Ţara Bârsei") == "Timișoara, Țara Bârsei"


def test_fix_diacritics_leaves_other_letters_alone() -> None:
    """ă â î and the correct comma-below letters pass through unchanged."""
    text = "Bistrița-Năsăud, Râmnicu Vâlcea, Îndrumare, Ștefan"
    assert fix_diacritics(text) == text


@given(st.text())
def test_fix_diacritics_output_has_no_cedillas_and_is_idempotent(text: str) -> None:
    """After fixing, no cedilla letter remains, the length is kept, and fixing again is a no-op."""
    fixed = fix_diacritics(text)
    assert not set(fixed) & set(CEDILLAS)
    assert len(fixed) == len(text)
    assert fix_diacritics(fixed) == fixed


def test_fix_diacritics_series_keeps_missing_values() -> None:
    """The vectorised version fixes every string and leaves missing values missing."""
    series = pd.Series(["Bucureşti", None, "Iaşi", "Piteşti"], dtype="string", index=[3, 1, 2, 0])
    fixed = fix_diacritics_series(series)
    assert list(fixed.index) == [3, 1, 2, 0]
    assert fixed.tolist() == ["București", pd.NA, "Iași", "Pitești"]


@given(st.lists(st.text(alphabet="aşţŞŢșțăâî -xyz")))
def test_fix_diacritics_series_agrees_with_the_scalar(texts: list[str]) -> None:
    """The Series version gives the same result as fix_diacritics on every element."""
    fixed = fix_diacritics_series(pd.Series(texts, dtype="string"))
    assert fixed.tolist() == [fix_diacritics(text) for text in texts]


def test_fold_examples() -> None:
    """fold lower-cases, drops diacritics and turns runs of spaces and hyphens into one space."""
    assert fold("București-Ilfov") == "bucuresti ilfov"
    assert fold("BUCUREŞTI - ILFOV") == "bucuresti ilfov"
    assert fold("  Sud   Muntenia ") == "sud muntenia"
    assert fold("Sud\u2013Muntenia") == "sud muntenia"
    assert fold("Ţăndărei") == "tandarei"


@given(st.text(alphabet="abcșşțţăâîȘŞȚŢĂÂÎ -\t"))
def test_fold_is_blind_to_cedilla_versus_comma_and_idempotent(text: str) -> None:
    """Folding a text and its diacritic-fixed version agree, and folding twice changes nothing."""
    assert fold(fix_diacritics(text)) == fold(text)
    assert fold(fold(text)) == fold(text)
    assert fold(text) == fold(text.upper())


@pytest.mark.parametrize("start", [0, 6, 7, 8, 14])
def test_a_cedilla_is_found_across_the_blocks_of_the_scan(
    monkeypatch: pytest.MonkeyPatch, start: int
) -> None:
    """A cedilla letter is found wherever its two bytes lie, one on each side of a block's end
    included; text without one is returned as it is."""
    monkeypatch.setattr(_text, "_CEDILLA_BLOCK", 8)
    text = "a" * start + "\u015f" + "b" * 5
    values = pa.array([text[:3], text[3:]])
    assert fix_diacritics_arrow(values).to_pylist() == [
        part.replace("\u015f", "\u0219") for part in (text[:3], text[3:])
    ]
    clean = pa.array(["a" * start + "\u0219\u00c5" + "b" * 5])  # C5 is no cedilla's first byte
    assert fix_diacritics_arrow(clean) is clean
