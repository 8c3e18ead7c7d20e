"""The plugin manager: built-in and installed plugins, and the registries their hooks fill.

The manager is built by :func:`build_plugin_manager` (and cached by :func:`get_plugin_manager`),
never at import time, so importing inclusionkit stays cheap and a broken plugin cannot break
``import inclusionkit``.

Built-in formats come from the explicit :data:`DEFAULT_PLUGINS` tuple, so they work from a bare
source checkout. Installed plugins come from the ``inclusionkit`` entry-point group; each one is
imported and registered on its own, and one that fails (an exception on import, a hook with the
wrong arguments, a hook name that matches no specification, an exception inside its
``register_*`` hook) is recorded as *broken* with its error, skipped, and announced with a
:class:`PluginWarning`, so the host and the other plugins keep working.

Environment switches:

``INCLUSIONKIT_BLOCK_PLUGINS``
    comma-separated plugin names (entry-point names, or a built-in's module name) that are not
    even imported.
``INCLUSIONKIT_NO_ENTRY_POINTS``
    ``1`` to load the built-ins only (what tests and reproducible runs want).
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import importlib
import importlib.metadata
import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import attrs
import pluggy

from inclusionkit import hookspecs
from inclusionkit._errors import InclusionKitError, PluginError, PluginWarning
from inclusionkit._formats import Exporter, Importer
from inclusionkit._i18n import translate
from inclusionkit._version import __version__

__all__ = [
    "BLOCK_ENV",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "NO_ENTRY_POINTS_ENV",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "PluginWarning",
    "RegisteredRuleset",
    "build_plugin_manager",
    "exporters",
    "get_plugin_manager",
    "importers",
    "lazy_names",
    "plugin_info",
    "reset_plugin_manager",
    "use_plugin_manager",
    "vocabulary",
]

log = logging.getLogger("inclusionkit.plugins")


def lazy_names(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) importing each public name of ``package`` on first use.

    inclusionkit imports every plugin's top module to list its formats, so whatever that module
    imports is paid for by every command. ``names`` maps a public name to the module that
    defines it; the first access imports that module and keeps the value in ``package``'s
    namespace, so later accesses are plain lookups::

        __getattr__ = lazy_names(__name__, {"read_iati": "inclusionkit_iati._read"})

    (Import the same names under ``typing.TYPE_CHECKING`` for type checkers.)
    """
    table = dict(names)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__


DEFAULT_PLUGINS: tuple[str, ...] = (
    "inclusionkit.default_plugins.csv_format",
    "inclusionkit.default_plugins.json_format",
    "inclusionkit.default_plugins.parquet_format",
    "inclusionkit.default_plugins.register_format",
)
"""The built-in plugins, as importable module names, registered under those names."""

ENTRY_POINT_GROUP = "inclusionkit"
BLOCK_ENV = "INCLUSIONKIT_BLOCK_PLUGINS"
NO_ENTRY_POINTS_ENV = "INCLUSIONKIT_NO_ENTRY_POINTS"

VOCABULARY_LISTS: tuple[str, ...] = ("activity_kind", "deliverable_kind")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

Status = Literal["ok", "broken", "blocked"]


@attrs.frozen(kw_only=True)
class PluginInfo:
    """What ``inclusionkit plugins`` shows about one plugin.

    ``name`` is the entry-point name (or the module name of a built-in); ``distribution`` and
    ``version`` come from the installed distribution's metadata (inclusionkit's own for
    built-ins); ``hooks`` are the hooks the plugin implements; ``status`` is ``ok``, ``broken``
    (``error`` says why) or ``blocked``.
    """

    name: str
    version: str | None
    hooks: tuple[str, ...] = ()
    status: Status = "ok"
    error: str | None = None
    builtin: bool = False
    distribution: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-compatible form (what ``inclusionkit plugins --json`` prints)."""
        return attrs.asdict(self, value_serializer=lambda _inst, _field, v: _jsonable(v))


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@attrs.frozen(kw_only=True)
class RegisteredRuleset:
    """A rule set document registered by name, and who gave it: a plugin (through the
    ``register_rulesets`` hook) or a caller of :func:`inclusionkit.register_ruleset`.

    The plugin manager holds the one registry of these; the compiled, usable form is a
    :class:`inclusionkit.RuleSet` (see :func:`inclusionkit.load_ruleset`).
    """

    name: str
    document: Mapping[str, Any] = attrs.field(eq=False)
    plugin: str
    source: str | None = None


@attrs.frozen(kw_only=True)
class _Registries:
    importers: Mapping[str, Importer]
    exporters: Mapping[str, Exporter]
    rulesets: Mapping[str, RegisteredRuleset]
    vocabulary: Mapping[str, tuple[str, ...]]


class _HookFailedError(Exception):
    """Raised inside registry collection when one plugin's hook fails; carries the plugin."""

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(message)
        self.plugin = plugin


