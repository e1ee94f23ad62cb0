"""Workspaces: the provisioning lifecycle and every state rule of DECISIONS.md, both ways."""

from __future__ import annotations

import time
from typing import Any

import pytest

from contracts.support import TICK, changes_exactly, cores, differences, gibibytes, percent, whole_seconds
from harness.client import ApiClient
from harness.expect import entries_by, expect, refused
from harness.factory import Factory
from harness.recommend import recommend

W = "/api/v1/workspaces"


def status_of(api: ApiClient, workspace_id: str) -> dict[str, Any]:
    return expect(api.get(f"{W}/{workspace_id}/status"), "getWorkspaceStatus", 200)


def ready_condition(api: ApiClient, workspace_id: str) -> dict[str, Any]:
    """The status' Ready condition (a status without one fails the check that needs it)."""
    return entries_by(status_of(api, workspace_id)["conditions"], "type", "the status' conditions")["Ready"]


def refused_unchanged(
    api: ApiClient, make: Factory, workspace_id: str, method: str, path: str, body: Any = None
) -> None:
    """The request is refused (any 4xx; 409 recommended, GEN-ERR-004) and the workspace reads back as before."""
    before = make.get("workspace", workspace_id)
    operation = {"start": "startWorkspace", "stop": "stopWorkspace", "restart": "restartWorkspace"}.get(
        path.rsplit("/", 1)[-1], "updateWorkspace" if method == "PUT" else "deleteWorkspace"
    )
    kwargs = {} if body is None else {"json": body}
    refused(api.request(method, path, **kwargs), operation, 409)
    after = make.get("workspace", workspace_id)
    assert differences(before, after) == {}, "a refused request changed the workspace"


@pytest.mark.requirement("WS-LIFE-001")
@pytest.mark.smoke
def test_create_answers_201_with_the_id(api: ApiClient, make: Factory) -> None:
    """Create answers 201 with {workspaceId} (more fields may come with it), and the workspace reads back
    with the fields given."""
    project = make.project()
    body = {
        "name": make.name("workspace"),
        "description": "reads back as given",
        "environmentType": "vscode",
        "image": "strongly/vscode:1.2",
        "resources": {"cpu": "1", "memory": "2Gi", "gpu": "0", "storage": "5Gi"},
        "projectId": project["id"],
    }
    response = api.post(W, json=body)
    created = expect(response, "createWorkspace", 201)
    make.registry.add("workspace", created["workspaceId"])

    assert isinstance(created["workspaceId"], str)  # more fields may come with it (D-17)
    workspace = make.get("workspace", created["workspaceId"])
    assert workspace["id"] == created["workspaceId"]
    for field in ("name", "description", "environmentType", "image", "projectId"):
        assert workspace[field] == body[field], field
    assert {key: workspace["resources"][key] for key in body["resources"]} == body["resources"]
    owner = workspace.get("owner")
    if isinstance(owner, dict):  # the REST object; the SDK's Workspace has 'owner str Owner name' (D-19)
        assert owner.get("id") == workspace["ownerId"], owner


@pytest.mark.requirement("WS-LIFE-002")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_a_new_workspace_provisions_itself(api: ApiClient, make: Factory) -> None:
    """A new workspace is pending or running, never stopped, and runs without a start call (D-06)."""
    workspace = make.workspace()

    assert workspace["status"] in ("pending", "running")
    make.wait_until(workspace["id"], "running")


@pytest.mark.requirement("WS-LIFE-003")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_status_agrees_with_the_workspace(api: ApiClient, make: Factory) -> None:
    """Phase, ready and the Ready condition match the workspace's status when pending, running and stopped."""
    workspace = make.workspace()
    seen = set()

    def agrees(workspace_id: str) -> None:
        status = status_of(api, workspace_id)
        current = make.get("workspace", workspace_id)["status"]
        if current != make.get("workspace", workspace_id)["status"]:
            return  # it moved between the two reads
        conditions = {condition["type"]: condition["status"] for condition in status["conditions"]}
        assert status["phase"] == current.capitalize(), f"phase {status['phase']} for a {current} workspace"
        assert status["ready"] is (current == "running")
        assert conditions.get("Ready") == ("True" if current == "running" else "False"), conditions
        seen.add(current)

    agrees(workspace["id"])
    make.wait_until(workspace["id"], "running")
    agrees(workspace["id"])
    expect(api.post(f"{W}/{workspace['id']}/stop"), "stopWorkspace", 200)
    agrees(workspace["id"])
    assert {"running", "stopped"} <= seen


