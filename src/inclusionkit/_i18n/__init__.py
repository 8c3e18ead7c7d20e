"""Translations: every word inclusionkit says or writes for people, in English or Romanian.

The English text is the message id (gettext's ``msgid``); the Romanian is in a message catalogue,
``locale/ro/LC_MESSAGES/inclusionkit.po`` beside this module, the one source of truth for the
core's Romanian. A plugin uses the core catalogue through :func:`translate` or ships its own
``.po`` and reads it with a :class:`Translator` (``inclusionkit.plugin`` exports both).

A catalogue is read (with Babel's PO reader) the first time a text is asked for in its language,
never at start-up and never for English: ``inclusionkit --version`` and an English run read no
catalogue at all.

Which language: an explicit ``lang`` argument; else the language set for the current run
(:func:`using_language`, which the command line sets from ``--lang``); else English. The command
line's default comes from the environment (:func:`language_from_environment`: ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` starting with ``ro``).

Texts are marked where they are written: ``translate("Target", lang)`` where the text is needed,
``N_("Target")`` where it is only stored (a table of labels) to be translated later. A test reads
those marks in the source and checks that the catalogue holds a translation for each and nothing
else.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from inclusionkit._errors import InclusionKitError

LANGUAGES: tuple[str, ...] = ("en", "ro")
"""The languages inclusionkit speaks; English is the language of the message ids."""

SOURCE_LANGUAGE = "en"

LOCALE_DIR = Path(__file__).parent / "locale"
"""Where the core's catalogues are: ``LOCALE_DIR / "ro/LC_MESSAGES/inclusionkit.po"``."""

DOMAIN = "inclusionkit"

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "inclusionkit_language", default=None
)


def check_language(lang: str) -> str:
    """``lang`` if inclusionkit speaks it; else an :class:`InclusionKitError` listing those it
    does."""
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


def current_language() -> str:
    """The language of the current run (set by :func:`using_language`), English by default."""
    return _CURRENT.get() or SOURCE_LANGUAGE


def resolve_language(lang: str | None) -> str:
    """``lang`` checked, or the current language when it is ``None``."""
    return current_language() if lang is None else check_language(lang)


@contextlib.contextmanager
def using_language(lang: str) -> Iterator[str]:
    """Within the block, texts with no explicit language are in ``lang``."""
    token = _CURRENT.set(check_language(lang))
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the user's locale asks for: the first of ``LC_ALL``, ``LC_MESSAGES`` and
    ``LANG`` that is set (gettext's order) names Romanian when it starts with ``ro``
    (``ro_RO.UTF-8``); anything else is English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ro" if value.lower().startswith("ro") else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def N_(text: str, context: str | None = None) -> str:
    """Mark ``text`` for translation where it is stored, not said: returns it unchanged.
    (``context`` tells apart two uses of the same English that Romanian says differently.)"""
    return text


class Translator:
    """The translations of one catalogue (``domain``) found under ``localedir``
    (``localedir/<lang>/LC_MESSAGES/<domain>.po``), read when first needed.

    A plugin ships its own: ``Translator("my_plugin", Path(__file__).parent / "locale")``.
    """

    def __init__(self, domain: str, localedir: Path | str) -> None:
        self.domain = domain
        self.localedir = Path(localedir)
        self._catalogues: dict[str, dict[tuple[str | None, str], str]] = {}

    def path(self, lang: str) -> Path:
        """The ``.po`` file of ``lang``."""
        return self.localedir / lang / "LC_MESSAGES" / f"{self.domain}.po"

    def messages(self, lang: str) -> Mapping[tuple[str | None, str], str]:
        """Every translated message of ``lang``: ``(context, English) -> translation``. English
        has none (its texts are the ids)."""
        if lang == SOURCE_LANGUAGE:
            return {}
        loaded = self._catalogues.get(lang)
        if loaded is None:
            loaded = self._catalogues[lang] = _read_po(self.path(lang), lang)
        return loaded

    def translate(self, text: str, lang: str | None = None, *, context: str | None = None) -> str:
        """``text`` (English) in ``lang`` (default: the current language); itself when the
        catalogue has no translation."""
        lang = resolve_language(lang)
        if lang == SOURCE_LANGUAGE:
            return text
        return self.messages(lang).get((context, text), text)

    def deferred(self, text: str, /, *, context: str | None = None, **fields: object) -> Deferred:
        """``text`` with its placeholders filled, translated by this catalogue only when said
        (see :func:`deferred`): a plugin's problem messages."""
        return Deferred(text, context, fields, self)


def _read_po(path: Path, lang: str) -> dict[tuple[str | None, str], str]:
    """The translated, non-fuzzy messages of a PO file (none if there is no file)."""
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=lang, domain=path.stem)
    found: dict[tuple[str | None, str], str] = {}
    for message in catalogue:
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        if isinstance(message.string, str) and message.string:
            found[(message.context, message.id)] = message.string
    return found


