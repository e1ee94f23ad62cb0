"""Creating test data the safe way: every name carries the run prefix, every id is recorded.

Whatever a factory makes is in its registry, so it is removed afterwards (harness/registry.py),
also when the check fails; a sweep finds stragglers by the prefix alone.
"""

from __future__ import annotations

import secrets
from typing import Any

from harness.client import ApiClient
from harness.expect import TimedOut, expect, poll_until
from harness.registry import Registry


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


class Factory:
    def __init__(self, client: ApiClient, registry: Registry, prefix: str, *, patience: Patience) -> None:
        self.client = client
        self.registry = registry
        self.prefix = prefix
        self.patience = patience

    def name(self, kind: str) -> str:
        return f"{self.prefix}{kind}-{secrets.token_hex(3)}"

    def project(self, **fields: Any) -> dict[str, Any]:
        body = {"name": self.name("project"), "description": "created by strongly-harness", **fields}
        created = expect(self.client.post("/api/v1/projects", json=body), "createProject", 201)
        self.registry.add("project", created["projectId"])
        return self.get("project", created["projectId"])

    def volume(self, project_id: str, **fields: Any) -> dict[str, Any]:
        body = {"projectId": project_id, "label": self.name("volume"), "sizeGb": 1, **fields}
        created = expect(self.client.post("/api/v1/volumes", json=body), "createVolume", 201)
        self.registry.add("volume", created["volumeId"])
        return self.get("volume", created["volumeId"])

    def workspace(self, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "name": self.name("workspace"),
            "description": "created by strongly-harness",
            "environmentType": "jupyter",
        }
        if project_id is not None:
            body["projectId"] = project_id
        created = expect(self.client.post("/api/v1/workspaces", json={**body, **fields}), "createWorkspace", 201)
        self.registry.add("workspace", created["workspaceId"])
        return self.get("workspace", created["workspaceId"])

    def running_workspace(self, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
        workspace = self.workspace(project_id, **fields)
        return self.wait_until(workspace["id"], "running")

    def stopped_workspace(self, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
        workspace = self.running_workspace(project_id, **fields)
        expect(self.client.post(f"/api/v1/workspaces/{workspace['id']}/stop"), "stopWorkspace", 200)
        return self.get("workspace", workspace["id"])

    def wait_until(self, workspace_id: str, status: str) -> dict[str, Any]:
        """Poll the workspace until it reaches ``status`` within the provisioning wait."""
        try:
            workspace = poll_until(
                lambda: self.get("workspace", workspace_id),
                lambda workspace: workspace["status"] == status,
                timeout=self.patience.seconds,
                what=f"workspace {workspace_id} becoming {status}{self.patience.reason()}",
            )
        except TimedOut:
            self.patience.note(arrived=False)
            raise
        self.patience.note(arrived=True)
        return workspace

    def get(self, kind: str, resource_id: str) -> dict[str, Any]:
        operation = {"project": "getProject", "volume": "getVolume", "workspace": "getWorkspace"}[kind]
        return expect(self.client.get(f"/api/v1/{kind}s/{resource_id}"), operation, 200)

    def forget(self, kind: str, resource_id: str) -> None:
        """A check deleted this resource itself."""
        self.registry.forget(kind, resource_id)
