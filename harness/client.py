"""The HTTP client every check speaks through.

One client per key of one target. What it does to each request (records it redacted, paces it, honours
``429 Retry-After``, gives hung routes short timeouts, and in read-only mode refuses anything but GET) is a
chain of httpx transports (``harness/transport.py``) that every key's client shares, so a client for another
key is the same chain with another header. The exchanges it records are ``harness/exchanges.py``'s.

This module is part of the toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx

from harness import tracing
from harness.exchanges import LOG, Exchange, ExchangeLog
from harness.redact import Redactor
from harness.transport import (
    Connection,
    HungRoutes,
    HungTimeouts,
    Lent,
    Paced,
    RateLimiter,
    ReadOnlyGuard,
    ReadOnlyViolationError,
    Recorded,
    Retrying,
)

__all__ = ["LOG", "ApiClient", "Exchange", "ExchangeLog", "ReadOnlyViolationError"]

NO_BODY: Any = object()


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
        self.timeout = timeout
        # the layers, from the connection outwards (a request meets them in the reverse order)
        chain: httpx.BaseTransport = Connection(timeout, transport)
        if hung is not None:
            chain = HungTimeouts(chain, hung, timeout)
        chain = self._recorded = Recorded(chain, redactor, log)
        if limiter is not None:
            chain = Paced(chain, limiter)
        chain = Retrying(chain, max_retries, unavailable=retry_unavailable)
        if readonly:
            chain = ReadOnlyGuard(chain)
        self._chain = chain
        self._http = self._client_for(key, chain)

    @property
    def log(self) -> ExchangeLog:
        """Where this client's exchanges (and those of every client for another key made from it) are recorded."""
        return self._recorded.log

    @log.setter
    def log(self, log: ExchangeLog) -> None:
        self._recorded.log = log

    def with_key(self, key: str | None) -> ApiClient:
        """The same target and layers, another key (``None``: no key at all); closing it leaves them open."""
        other = copy.copy(self)
        other.key = key
        other._http = self._client_for(key, Lent(self._chain))
        return other

    def _client_for(self, key: str | None, chain: httpx.BaseTransport) -> httpx.Client:
        headers = {"X-API-Key": key} if key is not None else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=self.timeout, transport=chain)

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
        headers = {**(headers or {}), **tracing.headers()}
        body = None if json is NO_BODY else json
        return self._http.request(method.upper(), path, params=params, headers=headers, content=content, json=body)

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


def pretty(body: str | None) -> str:
    """A response body for humans: indented JSON when it is JSON."""
    if body is None:
        return ""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body
