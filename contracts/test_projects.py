"""Projects: archive and restore, what an archived project refuses, stats, activity, collaborators."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.support import changes_exactly, differences, items
from harness.client import ApiClient
from harness.expect import entries_by, expect
from harness.factory import Factory

P = "/api/v1/projects"


def collaborators(api: ApiClient, project_id: str) -> list[dict[str, Any]]:
    listed = expect(api.get(f"{P}/{project_id}/collaborators"), "listProjectCollaborators", 200)
    assert listed["count"] == len(listed["collaborators"])
    return listed["collaborators"]


@pytest.mark.requirement("PRJ-LIFE-001")
@pytest.mark.smoke
def test_create_answers_201_and_applies_defaults(api: ApiClient, make: Factory) -> None:
    """Create answers {projectId}; the project is active with the fields given and the defaults."""
    body = {"name": make.name("project"), "description": "as given", "category": "machine-learning", "tags": ["ml"]}
    created = expect(api.post(P, json=body), "createProject", 201)
    make.registry.add("project", created["projectId"])

    assert isinstance(created["projectId"], str)  # more fields may come with it (D-17)
    project = make.get("project", created["projectId"])
    assert {key: project[key] for key in body} == body
    assert (project["status"], project["archived"], project["visibility"]) == ("active", False, "private")
    assert project["owner"]["id"] == project["ownerId"]


@pytest.mark.requirement("PRJ-LIFE-002")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    project = make.project(tags=["a"], category="one")
    for change in ({"description": "changed"}, {"tags": ["a", "b"]}, {"visibility": "organization"},
                   {"name": make.name("renamed"), "category": "two"}):  # fmt: skip
        changes_exactly(api, make, "project", project["id"], change)


@pytest.mark.requirement("PRJ-LIFE-003")
def test_archive_marks_the_project_archived_once(api: ApiClient, make: Factory) -> None:
    """Archive answers 200; status and flag say archived; archiving again answers 409 and changes nothing."""
    project = make.project()

    answer = expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)

    assert (answer["projectId"], answer["status"]) == (project["id"], "archived")
    archived = make.get("project", project["id"])
    assert (archived["status"], archived["archived"]) == ("archived", True)
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 409)
    assert differences(archived, make.get("project", project["id"])) == {}


@pytest.mark.requirement("PRJ-LIFE-004")
def test_restore_makes_it_active_again(api: ApiClient, make: Factory) -> None:
    """Restore answers 200 and the project is active; restoring an active project answers 409."""
    project = make.project()
    expect(api.post(f"{P}/{project['id']}/restore"), "restoreProject", 409)
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)

    answer = expect(api.post(f"{P}/{project['id']}/restore"), "restoreProject", 200)

    assert answer["status"] == "active"
    restored = make.get("project", project["id"])
    assert (restored["status"], restored["archived"]) == ("active", False)


@pytest.mark.requirement("PRJ-LIFE-005")
def test_an_archived_project_refuses_changes(api: ApiClient, make: Factory) -> None:
    """Update, collaborator changes and new workspaces or volumes answer 409; nothing changes (D-27)."""
    project = make.project()
    member = make.collaborator(project["id"])
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)
    before = make.get("project", project["id"])

    expect(api.put(f"{P}/{project['id']}", json={"description": "no"}), "updateProject", 409)
    expect(api.post(f"{P}/{project['id']}/collaborators", json={"email": "x@example.com", "role": "viewer"}),
           "addProjectCollaborator", 409)  # fmt: skip
    expect(api.put(f"{P}/{project['id']}/collaborators/{member['userId']}", json={"role": "editor"}),
           "updateProjectCollaboratorRole", 409)  # fmt: skip
    expect(api.delete(f"{P}/{project['id']}/collaborators/{member['userId']}"), "removeProjectCollaborator", 409)
    expect(api.post("/api/v1/volumes", json={"projectId": project["id"], "label": make.name("v"), "sizeGb": 1}),
           "createVolume", 409)  # fmt: skip
    expect(api.post("/api/v1/workspaces", json={"name": make.name("w"), "description": "", "environmentType": "jupyter",
                                                 "projectId": project["id"]}), "createWorkspace", 409)  # fmt: skip

    assert differences(before, make.get("project", project["id"])) == {}
    stats = expect(api.get(f"{P}/{project['id']}/stats"), "getProjectStats", 200)
    assert (stats["workspaceCount"], stats["volumeCount"]) == (0, 0)


@pytest.mark.requirement("PRJ-LIFE-006")
@pytest.mark.smoke
def test_delete_only_an_empty_project(api: ApiClient, make: Factory) -> None:
    """Deleting a project with a volume or workspace answers 409; an empty one goes with 204 (D-24)."""
    project = make.project()
    volume = make.volume(project["id"])
    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 409)
    make.get("project", project["id"])
    workspace = make.stopped_workspace(project["id"])
    expect(api.delete(f"/api/v1/volumes/{volume['id']}"), "deleteVolume", 204)
    make.forget("volume", volume["id"])
    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 409)
    expect(api.delete(f"/api/v1/workspaces/{workspace['id']}"), "deleteWorkspace", 204)
    make.forget("workspace", workspace["id"])

    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 204)
    make.forget("project", project["id"])

    expect(api.get(f"{P}/{project['id']}"), "getProject", 404)
    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 404)


@pytest.mark.requirement("PRJ-STATS-001")
def test_stats_count_what_exists(api: ApiClient, make: Factory) -> None:
    """Counts, total storage and running workspaces equal what the project holds, and follow changes (D-35)."""
    project = make.project()

    def stats() -> dict[str, Any]:
        """The documented counters only: answers may carry more fields (D-17)."""
        answer = expect(api.get(f"{P}/{project['id']}/stats"), "getProjectStats", 200)
        return {key: answer[key] for key in ("workspaceCount", "volumeCount", "totalStorageGb", "activeWorkspaces")}

    assert stats() == {"workspaceCount": 0, "volumeCount": 0, "totalStorageGb": 0, "activeWorkspaces": 0}
    small = make.volume(project["id"], sizeGb=5)
    make.volume(project["id"], sizeGb=7.5)
    make.running_workspace(project["id"])
    make.stopped_workspace(project["id"])
    assert stats() == {"workspaceCount": 2, "volumeCount": 2, "totalStorageGb": 12.5, "activeWorkspaces": 1}

    expect(api.put(f"/api/v1/volumes/{small['id']}", json={"sizeGb": 10}), "updateVolume", 200)
    assert stats()["totalStorageGb"] == 17.5


@pytest.mark.requirement("PRJ-ACT-001")
def test_the_activity_feed_records_each_change(api: ApiClient, make: Factory) -> None:
    """Each change adds one event, newest first, naming actor and target; a refused request adds none (D-29)."""
    project = make.project()
    expect(api.put(f"{P}/{project['id']}", json={"description": "changed"}), "updateProject", 200)
    member = make.collaborator(project["id"])
    volume = make.volume(project["id"])
    workspace = make.running_workspace(project["id"])
    expect(api.post(f"/api/v1/workspaces/{workspace['id']}/start"), "startWorkspace", 409)  # refused
    expect(api.post(f"/api/v1/workspaces/{workspace['id']}/stop"), "stopWorkspace", 200)
    expect(api.post(f"/api/v1/volumes/{volume['id']}/share"), "shareVolume", 200)

    events = items(api, "listProjectActivity", project["id"], limit=100)

    expected = [
        ("volume.shared", volume["id"]), ("workspace.stopped", workspace["id"]), ("workspace.created", workspace["id"]),
        ("volume.created", volume["id"]), ("collaborator.added", member["userId"]), ("project.updated", project["id"]),
        ("project.created", project["id"]),
    ]  # fmt: skip
    assert [(event["action"], event["targetId"]) for event in events] == expected
    assert {event["actorId"] for event in events} == {project["ownerId"]}
    assert all(event["projectId"] == project["id"] for event in events)
    times = [event["createdAt"] for event in events]
    assert times == sorted(times, reverse=True), "events are not newest first"


@pytest.mark.requirement("PRJ-COLLAB-001")
def test_the_creator_is_the_one_owner(api: ApiClient, make: Factory) -> None:
    """The collaborators list holds the creator, as owner, and no other owner (D-28)."""
    project = make.project()
    make.collaborator(project["id"], "editor")

    owners = [person for person in collaborators(api, project["id"]) if person["isOwner"]]

    assert [(person["userId"], person["role"]) for person in owners] == [(project["ownerId"], "owner")]


@pytest.mark.requirement("PRJ-COLLAB-002")
def test_an_added_collaborator_is_listed_once(api: ApiClient, make: Factory) -> None:
    """An added collaborator is listed with the role given; adding the same email again answers 409."""
    project = make.project()
    email = f"{make.name('member')}@example.com"

    added = expect(api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "editor"}),
                   "addProjectCollaborator", 201)  # fmt: skip

    assert (added["email"], added["role"], added["isOwner"]) == (email, "editor", False)
    listed = entries_by(collaborators(api, project["id"]), "userId", "the collaborators list")
    assert listed[added["userId"]]["role"] == "editor"
    assert listed[added["userId"]]["grantedBy"] == project["ownerId"]
    expect(api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "viewer"}),
           "addProjectCollaborator", 409)  # fmt: skip
    assert len(collaborators(api, project["id"])) == 2


@pytest.mark.requirement("PRJ-COLLAB-003")
def test_a_role_change_is_listed(api: ApiClient, make: Factory) -> None:
    """A role change answers the new role and is listed; the owner's role cannot change (409)."""
    project = make.project()
    member = make.collaborator(project["id"], "viewer")
    path = f"{P}/{project['id']}/collaborators"

    changed = expect(
        api.put(f"{path}/{member['userId']}", json={"role": "editor"}), "updateProjectCollaboratorRole", 200
    )

    assert changed["role"] == "editor"
    roles = {person["userId"]: person["role"] for person in collaborators(api, project["id"])}
    assert roles.get(member["userId"]) == "editor", f"listed roles: {roles}"
    expect(api.put(f"{path}/{project['ownerId']}", json={"role": "viewer"}), "updateProjectCollaboratorRole", 409)
    roles = {person["userId"]: person["role"] for person in collaborators(api, project["id"])}
    assert roles.get(project["ownerId"]) == "owner", f"listed roles: {roles}"


