"""Fixtures for the plugin-host tests: no installed plugins, a fresh manager, fake distributions."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inclusionkit._plugins import NO_ENTRY_POINTS_ENV, reset_plugin_manager

#: Fake distributions register under their own group, so plugins really installed on this machine
#: (the xlsx and example plugins) can never change what these tests see.
TEST_GROUP = "inclusionkit_tests"

InstallPlugin = Callable[..., Path]


@pytest.fixture(autouse=True)
def _isolated_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends with no cached manager and no installed plugins."""
    monkeypatch.setenv(NO_ENTRY_POINTS_ENV, "1")
    monkeypatch.delenv("INCLUSIONKIT_BLOCK_PLUGINS", raising=False)
    reset_plugin_manager()
    yield
    reset_plugin_manager()


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InstallPlugin:
    """Install a fake plugin distribution: a module plus a ``.dist-info`` on ``sys.path``.

    ``install_plugin(name, code, module=..., dist=..., version=...)`` writes ``code`` as the
    module and declares it under entry-point ``name`` in :data:`TEST_GROUP`.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(
        name: str,
        code: str,
        *,
        module: str | None = None,
        dist: str | None = None,
        version: str = "1.0",
    ) -> Path:
        module = module or f"ik_test_{name}"
        dist = dist or f"inclusionkit-test-{name}"
        (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[{TEST_GROUP}]\n{name} = {module}\n", encoding="utf-8"
        )
        return site / f"{module}.py"

    return install
