"""The translation catalogues: every marked text has its Romanian, none is unused, and a
catalogue is read only when Romanian is asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import inclusionkit
from inclusionkit._i18n import (
    Localised,
    Translator,
    current_language,
    language_from_environment,
    translate,
    using_language,
)
from inclusionkit._i18n._extract import catalogue_messages, catalogues, marked_messages

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = catalogues(REPO)


@pytest.mark.parametrize("po", [entry[0] for entry in CATALOGUES], ids=lambda p: p.name)
def test_every_marked_text_has_a_translation_and_none_is_unused(po: Path) -> None:
    """Each text marked in a package's code is in its catalogue, translated; nothing else is."""
    roots, data = next((roots, data) for path, roots, data in CATALOGUES if path == po)
    found, mistakes = marked_messages(roots)
    assert mistakes == []
    wanted = set(found) | data
    present = catalogue_messages(po)
    assert sorted(wanted - set(present), key=str) == [], "run scripts/update_catalogues.py"
    assert sorted(set(present) - wanted, key=str) == [], "run scripts/update_catalogues.py"
    assert [key for key, text in present.items() if not text.strip()] == []


def test_the_extractor_sees_marks_contexts_and_f_strings(tmp_path: Path) -> None:
    """translate/N_ literals are found with their context (own or the Localised's); an
    f-string given to translate is a mistake."""
    (tmp_path / "m.py").write_text(
        "x = translate('Hello', lang)\n"
        "y = T.translate('Bye', context='c')\n"
        "z = Localised({'a': N_('A'), 'b': N_('B', 'own')}, context='table')\n"
        "w = translate(f'no {x}')\n"
        "v = 'abc'.translate(table)\n",
        encoding="utf-8",
    )
    found, mistakes = marked_messages([tmp_path])
    assert set(found) == {(None, "Hello"), ("c", "Bye"), ("table", "A"), ("own", "B")}
    assert len(mistakes) == 1


def test_translate_speaks_romanian_and_english() -> None:
    """A core text in Romanian, itself in English; an unknown text is itself in both."""
    assert translate("Participant register", "ro") == "Registrul participanților"
    assert translate("Participant register", "en") == "Participant register"
    assert translate("not in any catalogue", "ro") == "not in any catalogue"
    assert inclusionkit.translate is translate
    with pytest.raises(inclusionkit.InclusionKitError, match="lang must be one of en, ro"):
        translate("Yes", "fr")


def test_the_current_language_is_the_default() -> None:
    """Within using_language("ro") a text with no language is Romanian; English outside."""
    assert current_language() == "en"
    with using_language("ro"):
        assert translate("Yes") == "Da"
    assert translate("Yes") == "Yes"


def test_a_plugin_reads_its_own_catalogue(tmp_path: Path) -> None:
    """A Translator reads a plugin's .po (contexts and all); Localised tables use it."""
    folder = tmp_path / "ro" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "my_plugin.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Sheet"\nmsgstr "Foaie"\n\n'
        'msgctxt "short"\nmsgid "Sheet"\nmsgstr "F."\n\n'
        '#, fuzzy\nmsgid "Draft"\nmsgstr "Ciornă"\n',
        encoding="utf-8",
    )
    mine = Translator("my_plugin", tmp_path)
    assert mine.translate("Sheet", "ro") == "Foaie"
    assert mine.translate("Sheet", "ro", context="short") == "F."
    assert mine.translate("Draft", "ro") == "Draft"  # a fuzzy translation is not used
    labels = Localised({"sheet": "Sheet"}, mine)
    assert labels["ro"]["sheet"] == "Foaie"
    assert labels["en"]["sheet"] == "Sheet"
    assert "ro" in labels
    assert "fr" not in labels


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "ro_RO.UTF-8"}, "ro"),
        ({"LC_ALL": "ro_RO.UTF-8", "LANG": "en_GB.UTF-8"}, "ro"),
        ({"LC_ALL": "C.UTF-8", "LANG": "ro_RO.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ro_RO", "LANG": "en_US"}, "ro"),
        ({}, "en"),
    ],
)
def test_the_locale_names_the_default_language(environ: dict[str, str], lang: str) -> None:
    """LC_ALL, then LC_MESSAGES, then LANG: the first set decides, Romanian when it starts ro."""
    assert language_from_environment(environ) == lang


def test_english_reads_no_catalogue() -> None:
    """Translating to English, and `inclusionkit --version`, never import Babel."""
    code = (
        "import sys, inclusionkit; inclusionkit.translate('Yes', 'en');"
        "from inclusionkit.cli import main; import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--version'])\n"
        "print('babel' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]
