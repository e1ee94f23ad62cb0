"""Examples extracted from the two source documents in openapi/sources/, for checking the contract.

The documents are parsed, not re-typed: the REST reference's JSON blocks are found by balancing
braces under each endpoint, and the SDK guide's request bodies are read with ``ast`` from the
``create({...})``, ``update(id, {...})`` and keyword calls of its code samples.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from harness.paths import OPENAPI

REST = OPENAPI / "sources" / "rest-workspaces.txt"
SDK = OPENAPI / "sources" / "sdk-guide.txt"

SDK_CALLS = {
    ("projects", "create"): "createProject",
    ("projects", "update"): "updateProject",
    ("workspaces", "create"): "createWorkspace",
    ("volumes", "create"): "createVolume",
    ("projects", "add_collaborator"): "addProjectCollaborator",
    ("projects", "update_collaborator_role"): "updateProjectCollaboratorRole",
}


@dataclass(frozen=True)
class Example:
    source: str
    where: str
    value: Any
    operation_id: str | None  # None: the standalone Workspace object
    status: int | None  # None: a request body


def rest_examples() -> list[Example]:
    """Every JSON block of the REST reference, tagged with the endpoint and section it sits under."""
    lines = REST.read_text(encoding="utf-8").splitlines()
    endpoint, section, found = None, None, []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if re.fullmatch(r"(GET|POST|PUT|DELETE) /api/v1/\S+", line):
            endpoint = line
        elif line == "Request Body" or line.startswith("Response "):
            section = line
        if line == "{":
            block, depth = [], 0
            while True:
                text = lines[index]
                block.append(text)
                depth += text.count("{") - text.count("}")
                if depth == 0:
                    break
                index += 1
            found.append(_rest_example(endpoint, section, json.loads("\n".join(block))))
        index += 1
    return found


def _rest_example(endpoint: str | None, section: str | None, value: Any) -> Example:
    if endpoint is None:
        return Example("REST", "Workspace Object", value, None, None)
    method, path = endpoint.split(" ", 1)
    where = f"{endpoint} {section}"
    status = None if section == "Request Body" else int(section.split()[1])
    return Example("REST", where, value, _operation_for(method, path.replace(":id", "{workspaceId}")), status)


def _operation_for(method: str, path: str) -> str:
    from harness import spec

    for operation in spec.load().operations:
        if operation.method == method and operation.path == path:
            return operation.operation_id
    raise LookupError(f"no operation for {method} {path}")


def sdk_examples() -> list[Example]:
    """Every request body of the SDK guide's code samples, converted to the wire's camelCase."""
    text = SDK.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"client\.(projects|workspaces|volumes)\.(\w+)\(", text):
        operation_id = SDK_CALLS.get((match.group(1), match.group(2)))
        if operation_id is None:
            continue
        call = ast.parse("f(" + _balanced(text, match.end() - 1)[1:-1] + ")").body[0].value
        assert isinstance(call, ast.Call)
        dicts = [_literal(arg) for arg in call.args if isinstance(arg, ast.Dict)]
        keywords = {kw.arg: _literal(kw.value) for kw in call.keywords if kw.arg}
        body = dicts[0] if dicts else keywords
        where = f"client.{match.group(1)}.{match.group(2)} at offset {match.start()}"
        found.append(Example("SDK", where, camel_case(body), operation_id, None))
    return found


def _literal(node: ast.expr) -> Any:
    """Evaluate a literal; a variable (``project_id``) stands for an id, so it becomes a placeholder."""

    class Placeholders(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.Constant:
            return ast.Constant(f"<{name.id}>")

    return ast.literal_eval(Placeholders().visit(node))


def camel_case(body: dict[str, Any]) -> dict[str, Any]:
    """The SDK's snake_case field names mapped one to one onto the wire's camelCase."""
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value for key, value in body.items()}


def _balanced(text: str, start: int) -> str:
    depth = 0
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return text[start : end + 1]
    raise ValueError("unbalanced call")
