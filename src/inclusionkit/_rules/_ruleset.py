"""Rule sets: loading, validating and compiling them, and the registry of known rule sets.

A rule set is a JSON document (``schemas/ruleset.schema.json``). Loading runs the schema first,
then compiles every indicator's filter against its population's columns, so a typo in a column
name, an unknown ``ref`` or a cycle between definitions is reported with the rule set, the
indicator and the JSON path before anything is counted. Built-in rule sets are JSON files in the
``inclusionkit.rulesets`` package; plugins add theirs with :func:`register_ruleset`.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs

from inclusionkit._errors import InclusionKitError, Problem, ValidationError
from inclusionkit._rules._columns import Kind
from inclusionkit._rules._completeness import COMPLETENESS_FIELDS, Completeness
from inclusionkit._rules._language import TRUE, Compiler, Node, Scope
from inclusionkit._rules._populations import POPULATION_COLUMNS

AggregateFunction = Literal["count", "count_distinct", "sum"]
CheckKind = Literal["subset", "sum_equals", "at_most"]
Records = Literal["complete", "entered"]
FLOWS: tuple[str, ...] = ("entries", "leavers", "carried_over")
DEFAULT_GENDERS: tuple[str, ...] = ("female", "male")
DEFAULT_AGE_BANDS: tuple[int, ...] = (0, 25, 55)


@attrs.frozen(kw_only=True)
class Aggregate:
    """How the rows that pass the filter become one number."""

    function: AggregateFunction
    column: str | None = None


@attrs.frozen(kw_only=True)
class IndicatorSpec:
    """One indicator of a rule set: its metadata and its compiled rule.

    ``population``, ``filter`` and ``aggregate`` are the rule; ``node`` is the compiled filter.
    ``kind`` is ``output``, ``immediate_result`` or ``longer_term_result``; ``data_class`` is
    ``personal``, ``sensitive`` or ``entity``. ``records`` says which participations it counts:
    ``complete`` ones (every indicator but one) or every one ``entered`` by the as-of date,
    complete or not (``GRAND_TOTAL``).
    """

    code: str
    name_en: str
    name_ro: str | None
    unit: str
    kind: str
    population: str
    aggregate: Aggregate
    filter: Mapping[str, Any] | None = attrs.field(default=None, hash=False)
    data_class: str | None = None
    timing: str | None = None
    coverage: str | None = None
    source: str | None = None
    definition: str | None = None
    note: str | None = None
    records: Records = "complete"
    node: Node = attrs.field(default=TRUE, eq=False, repr=False, hash=False)

    @property
    def is_entity(self) -> bool:
        """Whether it counts records of a project document rather than participations."""
        return self.population != "participations"

    def name(self, lang: str = "en") -> str:
        """The name in ``lang`` ("en" or "ro"), falling back to English."""
        if lang == "ro" and self.name_ro:
            return self.name_ro
        return self.name_en


@attrs.frozen(kw_only=True)
class Alias:
    """Another code of an indicator: ``alias`` stands for ``code`` (a programme renumbered it,
    or another document uses it); ``note`` says what changed with it."""

    alias: str
    code: str
    note: str = ""
    source: str = ""


@attrs.frozen(kw_only=True)
class Check:
    """A consistency check between indicators, run on every breakdown cell of a report.

    ``subset``: ``left`` (one indicator) counts a subset of ``right``, so left <= right;
    ``sum_equals``: sum(left) == sum(right); ``at_most``: sum(left) <= sum(right).
    """

    id: str
    kind: CheckKind
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str = ""


@attrs.frozen(kw_only=True)
class RuleSet:
    """A named, versioned set of indicators and consistency checks (see ``docs/rules.md``)."""

    name: str
    version: str
    indicators: tuple[IndicatorSpec, ...]
    checks: tuple[Check, ...] = ()
    title: str = ""
    description: str = ""
    source: str = ""
    period: str | None = None
    genders: tuple[str, ...] = DEFAULT_GENDERS
    completeness: Completeness = attrs.field(default=Completeness(genders=DEFAULT_GENDERS))
    flows: tuple[str, ...] = ()
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS
    extra_columns: Mapping[str, Kind] = attrs.field(factory=dict, hash=False)
    extra_column_notes: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    aliases: Mapping[str, Alias] = attrs.field(factory=dict, hash=False)
    definitions: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    definition_notes: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    document: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False, hash=False)
    scope: Scope = attrs.field(default=None, eq=False, repr=False, hash=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """The indicator codes, in order."""
        return tuple(indicator.code for indicator in self.indicators)

    def resolve(self, code: str) -> str:
        """The indicator code ``code`` stands for: itself, or the code it is an alias of (a
        renumbered programme-specific code: ``4S1`` is ``4S225`` in ``pocu-2014``)."""
        alias = self.aliases.get(code)
        return code if alias is None else alias.code

    def indicator(self, code: str) -> IndicatorSpec:
        """The indicator called ``code`` (or one of its aliases); raises
        :class:`InclusionKitError` when unknown."""
        code = self.resolve(code)
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise InclusionKitError(
            f"rule set {self.name!r} has no indicator {code!r}; known: {', '.join(self.codes)}"
        )

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], *, source: str | None = None) -> RuleSet:
        """Validate and compile a rule set document; raises :class:`ValidationError` listing
        every problem (schema, unknown column or reference, cycle) with its JSON path."""
        problems = list(_schema_problems(document, source))
        if problems:
            raise ValidationError(problems, source=source)
        return _from_valid_document(document, source)

    def compiler(self, *, source: str | None = None) -> Compiler:
        """A compiler for further predicates (project rules) in this rule set's scope."""
        return Compiler(self.scope, _columns_with_extras(self.extra_columns), source=source)


