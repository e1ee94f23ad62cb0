"""Planted faults for the load suite: each declares the SLOs it must break under the load profile it names."""

from __future__ import annotations

import asyncio
import random
import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import (
    WORKSPACE,
    Wrapper,
    fault,
    json_error,
    matches,
    middleware,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("slow-status", area="load", catches=("/status p95_ms", "/status p99_ms"), suite="load")
def slow_status(ref: Reference) -> Wrapper:
    """The status route answers after about 300 ms."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("/status"):
            await asyncio.sleep(0.3)
        await app(scope, receive, send)

    return middleware(handle)


@fault("flaky-5xx", area="load", catches=("total error_ratio",), suite="load")
def flaky_5xx(ref: Reference) -> Wrapper:
    """About 5% of requests answer 503."""
    chance = random.Random(5)

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if chance.random() < 0.05:
            await json_error(send, 503, "unavailable", "try again")
            return
        await app(scope, receive, send)

    return middleware(handle)


@fault("periodic-stall", area="load", catches=("/status p99_ms",), suite="load", profile="open")
def periodic_stall(ref: Reference) -> Wrapper:
    """The whole server stalls for 1 s every 5 s (a blocked event loop, like a GC pause)."""
    next_stall = [time.monotonic() + 5.0]

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if time.monotonic() >= next_stall[0]:
            next_stall[0] = time.monotonic() + 5.0
            time.sleep(1.0)  # blocks every request in flight, on purpose
        await app(scope, receive, send)

    return middleware(handle)


@fault("metrics-hang", area="load", catches=("/metrics error_ratio",), suite="load")
def metrics_hang(ref: Reference) -> Wrapper:
    """The metrics route answers only after 90 s, past Locust's own 60 s timeout."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "GET", rf"{WORKSPACE}/metrics"):
            await app(scope, receive, send)
            return
        # hang until the client gives up (its request timeout) or 90 s pass: a client that went away
        # leaves no task sleeping behind it, so the server still stops at once when the run ends
        try:
            await asyncio.wait_for(_disconnected(receive), timeout=90)
        except TimeoutError:
            await app(scope, receive, send)

    return middleware(handle)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
