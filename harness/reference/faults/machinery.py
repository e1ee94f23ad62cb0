"""The machinery of planted faults: the catalogue, planting, and the ways a fault changes the server.

A fault is registered with ``@fault(name, area=..., catches=...)`` and plants itself into a
``Reference``: either it replaces a declared seam of one of its parts with ``part.override(...)``
(harness/reference/seams.py: a rule, a service method, the authenticator), or it returns a wrapper
of the ASGI app that rewrites requests or responses (``rewrite_requests``, ``rewrite_responses``,
``middleware``). The clean code path never asks which faults are on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from harness.reference.app import Reference

Wrapper = Callable[[ASGIApp], ASGIApp]
Plant = Callable[["Reference"], Wrapper | None]


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    summary: str
    catches: tuple[str, ...]
    suite: str
    plant: Plant
    profile: str = "smoke"
    strict: bool = False  # it breaks only a recommendation: selftest runs it with --strict


CATALOGUE: dict[str, Fault] = {}
# Legitimate alternatives: where the documents leave room, a server may choose otherwise and must
# still pass. Each is planted like a fault; the suite must stay green against it.
VARIANTS: dict[str, Plant] = {}


def fault(
    name: str,
    *,
    area: str,
    catches: tuple[str, ...],
    suite: str = "contract",
    profile: str = "smoke",
    strict: bool = False,
) -> Callable[[Plant], Plant]:
    """Register a fault; its docstring's first line is the summary shown by --list-faults."""

    def register(plant: Plant) -> Plant:
        summary = (plant.__doc__ or name).strip().splitlines()[0]
        CATALOGUE[name] = Fault(name, area, summary, catches, suite, plant, profile, strict)
        return plant

    return register


def variant(name: str) -> Callable[[Plant], Plant]:
    """Register a legitimate alternative behaviour (its docstring says which choice it makes)."""

    def register(plant: Plant) -> Plant:
        VARIANTS[name] = plant
        return plant

    return register


class UnknownFaultError(ValueError):
    """A fault name not in the catalogue."""


def known(name: str) -> bool:
    """A fault of the catalogue, a variant, or a seeded mutation (``mutate-<seed>``)."""
    from harness.reference import mutations

    return name in CATALOGUE or name in VARIANTS or mutations.is_mutation(name)


def apply(names: tuple[str, ...] | list[str], ref: Reference) -> list[Wrapper]:
    """Switch the named faults on in ``ref``; return the ASGI wrappers some of them need."""
    from harness.reference import mutations

    unknown = [name for name in names if not known(name)]
    if unknown:
        raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)}; see --list-faults (or mutate-<seed>)")
    planted = [
        mutations.plant(name) if mutations.is_mutation(name) else (VARIANTS.get(name) or CATALOGUE[name].plant)(ref)
        for name in names
    ]
    return [wrapper for wrapper in planted if wrapper is not None]


# ================================================================== mechanisms
Handler = Callable[[ASGIApp, Scope, Receive, Send], Awaitable[None]]
WORKSPACE = r"/api/v1/workspaces/[^/]+"
PROJECT = r"/api/v1/projects/[^/]+"
VOLUME = r"/api/v1/volumes/(?!shared$)[^/]+"
ANY = r"/api/v1/.*"


def middleware(handle: Handler) -> Wrapper:
    """Wrap the app so every HTTP request goes through ``handle(app, scope, receive, send)``."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            await handle(app, scope, receive, send)

        return asgi

    return wrap


def matches(scope: Scope, method: str | None, path: str) -> bool:
    return (method is None or scope["method"] == method) and re.fullmatch(path, scope["path"]) is not None


async def respond(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(key.encode(), value.encode()) for key, value in {**headers, "content-length": str(len(body))}.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await respond(send, status, body, {"content-type": "application/json"})


Rewrite = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


async def captured(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, dict[str, str], bytes]:
    """The app's whole answer to the request: status, headers (but its content-length) and body."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    headers = {key.decode().lower(): value.decode() for key, value in start.get("headers", [])}
    headers.pop("content-length", None)
    return start["status"], headers, b"".join(chunks)


def rewrite_responses(method: str | None, path: str, rewrite: Rewrite) -> Wrapper:
    """Responses to ``method path`` (path a regex; method None for any) pass through ``rewrite``."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, method, path):
            await app(scope, receive, send)
            return
        status, headers, body = rewrite(*await captured(app, scope, receive))
        await respond(send, status, body, headers)

    return middleware(handle)


def edit_json(edit: Callable[[Any], Any], *, status: int = 200) -> Rewrite:
    """A rewrite that changes the JSON body of responses with the given status."""

    def rewrite(code: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if code != status or not body:
            return code, headers, body
        return code, headers, json.dumps(edit(json.loads(body))).encode()

    return rewrite


def each_item(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    """Apply ``edit`` to a resource body, or to every item of a list envelope."""

    def apply_to(body: Any) -> Any:
        for value in body.values() if isinstance(body, dict) else ():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        edit(item)
        if isinstance(body, dict) and "id" in body:
            edit(body)
        return body

    return apply_to


def rewrite_requests(
    method: str | None,
    path: str,
    *,
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    query: Callable[[dict[str, str]], dict[str, str]] | None = None,
    to_path: Callable[[str], str] | None = None,
) -> Wrapper:
    """Requests to ``method path`` have their JSON body, query or path changed before the app sees them."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, method, path):
            await app(scope, receive, send)
            return
        scope = dict(scope)
        if to_path is not None:
            scope["path"] = to_path(scope["path"])
            scope["raw_path"] = scope["path"].encode()
        if query is not None:
            pairs = dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
            scope["query_string"] = urlencode(query(pairs)).encode()
        if body is not None:
            raw = await read_body(receive)
            try:
                document = json.loads(raw)
            except ValueError:
                document = None
            if isinstance(document, dict):
                raw = json.dumps(body(document)).encode()
            receive = replay(raw)
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            scope["headers"] = [*headers, (b"content-length", str(len(raw)).encode())]
        await app(scope, receive, send)

    return middleware(handle)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return receive


def allow(*args: Any, **kwargs: Any) -> None:
    """A rule that allows everything."""