def _from_valid_document(document: Mapping[str, Any], source: str | None) -> RuleSet:
    """Compile a document already valid against the rule set schema."""
    merged = _resolve_extends(document, source)
    ruleset, problems = _compile(merged, source)
    if problems:
        raise ValidationError(problems, source=source)
    return ruleset


def _schema_problems(document: Any, source: str | None) -> list[Problem]:
    from inclusionkit._schemas import iter_schema_problems

    return list(iter_schema_problems(document, "ruleset", source=source))


def _columns_with_extras(extra: Mapping[str, Kind]) -> Mapping[str, Mapping[str, Kind]]:
    if not extra:
        return POPULATION_COLUMNS
    out = dict(POPULATION_COLUMNS)
    out["participations"] = {**POPULATION_COLUMNS["participations"], **extra}
    return out


def _resolve_extends(document: Mapping[str, Any], source: str | None) -> dict[str, Any]:
    """The document with its base rule set's entries merged in (entries here win)."""
    doc = copy.deepcopy(dict(document))
    for index, indicator in enumerate(doc.get("indicators", [])):
        indicator.setdefault("_path", f"$.indicators[{index}]")
    base_name = doc.pop("extends", None)
    if base_name is None:
        return doc
    try:
        base = get_ruleset(base_name).document
    except InclusionKitError as exc:
        raise ValidationError(
            [Problem(code="rule.extends", message=str(exc), source=source, location="$.extends")],
            source=source,
        ) from None
    merged: dict[str, Any] = {key: copy.deepcopy(value) for key, value in base.items()}
    for index, indicator in enumerate(merged.get("indicators", [])):
        indicator["_path"] = f"(from {base_name}) $.indicators[{index}]"
    for key, value in doc.items():
        if key not in ("definitions", "definition_notes", "indicators", "checks"):
            merged[key] = value
    for key in (
        "definitions",
        "definition_notes",
        "extra_columns",
        "extra_column_notes",
        "completeness",
    ):
        merged[key] = {**base.get(key, {}), **doc.get(key, {})}
    own_aliases = list(doc.get("aliases", []))
    replaced = {alias["alias"] for alias in own_aliases}
    inherited = [alias for alias in base.get("aliases", []) if alias["alias"] not in replaced]
    merged["aliases"] = inherited + own_aliases
    own = {indicator["code"]: indicator for indicator in doc.get("indicators", [])}
    indicators = [own.pop(ind["code"], ind) for ind in merged.get("indicators", [])]
    merged["indicators"] = indicators + list(own.values())
    own_checks = {check["id"]: check for check in doc.get("checks", [])}
    checks = [own_checks.pop(check["id"], check) for check in merged.get("checks", [])]
    merged["checks"] = checks + list(own_checks.values())
    return merged


