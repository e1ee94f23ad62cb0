"""What a target answered, read tolerantly, and the findings about it.

A JSON body from a target comes wrapped (``tolerant``): indexing a field it lacks, or an item past
the end of a list, raises ``MissingField``, a finding on GEN-SCHEMA-001 that names the request,
never a ``KeyError`` or ``IndexError`` that would end the run as a crash of the harness.
``read_json`` and ``read_field`` do the same for places that meet a response outside ``expect``
(schemathesis hooks, cleanup, the sweep); ``entries_by`` looks list entries up by a field.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class UnexpectedAnswer(AssertionError):
    """An answer that broke a check; it names the request, so a report reproduces that one."""

    def __init__(self, message: str, response: httpx.Response | None = None, operation_id: str | None = None) -> None:
        super().__init__(message)
        self.request = None if response is None else f"{response.request.method} {response.request.url}"
        self.status = None if response is None else response.status_code
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


class Entries(dict):  # type: ignore[type-arg]
    """A list's entries by one of their fields; asking for one the list lacks fails the check that asks."""

    what = ""

    def __missing__(self, key: Any) -> Any:
        raise UnexpectedAnswer(f"{self.what} has no entry {key!r} (it has {', '.join(map(repr, list(self)[:10]))})")


def entries_by(items: Any, key: str, what: str) -> Entries:
    """``{item[key]: item}`` for a list from a target, e.g. collaborators by userId."""
    found = Entries((item[key], item) for item in items)
    found.what = what
    return found


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