class PluginManager(pluggy.PluginManager):
    """inclusionkit's pluggy manager, with typed accessors for what plugins registered.

    Use :func:`get_plugin_manager` for the shared one or :func:`build_plugin_manager` for a fresh
    one. Registering or unregistering a plugin invalidates the registries, so they always reflect
    the plugins currently registered.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._records: dict[str, PluginInfo] = {}
        self._registries: _Registries | None = None
        # Rule sets registered by a call (not a hook): kept when the registries are rebuilt.
        self._called_rulesets: dict[str, RegisteredRuleset] = {}
        self._lock = threading.RLock()

    # -- registration -------------------------------------------------------------------------

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        """Register ``plugin`` (see :meth:`pluggy.PluginManager.register`); reset the registries."""
        registered = super().register(plugin, name)
        self._registries = None
        return registered

    def unregister(self, plugin: Any | None = None, name: str | None = None) -> Any | None:
        """Unregister a plugin (see :meth:`pluggy.PluginManager.unregister`); reset registries."""
        removed = super().unregister(plugin, name)
        self._registries = None
        return removed

    def add_plugin(self, plugin: Any, name: str | None = None) -> str:
        """Register ``plugin`` and check its hook names now; raise :class:`PluginError` if wrong.

        For code that registers a plugin object directly (tests, embedding applications): unlike
        installed plugins, which are skipped when broken, a mistake here is raised at once.
        """
        try:
            registered = self.register(plugin, name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from None
        if registered is None:
            raise PluginError(f"plugin {name!r} is blocked", plugins=[name or ""])
        unknown = self._unknown_hooks(registered)
        if unknown:
            self.unregister(name=registered)
            raise PluginError(_unknown_hooks_message(registered, unknown), plugins=[registered])
        self._records[registered] = PluginInfo(
            name=registered, version=None, hooks=self._hook_names(plugin)
        )
        return registered

    def load_builtins(self, blocked: Iterable[str] = ()) -> None:
        """Import and register the modules of :data:`DEFAULT_PLUGINS` (minus ``blocked`` ones)."""
        blocked = set(blocked)
        for module_name in DEFAULT_PLUGINS:
            if module_name in blocked:
                self._record(
                    module_name,
                    __version__,
                    status="blocked",
                    builtin=True,
                    distribution="inclusionkit",
                )
                continue
            # A built-in that fails to import is a bug in inclusionkit itself: let it raise.
            module = importlib.import_module(module_name)
            self.register(module, name=module_name)
            self._record(
                module_name,
                __version__,
                hooks=self._hook_names(module),
                builtin=True,
                distribution="inclusionkit",
            )
        unknown = {
            name: hooks
            for name in DEFAULT_PLUGINS
            if self.has_plugin(name) and (hooks := self._unknown_hooks(name))
        }
        if unknown:
            name, hooks = next(iter(unknown.items()))
            raise PluginError(_unknown_hooks_message(name, hooks), plugins=list(unknown))

    def load_entry_points(
        self, blocked: Iterable[str] = (), group: str = ENTRY_POINT_GROUP
    ) -> None:
        """Import and register every installed plugin of ``group``, each on its own.

        A blocked plugin is recorded but never imported. A plugin that fails to import or
        register, or implements a hook that does not exist, is recorded as broken and skipped
        with a :class:`PluginWarning`.
        """
        blocked = set(blocked)
        for entry_point in importlib.metadata.entry_points(group=group):
            name = entry_point.name
            dist = entry_point.dist
            version = dist.version if dist is not None else None
            dist_name = dist.metadata["Name"] if dist is not None else None
            if name in blocked:
                self.set_blocked(name)
                self._record(name, version, status="blocked", distribution=dist_name)
                log.debug("plugin %r (%s) is blocked by %s", name, dist_name, BLOCK_ENV)
                continue
            if name in self._records and self._records[name].status == "ok":
                # Two distributions (or two copies of one) claim the same entry-point name.
                other = self._records[name].distribution
                self._broken(
                    f"{name} ({dist_name})",
                    version,
                    f"the plugin name {name!r} is already used by {other or 'another plugin'}",
                    distribution=dist_name,
                )
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                self._broken(
                    name,
                    version,
                    f"import failed: {type(exc).__name__}: {exc}",
                    distribution=dist_name,
                )
                continue
            try:
                self.register(plugin, name=name)
            except (ValueError, pluggy.PluginValidationError) as exc:
                self._broken(name, version, str(exc), distribution=dist_name)
                continue
            unknown = self._unknown_hooks(name)
            if unknown:
                self.unregister(name=name)
                self._broken(
                    name, version, _unknown_hooks_message(name, unknown), distribution=dist_name
                )
                continue
            self._record(name, version, hooks=self._hook_names(plugin), distribution=dist_name)
            log.debug("loaded plugin %r %s from %s", name, version, dist_name)

    def _unknown_hooks(self, plugin_name: str) -> list[str]:
        plugin = self.get_plugin(plugin_name)
        if plugin is None:
            return []
        return sorted(
            caller.name
            for caller in self.get_hookcallers(plugin) or ()
            if not caller.has_spec()
            and any(
                impl.plugin_name == plugin_name and not impl.optionalhook
                for impl in caller.get_hookimpls()
            )
        )

    def _hook_names(self, plugin: Any) -> tuple[str, ...]:
        return tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or ()))

    def _record(
        self,
        name: str,
        version: str | None,
        *,
        hooks: tuple[str, ...] = (),
        status: Status = "ok",
        error: str | None = None,
        builtin: bool = False,
        distribution: str | None = None,
    ) -> None:
        self._records[name] = PluginInfo(
            name=name,
            version=version,
            hooks=hooks,
            status=status,
            error=error,
            builtin=builtin,
            distribution=distribution,
        )

    def _broken(
        self, name: str, version: str | None, error: str, *, distribution: str | None = None
    ) -> None:
        self._record(name, version, status="broken", error=error, distribution=distribution)
        warnings.warn(
            f"inclusionkit plugin {name!r} ({distribution or 'unknown distribution'} "
            f"{version or ''}) is broken and was skipped: {error}. Check that it is compatible "
            f"with inclusionkit {__version__}, or block it with {BLOCK_ENV}={name}.",
            PluginWarning,
            stacklevel=3,
        )

    # -- information --------------------------------------------------------------------------

    def plugin_info(self) -> list[PluginInfo]:
        """Every plugin the manager knows of: loaded, broken and blocked, built-ins first."""
        records = dict(self._records)
        for name, plugin in self.list_name_plugin():
            if plugin is not None and name not in records:
                records[name] = PluginInfo(name=name, version=None, hooks=self._hook_names(plugin))
        return sorted(records.values(), key=lambda info: (not info.builtin, info.name))

    # -- registries ---------------------------------------------------------------------------

    def importers(self) -> Mapping[str, Importer]:
        """The importers every plugin registered, by format name."""
        return self._collect().importers

    def exporters(self) -> Mapping[str, Exporter]:
        """The exporters every plugin registered, by format name."""
        return self._collect().exporters

    def rulesets(self) -> Mapping[str, RegisteredRuleset]:
        """The one registry of rule sets beyond the built-in ones, by name: those every plugin
        registered through its hook, then those :meth:`add_ruleset` added."""
        return self._collect().rulesets

    def add_ruleset(self, ruleset: RegisteredRuleset) -> None:
        """Register a rule set document by a call (what :func:`inclusionkit.register_ruleset`
        does); registering the same document again is harmless, another one under a taken name
        is a :class:`PluginError` naming both origins."""
        with self._lock:
            previous = self.rulesets().get(ruleset.name)
            if previous is not None and previous.document != ruleset.document:
                raise PluginError(
                    f"rule set {ruleset.name!r} from {ruleset.plugin} clashes with the one from "
                    f"{previous.plugin}",
                    plugins=[previous.plugin, ruleset.plugin],
                )
            self._called_rulesets[ruleset.name] = ruleset
            self._registries = None

    def remove_ruleset(self, name: str) -> None:
        """Forget a rule set :meth:`add_ruleset` registered (a plugin's stays while it is)."""
        with self._lock:
            if self._called_rulesets.pop(name, None) is not None:
                self._registries = None

    def vocabulary(self) -> Mapping[str, tuple[str, ...]]:
        """The controlled lists, built-in values first, then the values plugins added."""
        return self._collect().vocabulary

    def _collect(self) -> _Registries:
        with self._lock:
            while self._registries is None:
                try:
                    self._registries = self._collect_once()
                except _HookFailedError as exc:
                    # Drop the failing plugin and collect again from the remaining ones, so no
                    # registry keeps half of a broken plugin's contributions.
                    info = self._records.get(exc.plugin)
                    self.unregister(name=exc.plugin)
                    self._broken(
                        exc.plugin,
                        info.version if info else None,
                        str(exc),
                        distribution=info.distribution if info else None,
                    )
            return self._registries

    def _collect_once(self) -> _Registries:
        importers: dict[str, Importer] = {}
        exporters: dict[str, Exporter] = {}
        rulesets: dict[str, RegisteredRuleset] = {}
        from inclusionkit.models import ACTIVITY_KINDS, DELIVERABLE_KINDS

        vocab: dict[str, list[str]] = {
            "activity_kind": list(ACTIVITY_KINDS),
            "deliverable_kind": list(DELIVERABLE_KINDS),
        }

        def add_format(
            registry: dict[str, Any], item: Any, cls: type[Importer] | type[Exporter], plugin: str
        ) -> None:
            if not isinstance(item, cls):
                raise _HookFailedError(
                    plugin,
                    f"register_{cls.__name__.lower()}s: expected an inclusionkit.{cls.__name__}, "
                    f"got {type(item).__name__}",
                )
            item = attrs.evolve(item, plugin=plugin)
            previous = registry.get(item.name)
            if previous is not None:
                direction = "read" if cls is Importer else "write"
                raise PluginError(
                    f"plugins {previous.plugin!r} and {plugin!r} both register a format called "
                    f"{item.name!r} to {direction}; uninstall one of them or block it with "
                    f"{BLOCK_ENV}=<name>",
                    plugins=[previous.plugin, plugin],
                )
            registry[item.name] = item

        def add_ruleset(item: Any, plugin: str) -> None:
            ruleset = _ruleset(item, plugin)
            previous = rulesets.get(ruleset.name)
            if previous is not None:
                raise PluginError(
                    f"plugins {previous.plugin!r} and {plugin!r} both register a rule set called "
                    f"{ruleset.name!r}; uninstall one of them or block it with {BLOCK_ENV}=<name>",
                    plugins=[previous.plugin, plugin],
                )
            rulesets[ruleset.name] = ruleset

        def add_word(list_name: str, value: str, plugin: str) -> None:
            if list_name not in vocab:
                raise _HookFailedError(
                    plugin,
                    f"register_vocabulary: unknown list {list_name!r}; "
                    f"known: {', '.join(VOCABULARY_LISTS)}",
                )
            if not isinstance(value, str) or not _SNAKE.match(value):
                raise _HookFailedError(
                    plugin,
                    f"register_vocabulary: {value!r} is not a lower-case snake_case name",
                )
            if value not in vocab[list_name]:
                vocab[list_name].append(value)

        self._call_each(
            "register_importers", lambda p: lambda item: add_format(importers, item, Importer, p)
        )
        self._call_each(
            "register_exporters", lambda p: lambda item: add_format(exporters, item, Exporter, p)
        )
        self._call_each("register_rulesets", lambda p: lambda item: add_ruleset(item, p))
        self._call_each(
            "register_vocabulary", lambda p: lambda list_name, value: add_word(list_name, value, p)
        )
        return _Registries(
            importers=MappingProxyType(importers),
            exporters=MappingProxyType(exporters),
            rulesets=MappingProxyType({**rulesets, **self._called_rulesets}),
            vocabulary=MappingProxyType({k: tuple(v) for k, v in vocab.items()}),
        )

    def _call_each(self, hook_name: str, make_register: Callable[[str], Any]) -> None:
        # Each implementation is called on its own (not through ``pm.hook``) so the callback knows
        # which plugin is registering, and a failure can be pinned on that plugin.
        caller = getattr(self.hook, hook_name)
        for impl in caller.get_hookimpls():  # in registration order: built-ins first
            try:
                impl.function(register=make_register(impl.plugin_name))
            except (PluginError, _HookFailedError):
                raise
            except Exception as exc:
                raise _HookFailedError(
                    impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}"
                ) from exc

    # -- lookup -------------------------------------------------------------------------------

    def find_importer(
        self, format: str | None, path: str | None, kind: str | None, *, option: str = "format="
    ) -> Importer:
        """The importer for ``format`` (a name) or else the extension of ``path``.

        An unknown name or an extension no importer claims is an :class:`InclusionKitError`
        listing the formats that exist; ``option`` is how the caller names the choice in that
        message (``"format="`` for Python, ``"--format"`` for the command line).
        """
        found: Importer = _find(self.importers(), "read", format, path, kind, option)
        return found

    def find_exporter(
        self, format: str | None, path: str | None, kind: str | None, *, option: str = "format="
    ) -> Exporter:
        """The exporter for ``format`` (a name) or else the extension of ``path``; see
        :meth:`find_importer`."""
        found: Exporter = _find(self.exporters(), "write", format, path, kind, option)
        return found


