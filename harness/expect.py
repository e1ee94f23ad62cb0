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


class ContractViolation(AssertionError):
    """A failed check that counts against a specific requirement (besides the check's own)."""

    def __init__(self, requirement: str, message: str) -> None:
        super().__init__(f"[{requirement}] {message}")
        self.requirement = requirement


def expect(response: httpx.Response, operation_id: str, *statuses: int) -> Any:
    """Assert the status is one of ``statuses``; return the body, checked against the contract."""
    request = f"{response.request.method} {response.request.url.path}"
    if response.status_code not in statuses:
        wanted = " or ".join(map(str, statuses))
        raise AssertionError(f"{request} answered {response.status_code}, expected {wanted}: {snippet(response)}")
    if response.status_code == 204:
        return None
    return conforming_body(response, operation_id)


def conforming_body(response: httpx.Response, operation_id: str) -> Any:
    """The JSON body, provided it is JSON and fits the schema documented for its status."""
    request = f"{response.request.method} {response.request.url.path}"
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise ContractViolation(
            "GEN-SCHEMA-003",
            f"{request} answered {response.status_code} with content type "
            f"{response.headers.get('content-type')!r}, not application/json",
        )
    try:
        body = response.json()
    except ValueError:
        raise ContractViolation(
            "GEN-SCHEMA-001", f"{request} answered a body that is not JSON: {snippet(response)}"
        ) from None
    validator = spec.load().response_validator(operation_id, response.status_code)
    if validator is not None:
        errors = [
            f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)
        ]
        if errors:
            raise ContractViolation(
                "GEN-SCHEMA-001",
                f"{request} answered {response.status_code} with a body that breaks its schema: "
                + "; ".join(errors[:5]),
            )
    return body


def poll_until(read: Callable[[], T], done: Callable[[T], bool], *, timeout: float, what: str) -> T:
    """Read until ``done`` holds, backing off from 0.05 s to 1 s, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() + delay > deadline:
            raise AssertionError(f"{what}: still not so after {timeout:g}s (last seen: {value!r})")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
