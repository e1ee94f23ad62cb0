"""Projects: archive and restore, what an archived project refuses, stats, activity, collaborators."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.support import changes_exactly, differences, items
from harness.client import ApiClient
from harness.expect import expect, refused, settled
from harness.factory import Factory, new_id
from harness.recommend import recommend

P = "/api/v1/projects"


def collaborators(api: ApiClient, project_id: str) -> list[dict[str, Any]]:
    """The SDK's collaborators(project_id) 'List[ProjectCollaborator]': all of them, in one answer (D-30)."""
    listed = expect(api.get(f"{P}/{project_id}/collaborators"), "listProjectCollaborators", 200)
    if "count" in listed:
        assert listed["count"] == len(listed["collaborators"])
    return listed["collaborators"]


@pytest.mark.requirement("PRJ-LIFE-001")
@pytest.mark.recommends("GEN-DEFAULT-001")
@pytest.mark.smoke
def test_create_answers_201_and_applies_defaults(api: ApiClient, make: Factory) -> None:
    """Create answers 201 with the new id ({projectId} recommended, or the SDK's Project); the project is
    active, not archived, with the fields given; visibility private is the recommended default (D-23)."""
    body = {"name": make.name("project"), "description": "as given", "category": "machine-learning", "tags": ["ml"]}
    created = expect(api.post(P, json=body), "createProject", 201)
    project_id = new_id(created, "project")
    make.registry.add("project", project_id)

    project = make.get("project", project_id)
    assert {key: project[key] for key in body} == body
    assert (project["status"], project["archived"]) == ("active", False)
    answered = {key: created[key] for key in created if key in project and key != "updatedAt"}
    assert answered == {key: project[key] for key in answered}, "the create answer and the next GET disagree"
    owner = project.get("owner")
    if isinstance(owner, dict):  # the REST object; the SDK's Project has 'owner str Owner name' (D-19)
        assert owner.get("id") == project["ownerId"], owner
    recommend("GEN-DEFAULT-001", project.get("visibility") == "private",
              f"an omitted visibility reads as private (D-23), got {project.get('visibility')!r}")  # fmt: skip


@pytest.mark.requirement("PRJ-LIFE-002")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    project = make.project(tags=["a"], category="one")
    for change in ({"description": "changed"}, {"tags": ["a", "b"]}, {"visibility": "organization"},
                   {"name": make.name("renamed"), "category": "two"}):  # fmt: skip
        changes_exactly(api, make, "project", project["id"], change)


@pytest.mark.requirement("PRJ-LIFE-003")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_archive_marks_the_project_archived_once(api: ApiClient, make: Factory) -> None:
    """Archive answers 200; status and flag say archived; archiving again changes nothing (409 recommended,
    D-25; an idempotent 200 is accepted)."""
    project = make.project()

    answer = expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)

    # archive 'Returns dict' in the SDK: what it says, if anything, must agree with the project
    assert (answer.get("projectId", project["id"]), answer.get("status", "archived")) == (project["id"], "archived")
    archived = make.get("project", project["id"])
    assert (archived["status"], archived["archived"]) == ("archived", True)
    settled(api.post(f"{P}/{project['id']}/archive"), "archiveProject")
    assert differences(archived, make.get("project", project["id"])) == {}


@pytest.mark.requirement("PRJ-LIFE-004")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_restore_makes_it_active_again(api: ApiClient, make: Factory) -> None:
    """Restore answers 200 and the project is active; restoring an active project changes nothing (409
    recommended, D-25)."""
    project = make.project()
    settled(api.post(f"{P}/{project['id']}/restore"), "restoreProject")
    assert differences(project, make.get("project", project["id"])) == {}, "restoring an active project changed it"
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)

    answer = expect(api.post(f"{P}/{project['id']}/restore"), "restoreProject", 200)

    assert answer.get("status", "active") == "active", answer
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
@pytest.mark.recommends("PRJ-LIFE-007", "GEN-ERR-004")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_delete_only_an_empty_project(api: ApiClient, make: Factory) -> None:
    """An empty project goes with 204. One with a volume or workspace is refused (recommended: 409, D-24) or
    deleted with everything in it; never deleted leaving its contents behind."""
    project = make.project()
    volume = make.volume(project["id"])
    response = api.delete(f"{P}/{project['id']}")
    if 200 <= response.status_code < 300:  # a cascading delete: the documents do not say which
        recommend("PRJ-LIFE-007", False, f"deleting a project that holds a volume answered {response.status_code}, "
                  "not 409", response)  # fmt: skip
        expect(api.get(f"{P}/{project['id']}"), "getProject", 404)
        make.forget("project", project["id"])
        expect(api.get(f"/api/v1/volumes/{volume['id']}"), "getVolume", 404)  # else the volume is orphaned
        make.forget("volume", volume["id"])
        return
    refused(response, "deleteProject", 409)
    make.get("project", project["id"])
    workspace = make.stopped_workspace(project["id"])
    expect(api.delete(f"/api/v1/volumes/{volume['id']}"), "deleteVolume", 204)
    make.forget("volume", volume["id"])
    refused(api.delete(f"{P}/{project['id']}"), "deleteProject", 409)
    expect(api.delete(f"/api/v1/workspaces/{workspace['id']}"), "deleteWorkspace", 204)
    make.forget("workspace", workspace["id"])

    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 204)
    make.forget("project", project["id"])

    expect(api.get(f"{P}/{project['id']}"), "getProject", 404)
    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 404)