def _find(
    registry: Mapping[str, Any],
    direction: str,
    format: str | None,
    path: str | None,
    kind: str | None,
    option: str,
) -> Any:
    def known() -> str:
        rows = [
            f"{name} ({', '.join(item.extensions) or 'no extension'}: "
            f"{', '.join(sorted(item.kinds))})"
            for name, item in sorted(registry.items())
            if kind is None or kind in item.kinds
        ]
        return "; ".join(rows) or "none"

    what = f" {kind}" if kind else ""
    if format is not None:
        item = registry.get(format.lower())
        if item is None:
            raise InclusionKitError(
                f"no format called {format!r} to {direction}{what}; known: {known()}"
            )
        if kind is not None and kind not in item.kinds:
            raise InclusionKitError(
                f"format {item.name!r} cannot {direction} {kind}; it {direction}s "
                f"{', '.join(sorted(item.kinds))}. Formats that {direction} {kind}: {known()}"
            )
        return item
    suffix = _suffix(path)
    if not suffix:
        raise InclusionKitError(
            translate(
                "{path}: cannot tell the format without a file extension; pass {option} (one "
                "of: {known})"
            ).format(path=path or translate("the file"), option=option, known=known())
        )
    claiming = [item for item in registry.values() if suffix in item.extensions]
    candidates = [item for item in claiming if kind is None or kind in item.kinds]
    if not claiming:
        text = (
            translate(
                "{path}: no format reads {suffix!r} files; known: {known}. Pass {option} to "
                "choose one, or install a plugin that reads them."
            )
            if direction == "read"
            else translate(
                "{path}: no format writes {suffix!r} files; known: {known}. Pass {option} to "
                "choose one, or install a plugin that writes them."
            )
        )
        raise InclusionKitError(text.format(path=path, suffix=suffix, known=known(), option=option))
    if not candidates:
        names = ", ".join(sorted(repr(item.name) for item in claiming))
        raise InclusionKitError(
            f"{path}: {suffix!r} files are {names}, which cannot {direction} {kind}; "
            f"formats that {direction} {kind}: {known()}"
        )
    if len(candidates) > 1:
        names = ", ".join(sorted(repr(item.name) for item in candidates))
        raise InclusionKitError(
            f"{path}: several formats claim {suffix!r} ({names}); pass {option} to choose one"
        )
    return candidates[0]