def _compile(doc: Mapping[str, Any], source: str | None) -> tuple[RuleSet, list[Problem]]:
    name = doc["name"]
    problems: list[Problem] = []
    raw_indicators: list[Mapping[str, Any]] = list(doc.get("indicators", []))
    seen: dict[str, str] = {}
    for raw in raw_indicators:
        path = raw.get("_path", "$.indicators")
        if raw["code"] in seen:
            problems.append(
                Problem(
                    code="rule.duplicate",
                    message=f"rule set {name!r}: indicator code {raw['code']!r} is used twice "
                    f"(first at {seen[raw['code']]})",
                    source=source,
                    location=path,
                )
            )
        seen.setdefault(raw["code"], path)
    extra: dict[str, Kind] = dict(doc.get("extra_columns", {}))
    scope = Scope(
        ruleset=name,
        definitions=dict(doc.get("definitions", {})),
        indicators={
            raw["code"]: (raw["population"], raw.get("filter"), f"{raw.get('_path')}.filter")
            for raw in raw_indicators
        },
    )
    compiler = Compiler(scope, _columns_with_extras(extra), source=source)
    indicators: list[IndicatorSpec] = []
    for raw in raw_indicators:
        path = raw.get("_path", "$.indicators")
        where = f"indicator {raw['code']!r}"
        population = raw["population"]
        node = (
            TRUE
            if raw.get("filter") is None
            else compiler.predicate(raw["filter"], population, f"{path}.filter", where)
        )
        aggregate = Aggregate(
            function=raw["aggregate"]["function"], column=raw["aggregate"].get("column")
        )
        check_aggregate(compiler, aggregate, population, f"{path}.aggregate", where)
        indicators.append(
            IndicatorSpec(
                code=raw["code"],
                name_en=raw["name"]["en"],
                name_ro=raw["name"].get("ro"),
                unit=raw["unit"],
                kind=raw["kind"],
                population=population,
                aggregate=aggregate,
                filter=raw.get("filter"),
                data_class=raw.get("data_class"),
                timing=raw.get("timing"),
                coverage=raw.get("coverage"),
                source=raw.get("source"),
                definition=raw.get("definition"),
                note=raw.get("note"),
                records=raw.get("records", "complete"),
                node=node,
            )
        )
    problems.extend(compiler.problems)
    checks = _checks(doc, seen, source, problems)
    aliases = _aliases(doc, seen, source, problems)
    bands = tuple(doc.get("age_bands", DEFAULT_AGE_BANDS))
    if list(bands) != sorted(set(bands)):
        problems.append(
            Problem(
                code="rule.age_bands",
                message=f"rule set {name!r}: age_bands must be strictly ascending",
                source=source,
                location="$.age_bands",
            )
        )
    genders = tuple(doc.get("genders", DEFAULT_GENDERS))
    completeness = _completeness(doc, genders, source, problems)
    clean = {key: value for key, value in doc.items() if key != "indicators"} | {
        "indicators": [{k: v for k, v in raw.items() if k != "_path"} for raw in raw_indicators]
    }
    ruleset = RuleSet(
        name=name,
        version=doc["version"],
        indicators=tuple(indicators),
        checks=checks,
        title=doc.get("title", ""),
        description=doc.get("description", ""),
        source=doc.get("source", ""),
        period=doc.get("period"),
        genders=genders,
        completeness=completeness,
        flows=tuple(doc.get("flows", ())),
        age_bands=bands,
        extra_columns=extra,
        extra_column_notes=dict(doc.get("extra_column_notes", {})),
        aliases=aliases,
        definitions=dict(doc.get("definitions", {})),
        definition_notes=dict(doc.get("definition_notes", {})),
        document=clean,
        scope=scope,
    )
    return ruleset, problems


def _aliases(
    doc: Mapping[str, Any], codes: Mapping[str, str], source: str | None, problems: list[Problem]
) -> dict[str, Alias]:
    """The rule set's aliases by alias; an alias that is an indicator code, repeats, or stands
    for an unknown indicator is a problem."""
    out: dict[str, Alias] = {}
    for index, raw in enumerate(doc.get("aliases", [])):
        where = f"$.aliases[{index}]"
        name, code = raw["alias"], raw["code"]
        message = None
        if name in codes:
            message = f"alias {name!r} is the code of an indicator (first at {codes[name]})"
        elif name in out:
            message = f"alias {name!r} is given twice"
        elif code not in codes:
            message = f"alias {name!r} stands for an unknown indicator {code!r}"
        if message is not None:
            problems.append(
                Problem(
                    code="rule.alias",
                    message=f"rule set {doc['name']!r}: {message}",
                    source=source,
                    location=where,
                )
            )
            continue
        out[name] = Alias(
            alias=name, code=code, note=raw.get("note", ""), source=raw.get("source", "")
        )
    return out


