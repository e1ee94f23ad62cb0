"""How checks look at answers: the status first, then the body against the contract.

``expect`` is the one door through which a check reads a response. A body that breaks its schema
raises ``ContractViolation`` for GEN-SCHEMA-001 before the check can trip over it, and what it
returns reads tolerantly: a field the check needs but the answer lacks (or an item past its end)
is a ``MissingField`` finding, never a ``KeyError``. So a malformed answer is reported as the
server's fault and never as a crash of the harness. ``read_json`` and ``read_field`` do the same for
the few places that meet a response outside ``expect`` (schemathesis hooks, cleanup, the sweep).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from harness import spec
from harness.recommend import recommend

T = TypeVar("T")


class UnexpectedAnswer(AssertionError):
    """An answer that broke a check; it names the request, so a report reproduces that one."""

    def __init__(self, message: str, response: httpx.Response | None = None, operation_id: str | None = None) -> None:
        super().__init__(message)
        self.request = None if response is None else f"{response.request.method} {response.request.url}"
        self.operation_id = operation_id


class ContractViolation(UnexpectedAnswer):
    """A failed check that counts against a specific requirement (besides the check's own)."""

    def __init__(self, requirement: str, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(f"[{requirement}] {message}", response)
        self.requirement = requirement


class MissingField(ContractViolation):
    """An answer lacks a field (or an item) a check needed, or has it in another type."""

    def __init__(self, origin: str, where: str, problem: str = "has no") -> None:
        super().__init__("GEN-SCHEMA-001", f"the answer to {origin} {problem} {where}")


class Answer(dict):  # type: ignore[type-arg]
    """A JSON object from a target: indexing a field it lacks is a finding about the target."""

    origin = ""
    path = ""

    def __getitem__(self, key: Any) -> Any:
        try:
            value = super().__getitem__(key)
        except KeyError:
            fields = ", ".join(map(str, list(self)[:12])) or "no fields"
            raise MissingField(self.origin, f"`{self.path}{key}` (it has {fields})") from None
        return tolerant(value, self.origin, f"{self.path}{key}")


class AnswerList(list):  # type: ignore[type-arg]
    """A JSON array from a target: an item past its end is a finding about the target."""

    origin = ""
    path = ""

    def __getitem__(self, index: Any) -> Any:
        try:
            value = super().__getitem__(index)
        except IndexError:
            raise MissingField(self.origin, f"item {index} of `{self.path.rstrip('.') or '(body)'}` "
                                            f"(it has {len(self)})") from None  # fmt: skip
        if isinstance(index, slice):
            return value
        return tolerant(value, self.origin, f"{self.path}{index}")

    def __iter__(self) -> Any:
        for index, value in enumerate(super().__iter__()):
            yield tolerant(value, self.origin, f"{self.path}{index}")


def tolerant(value: Any, origin: str, path: str = "") -> Any:
    """``value`` (decoded JSON) wrapped so that what it lacks is reported, not crashed on."""
    if isinstance(value, dict) and not isinstance(value, Answer):
        wrapped: Any = Answer(value)
    elif isinstance(value, list) and not isinstance(value, AnswerList):
        wrapped = AnswerList(value)
    else:
        return value
    wrapped.origin, wrapped.path = origin, f"{path}." if path else ""
    return wrapped


def read_field(body: Any, name: str, kind: type[T], origin: str) -> T:
    """``body[name]`` as a ``kind``, or a ``MissingField`` finding saying what was there instead."""
    if not isinstance(body, dict) or name not in body:
        shape = f"fields {', '.join(map(str, list(body)[:12]))}" if isinstance(body, dict) else type(body).__name__
        raise MissingField(origin, f"`{name}` (it answered {shape})")
    value = body[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise MissingField(origin, f"`{name}` as {kind.__name__} (it is {value!r:.60})", problem="does not give")
    return value


def read_json(response: Any, origin: str) -> Any:
    """The body of any response (httpx or schemathesis) as tolerant JSON, or a finding if it is none."""
    try:
        return tolerant(response.json(), origin)
    except ValueError:
        raise ContractViolation("GEN-SCHEMA-001", f"{origin} answered {response.status_code}, not JSON") from None


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


class Patience:
    """How long to wait for a workspace to change state; one for a whole run, shared by its factories.

    After workspaces have missed the full wait ``misses`` times in a row, later waits are short, so
    against a server whose workspaces never start each check that needs one fails in seconds rather
    than minutes apiece; the first workspace that arrives in time brings back the full wait.
    """

    def __init__(self, full: float, *, short: float = 5.0, misses: int = 2) -> None:
        self.full = full
        self.short = min(short, full)
        self.misses = misses
        self.missed = 0

    @property
    def seconds(self) -> float:
        return self.short if self.missed >= self.misses else self.full

    def reason(self) -> str:
        """Why the wait is what it is, for the failure message."""
        if self.missed < self.misses:
            return ""
        return f" (shortened once {self.misses} waits in a row of {self.full:g}s had ended without it)"

    def note(self, arrived: bool) -> None:
        self.missed = 0 if arrived else self.missed + 1


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
