"""The layers every request of the harness's client passes through, each an httpx transport.

From the outside in: the read-only guard, retries (429, and 5xx for setup work), pacing, recording
(redacted) and the short timeouts of hung routes, then the connection. A client for another key sends
through the same chain with another header (``ApiClient.with_key``), so it keeps every layer.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx

from harness import spec
from harness.errors import InternalError
from harness.exchanges import Exchange, ExchangeLog, describe_body
from harness.redact import Redactor

MAX_RETRY_AFTER = 30.0
OPERATION = "harness.operation"  # the request's operation id, matched once and kept in its extensions


class ReadOnlyViolationError(InternalError):
    """A check tried to write in a read-only run: a bug in the harness, stopped before sending."""


class HungRoutes:
    """Routes (operation ids) that have timed out: later requests to them wait only ``short`` seconds,
    so a route that hangs costs the run one full timeout, not one per request."""

    def __init__(self, short: float = 2.0) -> None:
        self.short = short
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def timeout(self, route: str | None, full: float) -> float:
        with self._lock:
            return min(self.short, full) if route in self.counts else full

    def timed_out(self, route: str | None) -> None:
        with self._lock:
            self.counts[route or "(unknown route)"] += 1

    def notes(self) -> list[str]:
        return [
            f"{route} timed out {count} time(s); after the first, its requests waited at most {self.short:g}s"
            for route, count in sorted(self.counts.items())
        ]

    @classmethod
    def combined(cls, notes: list[str]) -> list[str]:
        """Notes from several processes of one run, with each route's timeouts added up into one note."""
        others, hung = [], cls()
        for note in notes:
            match = HUNG_NOTE.fullmatch(note)
            if match is None:
                others.append(note)
                continue
            hung.short = float(match["short"])
            hung.counts[match["route"]] += int(match["count"])
        return others + hung.notes()


HUNG_NOTE = re.compile(
    r"(?P<route>.+) timed out (?P<count>\d+) time\(s\); after the first, its requests waited at most (?P<short>[\d.]+)s"
)


class RateLimiter:
    """At most ``rate`` requests per second from this process, spaced evenly."""

    def __init__(self, rate: float, *, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


def operation_of(request: httpx.Request) -> str | None:
    """The contract's operation id for a request (``None`` when it names none), matched once per request."""
    if OPERATION not in request.extensions:
        operation = spec.load().match(request.method, request.url.path)
        request.extensions[OPERATION] = operation.operation_id if operation else None
    return request.extensions[OPERATION]


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying a 429, when the server says and it is reasonable."""
    if response.status_code != 429:
        return None
    try:
        delay = float(response.headers.get("retry-after", "1"))
    except ValueError:
        delay = 1.0
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


class Layer(httpx.BaseTransport):
    """A transport that does one thing and hands the request on to ``inner``; closing it closes the chain."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class ReadOnlyGuard(Layer):
    """In a read-only run, refuses anything but GET before it leaves the process."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            path = request.url.raw_path.decode("ascii")
            raise ReadOnlyViolationError(f"refused to send {request.method} {path}: this run is read-only")
        return self.inner.handle_request(request)


class Retrying(Layer):
    """Waits out a 429's Retry-After and sends again, at most ``max_retries`` times; with ``unavailable``
    also a 502, 503 or 504, backing off (setup work only: a measuring check must see every 5xx)."""

    def __init__(self, inner: httpx.BaseTransport, max_retries: int, *, unavailable: bool) -> None:
        super().__init__(inner)
        self.max_retries = max_retries
        self.unavailable = unavailable

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            response = self.inner.handle_request(request)
            delay = retry_after(response)
            if delay is None and self.unavailable and response.status_code in (502, 503, 504):
                delay = 0.2 * 2**attempt
            if delay is None or attempt == self.max_retries:
                return response
            time.sleep(delay)
        raise AssertionError("unreachable")


class Paced(Layer):
    """Every request, retries included, waits for its slot under the run's rate limit."""

    def __init__(self, inner: httpx.BaseTransport, limiter: RateLimiter) -> None:
        super().__init__(inner)
        self.limiter = limiter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.limiter.wait()
        return self.inner.handle_request(request)


class Recorded(Layer):
    """Records each exchange in ``log``, redacted, with the answer read whole (or why none came)."""

    def __init__(self, inner: httpx.BaseTransport, redactor: Redactor, log: ExchangeLog) -> None:
        super().__init__(inner)
        self.redactor = redactor
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = Exchange(
            method=request.method,
            url=self.redactor(str(request.url)),
            request_headers=self.redactor.headers(dict(request.headers)),
            request_body=describe_body(request.content, self.redactor),
            operation_id=operation_of(request),
        )
        started = time.monotonic()
        try:
            response = self.inner.handle_request(request)
            response.read()
        except httpx.HTTPError as exc:
            exchange.error = f"{type(exc).__name__}: {self.redactor(str(exc)) or 'no answer'}"
            exchange.elapsed = time.monotonic() - started
            self.log.record(exchange)
            raise
        exchange.elapsed = time.monotonic() - started
        response.elapsed = timedelta(seconds=exchange.elapsed)  # read here, so the client never times it
        exchange.status = response.status_code
        exchange.response_headers = self.redactor.headers(dict(response.headers))
        exchange.response_body = describe_body(response.content, self.redactor)
        self.log.record(exchange)
        return response


class HungTimeouts(Layer):
    """A route that timed out once gets the short timeout of ``hung`` from then on."""

    def __init__(self, inner: httpx.BaseTransport, hung: HungRoutes, full: float) -> None:
        super().__init__(inner)
        self.hung = hung
        self.full = full

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        route = operation_of(request)
        request.extensions["timeout"] = httpx.Timeout(self.hung.timeout(route, self.full)).as_dict()
        try:
            return self.inner.handle_request(request)
        except httpx.TimeoutException:
            self.hung.timed_out(route)
            raise


class Connection(httpx.BaseTransport):
    """The innermost layer: the connection pool, or the proxy the environment names for the URL, or a test's
    transport, chosen as a plain ``httpx.Client`` chooses them (a client given a transport ignores the
    environment's proxies, so the layers above must not take the pool's place)."""

    def __init__(self, timeout: float, transport: httpx.BaseTransport | None) -> None:
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # the client's choice of transport, not its send: that would extract cookies and run its hooks a second
        # time on every request (a tenth of the client's time), for nothing
        return self.client._transport_for_url(request.url).handle_request(request)

    def close(self) -> None:
        self.client.close()


class Lent(httpx.BaseTransport):
    """A chain lent to a client for another key: it sends through it, and its owner closes it."""

    def __init__(self, owned: httpx.BaseTransport) -> None:
        self.owned = owned

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.owned.handle_request(request)

    def close(self) -> None:
        pass