@pytest.mark.requirement("WS-LIFE-004")
@pytest.mark.running_workspaces(1)
def test_stop_a_running_workspace(api: ApiClient, make: Factory) -> None:
    """Stop answers 200 with status stopped; afterwards the workspace and its status read as stopped."""
    workspace = make.running_workspace(pooled=True)

    answer = expect(api.post(f"{W}/{workspace['id']}/stop"), "stopWorkspace", 200)

    assert (answer["workspaceId"], answer["status"]) == (workspace["id"], "stopped")
    assert make.get("workspace", workspace["id"])["status"] == "stopped"
    status = status_of(api, workspace["id"])
    assert (status["phase"], status["ready"]) == ("Stopped", False)


@pytest.mark.requirement("WS-LIFE-005")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_start_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Start answers 200 with status pending, and the workspace becomes running again."""
    workspace = make.stopped_workspace(pooled=True)

    answer = expect(api.post(f"{W}/{workspace['id']}/start"), "startWorkspace", 200)

    assert (answer["workspaceId"], answer["status"]) == (workspace["id"], "pending")
    assert make.get("workspace", workspace["id"])["status"] in ("pending", "running")
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-005")


@pytest.mark.requirement("WS-LIFE-006")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_restart_a_running_workspace(api: ApiClient, make: Factory) -> None:
    """Restart answers 200 with status pending, goes through a new Ready transition and runs again."""
    workspace = make.running_workspace(pooled=True)
    ready_before = ready_condition(api, workspace["id"])["lastTransitionTime"]
    time.sleep(TICK)  # a new transition in whole seconds needs a second to pass

    answer = expect(api.post(f"{W}/{workspace['id']}/restart"), "restartWorkspace", 200)

    assert (answer["workspaceId"], answer["status"]) == (workspace["id"], "pending")
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-006")
    ready_after = ready_condition(api, workspace["id"])["lastTransitionTime"]
    assert whole_seconds(ready_after) > whole_seconds(ready_before), (
        f"the workspace did not go through a new Ready transition: {ready_before} then {ready_after}"
    )


@pytest.mark.requirement("WS-LIFE-007")
@pytest.mark.smoke
@pytest.mark.running_workspaces(1)
def test_delete_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Delete answers 204; then the workspace, its sub-resources and a second delete answer 404."""
    workspace = make.stopped_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    expect(api.delete(path), "deleteWorkspace", 204)
    make.forget("workspace", workspace["id"])

    expect(api.get(path), "getWorkspace", 404)
    for suffix, operation in (("/status", "getWorkspaceStatus"), ("/metrics", "getWorkspaceMetrics"),
                              ("/logs", "getWorkspaceLogs")):  # fmt: skip
        expect(api.get(path + suffix), operation, 404)
    expect(api.post(path + "/start"), "startWorkspace", 404)
    expect(api.delete(path), "deleteWorkspace", 404)


@pytest.mark.requirement("WS-LIFE-008")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.running_workspaces(1)
def test_delete_is_refused_while_live(api: ApiClient, make: Factory) -> None:
    """Deleting a pending or running workspace is refused (409 recommended) and leaves it as it was (D-09)."""
    running = make.running_workspace(pooled=True)
    refused_unchanged(api, make, running["id"], "DELETE", f"{W}/{running['id']}")
    fresh = make.workspace()
    refused(api.delete(f"{W}/{fresh['id']}"), "deleteWorkspace", 409)
    make.get("workspace", fresh["id"])


@pytest.mark.requirement("WS-LIFE-009")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.parametrize(("state", "action"), [("running", "start"), ("stopped", "stop"), ("stopped", "restart")])
@pytest.mark.running_workspaces(1)
def test_actions_in_the_wrong_state_change_nothing(api: ApiClient, make: Factory, state: str, action: str) -> None:
    """Start on running, stop on stopped, restart on stopped: refused (409 recommended) and no change (D-08)."""
    workspace = make.running_workspace(pooled=True) if state == "running" else make.stopped_workspace(pooled=True)

    refused_unchanged(api, make, workspace["id"], "POST", f"{W}/{workspace['id']}/{action}")


@pytest.mark.requirement("WS-LIFE-010")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.running_workspaces(1)
def test_runtime_changes_need_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Resources change while running: refused (409 recommended), nothing changed; while stopped resources
    and image change ("Certain fields (e.g., resources) can only be updated while the workspace is stopped")."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"
    for body in ({"resources": {"cpu": "3"}}, {"name": "x", "resources": {"gpu": "1"}}):
        refused_unchanged(api, make, workspace["id"], "PUT", path, body)
    renamed = expect(api.put(path, json={"name": make.name("renamed")}), "updateWorkspace", 200)
    assert renamed["status"] in ("running", "pending")

    expect(api.post(f"{path}/stop"), "stopWorkspace", 200)
    make.wait_until(workspace["id"], "stopped", promised_by="WS-LIFE-004")
    changed = expect(
        api.put(path, json={"resources": {"cpu": "3"}, "image": "strongly/jupyter:other"}), "updateWorkspace", 200
    )
    assert (changed["resources"]["cpu"], changed["image"]) == ("3", "strongly/jupyter:other")


