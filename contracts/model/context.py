"""What the model-based phase shares: its context across examples, the step log, and the call that expects.

``Context`` is set once per phase and read by every example; ``StepLog`` keeps an example's writes
for its failure report; ``op_call`` sends an operation the model says must be accepted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx

from harness.client import LOG, ApiClient, Exchange, ExchangeLog
from harness.expect import ContractViolation, UnexpectedAnswer, expect
from harness.registry import Registry
from harness.requirements import load_catalogue
from harness.steps import PROMISES, charged_to

API = "/api/v1"


@cache
def musts() -> frozenset[str]:
    """The requirements that are MUSTs at the default level."""
    return frozenset(requirement.id for requirement in load_catalogue() if requirement.is_must)


def member(value: Any, values: set[Any]) -> bool:
    """``value in values``, where an unhashable value (an answer of an unexpected shape) is simply not one."""
    try:
        return value in values
    except TypeError:
        return False


class StepLog(ExchangeLog):
    """Keeps this example's writes (and the last reads) for the report; counts go to the run's log."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[Exchange] = []
        self.reads: list[Exchange] = []

    def record(self, exchange: Exchange) -> None:
        LOG.count(exchange)
        with self._lock:
            if exchange.method != "GET":
                self.writes.append(exchange)
            else:
                self.reads = [*self.reads[-2:], exchange]

    def sequence(self) -> str:
        """The writes that led here and the read that disagreed, as a numbered list of curl lines."""
        lines = [f"{n:3}. {e.curl()}  -> {e.status}" for n, e in enumerate(self.writes, 1)]
        if self.reads:
            last = self.reads[-1]
            lines.append(f"{len(lines) + 1:3}. {last.curl()}  -> {last.status} (the last read)")
        return "\n".join(lines)


@dataclass
class Context:
    """What the phase shares across Hypothesis examples (set before the run)."""

    clients: dict[str, ApiClient]
    registries: dict[str, Registry]
    prefix: str
    log: StepLog
    started: float = field(default_factory=time.monotonic)
    first_catch: float | None = None
    found: list[tuple[BaseException, str]] = field(default_factory=list)  # each failure, with its sequence
    steps: int = 0
    steps_at_catch: int = 0
    shrink_seconds: float = 15.0
    shrink_until: float | None = None
    strict: bool = False  # --strict: the model's predictions of our own choices are judged too
    provision_wait: float = 120.0  # the longest wait for a workspace to reach the state an action leads to

    def judges(self, requirement: str) -> bool:
        """Whether a prediction resting on ``requirement`` is judged: a MUST always, a SHOULD under --strict."""
        return self.strict or requirement in musts()


def op_call(
    client: ApiClient, method: str, path: str, operation_id: str, statuses: tuple[int, ...], body: Any = None
) -> Any:
    """Send one operation the model says must be answered with ``statuses``; else the requirement that promises it."""
    response = client.request(method, path, **({"json": body} if body is not None else {}))
    return answer(response, operation_id, statuses)


def answer(response: httpx.Response, operation_id: str, statuses: tuple[int, ...]) -> Any:
    """The body of an answer that must have one of ``statuses``; else the requirement that promises it."""
    try:
        return expect(response, operation_id, *statuses)
    except ContractViolation:
        raise
    except UnexpectedAnswer as exc:
        requirement = charged_to(exc, PROMISES.get(operation_id, "GEN-MODEL-001"))  # a 5xx is no-5xx's, as anywhere
        rule = exc.rule if requirement == "GEN-SCHEMA-004" else None  # one root cause with a check's same 5xx
        raise ContractViolation(requirement, str(exc), response, rule) from None
