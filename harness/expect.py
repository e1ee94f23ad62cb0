"""How checks look at answers: the status first, then the body against the contract.

``expect`` is the one door through which a check reads a response. A body that breaks its schema
raises ``ContractViolation`` for GEN-SCHEMA-001 before the check can trip over it, and what it
returns reads tolerantly (harness/answers.py), so a malformed answer is reported as the server's
fault and never as a crash of the harness. This module is the toolkit the suites import for reading
answers and waiting; ``__all__`` lists it.
"""

from __future__ import annotations

from typing import Any

import httpx

from harness import spec
from harness.answers import (
    Answer,
    ContractViolation,
    MissingField,
    UnexpectedAnswer,
    entries_by,
    read_field,
    read_json,
    tolerant,
)
from harness.waiting import Patience, TimedOut, poll_until

__all__ = [
    "Answer", "ContractViolation", "MissingField", "Patience", "TimedOut", "UnexpectedAnswer",
    "conforming_body", "entries_by", "expect", "poll_until", "read_field", "read_json", "tolerant",
]  # fmt: skip


def expect(response: httpx.Response, operation_id: str, *statuses: int) -> Any:
    """Assert the status is one of ``statuses``; return the body, checked against the contract."""
    if response.status_code not in statuses:
        wanted = " or ".join(map(str, statuses))
        raise UnexpectedAnswer(f"{line(response)} answered {response.status_code}, expected {wanted}: "
                               f"{snippet(response)}", response, operation_id)  # fmt: skip
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
    return tolerant(body, line(response))


def line(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
