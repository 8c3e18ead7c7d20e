"""Tests for the plugin manager: built-ins, installed plugins, broken and blocked ones, clashes."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inclusionkit import hookspecs
from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import Exporter, Importer
from inclusionkit._plugins import (
    BLOCK_ENV,
    DEFAULT_PLUGINS,
    PluginError,
    PluginManager,
    PluginWarning,
    build_plugin_manager,
    exporters,
    get_plugin_manager,
    importers,
    plugin_info,
    reset_plugin_manager,
    use_plugin_manager,
    vocabulary,
)
from inclusionkit.hookspecs import hookimpl
from tests.plugins.conftest import TEST_GROUP, InstallPlugin

GOOD = """
from inclusionkit import hookspecs
from inclusionkit._formats import Exporter

def _write(obj, path, *, kind, options):
    open(path, "w").write("x")

@hookspecs.hookimpl
def register_exporters(register):
    register(Exporter(name="{fmt}", extensions=(".{fmt}",), kinds={{"progress"}}, write=_write))
"""

RULESET = {
    "name": "national-2021",
    "version": "1",
    "indicators": [
        {
            "code": "N01",
            "name": {"ro": "Participanți", "en": "Participants"},
            "unit": "persons",
            "kind": "output",
            "population": "participations",
            "aggregate": {"function": "count"},
        }
    ],
}


def manager(**kwargs: Any) -> PluginManager:
    """A fresh manager loading the test entry-point group."""
    return build_plugin_manager(entry_points=True, group=TEST_GROUP, **kwargs)


def info_of(pm: PluginManager, name: str) -> Any:
    """The PluginInfo called ``name``."""
    return next(info for info in pm.plugin_info() if info.name == name)


class _Plugin:
    """A plugin object for tests: hookimpl methods are added per test."""

    __name__ = "object-plugin"


# -- built-ins and the cached manager ---------------------------------------------------------


def test_builtins_are_registered_from_the_explicit_tuple() -> None:
    """Every module of DEFAULT_PLUGINS is registered and listed as a built-in."""
    pm = build_plugin_manager(entry_points=False)
    infos = {info.name: info for info in pm.plugin_info()}
    for name in DEFAULT_PLUGINS:
        assert pm.has_plugin(name)
        assert infos[name].builtin
        assert infos[name].status == "ok"
        # The register's format reads registers; they are written by `inclusionkit register`.
        assert (
            infos[name].hooks
            == ("register_exporters", "register_importers")[name.endswith("register_format") :]
        )


def test_builtin_formats_are_csv_json_parquet() -> None:
    """The built-ins read and write CSV, JSON and Parquet, and read registers."""
    pm = build_plugin_manager(entry_points=False)
    assert set(pm.importers()) == {"csv", "json", "parquet", "register"}
    assert set(pm.exporters()) == {"csv", "json", "parquet"}
    assert pm.exporters()["csv"].plugin == "inclusionkit.default_plugins.csv_format"


def test_manager_is_not_built_at_import_time() -> None:
    """Importing inclusionkit and its plugin module builds no manager and imports no plugin."""
    code = (
        "import sys, inclusionkit, inclusionkit._plugins as p, inclusionkit._io;"
        "assert p._cached is None;"
        "assert 'inclusionkit.default_plugins.csv_format' not in sys.modules;"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_get_plugin_manager_is_cached_until_reset() -> None:
    """get_plugin_manager returns the same manager until reset_plugin_manager."""
    first = get_plugin_manager()
    assert get_plugin_manager() is first
    reset_plugin_manager()
    assert get_plugin_manager() is not first


def test_use_plugin_manager_overrides_then_restores() -> None:
    """Inside use_plugin_manager the given manager is current; after it, the cached one."""
    cached = get_plugin_manager()
    other = build_plugin_manager(entry_points=False)
    with use_plugin_manager(other):
        assert get_plugin_manager() is other
        assert exporters() is other.exporters()
    assert get_plugin_manager() is cached


def test_module_level_registries_use_the_current_manager() -> None:
    """importers(), exporters(), vocabulary() and plugin_info() delegate; rule sets are listed by
    inclusionkit.available_rulesets() from the manager's one registry."""
    pm = get_plugin_manager()
    assert importers() is pm.importers()
    assert exporters() is pm.exporters()
    assert pm.rulesets() == {}
    assert "training" in vocabulary()["activity_kind"]
    assert [info.name for info in plugin_info()] == [info.name for info in pm.plugin_info()]


