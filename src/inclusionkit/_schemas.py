"""Load the packaged JSON Schemas and validate documents against them, collecting every error.

The schemas live in the repository's top-level ``schemas/`` folder and are copied into the wheel as
``inclusionkit/_schemas``. An editable install has no copy, so the source tree's folder is the
fallback. ``$ref`` between schemas resolves through an immutable :class:`referencing.Registry`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusionkit._errors import Problem
from inclusionkit._i18n import deferred

if TYPE_CHECKING:
    # Imported where a document is validated: a command that reads only the built-in schemas'
    # data (the mapping, the rule sets, checked by tests) does not load a JSON Schema validator.
    import jsonschema
    import referencing

SCHEMA_NAMES: tuple[str, ...] = ("participation", "project", "ruleset", "mapping")


def _schema_folder() -> Traversable:
    packaged = resources.files("inclusionkit") / "_schemas"
    if packaged.is_dir():
        return packaged
    # Editable (development) install: the wheel-time copy does not exist, read the source tree's.
    return Path(__file__).resolve().parents[2] / "schemas"


@functools.cache
def schema(name: str) -> Mapping[str, Any]:
    """Return the JSON Schema called ``name`` (``"project"``, ``"ruleset"``, …)."""
    if name not in SCHEMA_NAMES:
        from inclusionkit._errors import InclusionKitError

        raise InclusionKitError(f"no schema called {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    text = (_schema_folder() / f"{name}.schema.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def _registry() -> referencing.Registry[Any]:
    import referencing
    from referencing.jsonschema import DRAFT202012

    resources_ = [
        (schema(name)["$id"], DRAFT202012.create_resource(schema(name))) for name in SCHEMA_NAMES
    ]
    return referencing.Registry().with_resources(resources_)


@functools.cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(
        schema(name),
        registry=_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def json_path(path: Any) -> str:
    """Render a jsonschema ``absolute_path`` deque as ``$.partners[0].role``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def iter_schema_problems(
    document: Any, name: str, *, source: str | None = None
) -> Iterator[Problem]:
    """Yield a :class:`Problem` for every way ``document`` breaks schema ``name``, deepest first."""
    import jsonschema

    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        # A oneOf/anyOf failure is clearest through its best sub-error.
        best = jsonschema.exceptions.best_match([error]) if error.context else error
        location = json_path(best.absolute_path)
        yield Problem(
            code=f"schema.{best.validator}",
            message=_message(best),
            source=source,
            location=location,
        )


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        name = error.message.removesuffix(" is a required property")
        return deferred("{name} is required but missing", name=name)
    if error.validator == "enum":
        allowed = ", ".join(repr(v) for v in list(error.validator_value))  # type: ignore[arg-type]
        return deferred(
            "{value!r} is not one of the allowed values: {allowed}",
            value=error.instance,
            allowed=allowed,
        )
    if error.validator == "additionalProperties":
        return deferred("{message} (check the spelling against the schema)", message=error.message)
    return error.message