@pytest.mark.requirement("PRJ-COLLAB-004")
def test_a_removed_collaborator_is_gone(api: ApiClient, make: Factory) -> None:
    """Remove answers 204 and the collaborator is gone; removing the owner 409; an unknown user 404."""
    project = make.project()
    member = make.collaborator(project["id"])
    path = f"{P}/{project['id']}/collaborators"

    expect(api.delete(f"{path}/{member['userId']}"), "removeProjectCollaborator", 204)

    assert member["userId"] not in {person["userId"] for person in collaborators(api, project["id"])}
    expect(api.delete(f"{path}/{project['ownerId']}"), "removeProjectCollaborator", 409)
    expect(api.delete(f"{path}/{member['userId']}"), "removeProjectCollaborator", 404)
    assert [person["userId"] for person in collaborators(api, project["id"])] == [project["ownerId"]]


@pytest.mark.requirement("PRJ-SEM-001")
def test_the_project_object_follows_its_collaborators_and_volumes(api: ApiClient, make: Factory) -> None:
    """collaborators, sharedWith, attachedVolumeIds and defaultDataVolumeId match what the project holds."""
    project = make.project()
    member = make.collaborator(project["id"])
    scratch = make.volume(project["id"], type="scratch")
    data = make.volume(project["id"], type="data")
    make.volume(project["id"], type="data")

    current = make.get("project", project["id"])

    assert current["collaborators"] == collaborators(api, project["id"])
    assert current["sharedWith"] == [member["userId"]]
    assert current["attachedVolumeIds"][:2] == [scratch["id"], data["id"]]
    assert len(current["attachedVolumeIds"]) == 3
    assert current["defaultDataVolumeId"] == data["id"]
