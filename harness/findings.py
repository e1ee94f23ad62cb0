"""How a finding is named for grouping: the rule it breaks and the way it breaks it.

Two findings are one root cause when they break the same rule in the same way, whatever the route,
the id or the value: the same schema keyword with the same expectation (``count`` and
``workspaceCount`` answered as strings where the documents show integers, on nine routes, are one
bug: numbers serialised as text), the same expected-versus-answered status, the same model
disagreement on the same field. A ``Rule`` says that in two parts: ``key``, what the grouping
compares, and ``phrase``, the words a person reads; ``fields`` are where it was seen. Findings that
carry no rule are grouped by their message once ids, names, times, hosts and numbers are masked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# What varies between two sightings of one finding: ids, run-prefixed names, times, hosts, paths, numbers.
VARYING = re.compile(
    r"sh-[0-9a-z]+-[\w.-]*|\b(?:ws|proj|vol|usr|user)[_-][0-9A-Za-z]+|[0-9a-f]{8}-[0-9a-f-]{27}|"
    r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?|https?://[^/\s]+|\b[0-9a-f]{12,}\b|\b\d{4,}(?:\.\d+)?\b"
)
# A recommendation is about a choice, not a route: which route (or operation) met it, and its numbers, vary.
ROUTE = re.compile(
    r"\b(?:GET|POST|PUT|DELETE|PATCH)\s+\S+|/api/v1/\S*|\b(?:list|get|create|update|delete|start|stop|restart|sync|"
    r"archive|restore|add|remove|share)[A-Z]\w*|\b\d+(?:\.\d+)?\b"
)
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
ARTICLES = {"integer": "an integer", "array": "an array", "object": "an object"}


@dataclass(frozen=True)
class Rule:
    """The rule a finding breaks, and how: findings with equal keys are one root cause."""

    key: str  # what grouping compares: the way the rule is broken (the requirement charged goes before it)
    phrase: str  # the same in words, without the route: "a string where the documents show an integer"
    fields: tuple[str, ...] = field(default=())  # where it was seen: `count`, `workspaces.*.status`


def root_cause_id(text: str) -> str:
    """A short stable id for a rule key (or a masked message)."""
    return "rc-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]


def masked(message: str, *, routes: bool = False) -> str:
    """The first line of a message with what varies between sightings masked (and routes, for advice)."""
    first = next((line for line in message.strip().splitlines() if line.strip()), "")
    first = ROUTE.sub("*", first) if routes else first
    return VARYING.sub("*", first)[:240]


def json_type(value: Any) -> str:
    return "null" if value is None else JSON_TYPES.get(type(value), type(value).__name__)


def a(kind: str) -> str:
    return ARTICLES.get(kind, f"a {kind}")


def field_path(instance_path: Iterable[Any]) -> str:
    """`workspaces.*.status` for the path workspaces/3/status: items of a list are one place."""
    return ".".join("*" if isinstance(part, int) else str(part) for part in instance_path) or "(body)"


def schema_rule(
    keyword: str,
    instance_path: Sequence[Any],
    instance: Any,
    message: str,
    wanted: Sequence[str] = (),
) -> Rule:
    """The rule of one JSON Schema error: the keyword and what it expected, wherever it was met. ``wanted``:
    the types the schema allows there, for an error of ``anyOf``/``oneOf`` (an optional field's "or null")."""
    where = field_path(instance_path)
    seen = json_type(instance)
    if keyword == "type" and not wanted:
        wanted = re.findall(r'"(\w+)"', message.rsplit("is not of type", 1)[-1])
    if (
        keyword in ("type", "anyOf", "oneOf")
        and wanted
        and seen not in wanted
        and not (seen == "integer" and "number" in wanted)
    ):
        expected = " or ".join(kind for kind in wanted if kind != "null") or "null"
        return Rule(f"type|{expected}|{seen}", f"{a(seen)} where the documents show {a(expected)}",
                    (where,))  # fmt: skip
    if keyword == "required":
        missing = re.search(r'"([^"]+)" is a required property', message) or re.search(r"'([^']+)'", message)
        name = missing.group(1) if missing else "a required field"
        inside = "" if where == "(body)" else f"{where}."
        return Rule(f"required|{inside}{name}", "missing, though the documents show it", (f"{inside}{name}",))
    # enum, format, const, minimum...: the keyword at the field (the value varies)
    return Rule(f"{keyword}|{where}", f"breaks its schema ({keyword})", (where,))


def status_rule(seen: int | str, wanted: str) -> Rule:
    """An answer with another status than the one the check needed."""
    return Rule(f"status|{wanted}|{seen}", f"answered {seen} where {wanted} was expected")


def first_line(message: str) -> str:
    return next((line for line in message.strip().splitlines() if line.strip()), message.strip())
