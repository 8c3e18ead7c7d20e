"""The API for plugin authors: everything a format or rule-set plugin needs, in one public place.

A plugin imports only public names: :mod:`inclusionkit` (models, ``read``/``write``, ``compute``,
``suppress``, the participation table's ``COLUMNS``/``DTYPES``, …), :mod:`inclusionkit.ro`,
:mod:`inclusionkit.hookspecs`, :mod:`inclusionkit.testing` and this module, never an
``inclusionkit._*`` module (a lint rule fails the build when one does). What is here:

Describing a format
    :class:`Importer`, :class:`Exporter`, :data:`KINDS`, :data:`Source`, the hooks' callback types
    :data:`RegisterImporter`, :data:`RegisterExporter`, :data:`RegisterRuleset`,
    :data:`RegisterVocabulary`, and :data:`hookimpl`; :func:`read_with` and :func:`write_with`
    read or write with a given importer or exporter, registered or not (for a plugin's tests).
Reports
    :class:`ReportData` (any report-like object as four plain parts) and
    :func:`provenance_dict` (a provenance as JSON-compatible data).
Safe output
    :func:`needs_quote`, :func:`neutralise_text`, :func:`neutralise_values`,
    :func:`neutralise_frame` quote text a spreadsheet would run as a formula;
    :func:`restore_text`, :func:`restore_values`, :func:`restore_frame` undo it on reading.
    :func:`write_csv_text` writes a table as CSV text the one way the library writes every CSV
    (neutralised, carriage returns quoted).
    :func:`atomic_path`, :func:`atomic_open`, :func:`atomic_write_text` write a file so that a
    failure leaves the previous one as it was (:func:`inclusionkit.write` already does this for
    an exporter's target; use them for any other file).
Hostile input
    :func:`limit`, :func:`input_limits`, :func:`check_size`, :func:`read_limited`,
    :func:`limited_source`, :func:`format_bytes`, :func:`parse_json` and the :data:`LimitName`
    type: the size limits every importer enforces before reading.
Row problems
    :func:`attach_row_problems`: an importer's coerce mode records which cells it could not
    read, so ``inclusionkit validate --rejected`` can set those rows aside with the reasons.
Translations
    :func:`translate` (a text in the core catalogue's language, ``"ro"``), :class:`Translator`
    (a plugin's own ``.po`` catalogue, read when first needed), :func:`N_` (marks a stored text
    for translation), :class:`Localised` (a table of labels in every language),
    :data:`LANGUAGES`, :func:`current_language` (the run's language: an exporter's default
    ``lang``), :func:`translate_table` and :func:`column_header` (a table for people: headers and
    coded words in a language).
Plugins and errors
    :func:`get_plugin_manager`, :func:`reset_plugin_manager`, :class:`PluginManager`,
    :class:`PluginInfo`, :func:`lazy_names` (a plugin's public names imported on first use, so
    that listing its formats costs every command nothing),
    :class:`RegisteredRuleset`; :class:`InclusionKitError`, :class:`ValidationError`,
    :class:`Problem`, :class:`PluginError`, :class:`PluginWarning`, :class:`ImporterWarning`
    (the base of an importer's own warnings).
"""

from __future__ import annotations

from inclusionkit._atomic import atomic_open, atomic_path, atomic_write_text
from inclusionkit._errors import (
    ImporterWarning,
    InclusionKitError,
    InclusionKitWarning,
    PluginError,
    PluginWarning,
    Problem,
    ValidationError,
)
from inclusionkit._formats import KINDS, Exporter, Importer, Source
from inclusionkit._i18n import LANGUAGES, N_, Localised, Translator, current_language, translate
from inclusionkit._i18n._tables import column_header, translate_table
from inclusionkit._ingest import attach_row_problems
from inclusionkit._io import read_with, write_with
from inclusionkit._limits import (
    LimitName,
    check_size,
    format_bytes,
    input_limits,
    limit,
    limited_source,
    parse_json,
    read_limited,
)
from inclusionkit._plugins import (
    PluginInfo,
    PluginManager,
    RegisteredRuleset,
    get_plugin_manager,
    lazy_names,
    reset_plugin_manager,
)
from inclusionkit._report_data import ReportData, provenance_dict
from inclusionkit._sanitise import (
    needs_quote,
    neutralise_frame,
    neutralise_text,
    neutralise_values,
    restore_frame,
    restore_text,
    restore_values,
    write_csv_text,
)
from inclusionkit.hookspecs import (
    RegisterExporter,
    RegisterImporter,
    RegisterRuleset,
    RegisterVocabulary,
    hookimpl,
)

__all__ = [
    "KINDS",
    "LANGUAGES",
    "N_",
    "Exporter",
    "Importer",
    "ImporterWarning",
    "InclusionKitError",
    "InclusionKitWarning",
    "LimitName",
    "Localised",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "PluginWarning",
    "Problem",
    "RegisterExporter",
    "RegisterImporter",
    "RegisterRuleset",
    "RegisterVocabulary",
    "RegisteredRuleset",
    "ReportData",
    "Source",
    "Translator",
    "ValidationError",
    "atomic_open",
    "atomic_path",
    "atomic_write_text",
    "attach_row_problems",
    "check_size",
    "column_header",
    "current_language",
    "format_bytes",
    "get_plugin_manager",
    "hookimpl",
    "input_limits",
    "lazy_names",
    "limit",
    "limited_source",
    "needs_quote",
    "neutralise_frame",
    "neutralise_text",
    "neutralise_values",
    "parse_json",
    "provenance_dict",
    "read_limited",
    "read_with",
    "reset_plugin_manager",
    "restore_frame",
    "restore_text",
    "restore_values",
    "translate",
    "translate_table",
    "write_csv_text",
    "write_with",
]
