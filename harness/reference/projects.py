"""Projects: their collaborators, activity feed, statistics and archive state (D-24..D-30, D-34, D-35)."""

from __future__ import annotations

import hashlib
from typing import Any

from harness.reference.backend import Backend, owner_of
from harness.reference.errors import not_found
from harness.reference.keys import Principal
from harness.reference.seams import Seams
from harness.reference.store import dumps, loads
from harness.reference.validation import (
    ADD_COLLABORATOR,
    CREATE_PROJECT,
    UPDATE_COLLABORATOR,
    UPDATE_PROJECT,
    ListQuery,
    validate,
)

SORT_COLUMNS = {"name": "name", "createdAt": "created_at", "updatedAt": "updated_at"}


class ProjectService(Seams):
    # what a planted fault may replace (harness/reference/seams.py)
    SEAMS = frozenset({"find", "get", "create", "update", "delete", "stats", "archive", "restore", "add_collaborator",
                       "update_collaborator", "remove_collaborator", "user_id_for", "store",
                       "collaborators"})  # fmt: skip

    def __init__(self, backend: Backend, known_users: dict[str, str]) -> None:
        self.backend = backend
        self.store = backend.store
        self.known_users = {email.casefold(): user_id for email, user_id in known_users.items()}

    # ---------------------------------------------------------------- reads
    def find(self, principal: Principal, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
        where, params = ["org_id = ?"], [principal.organization_id]
        filters = query.filters
        if filters.get("search"):
            where.append("matches(?, name, description)")
            params.append(filters["search"])
        for name, column in (("status", "status"), ("category", "category")):
            if name in filters:
                where.append(f"{column} = ?")
                params.append(filters[name])
        if "tag" in filters:
            where.append("EXISTS (SELECT 1 FROM json_each(projects.tags) WHERE value = ?)")
            params.append(filters["tag"])
        rows, count = self.backend.page("projects", where, params, query, SORT_COLUMNS)
        return [self.view(row) for row in rows], count

    def get(self, principal: Principal, project_id: str) -> dict[str, Any]:
        return self.view(self.backend.project_row(principal, project_id))

    def stats(self, principal: Principal, project_id: str) -> dict[str, Any]:
        project = self.backend.project_row(principal, project_id)
        workspaces = self.store.one(
            "SELECT COUNT(*) AS total, COALESCE(SUM(status = 'running'), 0) AS running"
            " FROM workspaces WHERE project_id = ?",
            project["id"],
        )
        volumes = self.store.one(
            "SELECT COUNT(*) AS total, COALESCE(SUM(size_gb), 0.0) AS size FROM volumes WHERE project_id = ?",
            project["id"],
        )
        return {
            "workspaceCount": workspaces["total"],
            "volumeCount": volumes["total"],
            "totalStorageGb": float(volumes["size"]),
            "activeWorkspaces": workspaces["running"],
        }

    def activity(self, principal: Principal, project_id: str, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
        project = self.backend.project_row(principal, project_id)
        count = self.store.scalar("SELECT COUNT(*) FROM activity WHERE project_id = ?", project["id"])
        rows = self.store.all(
            "SELECT * FROM activity WHERE project_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
            project["id"],
            query.limit,
            query.offset,
        )
        events = [
            {
                "id": row["id"],
                "projectId": row["project_id"],
                "action": row["action"],
                "actorId": row["actor_id"],
                "targetType": row["target_type"],
                "targetId": row["target_id"],
                "createdAt": row["created_at"],
            }
            for row in rows
        ]
        return events, count

    def collaborators(self, principal: Principal, project_id: str) -> dict[str, Any]:
        project = self.backend.project_row(principal, project_id)
        people = self.collaborator_views(project["id"])
        return {"count": len(people), "collaborators": people}

    # ---------------------------------------------------------------- writes
    def create(self, principal: Principal, body: dict[str, Any]) -> str:
        validate(CREATE_PROJECT, body)
        project_id = self.backend.new_id("proj")
        now = self.backend.now()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO projects (id, org_id, name, description, status, category, visibility, tags, owner,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)",
                (
                    project_id,
                    principal.organization_id,
                    body["name"],
                    body["description"],
                    body.get("category"),
                    body.get("visibility", "private"),
                    dumps(body.get("tags", [])),
                    dumps(principal.owner()),
                    now,
                    now,
                ),
            )
            db.execute(
                "INSERT INTO collaborators (project_id, user_id, email, role, is_owner, granted_at, granted_by)"
                " VALUES (?, ?, ?, 'owner', 1, ?, ?)",
                (project_id, principal.user_id, principal.email, now, principal.user_id),
            )
            self.backend.record(project_id, "project.created", principal, "project", project_id)
        return project_id

    def update(self, principal: Principal, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        project = self.backend.project_row(principal, project_id)
        validate(UPDATE_PROJECT, body)
        self.backend.rules.modify_project(project)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE projects SET name = ?, description = ?, category = ?, visibility = ?, tags = ?, updated_at = ?"
                " WHERE id = ?",
                (
                    body.get("name", project["name"]),
                    body.get("description", project["description"]),
                    body.get("category", project["category"]),
                    body.get("visibility", project["visibility"]),
                    dumps(body["tags"]) if "tags" in body else project["tags"],
                    self.backend.now(),
                    project["id"],
                ),
            )
            self.backend.record(project["id"], "project.updated", principal, "project", project["id"])
        return self.get(principal, project_id)

    def delete(self, principal: Principal, project_id: str) -> None:
        project = self.backend.project_row(principal, project_id)
        workspaces = self.store.scalar("SELECT COUNT(*) FROM workspaces WHERE project_id = ?", project["id"])
        volumes = self.store.scalar("SELECT COUNT(*) FROM volumes WHERE project_id = ?", project["id"])
        self.backend.rules.delete_project(project, workspaces, volumes)
        with self.store.transaction() as db:
            for table in ("collaborators", "activity"):
                db.execute(f"DELETE FROM {table} WHERE project_id = ?", (project["id"],))
            db.execute("DELETE FROM projects WHERE id = ?", (project["id"],))

    def archive(self, principal: Principal, project_id: str) -> dict[str, str]:
        project = self.backend.project_row(principal, project_id)
        self.backend.rules.archive(project)
        self._set_status(principal, project, "archived")
        return {"message": "Project archived", "projectId": project["id"], "status": "archived"}

    def restore(self, principal: Principal, project_id: str) -> dict[str, str]:
        project = self.backend.project_row(principal, project_id)
        self.backend.rules.restore(project)
        self._set_status(principal, project, "active")
        return {"message": "Project restored", "projectId": project["id"], "status": "active"}

    def add_collaborator(self, principal: Principal, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        project = self.backend.project_row(principal, project_id)
        validate(ADD_COLLABORATOR, body)
        self.backend.rules.modify_project(project)
        email = body["email"]
        user_id = body.get("userId") or self.user_id_for(email)
        self.backend.rules.add_collaborator(self.collaborator_views(project["id"]), user_id, email)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO collaborators (project_id, user_id, email, role, is_owner, granted_at, granted_by)"
                " VALUES (?, ?, ?, ?, 0, ?, ?)",
                (project["id"], user_id, email, body["role"], self.backend.now(), principal.user_id),
            )
            self._touch(project["id"])
            self.backend.record(project["id"], "collaborator.added", principal, "collaborator", user_id)
        return self.collaborator(project["id"], user_id)

    def update_collaborator(
        self, principal: Principal, project_id: str, user_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        project = self.backend.project_row(principal, project_id)
        current = self.collaborator(project["id"], user_id)
        validate(UPDATE_COLLABORATOR, body)
        self.backend.rules.modify_project(project)
        self.backend.rules.change_collaborator(current)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE collaborators SET role = ? WHERE project_id = ? AND user_id = ?",
                (body["role"], project["id"], user_id),
            )
            self._touch(project["id"])
            self.backend.record(project["id"], "collaborator.role_updated", principal, "collaborator", user_id)
        return self.collaborator(project["id"], user_id)

    def remove_collaborator(self, principal: Principal, project_id: str, user_id: str) -> None:
        project = self.backend.project_row(principal, project_id)
        current = self.collaborator(project["id"], user_id)
        self.backend.rules.modify_project(project)
        self.backend.rules.change_collaborator(current)
        with self.store.transaction() as db:
            db.execute("DELETE FROM collaborators WHERE project_id = ? AND user_id = ?", (project["id"], user_id))
            self._touch(project["id"])
            self.backend.record(project["id"], "collaborator.removed", principal, "collaborator", user_id)

    # ---------------------------------------------------------------- views
    def view(self, row: dict[str, Any]) -> dict[str, Any]:
        people = self.collaborator_views(row["id"])
        volumes = self.store.all("SELECT id, type FROM volumes WHERE project_id = ? ORDER BY seq", row["id"])
        data_volumes = [volume["id"] for volume in volumes if volume["type"] == "data"]
        owner = owner_of(row)
        return {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "category": row["category"],
            "visibility": row["visibility"],
            "organizationId": row["org_id"],
            "owner": owner,
            "ownerId": owner["id"],
            "collaborators": people,
            "sharedWith": [person["userId"] for person in people if not person["isOwner"]],
            "tags": loads(row["tags"]),
            "archived": row["status"] == "archived",
            "defaultDataVolumeId": data_volumes[0] if data_volumes else None,
            "attachedVolumeIds": [volume["id"] for volume in volumes],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }

    def collaborator_views(self, project_id: str) -> list[dict[str, Any]]:
        rows = self.store.all("SELECT * FROM collaborators WHERE project_id = ? ORDER BY seq", project_id)
        return [_collaborator_view(dict(row)) for row in rows]

    def collaborator(self, project_id: str, user_id: str) -> dict[str, Any]:
        row = self.store.one("SELECT * FROM collaborators WHERE project_id = ? AND user_id = ?", project_id, user_id)
        if row is None:
            raise not_found("collaborator", user_id)
        return _collaborator_view(dict(row))

    def user_id_for(self, email: str) -> str:
        """A known user's id for their email, else a stable id derived from it (D-28)."""
        known = self.known_users.get(email.casefold())
        return known or "user_" + hashlib.sha256(email.casefold().encode()).hexdigest()[:12]

    def _set_status(self, principal: Principal, project: dict[str, Any], status: str) -> None:
        verb = "archived" if status == "archived" else "restored"
        with self.store.transaction() as db:
            db.execute(
                "UPDATE projects SET status = ?, updated_at = ? WHERE id = ?",
                (status, self.backend.now(), project["id"]),
            )
            self.backend.record(project["id"], f"project.{verb}", principal, "project", project["id"])

    def _touch(self, project_id: str) -> None:
        self.store.db.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (self.backend.now(), project_id))


def _collaborator_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "userId": row["user_id"],
        "email": row["email"],
        "role": row["role"],
        "isOwner": bool(row["is_owner"]),
        "grantedAt": row["granted_at"],
        "grantedBy": row["granted_by"],
    }
