"""The one cattrs converter that turns models into JSON-like data and back.

Dates travel as ISO 8601 strings; enums as their string values; tuples as lists. Keys whose value
is the field's default are left out of the output, so documents stay short and readable.

The converter is built on first use: cattrs is imported only by a command that converts (a report
written as CSV from a Parquet file never does). :func:`register_record` only notes its class
until then.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

_records: dict[type[Any], dict[str, Callable[[Any], Any]]] = {}
"""The record classes :func:`register_record` was given, with their field hooks, in order."""


@functools.cache
def _converter() -> cattrs.Converter:
    from cattrs.preconf.json import make_converter

    converter = make_converter(omit_if_default=True, forbid_extra_keys=True)
    converter.register_unstructure_hook(dt.date, lambda value: value.isoformat())
    converter.register_structure_hook(dt.date, lambda value, _: _date(value))
    for cls, field_hooks in _records.items():
        _register_hook(converter, cls, field_hooks)
    return converter


def _register_hook(
    converter: cattrs.Converter, cls: type[Any], field_hooks: dict[str, Callable[[Any], Any]]
) -> None:
    from cattrs.gen import make_dict_unstructure_fn, override

    overrides: dict[str, Any] = {
        name: override(unstruct_hook=fn) for name, fn in field_hooks.items()
    }
    hook = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=False, **overrides)
    converter.register_unstructure_hook(cls, hook)


def register_record(cls: type[Any], **field_hooks: Callable[[Any], Any]) -> None:
    """Serialise ``cls`` (an attrs class) with every field, defaults included: a record such as
    a report's provenance keeps a fixed set of keys. ``field_hooks`` give a field its own
    unstructuring (``inputs=lambda pairs: [...]``)."""
    _records[cls] = dict(field_hooks)
    if _converter.cache_info().currsize:
        # The converter is built already: it learns the class now.
        _register_hook(_converter(), cls, _records[cls])


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def unstructure(obj: Any) -> Any:
    """Turn a model (or a collection of models) into JSON-compatible data."""
    return _converter().unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Build a model of type ``cls`` from JSON-compatible data (already schema-validated)."""
    return _converter().structure(data, cls)
