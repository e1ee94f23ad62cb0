"""Where a value sits in its answer's schema, so that a check reads only what it needs.

An answer whose body breaks its schema somewhere is noted once (GEN-SCHEMA-001) and read on: a
check is stopped only when a field it reads is unusable. ``Shape`` is the part of the default
level's schema (harness/leniency.py) that a value of the answer must fit: the alternatives its
``anyOf``/``oneOf`` allow, each the conjunction of its ``allOf`` parts. Reading a field asks whether
its JSON type is one the schema allows there; formats, sets and limits are the checks' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Node = dict[str, Any]
TYPES = {
    "null": lambda value: value is None,
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    ),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}
COMBINERS = ("anyOf", "oneOf", "allOf")


class Shape:
    """The schema alternatives a value must fit (each a list of nodes that must all hold)."""

    def __init__(self, root: Node, alternatives: list[list[Node]]) -> None:
        self.root = root  # the standalone schema, for following $ref
        self.alternatives = alternatives

    @classmethod
    def of(cls, root: Node, node: Any) -> Shape:
        return cls(root, expand(root, node))

    def allowed(self) -> list[str]:
        """The JSON types some alternative allows (empty: any)."""
        found: list[str] = []
        for conjunction in self.alternatives:
            kinds = [types_of(node) for node in conjunction if types_of(node)]
            if not kinds:
                return []
            found += [kind for kind in kinds[0] if all(kind in other for other in kinds[1:])]
        return list(dict.fromkeys(found))

    def accepts(self, value: Any) -> bool:
        return any(fits(conjunction, value) for conjunction in self.alternatives)

    def child(self, key: str, parent: Any) -> Shape | None:
        """The shape of field ``key`` of ``parent`` (``None``: nothing constrains it)."""
        return self._inner(
            parent, lambda node: (node.get("properties") or {}).get(key, node.get("additionalProperties"))
        )

    def item(self, parent: Any) -> Shape | None:
        """The shape of the items of the array ``parent``."""
        return self._inner(parent, lambda node: node.get("items"))

    def _inner(self, parent: Any, value_of: Any) -> Shape | None:
        alternatives: list[list[Node]] = []
        for conjunction in self.alternatives:
            if not fits(conjunction, parent):
                continue  # an alternative the value itself is not (a list where an object was given)
            parts = [value_of(node) for node in conjunction]
            parts = [part for part in parts if isinstance(part, dict)]
            if not parts:
                return None  # one alternative leaves it free, so any value may be right
            combined: list[list[Node]] = [[]]
            for part in parts:
                combined = [left + right for left in combined for right in expand(self.root, part)]
            alternatives += combined
        return Shape(self.root, alternatives) if alternatives else None


def fits(conjunction: list[Node], value: Any) -> bool:
    """Whether the value's JSON type is one every node of the conjunction allows (a node with no type allows any)."""
    return all(not types_of(node) or any(TYPES[kind](value) for kind in types_of(node) if kind in TYPES)
               for node in conjunction)  # fmt: skip


def resolve(root: Node, node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def expand(root: Node, node: Any) -> list[list[Node]]:
    """``node`` as alternatives of conjunctions: anyOf/oneOf branch, allOf joins, $ref is followed."""
    node = resolve(root, node)
    if not isinstance(node, dict):
        return [[]]
    result: list[list[Node]] = [[{key: value for key, value in node.items() if key not in COMBINERS}]]
    for part in node.get("allOf", []):
        result = [left + right for left in result for right in expand(root, part)]
    for combiner in ("anyOf", "oneOf"):
        if combiner in node:
            branches = [branch for part in node[combiner] for branch in expand(root, part)]
            result = [left + right for left in result for right in branches]
    return result


def types_of(node: Node) -> list[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    return list(kind) if isinstance(kind, list) else []


def at_path(root: Node, path: Sequence[Any]) -> Any:
    """The schema node at a validator's schema path (its keywords and indices), or ``None``."""
    node: Any = root
    for part in path:
        if not (isinstance(node, dict) and part in node):
            node = resolve(root, node)  # a step through a $ref (a path from the root names its target directly)
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if not found:
            return None
        node = node[part]
    return node