def _completeness(
    doc: Mapping[str, Any], genders: tuple[str, ...], source: str | None, problems: list[Problem]
) -> Completeness:
    """The rule set's completeness: its declared fields (by default the contract's five) and
    its reportable genders."""
    fields = tuple(doc.get("completeness", {}).get("fields", COMPLETENESS_FIELDS))
    try:
        return Completeness(fields=fields, genders=genders)
    except ValueError as exc:
        problems.append(
            Problem(
                code="rule.completeness",
                message=f"rule set {doc['name']!r}: {exc}",
                source=source,
                location="$.completeness.fields",
            )
        )
        return Completeness(genders=genders)


def check_aggregate(
    compiler: Compiler, aggregate: Aggregate, population: str, path: str, where: str
) -> None:
    """Record a problem when an aggregate's column is unknown or cannot be summed."""
    if aggregate.function == "count":
        return
    known = compiler.columns.get(population, {})
    if aggregate.column is None or aggregate.column not in known:
        compiler.problem(
            "rule.column",
            where,
            f"{path}.column",
            f"unknown column {aggregate.column!r} for population {population!r}; "
            f"known: {', '.join(sorted(known))}",
        )
    elif aggregate.function == "sum" and known[aggregate.column] not in ("int", "float", "bool"):
        compiler.problem(
            "rule.type",
            where,
            f"{path}.column",
            f"cannot sum the {known[aggregate.column]} column {aggregate.column!r}",
        )


def _checks(
    doc: Mapping[str, Any], codes: Mapping[str, str], source: str | None, problems: list[Problem]
) -> tuple[Check, ...]:
    out: list[Check] = []
    for index, raw in enumerate(doc.get("checks", [])):
        left = (raw["left"],) if isinstance(raw["left"], str) else tuple(raw["left"])
        right = (raw["right"],) if isinstance(raw["right"], str) else tuple(raw["right"])
        for side, names in (("left", left), ("right", right)):
            for code in names:
                if code not in codes:
                    problems.append(
                        Problem(
                            code="rule.check",
                            message=f"rule set {doc['name']!r}, check {raw['id']!r}: "
                            f"unknown indicator {code!r}",
                            source=source,
                            location=f"$.checks[{index}].{side}",
                        )
                    )
        if raw["kind"] == "subset" and (len(left) != 1 or len(right) != 1):
            problems.append(
                Problem(
                    code="rule.check",
                    message=f"rule set {doc['name']!r}, check {raw['id']!r}: a subset check "
                    "relates one indicator to one indicator",
                    source=source,
                    location=f"$.checks[{index}]",
                )
            )
        out.append(
            Check(
                id=raw["id"],
                kind=raw["kind"],
                left=left,
                right=right,
                description=raw.get("description", ""),
            )
        )
    return tuple(out)


# --- loading and the registry ------------------------------------------------------------------

_BUILTIN_PACKAGE = "inclusionkit.rulesets"
_NOT_RULESETS = frozenset({"crosswalk"})
_compiled: dict[int, tuple[Mapping[str, Any], RuleSet]] = {}
"""Compiled registered rule sets by the identity of their document (kept alive beside them)."""


