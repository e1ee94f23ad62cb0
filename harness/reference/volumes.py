"""Volumes: persistent storage in a project, shareable with the organization (D-31, D-32)."""

from __future__ import annotations

import re
from typing import Any

from harness.reference.backend import Backend, owner_of
from harness.reference.errors import not_found
from harness.reference.keys import Principal
from harness.reference.seams import Seams
from harness.reference.store import dumps, loads
from harness.reference.validation import CREATE_VOLUME, UPDATE_VOLUME, ListQuery, validate

SORT_COLUMNS = {"label": "label", "sizeGb": "size_gb", "createdAt": "created_at", "updatedAt": "updated_at"}


class VolumeService(Seams):
    # what a planted fault may replace (harness/reference/seams.py)
    SEAMS = frozenset({"find", "get", "create", "update", "delete", "sync", "share", "store"})

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.store = backend.store

    # ---------------------------------------------------------------- reads
    def find(
        self, principal: Principal, query: ListQuery, *, shared_only: bool = False
    ) -> tuple[list[dict[str, Any]], int]:
        where, params = ["org_id = ?"], [principal.organization_id]
        filters = query.filters
        if shared_only:
            where.append("is_shared = 1")
        if filters.get("search"):
            where.append("matches(?, label, name, description)")
            params.append(filters["search"])
        if "type" in filters:
            where.append("type = ?")
            params.append(filters["type"])
        if "projectId" in filters:
            where.append("project_id = ?")
            params.append(filters["projectId"])
        rows, count = self.backend.page("volumes", where, params, query, SORT_COLUMNS)
        return [self.view(row) for row in rows], count

    def get(self, principal: Principal, volume_id: str) -> dict[str, Any]:
        return self.view(self.row(principal, volume_id))

    # ---------------------------------------------------------------- writes
    def create(self, principal: Principal, body: dict[str, Any]) -> str:
        validate(CREATE_VOLUME, body)
        project = self.backend.project_row(principal, body["projectId"])
        self.backend.rules.modify_project(project)
        volume_id = self.backend.new_id("vol")
        name = system_name(body["label"], volume_id)
        now = self.backend.now()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO volumes (id, org_id, project_id, label, name, description, status, type, volume_type,"
                " size_gb, mount_path, is_shared, shared_with, owner, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'available', ?, 'standard', ?, ?, 0, '[]', ?, ?, ?)",
                (
                    volume_id,
                    principal.organization_id,
                    project["id"],
                    body["label"],
                    name,
                    body.get("description", ""),
                    body.get("type", "data"),
                    float(body["sizeGb"]),
                    body.get("mountPath", f"/mnt/{name}"),
                    dumps(principal.owner()),
                    now,
                    now,
                ),
            )
            self.backend.record(project["id"], "volume.created", principal, "volume", volume_id)
        return volume_id

    def update(self, principal: Principal, volume_id: str, body: dict[str, Any]) -> dict[str, Any]:
        row = self.row(principal, volume_id)
        validate(UPDATE_VOLUME, body)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE volumes SET label = ?, description = ?, size_gb = ?, mount_path = ?, updated_at = ?"
                " WHERE id = ?",
                (
                    body.get("label", row["label"]),
                    body.get("description", row["description"]),
                    float(body.get("sizeGb", row["size_gb"])),
                    body.get("mountPath", row["mount_path"]),
                    self.backend.now(),
                    row["id"],
                ),
            )
            self.backend.record(row["project_id"], "volume.updated", principal, "volume", row["id"])
        return self.get(principal, volume_id)

    def delete(self, principal: Principal, volume_id: str) -> None:
        row = self.row(principal, volume_id)
        live = self.store.scalar(
            "SELECT COUNT(*) FROM workspaces WHERE project_id = ? AND status IN ('pending', 'running')",
            row["project_id"],
        )
        self.backend.rules.delete_volume(self.view(row), live)
        with self.store.transaction() as db:
            db.execute("DELETE FROM volumes WHERE id = ?", (row["id"],))
            self.backend.record(row["project_id"], "volume.deleted", principal, "volume", row["id"])

    def sync(self, principal: Principal, volume_id: str) -> dict[str, Any]:
        row = self.row(principal, volume_id)
        with self.store.transaction():
            self.backend.record(row["project_id"], "volume.synced", principal, "volume", row["id"])
        return {"message": "Volume sync initiated", "volumeId": row["id"]}

    def share(self, principal: Principal, volume_id: str) -> dict[str, Any]:
        row = self.row(principal, volume_id)
        self.backend.rules.share(self.view(row))
        with self.store.transaction() as db:
            db.execute("UPDATE volumes SET is_shared = 1, updated_at = ? WHERE id = ?", (self.backend.now(), row["id"]))
            self.backend.record(row["project_id"], "volume.shared", principal, "volume", row["id"])
        return {"message": "Volume shared with the organization", "volumeId": row["id"], "isShared": True}

    # ---------------------------------------------------------------- views
    def row(self, principal: Principal, volume_id: str) -> dict[str, Any]:
        row = self.store.one("SELECT * FROM volumes WHERE id = ? AND org_id = ?", volume_id, principal.organization_id)
        if row is None:
            raise not_found("volume", volume_id)
        return dict(row)

    def view(self, row: dict[str, Any]) -> dict[str, Any]:
        owner = owner_of(row)
        shared = bool(row["is_shared"])
        return {
            "id": row["id"],
            "label": row["label"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "type": row["type"],
            "volumeType": row["volume_type"],
            "sizeGb": row["size_gb"],
            "mountPath": row["mount_path"],
            "organizationId": row["org_id"],
            "owner": owner,
            "ownerId": owner["id"],
            "projectId": row["project_id"],
            "isShared": shared,
            "shared": shared,
            "sharedWith": loads(row["shared_with"]),
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }


def system_name(label: str, volume_id: str) -> str:
    """A DNS-safe name from the label, made unique by the id's tail (like a Kubernetes PVC name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40].strip("-") or "volume"
    return f"{slug}-{volume_id[-6:]}"
