"""Request validation, written from the documents' field tables and DECISIONS.md.

Deliberately not generated from openapi/strongly-v1.yaml: the reference server is a second,
independent reading of the documents, so a disagreement with the spec exposes a mistake in one.
Patterns use ``re.fullmatch`` with explicit ASCII classes, which is what a JSON Schema
``^...$`` pattern means under ECMA-262 rules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.reference.errors import bad_request, invalid_parameter, validation_failed

ENVIRONMENT_TYPES = ("jupyter", "vscode", "rstudio", "custom")
WORKSPACE_STATUSES = ("pending", "running", "stopped", "failed", "terminated")
PROJECT_STATUSES = ("active", "archived")
VISIBILITIES = ("private", "organization")
VOLUME_TYPES = ("data", "model", "scratch")
COLLABORATOR_ROLES = ("editor", "viewer")
LOG_TYPES = ("build", "deploy", "pod")

MAX_LIMIT = 100
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Text:
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] | None = None

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        if not _is_encodable(value):
            return "must be valid Unicode text"
        if len(value) < self.min_length:
            return f"must be at least {self.min_length} characters"
        if self.max_length is not None and len(value) > self.max_length:
            return f"must be at most {self.max_length} characters"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return "has an invalid format"
        return None


@dataclass(frozen=True)
class Number:
    above: float
    at_most: float

    def problem(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if not math.isfinite(value) or not self.above < value <= self.at_most:
            return f"must be greater than {self.above:g} and at most {self.at_most:g}"
        return None


@dataclass(frozen=True)
class TextList:
    item: Text
    max_items: int

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be a list of strings"
        if len(value) > self.max_items:
            return f"must hold at most {self.max_items} items"
        for item in value:
            problem = self.item.problem(item)
            if problem:
                return f"items {problem}"
        if len(set(value)) != len(value):
            return "must not repeat items"
        return None


@dataclass(frozen=True)
class Shape:
    """An object body: known fields, required ones, nothing else (D-17)."""

    fields: Mapping[str, Any]
    required: frozenset[str] = field(default_factory=frozenset)

    def problems(self, value: Any, prefix: str = "") -> list[dict[str, str]]:
        if not isinstance(value, dict):
            return [{"field": prefix or "body", "message": "must be an object"}]
        found = []
        for name in sorted(self.required - value.keys()):
            found.append({"field": prefix + name, "message": "is required"})
        for name, item in value.items():
            rule = self.fields.get(name)
            if rule is None:
                found.append({"field": prefix + name, "message": "is not a known field"})
            elif isinstance(rule, Shape):
                found.extend(rule.problems(item, prefix=f"{prefix}{name}."))
            else:
                problem = rule.problem(item)
                if problem:
                    found.append({"field": prefix + name, "message": problem})
        return found


# Field rules, from the REST field tables and the SDK create-body tables.
NAME = Text(min_length=1, max_length=128)
DESCRIPTION = Text(max_length=1024)
REFERENCE_ID = Text(min_length=1, max_length=64)
IMAGE = Text(
    max_length=255,
    pattern=r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?",
)
CPU = Text(pattern=r"[1-9][0-9]{0,2}(?:\.[0-9]{1,3})?|0\.[0-9]{0,2}[1-9]|[1-9][0-9]{0,5}m")
BYTES = Text(pattern=r"[1-9][0-9]{0,5}(?:Mi|Gi|Ti)")
GPU = Text(pattern=r"[0-9]|1[0-6]")
GPU_TYPE = Text(pattern=r"[a-z0-9][a-z0-9-]{0,62}")
CATEGORY = Text(pattern=r"[a-z0-9][a-z0-9-]{0,63}")
TAG = Text(pattern=r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")
TAGS = TextList(TAG, max_items=20)
EMAIL = Text(max_length=254, pattern=r"[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+")
SIZE_GB = Number(above=0, at_most=65536)
MOUNT_PATH = Text(max_length=255, pattern=r"/[A-Za-z0-9._/-]*")

RESOURCES = Shape({"cpu": CPU, "memory": BYTES, "gpu": GPU, "gpuType": GPU_TYPE, "storage": BYTES})

CREATE_WORKSPACE = Shape(
    {
        "name": NAME,
        "description": DESCRIPTION,
        "environmentType": Text(choices=ENVIRONMENT_TYPES),
        "image": IMAGE,
        "resources": RESOURCES,
        "projectId": REFERENCE_ID,
    },
    required=frozenset({"name", "description", "environmentType"}),
)
UPDATE_WORKSPACE = Shape({"name": NAME, "description": DESCRIPTION, "image": IMAGE, "resources": RESOURCES})
CREATE_PROJECT = Shape(
    {
        "name": NAME,
        "description": DESCRIPTION,
        "category": CATEGORY,
        "visibility": Text(choices=VISIBILITIES),
        "tags": TAGS,
    },
    required=frozenset({"name", "description"}),
)
UPDATE_PROJECT = Shape(
    {
        "name": NAME,
        "description": DESCRIPTION,
        "category": CATEGORY,
        "visibility": Text(choices=VISIBILITIES),
        "tags": TAGS,
    }
)
ADD_COLLABORATOR = Shape(
    {"email": EMAIL, "role": Text(choices=COLLABORATOR_ROLES), "userId": REFERENCE_ID},
    required=frozenset({"email", "role"}),
)
UPDATE_COLLABORATOR = Shape({"role": Text(choices=COLLABORATOR_ROLES)}, required=frozenset({"role"}))
CREATE_VOLUME = Shape(
    {
        "projectId": REFERENCE_ID,
        "label": NAME,
        "sizeGb": SIZE_GB,
        "description": DESCRIPTION,
        "type": Text(choices=VOLUME_TYPES),
        "mountPath": MOUNT_PATH,
    },
    required=frozenset({"projectId", "label", "sizeGb"}),
)
UPDATE_VOLUME = Shape({"label": NAME, "description": DESCRIPTION, "sizeGb": SIZE_GB, "mountPath": MOUNT_PATH})


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """Decode a request body: malformed JSON or a non-object is a 400 (D-15)."""
    if not raw.strip():
        raise bad_request("a JSON object body is required")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise bad_request("the body must be a JSON object")
    return value


def validate(shape: Shape, body: dict[str, Any]) -> dict[str, Any]:
    """Return the body if it fits the shape, else refuse with 422 and per-field details."""
    problems = shape.problems(body)
    if problems:
        raise validation_failed(problems)
    return body


@dataclass(frozen=True)
class ListQuery:
    limit: int
    offset: int
    sort_field: str
    descending: bool
    filters: dict[str, str]


def parse_list_query(
    params: Mapping[str, list[str]],
    *,
    default_limit: int,
    sort_fields: tuple[str, ...] = (),
    filters: Mapping[str, Text] | None = None,
) -> ListQuery:
    """Validate limit, offset, sort and filters; bad values answer 400, never clamped (D-05, D-12)."""
    limit = _integer(params, "limit", default_limit, 1, MAX_LIMIT)
    offset = _integer(params, "offset", 0, 0, MAX_OFFSET)
    sort_field, descending = "createdAt", True
    sort = single(params, "sort")
    if sort_fields and sort is not None:
        match = re.fullmatch(rf"({'|'.join(sort_fields)})(?::(asc|desc))?", sort)
        if not match:
            raise invalid_parameter("sort", f"must be <field>[:asc|desc] with field one of {', '.join(sort_fields)}")
        sort_field, descending = match.group(1), match.group(2) == "desc"
    chosen: dict[str, str] = {}
    for name, rule in (filters or {}).items():
        value = single(params, name)
        if value is None:
            continue
        problem = rule.problem(value)
        if problem:
            raise invalid_parameter(name, problem)
        chosen[name] = value
    return ListQuery(limit, offset, sort_field, descending, chosen)


def single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise invalid_parameter(name, "must be given once")
    if not _is_encodable(values[0]):
        raise invalid_parameter(name, "must be valid Unicode text")
    return values[0]


def _integer(params: Mapping[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    text = single(params, name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", text) or not low <= int(text) <= high:
        raise invalid_parameter(name, f"must be an integer between {low} and {high}")
    return int(text)


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
