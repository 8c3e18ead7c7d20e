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
