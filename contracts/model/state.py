"""The model's state: what each organization should hold after the operations it accepted.

Pure Python, no HTTP. Every rule cites where it comes from (REST, SDK or a D-NN decision). Where the
documents leave room the model predicts a set: a live workspace is pending or running (which one
depends on time), items with equal sort keys come in any order, members of a concurrent batch
happened in any serial order (they share a ``rank``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LIVE, STOPPED = "live", "stopped"  # live: pending or running (provisioning takes time)
PROJECT_ACTIONS = ("created", "updated", "archived", "restored")


@dataclass
class Event:
    """One activity event the feed must hold (D-29); ``rank`` orders events, equal ranks any way."""

    action: str
    target_type: str
    target_id: str
    rank: int


@dataclass
class Collaborator:
    user_id: str
    email: str
    role: str
    is_owner: bool


@dataclass
class Project:
    id: str
    name: str
    description: str
    category: str | None
    visibility: str
    tags: list[str]
    rank: int
    archived: bool = False
    collaborators: dict[str, Collaborator] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    seen: dict[str, Any] = field(default_factory=dict)  # fields learned from the first read
    defaulted: set[str] = field(default_factory=set)  # fields not given, predicted from D-23's default values
    updated: datetime | None = None  # the latest updatedAt read (it never goes back)
    archived_status: str | None = None  # what its status read while archived (D-26 is ours), once read


@dataclass
class Volume:
    id: str
    project_id: str
    label: str
    description: str | None
    type: str
    size_gb: float
    mount_path: str | None
    rank: int
    shared: bool = False
    seen: dict[str, Any] = field(default_factory=dict)
    defaulted: set[str] = field(default_factory=set)
    updated: datetime | None = None


@dataclass
class Workspace:
    id: str
    project_id: str | None
    name: str
    description: str
    environment_type: str
    rank: int
    state: str = LIVE
    seen_running: bool = False  # once seen running it stays running until stopped or restarted
    seen: dict[str, Any] = field(default_factory=dict)
    updated: datetime | None = None


def statuses(workspace: Workspace) -> set[str]:
    """The statuses a workspace may read as: stopped; running once awaited or seen running (it stays so until
    stopped or restarted); else pending or running, since provisioning takes a time the documents leave open."""
    if workspace.state == STOPPED:
        return {"stopped"}
    return {"running"} if workspace.seen_running else {"pending", "running"}


def known_status(workspace: Workspace) -> str | None:
    """The one status the workspace must read as, or None while it may be either."""
    allowed = statuses(workspace)
    return next(iter(allowed)) if len(allowed) == 1 else None


@dataclass
class Organization:
    """One organization's resources as the model knows them (one key per organization)."""

    name: str
    projects: dict[str, Project] = field(default_factory=dict)
    volumes: dict[str, Volume] = field(default_factory=dict)
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    clock: int = 0  # ranks: creation and event order

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    # ------------------------------------------------------------ projects
    def create_project(self, project_id: str, body: dict[str, Any], owner: Collaborator, rank: int) -> Project:
        project = Project(
            id=project_id,
            name=body["name"],
            description=body.get("description", ""),
            category=body.get("category"),
            visibility=body.get("visibility", "private"),  # D-23
            tags=list(body.get("tags", [])),
            rank=rank,
            defaulted={"visibility"} - set(body),
        )
        project.collaborators[owner.user_id] = owner  # D-28: the creator is the owner collaborator
        self.projects[project_id] = project
        self.event(project, "project.created", "project", project_id, rank)
        return project

    def update_project(self, project_id: str, body: dict[str, Any], rank: int) -> None:
        project = self.projects[project_id]
        for key, attribute in (
            ("name", "name"),
            ("description", "description"),
            ("category", "category"),
            ("visibility", "visibility"),
            ("tags", "tags"),
        ):
            if key in body:
                setattr(project, attribute, body[key])  # D-18: exactly the fields given
        self.event(project, "project.updated", "project", project_id, rank)

    def set_archived(self, project_id: str, archived: bool, rank: int) -> None:
        project = self.projects[project_id]
        project.archived, project.archived_status = archived, None
        self.event(project, "project.archived" if archived else "project.restored", "project", project_id, rank)

    def delete_project(self, project_id: str) -> None:
        del self.projects[project_id]

    def is_empty(self, project_id: str) -> bool:
        """D-24: a project with workspaces or volumes cannot be deleted."""
        return not self.volumes_of(project_id) and not self.workspaces_of(project_id)

    # ------------------------------------------------------------ collaborators
    def add_collaborator(self, project_id: str, person: Collaborator, rank: int) -> None:
        project = self.projects[project_id]
        project.collaborators[person.user_id] = person
        self.event(project, "collaborator.added", "collaborator", person.user_id, rank)

    def change_role(self, project_id: str, user_id: str, role: str, rank: int) -> None:
        project = self.projects[project_id]
        project.collaborators[user_id].role = role
        self.event(project, "collaborator.role_updated", "collaborator", user_id, rank)

    def remove_collaborator(self, project_id: str, user_id: str, rank: int) -> None:
        project = self.projects[project_id]
        del project.collaborators[user_id]
        self.event(project, "collaborator.removed", "collaborator", user_id, rank)

    # ------------------------------------------------------------ volumes
    def create_volume(self, volume_id: str, body: dict[str, Any], rank: int) -> Volume:
        volume = Volume(
            id=volume_id,
            project_id=body["projectId"],
            label=body["label"],
            description=body.get("description"),  # optional (SDK): a target may read it "" or null
            type=body.get("type", "data"),  # D-23
            size_gb=float(body["sizeGb"]),
            mount_path=body.get("mountPath"),
            rank=rank,
            defaulted={"type"} - set(body),
        )
        self.volumes[volume_id] = volume
        self.event(self.projects[volume.project_id], "volume.created", "volume", volume_id, rank)
        return volume

    def update_volume(self, volume_id: str, body: dict[str, Any], rank: int) -> None:
        volume = self.volumes[volume_id]
        volume.label = body.get("label", volume.label)
        volume.description = body.get("description", volume.description)
        volume.size_gb = float(body.get("sizeGb", volume.size_gb))
        volume.mount_path = body.get("mountPath", volume.mount_path)
        self.event(self.projects[volume.project_id], "volume.updated", "volume", volume_id, rank)

    def volume_action(self, volume_id: str, verb: str, rank: int) -> None:
        volume = self.volumes[volume_id]
        if verb == "shared":
            volume.shared = True
        self.event(self.projects[volume.project_id], f"volume.{verb}", "volume", volume_id, rank)

    def delete_volume(self, volume_id: str, rank: int) -> None:
        volume = self.volumes.pop(volume_id)
        self.event(self.projects[volume.project_id], "volume.deleted", "volume", volume_id, rank)

    def volumes_of(self, project_id: str | None) -> list[Volume]:
        return [volume for volume in self.volumes.values() if volume.project_id == project_id]

    # ------------------------------------------------------------ workspaces
    def create_workspace(self, workspace_id: str, body: dict[str, Any], rank: int) -> Workspace:
        workspace = Workspace(
            id=workspace_id,
            project_id=body.get("projectId"),
            name=body["name"],
            description=body.get("description", ""),
            environment_type=body["environmentType"],
            rank=rank,
        )  # D-06: creating a workspace starts it
        self.workspaces[workspace_id] = workspace
        self.workspace_event(workspace, "workspace.created", rank)
        return workspace

    def update_workspace(self, workspace_id: str, body: dict[str, Any], rank: int) -> None:
        workspace = self.workspaces[workspace_id]
        workspace.name = body.get("name", workspace.name)
        workspace.description = body.get("description", workspace.description)
        if isinstance(body.get("resources"), dict) and isinstance(workspace.seen.get("resources"), dict):
            workspace.seen["resources"] = {**workspace.seen["resources"], **body["resources"]}  # D-18: merged
        if "image" in body:
            workspace.seen["image"] = body["image"]
        self.workspace_event(workspace, "workspace.updated", rank)

    def workspace_action(self, workspace_id: str, verb: str, rank: int) -> None:
        """start, stop, restart (REST: start a stopped one, stop a running one, restart = stop + start)."""
        workspace = self.workspaces[workspace_id]
        workspace.state = STOPPED if verb == "stopped" else LIVE
        workspace.seen_running = False
        self.workspace_event(workspace, f"workspace.{verb}", rank)

    def workspace_synced(self, workspace_id: str, rank: int) -> None:
        self.workspace_event(self.workspaces[workspace_id], "workspace.synced", rank)

    def delete_workspace(self, workspace_id: str, rank: int) -> None:
        self.workspace_event(self.workspaces.pop(workspace_id), "workspace.deleted", rank)

    def workspace_event(self, workspace: Workspace, action: str, rank: int) -> None:
        """A workspace's event goes to its project's feed; one outside a project has no feed (D-29)."""
        if workspace.project_id in self.projects:
            self.event(self.projects[workspace.project_id], action, "workspace", workspace.id, rank)

    def workspaces_of(self, project_id: str | None) -> list[Workspace]:
        return [workspace for workspace in self.workspaces.values() if workspace.project_id == project_id]

    # ------------------------------------------------------------ derived views
    def event(self, project: Project, action: str, target_type: str, target_id: str, rank: int) -> None:
        project.events.append(Event(action, target_type, target_id, rank))

    def stats(self, project_id: str) -> dict[str, tuple[float, float]]:
        """D-35 / SDK ProjectStats: each value as (least, most) acceptable."""
        volumes, workspaces = self.volumes_of(project_id), self.workspaces_of(project_id)
        live = [w for w in workspaces if w.state == LIVE]
        running = [w for w in live if w.seen_running]
        storage = sum(volume.size_gb for volume in volumes)
        return {
            "workspaceCount": (len(workspaces), len(workspaces)),
            "volumeCount": (len(volumes), len(volumes)),
            "totalStorageGb": (storage, storage),
            "activeWorkspaces": (len(running), len(live)),
        }
