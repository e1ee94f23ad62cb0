"""Seeded response mutations: answers in shapes nobody planted on purpose, for proving the harness.

``mutate-<seed>`` perturbs every answer of one operation in one way, both chosen from the seed:
a field dropped, renamed, retyped or nulled; the body wrapped in an envelope; an HTML error page;
a wrong content type; a truncated body; another status of the same class; every number as a
string, or every string as a number; the object inside a list; an empty body with a 200.
``mutate-<kind>@<METHOD>:<path>`` names one kind on one route, which is how the mutation matrix
(harness/mutation_matrix.py) meets every check with every kind; with ``~spare-setup`` after it,
the answers to a check's setup are left alone, so the malformed answer reaches the check's own
request. Whatever the mutation, the contract suite must come out with a finding that names a
requirement, and never break (exit 3) or blame the configuration (exit 2). Each run's server log
says what the mutation did and, when the run traces its checks (harness/tracing.py), whose answer
it changed: a mutation that changed nothing is told apart from one the suite missed, and a check
met in its setup from one met in its own request.
"""

from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Any

from harness import tracing
from harness.reference.faults.machinery import Wrapper, captured, matches, middleware, respond

PREFIX = "mutate-"
SPARE_SETUP = "~spare-setup"
KINDS = (
    "drop",
    "rename",
    "retype",
    "null",
    "envelope",
    "html",
    "content-type",
    "truncate",
    "status",
    "numbers-as-strings",
    "strings-as-numbers",
    "list-for-object",
    "empty-200",
)
BODILESS = ("html", "status", "empty-200")  # kinds that change an answer whatever its body; the others need one
SAME_CLASS = {200: 202, 201: 200, 202: 200, 204: 200, 400: 422, 401: 403, 403: 401, 404: 410, 409: 423, 422: 400}
log = logging.getLogger("strongly.reference.mutations")


@dataclass(frozen=True)
class Mutation:
    seed: int
    method: str
    path: str  # the route's template, e.g. /api/v1/workspaces/{workspaceId}
    kind: str
    pick: float  # which field, as a fraction of the sorted candidates of each body
    spare_setup: bool = False  # leave the answers to a check's setup alone

    @property
    def pattern(self) -> str:
        """The route as a regex; a volume id never matches the literal /volumes/shared route."""
        pattern = self.path.replace("{volumeId}", "(?!shared$)[^/]+")
        return re.sub(r"\{[^}]+\}", "[^/]+", pattern)

    def describe(self) -> str:
        return f"{self.kind} on {self.method} {self.path}" + (" past setup" if self.spare_setup else "")


def routes() -> list[tuple[str, str]]:
    """(method, path template) of every operation the reference server serves."""
    from harness.reference.app import ROUTES

    return [(method, path) for path, methods in ROUTES for method in methods]


def for_seed(seed: int) -> Mutation:
    rng = random.Random(seed)
    method, path = rng.choice(routes())
    return Mutation(seed, method, path, rng.choice(KINDS), rng.random())


def named(kind: str, method: str, path: str, *, spare_setup: bool = False) -> str:
    """The fault name of one kind on one route, e.g. ``mutate-empty-200@GET:/api/v1/projects/{projectId}``."""
    return f"{PREFIX}{kind}@{method}:{path}" + (SPARE_SETUP if spare_setup else "")


def for_name(name: str) -> Mutation | None:
    """The mutation a fault name stands for: ``mutate-<seed>`` or ``mutate-<kind>@<METHOD>:<path>``; else None."""
    rest = name.removeprefix(PREFIX) if name.startswith(PREFIX) else ""
    if rest.isdigit():
        return for_seed(int(rest))
    kind, _, route = rest.partition("@")
    method, _, path = route.partition(":")
    spare_setup = path.endswith(SPARE_SETUP)
    path = path.removesuffix(SPARE_SETUP)
    if kind not in KINDS or (method, path) not in routes():
        return None
    return Mutation(0, method, path, kind, 0.5, spare_setup)


def is_mutation(name: str) -> bool:
    return for_name(name) is not None


def plant(name: str) -> Wrapper:
    mutation = for_name(name)
    assert mutation is not None  # apply() planted only known names

    async def handle(app: Any, scope: Any, receive: Any, send: Any) -> None:
        if not matches(scope, mutation.method, mutation.pattern):
            await app(scope, receive, send)
            return
        check, setup = tracing.asker({key.decode().lower(): value.decode() for key, value in scope["headers"]})
        answer = await captured(app, scope, receive)
        if not (setup and mutation.spare_setup):
            answer = mutate(mutation, *answer, asker=whose(check, setup))
        status, headers, body = answer
        await respond(send, status, body, headers)

    return middleware(handle)


def whose(check: str | None, setup: bool) -> str:
    """For the log: the traced check an answer went to, and whether to its setup."""
    return f" to {check}{' in setup' if setup else ''}" if check else ""


def mutate(
    mutation: Mutation, status: int, headers: dict[str, str], body: bytes, asker: str = ""
) -> tuple[int, dict[str, str], bytes]:
    kind = mutation.kind
    changed: tuple[int, dict[str, str], bytes] | None = None
    if kind == "html":
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        changed = 502, {**headers, "content-type": "text/html; charset=utf-8"}, page
    elif kind == "empty-200":
        changed = 200, {**headers, "content-type": "application/json"}, b""
    elif kind == "status":
        changed = SAME_CLASS.get(status, status + 1), headers, body
    elif kind == "content-type" and body:
        changed = status, {**headers, "content-type": "text/plain; charset=utf-8"}, body
    elif kind == "truncate" and len(body) > 1:
        changed = status, headers, body[: len(body) // 2]
    elif body:
        document = json.loads(body)
        edited = WHOLE[kind](document) if kind in WHOLE else edit_field(document, kind, mutation.pick)
        if edited is not None:
            changed = status, headers, json.dumps(edited).encode()
    if changed is None:
        return status, headers, body
    log.warning("mutation %s: %s (answer %d)%s", mutation.seed, mutation.describe(), status, asker)
    return changed


def every_value(document: Any, change: Any) -> Any:
    """The document with ``change`` applied to every scalar value in it (one that returns None keeps it)."""
    if isinstance(document, dict):
        return {key: every_value(value, change) for key, value in document.items()}
    if isinstance(document, list):
        return [every_value(value, change) for value in document]
    changed = change(document)
    return document if changed is None else changed


WHOLE = {
    "envelope": lambda document: {"data": document},
    "list-for-object": lambda document: [document] if isinstance(document, dict) else None,
    "numbers-as-strings": lambda document: every_value(
        document, lambda value: str(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    ),
    "strings-as-numbers": lambda document: every_value(
        document, lambda value: len(value) if isinstance(value, str) else None
    ),
}


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
