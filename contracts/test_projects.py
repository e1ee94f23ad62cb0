"""Projects: archive and restore, what an archived project refuses, stats, activity, collaborators."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.support import (
    VOLATILE,
    changes_exactly,
    collaborators,
    differences,
    every,
    register_if_created,
    told,
)
from harness.client import ApiClient
from harness.expect import expect, refused, require, settled
from harness.factory import Factory, new_id
from harness.recommend import recommend

P = "/api/v1/projects"


@pytest.mark.requirement("PRJ-LIFE-001")
@pytest.mark.recommends("GEN-DEFAULT-001", "GEN-LIST-009")
@pytest.mark.smoke
def test_create_answers_201_and_applies_defaults(api: ApiClient, make: Factory) -> None:
    """Create answers 201 with the new id ({projectId} recommended, or the SDK's Project); the project reads back
    with the fields given and not archived; status active and visibility private are recommended (D-23, D-26)."""
    body = {"name": make.name("project"), "description": "as given", "category": "machine-learning", "tags": ["ml"]}
    response = api.post(P, json=body)
    created = expect(response, "createProject", 201)
    project_id = new_id(created, "project")
    make.registry.add("project", project_id)

    project = make.get("project", project_id)
    read = {key: dict.get(project, key) for key in body}
    require(read == body, "PRJ-LIFE-001/reads-back", f"created with {body}, it reads back {read}", response)
    require(
        project.get("archived") is False,
        "PRJ-LIFE-001/not-archived",
        f"a new project reads archived {project.get('archived')!r}",
    )
    recommend(
        "GEN-LIST-009",
        project["status"] == "active",
        f"a new project reads status {project['status']!r}, recommended active (D-26)",
    )
    answered = {key: dict.get(created, key) for key in created if key in project and key not in VOLATILE}
    disagree = {key: (value, dict.get(project, key)) for key, value in answered.items() if value != project[key]}
    require(not disagree, "PRJ-LIFE-001/agrees", f"the create answer and the next GET disagree on {disagree}", response)
    owner = project.get("owner")
    recommend(
        "GEN-SCHEMA-005",
        not isinstance(owner, dict) or owner.get("id") == project["ownerId"],
        f"owner {owner} names another user than ownerId {project['ownerId']} (D-19)",
    )
    recommend(
        "GEN-DEFAULT-001",
        project.get("visibility") == "private",
        f"an omitted visibility reads as private (D-23), got {project.get('visibility')!r}",
    )


@pytest.mark.requirement("PRJ-LIFE-002")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    project = make.project(tags=["a"], category="one")
    for change in (
        {"description": "changed"},
        {"tags": ["a", "b"]},
        {"visibility": "organization"},
        {"name": make.name("renamed"), "category": "two"},
    ):
        changes_exactly(api, make, "project", project["id"], change, ("PRJ-LIFE-002/exactly", "PRJ-LIFE-002/agrees"))


def unchanged(before: dict[str, Any], after: dict[str, Any], answered: int, assertion: str, what: str) -> None:
    """Nothing changed: a refused request not even updatedAt; an action answered as done (its result already
    held, an idempotent 2xx) may touch updatedAt, nothing else."""
    moved = differences(before, after, allowed=set(VOLATILE) if 200 <= answered < 300 else set())
    require(not moved, assertion, f"{what} (answered {answered}) changed {moved} (before, after)")


@pytest.mark.requirement("PRJ-LIFE-003")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004", "GEN-LIST-009")
def test_archive_marks_the_project_archived_once(api: ApiClient, make: Factory) -> None:
    """Archive answers 200 and the project reads archived; archiving again changes nothing (409 recommended,
    D-25; an idempotent 200 is accepted); status archived is recommended (D-26)."""
    project = make.project()

    response = api.post(f"{P}/{project['id']}/archive")
    answer = expect(response, "archiveProject", 200)

    # archive 'Returns dict' in the SDK: what it says, if anything, must agree with the project
    said = told(answer, "projectId", project["id"])
    require(said == project["id"], "PRJ-LIFE-003/agrees", f"archiving {project['id']} answered {answer}", response)
    archived = make.get("project", project["id"])
    require(
        archived.get("archived") is True,
        "PRJ-LIFE-003/archived",
        f"an archived project reads archived {archived.get('archived')!r}",
        response,
    )
    recommend(
        "GEN-LIST-009",
        archived["status"] == "archived",
        f"an archived project reads status {archived['status']!r}, recommended archived (D-26)",
    )
    again = api.post(f"{P}/{project['id']}/archive")
    settled(again, "archiveProject")
    unchanged(
        archived,
        make.get("project", project["id"]),
        again.status_code,
        "PRJ-LIFE-003/again",
        "archiving an archived project",
    )


@pytest.mark.requirement("PRJ-LIFE-004")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004", "GEN-LIST-009")
def test_restore_makes_it_active_again(api: ApiClient, make: Factory) -> None:
    """Restore answers 200 and the project is no longer archived; restoring an active project changes nothing
    (409 recommended, D-25)."""
    project = make.project()
    first = api.post(f"{P}/{project['id']}/restore")
    settled(first, "restoreProject")
    unchanged(
        project,
        make.get("project", project["id"]),
        first.status_code,
        "PRJ-LIFE-004/again",
        "restoring an active project",
    )
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)

    response = api.post(f"{P}/{project['id']}/restore")
    answer = expect(response, "restoreProject", 200)

    restored = make.get("project", project["id"])
    require(
        restored.get("archived") is False,
        "PRJ-LIFE-004/restored",
        f"a restored project reads archived {restored.get('archived')!r}",
        response,
    )
    recommend(
        "GEN-LIST-009",
        restored["status"] == "active" and told(answer, "status", "active") == "active",
        f"a restored project reads status {restored['status']!r} (answered {answer}), recommended active",
    )


@pytest.mark.requirement("PRJ-LIFE-005")
def test_an_archived_project_refuses_changes(api: ApiClient, make: Factory) -> None:
    """Update, collaborator changes and new workspaces or volumes answer 409; nothing changes (D-27)."""
    project = make.project()
    member = make.collaborator(project["id"])
    expect(api.post(f"{P}/{project['id']}/archive"), "archiveProject", 200)
    before = make.get("project", project["id"])
    people = collaborators(api, project["id"])

    expect(api.put(f"{P}/{project['id']}", json={"description": "no"}), "updateProject", 409)
    expect(
        api.post(f"{P}/{project['id']}/collaborators", json={"email": "x@example.com", "role": "viewer"}),
        "addProjectCollaborator",
        409,
    )
    expect(
        api.put(f"{P}/{project['id']}/collaborators/{member['userId']}", json={"role": "editor"}),
        "updateProjectCollaboratorRole",
        409,
    )
    expect(api.delete(f"{P}/{project['id']}/collaborators/{member['userId']}"), "removeProjectCollaborator", 409)
    volume = api.post("/api/v1/volumes", json={"projectId": project["id"], "label": make.name("v"), "sizeGb": 1})
    register_if_created(make, volume, "volume")
    expect(volume, "createVolume", 409)
    workspace = api.post(
        "/api/v1/workspaces",
        json={
            "name": make.name("w"),
            "description": "refused",
            "environmentType": "jupyter",
            "projectId": project["id"],
        },
    )
    register_if_created(make, workspace, "workspace")
    expect(workspace, "createWorkspace", 409)

    unchanged(before, make.get("project", project["id"]), 409, "PRJ-LIFE-005/unchanged", "a change of it")
    require(
        collaborators(api, project["id"]) == people,
        "PRJ-LIFE-005/unchanged",
        "refused collaborator changes changed its collaborators",
    )
    held = [*every(api, "listProjectWorkspaces", project["id"]), *every(api, "listProjectVolumes", project["id"])]
    require(not held, "PRJ-LIFE-005/unchanged", f"refused creates left {[item['id'] for item in held]} in it")


@pytest.mark.requirement("PRJ-LIFE-006")
@pytest.mark.recommends("PRJ-LIFE-007", "GEN-ERR-004")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_delete_only_an_empty_project(api: ApiClient, make: Factory) -> None:
    """An empty project is deleted and gone. One with a volume or workspace is refused (recommended: 409, D-24) or
    deleted with everything in it; never deleted leaving its contents behind."""
    project = make.project()
    volume = make.volume(project["id"])
    if cascaded(api, make, project["id"], {"volume": volume["id"]}):
        return
    workspace = make.stopped_workspace(project["id"])
    if cascaded(api, make, project["id"], {"volume": volume["id"], "workspace": workspace["id"]}):
        return
    for kind, resource_id in (("workspace", workspace["id"]), ("volume", volume["id"])):
        expect(api.delete(f"/api/v1/{kind}s/{resource_id}"), f"delete{kind.capitalize()}", 204)
        make.forget(kind, resource_id)

    response = api.delete(f"{P}/{project['id']}")
    expect(response, "deleteProject", 204)
    make.forget("project", project["id"])

    expect(api.get(f"{P}/{project['id']}"), "getProject", 404)
    expect(api.delete(f"{P}/{project['id']}"), "deleteProject", 404)


def cascaded(api: ApiClient, make: Factory, project_id: str, contents: dict[str, str]) -> bool:
    """Delete a project that holds ``contents``: refused, it stays (False); deleted, its contents went with it."""
    response = api.delete(f"{P}/{project_id}")
    if not 200 <= response.status_code < 300:  # the documents do not say which: a refusal is recommended
        refused(response, "deleteProject", 409)
        make.get("project", project_id)
        return False
    recommend(
        "PRJ-LIFE-007",
        False,
        f"deleting a project holding {sorted(contents)} answered {response.status_code}, not 409",
        response,
    )
    expect(api.get(f"{P}/{project_id}"), "getProject", 404)
    make.forget("project", project_id)
    for kind, resource_id in contents.items():
        left = api.get(f"/api/v1/{kind}s/{resource_id}")
        require(
            400 <= left.status_code < 500,
            "PRJ-LIFE-006/no-orphans",
            f"deleting project {project_id} left its {kind} {resource_id} behind ({left.status_code})",
            left,
        )
        make.forget(kind, resource_id)
    return True


@pytest.mark.requirement("PRJ-STATS-001")
@pytest.mark.slow(1)
def test_stats_count_what_exists(api: ApiClient, make: Factory) -> None:
    """Counts, total storage and running workspaces equal what the project holds, and follow changes (D-35)."""
    project = make.project()

    def stats() -> dict[str, Any]:
        """The documented counters only: answers may carry more fields (D-17)."""
        answer = expect(api.get(f"{P}/{project['id']}/stats"), "getProjectStats", 200)
        return {key: answer[key] for key in ("workspaceCount", "volumeCount", "totalStorageGb", "activeWorkspaces")}

    empty = stats()
    require(
        empty == {"workspaceCount": 0, "volumeCount": 0, "totalStorageGb": 0, "activeWorkspaces": 0},
        "PRJ-STATS-001/counts",
        f"an empty project's stats read {empty}",
    )
    small = make.volume(project["id"], sizeGb=5)
    make.volume(project["id"], sizeGb=7.5)
    _, stopping = make.running_workspaces(project["id"], 2)
    make.stop(stopping["id"])
    held = stats()
    require(
        held == {"workspaceCount": 2, "volumeCount": 2, "totalStorageGb": 12.5, "activeWorkspaces": 1},
        "PRJ-STATS-001/counts",
        f"a project with 2 volumes (5 and 7.5 GB) and 2 workspaces, one running, reads {held}",
    )

    expect(api.put(f"/api/v1/volumes/{small['id']}", json={"sizeGb": 10}), "updateVolume", 200)
    grown = stats()["totalStorageGb"]
    require(grown == 17.5, "PRJ-STATS-001/storage", f"after growing a volume from 5 to 10 GB the storage reads {grown}")


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
    make.stop(workspace["id"])
    expect(api.post(f"/api/v1/volumes/{volume['id']}/share"), "shareVolume", 200)

    events = every(api, "listProjectActivity", project["id"])

    expected = [
        ("volume.shared", volume["id"]),
        ("workspace.stopped", workspace["id"]),
        ("workspace.created", workspace["id"]),
        ("volume.created", volume["id"]),
        ("collaborator.added", member["userId"]),
        ("project.updated", project["id"]),
        ("project.created", project["id"]),
    ]
    seen = [(event.get("action"), event.get("targetId")) for event in events]
    require(seen == expected, "PRJ-ACT-001/events", f"the feed reads {seen}, expected {expected}")
    actors = {event.get("actorId") for event in events}
    require(actors == {project["ownerId"]}, "PRJ-ACT-001/events", f"the feed names actors {actors}")
    require(
        all(event.get("projectId") == project["id"] for event in events),
        "PRJ-ACT-001/events",
        "an event names another project",
    )
    times = [event.get("createdAt") for event in events]
    require(times == sorted(times, reverse=True), "PRJ-ACT-001/events", f"events are not newest first: {times}")


@pytest.mark.requirement("PRJ-COLLAB-001")
@pytest.mark.recommends("GEN-SCHEMA-005")
def test_the_creator_is_the_one_owner(api: ApiClient, make: Factory) -> None:
    """The collaborators list holds the creator with isOwner, and no other owner; role "owner" is
    recommended (D-28: the SDK shows "Owner" whatever the role says)."""
    project = make.project()
    make.collaborator(project["id"], "editor")

    owners = [person for person in collaborators(api, project["id"]) if person["isOwner"]]

    require(
        [person["userId"] for person in owners] == [project["ownerId"]],
        "PRJ-COLLAB-001/owner",
        f"the owners listed are {[p['userId'] for p in owners]}, the project's owner {project['ownerId']}",
    )
    recommend("GEN-SCHEMA-005", owners[0].get("role") == "owner", f"the owner's role reads owner, got {owners[0]}")


@pytest.mark.requirement("PRJ-COLLAB-002")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_an_added_collaborator_is_listed_once(api: ApiClient, make: Factory) -> None:
    """An added collaborator is listed once with the role given; that adding the same email again changes nothing
    is recommended (409, D-28). The add answer 'Returns dict' in the SDK: what it says must agree."""
    project = make.project()
    email = f"{make.name('member')}@example.com"

    response = api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "editor"})
    added = expect(response, "addProjectCollaborator", 201)

    said = {key: told(added, key, value) for key, value in (("email", email), ("role", "editor"))}
    require(said == {"email": email, "role": "editor"}, "PRJ-COLLAB-002/agrees", f"the add answered {added}", response)
    listed = [person for person in collaborators(api, project["id"]) if person.get("email") == email]
    require(
        [person.get("role") for person in listed] == ["editor"],
        "PRJ-COLLAB-002/listed",
        f"{email}, added as editor, is listed as {[p.get('role') for p in listed]}",
    )
    again = api.post(f"{P}/{project['id']}/collaborators", json={"email": email, "role": "viewer"})
    settled(again, "addProjectCollaborator", success=201)
    after = [person for person in collaborators(api, project["id"]) if person.get("email") == email]
    recommend(
        "GEN-IDEM-001",
        [person.get("role") for person in after] == ["editor"],
        f"adding {email} again as viewer lists them as {[p.get('role') for p in after]} (D-28: once, as editor)",
        again,
    )


@pytest.mark.requirement("PRJ-COLLAB-003")
@pytest.mark.recommends("GEN-ERR-004", "PRJ-COLLAB-005")
def test_a_role_change_is_listed(api: ApiClient, make: Factory) -> None:
    """A role change is listed (its answer 'Returns dict': what it says must agree); that the owner's role cannot
    be changed is recommended (D-28)."""
    project = make.project()
    member = make.collaborator(project["id"], "viewer")
    path = f"{P}/{project['id']}/collaborators"

    response = api.put(f"{path}/{member['userId']}", json={"role": "editor"})
    changed = expect(response, "updateProjectCollaboratorRole", 200)

    said = told(changed, "role", "editor")
    require(said == "editor", "PRJ-COLLAB-003/agrees", f"the role change answered {changed}", response)
    roles = {person["userId"]: person.get("role") for person in collaborators(api, project["id"])}
    require(
        roles.get(member["userId"]) == "editor",
        "PRJ-COLLAB-003/listed",
        f"after the change to editor the roles read {roles}",
        response,
    )
    owner = api.put(f"{path}/{project['ownerId']}", json={"role": "viewer"})
    recommend(
        "PRJ-COLLAB-005",
        400 <= owner.status_code < 500,
        f"changing the owner's role answered {owner.status_code} (D-28: refused)",
        owner,
    )


@pytest.mark.requirement("PRJ-COLLAB-004")
@pytest.mark.recommends("GEN-ERR-004", "PRJ-COLLAB-005", "GEN-IDEM-001")
def test_a_removed_collaborator_is_gone(api: ApiClient, make: Factory) -> None:
    """Remove answers 204 and the collaborator is gone; that removing the owner is refused, and removing an
    unknown user answers 404, are recommended (D-28)."""
    project = make.project()
    member = make.collaborator(project["id"])
    path = f"{P}/{project['id']}/collaborators"

    response = api.delete(f"{path}/{member['userId']}")
    expect(response, "removeProjectCollaborator", 204)

    listed = {person["userId"] for person in collaborators(api, project["id"])}
    require(member["userId"] not in listed, "PRJ-COLLAB-004/gone", f"{member['userId']} is still listed", response)
    owner = api.delete(f"{path}/{project['ownerId']}")
    recommend(
        "PRJ-COLLAB-005",
        400 <= owner.status_code < 500,
        f"removing the owner answered {owner.status_code} (D-28: refused)",
        owner,
    )
    settled(api.delete(f"{path}/{member['userId']}"), "removeProjectCollaborator", success=204, recommended=404)


@pytest.mark.requirement("PRJ-SEM-001")
def test_the_project_object_follows_its_collaborators_and_volumes(api: ApiClient, make: Factory) -> None:
    """collaborators, sharedWith, attachedVolumeIds and defaultDataVolumeId match what the project holds."""
    project = make.project()
    member = make.collaborator(project["id"])
    scratch = make.volume(project["id"], type="scratch")
    data = make.volume(project["id"], type="data")
    make.volume(project["id"], type="data")

    current = make.get("project", project["id"])

    shown = {key: dict.get(current, key) for key in ("collaborators", "sharedWith", "defaultDataVolumeId")}
    wanted = {
        "collaborators": collaborators(api, project["id"]),
        "sharedWith": [member["userId"]],
        "defaultDataVolumeId": data["id"],
    }
    require(shown == wanted, "PRJ-SEM-001/derived", f"the project reads {shown}, derived {wanted}")
    attached = list(current.get("attachedVolumeIds") or [])
    require(
        attached[:2] == [scratch["id"], data["id"]] and len(attached) == 3,
        "PRJ-SEM-001/derived",
        f"attachedVolumeIds reads {attached}, the volumes oldest first start {[scratch['id'], data['id']]}",
    )