def _suffix(path: str | None) -> str:
    if not path:
        return ""
    name = Path(path).name.lower()
    # A compound extension such as ".csv.gz" would be claimed whole, so try it first.
    suffixes = Path(name).suffixes
    return (
        "".join(suffixes[-2:]) if len(suffixes) > 1 and suffixes[-1] == ".gz" else Path(name).suffix
    )


def _ruleset(item: Any, plugin: str) -> RegisteredRuleset:
    from inclusionkit._limits import read_json_document
    from inclusionkit._schemas import iter_schema_problems

    source: str | None = None
    if isinstance(item, str | os.PathLike):
        source = os.fspath(item)
        try:
            document = read_json_document(source)
        except InclusionKitError as exc:
            raise _HookFailedError(plugin, f"register_rulesets: {exc}") from None
    elif isinstance(item, Mapping):
        document = item
    else:
        raise _HookFailedError(
            plugin,
            f"register_rulesets: expected a rule set document (dict) or a path, "
            f"got {type(item).__name__}",
        )
    problems = list(iter_schema_problems(document, "ruleset", source=source))
    if problems:
        listed = "; ".join(str(problem) for problem in problems[:5])
        raise _HookFailedError(plugin, f"register_rulesets: invalid rule set: {listed}")
    return RegisteredRuleset(name=document["name"], document=document, plugin=plugin, source=source)