@pytest.mark.requirement("PRJ-STATS-001")
@pytest.mark.slow(1)
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
    _, stopping = make.running_workspaces(project["id"], 2)
    make.stop(stopping["id"])
    assert stats() == {"workspaceCount": 2, "volumeCount": 2, "totalStorageGb": 12.5, "activeWorkspaces": 1}

    expect(api.put(f"/api/v1/volumes/{small['id']}", json={"sizeGb": 10}), "updateVolume", 200)
    assert stats()["totalStorageGb"] == 17.5


@pytest.mark.requirement("PRJ-ACT-001")
@pytest.mark.slow(1)
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
@pytest.mark.recommends("GEN-SCHEMA-005")
def test_the_creator_is_the_one_owner(api: ApiClient, make: Factory) -> None:
    """The collaborators list holds the creator with isOwner, and no other owner; role "owner" is
    recommended (D-28: the SDK shows "Owner" whatever the role says)."""
    project = make.project()
    make.collaborator(project["id"], "editor")

    owners = [person for person in collaborators(api, project["id"]) if person["isOwner"]]

    assert [person["userId"] for person in owners] == [project["ownerId"]]
    recommend("GEN-SCHEMA-005", owners[0].get("role") == "owner", f"the owner's role reads owner, got {owners[0]}")


@pytest.mark.requirement("PRJ-COLLAB-002")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_an_added_collaborator_is_listed_once(api: ApiClient, make: Factory) -> None:
    """An added collaborator is listed once with the role given; adding the same email again changes nothing
    (409 recommended, D-28). The add answer 'Returns dict' in the SDK: what it says must agree."""
    project = make.project()
    email = f"{make.name('member')}@example.com"

    added = expect(api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "editor"}),
                   "addProjectCollaborator", 201)  # fmt: skip

    said = (added.get("email", email), added.get("role", "editor"), added.get("isOwner", False))
    assert said == (email, "editor", False), added
    listed = [person for person in collaborators(api, project["id"]) if person.get("email") == email]
    assert [person["role"] for person in listed] == ["editor"], f"listed as {listed}"
    assert added.get("userId", listed[0]["userId"]) == listed[0]["userId"], "the add answer and the list disagree"
    settled(api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "viewer"}),
            "addProjectCollaborator", success=201)  # fmt: skip
    assert len(collaborators(api, project["id"])) == 2
    assert [person["role"] for person in collaborators(api, project["id"]) if person.get("email") == email] == [
        "editor"
    ], "adding the same user again changed the collaborator"


@pytest.mark.requirement("PRJ-COLLAB-003")
@pytest.mark.recommends("GEN-ERR-004")
def test_a_role_change_is_listed(api: ApiClient, make: Factory) -> None:
    """A role change is listed (its answer 'Returns dict': what it says must agree); the owner's role
    change is refused (409 recommended) and the owner stays the owner."""
    project = make.project()
    member = make.collaborator(project["id"], "viewer")
    path = f"{P}/{project['id']}/collaborators"

    changed = expect(
        api.put(f"{path}/{member['userId']}", json={"role": "editor"}), "updateProjectCollaboratorRole", 200
    )

    assert changed.get("role", "editor") == "editor", changed
    roles = {person["userId"]: person["role"] for person in collaborators(api, project["id"])}
    assert roles.get(member["userId"]) == "editor", f"listed roles: {roles}"
    before = collaborators(api, project["id"])
    refused(api.put(f"{path}/{project['ownerId']}", json={"role": "viewer"}), "updateProjectCollaboratorRole", 409)
    assert collaborators(api, project["id"]) == before, "a refused role change of the owner changed the list"


@pytest.mark.requirement("PRJ-COLLAB-004")
@pytest.mark.recommends("GEN-ERR-004")
def test_a_removed_collaborator_is_gone(api: ApiClient, make: Factory) -> None:
    """Remove answers 204 and the collaborator is gone; removing the owner and an unknown user are refused
    (409 and 404 recommended) and change nothing."""
    project = make.project()
    member = make.collaborator(project["id"])
    path = f"{P}/{project['id']}/collaborators"

    expect(api.delete(f"{path}/{member['userId']}"), "removeProjectCollaborator", 204)

    assert member["userId"] not in {person["userId"] for person in collaborators(api, project["id"])}
    refused(api.delete(f"{path}/{project['ownerId']}"), "removeProjectCollaborator", 409)
    refused(api.delete(f"{path}/{member['userId']}"), "removeProjectCollaborator", 404)
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
