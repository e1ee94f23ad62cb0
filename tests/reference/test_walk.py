"""The scripted walk of the foundation issue, end to end against a live reference server."""

from __future__ import annotations

import time

import httpx

from harness import spec

CONTRACT = spec.load()


def conforms(operation_id: str, response: httpx.Response) -> None:
    """The response's status is documented and its body fits the documented schema."""
    operation = CONTRACT.operation(operation_id)
    assert operation.documents(response.status_code), f"{operation_id} answered {response.status_code}"
    validator = CONTRACT.response_validator(operation_id, response.status_code)
    if validator is not None:
        validator.validate(response.json())


def test_walk_from_project_to_deletion(admin: httpx.Client) -> None:
    """Project, volume, workspace, ready, metrics, logs, stop, deletes, archive and restore all work."""
    project = admin.post("/api/v1/projects", json={"name": "walk", "description": "the scripted walk"})
    conforms("createProject", project)
    project_id = project.json()["projectId"]
    volume = admin.post("/api/v1/volumes", json={"projectId": project_id, "label": "data", "sizeGb": 5})
    conforms("createVolume", volume)
    volume_id = volume.json()["volumeId"]
    workspace = admin.post(
        "/api/v1/workspaces",
        json={"name": "walker", "description": "", "environmentType": "jupyter", "projectId": project_id},
    )
    conforms("createWorkspace", workspace)
    workspace_id = workspace.json()["workspaceId"]
    ws = f"/api/v1/workspaces/{workspace_id}"

    deadline = time.monotonic() + 10
    while not (status := admin.get(f"{ws}/status")).json()["ready"]:
        conforms("getWorkspaceStatus", status)
        assert time.monotonic() < deadline, "the workspace never became ready"
        time.sleep(0.05)
    conforms("getWorkspaceStatus", status)
    conforms("getWorkspaceMetrics", admin.get(f"{ws}/metrics"))
    logs = admin.get(f"{ws}/logs")
    conforms("getWorkspaceLogs", logs)
    assert "running" in logs.json()["logs"]
    stop = admin.post(f"{ws}/stop")
    conforms("stopWorkspace", stop)
    assert stop.json()["status"] == "stopped"
    assert admin.delete(ws).status_code == 204
    assert admin.get(ws).status_code == 404
    assert admin.delete(f"/api/v1/volumes/{volume_id}").status_code == 204
    archive = admin.post(f"/api/v1/projects/{project_id}/archive")
    conforms("archiveProject", archive)
    restore = admin.post(f"/api/v1/projects/{project_id}/restore")
    conforms("restoreProject", restore)
    assert admin.delete(f"/api/v1/projects/{project_id}").status_code == 204
    assert admin.get(f"/api/v1/projects/{project_id}").status_code == 404


# An order in which every operation can succeed: reads, changes, then the lifecycle and deletes.
SUCCESS_ORDER = [
    "listProjects",
    "getProject",
    "getProjectStats",
    "listProjectActivity",
    "listProjectCollaborators",
    "listProjectVolumes",
    "listProjectWorkspaces",
    "listVolumes",
    "listSharedVolumes",
    "getVolume",
    "listWorkspaces",
    "getWorkspace",
    "getWorkspaceStatus",
    "getWorkspaceMetrics",
    "getWorkspaceLogs",
    "updateProject",
    "addProjectCollaborator",
    "updateProjectCollaboratorRole",
    "removeProjectCollaborator",
    "createVolume",
    "updateVolume",
    "syncVolume",
    "shareVolume",
    "createWorkspace",
    "syncWorkspace",
    "restartWorkspace",
    "stopWorkspace",
    "updateWorkspace",
    "startWorkspace",
    "createProject",
    "archiveProject",
    "restoreProject",
    "deleteWorkspace",
    "deleteVolume",
    "deleteProject",
]


def test_every_operation_succeeds(admin: httpx.Client) -> None:
    """Each of the 35 operations answers 2xx with a conforming body when its preconditions hold."""
    project_id = admin.post("/api/v1/projects", json={"name": "all", "description": ""}).json()["projectId"]
    volume = admin.post("/api/v1/volumes", json={"projectId": project_id, "label": "v", "sizeGb": 1})
    workspace = admin.post(
        "/api/v1/workspaces",
        json={"name": "w", "description": "", "environmentType": "vscode", "projectId": project_id},
    )
    ids = {
        "projectId": project_id,
        "volumeId": volume.json()["volumeId"],
        "workspaceId": workspace.json()["workspaceId"],
    }
    bodies = {
        "createProject": {"name": "p", "description": ""},
        "updateProject": {"description": "changed"},
        "addProjectCollaborator": {"email": "pal@example.com", "role": "viewer"},
        "updateProjectCollaboratorRole": {"role": "editor"},
        "createVolume": {"projectId": project_id, "label": "l", "sizeGb": 2},
        "updateVolume": {"label": "renamed"},
        "createWorkspace": {"name": "n", "description": "", "environmentType": "rstudio"},
        "updateWorkspace": {"name": "renamed", "resources": {"cpu": "4"}},
    }
    assert sorted(SUCCESS_ORDER) == sorted(op.operation_id for op in CONTRACT.operations)
    wait_until_running(admin, ids["workspaceId"])

    for operation_id in SUCCESS_ORDER:
        operation = CONTRACT.operation(operation_id)
        if operation_id == "restartWorkspace":
            wait_until_running(admin, ids["workspaceId"])
        if operation_id == "deleteWorkspace":  # started again just before: only a stopped one goes
            assert admin.post(f"/api/v1/workspaces/{ids['workspaceId']}/stop").is_success
        response = admin.request(operation.method, operation.url(**ids), json=bodies.get(operation_id))

        assert response.is_success, f"{operation_id}: {response.status_code} {response.text}"
        conforms(operation_id, response)
        if operation_id == "addProjectCollaborator":
            ids["userId"] = response.json()["userId"]
        if operation_id == "createProject":
            ids["projectId"] = response.json()["projectId"]


def wait_until_running(admin: httpx.Client, workspace_id: str) -> None:
    deadline = time.monotonic() + 10
    while admin.get(f"/api/v1/workspaces/{workspace_id}").json()["status"] != "running":
        assert time.monotonic() < deadline, "the workspace never became ready"
        time.sleep(0.05)