def _unknown_hooks_message(plugin: str, hooks: Iterable[str]) -> str:
    known = [name for name in dir(hookspecs) if name.startswith("register_")]
    parts = []
    for hook in hooks:
        close = difflib.get_close_matches(hook, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{hook!r}{hint}")
    return (
        f"plugin {plugin!r} implements {', '.join(parts)}, which is not an inclusionkit hook; "
        f"the hooks are {', '.join(known)}"
    )


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def build_plugin_manager(
    *,
    entry_points: bool | None = None,
    builtins: bool = True,
    blocked: Iterable[str] | None = None,
    group: str = ENTRY_POINT_GROUP,
) -> PluginManager:
    """Build a new plugin manager: the built-ins, then the installed plugins.

    :param entry_points: load installed plugins; ``None`` (the default) means "unless
        ``INCLUSIONKIT_NO_ENTRY_POINTS`` is set".
    :param builtins: register the built-in formats of :data:`DEFAULT_PLUGINS`.
    :param blocked: plugin names not to import; ``None`` reads ``INCLUSIONKIT_BLOCK_PLUGINS``.
    :param group: the entry-point group to load (tests use their own).
    """
    blocked_names = _env_list(BLOCK_ENV) if blocked is None else list(blocked)
    if entry_points is None:
        entry_points = not _env_flag(NO_ENTRY_POINTS_ENV)
    pm = PluginManager()
    if builtins:
        pm.load_builtins(blocked_names)
    if entry_points:
        pm.load_entry_points(blocked_names, group=group)
    # Every plugin with an unknown hook was dropped above; this is the final guarantee.
    pm.check_pending()
    return pm


_cached: PluginManager | None = None
_cache_lock = threading.Lock()
_override: contextvars.ContextVar[PluginManager | None] = contextvars.ContextVar(
    "inclusionkit_plugin_manager", default=None
)


def get_plugin_manager() -> PluginManager:
    """The plugin manager :func:`inclusionkit.read` and :func:`inclusionkit.write` use.

    Built on first use and cached; :func:`reset_plugin_manager` drops the cache (after installing
    a plugin in the same process, or in tests). Inside :func:`use_plugin_manager` it is the
    manager given there.
    """
    global _cached
    override = _override.get()
    if override is not None:
        return override
    with _cache_lock:
        if _cached is None:
            _cached = build_plugin_manager()
        return _cached


def reset_plugin_manager() -> None:
    """Forget the cached plugin manager; the next :func:`get_plugin_manager` builds a new one."""
    global _cached
    with _cache_lock:
        _cached = None


@contextlib.contextmanager
def use_plugin_manager(pm: PluginManager) -> Iterator[PluginManager]:
    """Make ``pm`` the manager :func:`get_plugin_manager` returns inside the ``with`` block."""
    token = _override.set(pm)
    try:
        yield pm
    finally:
        _override.reset(token)


def importers() -> Mapping[str, Importer]:
    """The registered importers by format name (of :func:`get_plugin_manager`)."""
    return get_plugin_manager().importers()


def exporters() -> Mapping[str, Exporter]:
    """The registered exporters by format name (of :func:`get_plugin_manager`)."""
    return get_plugin_manager().exporters()


def vocabulary() -> Mapping[str, tuple[str, ...]]:
    """The controlled lists with the values plugins added (of :func:`get_plugin_manager`)."""
    return get_plugin_manager().vocabulary()


def plugin_info() -> list[PluginInfo]:
    """Every known plugin with version, hooks and status (of :func:`get_plugin_manager`)."""
    return get_plugin_manager().plugin_info()
