"""The rule language: predicates compiled once into a tree of nodes, evaluated to numpy masks.

A predicate is JSON data (``{"eq": ["gender", "female"]}``, ``{"all": [...]}``); compiling checks
every column name, every value's type against its column, every ``ref`` and ``indicator``
reference and every cycle, and collects one :class:`~inclusionkit.Problem` per mistake, located by
JSON path. Evaluation turns each node into a boolean numpy array over the rows of a population;
nothing is ever evaluated as code and nothing loops over rows.

Unknown is false, in every position (``participation-table.md``, "Which rows are counted", 4,
clarified 2026-12): a test of an empty cell is *false*, wherever it stands, including under
``not``. So ``{"not": {"is_true": "employed_at_exit"}}`` holds where ``employed_at_exit`` is
false *or empty*, and CR01/EECR01 count a job-searching leaver whose employment upon leaving was
not recorded. The logic is plain two-valued logic. Each node can give two masks, where it is
true and where it is false (the second only computed under a ``not``); they are complements.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from inclusionkit._errors import Problem
from inclusionkit._rules._columns import Col, Kind, codes_in, is_all_valid
from inclusionkit._rules._dates import date_to_days

COMPARISONS: Mapping[str, Callable[[Any, Any], Any]] = {
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}
LEAF_OPERATORS: tuple[str, ...] = ("eq", "in", "between", "lt", "le", "gt", "ge", "contains")
OPERATORS: tuple[str, ...] = (
    *LEAF_OPERATORS,
    "is_true",
    "is_null",
    "all",
    "any",
    "not",
    "ref",
    "indicator",
)


class ColumnSource(Protocol):
    """Where a compiled predicate reads its columns from: ``n`` rows, ``col(name)``."""

    @property
    def n(self) -> int:
        """The number of rows."""

    def col(self, name: str) -> Col:
        """The column called ``name``, aligned with the rows."""


class Node:
    """A compiled predicate; ``key`` identifies it structurally (equal keys, equal masks)."""

    key: str

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """Where this node is true (``positive``) or false (not ``positive``)."""
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        """The nodes this one is computed from."""
        return ()


def _key(op: str, *args: Any) -> str:
    return json.dumps([op, *args], sort_keys=True, default=str)


@attrs.frozen
class Constant(Node):
    """Every row (``True``) or none (``False``)."""

    value: bool
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return _key("constant", self.value)

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """All rows or none."""
        return np.full(ev.n, self.value == positive, dtype=bool)


@attrs.frozen
class Leaf(Node):
    """A test of one column: ``eq``, ``in``, ``between``, ``lt``..``ge``, ``contains``,
    ``is_true`` or ``is_null``. ``values`` are already converted to the column's representation
    (day numbers for dates)."""

    op: str
    column: str
    values: tuple[Any, ...]
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return _key(self.op, self.column, *self.values)

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """Where the test holds on a given cell (or, not ``positive``, everywhere else: an
        empty cell reads as false)."""
        col = ev.col(self.column)
        if self.op == "is_null":
            return ~col.valid if positive else col.valid
        holds = np.asarray(self._holds(col))
        if not is_all_valid(col.valid):
            holds = holds & col.valid
        return holds if positive else ~holds

    def _holds(self, col: Col) -> np.ndarray:
        # The test on the stored values, whatever they are where the cell is missing.
        if self.op == "is_true":
            return col.values
        if col.kind == "string":
            return _string_test(self.op, col, self.values)
        if self.op == "eq":
            return np.asarray(col.values == self.values[0])
        if self.op == "in":
            return np.isin(col.values, np.array(self.values))
        if self.op == "between":
            low, high = self.values
            return np.asarray((col.values >= low) & (col.values <= high))
        return COMPARISONS[self.op](col.values, self.values[0])  # type: ignore[no-any-return]


def _string_test(op: str, col: Col, values: tuple[Any, ...]) -> np.ndarray:
    # Decide per category, then test the codes: a lookup over a few categories instead of string
    # compares over every row. The extra last slot is the answer for code -1 (missing).
    lookup = np.zeros(len(col.categories) + 1, dtype=bool)
    if op == "contains":
        if col.categories:
            found = pc.match_substring(pa.array(col.categories, type=pa.string()), values[0])
            lookup[:-1] = found.to_numpy(zero_copy_only=False)
    else:
        wanted = set(values)
        for index, category in enumerate(col.categories):
            if category in wanted:
                lookup[index] = True
    return codes_in(col.values, lookup)


@attrs.frozen
class All(Node):
    """Every child holds (false as soon as one is false)."""

    items: tuple[Node, ...]
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return _key("all", *(item.key for item in self.items))

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """True where every child is true; false where any child is false."""
        return _combine(ev, self.items, positive, conjunction=positive)

    def children(self) -> tuple[Node, ...]:
        """The conjuncts."""
        return self.items


@attrs.frozen
class AnyOf(Node):
    """At least one child holds (false when every one is false)."""

    items: tuple[Node, ...]
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return _key("any", *(item.key for item in self.items))

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """True where any child is true; false where every child is false."""
        return _combine(ev, self.items, positive, conjunction=not positive)

    def children(self) -> tuple[Node, ...]:
        """The disjuncts."""
        return self.items


def _combine(
    ev: Evaluator, items: tuple[Node, ...], positive: bool, *, conjunction: bool
) -> np.ndarray:
    out = ev.mask(items[0], positive).copy()
    for item in items[1:]:
        if conjunction:
            out &= ev.mask(item, positive)
        else:
            out |= ev.mask(item, positive)
    return out


@attrs.frozen
class Not(Node):
    """The child does not hold: true where it is false, false where it is true."""

    item: Node
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return _key("not", self.item.key)

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """The child's mask of the opposite polarity (its complement)."""
        return ev.mask(self.item, not positive)

    def children(self) -> tuple[Node, ...]:
        """The negated node."""
        return (self.item,)


