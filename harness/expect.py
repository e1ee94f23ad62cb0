"""How checks look at answers: the status first, then the body against the contract.

``expect`` is the one door through which a check reads a response. A body that breaks what the
documents show of it (the default level's schema, harness/leniency.py) raises ``ContractViolation``
for GEN-SCHEMA-001 before the check can trip over it; a body outside only the contract as written is
a recommendation (GEN-SCHEMA-005, harness/recommend.py). What it returns reads tolerantly
(harness/answers.py), so a malformed answer is reported as the server's fault and never as a crash
of the harness. ``refused`` and ``settled`` judge refusals whose status the documents leave open.
This module is the toolkit the suites import for reading answers and waiting; ``__all__`` lists it.
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
from harness.recommend import recommend
from harness.waiting import Patience, TimedOut, poll_until

__all__ = [
    "Answer", "ContractViolation", "MissingField", "Patience", "TimedOut", "UnexpectedAnswer",
    "conforming_body", "entries_by", "expect", "poll_until", "read_field", "read_json", "refused", "settled",
    "tolerant",
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


def refused(response: httpx.Response, operation_id: str, recommended: int) -> Any:
    """A refusal: the documents name no status for it, so any 4xx holds the MUST; the contract's own
    status (D-15) is a recommendation (GEN-ERR-004). The body, if any, must still parse."""
    status = response.status_code
    if not 400 <= status < 500:
        raise UnexpectedAnswer(f"{line(response)} answered {status}, expected a refusal (4xx; recommended "
                               f"{recommended}): {snippet(response)}", response, operation_id)  # fmt: skip
    recommend("GEN-ERR-004", status == recommended,
              f"{line(response)} answered {status}; the contract's status for this refusal is {recommended}",
              response)  # fmt: skip
    return conforming_body(response, operation_id) if response.content else None


def settled(response: httpx.Response, operation_id: str, *, success: int = 200, recommended: int = 409) -> Any:
    """An action whose result already holds: refusing it (recommended: 409, GEN-IDEM-001) and answering it
    as done (an idempotent 2xx) are both reasonable; the caller proves that nothing changed either way."""
    status = response.status_code
    if 200 <= status < 300:
        recommend("GEN-IDEM-001", False, f"{line(response)} answered {status} for an action whose result "
                  f"already held; the contract's status is {recommended}", response)  # fmt: skip
        return expect(response, operation_id, status) if status == success else None
    return refused(response, operation_id, recommended)


def conforming_body(response: httpx.Response, operation_id: str) -> Any:
    """The JSON body, provided it is JSON and fits the schema documented for its status."""
    answered = f"{line(response)} answered {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json") and not content_type.endswith("+json"):
        raise ContractViolation("GEN-SCHEMA-003", f"{answered} as {content_type!r}, not application/json", response)
    try:
        body = response.json()
    except ValueError:
        raise ContractViolation("GEN-SCHEMA-001", f"{answered}, not JSON: {snippet(response)}", response) from None
    contract = spec.load()
    errors = schema_errors(contract.response_validator(operation_id, response.status_code, strict=False), body)
    if errors:  # what the documents show of the body: fields and types
        message = f"{answered} with a body that breaks its schema: " + "; ".join(errors[:5])
        raise ContractViolation("GEN-SCHEMA-001", message, response)
    errors = schema_errors(contract.response_validator(operation_id, response.status_code), body)
    recommend("GEN-SCHEMA-005", not errors, f"{answered} with a body outside the contract as written:\n"
              + "; ".join(errors[:5]), response)  # fmt: skip
    return tolerant(body, line(response))


def schema_errors(validator: Any, body: Any) -> list[str]:
    if validator is None:
        return []
    return [f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]


def line(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
