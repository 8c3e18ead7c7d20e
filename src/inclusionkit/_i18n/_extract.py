"""The texts marked for translation in a package's source, for checking and updating its
catalogue (``scripts/update_catalogues.py``; ``tests/i18n``). Not imported at run time.

A text is marked by a call whose first argument is a string literal: ``translate("…")``,
``<translator>.translate("…")``, ``deferred("…")`` or ``N_("…")``. Its context is the
``context=`` keyword (or the second argument of ``N_``), else the ``context=`` of the
``Localised(…)`` call around it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MARKERS = frozenset({"translate", "N_", "deferred"})

Key = tuple[str | None, str]
"""A message: its context (or ``None``) and its English text."""


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _context(call: ast.Call, positional: int | None) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "context":
            return _literal(keyword.value)
    if positional is not None and len(call.args) > positional:
        return _literal(call.args[positional])
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.found: dict[Key, list[str]] = {}
        self.mistakes: list[str] = []
        self._contexts: list[str | None] = [None]

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name == "Localised":
            self._contexts.append(_context(node, None))
            self.generic_visit(node)
            self._contexts.pop()
            return
        if name in MARKERS and node.args:
            first = node.args[0]
            text = _literal(first)
            if text is not None:
                context = _context(node, 1 if name == "N_" else None)
                key = (context if context is not None else self._contexts[-1], text)
                self.found.setdefault(key, []).append(f"{self.where}:{node.lineno}")
            elif isinstance(first, ast.JoinedStr):
                self.mistakes.append(
                    f"{self.where}:{node.lineno}: an f-string is translated; translate the "
                    "text with {placeholders} and fill them in with .format()"
                )
        self.generic_visit(node)


def marked_messages(roots: Iterable[Path]) -> tuple[dict[Key, list[str]], list[str]]:
    """Every text marked in the ``.py`` files under ``roots``, with where it is marked, and the
    mistakes found (an f-string given to ``translate``)."""
    found: dict[Key, list[str]] = {}
    mistakes: list[str] = []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            visitor = _Visitor(str(path))
            visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for key, places in visitor.found.items():
                found.setdefault(key, []).extend(places)
            mistakes.extend(visitor.mistakes)
    return found, mistakes


def catalogue_messages(path: Path) -> dict[Key, str]:
    """Every message of a ``.po`` file (translated or not): ``(context, English) -> text``."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return {
        (message.context, str(message.id)): str(message.string or "")
        for message in catalogue
        if message.id and isinstance(message.id, str)
    }


def problem_messages() -> set[Key]:
    """The problem catalogue's English messages: message ids that are data, not literals in a
    call (``inclusionkit._problems``)."""
    from inclusionkit._problems import ProblemCode

    return {(None, code.message) for code in ProblemCode}


def catalogues(repo: Path) -> list[tuple[Path, list[Path], set[Key]]]:
    """The catalogues of a checkout of the repository at ``repo``: each ``.po`` file, the source
    folders whose marked texts it translates, and its message ids that are data."""
    plugin = repo / "plugins"
    return [
        (
            repo / "src/inclusionkit/_i18n/locale/ro/LC_MESSAGES/inclusionkit.po",
            [repo / "src/inclusionkit"],
            problem_messages(),
        ),
        (
            plugin / "inclusionkit-html/src/inclusionkit_html/locale/ro/LC_MESSAGES/"
            "inclusionkit_html.po",
            [plugin / "inclusionkit-html/src/inclusionkit_html"],
            set(),
        ),
        (
            plugin / "inclusionkit-xlsx/src/inclusionkit_xlsx/locale/ro/LC_MESSAGES/"
            "inclusionkit_xlsx.po",
            [plugin / "inclusionkit-xlsx/src/inclusionkit_xlsx"],
            set(),
        ),
    ]


def update(po: Path, wanted: Iterable[Key]) -> tuple[list[Key], list[Key]]:
    """Bring ``po`` in line with the ``wanted`` messages: add the missing ones (untranslated,
    for a translator to fill in) and drop the unused; return what was added and dropped."""
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalogue = read_po(handle)
    wanted = set(wanted)
    present = {(m.context, str(m.id)) for m in catalogue if m.id}
    added = sorted(wanted - present, key=lambda key: (key[0] or "", key[1]))
    dropped = sorted(present - wanted, key=lambda key: (key[0] or "", key[1]))
    for context, text in dropped:
        catalogue.delete(text, context=context)
    for context, text in added:
        catalogue.add(text, "", context=context)
    if added or dropped:
        write_catalogue(po, catalogue)
    return added, dropped


def write_catalogue(po: Path, catalogue: Any) -> None:
    """Write a Babel catalogue back to ``po``, keeping the file's own header as written."""
    import io

    from babel.messages.pofile import write_po

    header = po.read_text(encoding="utf-8").split("\n\n", 1)[0]
    out = io.BytesIO()
    write_po(out, catalogue, width=100, no_location=True, omit_header=True)
    po.write_text(f"{header}\n\n{out.getvalue().decode('utf-8').lstrip()}", encoding="utf-8")