CORE = Translator(DOMAIN, LOCALE_DIR)
"""The core's catalogue."""


def translate(text: str, lang: str | None = None, *, context: str | None = None) -> str:
    """``text`` (English, a message id of the core catalogue) in ``lang`` (``"en"`` or
    ``"ro"``; default: the current run's language). A text with placeholders is translated
    first and filled in after: ``translate("{path}: no such file").format(path=path)``."""
    return CORE.translate(text, lang, context=context)


class Deferred(str):
    """A text whose translation waits until it is said: its value is the English (so a program,
    a test or ``str(problem)`` reads English), and :meth:`in_language` says it in another
    language. Made by :func:`deferred`; a :class:`Problem`'s message built deep in the library
    is one, so the command line can say it in the run's language."""

    template: str
    context: str | None
    fields: dict[str, object]
    translator: Translator | None

    def __new__(
        cls,
        template: str,
        context: str | None,
        fields: dict[str, object],
        translator: Translator | None = None,
    ) -> Deferred:
        self = super().__new__(cls, template.format(**fields))
        self.template = template
        self.context = context
        self.fields = fields
        self.translator = translator  # None: the core's catalogue
        return self

    def in_language(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: the run's language); its placeholders filled with the
        fields, each itself said in ``lang`` when it is a :class:`Deferred`."""
        lang = resolve_language(lang)
        if lang == SOURCE_LANGUAGE:
            return str(self)
        fields = {name: in_language(value, lang) for name, value in self.fields.items()}
        translator = self.translator or CORE
        return translator.translate(self.template, lang, context=self.context).format(**fields)

    def __reduce__(self) -> tuple[object, ...]:
        return (Deferred, (self.template, self.context, self.fields, self.translator))


def deferred(text: str, /, *, context: str | None = None, **fields: object) -> Deferred:
    """``text`` (English, a message id of the core catalogue) with its ``{placeholders}`` filled
    from ``fields``, translated only when said: ``deferred("the header {title!r} is listed
    twice", title=title)`` is that English, and ``.in_language("ro")`` the Romanian."""
    return Deferred(text, context, fields)


def in_language(text: object, lang: str | None = None) -> object:
    """``text`` said in ``lang`` if it is a :class:`Deferred`; anything else as it is."""
    if isinstance(text, Deferred):
        return text.in_language(lang)
    return text


class Localised(Mapping[str, Mapping[str, str]]):
    """A table of labels in every language: ``labels["ro"]["target"]``.

    Built from the English (``{"target": N_("Target")}``); the other languages are the
    translator's, translated when first asked for. ``lang in labels`` says whether the language
    is spoken.
    """

    def __init__(
        self,
        english: Mapping[str, str],
        translator: Translator | None = None,
        *,
        context: str | None = None,
    ) -> None:
        self._english = dict(english)
        self._translator = translator
        self._context = context
        self._done: dict[str, Mapping[str, str]] = {SOURCE_LANGUAGE: self._english}

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        done = self._done.get(lang)
        if done is None:
            if lang not in LANGUAGES:
                raise KeyError(lang)
            translator = self._translator or CORE
            done = self._done[lang] = {
                key: translator.translate(text, lang, context=self._context)
                for key, text in self._english.items()
            }
        return done

    def __contains__(self, lang: object) -> bool:
        return lang in LANGUAGES  # without translating the table

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


__all__ = [
    "CORE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Deferred",
    "Localised",
    "Translator",
    "check_language",
    "current_language",
    "deferred",
    "in_language",
    "language_from_environment",
    "resolve_language",
    "translate",
    "using_language",
]
