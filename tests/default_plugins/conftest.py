"""Fixtures for the built-in format tests: no installed plugins, a fresh manager."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inclusionkit._plugins import NO_ENTRY_POINTS_ENV, reset_plugin_manager


@pytest.fixture(autouse=True)
def _isolated_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test sees the built-in formats only, whatever is installed on the machine."""
    monkeypatch.setenv(NO_ENTRY_POINTS_ENV, "1")
    reset_plugin_manager()
    yield
    reset_plugin_manager()
