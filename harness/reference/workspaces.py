"""Workspaces: create, read, change, and the provisioning lifecycle (D-06..D-13)."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from harness.reference.backend import Backend, owner_of
from harness.reference.errors import not_found, validation_failed
from harness.reference.keys import Principal
from harness.reference.seams import Seams
from harness.reference.store import dumps, iso, loads
from harness.reference.validation import CREATE_WORKSPACE, UPDATE_WORKSPACE, ListQuery, validate

DEFAULT_IMAGES = {
    "jupyter": "strongly/jupyter:latest",
    "vscode": "strongly/vscode:latest",
    "rstudio": "strongly/rstudio:latest",
}
DEFAULT_RESOURCES = {"cpu": "2", "memory": "4Gi", "gpu": "0", "gpuType": None, "storage": "10Gi"}
SORT_COLUMNS = {"name": "name", "status": "status", "createdAt": "created_at", "updatedAt": "updated_at"}
SERVERS = {
    "jupyter": ("Jupyter server", 8888),
    "vscode": ("VS Code server", 8080),
    "rstudio": ("RStudio server", 8787),
    "custom": ("container", 8000),
}
PHASES = {
    "pending": ("Pending", "Workspace is being provisioned"),
    "running": ("Running", "Workspace is running and ready"),
    "stopped": ("Stopped", "Workspace is stopped"),
    "failed": ("Failed", "Workspace failed to start"),
    "terminated": ("Terminated", "Workspace was terminated"),
}


class WorkspaceService(Seams):
    # what a planted fault may replace (harness/reference/seams.py)
    SEAMS = frozenset({"find", "get", "create", "update", "delete", "start", "stop", "restart", "sync",
                       "promote_due", "append_log", "store"})  # fmt: skip

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.store = backend.store

    # ---------------------------------------------------------------- reads
    def find(self, principal: Principal, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
        where, params = ["org_id = ?"], [principal.organization_id]
        filters = query.filters
        if filters.get("search"):
            where.append("matches(?, name, description)")
            params.append(filters["search"])
        if "status" in filters:
            where.append("status = ?")
            params.append(filters["status"])
        if "projectId" in filters:
            where.append("project_id = ?")
            params.append(filters["projectId"])
        rows, count = self.backend.page("workspaces", where, params, query, SORT_COLUMNS)
        return [self.summary(row) for row in rows], count

    def get(self, principal: Principal, workspace_id: str) -> dict[str, Any]:
        return self.full(self.row(principal, workspace_id))

    def status(self, principal: Principal, workspace_id: str) -> dict[str, Any]:
        return self.status_view(self.row(principal, workspace_id))

    def metrics(self, principal: Principal, workspace_id: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        self.backend.rules.read_metrics(row)
        return utilization(row["id"], loads(row["resources"]))

    def logs(self, principal: Principal, workspace_id: str, log_type: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        lines = self.store.all(
            "SELECT line FROM logs WHERE workspace_id = ? AND log_type = ? ORDER BY seq", row["id"], log_type
        )
        text = "".join(line["line"] + "\n" for line in lines)
        return {"workspaceId": row["id"], "logType": log_type, "logs": text}

    # ---------------------------------------------------------------- writes
    def create(self, principal: Principal, body: dict[str, Any]) -> str:
        validate(CREATE_WORKSPACE, body)
        if body["environmentType"] == "custom" and "image" not in body:
            raise validation_failed([{"field": "image", "message": "is required for a custom environment"}])
        project_id = body.get("projectId")
        if project_id is not None:
            self.backend.rules.modify_project(self.backend.project_row(principal, project_id))
        image = body.get("image") or DEFAULT_IMAGES[body["environmentType"]]
        resources = {**DEFAULT_RESOURCES, **body.get("resources", {})}
        workspace_id = self.backend.new_id("ws")
        now = self.backend.now()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO workspaces (id, org_id, project_id, name, description, status, environment_type, image,"
                " resources, owner, scheduled_at, ready_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace_id,
                    principal.organization_id,
                    project_id,
                    body["name"],
                    body["description"],
                    body["environmentType"],
                    image,
                    dumps(resources),
                    dumps(principal.owner()),
                    now,
                    self._ready_time(),
                    now,
                    now,
                ),
            )
            self._log_build(workspace_id, image)
            self.append_log(workspace_id, "deploy", f"Scheduling workspace ({describe(resources)})")
            self.backend.record(project_id, "workspace.created", principal, "workspace", workspace_id)
        return workspace_id

    def update(self, principal: Principal, workspace_id: str, body: dict[str, Any]) -> dict[str, Any]:
        row = self.row(principal, workspace_id)
        validate(UPDATE_WORKSPACE, body)
        self.backend.rules.change_runtime(row, body)
        resources = {**loads(row["resources"]), **body.get("resources", {})}
        with self.store.transaction() as db:
            db.execute(
                "UPDATE workspaces SET name = ?, description = ?, image = ?, resources = ?, updated_at = ?"
                " WHERE id = ?",
                (
                    body.get("name", row["name"]),
                    body.get("description", row["description"]),
                    body.get("image", row["image"]),
                    dumps(resources),
                    self.backend.now(),
                    row["id"],
                ),
            )
            if "image" in body:
                self._log_build(row["id"], body["image"])
            self.backend.record(row["project_id"], "workspace.updated", principal, "workspace", row["id"])
        return self.get(principal, workspace_id)

    def delete(self, principal: Principal, workspace_id: str) -> None:
        row = self.row(principal, workspace_id)
        self.backend.rules.delete_workspace(row)
        with self.store.transaction() as db:
            db.execute("DELETE FROM workspaces WHERE id = ?", (row["id"],))
            db.execute("DELETE FROM logs WHERE workspace_id = ?", (row["id"],))
            self.backend.record(row["project_id"], "workspace.deleted", principal, "workspace", row["id"])

    def start(self, principal: Principal, workspace_id: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        self.backend.rules.start(row)
        self._provision(row, "Starting workspace")
        self.backend.record(row["project_id"], "workspace.started", principal, "workspace", row["id"])
        return {"message": "Workspace starting", "workspaceId": row["id"], "status": "pending"}

    def stop(self, principal: Principal, workspace_id: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        self.backend.rules.stop(row)
        now = self.backend.now()
        with self.store.transaction() as db:
            db.execute(
                "UPDATE workspaces SET status = 'stopped', stopped_at = ?, ready_at = NULL, updated_at = ?"
                " WHERE id = ?",
                (now, now, row["id"]),
            )
            self.append_log(row["id"], "deploy", "Stopping workspace; compute released, state preserved")
            self.backend.record(row["project_id"], "workspace.stopped", principal, "workspace", row["id"])
        return {"message": "Workspace stopping", "workspaceId": row["id"], "status": "stopped"}

    def restart(self, principal: Principal, workspace_id: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        self.backend.rules.restart(row)
        self._provision(row, "Restarting workspace")
        self.backend.record(row["project_id"], "workspace.restarted", principal, "workspace", row["id"])
        return {"message": "Workspace restarting", "workspaceId": row["id"], "status": "pending"}

    def sync(self, principal: Principal, workspace_id: str) -> dict[str, str]:
        row = self.row(principal, workspace_id)
        volume_ids = self.backend.project_volume_ids(row["project_id"])
        self.backend.rules.sync_workspace(row, volume_ids)
        with self.store.transaction():
            self.append_log(row["id"], "pod", f"Synced workspace files to {', '.join(volume_ids)}")
            self.backend.record(row["project_id"], "workspace.synced", principal, "workspace", row["id"])
        return {"message": "Workspace sync initiated", "workspaceId": row["id"]}

    def promote_due(self) -> None:
        """Workspaces whose provisioning time has come become running (D-06), with their pod logs."""
        now = self.backend.now()
        due = self.store.all("SELECT * FROM workspaces WHERE status = 'pending' AND ready_at <= ?", now)
        if not due:
            return
        with self.store.transaction() as db:
            for row in due:
                db.execute(
                    "UPDATE workspaces SET status = 'running', updated_at = max(updated_at, ready_at) WHERE id = ?",
                    (row["id"],),
                )
                server, port = SERVERS[row["environment_type"]]
                self.append_log(row["id"], "pod", f"Starting {server}...", at=row["ready_at"])
                self.append_log(row["id"], "pod", f"{server} is running at https://0.0.0.0:{port}", at=row["ready_at"])

    # ---------------------------------------------------------------- views
    def row(self, principal: Principal, workspace_id: str) -> dict[str, Any]:
        row = self.store.one(
            "SELECT * FROM workspaces WHERE id = ? AND org_id = ?", workspace_id, principal.organization_id
        )
        if row is None:
            raise not_found("workspace", workspace_id)
        return dict(row)

    def summary(self, row: dict[str, Any]) -> dict[str, Any]:
        running = row["status"] == "running"
        return {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "environmentType": row["environment_type"],
            "image": row["image"],
            "organizationId": row["org_id"],
            "ownerId": owner_of(row)["id"],
            "url": f"https://ws-{row['id'].removeprefix('ws_')}.workspaces.strongly.local" if running else None,
            "projectId": row["project_id"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }

    def full(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.summary(row),
            "resources": loads(row["resources"]),
            "owner": owner_of(row),
            "volumeIds": self.backend.project_volume_ids(row["project_id"]),
        }

    def status_view(self, row: dict[str, Any]) -> dict[str, Any]:
        phase, message = PHASES[row["status"]]
        if row["status"] == "stopped":
            scheduled = ready = ("False", row["stopped_at"])
        else:
            scheduled = ("True", row["scheduled_at"])
            ready = ("True", row["ready_at"]) if row["status"] == "running" else ("False", row["scheduled_at"])
        return {
            "phase": phase,
            "ready": row["status"] == "running",
            "message": message,
            "conditions": [
                {"type": "PodScheduled", "status": scheduled[0], "lastTransitionTime": scheduled[1]},
                {"type": "Ready", "status": ready[0], "lastTransitionTime": ready[1]},
            ],
        }

    # ---------------------------------------------------------------- helpers
    def _provision(self, row: dict[str, Any], reason: str) -> None:
        now = self.backend.now()
        with self.store.transaction() as db:
            db.execute(
                "UPDATE workspaces SET status = 'pending', scheduled_at = ?, ready_at = ?, stopped_at = NULL,"
                " updated_at = ? WHERE id = ?",
                (now, self._ready_time(), now, row["id"]),
            )
            self.append_log(row["id"], "deploy", f"{reason} ({describe(loads(row['resources']))})")

    def _ready_time(self) -> str:
        return iso(self.backend.clock.now() + self.backend.provision_delay)

    def _log_build(self, workspace_id: str, image: str) -> None:
        self.append_log(workspace_id, "build", f"Pulling image {image}")
        self.append_log(workspace_id, "build", f"Image {image} ready")

    def append_log(self, workspace_id: str, log_type: str, text: str, *, at: str | None = None) -> None:
        stamp = (at or self.backend.now())[:19] + "Z"
        self.store.db.execute(
            "INSERT INTO logs (workspace_id, log_type, line) VALUES (?, ?, ?)",
            (workspace_id, log_type, f"{stamp} {text}"),
        )


def describe(resources: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in resources.items() if value is not None)


def utilization(workspace_id: str, resources: dict[str, Any]) -> dict[str, str]:
    """Plausible usage that stays within the allocation (D-02) and drifts every few seconds."""
    cpu_share, memory_share, disk_share, gpu_share = _shares(workspace_id)
    gpu_count = int(resources["gpu"])
    return {
        "cpuUsage": f"{math.floor(cpu_cores(resources['cpu']) * cpu_share * 10) / 10:.1f}",
        "memoryUsage": byte_quantity(gibibytes(resources["memory"]) * memory_share),
        "gpuUsage": f"{math.floor(gpu_share * 100)}%" if gpu_count else "0%",
        "diskUsage": byte_quantity(gibibytes(resources["storage"]) * disk_share),
    }


def cpu_cores(quantity: str) -> float:
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def gibibytes(quantity: str) -> float:
    scale = {"Mi": 1 / 1024, "Gi": 1.0, "Ti": 1024.0}[quantity[-2:]]
    return int(quantity[:-2]) * scale


def byte_quantity(gib: float) -> str:
    if gib >= 1:
        return f"{math.floor(gib * 10) / 10:.1f}Gi"
    return f"{math.floor(gib * 1024)}Mi"


def _shares(workspace_id: str) -> tuple[float, ...]:
    digest = hashlib.sha256(f"{workspace_id}:{int(time.time() // 5)}".encode()).digest()
    return tuple(0.05 + 0.9 * digest[i] / 255 for i in range(4))