@attrs.frozen
class Named(Node):
    """A definition (``ref``) or another indicator's filter (``indicator``), resolved."""

    kind: str
    name: str
    item: Node
    key: str = attrs.field(init=False)

    @key.default
    def _default_key(self) -> str:
        return self.item.key

    def evaluate(self, ev: Evaluator, positive: bool) -> np.ndarray:
        """The referenced predicate's mask."""
        return ev.mask(self.item, positive)

    def children(self) -> tuple[Node, ...]:
        """The referenced predicate."""
        return (self.item,)


TRUE = Constant(True)
FALSE = Constant(False)


class Evaluator:
    """Evaluates nodes over a :class:`ColumnSource`, computing each shared sub-predicate once.

    :meth:`plan` counts how often each (node, polarity) will be asked for; a mask is kept only
    while some later use remains, so memory holds a handful of masks rather than one per node.
    """

    def __init__(self, source: ColumnSource) -> None:
        self.source = source
        self.n = source.n
        self._uses: dict[tuple[str, bool], int] = {}
        self._cache: dict[tuple[str, bool], np.ndarray] = {}

    def col(self, name: str) -> Col:
        """A column of the source."""
        return self.source.col(name)

    def plan(self, roots: Iterable[Node]) -> None:
        """Count the uses of every node under ``roots`` (call before evaluating them)."""
        seen: set[tuple[str, bool]] = set()
        # A loop, not a recursive inner function: that function would refer to itself through
        # its closure, a cycle holding this evaluator (and every column it read) until the
        # garbage collector runs; a streaming run would hold several partitions' columns.
        stack: list[tuple[Node, bool]] = [(root, True) for root in reversed(list(roots))]
        while stack:
            node, positive = stack.pop()
            node = _unwrap(node)
            slot = (node.key, positive)
            self._uses[slot] = self._uses.get(slot, 0) + 1
            if slot in seen:
                continue
            seen.add(slot)
            flip = isinstance(node, Not)
            stack.extend((child, positive != flip) for child in reversed(list(node.children())))

    def mask(self, node: Node, positive: bool = True) -> np.ndarray:
        """Where ``node`` is true (or, with ``positive=False``, false). Shared: callers must
        not modify it in place."""
        node = _unwrap(node)
        slot = (node.key, positive)
        cached = self._cache.get(slot)
        if cached is not None:
            self._release(slot)
            return cached
        result = node.evaluate(self, positive)
        remaining = self._uses.get(slot, 0) - 1
        if remaining > 0:
            self._cache[slot] = result
            self._uses[slot] = remaining
        return result

    def _release(self, slot: tuple[str, bool]) -> None:
        remaining = self._uses.get(slot, 0) - 1
        self._uses[slot] = remaining
        if remaining <= 0:
            self._cache.pop(slot, None)