@pytest.mark.requirement("WS-LIFE-015")
@pytest.mark.running_workspaces(1)
def test_image_changes_need_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """An image change while running answers 409 and changes nothing (D-10: "e.g." leaves the list open)."""
    workspace = make.running_workspace(pooled=True)
    before = make.get("workspace", workspace["id"])

    expect(api.put(f"{W}/{workspace['id']}", json={"image": "strongly/jupyter:other"}), "updateWorkspace", 409)

    assert differences(before, make.get("workspace", workspace["id"])) == {}, "a refused request changed it"


@pytest.mark.requirement("WS-LIFE-011")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.running_workspaces(1)
def test_metrics_only_while_running(api: ApiClient, make: Factory) -> None:
    """Metrics answer 200 while running and are refused once stopped (409 recommended, D-11)."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    expect(api.get(f"{path}/metrics"), "getWorkspaceMetrics", 200)
    expect(api.post(f"{path}/stop"), "stopWorkspace", 200)
    refused(api.get(f"{path}/metrics"), "getWorkspaceMetrics", 409)


def sync_with_nothing_to_do(api: ApiClient, workspace_id: str, why: str) -> None:
    """A sync with nothing to sync: refused (409 recommended, D-13) or a 200 that did nothing; both parse."""
    response = api.post(f"{W}/{workspace_id}/sync")
    if 200 <= response.status_code < 300:
        recommend("WS-LIFE-016", False, f"sync {why} answered {response.status_code}, not 409", response)
        expect(response, "syncWorkspace", 200)
    else:
        refused(response, "syncWorkspace", 409)


@pytest.mark.requirement("WS-LIFE-012")
@pytest.mark.recommends("WS-LIFE-016", "GEN-ERR-004")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_sync_a_running_workspace_with_a_volume(api: ApiClient, make: Factory) -> None:
    """Sync answers 200 for a running workspace with a volume; without a volume, or stopped, it is refused
    (409 recommended) or answered as done, and the workspace stays as it was."""
    project = make.project()
    make.volume(project["id"])
    mounted = make.running_workspace(project["id"])
    loose = make.running_workspace(pooled=True)

    answer = expect(api.post(f"{W}/{mounted['id']}/sync"), "syncWorkspace", 200)
    assert answer.get("workspaceId", mounted["id"]) == mounted["id"], answer  # sync 'Returns dict' in the SDK
    sync_with_nothing_to_do(api, loose["id"], "without a volume")
    assert make.get("workspace", loose["id"])["status"] == "running"
    expect(api.post(f"{W}/{mounted['id']}/stop"), "stopWorkspace", 200)
    make.wait_until(mounted["id"], "stopped", promised_by="WS-LIFE-004")
    sync_with_nothing_to_do(api, mounted["id"], "when stopped")
    assert make.get("workspace", mounted["id"])["status"] == "stopped"


@pytest.mark.requirement("WS-LIFE-013")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_logs_grow_with_the_lifecycle(api: ApiClient, make: Factory) -> None:
    """Build, deploy and pod logs have lines once running; stop and start add to them (D-33)."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    def lines(kind: str) -> int:
        body = expect(api.get(f"{path}/logs", type=kind), "getWorkspaceLogs", 200)
        assert body["logType"] == kind
        return len(body["logs"].splitlines())

    first = {kind: lines(kind) for kind in ("build", "deploy", "pod")}
    assert all(first.values()), f"empty logs: {first}"
    assert expect(api.get(f"{path}/logs"), "getWorkspaceLogs", 200)["logType"] == "pod"
    expect(api.post(f"{path}/stop"), "stopWorkspace", 200)
    assert lines("deploy") > first["deploy"]
    expect(api.post(f"{path}/start"), "startWorkspace", 200)
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-005")
    assert lines("pod") > first["pod"]


@pytest.mark.requirement("WS-LIFE-014")
@pytest.mark.running_workspaces(1)
def test_url_only_while_running(api: ApiClient, make: Factory) -> None:
    """A running workspace has a URL; a stopped one has none (D-07)."""
    workspace = make.running_workspace(pooled=True)
    assert isinstance(workspace["url"], str)
    assert workspace["url"]

    expect(api.post(f"{W}/{workspace['id']}/stop"), "stopWorkspace", 200)
    assert make.get("workspace", workspace["id"])["url"] is None


