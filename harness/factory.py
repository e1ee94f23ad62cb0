"""Creating test data the safe way: every name carries the run prefix, every id is recorded.

Whatever a factory makes is in its registry, so it is removed afterwards (harness/registry.py),
also when the check fails; a sweep finds stragglers by the prefix alone. Each method is a setup
step (harness/steps.py): a finding on the way blocks the check that asked, charged to the
requirement that promises the step works.

This module is part of the toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from harness.client import ApiClient
from harness.expect import Patience, TimedOut, UnexpectedAnswer, expect, poll_until, read_field
from harness.registry import Registry
from harness.steps import PROMISES, setup_step, step

__all__ = ["Factory", "new_id", "prefixed"]

GETS = {"project": "getProject", "volume": "getVolume", "workspace": "getWorkspace"}
Json = dict[str, Any]


class MadeAhead(Protocol):
    """Running workspaces made ahead for the checks (the run's pool, harness/run/pool.py)."""

    def take(self, registry: Registry) -> str | None:
        """A workspace's id, now in ``registry``; None when none is left."""


# the requirement that promises a workspace reaches each state a check may wait for
REACHES = {"running": "WS-LIFE-002", "stopped": "WS-LIFE-004"}


def new_id(created: Any, kind: str) -> str:
    """The id a create answered: REST documents {workspaceId}; for projects and volumes the SDK's create
    'Returns Project' (.id) and the contract recommends {projectId}/{volumeId} (D-01), so either will do."""
    key = f"{kind}Id"
    if kind != "workspace" and isinstance(created, dict) and key not in created and isinstance(created.get("id"), str):
        return str(created["id"])
    return str(read_field(created, key, str, f"create {kind}"))


def prefixed(prefix: str, name: str, limit: int) -> str:
    """``name`` under the run prefix, cut to ``limit`` characters: a generated name the contract allows
    (up to its maxLength) must stay one it allows once the prefix is added."""
    return (prefix + name)[: max(limit, len(prefix))]


class Factory:
    def __init__(
        self,
        client: ApiClient,
        registry: Registry,
        prefix: str,
        *,
        patience: Patience,
        pool: MadeAhead | None = None,
        watch: Callable[[str], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.client = client
        self.registry = registry
        self.prefix = prefix
        self.patience = patience
        self.pool = pool
        self.watch = watch  # around each wait for a workspace (the run's progress display counts them)

    def name(self, kind: str) -> str:
        return f"{self.prefix}{kind}-{secrets.token_hex(3)}"

    @step("PRJ-LIFE-001", "creating a project")
    def project(self, **fields: Any) -> dict[str, Any]:
        body = {"name": self.name("project"), "description": "created by strongly-harness", **fields}
        created = expect(self.client.post("/api/v1/projects", json=body), "createProject", 201)
        self.registry.add("project", new_id(created, "project"))
        return self.get("project", new_id(created, "project"))

    @step("VOL-LIFE-001", "creating a volume")
    def volume(self, project_id: str, **fields: Any) -> dict[str, Any]:
        body = {"projectId": project_id, "label": self.name("volume"), "sizeGb": 1, **fields}
        created = expect(self.client.post("/api/v1/volumes", json=body), "createVolume", 201)
        self.registry.add("volume", new_id(created, "volume"))
        return self.get("volume", new_id(created, "volume"))

    @step("WS-LIFE-001", "creating a workspace")
    def workspace(self, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "name": self.name("workspace"),
            "description": "created by strongly-harness",
            "environmentType": "jupyter",
        }
        if project_id is not None:
            body["projectId"] = project_id
        created = expect(self.client.post("/api/v1/workspaces", json={**body, **fields}), "createWorkspace", 201)
        self.registry.add("workspace", new_id(created, "workspace"))
        return self.get("workspace", new_id(created, "workspace"))

    def running_workspace(
        self, project_id: str | None = None, *, pooled: bool = False, **fields: Any
    ) -> dict[str, Any]:
        """A new running workspace; ``pooled``: any such workspace will do, so one made ahead (harness/run/pool.py)."""
        taken = self.pool.take(self.registry) if pooled and self.pool and project_id is None and not fields else None
        return self.wait_until(taken or self.workspace(project_id, **fields)["id"], "running")

    def running_workspaces(self, project_id: str | None, count: int) -> list[Json]:
        """``count`` new running workspaces, created together so that they provision at the same time."""
        created = [self.workspace(project_id)["id"] for _ in range(count)]
        return [self.wait_until(workspace_id, "running") for workspace_id in created]

    def stopped_workspace(
        self, project_id: str | None = None, *, pooled: bool = False, **fields: Any
    ) -> dict[str, Any]:
        return self.stop(self.running_workspace(project_id, pooled=pooled, **fields)["id"])

    @step("WS-LIFE-004", "stopping a workspace")
    def stop(self, workspace_id: str) -> Json:
        """Stop a running workspace and wait until it reads as stopped (it may pass through `stopping`)."""
        expect(self.client.post(f"/api/v1/workspaces/{workspace_id}/stop"), "stopWorkspace", 200)
        return self.wait_until(workspace_id, "stopped")

    def wait_until(self, workspace_id: str, status: str, *, promised_by: str | None = None) -> dict[str, Any]:
        """Poll the workspace until it reaches ``status`` within the provisioning wait; a timeout counts
        against ``promised_by``, the requirement that says it gets there (by default the state's own)."""
        requirement = promised_by or REACHES.get(status, "WS-LIFE-002")
        watching = self.watch(workspace_id) if self.watch else contextlib.nullcontext()
        with setup_step(requirement, f"waiting for a workspace to become {status}"), watching:
            try:
                workspace = poll_until(
                    lambda: self.get("workspace", workspace_id),
                    lambda workspace: workspace["status"] == status,
                    timeout=self.patience.seconds(status),
                    what=f"workspace {workspace_id} becoming {status}{self.patience.reason(status)}",
                    goal=f"a workspace becoming {status}",
                )
            except TimedOut:
                self.patience.note(arrived=False, state=status)
                raise
        self.patience.note(arrived=True, state=status)
        return workspace

    @step("PRJ-COLLAB-002", "adding a collaborator")
    def collaborator(self, project_id: str, role: str = "viewer") -> dict[str, Any]:
        """A new collaborator of the project, as listed (the add answer 'Returns dict' in the SDK)."""
        email = f"{self.name('member')}@example.com"
        path = f"/api/v1/projects/{project_id}/collaborators"
        expect(self.client.post(path, json={"email": email, "role": role}), "addProjectCollaborator", 201)
        answer = self.client.get(path)
        listed = expect(answer, "listProjectCollaborators", 200)["collaborators"]
        found = [person for person in listed if isinstance(person, dict) and person.get("email") == email]
        if not found:  # a finding about the target, so the step blocks the check (a bare assert would fail it)
            raise UnexpectedAnswer(f"the collaborator {email} was added (201) but is not listed", answer,
                                   "listProjectCollaborators")  # fmt: skip
        return found[0]

    @step("VOL-SHARE-001", "sharing a volume")
    def shared_volume(self, project_id: str, **fields: Any) -> dict[str, Any]:
        volume = self.volume(project_id, **fields)
        expect(self.client.post(f"/api/v1/volumes/{volume['id']}/share"), "shareVolume", 200)
        return self.get("volume", volume["id"])

    def get(self, kind: str, resource_id: str) -> dict[str, Any]:
        operation = GETS[kind]
        with setup_step(PROMISES[operation], f"reading a {kind} back"):
            return expect(self.client.get(f"/api/v1/{kind}s/{resource_id}"), operation, 200)

    def forget(self, kind: str, resource_id: str) -> None:
        """A check deleted this resource itself."""
        self.registry.forget(kind, resource_id)
