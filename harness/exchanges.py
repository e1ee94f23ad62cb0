"""What the harness's client records: each exchange, already redacted, and the log of the current check's.

A failure shows what was sent and received with a curl line that reproduces it; the log also counts
requests per operation, for coverage and the mutating-request tally.
"""

from __future__ import annotations

import contextlib
import shlex
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from harness import tracing
from harness.redact import Redactor

BODY_LIMIT = 4000


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
        # operations called since the last take, in order: whether a check's own request called it (not its setup)
        self.called: dict[str, bool] = {}
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
                own = tracing.in_own_request()
                self.called[exchange.operation_id] = self.called.get(exchange.operation_id, False) or own
            if exchange.method != "GET":
                self.mutating += 1

    def take(self) -> list[Exchange]:
        return self.take_calls()[0]

    def take_calls(self) -> tuple[list[Exchange], dict[str, bool]]:
        """The exchanges kept for the current check, and every operation called since the last take (with
        whether the check's own request called it)."""
        with self._lock:
            taken, self.current = self.current, []
            called, self.called = self.called, {}
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
                self.called = {**called, **{op: own or called.get(op, False) for op, own in self.called.items()}}


LOG = ExchangeLog()


def describe_body(content: bytes | None, redactor: Redactor) -> str | None:
    """A body as the record keeps it: text, cut at ``BODY_LIMIT`` bytes, keys redacted."""
    if not content:
        return None
    text = content[:BODY_LIMIT].decode("utf-8", errors="replace")
    if len(content) > BODY_LIMIT:
        text += f"... [{len(content) - BODY_LIMIT} more bytes]"
    return redactor(text)