def _unwrap(node: Node) -> Node:
    # A reference is its target: counting and caching it separately would double the work.
    while isinstance(node, Named):
        node = node.item
    return node


# --- compiling ---------------------------------------------------------------------------------


@attrs.frozen
class Scope:
    """What a predicate may refer to: named definitions and other indicators' filters.

    ``indicators`` maps a code to ``(population, filter document or None, JSON path of the
    filter)``; ``definitions`` maps a name to a predicate document.
    """

    ruleset: str
    definitions: Mapping[str, Any] = attrs.field(factory=dict)
    indicators: Mapping[str, tuple[str, Any, str]] = attrs.field(factory=dict)


class Compiler:
    """Compiles predicates against the columns of each population, collecting every problem."""

    def __init__(
        self,
        scope: Scope,
        columns: Mapping[str, Mapping[str, Kind]],
        *,
        source: str | None = None,
    ) -> None:
        self.scope = scope
        self.columns = columns
        self.source = source
        self.problems: list[Problem] = []
        self._named: dict[tuple[str, str, str], Node] = {}
        self._stack: list[tuple[str, str]] = []

    def problem(self, code: str, where: str, path: str, message: str) -> None:
        """Record a problem at ``path`` (``where`` names the indicator or definition)."""
        text = f"rule set {self.scope.ruleset!r}, {where}: {message}"
        self.problems.append(Problem(code=code, message=text, source=self.source, location=path))

    def predicate(self, doc: Any, population: str, path: str, where: str) -> Node:
        """Compile one predicate document for ``population``; problems go to :attr:`problems`."""
        if not isinstance(doc, Mapping) or len(doc) != 1:
            self.problem("rule.predicate", where, path, "a predicate is an object with one key")
            return FALSE
        ((op, arg),) = doc.items()
        here = f"{path}.{op}"
        if op in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                self.problem("rule.predicate", where, here, f"{op!r} takes a non-empty list")
                return FALSE
            items = tuple(
                self.predicate(item, population, f"{here}[{i}]", where)
                for i, item in enumerate(arg)
            )
            return All(items) if op == "all" else AnyOf(items)
        if op == "not":
            return Not(self.predicate(arg, population, here, where))
        if op == "ref":
            return self._ref(str(arg), population, here, where)
        if op == "indicator":
            return self._indicator(str(arg), population, here, where)
        if op in ("is_true", "is_null"):
            kind = self._column(arg, population, here, where)
            if kind is None:
                return FALSE
            if op == "is_true" and kind != "bool":
                self.problem(
                    "rule.type",
                    where,
                    here,
                    f"'is_true' needs a true/false column; {arg!r} is {kind}",
                )
                return FALSE
            return Leaf(op, str(arg), ())
        if op in LEAF_OPERATORS:
            return self._leaf(op, arg, population, here, where)
        self.problem(
            "rule.operator",
            where,
            path,
            f"unknown operator {op!r}; known: {', '.join(OPERATORS)}",
        )
        return FALSE

    def _column(self, name: Any, population: str, path: str, where: str) -> Kind | None:
        known = self.columns.get(population, {})
        if not isinstance(name, str) or name not in known:
            close = difflib.get_close_matches(str(name), list(known), n=2)
            hint = (
                "did you mean " + " or ".join(repr(c) for c in close) + "?"
                if close
                else f"known: {', '.join(sorted(known))}"
            )
            self.problem(
                "rule.column",
                where,
                path,
                f"unknown column {name!r} for population {population!r}; {hint}",
            )
            return None
        return known[name]

    def _leaf(self, op: str, arg: Any, population: str, path: str, where: str) -> Node:
        if not isinstance(arg, list) or not arg:
            self.problem("rule.predicate", where, path, f"{op!r} takes [column, value...]")
            return FALSE
        column = arg[0]
        kind = self._column(column, population, f"{path}[0]", where)
        if kind is None:
            return FALSE
        raw: list[Any]
        if op == "in":
            raw = list(arg[1]) if len(arg) == 2 and isinstance(arg[1], list) else []
        else:
            raw = list(arg[1:])
        expected = {"between": 2, "in": len(raw) or 1}.get(op, 1)
        if len(raw) != expected or (op == "in" and not raw):
            self.problem("rule.predicate", where, path, f"wrong number of values for {op!r}")
            return FALSE
        if op == "contains" and kind != "string":
            self.problem(
                "rule.type", where, path, f"'contains' needs a text column; {column!r} is {kind}"
            )
            return FALSE
        if op in ("between", *COMPARISONS) and kind not in ("int", "float", "date"):
            self.problem(
                "rule.type",
                where,
                path,
                f"{op!r} needs a number or date column; {column!r} is {kind}",
            )
            return FALSE
        values: list[Any] = []
        for value in raw:
            converted = _convert(value, kind)
            if converted is None:
                self.problem(
                    "rule.type",
                    where,
                    path,
                    f"{value!r} cannot be compared with the {kind} column {column!r}",
                )
                return FALSE
            values.append(converted)
        return Leaf(op, column, tuple(values))

    def _ref(self, name: str, population: str, path: str, where: str) -> Node:
        if name not in self.scope.definitions:
            known = ", ".join(sorted(self.scope.definitions)) or "none"
            self.problem("rule.ref", where, path, f"unknown definition {name!r} (known: {known})")
            return FALSE
        return self._named_node(
            "ref",
            name,
            population,
            path,
            where,
            lambda: self.predicate(
                self.scope.definitions[name],
                population,
                f"$.definitions.{name}",
                f"definition {name!r}",
            ),
        )

    def _indicator(self, code: str, population: str, path: str, where: str) -> Node:
        if code not in self.scope.indicators:
            self.problem("rule.indicator", where, path, f"unknown indicator {code!r}")
            return FALSE
        other_population, filter_doc, filter_path = self.scope.indicators[code]
        if other_population != population:
            self.problem(
                "rule.indicator",
                where,
                path,
                f"indicator {code!r} counts {other_population}, not {population}",
            )
            return FALSE
        if filter_doc is None:
            return TRUE
        return self._named_node(
            "indicator",
            code,
            population,
            path,
            where,
            lambda: self.predicate(filter_doc, population, filter_path, f"indicator {code!r}"),
        )

    def _named_node(
        self,
        kind: str,
        name: str,
        population: str,
        path: str,
        where: str,
        build: Callable[[], Node],
    ) -> Node:
        cache_key = (population, kind, name)
        if cache_key in self._named:
            return self._named[cache_key]
        if (kind, name) in self._stack:
            cycle = [n for _, n in self._stack[self._stack.index((kind, name)) :]] + [name]
            self.problem("rule.cycle", where, path, f"cycle: {' -> '.join(cycle)}")
            return FALSE
        self._stack.append((kind, name))
        try:
            node = Named(kind, name, build())
        finally:
            self._stack.pop()
        self._named[cache_key] = node
        return node


def _convert(value: Any, kind: Kind) -> Any:
    """A JSON literal in the representation of a ``kind`` column, or ``None`` if it cannot be."""
    if kind == "string":
        return value if isinstance(value, str) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return value
    if isinstance(value, str):
        try:
            return date_to_days(dt.date.fromisoformat(value))
        except ValueError:
            return None
    return None


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included), depth first."""
    yield node
    for child in node.children():
        yield from walk(child)


def columns_used(node: Node) -> set[str]:
    """The column names a compiled predicate reads."""
    return {n.column for n in walk(node) if isinstance(n, Leaf)}
