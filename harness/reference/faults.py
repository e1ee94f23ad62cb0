"""Planted faults: small named overrides of the reference server, for proving the harness.

Each fault declares the requirement ids whose checks must catch it. A fault either replaces one
part of a ``Reference`` (a rule, a service method, the authenticator) or wraps the ASGI app to
rewrite responses; the clean code path never asks which faults are on.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


CATALOGUE: dict[str, Fault] = {}


def fault(name: str, *, area: str, catches: tuple[str, ...], suite: str = "contract") -> Callable[[Plant], Plant]:
    """Register a fault; its docstring's first line is the summary shown by --list-faults."""

    def register(plant: Plant) -> Plant:
        summary = (plant.__doc__ or name).strip().splitlines()[0]
        CATALOGUE[name] = Fault(name, area, summary, catches, suite, plant)
        return plant

    return register


class UnknownFaultError(ValueError):
    """A fault name not in the catalogue."""


def apply(names: tuple[str, ...] | list[str], ref: Reference) -> list[Wrapper]:
    """Switch the named faults on in ``ref``; return the ASGI wrappers some of them need."""
    unknown = [name for name in names if name not in CATALOGUE]
    if unknown:
        raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)}; see --list-faults")
    return [wrapper for name in names if (wrapper := CATALOGUE[name].plant(ref)) is not None]


# ------------------------------------------------------------------ response rewriting
Rewrite = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def rewrite_responses(method: str, path: str, rewrite: Rewrite) -> Wrapper:
    """Wrap the app so responses to ``method path`` (path a regex) pass through ``rewrite``."""
    pattern = re.compile(path)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] != method or not pattern.fullmatch(scope["path"]):
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                else:
                    chunks.append(message.get("body", b""))

            await app(scope, receive, capture)
            headers = {key.decode().lower(): value.decode() for key, value in start.get("headers", [])}
            status, headers, body = rewrite(start["status"], headers, b"".join(chunks))
            headers["content-length"] = str(len(body))
            raw = [(key.encode(), value.encode()) for key, value in headers.items()]
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": body})

        return middleware

    return wrap


def edit_json(edit: Callable[[Any], Any], *, status: int = 200) -> Rewrite:
    """A rewrite that changes the JSON body of responses with the given status."""

    def rewrite(code: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if code != status:
            return code, headers, body
        return code, headers, json.dumps(edit(json.loads(body))).encode()

    return rewrite


WORKSPACE = r"/api/v1/workspaces/[^/]+"
PROJECT = r"/api/v1/projects/[^/]+"
VOLUME = r"/api/v1/volumes/(?!shared$)[^/]+"


def _drop(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def edit(body: dict[str, Any]) -> dict[str, Any]:
        body.pop(key, None)
        return body

    return edit


# ------------------------------------------------------------------ load faults
@fault("slow-status", area="load", catches=("SLO:status",), suite="load")
def slow_status(ref: Reference) -> Wrapper:
    """The status route answers after about 300 ms."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"].endswith("/status"):
                await asyncio.sleep(0.3)
            await app(scope, receive, send)

        return middleware

    return wrap


@fault("flaky-5xx", area="load", catches=("SLO:errors",), suite="load")
def flaky_5xx(ref: Reference) -> Wrapper:
    """About 5% of requests answer 503."""
    chance = random.Random(5)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and chance.random() < 0.05:
                body = b'{"code":"unavailable","message":"try again"}'
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return middleware

    return wrap


@fault("periodic-stall", area="load", catches=("SLO:open-model",), suite="load")
def periodic_stall(ref: Reference) -> Wrapper:
    """The whole server stalls for 1 s every 5 s (a blocked event loop, like a GC pause)."""
    next_stall = [time.monotonic() + 5.0]

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and time.monotonic() >= next_stall[0]:
                next_stall[0] = time.monotonic() + 5.0
                time.sleep(1.0)  # blocks every request in flight, on purpose
            await app(scope, receive, send)

        return middleware

    return wrap
