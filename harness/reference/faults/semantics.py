"""Planted faults of semantics: ids and times, and what workspaces, projects and volumes mean."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.reference import validation
from harness.reference.faults.machinery import (
    ANY,
    PROJECT,
    VOLUME,
    WORKSPACE,
    Wrapper,
    allow,
    each_item,
    edit_json,
    fault,
    rewrite_requests,
    rewrite_responses,
)
from harness.reference.keys import Principal

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("hyphen-ids", area="semantics", catches=("GEN-ID-001",), strict=True)
def hyphen_ids(ref: Reference) -> None:
    """Ids use the SDK's hyphen (ws-..., proj-...) instead of the REST underscore."""
    new_id = ref.backend.new_id
    ref.backend.override("new_id", lambda _: lambda prefix: new_id(prefix).replace("_", "-", 1))


@fault("ids-reused", area="semantics", catches=("GEN-ID-002",))
def ids_reused(ref: Reference) -> None:
    """The id of the last deleted resource is given to the next new one."""
    freed: dict[str, list[str]] = {"ws": [], "proj": [], "vol": []}
    new_id = ref.backend.new_id

    def recycled(prefix: str) -> str:
        return freed[prefix].pop() if freed.get(prefix) else new_id(prefix)

    def freeing(delete: Callable[[Principal, str], None], prefix: str) -> Callable[[Principal, str], None]:
        def deleted(principal: Principal, resource_id: str) -> None:
            delete(principal, resource_id)
            freed[prefix].append(resource_id)

        return deleted

    ref.backend.override("new_id", lambda _: recycled)
    ref.workspaces.override("delete", lambda delete: freeing(delete, "ws"))
    ref.projects.override("delete", lambda delete: freeing(delete, "proj"))
    ref.volumes.override("delete", lambda delete: freeing(delete, "vol"))


@fault("updated-at-frozen", area="semantics", catches=("GEN-TIME-001",))
def updated_at_frozen(ref: Reference) -> Wrapper:
    """updatedAt always shows the creation time."""

    def freeze(item: dict[str, Any]) -> None:
        if "createdAt" in item and "updatedAt" in item:
            item["updatedAt"] = item["createdAt"]

    return rewrite_responses("GET", ANY, edit_json(each_item(freeze)))


@fault("metrics-over-allocation", area="semantics", catches=("WS-SEM-001",), strict=True)
def metrics_over_allocation(ref: Reference) -> Wrapper:
    """Reported CPU usage exceeds the cores the workspace was given."""
    return rewrite_responses("GET", rf"{WORKSPACE}/metrics", edit_json(lambda body: {**body, "cpuUsage": "97.5"}))


