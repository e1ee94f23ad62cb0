"""The contract, read once: operations, their scopes and responses, and validators for its schemas.

Everything that needs a shape asks this module; nothing re-types a schema in Python.

This module is part of the toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from harness import yamlfile
from harness.leniency import lenient_components, lenient_response, relax
from harness.paths import SPEC

__all__ = ["Operation", "Spec", "load"]

METHODS = ("get", "post", "put", "delete")
STATED = ("required", "enum")  # what the documents state of a request: required fields, sets listed in full


@dataclass(frozen=True, repr=False)
class Operation:
    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    scopes: tuple[str, ...]
    responses: dict[str, Any]
    request_schema: dict[str, Any] | None
    query_parameters: tuple[str, ...]
    query_schemas: tuple[tuple[str, dict[str, Any]], ...] = ()

    def __repr__(self) -> str:  # what reports and test ids show of it
        return self.operation_id

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))

    @property
    def resource(self) -> str:
        return self.tags[0]

    def url(self, **values: str) -> str:
        return self.path.format(**values)

    def documents(self, status: int) -> bool:
        return str(status) in self.responses


class Spec:
    """An OpenAPI document with lookups by operation id, by request line, and by schema name."""

    def __init__(self, document: dict[str, Any], sha256: str = "") -> None:
        self.document = document
        self.sha256 = sha256  # of the file's bytes, so that a report names the exact contract a run used
        self.operations = tuple(self._operations())
        self._by_id = {operation.operation_id: operation for operation in self.operations}
        self._validators: dict[str, Any] = {}
        self._lenient: dict[str, Any] = {}
        self._routes = [
            (operation.method, re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(operation.path))), operation)
            for operation in sorted(self.operations, key=lambda op: "{" in op.path)  # literal paths first
        ]

    @classmethod
    def load(cls, path: Path = SPEC) -> Spec:
        return cls.from_bytes(path.read_bytes())

    @classmethod
    def from_bytes(cls, raw: bytes) -> Spec:
        return cls(yamlfile.safe_load(raw.decode("utf-8")), sha256=hashlib.sha256(raw).hexdigest())

    @property
    def version(self) -> str:
        return str(self.document["info"]["version"])

    def operation(self, operation_id: str) -> Operation:
        return self._by_id[operation_id]

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a request line belongs to (for counting requests per operation)."""
        for route_method, pattern, operation in self._routes:
            if route_method == method.upper() and pattern.fullmatch(path):
                return operation
        return None

    def resolve(self, node: Any) -> Any:
        """Follow a local ``$ref`` (one level at a time, as often as needed)."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def schema(self, name: str) -> dict[str, Any]:
        """A standalone JSON Schema for ``components.schemas[name]``, its references resolvable."""
        return self.standalone({"$ref": f"#/components/schemas/{name}"})

    def standalone(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "components": self.document["components"]}

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        response = self.resolve(self.operation(operation_id).responses.get(str(status)))
        if not response or "content" not in response:
            return None
        return self.standalone(response["content"]["application/json"]["schema"])

    def validator(self, name: str) -> jsonschema_rs.Validator:
        """A format-checking validator for a component schema, built once per name."""
        if name not in self._validators:
            self._validators[name] = jsonschema_rs.validator_for(self.schema(name), validate_formats=True)
        return self._validators[name]

    def response_validator(
        self, operation_id: str, status: int, *, strict: bool = True
    ) -> jsonschema_rs.Validator | None:
        """The body's validator: the contract as written, or (strict=False) the default level's (leniency.py)."""
        key = f"{operation_id}:{status}:{'strict' if strict else 'lenient'}"
        if key not in self._validators:
            schema = self.response_schema(operation_id, status) if strict else self.lenient_schema(operation_id, status)
            self._validators[key] = schema and jsonschema_rs.validator_for(schema, validate_formats=True)
        return self._validators[key]

    def branch_validator(self, branch: dict[str, Any]) -> jsonschema_rs.Validator:
        """A validator for one alternative of an ``anyOf``/``oneOf`` (standalone), to name what inside it failed."""
        return jsonschema_rs.validator_for(branch, validate_formats=True)

    def lenient_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        """The body's schema at the default level (standalone), built once per operation and status."""
        key = f"{operation_id}:{status}"
        if key not in self._lenient:
            schema = self.response_schema(operation_id, status)
            self._lenient[key] = schema and lenient_response(key, schema, self._lenient_components())
        return self._lenient[key]

    def documented_request_errors(self, operation_id: str, body: Any, query: dict[str, Any]) -> list[str]:
        """Where a request breaks what the documents state of it: a field their tables mark required is missing,
        or a value lies outside a set the REST reference lists in full. Empty when it breaks only the contract's
        own rules (types, limits, patterns, unique items, formats), which a server may let through."""
        operation = self.operation(operation_id)
        checks: list[tuple[str, dict[str, Any], Any]] = []
        if operation.request_schema is not None and body is not None:
            checks.append(("body", operation.request_schema, body))
        schemas = dict(operation.query_schemas)
        checks += [(name, self.standalone(schemas[name]), wire_value(value, schemas[name]))
                   for name, value in query.items() if name in schemas]  # fmt: skip
        errors = []
        for where, schema, value in checks:
            key = f"{operation_id}:request:{where}"
            if key not in self._validators:
                lenient = {**relax({k: v for k, v in schema.items() if k != "components"}, query=where != "body"),
                           "components": self._lenient_components()}  # fmt: skip
                self._validators[key] = jsonschema_rs.validator_for(lenient, validate_formats=True)
            errors += [f"{where}: {error.message}" for error in self._validators[key].iter_errors(value)
                       if error.schema_path and error.schema_path[-1] in STATED]  # fmt: skip
        return errors

    def _lenient_components(self) -> dict[str, Any]:
        if "components" not in self._lenient:
            self._lenient["components"] = lenient_components(self.document["components"])
        return self._lenient["components"]

    def _operations(self) -> list[Operation]:
        found = []
        for path, item in self.document["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method not in item:
                    continue
                definition = item[method]
                parameters = [self.resolve(p) for p in [*shared, *definition.get("parameters", [])]]
                body = definition.get("requestBody")
                request_schema = None
                if body is not None:
                    request_schema = self.standalone(self.resolve(body)["content"]["application/json"]["schema"])
                security = definition.get("security", self.document.get("security", []))
                scopes = tuple(scope for requirement in security for scope in requirement.get("ApiKeyAuth", []))
                found.append(
                    Operation(
                        operation_id=definition["operationId"],
                        method=method.upper(),
                        path=path,
                        tags=tuple(definition.get("tags", [])),
                        scopes=scopes,
                        responses=definition["responses"],
                        request_schema=request_schema,
                        query_parameters=tuple(p["name"] for p in parameters if p["in"] == "query"),
                        query_schemas=tuple(
                            (p["name"], self.resolve(p["schema"])) for p in parameters if p["in"] == "query"
                        ),
                    )
                )
        return found


def wire_value(value: Any, schema: dict[str, Any]) -> Any:
    """A query value as the server reads it: the text of a number is that number."""
    if isinstance(value, str) and schema.get("type") in ("integer", "number"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if schema["type"] == "integer" and number.is_integer() and "." not in value else number
    return value


@cache
def load() -> Spec:
    """The bundled contract, parsed once per process."""
    return Spec.load()
