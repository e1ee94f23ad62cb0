"""Seeded response mutations: answers in shapes nobody planted on purpose, for proving the harness.

``mutate-<seed>`` perturbs every answer of one operation in one way, both chosen from the seed:
a field dropped, renamed, retyped or nulled; the body wrapped in an envelope; an HTML error page;
a wrong content type; a truncated body; or another status of the same class. Whatever the seed,
the contract suite must come out with a finding (exit 1) that names a requirement, and never break
(exit 3) or blame the configuration (exit 2). ``strongly-harness selftest --mutations N`` runs N
seeds; each run's server log says what the mutation did, so a seed that changed nothing is told
apart from one the suite missed.
"""

from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Any

from harness.reference.faults.machinery import Wrapper, rewrite_responses

PREFIX = "mutate-"
KINDS = ("drop", "rename", "retype", "null", "envelope", "html", "content-type", "truncate", "status")
SAME_CLASS = {200: 202, 201: 200, 202: 200, 204: 200, 400: 422, 401: 403, 403: 401, 404: 410, 409: 423, 422: 400}
log = logging.getLogger("strongly.reference.mutations")


@dataclass(frozen=True)
class Mutation:
    seed: int
    method: str
    path: str  # the route's template, e.g. /api/v1/workspaces/{workspaceId}
    kind: str
    pick: float  # which field, as a fraction of the sorted candidates of each body

    @property
    def pattern(self) -> str:
        """The route as a regex; a volume id never matches the literal /volumes/shared route."""
        pattern = self.path.replace("{volumeId}", "(?!shared$)[^/]+")
        return re.sub(r"\{[^}]+\}", "[^/]+", pattern)

    def describe(self) -> str:
        return f"{self.kind} on {self.method} {self.path}"


def routes() -> list[tuple[str, str]]:
    """(method, path template) of every operation the reference server serves."""
    from harness.reference.app import ROUTES

    return [(method, path) for path, methods in ROUTES for method in methods]


def for_seed(seed: int) -> Mutation:
    rng = random.Random(seed)
    method, path = rng.choice(routes())
    return Mutation(seed, method, path, rng.choice(KINDS), rng.random())


def is_mutation(name: str) -> bool:
    return name.startswith(PREFIX) and name[len(PREFIX) :].isdigit()


def plant(name: str) -> Wrapper:
    mutation = for_seed(int(name[len(PREFIX) :]))
    return rewrite_responses(mutation.method, mutation.pattern, lambda *answer: mutate(mutation, *answer))


def mutate(mutation: Mutation, status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    kind = mutation.kind
    changed: tuple[int, dict[str, str], bytes] | None = None
    if kind == "html":
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        changed = 502, {**headers, "content-type": "text/html; charset=utf-8"}, page
    elif kind == "status":
        changed = SAME_CLASS.get(status, status + 1), headers, body
    elif kind == "content-type" and body:
        changed = status, {**headers, "content-type": "text/plain; charset=utf-8"}, body
    elif kind == "truncate" and len(body) > 1:
        changed = status, headers, body[: len(body) // 2]
    elif body:
        document = json.loads(body)
        edited = {"data": document} if kind == "envelope" else edit_field(document, kind, mutation.pick)
        if edited is not None:
            changed = status, headers, json.dumps(edited).encode()
    if changed is None:
        return status, headers, body
    log.warning("mutation %s: %s (answer %d)", mutation.seed, mutation.describe(), status)
    return changed


def candidates(document: Any) -> list[tuple[Any, ...]]:
    """Paths of the fields a mutation may touch: top-level ones, those of nested objects, and those of
    list items (``*`` standing for every item)."""
    if not isinstance(document, dict):
        return []
    found: list[tuple[Any, ...]] = []
    for key, value in document.items():
        found.append((key,))
        if isinstance(value, dict):
            found += [(key, inner) for inner in value]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            found += [(key, "*", inner) for inner in value[0]]
    return sorted(found, key=lambda path: tuple(map(str, path)))


def edit_field(document: Any, kind: str, pick: float) -> Any | None:
    """The document with one field dropped, renamed, retyped or nulled (``None`` when it has none)."""
    paths = candidates(document)
    if not paths:
        return None
    *parents, name = paths[int(pick * len(paths))]
    for holder in holders(document, parents):
        if name not in holder:
            continue
        value = holder.pop(name)
        if kind == "rename":
            holder[renamed(name)] = value
        elif kind == "retype":
            holder[name] = retyped(value)
        elif kind == "null":
            holder[name] = None
    return document


def holders(document: Any, parents: list[Any]) -> list[dict[str, Any]]:
    """The objects that hold the field at ``parents``: one, or every item of a list."""
    current: list[Any] = [document]
    for step in parents:
        current = [item for value in current for item in value] if step == "*" else [value[step] for value in current]
    return [value for value in current if isinstance(value, dict)]


def renamed(name: str) -> str:
    """A plausible other spelling: snake_case for camelCase, else a suffixed name."""
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    return snake if snake != name else f"{name}Value"


def retyped(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return {"items": value}
    if isinstance(value, dict):
        return [value]
    return 0
