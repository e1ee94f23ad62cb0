"""The state rules of openapi/DECISIONS.md, one method each.

Services consult an instance of ``Rules`` for every state-dependent refusal, so a planted fault
(harness/reference/faults/) can switch one rule off without a branch in the clean code path: every
rule is a declared seam (harness/reference/seams.py). Each method returns nothing when the action
is allowed and raises a 409 when it is not.
"""

from __future__ import annotations

from typing import Any

from harness.reference.errors import conflict
from harness.reference.seams import Seams


class Rules(Seams):
    SEAMS = frozenset({"start", "stop", "restart", "delete_workspace", "change_runtime", "read_metrics",
                       "sync_workspace", "delete_project", "archive", "restore", "modify_project", "add_collaborator",
                       "change_collaborator", "share", "delete_volume"})  # fmt: skip

    # ---------------------------------------------------------------- workspaces (D-08..D-13)
    def start(self, workspace: dict[str, Any]) -> None:
        if workspace["status"] not in ("stopped", "failed"):
            raise conflict(
                f"workspace {workspace['id']} is {workspace['status']}; only a stopped workspace can be started"
            )

    def stop(self, workspace: dict[str, Any]) -> None:
        if workspace["status"] not in ("pending", "running"):
            raise conflict(
                f"workspace {workspace['id']} is {workspace['status']};"
                " only a pending or running workspace can be stopped"
            )

    def restart(self, workspace: dict[str, Any]) -> None:
        if workspace["status"] != "running":
            raise conflict(
                f"workspace {workspace['id']} is {workspace['status']}; only a running workspace can be restarted"
            )

    def delete_workspace(self, workspace: dict[str, Any]) -> None:
        if workspace["status"] in ("pending", "running"):
            raise conflict(f"workspace {workspace['id']} is {workspace['status']}; stop it before deleting it")

    def change_runtime(self, workspace: dict[str, Any], changes: dict[str, Any]) -> None:
        touched = sorted(field for field in ("resources", "image") if field in changes)
        if touched and workspace["status"] in ("pending", "running"):
            raise conflict(f"{' and '.join(touched)} can only change while the workspace is stopped")

    def read_metrics(self, workspace: dict[str, Any]) -> None:
        if workspace["status"] != "running":
            raise conflict(f"workspace {workspace['id']} is {workspace['status']}; metrics exist only while it runs")

    def sync_workspace(self, workspace: dict[str, Any], volume_ids: list[str]) -> None:
        if workspace["status"] != "running":
            raise conflict(f"workspace {workspace['id']} is {workspace['status']}; only a running workspace can sync")
        if not volume_ids:
            raise conflict(f"workspace {workspace['id']} has no volume to sync to")

    # ---------------------------------------------------------------- projects (D-24..D-28)
    def delete_project(self, project: dict[str, Any], workspaces: int, volumes: int) -> None:
        if workspaces or volumes:
            raise conflict(f"project {project['id']} still has {workspaces} workspace(s) and {volumes} volume(s)")

    def archive(self, project: dict[str, Any]) -> None:
        if project["status"] == "archived":
            raise conflict(f"project {project['id']} is already archived")

    def restore(self, project: dict[str, Any]) -> None:
        if project["status"] != "archived":
            raise conflict(f"project {project['id']} is not archived")

    def modify_project(self, project: dict[str, Any]) -> None:
        """Updates, collaborator changes and new workspaces or volumes need an active project."""
        if project["status"] == "archived":
            raise conflict(f"project {project['id']} is archived; restore it first")

    def add_collaborator(self, existing: list[dict[str, Any]], user_id: str, email: str) -> None:
        for collaborator in existing:
            if collaborator["userId"] == user_id or collaborator["email"].casefold() == email.casefold():
                raise conflict(f"{email} is already a collaborator")

    def change_collaborator(self, collaborator: dict[str, Any]) -> None:
        if collaborator["isOwner"]:
            raise conflict("the project owner cannot be removed or given another role")

    # ---------------------------------------------------------------- volumes (D-25, D-32)
    def share(self, volume: dict[str, Any]) -> None:
        if volume["isShared"]:
            raise conflict(f"volume {volume['id']} is already shared")

    def delete_volume(self, volume: dict[str, Any], live_workspaces: int) -> None:
        if live_workspaces:
            raise conflict(f"volume {volume['id']} is mounted by {live_workspaces} running workspace(s)")