def test_no_entry_points_env_skips_installed_plugins(install_plugin: InstallPlugin) -> None:
    """INCLUSIONKIT_NO_ENTRY_POINTS=1 loads the built-ins only."""
    install_plugin("good", GOOD.format(fmt="good"))
    pm = build_plugin_manager(group=TEST_GROUP)  # the autouse fixture sets the variable
    assert not pm.has_plugin("good")
    assert "good" not in pm.exporters()


# -- installed plugins ------------------------------------------------------------------------


def test_installed_plugin_is_found_with_version_and_hooks(install_plugin: InstallPlugin) -> None:
    """An entry point of the group is imported, registered and listed with its metadata."""
    install_plugin("good", GOOD.format(fmt="good"), version="2.3")
    pm = manager()
    info = info_of(pm, "good")
    assert info.status == "ok"
    assert info.version == "2.3"
    assert info.distribution == "inclusionkit-test-good"
    assert info.hooks == ("register_exporters",)
    assert not info.builtin
    assert pm.exporters()["good"].plugin == "good"


def test_plugin_raising_on_import_is_reported_and_skipped(install_plugin: InstallPlugin) -> None:
    """A plugin that raises on import is broken (with its error); the others still load."""
    install_plugin("boom", "raise RuntimeError('no network in plugin import')")
    install_plugin("good", GOOD.format(fmt="good"))
    with pytest.warns(PluginWarning, match=r"'boom'.*broken.*RuntimeError"):
        pm = manager()
    info = info_of(pm, "boom")
    assert info.status == "broken"
    assert "RuntimeError: no network in plugin import" in (info.error or "")
    assert info.version == "1.0"
    assert not pm.has_plugin("boom")
    assert {"good", "csv"} <= set(pm.exporters())


def test_misspelt_hook_is_reported_naming_plugin_and_hook(install_plugin: InstallPlugin) -> None:
    """A hookimpl whose name is no hook makes the plugin broken, naming it and the hook."""
    install_plugin(
        "typo",
        """
        from inclusionkit.hookspecs import hookimpl

        @hookimpl
        def register_exporter(register):
            pass
        """,
    )
    with pytest.warns(PluginWarning, match="register_exporter"):
        pm = manager()
    info = info_of(pm, "typo")
    assert info.status == "broken"
    assert "plugin 'typo' implements 'register_exporter'" in (info.error or "")
    assert "did you mean 'register_exporters'?" in (info.error or "")
    assert not pm.has_plugin("typo")
    pm.check_pending()  # nothing unverified is left behind


def test_hook_with_wrong_arguments_is_broken(install_plugin: InstallPlugin) -> None:
    """A hookimpl asking for an argument the hook does not pass makes the plugin broken."""
    install_plugin(
        "args",
        """
        from inclusionkit.hookspecs import hookimpl

        @hookimpl
        def register_exporters(register, colour):
            pass
        """,
    )
    with pytest.warns(PluginWarning, match="'args'"):
        pm = manager()
    info = info_of(pm, "args")
    assert info.status == "broken"
    assert "colour" in (info.error or "")


