"""What a target answered, read tolerantly, and the findings about it.

A JSON body from a target comes wrapped (``tolerant``): indexing a field it lacks, an item past
the end of a list, or a field whose JSON type its schema does not allow there (harness/shapes.py),
raises ``MissingField``, a finding on GEN-SCHEMA-001 that names the request, never a ``KeyError``,
``IndexError`` or ``TypeError`` that would end the run as a crash of the harness. So a check stops
at what it reads, and only there: a broken field it never reads does not stop it.
``read_json`` and ``read_field`` do the same for places that meet a response outside ``expect``
(schemathesis hooks, cleanup, the sweep); ``entries_by`` looks list entries up by a field.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

from harness.findings import Rule, a, json_type, schema_rule
from harness.shapes import Shape

T = TypeVar("T")


class UnexpectedAnswer(AssertionError):
    """An answer that broke a check; it names the request, so a report reproduces that one, and the rule it
    broke (harness/findings.py), so that its sightings group into one root cause."""

    def __init__(
        self,
        message: str,
        response: httpx.Response | None = None,
        operation_id: str | None = None,
        rule: Rule | None = None,
    ) -> None:
        super().__init__(message)
        self.request = None if response is None else f"{response.request.method} {response.request.url}"
        self.status = None if response is None else response.status_code
        self.operation_id = operation_id
        self.rule = rule


class ContractViolation(UnexpectedAnswer):
    """A failed check that counts against a specific requirement: the one whose rule it breaks."""

    def __init__(
        self, requirement: str, message: str, response: httpx.Response | None = None, rule: Rule | None = None
    ) -> None:
        super().__init__(f"[{requirement}] {message}", response, rule=rule)
        self.requirement = requirement


class MissingField(ContractViolation):
    """An answer lacks a field (or an item) a check needed, or has it in a type it cannot use."""

    def __init__(self, origin: str, where: str, problem: str = "has no", rule: Rule | None = None) -> None:
        super().__init__("GEN-SCHEMA-001", f"the answer to {origin} {problem} {where}", rule=rule)


def parts(path: str) -> list[Any]:
    """``workspaces.0.status`` as the path ["workspaces", 0, "status"] (items of a list are numbers)."""
    return [int(part) if part.isdigit() else part for part in path.split(".") if part]


def unusable(origin: str, path: str, value: Any, shape: Shape) -> MissingField:
    """A field whose JSON type its schema does not allow: the check that reads it cannot go on."""
    wanted = shape.allowed()
    rule = schema_rule("type", parts(path), value, "", wanted)
    expected = " or ".join(a(kind) for kind in wanted)
    return MissingField(origin, f"`{path or '(body)'}` as {expected} (it is {a(json_type(value))}: {value!r:.60})",
                        "does not give", rule)  # fmt: skip


class Answer(dict):  # type: ignore[type-arg]
    """A JSON object from a target: a field it lacks, or holds in a type its schema does not allow, is a
    finding about the target."""

    origin = ""
    path = ""
    shape: Shape | None = None

    def __getitem__(self, key: Any) -> Any:
        try:
            value = super().__getitem__(key)
        except KeyError:
            fields = ", ".join(map(str, list(self)[:12])) or "no fields"
            raise MissingField(self.origin, f"`{self.path}{key}` (it has {fields})",
                               rule=schema_rule("required", parts(self.path), self,
                                                f'"{key}" is a required property')) from None  # fmt: skip
        except TypeError:  # an unhashable key: a check's own mistake would be a list or dict here
            raise MissingField(self.origin, f"`{self.path}{key!r}`") from None
        return typed(value, self.origin, f"{self.path}{key}", self.shape and self.shape.child(str(key), self))

    def read_as(self, key: str, like: str) -> Any:
        """Field ``key``, read typed as its schema types field ``like`` (the target chose another name for it)."""
        value = dict.__getitem__(self, key)
        return typed(value, self.origin, f"{self.path}{key}", self.shape and self.shape.child(like, self))

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - dict.get would skip the typed read


class AnswerList(list):  # type: ignore[type-arg]
    """A JSON array from a target: an item past its end, or of a type its schema does not allow, is a finding."""

    origin = ""
    path = ""
    shape: Shape | None = None

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return super().__getitem__(index)
        if not isinstance(index, int):  # a field asked of a list: the answer has another shape than shown
            raise MissingField(self.origin, f"`{self.path}{index}` (it is a list of {len(self)})",
                               rule=schema_rule("type", parts(self.path), list(self), "",
                                                ["object"]))  # fmt: skip
        try:
            value = super().__getitem__(index)
        except IndexError:
            raise MissingField(self.origin, f"item {index} of `{self.path.rstrip('.') or '(body)'}` "
                                            f"(it has {len(self)})") from None  # fmt: skip
        return typed(value, self.origin, f"{self.path}{index}", self.shape and self.shape.item(self))

    def __iter__(self) -> Any:
        inner = self.shape and self.shape.item(self)
        for index, value in enumerate(super().__iter__()):
            yield typed(value, self.origin, f"{self.path}{index}", inner)


def typed(value: Any, origin: str, path: str, shape: Shape | None) -> Any:
    """``value`` read at ``path``: a finding if its schema does not allow its JSON type, else wrapped."""
    if shape is not None and not shape.accepts(value):
        raise unusable(origin, path, value, shape)
    return tolerant(value, origin, path, shape)


def tolerant(value: Any, origin: str, path: str = "", shape: Shape | None = None) -> Any:
    """``value`` (decoded JSON) wrapped so that what it lacks is reported, not crashed on; with ``shape``,
    a field read in a type its schema does not allow is reported too."""
    if isinstance(value, dict) and not isinstance(value, Answer):
        wrapped: Any = Answer(value)
    elif isinstance(value, list) and not isinstance(value, AnswerList):
        wrapped = AnswerList(value)
    else:
        return value
    wrapped.origin, wrapped.path, wrapped.shape = origin, f"{path}." if path else "", shape
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


def list_items(body: Any, key: str, origin: str) -> list[Any]:
    """The items of a list answer: a plain array, the array under ``key``, or the envelope's one array (the SDK
    shows no envelope for its lists, so its key is the target's choice); else a finding."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return body[key]
    arrays = [value for value in dict.values(body) if isinstance(value, list)] if isinstance(body, dict) else []
    if len(arrays) != 1:
        raise MissingField(origin, f"`{key}` (no list of items in {type(body).__name__})")
    return arrays[0]


def read_json(response: Any, origin: str) -> Any:
    """The body of any response (httpx or schemathesis) as tolerant JSON, or a finding if it is none."""
    try:
        return tolerant(response.json(), origin)
    except ValueError:
        raise ContractViolation("GEN-SCHEMA-001", f"{origin} answered {response.status_code}, not JSON") from None