def builtin_names() -> tuple[str, ...]:
    """The names of the rule sets shipped with inclusionkit."""
    folder = resources.files(_BUILTIN_PACKAGE)
    names = [
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    return tuple(sorted(name for name in names if name not in _NOT_RULESETS))


def read_builtin(name: str) -> dict[str, Any]:
    """The JSON document of a data file of the ``inclusionkit.rulesets`` package."""
    text = (resources.files(_BUILTIN_PACKAGE) / f"{name}.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _registered() -> Mapping[str, Any]:
    """The one registry of non-built-in rule sets: the plugin manager's (plugins' and called)."""
    from inclusionkit._plugins import get_plugin_manager

    registered = get_plugin_manager().rulesets()
    for name, entry in registered.items():
        if name in builtin_names():
            raise InclusionKitError(
                f"rule set {name!r} from {entry.plugin} clashes with a built-in one"
            )
    return registered


def available_rulesets() -> tuple[str, ...]:
    """The names of every known rule set: built-in, plugins' and registered ones, sorted."""
    return tuple(sorted({*builtin_names(), *_registered()}))


@functools.cache
def _load_builtin(name: str) -> RuleSet:
    # A shipped file is valid against the schema (tests/rules/test_ruleset.py checks every one):
    # a command that uses it does not load a JSON Schema validator. It is still compiled, with
    # every check that the compiler makes.
    return _from_valid_document(read_builtin(name), f"inclusionkit/rulesets/{name}.json")


def _load_registered(entry: Any) -> RuleSet:
    cached = _compiled.get(id(entry.document))
    if cached is not None and cached[0] is entry.document:
        return cached[1]
    origin = f"{entry.plugin}: {entry.source}" if entry.source else entry.plugin
    ruleset = RuleSet.from_dict(entry.document, source=origin)
    _compiled[id(entry.document)] = (entry.document, ruleset)
    return ruleset


def get_ruleset(name: str) -> RuleSet:
    """The rule set called ``name`` (built-in or registered), compiled once and cached."""
    if name in builtin_names():
        return _load_builtin(name)
    registered = _registered()
    if name in registered:
        return _load_registered(registered[name])
    raise InclusionKitError(
        f"no rule set called {name!r}; known: {', '.join(available_rulesets())}"
    )


def register_ruleset(
    document: Mapping[str, Any] | str | os.PathLike[str], *, plugin: str = ""
) -> str:
    """Make a rule set (a document or the path of a JSON file) known by its name; return the name.

    For programmes' own rule sets (plugins use the ``register_rulesets`` hook). A name already
    taken by a built-in or another registered rule set is an :class:`InclusionKitError` naming
    both origins. The document is validated here, so a broken rule set fails when registered.
    """
    from inclusionkit._plugins import RegisteredRuleset, get_plugin_manager

    origin = plugin or "registered"
    source: str | None = None
    if isinstance(document, str | os.PathLike):
        source = os.fspath(document)
        doc = _read_json(document)
    else:
        doc = copy.deepcopy(dict(document))
    RuleSet.from_dict(doc, source=f"{origin}: {source}" if source else origin)
    name = doc["name"]
    if name in builtin_names():
        where = f"{origin}: {source}" if source else origin
        raise InclusionKitError(f"rule set {name!r} from {where} clashes with a built-in one")
    entry = RegisteredRuleset(name=name, document=doc, plugin=origin, source=source)
    get_plugin_manager().add_ruleset(entry)
    return str(name)


def unregister_ruleset(name: str) -> None:
    """Forget a rule set :func:`register_ruleset` registered (for tests and reloading)."""
    from inclusionkit._plugins import get_plugin_manager

    get_plugin_manager().remove_ruleset(name)


def _read_json(path: str | os.PathLike[str]) -> Any:
    # The same guarded reader as project documents: size limit, duplicate keys, nesting.
    from inclusionkit._limits import read_json_document

    return read_json_document(path)


def load_ruleset(rules: RuleSet | Mapping[str, Any] | str | os.PathLike[str]) -> RuleSet:
    """A :class:`RuleSet` from a rule set, a document, a known name or a JSON file's path."""
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, Mapping):
        return RuleSet.from_dict(rules)
    text = os.fspath(rules)
    if text in available_rulesets():
        return get_ruleset(text)
    if text.lower().endswith(".json") or Path(text).exists():
        return RuleSet.from_dict(_read_json(text), source=text)
    raise InclusionKitError(
        f"no rule set called {text!r} and no such file; known: {', '.join(available_rulesets())}"
    )


def ruleset_problems(document: Any, *, source: str | None = None) -> list[Problem]:
    """Every problem of a rule set document (schema, then compilation); empty when valid."""
    problems = _schema_problems(document, source)
    if problems:
        return problems
    try:
        merged = _resolve_extends(document, source)
    except ValidationError as exc:
        return list(exc.problems)
    return _compile(merged, source)[1]
