"""The default level's schemas: derived from the strict contract, they keep what the documents show."""

from __future__ import annotations

from harness import spec
from harness.leniency import DOCUMENTED_SETS, rules

WORKSPACE = {
    "id": "ws_1", "name": "n", "description": "d", "status": "running", "environmentType": "jupyter",
    "image": "strongly/jupyter:latest", "resources": {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi"},
    "organizationId": "org_1", "owner": {"id": "u1", "name": "Jane", "email": "j@example.com"}, "ownerId": "u1",
    "url": None, "projectId": None, "volumeIds": [], "createdAt": "2025-01-16T11:00:00Z",
    "updatedAt": "2025-02-01T08:00:00Z",
}  # fmt: skip


def valid(operation_id: str, status: int, body: object, *, strict: bool) -> bool:
    validator = spec.load().response_validator(operation_id, status, strict=strict)
    return validator is not None and validator.is_valid(body)


def test_what_the_sdk_shows_passes_the_default_level_only() -> None:
    """owner as the SDK's string, metrics as floats, any error body: default yes, strict no."""
    sdk_workspace = {**WORKSPACE, "owner": "Jane Smith"}
    metrics = {"cpuUsage": 85.0, "memoryUsage": 40.5, "gpuUsage": 0.0, "diskUsage": 12.0}
    error = {"error": {"message": "not found"}}

    cases = [("getWorkspace", 200, sdk_workspace), ("getWorkspaceMetrics", 200, metrics), ("getWorkspace", 404, error)]
    for operation_id, status, body in cases:
        assert valid(operation_id, status, body, strict=False), operation_id
        assert not valid(operation_id, status, body, strict=True), operation_id


def test_the_default_level_still_holds_documented_fields_and_types() -> None:
    """A missing documented field, a wrong type, or a status outside the REST list fails both levels."""
    missing = {key: value for key, value in WORKSPACE.items() if key != "status"}
    for body in (missing, {**WORKSPACE, "name": 5}, {**WORKSPACE, "status": "stopping"}):
        assert not valid("getWorkspace", 200, body, strict=False)
        assert not valid("getWorkspace", 200, body, strict=True)
    assert valid("getWorkspace", 200, WORKSPACE, strict=True)


def test_requests_beyond_our_limits_break_nothing_documented() -> None:
    """A 200-character name or an unlisted visibility is documented-valid; a missing required field is not."""
    contract = spec.load()
    long_name = {"name": "n" * 200, "description": "d", "visibility": "team", "tags": ["Not A Tag!"]}

    assert contract.documented_request_errors("createProject", long_name, {}) == []
    assert (
        contract.documented_request_errors("listWorkspaces", None, {"offset": "2147483648", "search": "s" * 300}) == []
    )
    assert contract.documented_request_errors("createProject", {"name": "n"}, {}) != []
    assert contract.documented_request_errors("listWorkspaces", None, {"status": "asleep"}) != []


def test_every_rule_has_a_reason() -> None:
    """Each derived rule is listed with why the documents allow it; the kept sets quote the REST reference."""
    assert all(reason for _, reason in rules())
    assert all(why.startswith("REST: ") for why in DOCUMENTED_SETS.values())
