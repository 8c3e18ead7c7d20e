"""The hook specifications: every way a plugin can extend inclusionkit.

A plugin is a module (or object) with functions marked ``@inclusionkit.hookimpl`` whose names are
the hooks below. Each hook receives a ``register`` callback; call it once per thing contributed.
Hooks are called for every plugin (none is ``firstresult``); the order between plugins carries no
meaning, and two plugins registering the same format name for the same direction is an error that
names both.

Installed plugins are found through the ``inclusionkit`` entry-point group; see
``docs/plugins/``.
"""

from __future__ import annotations

import pluggy

from inclusionkit._formats import (
    RegisterExporter,
    RegisterImporter,
    RegisterRuleset,
    RegisterVocabulary,
)

__all__ = [
    "PROJECT_NAME",
    "RegisterExporter",
    "RegisterImporter",
    "RegisterRuleset",
    "RegisterVocabulary",
    "hookimpl",
    "hookspec",
    "register_exporters",
    "register_importers",
    "register_rulesets",
    "register_vocabulary",
]

PROJECT_NAME = "inclusionkit"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_importers(register: RegisterImporter) -> None:
    """Contribute readers of file formats.

    :param register: call with an :class:`inclusionkit.Importer` for each format the plugin reads
        (name, file extensions, the kinds it reads — participations, project, report, progress,
        activities, organisations — and the read function).

    ``read(source, *, kind, options)`` receives a path or a binary file object, the kind asked
    for (or ``"auto"`` when the caller did not say and the importer reads several kinds: decide
    from the content) and the caller's keyword options; it returns the object or raises
    :class:`inclusionkit.InclusionKitError` naming the file. Nothing may be returned half-read.

    Called once per plugin manager, for every plugin, when the formats are first needed. A
    format name another plugin already registered for reading is an error naming both plugins.

    .. versionadded:: 0.1
    """


@hookspec
def register_exporters(register: RegisterExporter) -> None:
    """Contribute writers of file formats.

    :param register: call with an :class:`inclusionkit.Exporter` for each format the plugin
        writes (name, file extensions, the kinds it writes — report, progress, project,
        participations, table — and the write function).

    ``write(obj, path, *, kind, options)`` writes ``obj`` to ``path``, a temporary file with the
    target's extension. The host writes atomically: the temporary file replaces the target only
    when ``write`` returns normally, so an exception leaves the previous file intact. The
    ``inclusionkit`` command line chooses among every registered exporter by ``--format`` or by
    the output's extension, so a plugin's format works there as soon as it is installed.

    Called once per plugin manager, for every plugin, when the formats are first needed. A
    format name another plugin already registered for writing is an error naming both plugins.

    .. versionadded:: 0.1
    """


@hookspec
def register_rulesets(register: RegisterRuleset) -> None:
    """Contribute reporting rule sets (a national programme's own indicators).

    :param register: call with a rule set document (a ``dict`` valid against
        ``schemas/ruleset.schema.json``) or the path of a JSON file holding one. A name already
        taken by another rule set is an error naming both plugins.

    Called once per plugin manager, for every plugin.

    .. versionadded:: 0.1
    """


@hookspec
def register_vocabulary(register: RegisterVocabulary) -> None:
    """Extend the controlled lists of the model.

    :param register: call as ``register(list_name, value)``; ``list_name`` is
        ``"activity_kind"`` or ``"deliverable_kind"``, ``value`` a lower-case snake_case name
        (``register("activity_kind", "job_fair")``).

    Called once per plugin manager, for every plugin.

    .. versionadded:: 0.1
    """
