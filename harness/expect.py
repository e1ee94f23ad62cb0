"""How checks look at answers: the status first, then the body against the contract.

``expect`` is the one door through which a check reads a response. A body that breaks its schema
raises ``ContractViolation`` for GEN-SCHEMA-001 before the check can trip over it, so a malformed
answer is reported as the server's fault and never as a crash of the harness.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from harness import spec

T = TypeVar("T")


class UnexpectedAnswer(AssertionError):
    """An answer that broke a check; it names the request, so a report reproduces that one."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.request = None if response is None else f"{response.request.method} {response.request.url}"


class ContractViolation(UnexpectedAnswer):
    """A failed check that counts against a specific requirement (besides the check's own)."""

    def __init__(self, requirement: str, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(f"[{requirement}] {message}", response)
        self.requirement = requirement


def expect(response: httpx.Response, operation_id: str, *statuses: int) -> Any:
    """Assert the status is one of ``statuses``; return the body, checked against the contract."""
    if response.status_code not in statuses:
        wanted = " or ".join(map(str, statuses))
        raise UnexpectedAnswer(f"{line(response)} answered {response.status_code}, expected {wanted}: "
                               f"{snippet(response)}", response)  # fmt: skip
    if response.status_code == 204:
        return None
    return conforming_body(response, operation_id)


def conforming_body(response: httpx.Response, operation_id: str) -> Any:
    """The JSON body, provided it is JSON and fits the schema documented for its status."""
    answered = f"{line(response)} answered {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise ContractViolation("GEN-SCHEMA-003", f"{answered} as {content_type!r}, not application/json", response)
    try:
        body = response.json()
    except ValueError:
        raise ContractViolation("GEN-SCHEMA-001", f"{answered}, not JSON: {snippet(response)}", response) from None
    validator = spec.load().response_validator(operation_id, response.status_code)
    if validator is not None:
        errors = [
            f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)
        ]
        if errors:
            message = f"{answered} with a body that breaks its schema: " + "; ".join(errors[:5])
            raise ContractViolation("GEN-SCHEMA-001", message, response)
    return body


def line(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


class TimedOut(AssertionError):
    """What was awaited did not happen in time (a failure of the target, like any assertion)."""


def poll_until(read: Callable[[], T], done: Callable[[T], bool], *, timeout: float, what: str) -> T:
    """Read until ``done`` holds, backing off from 0.05 s to 1 s, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() + delay > deadline:
            raise TimedOut(f"{what}: still not so after {timeout:g}s (last seen: {value!r})")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
