"""Tests that the public façade is small, sorted, documented and honest."""

import inspect

import inclusionkit


def test_all_is_unique_and_importable() -> None:
    """__all__ names each public object once and every name exists (ruff RUF022 keeps it sorted)."""
    assert len(set(inclusionkit.__all__)) == len(inclusionkit.__all__)
    for name in inclusionkit.__all__:
        assert hasattr(inclusionkit, name), name


def test_every_public_name_has_a_docstring() -> None:
    """Every public class and function of the façade documents itself."""
    for name in inclusionkit.__all__:
        obj = getattr(inclusionkit, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_the_plugin_api_is_importable_documented_and_public() -> None:
    """inclusionkit.plugin's names exist, have docstrings, and docs/plugins/api.md names each."""
    from pathlib import Path

    from inclusionkit import plugin

    page = (Path(__file__).resolve().parents[1] / "docs" / "plugins" / "api.md").read_text(
        encoding="utf-8"
    )
    assert len(set(plugin.__all__)) == len(plugin.__all__)
    for name in plugin.__all__:
        obj = getattr(plugin, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
        assert f"`{name}`" in page or f".{name}`" in page, name
    # Nothing re-exported here is a second copy: the same objects as in inclusionkit.
    for name in set(plugin.__all__) & set(inclusionkit.__all__):
        assert getattr(plugin, name) is getattr(inclusionkit, name), name
