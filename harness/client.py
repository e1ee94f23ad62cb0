"""The HTTP client every check speaks through.

It records each exchange, already redacted, so a failure can show what was sent and received
with a curl line that reproduces it; counts requests per operation; honours ``429 Retry-After``;
caps the request rate; and in read-only mode refuses to send anything but GET.

This module is part of the toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from harness import spec, tracing
from harness.errors import InternalError
from harness.redact import Redactor

__all__ = ["LOG", "ApiClient", "Exchange", "ExchangeLog", "ReadOnlyViolationError"]

NO_BODY: Any = object()
BODY_LIMIT = 4000
MAX_RETRY_AFTER = 30.0


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
        return [f"{route} timed out {count} time(s); after the first, its requests waited at most {self.short:g}s"
                for route, count in sorted(self.counts.items())]  # fmt: skip

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


class ReadOnlyViolationError(InternalError):
    """A check tried to write in a read-only run: a bug in the harness, stopped before sending."""


@dataclass
class Exchange:
    """One request and what came back (or why nothing did), redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    elapsed: float = 0.0
    error: str | None = None
    operation_id: str | None = None

    def curl(self) -> str:
        parts = ["curl", "-X", self.method]
        for name, value in self.request_headers.items():
            if name.lower() in ("x-api-key", "content-type"):
                parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            parts += ["-d", self.request_body]
        parts.append(self.url)
        return " ".join(shlex.quote(part) for part in parts)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "curl": self.curl()}


class ExchangeLog:
    """Exchanges of the current check (for its failure report) and request counts per operation."""

    def __init__(self) -> None:
        self.current: list[Exchange] = []
        self.called: dict[str, None] = {}  # operations called since the last take, in order
        self.per_operation: Counter[str] = Counter()
        self.mutating = 0
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.current.append(exchange)
        self.count(exchange)

    def count(self, exchange: Exchange) -> None:
        """Count a request, also one whose exchange is kept elsewhere (the model phase keeps its own)."""
        with self._lock:
            if exchange.operation_id:
                self.per_operation[exchange.operation_id] += 1
                self.called[exchange.operation_id] = None
            if exchange.method != "GET":
                self.mutating += 1

    def take(self) -> list[Exchange]:
        return self.take_calls()[0]

    def take_calls(self) -> tuple[list[Exchange], list[str]]:
        """The exchanges kept for the current check, and every operation called since the last take."""
        with self._lock:
            taken, self.current = self.current, []
            called, self.called = list(self.called), {}
        return taken, called

    @contextlib.contextmanager
    def aside(self) -> Iterator[None]:
        """Exchanges inside belong to no check: counted, but kept out of the current check's evidence."""
        kept, called = self.take_calls()
        try:
            yield
        finally:
            self.take_calls()
            with self._lock:
                self.current = kept + self.current
                self.called = {**dict.fromkeys(called), **self.called}


LOG = ExchangeLog()


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


class Lent(httpx.BaseTransport):
    """A transport lent to a client for another key: it sends through it, and its owner closes it."""

    def __init__(self, owned: httpx.BaseTransport) -> None:
        self.owned = owned

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.owned.handle_request(request)

    def close(self) -> None:
        pass


def describe_body(content: bytes | None, redactor: Redactor) -> str | None:
    if not content:
        return None
    text = content[:BODY_LIMIT].decode("utf-8", errors="replace")
    if len(content) > BODY_LIMIT:
        text += f"... [{len(content) - BODY_LIMIT} more bytes]"
    return redactor(text)


class ApiClient:
    """A client for one key of one target."""

    def __init__(
        self,
        base_url: str,
        key: str | None,
        *,
        redactor: Redactor,
        timeout: float = 10.0,
        readonly: bool = False,
        limiter: RateLimiter | None = None,
        log: ExchangeLog = LOG,
        max_retries: int = 3,
        retry_unavailable: bool = False,
        transport: httpx.BaseTransport | None = None,
        hung: HungRoutes | None = None,
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.redactor = redactor
        self.readonly = readonly
        self.limiter = limiter
        self.log = log
        self.max_retries = max_retries
        self.retry_unavailable = retry_unavailable
        self.hung = hung
        self.transport = transport
        headers = {"X-API-Key": key} if key is not None else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout, transport=transport)

    def with_key(self, key: str | None) -> ApiClient:
        """The same target and every setting, another key (``None``: no key at all)."""
        return ApiClient(
            self.base_url,
            key,
            redactor=self.redactor,
            timeout=self._http.timeout.read or 10.0,
            readonly=self.readonly,
            limiter=self.limiter,
            log=self.log,
            max_retries=self.max_retries,
            retry_unavailable=self.retry_unavailable,
            transport=None if self.transport is None else Lent(self.transport),
            hung=self.hung,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = NO_BODY,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        method = method.upper()
        if self.readonly and method != "GET":
            raise ReadOnlyViolationError(f"refused to send {method} {path}: this run is read-only")
        headers = {**(headers or {}), **tracing.headers()}
        request = self._http.build_request(
            method, path, params=params, headers=headers, content=content, json=None if json is NO_BODY else json
        )
        for attempt in range(self.max_retries + 1):
            response = self._send(request)
            delay = retry_after(response)
            if delay is None and self.retry_unavailable and response.status_code in (502, 503, 504):
                delay = 0.2 * 2**attempt  # setup work only: a measuring check must see every 5xx
            if delay is None or attempt == self.max_retries:
                return response
            time.sleep(delay)
        raise AssertionError("unreachable")

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, json: Any = NO_BODY) -> httpx.Response:
        return self.request("POST", path, json=json)

    def put(self, path: str, json: Any = NO_BODY) -> httpx.Response:
        return self.request("PUT", path, json=json)

    def delete(self, path: str) -> httpx.Response:
        return self.request("DELETE", path)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, request: httpx.Request) -> httpx.Response:
        if self.limiter is not None:
            self.limiter.wait()
        operation = spec.load().match(request.method, request.url.path)
        exchange = Exchange(
            method=request.method,
            url=self.redactor(str(request.url)),
            request_headers=self.redactor.headers(dict(request.headers)),
            request_body=describe_body(request.content, self.redactor),
            operation_id=operation.operation_id if operation else None,
        )
        route = exchange.operation_id
        if self.hung is not None:
            seconds = self.hung.timeout(route, self._http.timeout.read or 10.0)
            request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
        started = time.monotonic()
        try:
            response = self._http.send(request)
            response.read()
        except httpx.HTTPError as exc:
            if self.hung is not None and isinstance(exc, httpx.TimeoutException):
                self.hung.timed_out(route)
            exchange.error = f"{type(exc).__name__}: {self.redactor(str(exc)) or 'no answer'}"
            exchange.elapsed = time.monotonic() - started
            self.log.record(exchange)
            raise
        exchange.elapsed = time.monotonic() - started
        exchange.status = response.status_code
        exchange.response_headers = self.redactor.headers(dict(response.headers))
        exchange.response_body = describe_body(response.content, self.redactor)
        self.log.record(exchange)
        return response


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying a 429, when the server says and it is reasonable."""
    if response.status_code != 429:
        return None
    try:
        delay = float(response.headers.get("retry-after", "1"))
    except ValueError:
        delay = 1.0
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


def pretty(body: str | None) -> str:
    """A response body for humans: indented JSON when it is JSON."""
    if body is None:
        return ""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body
