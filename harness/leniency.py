"""The default level's schemas, derived from the strict contract in one place, each rule with its reason.

``openapi/strongly-v1.yaml`` is the strict contract: our choices included (closed sets, limits,
patterns, the error body, ``{xId}`` create answers). A vendor who follows the two source documents
may choose otherwise where they leave room, so MUST-level validation uses a schema derived here: it
keeps the fields and types the documents show and drops what only we decided. ``--strict`` and the
SHOULD GEN-SCHEMA-005 still judge bodies against the contract as written.
"""

from __future__ import annotations

import copy
from typing import Any

# What the suites may read of it: what the documents give each operation (contracts/ judge by these).
__all__ = ["DOCUMENTED_ENVELOPES", "DOCUMENTED_FIELDS", "DOCUMENTED_QUERY", "DOCUMENTED_SUCCESS", "PLAIN_LISTS",
           "RESOURCE_FIELDS"]  # fmt: skip

# Keywords dropped everywhere: the documents state no limit and no format for any value.
DROPPED = {
    "maxLength": "no length limit is documented (name ≤128, search ≤200, image ≤255 are ours)",
    "maximum": "no upper bound is documented (offset ≤2^31-1, limit ≤100, sizeGb ≤65536 are ours)",
    "pattern": "no value format is documented (tag, image, quantities, sort and error codes are ours)",
}
# Dropped from query parameters too: the documents give limit and offset defaults, never bounds.
QUERY_DROPPED = {"minimum": "limit ≥ 1 and offset ≥ 0 are ours (D-05); a list may clamp or ignore them"}
# Closed sets the documents list in full; every other enum is open ("e.g." in the SDK) or ours.
DOCUMENTED_SETS = {
    frozenset({"pending", "running", "stopped", "failed", "terminated"}):
        "REST: Filter by status: pending, running, stopped, failed, terminated",
    frozenset({"jupyter", "vscode", "rstudio", "custom"}): "REST: Environment type: jupyter, vscode, rstudio, custom",
    frozenset({"build", "deploy", "pod"}): "REST: Log type: build, deploy, pod",
}  # fmt: skip
ANY_OBJECT: dict[str, Any] = {"type": "object"}
# Component schemas replaced whole, by what the documents show of them.
REPLACED: dict[str, tuple[dict[str, Any], str]] = {
    "Error": ({}, "no error body is documented anywhere (D-14): any answer, it must only parse as JSON"),
    "Owner": ({"anyOf": [{"$ref": "#/components/schemas/OwnerObject"}, {"type": "string"}]},
              "REST shows an object, the SDK's Project and Volume say 'owner str Owner name' (D-19)"),
    "ProjectCreated": ({"type": "object", "anyOf": [{"required": ["projectId"]}, {"required": ["id"]}]},
                       "the SDK's create 'Returns Project' (project.id); {projectId} is ours (D-01)"),
    "VolumeCreated": ({"type": "object", "anyOf": [{"required": ["volumeId"]}, {"required": ["id"]}]},
                      "the SDK's create 'Returns Volume' (vol.id); {volumeId} is ours (D-01)"),
    "ProjectAction": (ANY_OBJECT, "archive and restore 'Returns dict' in the SDK"),
    "VolumeAction": (ANY_OBJECT, "make_shared and sync 'Returns dict' in the SDK"),
    "WorkspaceMetrics": ({"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                         "REST shows strings ('2.4', '12.8Gi'), the SDK floats ('cpu_usage float') (D-02)"),
}  # fmt: skip
# Responses replaced per operation and status.
RESPONSES: dict[str, tuple[dict[str, Any], str]] = {
    "addProjectCollaborator:201": (ANY_OBJECT, "add_collaborator 'Returns dict' in the SDK"),
    "addProjectCollaborator:200": (ANY_OBJECT, "add_collaborator 'Returns dict' in the SDK"),
    "updateProjectCollaboratorRole:200": (ANY_OBJECT, "update_collaborator_role 'Returns dict' in the SDK"),
}  # fmt: skip


# The success statuses the REST reference shows ("Response 201 Created", "Response 204 No Content", ...). The
# SDK names none for projects, volumes and collaborators ("create(body) ... Returns Project", "delete ... dict"):
# there any 2xx is a success and the contract's status a recommendation (GEN-STATUS-001).
DOCUMENTED_SUCCESS = {
    "listWorkspaces": 200, "createWorkspace": 201, "getWorkspace": 200, "updateWorkspace": 200,
    "deleteWorkspace": 204, "startWorkspace": 200, "stopWorkspace": 200, "restartWorkspace": 200,
    "getWorkspaceStatus": 200, "getWorkspaceMetrics": 200, "getWorkspaceLogs": 200, "syncWorkspace": 200,
}  # fmt: skip
# The query parameters the documents give each operation: the REST reference's tables, the SDK's signatures
# ("list(*, search=None, status=None, category=None, tag=None, limit=50)"). Any other is ours: a server may
# refuse or ignore it, and a check may not hold it to what we decided it means.
DOCUMENTED_QUERY = {
    "listWorkspaces": frozenset({"search", "status", "projectId", "limit", "offset", "sort"}),
    "getWorkspaceLogs": frozenset({"type"}),
    "listProjects": frozenset({"search", "status", "category", "tag", "limit"}),
    "listVolumes": frozenset({"search", "type", "projectId", "limit"}),
    "listSharedVolumes": frozenset({"search", "limit"}),
    "listProjectActivity": frozenset({"limit", "offset"}),
    "listProjectWorkspaces": frozenset({"limit"}),
}
# The request body fields the documents give each operation: the REST reference's field tables, the SDK's create
# tables and keyword arguments (its snake_case in camelCase: size_gb is sizeGb). Any other field is ours.
RESOURCE_FIELDS = frozenset({"cpu", "memory", "gpu", "gpuType", "storage"})
DOCUMENTED_FIELDS = {
    "createWorkspace": frozenset({"name", "description", "environmentType", "image", "resources", "projectId"}),
    "updateWorkspace": frozenset({"name", "description", "image", "resources"}),
    "createProject": frozenset({"name", "description", "category", "visibility", "tags"}),
    "updateProject": frozenset({"name", "description", "category", "visibility", "tags"}),
    "createVolume": frozenset({"projectId", "label", "sizeGb", "description", "type", "mountPath"}),
    "updateVolume": frozenset({"label", "sizeGb", "description", "type", "mountPath"}),
    "addProjectCollaborator": frozenset({"email", "role", "userId"}),
    "updateProjectCollaboratorRole": frozenset({"role"}),
}
# Lists whose envelope the REST reference shows ({"count", "limit", "offset", "workspaces": [...]}). The others
# are the SDK's paginators and plain lists: their envelope's keys are ours (GEN-LIST-006), and the SDK's
# "List[...]" ones may come as a plain array.
DOCUMENTED_ENVELOPES = {"listWorkspaces": "workspaces"}
PLAIN_LISTS = {
    "listProjectVolumes": "volumes(project_id) ... List[Volume]",
    "listProjectCollaborators": "collaborators(project_id) ... List[ProjectCollaborator]",
}
# Fields a create leaves optional: a resource made without them may answer null (or omit them) for them.
OPTIONAL_ON_CREATE = {
    "Project": ("category", "visibility", "tags", "defaultDataVolumeId"),
    "Volume": ("description", "type", "mountPath"),
    "WorkspaceMetrics": ("gpuUsage",),
}


def lenient_list(schema: dict[str, Any], plain: bool) -> dict[str, Any]:
    """An SDK list at the default level: an envelope whose count, limit and offset are integers where given and
    whose items are under any key (the contract's, or another the target chose); for "List[...]" also a plain
    array. A check finds the items by key, or as the envelope's one array (contracts/support.py)."""
    items = list_items(schema)
    envelope = {"type": "object", "properties": {**{name: {"type": "integer"} for name in ("count", "limit", "offset")},
                                                 "*": {}}}  # fmt: skip
    envelope["additionalProperties"] = {}
    if items is not None:
        key, item = items
        envelope["properties"] = {**envelope["properties"], key: {"type": "array", "items": item}}
    del envelope["properties"]["*"]
    return {"anyOf": [envelope, {"type": "array", "items": items[1] if items else {}}]} if plain else envelope


def list_items(schema: Any) -> tuple[str, Any] | None:
    """(key, item schema) of the array a strict list schema holds, found through its allOf parts."""
    parts = [schema, *schema.get("allOf", [])] if isinstance(schema, dict) else []
    for part in parts:
        for key, value in (part.get("properties") or {}).items():
            if isinstance(value, dict) and value.get("type") == "array":
                return key, value.get("items", {})
    return None


def lenient_components(components: dict[str, Any]) -> dict[str, Any]:
    """The components with every rule applied (the strict Owner kept as OwnerObject for the anyOf)."""
    relaxed = copy.deepcopy(components)
    schemas = relaxed["schemas"]
    schemas["OwnerObject"] = schemas["Owner"]
    for name, (replacement, _why) in REPLACED.items():
        schemas[name] = copy.deepcopy(replacement)
    for name, fields in OPTIONAL_ON_CREATE.items():
        schema = schemas[name]
        schema["required"] = [field for field in schema.get("required", []) if field not in fields]
        if isinstance(schema.get("additionalProperties"), dict):  # metrics: every value may be null
            schema["additionalProperties"] = {"anyOf": [schema["additionalProperties"], {"type": "null"}]}
    return relax(relaxed)


def relax(node: Any, *, query: bool = False) -> Any:
    """Drop undocumented limits and closed sets, and read ``null`` as absent for optional fields."""
    if isinstance(node, list):
        return [relax(item, query=query) for item in node]
    if not isinstance(node, dict):
        return node
    dropped = DROPPED.keys() | (QUERY_DROPPED.keys() if query else set())
    out = {key: relax(value, query=query) for key, value in node.items() if key not in dropped}
    if "enum" in out and frozenset(v for v in out["enum"] if v is not None) not in DOCUMENTED_SETS:
        del out["enum"]
    if out.get("additionalProperties") is False:
        del out["additionalProperties"]  # answers may grow fields (D-17)
    properties = out.get("properties")
    if isinstance(properties, dict):
        required = set(out.get("required", []))
        out["properties"] = {
            name: schema if name in required else {"anyOf": [schema, {"type": "null"}]}
            for name, schema in properties.items()
        }
    return out


def lenient_response(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response schema (standalone, with its components) at the default level."""
    operation, _, status = key.partition(":")
    body = {k: v for k, v in schema.items() if k != "components"}
    strict = resolve_local(body, schema)
    if key in RESPONSES:
        body = copy.deepcopy(RESPONSES[key][0])
    elif operation.startswith("list") and status == "200" and operation not in DOCUMENTED_ENVELOPES:
        body = relax(lenient_list(strict, operation in PLAIN_LISTS))
    else:
        body = relax(body)
    return {**body, "components": lenient_components(schema["components"])}


def resolve_local(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def rules() -> list[tuple[str, str]]:
    """Every derived rule with its reason, for ARCHITECTURE.md and the tests."""
    return ([(f"drop {key}", why) for key, why in DROPPED.items()]
            + [(f"drop {key} in query parameters", why) for key, why in QUERY_DROPPED.items()]
            + [(f"keep enum {sorted(values)}", why) for values, why in DOCUMENTED_SETS.items()]
            + [("drop other enums", "the SDK says 'e.g.' or the documents name no set (D-23, D-28, D-12)"),
               ("null as absent", "an optional field answered null is a field not given")]
            + [(f"replace {name}", why) for name, (_, why) in REPLACED.items()]
            + [(f"replace {key}", why) for key, (_, why) in RESPONSES.items()]
            + [("SDK lists: any items key, optional count/limit/offset", "the REST reference shows only the "
                "workspaces envelope; the SDK's paginators and lists show none")]
            + [(f"plain array for {op}", why) for op, why in PLAIN_LISTS.items()]
            + [(f"optional {name}.{field}", "optional on create, or the SDK's float that has no value without a "
                "GPU") for name, fields in OPTIONAL_ON_CREATE.items() for field in fields])  # fmt: skip