def test_blocked_plugin_is_not_imported(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin named in INCLUSIONKIT_BLOCK_PLUGINS is listed as blocked and never imported."""
    install_plugin("blocked", "raise AssertionError('a blocked plugin was imported')")
    install_plugin("good", GOOD.format(fmt="good"))
    monkeypatch.setenv(BLOCK_ENV, " blocked , other")
    pm = manager()
    info = info_of(pm, "blocked")
    assert info.status == "blocked"
    assert info.version == "1.0"
    assert "ik_test_blocked" not in sys.modules
    assert info_of(pm, "good").status == "ok"
    assert pm.register(_Plugin(), name="blocked") is None  # stays blocked


def test_a_builtin_can_be_blocked() -> None:
    """Blocking a built-in's module name drops its formats."""
    pm = build_plugin_manager(entry_points=False, blocked=[DEFAULT_PLUGINS[0]])
    assert info_of(pm, DEFAULT_PLUGINS[0]).status == "blocked"
    assert "csv" not in pm.exporters()
    assert "json" in pm.exporters()


def test_two_distributions_with_one_plugin_name(install_plugin: InstallPlugin) -> None:
    """The second distribution claiming an entry-point name is reported, not loaded."""
    install_plugin("same", GOOD.format(fmt="first"), module="ik_first", dist="first-dist")
    install_plugin("same", GOOD.format(fmt="second"), module="ik_second", dist="second-dist")
    with pytest.warns(PluginWarning, match="already used"):
        pm = manager()
    assert pm.has_plugin("same")
    assert len({"first", "second"} & set(pm.exporters())) == 1


def test_exception_in_register_hook_drops_the_whole_plugin(install_plugin: InstallPlugin) -> None:
    """A plugin whose register_* hook raises is broken; none of its formats stay registered."""
    install_plugin(
        "halfway",
        """
        from inclusionkit.hookspecs import hookimpl
        from inclusionkit._formats import Importer

        def _read(source, *, kind, options):
            return None

        @hookimpl
        def register_importers(register):
            register(Importer(name="half", extensions=(".half",), kinds={"progress"}, read=_read))

        @hookimpl
        def register_exporters(register):
            raise KeyError("oops")
        """,
    )
    pm = manager()
    with pytest.warns(PluginWarning, match="register_exporters raised KeyError"):
        assert "half" not in pm.importers()
    assert info_of(pm, "halfway").status == "broken"
    assert "csv" in pm.exporters()


def test_registering_something_else_than_an_exporter_is_broken(
    install_plugin: InstallPlugin,
) -> None:
    """register(obj) with an object that is not an Exporter makes the plugin broken."""
    install_plugin(
        "wrongtype",
        """
        from inclusionkit.hookspecs import hookimpl

        @hookimpl
        def register_exporters(register):
            register("markdown")
        """,
    )
    pm = manager()
    with pytest.warns(PluginWarning, match="expected an inclusionkit.Exporter, got str"):
        pm.exporters()
    assert info_of(pm, "wrongtype").status == "broken"


def test_format_clash_names_both_plugins(install_plugin: InstallPlugin) -> None:
    """Two plugins registering one format name for writing raise PluginError naming both."""
    install_plugin("one", GOOD.format(fmt="md"), module="ik_one")
    install_plugin("two", GOOD.format(fmt="md"), module="ik_two")
    pm = manager()
    with pytest.raises(
        PluginError, match=r"'one' and 'two' both register a format called 'md'"
    ) as caught:
        pm.exporters()
    assert set(caught.value.plugins) == {"one", "two"}
    assert isinstance(caught.value, InclusionKitError)
    assert BLOCK_ENV in str(caught.value)


def test_clash_with_a_builtin_names_the_builtin(install_plugin: InstallPlugin) -> None:
    """A plugin claiming the name 'csv' clashes with the built-in CSV format."""
    install_plugin("csvish", GOOD.format(fmt="csv"))
    pm = manager()
    with pytest.raises(
        PluginError, match=r"'inclusionkit.default_plugins.csv_format' and 'csvish'"
    ):
        pm.exporters()


def test_same_name_for_reading_and_writing_is_no_clash() -> None:
    """One plugin may register an importer and an exporter of the same name."""
    pm = build_plugin_manager(entry_points=False)
    assert pm.importers()["json"].plugin == pm.exporters()["json"].plugin


# -- rule sets and vocabulary -----------------------------------------------------------------


def test_rulesets_from_a_document_and_a_path(tmp_path: Path) -> None:
    """register_rulesets accepts a document or the path of a JSON file; both are validated."""
    path = tmp_path / "regional.json"
    path.write_text(json.dumps({**RULESET, "name": "regional"}), encoding="utf-8")

    class Plugin:
        __name__ = "national"

        @hookimpl
        def register_rulesets(self, register: hookspecs.RegisterRuleset) -> None:
            register(RULESET)
            register(path)

    pm = build_plugin_manager(entry_points=False)
    pm.add_plugin(Plugin(), name="national")
    sets = pm.rulesets()
    assert set(sets) == {"national-2021", "regional"}
    assert sets["regional"].source == str(path)
    assert sets["national-2021"].plugin == "national"


def test_ruleset_clash_names_both_plugins() -> None:
    """Two plugins registering one rule set name raise PluginError naming both."""
    pm = build_plugin_manager(entry_points=False)
    for name in ("first", "second"):

        class Plugin:
            @hookimpl
            def register_rulesets(self, register: hookspecs.RegisterRuleset) -> None:
                register(RULESET)

        pm.add_plugin(Plugin(), name=name)
    with pytest.raises(PluginError, match="'first' and 'second' both register a rule set"):
        pm.rulesets()


def test_invalid_ruleset_makes_the_plugin_broken() -> None:
    """A rule set that breaks the schema is refused with the schema's message."""

    class Plugin:
        @hookimpl
        def register_rulesets(self, register: hookspecs.RegisterRuleset) -> None:
            register({"name": "Bad Name", "version": "1", "indicators": []})

    pm = build_plugin_manager(entry_points=False)
    pm.add_plugin(Plugin(), name="bad")
    with pytest.warns(PluginWarning, match="invalid rule set"):
        assert pm.rulesets() == {}
    assert info_of(pm, "bad").status == "broken"


def test_vocabulary_extends_the_controlled_lists() -> None:
    """register_vocabulary appends new values after the built-in ones, without duplicates."""

    class Plugin:
        @hookimpl
        def register_vocabulary(self, register: hookspecs.RegisterVocabulary) -> None:
            register("activity_kind", "job_fair")
            register("activity_kind", "training")
            register("deliverable_kind", "toolkit")

    pm = build_plugin_manager(entry_points=False)
    pm.add_plugin(Plugin(), name="vocab")
    vocab = pm.vocabulary()
    assert vocab["activity_kind"][-1] == "job_fair"
    assert vocab["activity_kind"].count("training") == 1
    assert "toolkit" in vocab["deliverable_kind"]


@pytest.mark.parametrize(
    ("list_name", "value", "message"),
    [("colour", "red", "unknown list 'colour'"), ("activity_kind", "Job Fair", "snake_case")],
)
def test_bad_vocabulary_makes_the_plugin_broken(list_name: str, value: str, message: str) -> None:
    """An unknown list or a value that is not snake_case makes the plugin broken."""

    class Plugin:
        @hookimpl
        def register_vocabulary(self, register: hookspecs.RegisterVocabulary) -> None:
            register(list_name, value)

    pm = build_plugin_manager(entry_points=False)
    pm.add_plugin(Plugin(), name="vocab")
    with pytest.warns(PluginWarning, match=message):
        pm.vocabulary()


# -- registering objects directly -------------------------------------------------------------


def test_add_plugin_refuses_a_misspelt_hook_at_once() -> None:
    """add_plugin raises PluginError for an unknown hook and leaves nothing registered."""

    class Plugin:
        @hookimpl
        def register_importer(self, register: Any) -> None:
            pass

    pm = build_plugin_manager(entry_points=False)
    with pytest.raises(PluginError, match="did you mean 'register_importers'"):
        pm.add_plugin(Plugin(), name="typo")
    assert not pm.has_plugin("typo")
    pm.check_pending()


def test_add_plugin_refuses_a_taken_name() -> None:
    """Registering a second plugin under a taken name raises PluginError."""
    pm = build_plugin_manager(entry_points=False)
    with pytest.raises(PluginError, match="cannot register"):
        pm.add_plugin(_Plugin(), name=DEFAULT_PLUGINS[0])


def test_registries_follow_register_and_unregister() -> None:
    """Registering or unregistering a plugin refreshes the registries."""

    def write(obj: Any, path: Any, *, kind: str, options: Any) -> None:
        pass

    class Plugin:
        @hookimpl
        def register_exporters(self, register: hookspecs.RegisterExporter) -> None:
            register(Exporter(name="md", extensions=(".md",), kinds={"progress"}, write=write))

    pm = build_plugin_manager(entry_points=False)
    assert "md" not in pm.exporters()
    pm.add_plugin(Plugin(), name="md-plugin")
    assert pm.exporters()["md"].plugin == "md-plugin"
    pm.unregister(name="md-plugin")
    assert "md" not in pm.exporters()


def test_find_importer_by_name_extension_and_kind() -> None:
    """find_importer picks by name, else by extension restricted to the kind."""
    pm = build_plugin_manager(entry_points=False)
    assert pm.find_importer("JSON", None, None).name == "json"
    assert pm.find_importer(None, "data/x.PARQUET", "report").name == "parquet"
    assert isinstance(pm.find_importer(None, "x.txt", None), Importer)
    with pytest.raises(InclusionKitError, match="cannot read project"):
        pm.find_importer("csv", None, "project")
    with pytest.raises(
        InclusionKitError, match=r"'\.csv' files are 'csv', which cannot read project"
    ):
        pm.find_importer(None, "p.csv", "project")


def test_plugin_info_is_json_compatible() -> None:
    """PluginInfo.to_dict gives plain JSON data."""
    pm = build_plugin_manager(entry_points=False)
    data = [info.to_dict() for info in pm.plugin_info()]
    assert json.loads(json.dumps(data)) == data
    assert data[0]["hooks"] == ["register_exporters", "register_importers"]


def test_one_rule_set_registry_for_hooks_and_calls() -> None:
    """A rule set registered by a call and one registered by a plugin's hook live in the same
    registry, the manager's: both are listed and loadable, and neither is copied elsewhere."""
    import inclusionkit
    from tests.rules.test_ruleset import _mini

    class RulesPlugin:
        @hookimpl
        def register_rulesets(self, register: hookspecs.RegisterRuleset) -> None:
            register(_mini("from-a-hook"))

    pm = build_plugin_manager(entry_points=False)
    pm.add_plugin(RulesPlugin(), name="rules-plugin")
    with use_plugin_manager(pm):
        name = inclusionkit.register_ruleset(_mini("from-a-call"), plugin="caller")
        assert {"from-a-hook", "from-a-call"} <= set(inclusionkit.available_rulesets())
        assert set(pm.rulesets()) == {"from-a-hook", "from-a-call"}
        assert pm.rulesets()["from-a-hook"].plugin == "rules-plugin"
        assert inclusionkit.load_ruleset("from-a-hook").codes == ("CONF",)
        other = _mini("from-a-hook")
        other["version"] = "2"
        with pytest.raises(InclusionKitError, match="clashes with the one from rules-plugin"):
            inclusionkit.register_ruleset(other, plugin="another")
        pm.remove_ruleset(name)
        assert "from-a-call" not in inclusionkit.available_rulesets()
    # Outside the block, the shared manager never saw either.
    assert "from-a-hook" not in inclusionkit.available_rulesets()


def test_lazy_names_import_a_public_name_on_first_use(tmp_path: Path, monkeypatch: Any) -> None:
    """lazy_names imports a name's module only when the name is first read, then keeps it."""
    package = tmp_path / "lazy_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from inclusionkit.plugin import lazy_names\n"
        "__getattr__ = lazy_names(__name__, {'heavy': 'lazy_pkg._heavy'})\n"
    )
    (package / "_heavy.py").write_text("heavy = object()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    lazy_pkg = importlib.import_module("lazy_pkg")
    try:
        assert "lazy_pkg._heavy" not in sys.modules
        value = lazy_pkg.heavy
        assert "lazy_pkg._heavy" in sys.modules
        assert value is sys.modules["lazy_pkg._heavy"].heavy
        assert vars(lazy_pkg)["heavy"] is value  # kept: the next read is a plain lookup
        with pytest.raises(AttributeError, match="no attribute 'missing'"):
            _ = lazy_pkg.missing
    finally:
        for name in ("lazy_pkg", "lazy_pkg._heavy"):
            sys.modules.pop(name, None)


def test_the_shipped_plugins_keep_their_readers_unimported_until_used() -> None:
    """Loading the xlsx and IATI plugins imports neither reader; reading a public name does."""
    code = (
        "import sys, inclusionkit_xlsx, inclusionkit_iati\n"
        "assert 'inclusionkit_xlsx._read' not in sys.modules\n"
        "assert 'inclusionkit_iati._read' not in sys.modules\n"
        "inclusionkit_xlsx.read_xlsx\n"
        "assert 'inclusionkit_xlsx._read' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
