"""The project's tables, declared as data (``tables.json``) and built by a small builder.

Each entry of ``tables.json`` declares one resource: its ``name``, ``title`` (one text, or one
per language), ``description``, the ``records`` it has a row for, its ``fields`` (Table Schema
type and constraints, and where each value comes from) and its keys. Titles and descriptions
may name ``{lang}`` and ``{as_of_clause}``.

``records`` is one of ``project`` (one row), ``locations``, ``partners``, ``objectives``,
``target_groups``, ``activities``, ``deliverables`` (a row per item of that list of the
project), ``objectives[].indicators`` (a row per indicator; its objective is the *parent*) or
``progress`` (a row per row of :func:`inclusionkit.progress`).

A field's ``value`` (default: its own name) is a path of attributes (or keys) from the record,
``title.ro`` or ``lead.organisation.id``, a missing step giving an empty cell; it may start at
``$project`` or ``$parent`` instead of the record, and may be wrapped by one function:
``str:`` (an enum's text), ``len:`` (how many), ``lines:`` (a list as lines of text),
``category:`` (a region's ESF category) or ``code_part:`` (a part of the parsed project code:
``code_part:axis``). An ``enum`` of ``"@Name"`` is the values of the model's enum ``Name``
(:mod:`inclusionkit.models`), so the package cannot drift from the model.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

import pandas as pd

from inclusionkit import InclusionKitError, Project, models
from inclusionkit.ro import (
    ProjectCodeError,
    RomanianCodeError,
    category_of_region,
    parse_project_code,
)
from inclusionkit_datapackage._model import Field, ForeignKey, Table

__all__ = ["TABLE_NAMES", "project_tables", "table_specs"]


@functools.cache
def table_specs() -> tuple[Mapping[str, Any], ...]:
    """The declarations of ``tables.json``, in package order."""
    text = resources.files("inclusionkit_datapackage").joinpath("tables.json").read_text("utf-8")
    specs: list[Mapping[str, Any]] = json.loads(text)
    return tuple(specs)


TABLE_NAMES: tuple[str, ...] = tuple(spec["name"] for spec in table_specs())
"""The project tables, in package order."""


def project_tables(project: Project, progress: pd.DataFrame, lang: str, as_of: Any) -> list[Table]:
    """Every declared table of ``project`` (``progress`` is its progress table)."""
    texts = {
        "lang": lang,
        "as_of_clause": f", as of {as_of}" if as_of is not None else "",
    }
    return [_build(spec, project, progress, lang, texts) for spec in table_specs()]


def _build(
    spec: Mapping[str, Any],
    project: Project,
    progress: pd.DataFrame,
    lang: str,
    texts: Mapping[str, str],
) -> Table:
    fields = tuple(_field(item, texts) for item in spec["fields"])
    getters = [_getter(str(item.get("value", item["name"]))) for item in spec["fields"]]
    rows = tuple(
        tuple(_plain(get(record, parent, project)) for get in getters)
        for record, parent in _records(str(spec["records"]), project, progress)
    )
    title = spec["title"]
    return Table(
        name=str(spec["name"]),
        title=str(title[lang] if isinstance(title, Mapping) else title).format(**texts),
        description=str(spec["description"]).format(**texts),
        fields=fields,
        rows=rows,
        primary_key=tuple(spec.get("primary_key", ())),
        foreign_keys=tuple(
            ForeignKey(
                fields=tuple(key["fields"]),
                resource=key["reference"]["resource"],
                reference=tuple(key["reference"]["fields"]),
            )
            for key in spec.get("foreign_keys", ())
        ),
    )


def _field(item: Mapping[str, Any], texts: Mapping[str, str]) -> Field:
    enum = item.get("enum")
    if isinstance(enum, str):
        if not enum.startswith("@") or not hasattr(models, enum[1:]):
            raise InclusionKitError(f"tables.json: {enum!r} names no enum of inclusionkit.models")
        enum = [str(member) for member in getattr(models, enum[1:])]
    return Field(
        name=item["name"],
        type=item["type"],
        description=str(item["description"]).format(**texts),
        required=bool(item.get("required", False)),
        unique=bool(item.get("unique", False)),
        enum=None if enum is None else tuple(enum),
        minimum=item.get("minimum"),
        pattern=item.get("pattern"),
    )


def _records(source: str, project: Project, progress: pd.DataFrame) -> Iterable[tuple[Any, Any]]:
    if source == "project":
        return [(project, None)]
    if source == "progress":
        return [(row, None) for row in progress.astype(object).to_dict("records")]
    if source == "objectives[].indicators":
        return [
            (indicator, objective)
            for objective in project.objectives
            for indicator in objective.indicators
        ]
    if source in ("locations", "partners", "objectives", "target_groups"):
        return [(item, None) for item in getattr(project, source)]
    if source in ("activities", "deliverables"):
        return [(item, None) for item in getattr(project, source)]
    raise InclusionKitError(f"tables.json: unknown records {source!r}")


def _getter(expression: str) -> Callable[[Any, Any, Project], Any]:
    """The function giving a field's value from (record, parent, project)."""
    function, _, path = expression.rpartition(":")
    steps = path.split(".")
    root = steps[0] if steps[0] in ("$project", "$parent") else None
    if root is not None:
        steps = steps[1:]
    wrap = _FUNCTIONS.get(function)
    if wrap is None and function != "code_part" and function:
        raise InclusionKitError(f"tables.json: unknown function {function!r} in {expression!r}")

    def get(record: Any, parent: Any, project: Project) -> Any:
        start = project if root == "$project" else parent if root == "$parent" else record
        if function == "code_part":
            return _code_part(str(start.code), path)
        value = _walk(start, steps)
        return wrap(value) if wrap is not None and value is not None else value

    return get


def _walk(value: Any, steps: Sequence[str]) -> Any:
    for step in steps:
        if value is None:
            return None
        value = value.get(step) if isinstance(value, Mapping) else getattr(value, step)
    return value


def _code_part(code: str, part: str) -> Any:
    parsed = _parsed(code)
    return None if parsed is None else getattr(parsed, part)


@functools.cache
def _parsed(code: str) -> Any:
    try:
        return parse_project_code(code)
    except ProjectCodeError:
        return None


def _category(region: Any) -> str | None:
    try:
        return str(category_of_region(str(region)))
    except RomanianCodeError:
        return None


_FUNCTIONS: Mapping[str, Callable[[Any], Any]] = {
    "str": str,
    "len": len,
    "lines": lambda items: "\n".join(items) if items else None,
    "category": _category,
}


def _plain(value: Any) -> Any:
    """A missing value (``None``, ``NA``, ``NaN``) as ``None``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