@fault("resources-replaced", area="semantics", catches=("WS-SEM-002",))
def resources_replaced(ref: Reference) -> Wrapper:
    """Updating some resources resets the others to their defaults (replace, not merge)."""

    def reset(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("resources"), dict):
            body["resources"] = {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi", **body["resources"]}
        return body

    return rewrite_requests("PUT", WORKSPACE, body=reset)


@fault("wrong-default-resources", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def wrong_default_resources(ref: Reference) -> Wrapper:
    """A workspace created without resources gets 1 CPU instead of the decided 2."""
    return rewrite_requests("POST", r"/api/v1/workspaces", body=lambda body: {"resources": {"cpu": "1"}, **body})


@fault("archived-accepts-changes", area="semantics", catches=("PRJ-LIFE-005",), strict=True)
def archived_accepts_changes(ref: Reference) -> None:
    """An archived project accepts updates, collaborators and new workspaces and volumes."""
    ref.backend.rules.override("modify_project", lambda _: allow)


@fault("no-volume-mounts", area="semantics", catches=("WS-SEM-005",), strict=True)
def no_volume_mounts(ref: Reference) -> None:
    """Workspaces mount none of their project's volumes."""
    ref.backend.override("project_volume_ids", lambda _: lambda project_id: [])


@fault("project-defaults-wrong", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def project_defaults_wrong(ref: Reference) -> Wrapper:
    """New projects default to organization visibility instead of private."""
    return rewrite_requests("POST", r"/api/v1/projects", body=lambda body: {"visibility": "organization", **body})


@fault("project-update-not-persisted", area="semantics", catches=("PRJ-LIFE-002",))
def project_update_not_persisted(ref: Reference) -> None:
    """A project update answers the changed project but stores nothing."""

    def update(principal: Principal, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        validation.validate(validation.UPDATE_PROJECT, body)
        return {**ref.projects.get(principal, project_id), **body}

    ref.projects.override("update", lambda _: update)


@fault("archive-ignored", area="semantics", catches=("PRJ-LIFE-003",))
def archive_ignored(ref: Reference) -> None:
    """Archive answers 200 archived but the project stays active."""

    def archive(principal: Principal, project_id: str) -> dict[str, str]:
        project = ref.backend.project_row(principal, project_id)
        return {"message": "Project archived", "projectId": project["id"], "status": "archived"}

    ref.projects.override("archive", lambda _: archive)


@fault("restore-twice", area="semantics", catches=("GEN-IDEM-001",), strict=True)
def restore_twice(ref: Reference) -> None:
    """Restoring a project that is not archived answers 200."""
    ref.backend.rules.override("restore", lambda _: allow)


@fault("delete-nonempty-project", area="semantics", catches=("PRJ-LIFE-006", "PRJ-LIFE-007"))
def delete_nonempty_project(ref: Reference) -> None:
    """A project that still has volumes or workspaces can be deleted."""
    ref.backend.rules.override("delete_project", lambda _: allow)


@fault("stats-count-stopped-as-active", area="semantics", catches=("PRJ-STATS-001",))
def stats_count_stopped_as_active(ref: Reference) -> None:
    """Project stats count every workspace as active."""
    stats = ref.projects.stats

    def wrong(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        return {**answer, "activeWorkspaces": answer["workspaceCount"]}

    ref.projects.override("stats", lambda _: wrong)


@fault("activity-misses-workspaces", area="semantics", catches=("PRJ-ACT-001",), strict=True)
def activity_misses_workspaces(ref: Reference) -> None:
    """Workspace actions are not recorded in the project's activity feed."""
    record = ref.backend.record

    def partial(project_id: str | None, action: str, actor: Principal, target_type: str, target_id: str) -> None:
        if not action.startswith("workspace."):
            record(project_id, action, actor, target_type, target_id)

    ref.backend.override("record", lambda _: partial)


@fault("owner-not-listed", area="semantics", catches=("PRJ-COLLAB-001",))
def owner_not_listed(ref: Reference) -> Wrapper:
    """The owner is missing from the collaborators list."""

    def drop_owner(body: dict[str, Any]) -> dict[str, Any]:
        body["collaborators"] = [c for c in body["collaborators"] if not c["isOwner"]]
        body["count"] = len(body["collaborators"])
        return body

    return rewrite_responses("GET", rf"{PROJECT}/collaborators", edit_json(drop_owner))


@fault("duplicate-collaborators", area="semantics", catches=("GEN-IDEM-001",), strict=True)
def duplicate_collaborators(ref: Reference) -> None:
    """The same email can be added again: each add gets a new user id and only ids are compared."""
    rule = ref.backend.rules.add_collaborator
    ref.projects.override("user_id_for", lambda _: lambda email: ref.backend.new_id("user"))
    ref.backend.rules.override(
        "add_collaborator",
        lambda _: (
            lambda existing, user_id, email: rule([c for c in existing if c["userId"] == user_id], user_id, email)
        ),
    )


@fault("role-change-ignored", area="semantics", catches=("PRJ-COLLAB-003",))
def role_change_ignored(ref: Reference) -> None:
    """A role change answers the new role but is not stored."""

    def update(principal: Principal, project_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        project = ref.backend.project_row(principal, project_id)
        current = ref.projects.collaborator(project["id"], user_id)
        validation.validate(validation.UPDATE_COLLABORATOR, body)
        ref.backend.rules.change_collaborator(current)
        return {**current, "role": body["role"]}

    ref.projects.override("update_collaborator", lambda _: update)


@fault("owner-removable", area="semantics", catches=("PRJ-COLLAB-005",), strict=True)
def owner_removable(ref: Reference) -> None:
    """The project owner can be removed or given another role."""
    ref.backend.rules.override("change_collaborator", lambda _: allow)


@fault("project-object-stale", area="semantics", catches=("PRJ-SEM-001",), strict=True)
def project_object_stale(ref: Reference) -> Wrapper:
    """The project object's sharedWith stays empty whoever is added."""

    def empty(item: dict[str, Any]) -> None:
        if "sharedWith" in item:
            item["sharedWith"] = []

    return rewrite_responses("GET", rf"/api/v1/projects|{PROJECT}", edit_json(each_item(empty)))


@fault("volume-defaults-wrong", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def volume_defaults_wrong(ref: Reference) -> Wrapper:
    """A volume created without a type gets scratch instead of data."""
    return rewrite_requests("POST", r"/api/v1/volumes", body=lambda body: {"type": "scratch", **body})


@fault("volume-update-not-persisted", area="semantics", catches=("VOL-LIFE-002",))
def volume_update_not_persisted(ref: Reference) -> None:
    """A volume update answers the changed volume but stores nothing."""

    def update(principal: Principal, volume_id: str, body: dict[str, Any]) -> dict[str, Any]:
        validation.validate(validation.UPDATE_VOLUME, body)
        return {**ref.volumes.get(principal, volume_id), **body}

    ref.volumes.override("update", lambda _: update)


@fault("volume-delete-while-mounted", area="semantics", catches=("VOL-LIFE-006",), strict=True)
def volume_delete_while_mounted(ref: Reference) -> None:
    """A volume that a running workspace mounts can be deleted."""
    ref.backend.rules.override("delete_volume", lambda _: allow)


@fault("share-ignored", area="semantics", catches=("VOL-SHARE-001",))
def share_ignored(ref: Reference) -> None:
    """Share answers 200 but the volume stays unshared."""

    def share(principal: Principal, volume_id: str) -> dict[str, Any]:
        row = ref.volumes.row(principal, volume_id)
        return {"message": "Volume shared with the organization", "volumeId": row["id"], "isShared": True}

    ref.volumes.override("share", lambda _: share)


@fault("shared-alias-differs", area="semantics", catches=("VOL-SHARE-001",))
def shared_alias_differs(ref: Reference) -> Wrapper:
    """The shared flag stays false when isShared turns true."""

    def stale(item: dict[str, Any]) -> None:
        if "shared" in item:
            item["shared"] = False

    return rewrite_responses("GET", rf"/api/v1/volumes(/shared)?|{VOLUME}", edit_json(each_item(stale)))


@fault("collaborator-not-listed", area="semantics", catches=("PRJ-COLLAB-002",))
def collaborator_not_listed(ref: Reference) -> Wrapper:
    """An added collaborator is answered 201 but never listed: the list holds the owner alone."""

    def owner_only(body: dict[str, Any]) -> dict[str, Any]:
        owners = [person for person in body["collaborators"] if person.get("isOwner")]
        return {**body, "collaborators": owners, "count": len(owners)}

    return rewrite_responses("GET", PROJECT + "/collaborators", edit_json(owner_only))


@fault("varying-default-image", area="semantics", catches=("WS-SEM-003",))
def varying_default_image(ref: Reference) -> Wrapper:
    """A workspace created without an image gets a different image each time, not its type's default."""
    counter = iter(range(10**9))
    return rewrite_requests("POST", r"/api/v1/workspaces",
                            body=lambda body: {"image": f"strongly/random:{next(counter)}", **body})  # fmt: skip


@fault("unknown-project-accepted", area="semantics", catches=("WS-SEM-004", "VOL-LIFE-004"))
def unknown_project_accepted(ref: Reference) -> Wrapper:
    """A create naming an unknown project answers 201 (with an id that leads nowhere) instead of a refusal."""

    def accept(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status != 404:
            return status, headers, body
        return (
            201,
            {**headers, "content-type": "application/json"},
            b'{"workspaceId": "ws_nowhere", "volumeId": "vol_nowhere"}',
        )

    return rewrite_responses("POST", r"/api/v1/(workspaces|volumes)", accept)


@fault("restore-does-nothing", area="semantics", catches=("PRJ-LIFE-004",))
def restore_does_nothing(ref: Reference) -> None:
    """Restore answers 200 "active" but the project stays archived."""

    def restore(principal: Principal, project_id: str) -> dict[str, str]:
        ref.projects.get(principal, project_id)
        return {"message": "Project restored", "projectId": project_id, "status": "active"}

    ref.projects.override("restore", lambda _: restore)


@fault("create-drops-fields", area="semantics", catches=("PRJ-LIFE-001", "VOL-LIFE-001"))
def create_drops_fields(ref: Reference) -> Wrapper:
    """A project's category and tags, and a volume's description, given on create are not kept."""

    def drop(body: dict[str, Any]) -> dict[str, Any]:
        dropped = {"category", "tags"} if "name" in body else {"description"}  # a project has a name, a volume a label
        return {key: value for key, value in body.items() if key not in dropped}

    return rewrite_requests("POST", r"/api/v1/(projects|volumes)", body=drop)