@pytest.mark.requirement("WS-SEM-001")
@pytest.mark.parametrize("gpu", ["0", "1"])
@pytest.mark.slow(1)
def test_metrics_stay_within_the_allocation(api: ApiClient, make: Factory, gpu: str) -> None:
    """CPU, memory and disk in use stay within the request; without a GPU its usage is 0% (D-02)."""
    resources = {"cpu": "2", "memory": "4Gi", "gpu": gpu, "storage": "10Gi"}
    workspace = make.running_workspace(resources=resources)

    metrics = expect(api.get(f"{W}/{workspace['id']}/metrics"), "getWorkspaceMetrics", 200)

    assert 0 <= cores(metrics["cpuUsage"]) <= cores(resources["cpu"]), metrics
    assert 0 <= gibibytes(metrics["memoryUsage"]) <= gibibytes(resources["memory"]), metrics
    assert 0 <= gibibytes(metrics["diskUsage"]) <= gibibytes(resources["storage"]), metrics
    assert (percent(metrics["gpuUsage"]) == 0) if gpu == "0" else (0 <= percent(metrics["gpuUsage"]) <= 100), metrics


@pytest.mark.requirement("WS-SEM-002")
@pytest.mark.slow(1)
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    workspace = make.stopped_workspace(resources={"cpu": "3", "memory": "6Gi", "storage": "20Gi"})  # none default
    for change in ({"name": make.name("renamed")}, {"description": "new words"}, {"resources": {"cpu": "4"}}):
        changes_exactly(api, make, "workspace", workspace["id"], change)


@pytest.mark.requirement("WS-SEM-003")
@pytest.mark.recommends("GEN-DEFAULT-001")
def test_defaults_fill_what_create_leaves_out(api: ApiClient, make: Factory) -> None:
    """Without image the workspace shows its type's image ("defaults to environment type default"); the
    resource defaults (cpu 2, memory 4Gi, gpu 0, storage 10Gi) are recommended (D-23)."""
    workspace = make.workspace(environmentType="rstudio")

    assert workspace["image"], "no default image"
    assert make.workspace(environmentType="rstudio")["image"] == workspace["image"], "the default image varies"
    resources = workspace.get("resources") or {}
    shown = {key: resources.get(key) for key in ("cpu", "memory", "gpu", "storage", "gpuType")}
    recommend("GEN-DEFAULT-001", shown == {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi", "gpuType": None},
              f"omitted resources read as cpu 2, memory 4Gi, gpu 0, storage 10Gi (D-23), got {shown}")  # fmt: skip


@pytest.mark.requirement("WS-SEM-004")
@pytest.mark.recommends("GEN-ERR-004")
def test_create_in_an_unknown_project(api: ApiClient, make: Factory) -> None:
    """Creating in an unknown project is refused (404 recommended, D-21) and creates nothing."""
    body = {"name": make.name("workspace"), "description": "", "environmentType": "jupyter"}

    refused(api.post(W, json={**body, "projectId": "proj_does_not_exist"}), "createWorkspace", 404)

    listed = expect(api.get(W, search=body["name"]), "listWorkspaces", 200)
    assert listed["workspaces"] == [], "a refused create left a workspace behind"


@pytest.mark.requirement("PRJ-LIFE-005")
def test_create_in_an_archived_project(api: ApiClient, make: Factory) -> None:
    """Creating a workspace in an archived project answers 409 and creates nothing (D-27)."""
    body = {"name": make.name("workspace"), "description": "", "environmentType": "jupyter"}
    project = make.project()
    expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)

    expect(api.post(W, json={**body, "projectId": project["id"]}), "createWorkspace", 409)

    listed = expect(api.get(W, search=body["name"]), "listWorkspaces", 200)
    assert listed["workspaces"] == [], "a refused create left a workspace behind"


@pytest.mark.requirement("WS-SEM-005")
def test_a_workspace_mounts_its_projects_volumes(api: ApiClient, make: Factory) -> None:
    """volumeIds lists the project's volumes, oldest first, and follows new ones; none without a project."""
    project = make.project()
    first, second = make.volume(project["id"]), make.volume(project["id"])
    workspace = make.workspace(project["id"])
    assert workspace["volumeIds"] == [first["id"], second["id"]]

    third = make.volume(project["id"])

    assert make.get("workspace", workspace["id"])["volumeIds"] == [first["id"], second["id"], third["id"]]
    assert make.workspace()["volumeIds"] == []
